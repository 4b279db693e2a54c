//! The literal prefilter: one scan of a text tells which rules may have
//! anything to do in it, so a text no rule can touch is not parsed and, on a
//! parsed text, rules that cannot fire are not run.
//!
//! Every rule offers literal needles ([`Rule::needles`]): one of them occurs
//! in any text where the rule can make an edit. All needles of all rules go
//! into one Aho-Corasick automaton (ASCII case-insensitive: a superset of any
//! case-sensitive test, so never too strict), built once per rule set. A rule
//! whose needles occur may still refine the answer with a raw-text test of
//! its own ([`Rule::may_fire`]); a rule without needles always runs.
//!
//! Soundness is the whole contract: a rule reported as unable to fire must
//! make no edit on that text, so skipping it changes nothing. Rules that only
//! tidy after others ([`Rule::follows_others`]) never make a text worth
//! parsing, but run whenever the text is parsed.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::Rule;

/// The needles of a rule set, compiled.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    /// Every needle of every rule that has needles; `None` when none has.
    automaton: Option<AhoCorasick>,
    /// For each needle (automaton pattern), the rules it belongs to.
    owners: Vec<Vec<usize>>,
    /// For each rule: true when it has needles (false: it always runs).
    has_needles: Vec<bool>,
    /// Rules that only act next to other rules' edits.
    follows: Vec<bool>,
}

impl Prefilter {
    /// Compiles the needles of `rules` (in run order).
    pub fn new<'r>(rules: impl IntoIterator<Item = &'r dyn Rule>) -> Prefilter {
        let mut needles: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut has_needles = Vec::new();
        let mut follows = Vec::new();
        for (i, rule) in rules.into_iter().enumerate() {
            follows.push(rule.follows_others());
            let own = rule.needles().filter(|n| !n.iter().any(String::is_empty));
            has_needles.push(own.is_some());
            for n in own.into_iter().flatten() {
                let lower = n.to_ascii_lowercase();
                match needles.iter().position(|m| *m == lower) {
                    Some(k) => owners[k].push(i),
                    None => {
                        needles.push(lower);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        let automaton = (!needles.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&needles)
                .expect("literal needles always compile")
        });
        Prefilter {
            automaton,
            owners,
            has_needles,
            follows,
        }
    }

    /// For each rule, whether it may make an edit in `text`; `None` when no
    /// rule (other than those that only follow others) may, so the text
    /// needs no parse. Rules that follow others are `true` whenever another
    /// rule is.
    /// `may_fire(i)` is rule `i`'s own raw-text test ([`Rule::may_fire`]).
    pub fn firing(&self, text: &str, may_fire: impl Fn(usize) -> bool) -> Option<Vec<bool>> {
        let n = self.has_needles.len();
        let mut present = vec![false; n];
        let mut pending = self
            .has_needles
            .iter()
            .zip(&self.follows)
            .filter(|(h, f)| **h && !**f)
            .count();
        if let Some(ac) = &self.automaton
            && pending > 0
        {
            for m in ac.find_overlapping_iter(text) {
                for &r in &self.owners[m.pattern().as_usize()] {
                    if !present[r] {
                        present[r] = true;
                        if !self.follows[r] {
                            pending -= 1;
                        }
                    }
                }
                if pending == 0 {
                    break;
                }
            }
        }
        let mut firing = vec![false; n];
        let mut any = false;
        for i in 0..n {
            if self.follows[i] {
                continue;
            }
            firing[i] = (!self.has_needles[i] || present[i]) && may_fire(i);
            any |= firing[i];
        }
        if !any {
            return None;
        }
        for i in 0..n {
            firing[i] |= self.follows[i];
        }
        Some(firing)
    }
}

/// Raw-text tests shared by the rules' [`Rule::may_fire`] hooks. Each errs
/// towards `true`.
pub(crate) mod raw {
    /// Calls `test` with the raw label of every `![label](` in `text` that
    /// holds no markup (no `\ [ ] * _ ~ & < `` ` `` and no line break): for
    /// such a label the raw text is the visible alt text. True as soon as
    /// `test` is, or when some image's label holds markup.
    pub fn any_plain_image_label(text: &str, test: impl Fn(&str) -> bool) -> bool {
        for (i, _) in text.match_indices("![") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(']') else {
                // No closing bracket anywhere: no image after this one.
                return false;
            };
            let label = &rest[..end];
            if label.contains(['\\', '[', '*', '_', '~', '&', '<', '`', '\n', '\r']) || test(label)
            {
                return true;
            }
        }
        false
    }

    /// True when `text` holds a line (the last one included) made only of
    /// spaces and tabs, at least one.
    pub fn has_whitespace_line(text: &str) -> bool {
        text.split('\n').any(|line| {
            let body = line.strip_suffix('\r').unwrap_or(line);
            !body.is_empty() && body.bytes().all(|b| b == b' ' || b == b'\t')
        })
    }

    /// True when `text` holds `[label](` whose label is empty or white space
    /// only and which is not an image (`![`), or could be one that is
    /// escaped (`\![`).
    pub fn has_blank_label_link(text: &str) -> bool {
        text.match_indices("](").any(|(i, _)| {
            let before = text[..i].trim_end_matches(char::is_whitespace);
            let Some(open) = before.strip_suffix('[') else {
                return false;
            };
            match open.strip_suffix('!') {
                Some(bang) => bang.ends_with('\\'),
                None => true,
            }
        })
    }

    /// True when `text` holds `](` followed by white space only and `)`
    /// (an empty destination), or by `<>`.
    pub fn has_empty_destination(text: &str) -> bool {
        text.match_indices("](").any(|(i, _)| {
            let after = text[i + 2..].trim_start_matches(char::is_whitespace);
            after.starts_with(')') || after.starts_with("<>")
        })
    }

    /// True when some `&` follows a line break with only spaces and tabs
    /// between (a URL broken before its next parameter).
    pub fn has_ampersand_after_break(text: &str) -> bool {
        text.match_indices('\n').any(|(i, _)| {
            text[i + 1..]
                .trim_start_matches([' ', '\t'])
                .starts_with('&')
        })
    }

    /// True when some image in `text` may share its paragraph with text: an
    /// image whose line holds more than one image (or one inside a link)
    /// with nothing else, or whose neighbouring lines are not blank. Quote
    /// markers count as nothing (a list marker does not: such a line is
    /// reported); a line of only `>`, spaces and tabs is blank.
    pub fn may_have_glued_image(text: &str) -> bool {
        let lines: Vec<&str> = text.split('\n').collect();
        // ASCII white space only: other spaces (U+3000) are paragraph text.
        let blank = |l: &str| l.trim_matches(['>', ' ', '\t', '\r']).is_empty();
        for (n, line) in lines.iter().enumerate() {
            if !line.contains("![") {
                continue;
            }
            let body = line.trim_matches(['>', ' ', '\t', '\r']);
            if !is_lone_image(body) {
                return true;
            }
            let prev_blank = n == 0 || blank(lines[n - 1]);
            let next_blank = n + 1 == lines.len() || blank(lines[n + 1]);
            if !(prev_blank && next_blank) {
                return true;
            }
        }
        false
    }

    /// True when `s` is exactly one image `![label](dest)` with a plain label
    /// and a destination without spaces, quotes or brackets.
    fn is_lone_image(s: &str) -> bool {
        let Some(rest) = s.strip_prefix("![") else {
            return false;
        };
        let Some(close) = rest.find("](") else {
            return false;
        };
        if rest[..close].contains(['[', ']', '\\', '`', '<']) {
            return false;
        }
        let dest = &rest[close + 2..];
        let Some(dest) = dest.strip_suffix(')') else {
            return false;
        };
        !dest.is_empty()
            && !dest.contains(|c: char| c.is_whitespace() || "()<>\"'\\[]`".contains(c))
    }

    /// True when `text` may hold emphasis debris: a `**` or `__` run, or a
    /// single `*`/`_` that could open emphasis around nothing visible or
    /// around images and links only (followed by `!`, `[`, `<`, `&`, `\`,
    /// or white space other than a space, tab or line break).
    pub fn may_have_emphasis_debris(text: &str) -> bool {
        if text.contains("**") || text.contains("__") {
            return true;
        }
        text.match_indices(['*', '_']).any(|(i, _)| {
            text[i + 1..].chars().next().is_some_and(|c| {
                "![<&\\".contains(c) || (c.is_whitespace() && !" \t\r\n".contains(c))
            })
        })
    }
}
