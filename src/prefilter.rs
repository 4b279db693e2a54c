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

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::Rule;

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
    shadows: Vec<Vec<usize>>,
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
    visible_shadows: Vec<Vec<usize>>,
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
        let (lowered, shadows) = shadows_of(&needles);
        let (visible_lowered, visible_shadows) = shadows_of(&visible);
        Prefilter {
            automaton: OnceLock::new(),
            lowered,
            shadows,
            owners,
            has_needles,
            needleless,
            follows,
            visible: OnceLock::new(),
            visible_owners,
            has_visible,
            visible_lowered,
            visible_shadows,
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
            let mut pending = (0..n)
                .filter(|&i| self.has_needles[i] && !self.follows[i])
                .count();
            for m in ac.find_iter(text) {
                let k = m.pattern().as_usize();
                let overlapping = self.shadows[k]
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
            for &j in &self.visible_shadows[k] {
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

/// The needles in lower case, and for each the needles that could overlap
/// an occurrence of it.
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

fn shadows_of(needles: &[String]) -> (Vec<Vec<u8>>, Vec<Vec<usize>>) {
    let lowered: Vec<Vec<u8>> = needles
        .iter()
        .map(|n| n.as_bytes().to_ascii_lowercase())
        .collect();
    let shadows = (0..lowered.len())
        .map(|i| {
            (0..lowered.len())
                .filter(|&j| j != i && may_overlap(&lowered[i], &lowered[j]))
                .collect()
        })
        .collect();
    (lowered, shadows)
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

/// Raw-text tests shared by the rules' [`Rule::may_fire`] hooks. Each errs
/// towards `true`.
pub(crate) mod raw {
    use std::ops::Range;

    /// Byte ranges of fenced code blocks that certainly are code: fences
    /// opened by a line indented at most three spaces (outside any quote)
    /// and running to their closing fence or the end of the text. A line
    /// like that can only open a fence or close one, whatever came before,
    /// except inside an HTML block or front matter: a text with a line that
    /// starts with `<` gets no ranges, and front matter (from a first line
    /// `---` to the next line `---`) is skipped when it holds no line that
    /// could open a fence or an HTML block (whether or not the parser takes
    /// it as front matter, no fence is open after it). Rules never edit
    /// code, so a needle found only inside these ranges counts for nothing
    /// in the hooks that use them.
    pub fn fenced_code(text: &str) -> Vec<Range<usize>> {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut at = bom;
        if text[bom..].starts_with("---") {
            let mut end = None;
            let mut pos = bom;
            for (n, line) in text[bom..].split_inclusive('\n').enumerate() {
                pos += line.len();
                let l = line.trim_end_matches(['\n', '\r']);
                let rest = l.trim_start_matches(' ');
                if l.len() - rest.len() <= 3 && rest.starts_with(['`', '~', '<']) {
                    return Vec::new();
                }
                if n > 0 && l == "---" {
                    end = Some(pos);
                    break;
                }
            }
            match end {
                Some(e) => at = e,
                None => return Vec::new(),
            }
        }
        let mut out = Vec::new();
        // (fence character, fence length, start of the opening line)
        let mut open: Option<(u8, usize, usize)> = None;
        for line in text[at..].split_inclusive('\n') {
            let start = at;
            at += line.len();
            let l = line.trim_end_matches(['\n', '\r']);
            let indent = l.len() - l.trim_start_matches(' ').len();
            let rest = &l[indent..];
            if open.is_none() && indent <= 3 && rest.starts_with('<') {
                return Vec::new();
            }
            if indent > 3 {
                continue;
            }
            let Some(c) = rest.bytes().next().filter(|c| *c == b'`' || *c == b'~') else {
                continue;
            };
            let run = rest.bytes().take_while(|b| *b == c).count();
            if run < 3 {
                continue;
            }
            match open {
                None => {
                    if c == b'`' && rest[run..].contains('`') {
                        continue;
                    }
                    open = Some((c, run, start));
                }
                Some((oc, olen, ostart)) => {
                    if c == oc && run >= olen && rest[run..].trim_matches([' ', '\t']).is_empty() {
                        out.push(ostart..at);
                        open = None;
                    }
                }
            }
        }
        if let Some((_, _, ostart)) = open {
            out.push(ostart..text.len());
        }
        out
    }

    /// Fenced code ranges, shared.
    type Fences = std::rc::Rc<Vec<Range<usize>>>;

    thread_local! {
        /// The fenced code of the text being prefiltered on this thread:
        /// several hooks ask for it; it is computed once per text.
        static FENCES: std::cell::RefCell<Option<(usize, usize, Fences)>> =
            const { std::cell::RefCell::new(None) };
        /// True while a [`FenceCache`] is alive on this thread.
        static LIVE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// While alive, [`fenced_code_cached`] of the text it was made for is
    /// computed once. Dropping it forgets the text (a later text may reuse
    /// its memory).
    pub struct FenceCache;

    impl FenceCache {
        pub fn enter(text: &str) -> FenceCache {
            FENCES.with(|f| *f.borrow_mut() = None);
            LIVE.with(|l| l.set(true));
            let _ = text;
            FenceCache
        }
    }

    impl Drop for FenceCache {
        fn drop(&mut self) {
            LIVE.with(|l| l.set(false));
            FENCES.with(|f| *f.borrow_mut() = None);
        }
    }

    /// [`fenced_code`], remembered for the text of the live [`FenceCache`].
    pub fn fenced_code_cached(text: &str) -> std::rc::Rc<Vec<Range<usize>>> {
        if !LIVE.with(|l| l.get()) {
            return std::rc::Rc::new(fenced_code(text));
        }
        let key = (text.as_ptr() as usize, text.len());
        FENCES.with(|f| {
            if let Some((p, l, v)) = &*f.borrow()
                && (*p, *l) == key
            {
                return v.clone();
            }
            let v = std::rc::Rc::new(fenced_code(text));
            *f.borrow_mut() = Some((key.0, key.1, v.clone()));
            v
        })
    }

    /// True when `at` lies in one of `ranges` (sorted, disjoint).
    pub fn inside(ranges: &[Range<usize>], at: usize) -> bool {
        let i = ranges.partition_point(|r| r.end <= at);
        ranges.get(i).is_some_and(|r| r.start <= at)
    }

    /// Calls `test` with the raw label of every `![label](` in `text` that
    /// holds no markup (no `\ [ ] * ~ & < `` ` ``, no line break, no `_`
    /// but between two ASCII letters or digits, where it cannot delimit
    /// emphasis): for such a label the raw text is the visible alt text.
    /// True as soon as `test` is, or when some image's label holds markup.
    pub fn any_plain_image_label(text: &str, test: impl Fn(&str) -> bool) -> bool {
        for (i, _) in text.match_indices("![") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(']') else {
                // No closing bracket anywhere: no image after this one.
                return false;
            };
            let label = &rest[..end];
            if label.contains(['\\', '[', '*', '~', '&', '<', '`', '\n', '\r'])
                || has_markup_underscore(label)
                || test(label)
            {
                return true;
            }
        }
        false
    }

    /// True when some `_` of `s` is not between two ASCII letters or digits.
    fn has_markup_underscore(s: &str) -> bool {
        let b = s.as_bytes();
        s.match_indices('_').any(|(i, _)| {
            !(i > 0
                && b[i - 1].is_ascii_alphanumeric()
                && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
        })
    }

    /// True when `text` holds a line (the last one included) made only of
    /// spaces and tabs, at least one.
    pub fn has_whitespace_line(text: &str) -> bool {
        let bytes = text.as_bytes();
        // A line that starts with a space or a tab (the first line, or one
        // after a line break) is the only kind that can be one.
        let mut starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        starts.any(|start| {
            if !matches!(bytes.get(start), Some(b' ' | b'\t')) {
                return false;
            }
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let line = &bytes[start..end];
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            body.iter().all(|&b| b == b' ' || b == b'\t')
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
        memchr::memchr_iter(b'\n', text.as_bytes()).any(|i| {
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

    /// True when `text` may hold emphasis debris (see `repair-emphasis`):
    ///
    /// - emphasis around nothing, around images or links only, or bold
    ///   around emphasis: some `*`/`_` run that may open emphasis is three
    ///   long or more, or is followed by `!`, `[`, `<`, `&`, `\`, `*`, `_` or
    ///   white space other than a space, tab or line break. A run followed by
    ///   a plain character opens emphasis whose first child is visible text.
    /// - unpaired `*` runs: on every line (outside fenced code) that holds a
    ///   `*`, the runs must all be `**`, pair up left to right, and each pair
    ///   must hold a plain text (no `* _ [ ] `` ` `` \ < &`) whose first
    ///   and last characters make the pair left- and right-flanking (a
    ///   letter or digit; or any visible character with white space,
    ///   punctuation or the line's end on the outer side): then each pair
    ///   can open and close, and the parser pairs them the same way. A
    ///   list bullet `* ` first on the line is no run. Any other line
    ///   answers true.
    pub fn may_have_emphasis_debris(text: &str) -> bool {
        let code = fenced_code_cached(text);
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            if !line.contains(['*', '_']) || inside(&code, start) {
                continue;
            }
            if emphasis_line_may_fire(line.trim_end_matches(['\n', '\r'])) {
                return true;
            }
        }
        false
    }

    fn emphasis_line_may_fire(line: &str) -> bool {
        let danger = |c: char| "![<&\\*_".contains(c) || (c.is_whitespace() && !" \t".contains(c));
        // Maximal runs of one delimiter character: (start, end, char).
        let mut runs: Vec<(usize, usize, char)> = Vec::new();
        for (i, c) in line.char_indices() {
            if c != '*' && c != '_' {
                continue;
            }
            match runs.last_mut() {
                Some((_, end, rc)) if *end == i && *rc == c => *end = i + 1,
                _ => runs.push((i, i + 1, c)),
            }
        }
        for &(s, e, _) in &runs {
            let prev = line[..s].chars().next_back();
            let next = line[e..].chars().next();
            // Cannot open: after a letter or digit and before white space,
            // punctuation or the end of the line.
            let cannot_open = prev.is_some_and(char::is_alphanumeric)
                && next.is_none_or(|c| c.is_ascii_punctuation() || c == ' ' || c == '\t');
            if cannot_open {
                continue;
            }
            if e - s >= 3 || next.is_some_and(danger) {
                return true;
            }
        }
        // A bullet: one `*` first on the line (after quote markers and
        // spaces) and before a space or tab is a list marker, not emphasis.
        let lead = line.len() - line.trim_start_matches(['>', ' ']).len();
        let bullet =
            |s: usize, e: usize| s == lead && e == s + 1 && line[e..].starts_with([' ', '\t']);
        let stars: Vec<(usize, usize)> = runs
            .iter()
            .filter(|r| r.2 == '*' && !bullet(r.0, r.1))
            .map(|r| (r.0, r.1))
            .collect();
        if stars.is_empty() {
            return false;
        }
        if stars.len() % 2 == 1
            || stars.iter().any(|(s, e)| e - s != 2)
            || line.contains(['`', '\\', '<'])
        {
            return true;
        }
        // Space, tab, the line's end or ASCII punctuation: white space or
        // punctuation in CommonMark's sense, whatever the Unicode tables.
        let plain_side =
            |c: Option<char>| c.is_none_or(|c| c == ' ' || c == '\t' || c.is_ascii_punctuation());
        stars.chunks(2).any(|pair| {
            let inner = &line[pair[0].1..pair[1].0];
            let first = inner.chars().next();
            let last = inner.chars().next_back();
            let before = line[..pair[0].0].chars().next_back();
            let after = line[pair[1].1..].chars().next();
            // Left-flanking: not before white space, and before a letter or
            // digit or after white space or punctuation.
            let opens = first
                .is_some_and(|c| c.is_alphanumeric() || (!c.is_whitespace() && plain_side(before)));
            // Right-flanking, the mirror image.
            let closes = last
                .is_some_and(|c| c.is_alphanumeric() || (!c.is_whitespace() && plain_side(after)));
            inner.contains(['*', '_', '[', ']', '`', '\\', '<', '&']) || !opens || !closes
        })
    }
}
