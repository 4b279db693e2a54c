//! Byte-range edits on a source text, and how a set of them is applied.
//!
//! Rules produce [`Fix`]es: one or more [`Edit`]s that apply together or not
//! at all, with a safety [`Tier`]. The engine resolves conflicts (the fix
//! whose first edit contains the other's wins, the other waits for the next
//! pass), drops fixes that would touch code or split a character, and splices
//! the rest into a new text in one pass.

use std::ops::Range;
use std::sync::Arc;

use crate::document::overlaps;

/// Replace `range` of the source with `replacement`. Carries the id of the
/// rule that asked for it, what that rule may take out of the article, and
/// the fix it belongs to: an edit the content model narrows or cuts into
/// parts stays in its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
    pub rule: Arc<str>,
    pub reach: Reach,
    /// The fix this edit is part of.
    pub fix: FixId,
    /// The safety tier of its fix.
    pub tier: Tier,
}

/// Tells the fixes of one pass apart: the edits that share one apply
/// together or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FixId(pub u32);

/// How sure a fix is: whether a run applies it by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Tier {
    /// Takes out only what is junk by construction: applied by default.
    #[default]
    Safe,
    /// May change what a reader sees beyond junk: shown, and applied only
    /// when the run asks for review-tier fixes.
    Review,
}

/// Edits that apply together or not at all, with their safety tier: what a
/// rule hands to [`EditSink::fix`] when one change takes several edits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fix {
    /// `(range, replacement)` pairs in the source; they must not overlap.
    pub edits: Vec<(Range<usize>, String)>,
    pub tier: Tier,
}

impl Fix {
    /// A safe fix of one edit.
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Fix {
        Fix {
            edits: vec![(range, replacement.into())],
            tier: Tier::Safe,
        }
    }

    /// This fix at another tier.
    pub fn with_tier(mut self, tier: Tier) -> Fix {
        self.tier = tier;
        self
    }
}

/// What a rule's edits may take out of a document: the content model
/// ([`crate::content`]) asks it before it lets a removal through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reach {
    /// Markup, URLs and whitespace only: never the article's text. Not
    /// checked by the content model.
    #[default]
    Markup,
    /// Whole short blocks or lines whose own text matched a phrase. Never a
    /// heading (unless `headings`), the title, a table, a protected line
    /// (unless `protected`: an opt-in rule made for such lines, as bylines
    /// are for `credits`), an image (unless `glued_images`, for an image that
    /// shares a matched line with its text: a call to action's own GIF), or
    /// a list item whose siblings stay.
    Blocks {
        headings: bool,
        protected: bool,
        glued_images: bool,
    },
    /// A run of blocks from a header to the end (recommended-article tails,
    /// page UI). As [`Reach::Blocks`], but it may take images, and the
    /// heading that is its own header (any heading but the title, with
    /// `headings`: page UI scraped after an article has headings of its own).
    Zone { headings: bool },
    /// Images, by their URL or alt text: the rules about images.
    Images,
}

/// Where a rule puts its edits; stamps each with the rule's id, reach and
/// tier.
pub struct EditSink<'a> {
    rule: &'a Arc<str>,
    reach: Reach,
    /// The tier of the rule's one-edit fixes (a rule's `tier` setting).
    tier: Tier,
    edits: &'a mut Vec<Edit>,
}

impl<'a> EditSink<'a> {
    /// A sink for a rule whose edits touch markup only ([`Reach::Markup`]).
    pub fn new(rule: &'a Arc<str>, edits: &'a mut Vec<Edit>) -> Self {
        Self::with_reach(rule, Reach::Markup, edits)
    }

    pub fn with_reach(rule: &'a Arc<str>, reach: Reach, edits: &'a mut Vec<Edit>) -> Self {
        EditSink {
            rule,
            reach,
            tier: Tier::Safe,
            edits,
        }
    }

    /// This sink, stamping one-edit fixes with `tier`, and fixes of a rule
    /// at `Review` as `Review` whatever they say.
    pub fn at_tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }

    /// Replace `range` with `replacement`: a safe fix of one edit.
    pub fn replace(&mut self, range: Range<usize>, replacement: impl Into<String>) {
        let fix = self.next_fix();
        self.edits.push(Edit {
            range,
            replacement: replacement.into(),
            rule: Arc::clone(self.rule),
            reach: self.reach,
            fix,
            tier: self.tier,
        });
    }

    /// Adds the edits of `fix`, to be applied together or not at all.
    pub fn fix(&mut self, fix: Fix) {
        let reach = self.reach;
        self.fix_parts(fix.edits.into_iter().map(|(r, s)| (r, s, reach)), fix.tier);
    }

    /// Adds one fix whose edits have reaches of their own (a junk line and
    /// the images that go with it), to be applied together or not at all.
    pub fn fix_parts(
        &mut self,
        parts: impl IntoIterator<Item = (Range<usize>, String, Reach)>,
        tier: Tier,
    ) {
        let id = self.next_fix();
        for (range, replacement, reach) in parts {
            self.edits.push(Edit {
                range,
                replacement,
                rule: Arc::clone(self.rule),
                reach,
                fix: id,
                tier: tier.max(self.tier),
            });
        }
    }

    /// Adds the edits of `fix` under another reach than the rule's own (a
    /// text rule's removal of an image beside its junk, judged as an image
    /// rule's by the content model).
    pub fn fix_reaching(&mut self, reach: Reach, fix: Fix) {
        let own = std::mem::replace(&mut self.reach, reach);
        self.fix(fix);
        self.reach = own;
    }

    /// A fix id no edit of the pass has: the place its first edit takes
    /// (edits are only added while rules run).
    fn next_fix(&self) -> FixId {
        FixId(self.edits.len() as u32)
    }

    /// Delete `range`.
    pub fn delete(&mut self, range: Range<usize>) {
        self.replace(range, String::new());
    }

    /// Insert `text` at `at`.
    pub fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.replace(at..at, text);
    }
}

/// Adds to `edits` the edits of a second sink, `more`, their fix ids moved
/// up by `base` (past every id of `edits`), so fixes stay apart.
pub fn append_fixes(edits: &mut Vec<Edit>, more: Vec<Edit>, base: u32) {
    debug_assert!(
        edits.iter().all(|e| e.fix.0 < base),
        "fix ids must stay apart"
    );
    edits.extend(more.into_iter().map(|mut e| {
        e.fix.0 += base;
        e
    }));
}

/// An edit that was applied, described against the text it was applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: Arc<str>,
    /// Range in the text of the pass that applied it.
    pub range: Range<usize>,
    pub removed: String,
    pub replacement: String,
}

/// Picks the fixes that can be applied together, whole: no overlap, no code
/// touched, on char boundaries. A fix with an edit that is out of range, not
/// on char boundaries or touching `protected` is dropped; an edit that
/// changes nothing is dropped alone. Of two overlapping edits the one that
/// starts first wins (its fix is decided first), and of two starting
/// together the longer one (so a containing edit beats what it contains);
/// a fix with an edit that loses is dropped whole. Returns the edits taken,
/// sorted by position.
pub fn resolve(text: &str, edits: Vec<Edit>, protected: &[Range<usize>]) -> Vec<Edit> {
    resolve_counting(text, edits, protected).0
}

/// [`resolve`], also counting the fixes that lost a clash with another (as
/// opposed to those dropped as invalid, protected or no-ops): a loser is asked
/// for again in the next pass.
pub(crate) fn resolve_counting(
    text: &str,
    mut edits: Vec<Edit>,
    protected: &[Range<usize>],
) -> (Vec<Edit>, usize) {
    let valid = |e: &Edit| {
        e.range.start <= e.range.end
            && e.range.end <= text.len()
            && text.is_char_boundary(e.range.start)
            && text.is_char_boundary(e.range.end)
            && !protected
                .iter()
                .any(|p| overlaps(p, &e.range) || contains(&e.range, p))
    };
    let mut invalid: Vec<FixId> = edits.iter().filter(|e| !valid(e)).map(|e| e.fix).collect();
    invalid.sort_unstable();
    edits.retain(|e| {
        invalid.binary_search(&e.fix).is_err() && text[e.range.clone()] != *e.replacement
    });
    edits.sort_by_key(order);
    // The edits of each fix, in the order above: most fixes have one.
    let mut members: Vec<(FixId, usize)> =
        edits.iter().enumerate().map(|(i, e)| (e.fix, i)).collect();
    members.sort_unstable();
    let mut decided = vec![false; edits.len()];
    let mut edits: Vec<Option<Edit>> = edits.into_iter().map(Some).collect();
    let mut taken: Vec<Edit> = Vec::with_capacity(edits.len());
    let mut fix: Vec<Edit> = Vec::new();
    let mut lost = 0;
    for i in 0..edits.len() {
        if decided[i] {
            continue;
        }
        let Some(id) = edits[i].as_ref().map(|e| e.fix) else {
            continue;
        };
        let from = members.partition_point(|m| m.0 < id);
        let to = members.partition_point(|m| m.0 <= id);
        fix.clear();
        let (mut clashed, mut broken) = (false, false);
        for &(_, j) in &members[from..to] {
            decided[j] = true;
            let Some(mut e) = edits[j].take() else {
                continue;
            };
            // Edits of one fix that overlap make no sense together.
            if let Some(f) = fix.iter().find(|f| clashes(f, &e)) {
                if !moot(&e, f) {
                    broken = true;
                }
                continue;
            }
            // A deletion that starts inside a taken deletion and reaches
            // past it (two rules taking adjacent lines of one paragraph,
            // each with the break between) deletes only the rest: the
            // union is what both asked for, in this pass.
            let mut clashing = clash(&taken, &e);
            if let Some(t) = clashing.filter(|t| overhangs(&e, t)) {
                e.range.start = t.range.end;
                clashing = clash(&taken, &e);
            }
            match clashing {
                // The same edit asked twice, or an edit of text that a taken
                // edit deletes: nothing is left for it to do in a later pass.
                Some(t) if moot(&e, t) => {}
                Some(_) => clashed = true,
                None => fix.push(e),
            }
        }
        if broken {
            continue;
        }
        if clashed {
            lost += 1;
            continue;
        }
        for e in fix.drain(..) {
            let at = taken.partition_point(|t| order(t) <= order(&e));
            taken.insert(at, e);
        }
    }
    (taken, lost)
}

/// Where an edit sorts: by start, an insertion before a removal at the same
/// point (after it, it would split the removal), and of two removals the
/// longer first.
fn order(e: &Edit) -> (usize, bool, std::cmp::Reverse<usize>) {
    (
        e.range.start,
        !e.range.is_empty(),
        std::cmp::Reverse(e.range.end),
    )
}

/// The edit of `taken` (sorted, not overlapping) that `e` clashes with, if
/// any: the last to start of those it overlaps.
fn clash<'t>(taken: &'t [Edit], e: &Edit) -> Option<&'t Edit> {
    // Only taken edits that start at or before `e`'s end and end at or after
    // its start can clash with it: taken edits never overlap each other, so
    // the walk back stops at the first that ends before `e` starts.
    let upto = taken.partition_point(|t| t.range.start <= e.range.end);
    taken[..upto]
        .iter()
        .rev()
        .take_while(|t| t.range.end >= e.range.start)
        .find(|t| clashes(t, e))
}

fn clashes(t: &Edit, e: &Edit) -> bool {
    overlaps(&t.range, &e.range)
        || (t.range.is_empty() && e.range.is_empty() && t.range.start == e.range.start)
}

/// True when deletion `e` starts inside deletion `t` (not at its start) and
/// ends past it: applied after `t`, only its part past `t` is left to do.
fn overhangs(e: &Edit, t: &Edit) -> bool {
    e.replacement.is_empty()
        && t.replacement.is_empty()
        && t.range.start < e.range.start
        && e.range.start < t.range.end
        && t.range.end < e.range.end
}

/// True when `loser` has nothing left to do once `winner` is applied: it is
/// the same edit, or it lies inside a deletion (an insertion strictly inside).
fn moot(loser: &Edit, winner: &Edit) -> bool {
    let (l, w) = (&loser.range, &winner.range);
    (l == w && loser.replacement == winner.replacement)
        || (winner.replacement.is_empty()
            && w.start <= l.start
            && l.end <= w.end
            && (!l.is_empty() || (w.start < l.start && l.start < w.end)))
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    !inner.is_empty() && outer.start <= inner.start && inner.end <= outer.end
}

/// Splices sorted, non-overlapping edits into `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let grow: usize = edits.iter().map(|e| e.replacement.len()).sum();
    let mut out = String::with_capacity(text.len() + grow);
    splice_into(
        &mut out,
        text,
        0..text.len(),
        edits.iter().map(|e| (&e.range, &*e.replacement)),
    );
    out
}

/// `text[within]` with sorted, non-overlapping `(range, replacement)` pairs
/// (inside `within`) spliced in: [`apply`] for a part of a text.
pub fn splice<'a>(
    text: &str,
    within: Range<usize>,
    edits: impl IntoIterator<Item = (&'a Range<usize>, &'a str)>,
) -> String {
    let mut out = String::new();
    splice_into(&mut out, text, within, edits);
    out
}

fn splice_into<'a>(
    out: &mut String,
    text: &str,
    within: Range<usize>,
    edits: impl IntoIterator<Item = (&'a Range<usize>, &'a str)>,
) {
    let mut at = within.start;
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&text[at..within.end]);
}

/// One edit of the original text: what a clean's passes add up to in one
/// place. A clean's changes are sorted, never overlap nor touch (some
/// unchanged text lies between two of them), and spliced into the original
/// text they give the cleaned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// Where the range starts and ends, as lines and columns ([`TextPos`]).
    pub start: TextPos,
    pub end: TextPos,
    /// The original text of `range`.
    pub removed: String,
    pub replacement: String,
    /// The rules whose edits make up this change, in order of first edit.
    pub rules: Vec<Arc<str>>,
}

/// A place in a text as a line and a column: the line 1-based, lines ending
/// at `\n` (so `\r\n` too); the column 1-based, in Unicode code points, not
/// counting a byte order mark at the start of the text. The end of a text
/// that ends with a line break is one column past that break on the last
/// line (as SARIF places it), not a line of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPos {
    pub line: usize,
    pub column: usize,
}

/// The edits of a clean's passes (each pass's edits sorted, not overlapping,
/// ranges in the text that pass started from) composed into one set of
/// [`Change`]s of `input`.
pub fn compose(input: &str, passes: &[Vec<Edit>]) -> Vec<Change> {
    // Invariant: `changes` spliced into `input` give `current`.
    let mut changes: Vec<(Range<usize>, String, Vec<Arc<str>>)> = Vec::new();
    let mut current = input.to_string();
    for pass in passes.iter().filter(|p| !p.is_empty()) {
        changes = compose_pass(&current, changes, pass);
        current = apply(&current, pass);
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', input.as_bytes()).map(|i| i + 1))
        .collect();
    // The changes are sorted and apart, so their starts and ends come in
    // order: one sweep counts the columns (counting from each line's start
    // for every change is quadratic on a long line with many changes).
    let mut pos = PosSweep::new(input, &line_starts);
    changes
        .into_iter()
        .map(|(range, replacement, rules)| Change {
            start: pos.at(range.start),
            end: pos.at(range.end),
            removed: input[range.clone()].to_string(),
            range,
            replacement,
            rules,
        })
        .collect()
}

/// [`text_pos`] for offsets asked in order: the characters between one and
/// the next are counted once.
struct PosSweep<'a> {
    text: &'a str,
    line_starts: &'a [usize],
    /// The last offset asked, and its line and column as counted from the
    /// line's start (before [`text_pos`]'s adjustments).
    from: usize,
    line: usize,
    column: usize,
}

impl<'a> PosSweep<'a> {
    fn new(text: &'a str, line_starts: &'a [usize]) -> PosSweep<'a> {
        PosSweep {
            text,
            line_starts,
            from: 0,
            line: 1,
            column: 1,
        }
    }

    fn at(&mut self, at: usize) -> TextPos {
        let line = self.line_starts.partition_point(|&s| s <= at);
        if line != self.line || at < self.from {
            (self.line, self.from, self.column) = (line, self.line_starts[line - 1], 1);
        }
        self.column += self.text[self.from..at].chars().count();
        self.from = at;
        let mut column = self.column;
        if at == self.text.len() && at > 0 && self.text.ends_with('\n') {
            // One column past the last line break, on the last line.
            return text_pos(self.text, self.line_starts, at);
        }
        if self.line_starts[line - 1] == 0 && self.text.starts_with('\u{feff}') && at > 0 {
            column -= 1;
        }
        TextPos { line, column }
    }
}

/// `text` with sorted, apart `changes` spliced in: the cleaned text, for
/// the changes of a clean.
pub fn apply_changes(text: &str, changes: &[Change]) -> String {
    let mut out = String::with_capacity(text.len());
    splice_into(
        &mut out,
        text,
        0..text.len(),
        changes.iter().map(|c| (&c.range, &*c.replacement)),
    );
    out
}

/// The line and column of byte `at` of `text` (see [`TextPos`]);
/// `line_starts` are the offsets just after each `\n`, and 0.
pub fn text_pos(text: &str, line_starts: &[usize], at: usize) -> TextPos {
    let mut line = line_starts.partition_point(|&s| s <= at);
    if at == text.len() && at > 0 && text.ends_with('\n') {
        line -= 1;
    }
    let from = line_starts[line - 1];
    let mut column = text[from..at].chars().count() + 1;
    if from == 0 && text.starts_with('\u{feff}') && at > 0 {
        column -= 1;
    }
    TextPos { line, column }
}

/// `changes` of some original text (which give `current`) followed by the
/// sorted, non-overlapping `edits` of `current`: the changes of the original
/// text that give `current` with `edits` applied. Changes and edits that
/// overlap or touch in `current` become one change.
fn compose_pass(
    current: &str,
    changes: Vec<(Range<usize>, String, Vec<Arc<str>>)>,
    edits: &[Edit],
) -> Vec<(Range<usize>, String, Vec<Arc<str>>)> {
    let mut out = Vec::with_capacity(changes.len() + edits.len());
    // Each change's span in `current`, and the length difference of the
    // changes before it.
    let mut spans = Vec::with_capacity(changes.len());
    let mut delta: isize = 0;
    for (range, replacement, _) in &changes {
        let start = (range.start as isize + delta) as usize;
        spans.push((start..start + replacement.len(), delta));
        delta += replacement.len() as isize - range.len() as isize;
    }
    let mut changes = changes.into_iter().map(Some).collect::<Vec<_>>();
    let (mut c, mut e) = (0, 0);
    while c < changes.len() || e < edits.len() {
        // The next group starts with whichever starts first in `current`.
        let take_change =
            e == edits.len() || (c < changes.len() && spans[c].0.start <= edits[e].range.start);
        if take_change && !touches_edit(&spans[c].0, edits.get(e)) {
            // A change no edit of this pass touches stays as it is.
            if let Some(ch) = changes[c].take() {
                out.push(ch);
            }
            c += 1;
            continue;
        }
        // A group: changes and edits that overlap or touch, transitively.
        let delta_before = if take_change {
            spans[c].1
        } else {
            spans.get(c).map_or(delta, |s| s.1)
        };
        let start = if take_change {
            spans[c].0.start
        } else {
            edits[e].range.start
        };
        let mut end = start;
        let mut rules: Vec<Arc<str>> = Vec::new();
        let mut delta_after = delta_before;
        let (e0, mut first) = (e, true);
        loop {
            let change_next = c < changes.len()
                && (first || spans[c].0.start <= end)
                && (e == edits.len() || spans[c].0.start <= edits[e].range.start);
            if change_next {
                let (range, replacement, r) = changes[c].take().unwrap_or_default();
                end = end.max(spans[c].0.end);
                delta_after += replacement.len() as isize - range.len() as isize;
                for id in r {
                    if !rules.contains(&id) {
                        rules.push(id);
                    }
                }
                c += 1;
            } else if e < edits.len() && (first || edits[e].range.start <= end) {
                end = end.max(edits[e].range.end);
                if !rules.contains(&edits[e].rule) {
                    rules.push(Arc::clone(&edits[e].rule));
                }
                e += 1;
            } else {
                break;
            }
            first = false;
        }
        let replacement = splice(
            current,
            start..end,
            edits[e0..e].iter().map(|x| (&x.range, &*x.replacement)),
        );
        let from = (start as isize - delta_before) as usize;
        let to = (end as isize - delta_after) as usize;
        out.push((from..to, replacement, rules));
    }
    out
}

/// True when `edit` overlaps or touches `span` (both in the same text).
fn touches_edit(span: &Range<usize>, edit: Option<&Edit>) -> bool {
    edit.is_some_and(|e| e.range.start <= span.end && span.start <= e.range.end)
}

/// Offsets mapped through one set of applied edits (sorted by start, apart)
/// in O(log n) each, where [`map_forward`] and [`map_back`] walk the edits:
/// mapping every edit of a pass through the ones before it is then
/// O(n log n) instead of quadratic (a 30 MB line holds 400,000 edits).
pub struct OffsetMap<'a> {
    edits: &'a [Edit],
    /// Growth of the text through `edits[..i]`, for i in 0..=n.
    shift: Vec<isize>,
    /// Where each edit's replacement starts in the text after the edits.
    new_start: Vec<usize>,
    /// Indices of the edits that replace some text (non-empty range), and
    /// of those that put some text in (non-empty replacement).
    spanning: Vec<u32>,
    growing: Vec<u32>,
}

impl<'a> OffsetMap<'a> {
    pub fn new(edits: &'a [Edit]) -> OffsetMap<'a> {
        let mut shift = Vec::with_capacity(edits.len() + 1);
        let mut new_start = Vec::with_capacity(edits.len());
        let (mut spanning, mut growing) = (Vec::new(), Vec::new());
        let mut delta: isize = 0;
        for (i, e) in edits.iter().enumerate() {
            shift.push(delta);
            new_start.push((e.range.start as isize + delta) as usize);
            if !e.range.is_empty() {
                spanning.push(i as u32);
            }
            if !e.replacement.is_empty() {
                growing.push(i as u32);
            }
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        shift.push(delta);
        OffsetMap {
            edits,
            shift,
            new_start,
            spanning,
            growing,
        }
    }

    /// [`map_forward`].
    pub fn forward(&self, offset: usize) -> usize {
        let k = self.edits.partition_point(|e| e.range.start <= offset);
        // Only one edit that replaces text can hold `offset`: the last to
        // start at or before it.
        let m = self.spanning.partition_point(|&i| (i as usize) < k);
        if let Some(&j) = m.checked_sub(1).and_then(|m| self.spanning.get(m)) {
            let j = j as usize;
            if offset < self.edits[j].range.end {
                return self.new_start[j];
            }
        }
        (offset as isize + self.shift[k]) as usize
    }

    /// [`map_back`].
    pub fn back(&self, offset: usize) -> usize {
        let k = self.new_start.partition_point(|&s| s <= offset);
        if let Some(j) = self.last_growing_before(k)
            && offset < self.new_start[j] + self.edits[j].replacement.len()
        {
            return self.edits[j].range.start;
        }
        (offset as isize - self.shift[k]).max(0) as usize
    }

    /// Like [`OffsetMap::back`] for the end of a span: an offset inside a
    /// replacement (or at its end) maps to the end of the range it replaced.
    pub fn back_end(&self, offset: usize) -> usize {
        let k = self.new_start.partition_point(|&s| s < offset);
        if let Some(j) = self.last_growing_before(k)
            && offset <= self.new_start[j] + self.edits[j].replacement.len()
        {
            return self.edits[j].range.end;
        }
        (offset as isize - self.shift[k]).max(0) as usize
    }

    fn last_growing_before(&self, k: usize) -> Option<usize> {
        let m = self.growing.partition_point(|&i| (i as usize) < k);
        m.checked_sub(1).map(|m| self.growing[m] as usize)
    }
}

/// Maps a byte offset in the text after `edits` back to the text before them.
/// An offset inside a replacement maps to the start of the replaced range.
pub fn map_back(offset: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        let new_start = (e.range.start as isize + delta) as usize;
        let new_end = new_start + e.replacement.len();
        if offset < new_start {
            break;
        }
        if offset < new_end {
            return e.range.start;
        }
        delta += e.replacement.len() as isize - e.range.len() as isize;
    }
    (offset as isize - delta).max(0) as usize
}

/// Maps a byte offset in the text before `edits` to the text after them.
pub fn map_forward(offset: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        if offset < e.range.start {
            break;
        }
        if offset < e.range.end {
            return (e.range.start as isize + delta) as usize;
        }
        delta += e.replacement.len() as isize - e.range.len() as isize;
    }
    (offset as isize + delta) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    /// A fix of one edit.
    fn edit(r: Range<usize>, s: &str) -> Edit {
        Edit {
            range: r,
            replacement: s.to_string(),
            rule: Arc::from("t"),
            reach: Reach::Markup,
            fix: FixId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
            tier: Tier::Safe,
        }
    }

    fn plain(edits: &[Edit]) -> Vec<(Range<usize>, &str)> {
        edits
            .iter()
            .map(|e| (e.range.clone(), &*e.replacement))
            .collect()
    }

    /// One fix of several edits.
    fn fix(parts: &[(Range<usize>, &str)]) -> Vec<Edit> {
        let id = FixId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        parts
            .iter()
            .map(|(r, s)| Edit {
                fix: id,
                ..edit(r.clone(), s)
            })
            .collect()
    }

    #[test]
    fn a_fix_applies_whole_or_not_at_all() {
        let text = "0123456789";
        // Its second edit loses to a fix decided before it (one that starts
        // first): the whole fix waits for the next pass.
        let mut edits = fix(&[(0..1, "g"), (6..8, "h")]);
        edits.extend(fix(&[(1..2, "a"), (7..9, "b")]));
        let (got, lost) = resolve_counting(text, edits, &[]);
        assert_eq!((plain(&got), lost), (vec![(0..1, "g"), (6..8, "h")], 1));
        // Decided at its first edit, it takes its later edits' places before
        // edits that start between them.
        let mut edits = fix(&[(1..2, "a"), (6..8, "b")]);
        edits.push(edit(7..9, ""));
        edits.push(edit(3..4, "c"));
        let (got, lost) = resolve_counting(text, edits, &[]);
        assert_eq!(
            (plain(&got), lost),
            (vec![(1..2, "a"), (3..4, "c"), (6..8, "b")], 1)
        );
        assert_eq!(apply(text, &got), "0a2c45b89");
        // An edit on code takes its fix with it; a no-op goes alone.
        let edits = fix(&[(1..2, "a"), (6..8, "")]);
        assert!(resolve(text, edits, &[Range { start: 7, end: 8 }]).is_empty());
        let edits = fix(&[(1..2, "1"), (6..8, "")]);
        assert_eq!(plain(&resolve(text, edits, &[])), [(6..8, "")]);
        // An insertion and a removal at one point, in one fix.
        let edits = fix(&[(4..6, ""), (4..4, "X")]);
        assert_eq!(apply(text, &resolve(text, edits, &[])), "0123X6789");
    }

    #[test]
    fn containing_edit_wins() {
        let text = "0123456789";
        let got = resolve(text, vec![edit(4..6, "x"), edit(2..8, "")], &[]);
        assert_eq!(plain(&got), [(2..8, "")]);
        assert_eq!(apply(text, &got), "0189");
    }

    #[test]
    fn first_of_partial_overlap_wins_and_disjoint_edits_combine() {
        let text = "0123456789";
        let got = resolve(
            text,
            vec![edit(5..9, ""), edit(3..6, "ab"), edit(0..1, "")],
            &[],
        );
        assert_eq!(plain(&got), [(0..1, ""), (3..6, "ab")]);
        assert_eq!(apply(text, &got), "12ab6789");
    }

    #[test]
    fn insertion_at_edge_of_removal_is_kept() {
        let text = "abcdef";
        let got = resolve(
            text,
            vec![edit(2..4, ""), edit(2..2, "X"), edit(4..4, "Y")],
            &[],
        );
        assert_eq!(apply(text, &got), "abXYef");
    }

    #[test]
    fn protected_and_split_char_edits_are_dropped() {
        let text = "a中b";
        let got = resolve(
            text,
            vec![edit(1..2, ""), edit(0..1, "")],
            &[Range { start: 0, end: 1 }],
        );
        assert!(got.is_empty());
        let got = resolve(text, vec![edit(0..5, "")], &[Range { start: 2, end: 3 }]);
        assert!(got.is_empty());
    }

    #[test]
    fn moot_losers_do_not_count_as_lost() {
        let text = "0123456789";
        // Inside a deletion, or the same edit twice: nothing left to do.
        let (got, lost) = resolve_counting(
            text,
            vec![
                edit(2..8, ""),
                edit(4..5, "x"),
                edit(6..6, "y"),
                edit(2..8, ""),
            ],
            &[],
        );
        assert_eq!((plain(&got), lost), (vec![(2..8, "")], 0));
        // Inside a replacement, or a replacement overlapping a deletion:
        // the loser waits for the next pass.
        for (winner, loser) in [
            (edit(2..8, "z"), edit(4..5, "x")),
            (edit(2..8, ""), edit(7..9, "w")),
        ] {
            let (_, lost) = resolve_counting(text, vec![winner, loser.clone()], &[]);
            assert_eq!(lost, 1, "{loser:?}");
        }
    }

    #[test]
    fn a_deletion_that_overhangs_a_deletion_takes_the_rest() {
        // Two rules deleting adjacent lines of one paragraph, each with the
        // break between: the union goes in one pass.
        let text = "0123456789";
        let (got, lost) = resolve_counting(text, vec![edit(2..8, ""), edit(7..9, "")], &[]);
        assert_eq!((plain(&got), lost), (vec![(2..8, ""), (8..9, "")], 0));
        assert_eq!(apply(text, &got), "019");
        // One that starts with the taken one is no overhang: the longer wins
        // and the shorter is moot.
        let (got, lost) = resolve_counting(text, vec![edit(2..5, ""), edit(2..8, "")], &[]);
        assert_eq!((plain(&got), lost), (vec![(2..8, "")], 0));
    }

    #[test]
    fn noop_edits_are_dropped() {
        assert!(resolve("abc", vec![edit(0..1, "a")], &[]).is_empty());
    }

    #[test]
    fn positions_in_one_sweep_agree_with_text_pos() {
        for text in ["", "ab\ncd", "\u{feff}一二\n三\n\n四五六\n", "x\r\ny\n"] {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let mut sweep = PosSweep::new(text, &starts);
            for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                assert_eq!(sweep.at(at), text_pos(text, &starts, at), "{text:?} {at}");
                assert_eq!(
                    sweep.at(at),
                    text_pos(text, &starts, at),
                    "{text:?} {at} again"
                );
            }
        }
    }

    #[test]
    fn offset_maps_agree_with_the_walks() {
        // Deletions, insertions (also beside deletions) and replacements.
        let edits = vec![
            edit(2..2, "ab"),
            edit(2..5, ""),
            edit(7..9, "xyz"),
            edit(9..9, "q"),
            edit(12..15, ""),
            edit(15..16, "w"),
            edit(20..20, ""),
        ];
        let map = OffsetMap::new(&edits);
        for o in 0..30 {
            assert_eq!(map.forward(o), map_forward(o, &edits), "forward {o}");
            assert_eq!(map.back(o), map_back(o, &edits), "back {o}");
            assert_eq!(
                map.back_end(o),
                crate::engine::map_back_end_walk(o, &edits),
                "back_end {o}"
            );
        }
    }

    #[test]
    fn offsets_map_both_ways() {
        let text = "0123456789";
        let edits = vec![edit(2..4, ""), edit(6..6, "XYZ")];
        let out = apply(text, &edits);
        assert_eq!(out, "0145XYZ6789");
        assert_eq!(map_forward(7, &edits), 8);
        assert_eq!(map_back(8, &edits), 7);
        assert_eq!(map_back(5, &edits), 6);
        assert_eq!(map_back(1, &edits), 1);
        assert_eq!(map_forward(3, &edits), 2);
    }

    fn ruled(r: Range<usize>, s: &str, rule: &str) -> Edit {
        Edit {
            rule: Arc::from(rule),
            ..edit(r, s)
        }
    }

    /// Checks the composed changes: sorted, apart, giving the last text.
    fn composed(text: &str, passes: &[Vec<Edit>]) -> Vec<Change> {
        let changes = compose(text, passes);
        let mut last = text.to_string();
        for p in passes {
            last = apply(&last, p);
        }
        assert_eq!(apply_changes(text, &changes), last);
        for w in changes.windows(2) {
            assert!(w[0].range.end < w[1].range.start, "{changes:?}");
        }
        for c in &changes {
            assert_eq!(c.removed, text[c.range.clone()]);
        }
        changes
    }

    #[test]
    fn passes_compose_into_changes_of_the_original() {
        let text = "0123456789abcdef";
        // Pass 2 edits text pass 1 inserted, text beside a pass-1 deletion,
        // and text no pass-1 edit touched.
        let p1 = vec![
            ruled(2..4, "XY", "a"),
            ruled(8..10, "", "b"),
            ruled(12..12, "+", "c"),
        ];
        let p2 = vec![
            ruled(3..4, "", "d"),
            ruled(8..9, "Q", "e"),
            ruled(11..12, "", "f"),
        ];
        let changes = composed(text, &[p1, p2]);
        let plain: Vec<(Range<usize>, &str, Vec<&str>)> = changes
            .iter()
            .map(|c| {
                (
                    c.range.clone(),
                    &*c.replacement,
                    c.rules.iter().map(|r| &**r).collect(),
                )
            })
            .collect();
        assert_eq!(
            plain,
            vec![
                (2..4, "X", vec!["a", "d"]),
                // "a" became "Q" beside the pass-1 deletion of "89"
                (8..11, "Q", vec!["b", "e"]),
                (12..13, "+", vec!["c", "f"]),
            ]
        );
    }

    #[test]
    fn composition_holds_on_random_passes() {
        // A small deterministic generator: passes of sorted, apart edits.
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n.max(1)
        };
        for _ in 0..500 {
            let text: String = (0..next(30))
                .map(|i| (b'a' + (i % 26) as u8) as char)
                .collect();
            let mut cur = text.clone();
            let mut passes = Vec::new();
            for _ in 0..1 + next(4) {
                let mut edits = Vec::new();
                let mut at = 0;
                while at <= cur.len() && edits.len() < 5 {
                    let start = at + next(4);
                    if start > cur.len() {
                        break;
                    }
                    let end = (start + next(4)).min(cur.len());
                    let rep = ["", "Z", "ZZ", "\n"][next(4)];
                    edits.push(ruled(start..end, rep, ["r1", "r2", "r3"][next(3)]));
                    at = end + 1;
                }
                cur = apply(&cur, &edits);
                passes.push(edits);
            }
            composed(&text, &passes);
        }
    }

    #[test]
    fn text_positions_count_code_points_without_a_bom() {
        let text = "\u{feff}ab\r\n中文x\n";
        let starts = [0, text.find("中").unwrap(), text.len()];
        let pos = |at| {
            let p = text_pos(text, &starts, at);
            (p.line, p.column)
        };
        assert_eq!(pos(0), (1, 1));
        assert_eq!(pos(3), (1, 1), "the BOM is not a column");
        assert_eq!(pos(4), (1, 2));
        assert_eq!(pos(text.find('x').unwrap()), (2, 3));
        // The end of a text ending with a line break: past it on the last line.
        assert_eq!(pos(text.len()), (2, 5));
    }
}
