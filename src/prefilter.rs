//! The literal prefilter: one scan of a text tells whether any rule may have
//! anything to do in it, so a text no rule can touch is not parsed. Once a
//! text is parsed every rule runs: skipping the rules whose needles are
//! absent was measured to cost more than it saves (BENCHMARKS.md).
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

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::{Rule, raw};

/// The needles of a rule set, compiled.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    /// Every needle of every rule that has needles; `None` when none has.
    /// Built on first use: with a rule whose test is free, most runs never
    /// search (see [`Prefilter::any_may_fire`]).
    automaton: OnceLock<Option<AhoCorasick>>,
    /// For each needle (automaton pattern), the rules it belongs to.
    owners: Vec<Vec<usize>>,
    /// The needles, lower case, and for each the needles that could overlap
    /// an occurrence of it (see [`Prefilter::any_may_fire`]).
    lowered: Vec<Vec<u8>>,
    /// Built with the automaton: most runs never search.
    shadows: OnceLock<Vec<Vec<usize>>>,
    /// For each rule: true when it has needles (false: it always runs).
    has_needles: Vec<bool>,
    /// The rules without needles, those whose raw test is free first.
    needleless: Vec<usize>,
    /// Rules that only act next to other rules' edits.
    follows: Vec<bool>,
    /// Needles over visible text, searched in [`squeeze`]d text.
    visible: OnceLock<Option<AhoCorasick>>,
    visible_owners: Vec<Vec<usize>>,
    /// For each rule: true when it has visible-text needles.
    has_visible: Vec<bool>,
    visible_lowered: Vec<Vec<u8>>,
    visible_shadows: OnceLock<Vec<Vec<usize>>>,
}

/// Adds rule `i`'s needles to `needles` (lower-cased, each once), recording
/// `i` among the owners of each.
fn add_needles(
    needles: &mut Vec<String>,
    owners: &mut Vec<Vec<usize>>,
    new: impl IntoIterator<Item = String>,
    i: usize,
) {
    for n in new {
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

impl Prefilter {
    /// Compiles the needles of `rules` (in run order).
    pub fn new<'r>(rules: impl IntoIterator<Item = &'r dyn Rule>) -> Prefilter {
        let mut needles: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut has_needles = Vec::new();
        let mut free = Vec::new();
        let mut follows = Vec::new();
        let mut visible: Vec<String> = Vec::new();
        let mut visible_owners: Vec<Vec<usize>> = Vec::new();
        let mut has_visible = Vec::new();
        for (i, rule) in rules.into_iter().enumerate() {
            follows.push(rule.follows_others());
            free.push(rule.may_fire_is_free());
            let vis = rule
                .visible_needles()
                .filter(|n| !n.iter().any(String::is_empty));
            has_visible.push(vis.is_some());
            add_needles(
                &mut visible,
                &mut visible_owners,
                vis.into_iter().flatten(),
                i,
            );
            let own = rule.needles().filter(|n| !n.iter().any(String::is_empty));
            has_needles.push(own.is_some());
            add_needles(&mut needles, &mut owners, own.into_iter().flatten(), i);
        }
        let mut needleless: Vec<usize> = (0..has_needles.len())
            .filter(|&i| !has_needles[i])
            .collect();
        needleless.sort_by_key(|&i| !free[i]);
        let lowered = lower(&needles);
        let visible_lowered = lower(&visible);
        Prefilter {
            automaton: OnceLock::new(),
            lowered,
            shadows: OnceLock::new(),
            owners,
            has_needles,
            needleless,
            follows,
            visible: OnceLock::new(),
            visible_owners,
            has_visible,
            visible_lowered,
            visible_shadows: OnceLock::new(),
        }
    }

    /// Whether some rule (other than those that only follow others) may make
    /// an edit in `text`; false means the text needs no parse.
    /// `may_fire(i)` is rule `i`'s own raw-text test ([`Rule::may_fire`]),
    /// asked at most once per rule and only for a rule whose needles are
    /// present.
    ///
    /// The answer is all the engine needs: a text that some rule may touch is
    /// parsed, and once it is parsed every rule runs (running a rule costs
    /// less than proving it cannot fire). So the search stops at the first
    /// rule that may fire, cheapest tests first.
    ///
    /// With `visible` false, the visible-text needles are not searched (that
    /// search squeezes a copy of the text, which costs more than a parse): a
    /// rule without raw needles is asked first, then the raw needles are
    /// searched. With `visible` true: the raw needles, then the visible-text
    /// needles, then the rules with neither.
    pub fn any_may_fire(
        &self,
        text: &str,
        visible: bool,
        may_fire: impl Fn(usize) -> bool,
    ) -> bool {
        let n = self.has_needles.len();
        // Rules already asked (their `may_fire` said no), and those left.
        let mut asked = vec![false; n];
        let ask = |r: usize, asked: &mut Vec<bool>| {
            if self.follows[r] || asked[r] {
                return false;
            }
            asked[r] = true;
            may_fire(r)
        };
        let _fences = raw::FenceCache::enter(text);
        if !visible && self.needleless.iter().any(|&i| ask(i, &mut asked)) {
            return true;
        }
        if let Some(ac) = self.automaton.get_or_init(|| build(&self.lowered)) {
            // A non-overlapping search is much faster than an overlapping
            // one, but an occurrence it skips overlaps one it reports: so
            // around each reported needle, the needles that could overlap it
            // are tested in place.
            let bytes = text.as_bytes();
            let shadows = self.shadows.get_or_init(|| shadows_of(&self.lowered));
            let mut pending = (0..n)
                .filter(|&i| self.has_needles[i] && !self.follows[i])
                .count();
            for m in ac.find_iter(text) {
                let k = m.pattern().as_usize();
                let overlapping = shadows[k]
                    .iter()
                    .copied()
                    .filter(|&j| overlapping_hit(bytes, m.start(), m.end(), &self.lowered[j]));
                for j in std::iter::once(k).chain(overlapping) {
                    for &r in &self.owners[j] {
                        if !self.follows[r] && !asked[r] {
                            pending -= 1;
                            if ask(r, &mut asked) {
                                return true;
                            }
                        }
                    }
                }
                if pending == 0 {
                    break;
                }
            }
        }
        // Visible-text needles, for the rules whose raw needles (if any)
        // were not found.
        if !visible {
            return false;
        }
        let visible_pending: Vec<usize> = (0..n)
            .filter(|&i| !self.follows[i] && self.has_visible[i] && !asked[i])
            .collect();
        if !visible_pending.is_empty() {
            // A numeric entity may spell a needle character: every visible
            // needle counts as present.
            let found = if memchr::memmem::find(text.as_bytes(), b"&#").is_some() {
                vec![true; n]
            } else {
                self.visible_present(text, &visible_pending)
            };
            for &i in &visible_pending {
                if found[i] && ask(i, &mut asked) {
                    return true;
                }
            }
        }
        // Rules without needles: their own test decides.
        self.needleless
            .iter()
            .any(|&i| !self.has_visible[i] && ask(i, &mut asked))
    }

    /// Which of the rules in `pending` have a visible-text needle in the
    /// squeezed `text` (indexed by rule).
    fn visible_present(&self, text: &str, pending: &[usize]) -> Vec<bool> {
        let mut present = vec![false; self.has_visible.len()];
        let Some(ac) = self.visible.get_or_init(|| build(&self.visible_lowered)) else {
            return present;
        };
        let shadows = self
            .visible_shadows
            .get_or_init(|| shadows_of(&self.visible_lowered));
        let squeezed = squeeze(text);
        let mut left = pending.len();
        let mark = |k: usize, present: &mut Vec<bool>, left: &mut usize| {
            for &r in &self.visible_owners[k] {
                if !present[r] {
                    present[r] = true;
                    if pending.contains(&r) {
                        *left -= 1;
                    }
                }
            }
        };
        // Non-overlapping, with the overlapping needles tested in place
        // (see the raw search in `any_may_fire`).
        for m in ac.find_iter(&squeezed) {
            let k = m.pattern().as_usize();
            mark(k, &mut present, &mut left);
            for &j in &shadows[k] {
                if overlapping_hit(&squeezed, m.start(), m.end(), &self.visible_lowered[j]) {
                    mark(j, &mut present, &mut left);
                }
            }
            if left == 0 {
                break;
            }
        }
        present
    }
}

/// One automaton for `needles` (lower case), searched ASCII
/// case-insensitively; `None` when there are none.
fn build(needles: &[Vec<u8>]) -> Option<AhoCorasick> {
    (!needles.is_empty()).then(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(needles)
            .expect("literal needles always compile")
    })
}

/// For each needle (lower case), the needles that could overlap an
/// occurrence of it.
fn shadows_of(lowered: &[Vec<u8>]) -> Vec<Vec<usize>> {
    (0..lowered.len())
        .map(|i| {
            (0..lowered.len())
                .filter(|&j| j != i && may_overlap(&lowered[i], &lowered[j]))
                .collect()
        })
        .collect()
}

/// The needles as bytes, ASCII lower case.
fn lower(needles: &[String]) -> Vec<Vec<u8>> {
    needles
        .iter()
        .map(|n| n.as_bytes().to_ascii_lowercase())
        .collect()
}

/// True when `needle` (lower case) occurs in `hay`, ASCII case ignored,
/// overlapping `start..end`.
fn overlapping_hit(hay: &[u8], start: usize, end: usize, needle: &[u8]) -> bool {
    let from = (start + 1).saturating_sub(needle.len());
    (from..end).any(|p| {
        hay.get(p..p + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// True when occurrences of `a` and `b` can overlap: one holds the other, or
/// an end of one is a start of the other.
fn may_overlap(a: &[u8], b: &[u8]) -> bool {
    let holds = |x: &[u8], y: &[u8]| y.len() <= x.len() && x.windows(y.len()).any(|w| w == y);
    holds(a, b)
        || holds(b, a)
        || (1..a.len().min(b.len()))
            .any(|k| a[a.len() - k..] == b[..k] || b[b.len() - k..] == a[..k])
}

/// The raw text squeezed so that every run of needle characters of the
/// visible text (see `rules::literals`) is a substring of it: ASCII letters
/// and digits and every non-ASCII byte are kept, other ASCII bytes (markup,
/// white space, line breaks) are dropped, and stretches that may be
/// invisible are cut out of the line and appended after a line break of
/// their own (they may be visible after all: then a run lies wholly inside
/// them, as their delimiters are visible punctuation). Those stretches are
/// link destinations and titles (`](…)`), reference labels (`][…]`),
/// footnote references (`[^…]`) and anything in `<…>` (tags, comments; an
/// autolink's text is visible but its `<` `>` are not, so a line holding an
/// autolink is also appended whole, autolinks kept). Certain fenced code is
/// left out: no visible-text rule matches code. Numeric entities are the
/// caller's business.
pub fn squeeze(text: &str) -> Vec<u8> {
    let code = raw::fenced_code_cached(text);
    let mut out = Vec::with_capacity(text.len());
    let mut from = 0;
    for r in code
        .iter()
        .chain(std::iter::once(&(text.len()..text.len())))
    {
        squeeze_into(text.as_bytes(), from..r.start, true, &mut out);
        out.push(b'\n');
        from = r.end;
    }
    out
}

fn squeeze_into(b: &[u8], range: std::ops::Range<usize>, cut_autolinks: bool, out: &mut Vec<u8>) {
    let mut asides: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    let end = range.end;
    let mut i = range.start;
    while i < end {
        let c = b[i];
        if c >= 0x80 || c.is_ascii_alphanumeric() {
            out.push(c);
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().filter(|_| i + 1 < end);
        let region = match (c, next) {
            (b']', Some(b'(')) => balanced_paren_end(b, i + 2, end).map(|e| (i + 2, e)),
            (b']', Some(b'[')) | (b'[', Some(b'^')) => {
                find_byte(b, i + 2, end, b']').map(|e| (i + 2, e))
            }
            (b'<', _) => {
                let close = if b[i..end].starts_with(b"<!--") {
                    find_sub(b, i + 4, end, b"-->")
                } else {
                    find_byte(b, i + 1, end, b'>')
                };
                close.and_then(|e| {
                    let inner = &b[i + 1..e];
                    let autolink = !inner.is_empty()
                        && !inner.iter().any(|x| x.is_ascii_whitespace())
                        && (inner.contains(&b'@') || inner.contains(&b':'));
                    if autolink && !cut_autolinks {
                        return None;
                    }
                    if autolink {
                        let ls = b[..i]
                            .iter()
                            .rposition(|&x| x == b'\n')
                            .map_or(0, |p| p + 1);
                        let le = b[e..]
                            .iter()
                            .position(|&x| x == b'\n')
                            .map_or(b.len(), |p| e + p);
                        asides.push((ls.max(range.start)..le.min(end), false));
                    }
                    Some((i + 1, e))
                })
            }
            _ => None,
        };
        match region {
            Some((s, e)) => {
                asides.push((s..e, cut_autolinks));
                i = e + 1;
            }
            None => i += 1,
        }
    }
    for (r, cut) in asides {
        out.push(b'\n');
        squeeze_into(b, r, cut, out);
    }
}

/// Offset of the `)` closing a `(` just before `from`, nesting counted, not
/// past a blank line or `end`.
fn balanced_paren_end(b: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while i < end {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\\' => i += 1,
            b'\n'
                if b[i + 1..end]
                    .iter()
                    .take_while(|x| **x == b' ' || **x == b'\t' || **x == b'\r')
                    .count()
                    + i
                    + 1
                    < end
                    && b[i + 1..end]
                        .iter()
                        .find(|x| !matches!(**x, b' ' | b'\t' | b'\r'))
                        == Some(&b'\n') =>
            {
                return None;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn find_byte(b: &[u8], from: usize, end: usize, x: u8) -> Option<usize> {
    b[from.min(end)..end]
        .iter()
        .position(|&y| y == x)
        .map(|p| from + p)
}

fn find_sub(b: &[u8], from: usize, end: usize, x: &[u8]) -> Option<usize> {
    b[from.min(end)..end]
        .windows(x.len())
        .position(|w| w == x)
        .map(|p| from + p + x.len() - 1)
}
