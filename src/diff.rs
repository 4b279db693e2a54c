//! The diff model: what changed between a file's old and new text, as the
//! HTML report shows it and the patch printer writes it.
//!
//! [`file_body`] turns one changed file into blocks of unchanged lines (long
//! stretches left out but for their context) and change blocks whose removed and inserted text is marked
//! and labelled with the rules that did it. The marks come from replaying the
//! file's hits pass by pass ([`replay`]), so they are exact; when hits cannot
//! be replayed, a line and character diff from `similar` stands in
//! ([`regions`], [`chars`]). [`unified`] and [`line_changes`] are the plain
//! line diff that `diff` and `diff --stat` print.

mod chars;
mod regions;
mod replay;
mod text;

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::report::Hit;

use regions::Region;
pub use text::Seg;
use text::{line_starts, line_text, split_lines, strip_eol};

/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;
/// An unchanged stretch is folded only when it would hide at least this many
/// lines; shorter ones are shown.
const FOLD_MIN: usize = 4;

/// The diff of one file.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Body {
    pub blocks: Vec<Block>,
}

/// A run of lines. Line numbers are 1-based; `old`/`new` are the numbers of
/// the first line of the block in the old and new text.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "k")]
pub enum Block {
    /// Unchanged lines, shown.
    #[serde(rename = "s")]
    Same {
        #[serde(rename = "o")]
        old: usize,
        #[serde(rename = "n")]
        new: usize,
        #[serde(rename = "l")]
        lines: Vec<String>,
    },
    /// Unchanged lines, left out: only how many. A body holds the lines
    /// around its changes, not the whole file, so a report is as large as
    /// the changes.
    #[serde(rename = "f")]
    Fold {
        #[serde(rename = "o")]
        old: usize,
        #[serde(rename = "n")]
        new: usize,
        #[serde(rename = "c")]
        count: usize,
    },
    /// Lines that changed: the old ones (`del`) and what replaces them (`ins`).
    #[serde(rename = "c")]
    Change {
        #[serde(rename = "o")]
        old: usize,
        #[serde(rename = "n")]
        new: usize,
        #[serde(rename = "d")]
        del: Vec<Vec<Seg>>,
        #[serde(rename = "a")]
        ins: Vec<Vec<Seg>>,
        /// Old and new lines (indices into `del` and `ins`) that are versions
        /// of each other, for side-by-side rows; empty: pair by position.
        #[serde(rename = "p", skip_serializing_if = "Vec::is_empty")]
        pairs: Vec<(usize, usize)>,
    },
}

/// The diff of one changed file: line blocks, folds, and marked changes.
///
/// When the hits replay exactly from `old` to `new`, the marks are the edits
/// themselves, each labelled with its rule. Otherwise (hits that cannot be
/// placed), a line diff and per-block character diff from `similar` decide
/// the marks, and hits are attributed by position.
pub fn file_body(old: &str, new: &str, hits: &[Hit], rule_index: &HashMap<&str, usize>) -> Body {
    let old_lines = line_starts(old);
    let new_lines = line_starts(new);
    let regions = match replay::replay(old, new, hits, rule_index) {
        Some(ops) => regions::from_ops(old, new, &ops, &old_lines, &new_lines),
        None => regions::from_diff(old, new, hits, rule_index),
    };
    let count = regions.len();
    let mut blocks = Vec::new();
    for (i, region) in regions.into_iter().enumerate() {
        match region {
            Region::Same { old: o, new_start } => {
                let head = if i == 0 { 0 } else { CONTEXT };
                let tail = if i + 1 == count { 0 } else { CONTEXT };
                let lines = |r: Range<usize>| -> Vec<String> {
                    r.map(|l| strip_eol(line_text(old, &old_lines, l)).to_string())
                        .collect()
                };
                let n = |l: usize| new_start + (l - o.start) + 1;
                if o.len() < head + tail + FOLD_MIN {
                    blocks.push(Block::Same {
                        old: o.start + 1,
                        new: n(o.start),
                        lines: lines(o),
                    });
                    continue;
                }
                if head > 0 {
                    blocks.push(Block::Same {
                        old: o.start + 1,
                        new: n(o.start),
                        lines: lines(o.start..o.start + head),
                    });
                }
                blocks.push(Block::Fold {
                    old: o.start + head + 1,
                    new: n(o.start + head),
                    count: o.len() - head - tail,
                });
                if tail > 0 {
                    blocks.push(Block::Same {
                        old: o.end - tail + 1,
                        new: n(o.end - tail),
                        lines: lines(o.end - tail..o.end),
                    });
                }
            }
            Region::Change {
                old,
                new,
                del,
                ins,
                pairs,
            } => blocks.push(Block::Change {
                old: old.start + 1,
                new: new.start + 1,
                del: split_lines(del),
                ins: split_lines(ins),
                pairs,
            }),
        }
    }
    Body { blocks }
}

impl Body {
    /// Lines removed and added: the lines of its change blocks.
    pub fn lines_changed(&self) -> (usize, usize) {
        self.blocks.iter().fold((0, 0), |(d, a), b| match b {
            Block::Change { del, ins, .. } => (d + del.len(), a + ins.len()),
            _ => (d, a),
        })
    }
}

/// The unified diff of two texts by lines, with three lines of context and
/// the given header names (already quoted as the reader needs them); empty
/// when the texts are the same.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// Lines removed and added by a line diff of two texts (as [`unified`]
/// counts them).
pub fn line_changes(old: &str, new: &str) -> (usize, usize) {
    let diff = similar::TextDiff::from_lines(old, new);
    let (mut del, mut ins) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => del += 1,
            similar::ChangeTag::Insert => ins += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    (del, ins)
}

#[cfg(test)]
mod tests;
