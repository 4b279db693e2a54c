//! Needles for patterns over a block's *visible* text (`drop-block`,
//! `drop-line`, `drop-tail`): literal strings one of which every match must
//! contain, cut down to what the raw text must then contain too.
//!
//! Extraction walks the regex's syntax tree: a literal is required as it is,
//! an alternation requires one of its branches' sets, a concatenation
//! requires the best of its parts' sets (exact neighbours are joined), and
//! anything optional or open (`.*`, `x?`, a large class) requires nothing.
//!
//! The visible text is not the raw text: markup is removed (`**往期**推荐`,
//! `[往期](u)推荐`), escapes and entities are decoded (`\-END\-`,
//! `&#38405;读原文`), HTML tags are stripped. So each required literal is
//! cut to its longest run of *needle characters*: ASCII letters and digits
//! and CJK characters. Markup is ASCII punctuation, and no named HTML entity
//! stands for a needle character, so between two needle characters that are
//! adjacent in the visible text the raw text holds only ASCII punctuation,
//! white space, invisible stretches (link destinations, reference labels,
//! tags; see `prefilter::squeeze`) or a numeric entity. The prefilter
//! searches a squeezed copy of the raw text, and treats every visible needle
//! as present when the text holds `&#`. A literal without needle characters
//! (`-END-` without `END`, `···`) gives the rule no needles: it always runs.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings an exact set may grow to before it is cut.
const MAX_SET: usize = 64;

/// What every match of a piece of regex holds.
enum Req {
    /// The match is exactly one of these strings.
    Exact(Vec<String>),
    /// The match contains one of these strings.
    Contains(Vec<String>),
    /// Nothing is required.
    Any,
}

/// A character a needle may hold: an ASCII letter or digit, or a CJK
/// character (ideographs, kana, hangul, fullwidth forms, CJK punctuation).
pub(crate) fn is_needle_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c as u32,
            0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// The longest run of needle characters in `s`, ASCII in lower case.
fn longest_run(s: &str) -> &str {
    let mut best = "";
    for run in s.split(|c: char| !is_needle_char(c)) {
        if run.chars().count() > best.chars().count() {
            best = run;
        }
    }
    best
}

/// Needles of a pattern over visible text; `None` when every match need not
/// hold a run of needle characters.
pub(crate) fn visible_needles(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let set = match required(&hir) {
        Req::Exact(s) | Req::Contains(s) => s,
        Req::Any => return None,
    };
    if score(&set) == 0 {
        return None;
    }
    let mut needles: Vec<String> = set
        .iter()
        .map(|s| longest_run(s).to_ascii_lowercase())
        .collect();
    needles.sort();
    needles.dedup();
    Some(needles)
}

/// Needles of a pattern over raw text: the literals one of which every
/// match holds as it is (an alternation's words after a leading class,
/// where a prefix gives none); `None` when a match need hold none.
pub(crate) fn raw_needles(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut set = match required(&hir) {
        Req::Exact(s) | Req::Contains(s) => s,
        Req::Any => return None,
    };
    // Case variants are folded to lower case for the visible text's
    // case-blind search; the raw text is searched as it is, so a needle
    // with a letter in it may not be there as written.
    if set
        .iter()
        .any(|s| s.is_empty() || s.bytes().any(|b| b.is_ascii_alphabetic()))
    {
        return None;
    }
    set.sort();
    set.dedup();
    Some(set)
}

/// How good a set is as needles: the shortest run among its strings, in
/// characters (0: some string has none, the set is no test at all).
fn score(set: &[String]) -> usize {
    set.iter()
        .map(|s| longest_run(s).chars().count())
        .min()
        .unwrap_or(0)
}

fn required(h: &Hir) -> Req {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Req::Exact(vec![String::new()]),
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => Req::Exact(vec![s.to_string()]),
            Err(_) => Req::Any,
        },
        HirKind::Class(Class::Unicode(c)) => {
            let chars: Vec<char> = c
                .ranges()
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .take(5)
                .collect();
            match chars.as_slice() {
                // Two ASCII case variants: the search ignores ASCII case.
                [a, b] if a.is_ascii() && a.eq_ignore_ascii_case(b) => {
                    Req::Exact(vec![a.to_ascii_lowercase().to_string()])
                }
                cs if cs.len() <= 4 => Req::Exact(cs.iter().map(|c| c.to_string()).collect()),
                _ => Req::Any,
            }
        }
        HirKind::Class(Class::Bytes(_)) => Req::Any,
        HirKind::Repetition(r) => {
            if r.min == 0 {
                return Req::Any;
            }
            match required(&r.sub) {
                Req::Exact(s) if r.min == 1 && r.max == Some(1) => Req::Exact(s),
                Req::Exact(s) | Req::Contains(s) => Req::Contains(s),
                Req::Any => Req::Any,
            }
        }
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Concat(subs) => {
            let mut candidates: Vec<Vec<String>> = Vec::new();
            let mut acc = vec![String::new()];
            let mut exact = true;
            for s in subs {
                match required(s) {
                    Req::Exact(set) => {
                        if acc.len() * set.len() > MAX_SET {
                            candidates.push(std::mem::replace(&mut acc, set));
                            exact = false;
                        } else {
                            acc = acc
                                .iter()
                                .flat_map(|a| set.iter().map(move |b| format!("{a}{b}")))
                                .collect();
                        }
                    }
                    Req::Contains(set) => {
                        candidates.push(std::mem::replace(&mut acc, vec![String::new()]));
                        candidates.push(set);
                        exact = false;
                    }
                    Req::Any => {
                        candidates.push(std::mem::replace(&mut acc, vec![String::new()]));
                        exact = false;
                    }
                }
            }
            if exact {
                return Req::Exact(acc);
            }
            candidates.push(acc);
            let best = candidates
                .into_iter()
                .max_by_key(|c| (score(c), std::cmp::Reverse(c.len())));
            match best {
                Some(b) if score(&b) > 0 => Req::Contains(b),
                _ => Req::Any,
            }
        }
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            let mut exact = true;
            for s in subs {
                match required(s) {
                    Req::Exact(set) => all.extend(set),
                    Req::Contains(set) => {
                        exact = false;
                        all.extend(set);
                    }
                    Req::Any => return Req::Any,
                }
            }
            if exact && all.len() <= MAX_SET {
                Req::Exact(all)
            } else {
                Req::Contains(all)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{raw_needles, visible_needles};

    fn needles(p: &str) -> Option<Vec<String>> {
        visible_needles(p)
    }

    #[test]
    fn alternations_concatenations_and_cases() {
        assert_eq!(
            needles("大家都在看|往期推荐").unwrap(),
            vec!["大家都在看", "往期推荐"]
        );
        // The END marker: decorations are optional, END is required.
        assert_eq!(
            needles(r"^[-—–_·•.*\\\s]*(THE\s*)?END[-—–_·•.*\\\s]*$").unwrap(),
            vec!["end"]
        );
        assert_eq!(needles("(?i)qr\\s*code").unwrap(), vec!["code"]);
        // Optional or open patterns require nothing.
        assert!(needles(".*").is_none());
        assert!(needles("(往期)?(推荐)?").is_none());
        assert_eq!(needles("(往期)?推荐?").unwrap(), vec!["推"]);
        // Punctuation only: no needle characters.
        assert!(needles("^-+$").is_none());
        // A literal cut to its longest run of needle characters.
        assert_eq!(needles("^-END-$").unwrap(), vec!["end"]);
        assert_eq!(needles("点击“阅读原文”").unwrap(), vec!["阅读原文"]);
    }

    #[test]
    fn raw_needles_are_the_required_words_after_a_leading_class() {
        // A prefix gives nothing here (a class, then spaces); a word each
        // branch of the alternation requires is needed as it is.
        assert_eq!(
            raw_needles(r"[，,]\s*(也?欢迎[^，]{0,12}关注|更多[^，]{0,30}可关注)").unwrap(),
            vec!["关注", "可关注"]
        );
        assert!(raw_needles(r"[，,]\s*.*").is_none());
        // Letters: the raw text is searched as it is, so none.
        assert!(raw_needles(r"，\s*[Ff]ollow us").is_none());
        assert!(raw_needles("(往期)?").is_none());
    }
}
