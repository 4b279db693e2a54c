//! What the previous pass changed, block by block: the top-level blocks of a
//! parse that an edit of the previous pass touched. A rule whose edits in a
//! block depend on that block alone (a phrase test, a URL's query, a
//! paragraph's lines or emphasis) has already said all it has to say about
//! every other block: those blocks are the same text as before, parsed the
//! same way, and it found nothing there that could still be applied. Such a
//! rule asks [`crate::rules::Context::is_fresh`] and looks only at fresh
//! blocks from the second pass on; rules that read the whole document
//! (zones, tails, repeated images, galleries) look at everything.
//!
//! A top-level block that no edit touched parses as before: an edit that
//! changes how the text around it parses (a removed blank line that lets a
//! paragraph continue a list, an HTML block that now runs on) makes a block
//! that reaches the edit, and that block is fresh. What can change a block
//! at a distance is a link reference definition (`[x]: url`) or a footnote:
//! a removal can turn the line after it into one (a definition cannot
//! interrupt a paragraph), and references anywhere change. So a text that
//! holds `]:` or `[^` at all ([`refers`]) is looked at whole in every pass,
//! and so is one with a suppression comment ([`suppresses`]: an edit can
//! complete or break one). An edit asked for and not applied (lost to
//! another, held for review, refused by the content model, whose title and
//! lone-item judgements read other blocks) is asked for again: its block
//! is fresh.

use std::ops::Range;

use crate::document::Document;
use crate::edit::Edit;

/// Bytes around an edit within which a block counts as touched: a block
/// that starts right after a removed line touches it.
const REACH: usize = 2;

/// What one edit of the previous pass wrote, where the text it gave has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub range: Range<usize>,
    /// The edit took out and put in white space only, and no more line
    /// breaks than it took: between blocks it changes nothing a block is
    /// made of (a blank line is a blank line, however many spaces or
    /// newlines it has), so it touches only a block it lands in or at the
    /// edge of (two paragraphs it joined, a break it changed, a line it
    /// moved out of a list).
    pub blank: bool,
    /// A blank edit whose removed or written text ends in spaces or tabs:
    /// it may change the indentation of the line it ends on.
    pub indents: bool,
}

/// The fresh top-level blocks of one parse, by byte range.
#[derive(Debug, Default)]
pub struct Fresh {
    /// Sorted, disjoint byte ranges of the fresh top-level blocks.
    spans: Vec<Range<usize>>,
}

/// The extents of `doc`'s top-level blocks, sorted: each its whole
/// subtree's (comrak does not always stretch a container's span over its
/// children: a footnote definition ends with its first line, and comes
/// last among the blocks whatever its place).
pub fn extents(doc: &Document) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = doc
        .children(0)
        .map(|id| {
            let sub = &doc.nodes[id..doc.node(id).end];
            sub.iter().map(|n| n.range.start).min().unwrap_or(0)
                ..sub.iter().map(|n| n.range.end).max().unwrap_or(0)
        })
        .collect();
    out.sort_by_key(|r| (r.start, r.end));
    out
}

impl Fresh {
    /// The fresh top-level blocks of `doc` (their [`extents`], `tops`): a
    /// block that no block of the previous parse was (`before`: that
    /// parse's extents, moved to where the pass's edits put them), as when
    /// an edit split a block or changed where one ends; and a block that an
    /// edit touched: one that wrote more than white space within [`REACH`]
    /// of it, or one that wrote white space inside it. `written` is sorted,
    /// as [`changed_by`] gives it.
    pub fn of(
        doc: &Document,
        tops: &[Range<usize>],
        written: &[Written],
        before: &[Range<usize>],
    ) -> Fresh {
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in tops {
            let (lo, hi) = (r.start.saturating_sub(REACH), r.end + REACH);
            let k = written.partition_point(|w| w.range.end < lo);
            let fresh = before
                .binary_search_by_key(&(r.start, r.end), |b| (b.start, b.end))
                .is_err()
                || written[k..]
                    .iter()
                    .take_while(|w| w.range.start <= hi)
                    .any(|w| !w.blank || touches(doc, w, r));
            if !fresh {
                continue;
            }
            // Extents of consecutive blocks may meet or overlap.
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r.clone()),
            }
        }
        Fresh { spans: merged }
    }

    /// True when `range` lies in (or meets) a fresh top-level block.
    pub fn holds(&self, range: &Range<usize>) -> bool {
        let k = self.spans.partition_point(|s| s.end < range.start);
        self.spans.get(k).is_some_and(|s| s.start <= range.end)
    }
}

/// True when blank edit `w` touches the block at `r`: it lands inside it
/// (it may have joined two blocks or changed a break), or it changed the
/// indentation of the block's first line (which may have moved the line out
/// of a list or into code). White space tidied between blocks, or after a
/// block's last line, touches nothing.
fn touches(doc: &Document, w: &Written, r: &Range<usize>) -> bool {
    let inside = if w.range.is_empty() {
        r.start < w.range.start && w.range.start < r.end
    } else {
        w.range.start < r.end && w.range.end > r.start
    };
    inside
        || (w.indents
            && w.range.end <= r.start
            && doc.text[w.range.end..r.start]
                .bytes()
                .all(|b| b == b' ' || b == b'\t'))
}

/// True when `text` may hold a link reference definition or a footnote,
/// whose meaning reaches other blocks: then every block is fresh.
pub fn refers(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"]:").is_some()
        || memchr::memmem::find(text.as_bytes(), b"[^").is_some()
}

/// True when `text` may hold a suppression comment: an edit anywhere can
/// complete or break one (`<[]()!-- mdscrub-enable -->` once an empty link
/// goes), and what it covers moves. Then every block is fresh.
pub fn suppresses(text: &str) -> bool {
    crate::suppress::may_hold(text)
}

/// What `edits` (sorted, applied to `text`) wrote, in the text they give,
/// and where the edits asked for and not applied (`unapplied`, ranges of
/// `text`: held for review, refused, suppressed, lost) would have edited;
/// `None` when an edit may change how a block far from it parses or is
/// treated: a link reference definition or footnote, or a suppression
/// comment, removed or written.
pub fn changed_by(text: &str, edits: &[Edit], unapplied: &[Range<usize>]) -> Option<Vec<Written>> {
    let far = |s: &str| refers(s) || s.contains("mdscrub");
    let blank = |s: &str| s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    let newlines = |s: &str| memchr::memchr_iter(b'\n', s.as_bytes()).count();
    let mut out = Vec::with_capacity(edits.len());
    let mut delta: isize = 0;
    for e in edits {
        let removed = &text[e.range.clone()];
        if far(removed) || far(&e.replacement) {
            return None;
        }
        let start = (e.range.start as isize + delta) as usize;
        out.push(Written {
            range: start..start + e.replacement.len(),
            // Lines put in can split a block: the edit then sits between
            // the halves, and both are new.
            blank: blank(removed)
                && blank(&e.replacement)
                && newlines(&e.replacement) <= newlines(removed),
            indents: [removed, e.replacement.as_str()]
                .iter()
                .any(|s| s.ends_with([' ', '\t'])),
        });
        delta += e.replacement.len() as isize - e.range.len() as isize;
    }
    if !unapplied.is_empty() {
        // Where the edits not applied would have edited, in the text the
        // pass gave: their blocks are asked again.
        let map = crate::edit::OffsetMap::new(edits);
        out.extend(unapplied.iter().map(|r| Written {
            range: map.forward(r.start)..map.forward(r.end).max(map.forward(r.start)),
            blank: false,
            indents: false,
        }));
        out.sort_by_key(|w| (w.range.start, w.range.end));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(range: Range<usize>, blank: bool) -> Written {
        Written {
            range,
            blank,
            indents: false,
        }
    }

    /// Which top-level blocks of `text` are fresh after edits that wrote
    /// `w` and left every block where it was.
    fn fresh_blocks(text: &str, w: &[Written]) -> Vec<bool> {
        let doc = Document::parse(text);
        let tops = extents(&doc);
        let fresh = Fresh::of(&doc, &tops, w, &tops);
        tops.iter().map(|r| fresh.holds(r)).collect()
    }

    #[test]
    fn blocks_next_to_a_change_are_fresh_and_others_not() {
        let text = "第一段。\n\n第二段。\n\n第三段。\n";
        let second = text.find("二").unwrap();
        // A removal inside the second paragraph.
        assert_eq!(
            fresh_blocks(text, &[written(second..second, false)]),
            [false, true, false]
        );
        // One between blocks touches the blocks within reach.
        let gap = text.find("\n\n第三").unwrap() + 1;
        assert_eq!(
            fresh_blocks(text, &[written(gap..gap, false)]),
            [false, true, true]
        );
        assert_eq!(fresh_blocks(text, &[]), [false, false, false]);
    }

    #[test]
    fn white_space_between_blocks_touches_none_and_inside_one_touches_it() {
        let text = "第一段。\n\n第二段，  \n换行。\n\n第三段。\n";
        // Blank lines tidied between the first two paragraphs.
        let gap = text.find("\n\n").unwrap() + 1;
        assert_eq!(
            fresh_blocks(text, &[written(gap..gap, true)]),
            [false, false, false]
        );
        // A hard break's spaces taken out inside the second.
        let inside = text.find("  \n").unwrap();
        assert_eq!(
            fresh_blocks(text, &[written(inside..inside, true)]),
            [false, true, false]
        );
    }

    #[test]
    fn indentation_taken_from_a_blocks_first_line_touches_it() {
        // `  正文` was the list item's second paragraph; its indentation
        // went, and it is a paragraph of its own.
        let text = "- 项目\n\n正文段落\n";
        let at = text.find("正文").unwrap();
        let indent = Written {
            range: at..at,
            blank: true,
            indents: true,
        };
        assert_eq!(
            fresh_blocks(text, std::slice::from_ref(&indent)),
            [false, true]
        );
        // Blank lines before it, taken out, do not.
        let blank_lines = Written {
            indents: false,
            ..indent
        };
        assert_eq!(fresh_blocks(text, &[blank_lines]), [false, false]);
    }

    #[test]
    fn blocks_out_of_source_order_are_found() {
        // comrak puts a footnote definition after the other blocks: the
        // top-level blocks are not in source order.
        let text = "\n[^1]: 脚注\n\n      ![](https://e.com/a?from=1)\n- [^1]";
        let doc = Document::parse(text);
        let url = text.find("https").unwrap();
        let item = text.find("- [").unwrap();
        let tops = extents(&doc);
        let fresh = Fresh::of(
            &doc,
            &tops,
            &[written(url..url, false), written(item + 2..item + 2, false)],
            &tops,
        );
        assert!(fresh.holds(&(url..url + 5)));
        assert!(fresh.holds(&(item..item + 1)));
        let fresh = Fresh::of(&doc, &tops, &[written(item + 2..item + 2, false)], &tops);
        assert!(!fresh.holds(&(url..url + 5)));
    }

    #[test]
    fn a_block_that_was_not_a_block_before_is_fresh() {
        // The edit split one block in two: the second half touches no edit,
        // but no block of the previous parse ended where it does.
        let text = "第一段。\n\n第二段。\n";
        let doc = Document::parse(text);
        let tops = extents(&doc);
        let before = vec![Range {
            start: tops[0].start,
            end: tops[1].end,
        }];
        let fresh = Fresh::of(&doc, &tops, &[], &before);
        assert_eq!(
            tops.iter().map(|r| fresh.holds(r)).collect::<Vec<_>>(),
            [true, true]
        );
        let fresh = Fresh::of(&doc, &tops, &[], &tops);
        assert!(!fresh.holds(&tops[1]));
    }

    #[test]
    fn reference_definitions_and_suppressions_make_everything_fresh() {
        let text = "[a]: https://e.com\n\n正文  \n";
        let edit = |range: Range<usize>| Edit {
            range,
            replacement: String::new(),
            rule: "r".into(),
            reach: crate::edit::Reach::Markup,
            fix: crate::edit::FixId(0),
            tier: crate::edit::Tier::Safe,
        };
        assert_eq!(changed_by(text, &[edit(0..19)], &[]), None);
        let spaces = text.find("  ").unwrap();
        assert_eq!(
            changed_by(text, &[edit(20..23), edit(spaces..spaces + 2)], &[]),
            Some(vec![
                written(20..20, false),
                Written {
                    range: spaces - 3..spaces - 3,
                    blank: true,
                    indents: true
                }
            ])
        );
    }
}
