//! A rule's regex, checked when the rules load and compiled when a rule
//! first uses it.
//!
//! Compiling every pattern of the default rules took most of the startup of
//! a run (about 60 M instructions for some 60 patterns), and most runs never
//! reach many of them: an `unless` is read only after its `pattern`
//! matched, a window's test only in the documents that have one. A pattern
//! is parsed when it loads, so a syntax error is still reported then, with
//! its rule and setting. One whose compiled size could come near the regex
//! crate's limit is compiled then too, under that limit, so that its error
//! is reported as well. One compiled later is compiled without a size
//! limit: its weight keeps it small, and a guess too low costs memory, not
//! a failure in the middle of a run.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest [`weight`] of a pattern compiled on first use. Measured, a unit
/// of weight compiles to at most about 60 bytes (`.`, a CJK alternation;
/// captures, stars and ASCII less), so this weight stays under a tenth of
/// the crate's 10 MB size limit (a test holds it under 1 MB).
const LAZY_WEIGHT: usize = 16_000;

/// A regex compiled on first use. Derefs to [`Regex`].
#[derive(Clone)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    /// Checks `source` and keeps it for compiling later; a pattern that
    /// does not parse, or that may compile to a large automaton, is
    /// compiled now, so that its error is returned now.
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        let compiled = OnceLock::new();
        let lazy = regex_syntax::Parser::new()
            .parse(source)
            .is_ok_and(|hir| weight(&hir) <= LAZY_WEIGHT);
        if !lazy {
            let _ = compiled.set(Regex::new(source)?);
        }
        Ok(Pattern {
            source: source.to_string(),
            compiled,
        })
    }

    /// The pattern as written (without compiling it).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True once the pattern is compiled.
    #[cfg(test)]
    fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }
}

impl Deref for Pattern {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            // It parsed, and with no size limit nothing else can fail.
            RegexBuilder::new(&self.source)
                .size_limit(usize::MAX)
                .build()
                .expect("a pattern that parsed compiles without a size limit")
        })
    }
}

impl fmt::Debug for Pattern {
    /// As [`Regex`] prints itself: rules are fingerprinted by `Debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Regex").field(&self.source.as_str()).finish()
    }
}

/// An upper bound, roughly in automaton states, of what `hir` compiles to:
/// a character class counts as many states as a UTF-8 automaton of its
/// ranges could take, a capture its two slots, an alternation a split per
/// branch, a repetition a split per copy and at least two copies (a star's
/// body, and the reverse automaton's).
fn weight(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(lit) => lit.0.len(),
        HirKind::Class(Class::Unicode(c)) => c.ranges().len().saturating_mul(8),
        HirKind::Class(Class::Bytes(c)) => c.ranges().len().saturating_mul(2),
        HirKind::Repetition(rep) => {
            let copies = (rep.max.unwrap_or(rep.min).max(rep.min) as usize).max(2);
            weight(&rep.sub).saturating_add(1).saturating_mul(copies)
        }
        HirKind::Capture(cap) => weight(&cap.sub).saturating_add(2),
        HirKind::Concat(subs) => subs
            .iter()
            .map(weight)
            .fold(0usize, |a, b| a.saturating_add(b)),
        HirKind::Alternation(subs) => subs
            .iter()
            .map(|h| weight(h).saturating_add(1))
            .fold(0usize, |a, b| a.saturating_add(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_light_pattern_waits_for_its_first_use_and_then_matches_as_a_regex_does() {
        let p = Pattern::new(r"(点赞|在看)[^，。]{0,30}$").unwrap();
        assert!(!p.is_compiled());
        assert_eq!(p.as_str(), r"(点赞|在看)[^，。]{0,30}$");
        assert!(!p.is_compiled(), "as_str does not compile");
        assert!(p.is_match("记得点赞哦"));
        assert!(p.is_compiled());
        assert!(!p.is_match("点赞，然后"));
    }

    #[test]
    fn a_bad_pattern_fails_when_it_loads() {
        let err = Pattern::new(r"(点赞").unwrap_err();
        assert!(err.to_string().contains("unclosed group"), "{err}");
    }

    #[test]
    fn a_pattern_too_big_to_compile_fails_when_it_loads() {
        // Unicode word characters, a thousand times: over the size limit.
        assert!(Pattern::new(r"\w{1000}").is_err());
        // A heavy pattern that does compile is compiled at once.
        let heavy = Pattern::new(r"\w{60}").unwrap();
        assert!(heavy.is_compiled());
    }

    #[test]
    fn a_pattern_left_for_later_compiles_far_under_the_size_limit() {
        // Shapes whose states the weight might miss: captures, nested
        // stars, alternations, counted repetitions, classes, case folding.
        let shapes = [
            "a{N}",
            "(a){N}",
            "((a)|(b)){N}",
            "(((a))){N}",
            "(?:(a*)*){N}",
            "(?:((a)*)*){N}",
            "(?i)(k|s){N}",
            "[^，。！]{N}",
            "(点赞|在看|分享){N}",
            "(?:关注|投稿|转发){N}",
            ".{N}",
            r"\S{N}",
            r"\d{N}",
            r"\s*(?:x|y)?\b{N}",
        ];
        for shape in shapes {
            for n in [1, 10, 100, 200, 300, 500, 900, 1000, 3000, 10_000] {
                let source = shape.replace('N', &n.to_string());
                let Ok(p) = Pattern::new(&source) else {
                    continue;
                };
                if p.is_compiled() {
                    continue;
                }
                // What it compiles to under a tenth of the usual limit.
                let small = RegexBuilder::new(&source).size_limit(1 << 20).build();
                assert!(small.is_ok(), "{source}: weight {}", {
                    let hir = regex_syntax::Parser::new().parse(&source).unwrap();
                    weight(&hir)
                });
            }
        }
    }

    #[test]
    fn it_prints_as_a_regex_does() {
        let p = Pattern::new("a+b").unwrap();
        assert_eq!(
            format!("{p:?}"),
            format!("{:?}", Regex::new("a+b").unwrap())
        );
    }
}
