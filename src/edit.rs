//! Byte-range edits on a source text, and how a set of them is applied.
//!
//! Rules produce [`Edit`]s; the engine resolves conflicts (the containing edit
//! wins, the other waits for the next pass), drops edits that would touch code
//! or split a character, and splices the rest into a new text in one pass.

use std::ops::Range;
use std::sync::Arc;

use crate::document::overlaps;

/// Replace `range` of the source with `replacement`. Carries the id of the
/// rule that asked for it and what that rule may take out of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
    pub rule: Arc<str>,
    pub reach: Reach,
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

/// Where a rule puts its edits; stamps each with the rule's id and reach.
pub struct EditSink<'a> {
    rule: &'a Arc<str>,
    reach: Reach,
    edits: &'a mut Vec<Edit>,
}

impl<'a> EditSink<'a> {
    /// A sink for a rule whose edits touch markup only ([`Reach::Markup`]).
    pub fn new(rule: &'a Arc<str>, edits: &'a mut Vec<Edit>) -> Self {
        Self::with_reach(rule, Reach::Markup, edits)
    }

    pub fn with_reach(rule: &'a Arc<str>, reach: Reach, edits: &'a mut Vec<Edit>) -> Self {
        EditSink { rule, reach, edits }
    }

    /// Replace `range` with `replacement`.
    pub fn replace(&mut self, range: Range<usize>, replacement: impl Into<String>) {
        self.edits.push(Edit {
            range,
            replacement: replacement.into(),
            rule: Arc::clone(self.rule),
            reach: self.reach,
        });
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

/// An edit that was applied, described against the text it was applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: Arc<str>,
    /// Range in the text of the pass that applied it.
    pub range: Range<usize>,
    pub removed: String,
    pub replacement: String,
}

/// Picks the edits that can be applied together: no overlap, no code touched,
/// on char boundaries, and no no-op. Of two overlapping edits the one that
/// starts first wins, and of two starting together the longer one (so a
/// containing edit beats what it contains). Returns them sorted by position.
pub fn resolve(text: &str, edits: Vec<Edit>, protected: &[Range<usize>]) -> Vec<Edit> {
    resolve_counting(text, edits, protected).0
}

/// [`resolve`], also counting the edits that lost a clash with another (as
/// opposed to those dropped as invalid, protected or no-ops): a loser is asked
/// for again in the next pass.
pub(crate) fn resolve_counting(
    text: &str,
    mut edits: Vec<Edit>,
    protected: &[Range<usize>],
) -> (Vec<Edit>, usize) {
    edits.retain(|e| {
        e.range.start <= e.range.end
            && e.range.end <= text.len()
            && text.is_char_boundary(e.range.start)
            && text.is_char_boundary(e.range.end)
            && text[e.range.clone()] != *e.replacement
            && !protected
                .iter()
                .any(|p| overlaps(p, &e.range) || contains(&e.range, p))
    });
    // Longest first among equal starts; insertions after removals at the same
    // point would split them, so an insertion sorts before a removal there.
    edits.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then_with(|| a.range.is_empty().cmp(&b.range.is_empty()).reverse())
            .then_with(|| b.range.end.cmp(&a.range.end))
    });
    let mut taken: Vec<Edit> = Vec::with_capacity(edits.len());
    let mut lost = 0;
    for e in edits {
        // Only taken edits that end at or after `e`'s start can clash with
        // it: taken edits never overlap each other, so the walk back stops
        // at the first that ends before `e` starts.
        let clash = taken
            .iter()
            .rev()
            .take_while(|t| t.range.end >= e.range.start)
            .find(|t| {
                overlaps(&t.range, &e.range)
                    || (t.range.is_empty() && e.range.is_empty() && t.range.start == e.range.start)
            });
        match clash {
            // The same edit asked twice, or an edit of text that a taken
            // edit deletes: nothing is left for it to do in a later pass.
            Some(t) if moot(&e, t) => {}
            Some(_) => lost += 1,
            None => taken.push(e),
        }
    }
    (taken, lost)
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
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
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

    fn edit(r: Range<usize>, s: &str) -> Edit {
        Edit {
            range: r,
            replacement: s.to_string(),
            rule: Arc::from("t"),
            reach: Reach::Markup,
        }
    }

    #[test]
    fn containing_edit_wins() {
        let text = "0123456789";
        let got = resolve(text, vec![edit(4..6, "x"), edit(2..8, "")], &[]);
        assert_eq!(got, vec![edit(2..8, "")]);
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
        assert_eq!(got, vec![edit(0..1, ""), edit(3..6, "ab")]);
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
        assert_eq!((got, lost), (vec![edit(2..8, "")], 0));
        // Inside a replacement, or overlapping a deletion: the loser waits
        // for the next pass.
        for loser in [edit(4..5, "x"), edit(7..9, "")] {
            let winner = if loser.range.start == 4 {
                edit(2..8, "z")
            } else {
                edit(2..8, "")
            };
            let (_, lost) = resolve_counting(text, vec![winner, loser.clone()], &[]);
            assert_eq!(lost, 1, "{loser:?}");
        }
    }

    #[test]
    fn noop_edits_are_dropped() {
        assert!(resolve("abc", vec![edit(0..1, "a")], &[]).is_empty());
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
}
