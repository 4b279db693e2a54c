//! The HTML report (`diff --html FILE`, `check --format html`): one
//! self-contained page to browse what a run would change, file by file and
//! rule by rule.
//!
//! The page makes no network requests (a Content-Security-Policy forbids
//! them) and needs nothing beside itself. Rust computes everything that needs
//! a diff: per file, blocks of unchanged lines (long ones folded), and change
//! blocks whose removed and inserted text is marked and labelled with the
//! rules that did it. The marks come from replaying the file's hits pass by
//! pass ([`replay`]), so they are exact; when hits cannot be replayed, a line
//! and character diff from `similar` stands in. The data goes into `<script type="application/json">`
//! blocks, one small index plus one block per file, so the browser parses a
//! file's body only when it is opened; the script in
//! `html_report/report.js` renders from that data with DOM calls and
//! `textContent` only, never HTML strings. Inside the JSON blocks every `<`
//! is written as `\u003c`, so no text can close the block.

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use similar::{Algorithm, DiffTag, TextDiff};

use mdscrub::report::{FileReport, Hit, Status, Summary};

/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;
/// An unchanged stretch is folded only when it would hide at least this many
/// lines; shorter ones are shown.
const FOLD_MIN: usize = 4;
/// Change blocks longer than this (in chars, either side) are not diffed
/// character by character; the whole block is marked.
const INLINE_MAX_CHARS: usize = 20_000;
/// Time allowed for one character diff before similar gives its best guess.
const INLINE_TIMEOUT: Duration = Duration::from_millis(50);

const CSS: &str = include_str!("html_report/report.css");
const JS: &str = include_str!("html_report/report.js");

/// Everything the page shows, before serialization.
#[derive(Debug, Serialize)]
pub struct ReportData {
    pub index: Index,
    /// One body per entry of `index.files` that has one (same order), with
    /// the index of its file.
    #[serde(skip)]
    pub bodies: Vec<(usize, Body)>,
}

/// The small part of the data, parsed when the page opens.
#[derive(Debug, Serialize, PartialEq)]
pub struct Index {
    pub version: u32,
    pub totals: Totals,
    /// Rules that hit at least once, most hits first.
    pub rules: Vec<RuleStat>,
    /// Every file that is not unchanged, sorted by path.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub scanned: usize,
    pub changed: usize,
    pub edits: usize,
    pub bytes_removed: i64,
    pub skipped: usize,
    pub refused: usize,
    pub failed: usize,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RuleStat {
    pub id: String,
    pub hits: usize,
    pub files: usize,
}

/// One file in the list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    /// `changed`, `refused`, `failed` or `skipped`.
    pub status: &'static str,
    pub reason: Option<String>,
    pub bytes: i64,
    pub hits: usize,
    /// `(rule index, hits)`, most hits first.
    pub rules: Vec<(usize, usize)>,
    /// Lines removed and added.
    pub del: usize,
    pub ins: usize,
    /// Whether a body (the diff) exists for this file.
    pub body: bool,
}

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
    /// Unchanged lines, folded until the reader opens them.
    #[serde(rename = "f")]
    Fold {
        #[serde(rename = "o")]
        old: usize,
        #[serde(rename = "n")]
        new: usize,
        #[serde(rename = "l")]
        lines: Vec<String>,
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

/// A piece of a changed line: kept text (a JSON string), or removed /
/// inserted text with the indices of the rules it is attributed to
/// (`["text", [0, 2]]`).
#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
#[serde(untagged)]
pub enum Seg {
    Kept(String),
    Marked(String, Vec<usize>),
}

/// Builds the page's data from a run's reports.
pub fn report_data(reports: &[FileReport], summary: &Summary) -> ReportData {
    // Rules by hits, then id; indices into this order label the marks.
    let mut by_rule: HashMap<Arc<str>, (usize, usize)> = HashMap::new();
    for r in reports {
        for (rule, n) in r.rule_counts() {
            let e = by_rule.entry(rule).or_default();
            e.0 += n;
            e.1 += 1;
        }
    }
    let mut rules: Vec<RuleStat> = by_rule
        .into_iter()
        .map(|(id, (hits, files))| RuleStat {
            id: id.to_string(),
            hits,
            files,
        })
        .collect();
    rules.sort_by(|a, b| b.hits.cmp(&a.hits).then_with(|| a.id.cmp(&b.id)));
    let rule_index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let listed: Vec<&FileReport> = reports
        .iter()
        .filter(|r| r.status != Status::Unchanged)
        .collect();
    let bodies: Vec<Option<Body>> = listed
        .par_iter()
        .map(|r| match (&r.status, &r.text) {
            (Status::Changed, Some((old, new))) => Some(file_body(old, new, &r.hits, &rule_index)),
            _ => None,
        })
        .collect();

    let mut files = Vec::with_capacity(listed.len());
    for (r, body) in listed.iter().zip(&bodies) {
        let (status, reason) = match &r.status {
            Status::Changed => ("changed", None),
            Status::Refused(why) => ("refused", Some(why.clone())),
            Status::Failed(why) => ("failed", Some(why.clone())),
            Status::Skipped(why) => ("skipped", Some(why.clone())),
            Status::Unchanged => ("unchanged", None),
        };
        let mut counts: Vec<(usize, usize)> = r
            .rule_counts()
            .into_iter()
            .filter_map(|(rule, n)| rule_index.get(&*rule).map(|&i| (i, n)))
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (del, ins) = body.as_ref().map_or((0, 0), line_counts);
        files.push(FileEntry {
            path: r.path.display().to_string(),
            status,
            reason,
            bytes: r.bytes_removed,
            hits: r.hits.len(),
            rules: counts,
            del,
            ins,
            body: body.is_some(),
        });
    }
    let bodies = bodies
        .into_iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| (i, b)))
        .collect();
    ReportData {
        index: Index {
            version: 1,
            totals: Totals {
                scanned: summary.scanned,
                changed: summary.changed,
                edits: summary.edits,
                bytes_removed: summary.bytes_removed,
                skipped: summary.skipped,
                refused: summary.refused,
                failed: summary.failed,
            },
            rules,
            files,
        },
        bodies,
    }
}

fn line_counts(body: &Body) -> (usize, usize) {
    body.blocks.iter().fold((0, 0), |(d, a), b| match b {
        Block::Change { del, ins, .. } => (d + del.len(), a + ins.len()),
        _ => (d, a),
    })
}

/// Where a hit sits in the old text, for attributing marks to rules.
struct Span {
    range: Range<usize>,
    rule: usize,
    inserts: bool,
}

/// A stretch of a file for the page: unchanged lines, or changed lines with
/// their marked segments (line numbers are 0-based here).
enum Region {
    Same {
        old: Range<usize>,
        new_start: usize,
    },
    Change {
        old: Range<usize>,
        new: Range<usize>,
        del: Vec<Seg>,
        ins: Vec<Seg>,
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
    let regions = match replay(old, new, hits, rule_index) {
        Some(ops) => regions_from_ops(old, new, &ops, &old_lines, &new_lines),
        None => regions_from_diff(old, new, hits, rule_index),
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
                    lines: lines(o.start + head..o.end - tail),
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

/// Byte offsets where lines start (line ends as `similar` splits them), with
/// the text's length as the last entry.
fn line_starts(s: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut at = 0;
    while let Some(end) = line_end(&s[at..]) {
        at += end;
        if at < s.len() {
            starts.push(at);
        }
    }
    if s.is_empty() {
        starts.clear();
    }
    starts.push(s.len());
    starts
}

fn line_text<'a>(s: &'a str, starts: &[usize], line: usize) -> &'a str {
    &s[starts[line]..starts[line + 1]]
}

/// The line that holds byte `at` (the line count for the end of the text).
fn line_of(starts: &[usize], at: usize) -> usize {
    starts.partition_point(|&s| s <= at).saturating_sub(1)
}

/// One step of a character-level edit script; a script covers both texts
/// in order, so `old` and `new` ranges never go back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Op {
    kind: OpKind,
    old: Range<usize>,
    new: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Kept,
    /// Deleted by the rule with this index (`new` is empty).
    Del(usize),
    /// Inserted by the rule with this index (`old` is empty).
    Ins(usize),
}

/// The ops whose range on one side touches `range`.
fn ops_touching<'a>(ops: &'a [Op], range: &Range<usize>, old_side: bool) -> &'a [Op] {
    let side = |op: &Op| {
        if old_side {
            op.old.clone()
        } else {
            op.new.clone()
        }
    };
    let from = ops.partition_point(|op| side(op).end < range.start);
    let to = ops.partition_point(|op| side(op).start <= range.end);
    &ops[from..to.max(from)]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Old(usize),
    Ins(usize),
}

/// Replays the hits pass by pass from `old`, tracking where every byte came
/// from, and returns the composed edit script when it ends at `new`. `None`
/// when a hit cannot be placed or the result differs.
fn replay(
    old: &str,
    new: &str,
    hits: &[Hit],
    rule_index: &HashMap<&str, usize>,
) -> Option<Vec<Op>> {
    // A hit inside text an earlier pass inserted is located only by that
    // text's start, so its place can be ambiguous; try the places in turn
    // (an odometer over the ambiguous hits, boundedly) until the replay
    // ends at `new`.
    let mut choice = vec![0; hits.len()];
    for _ in 0..MAX_REPLAYS {
        let mut ambiguous = Vec::new();
        if let Some(ops) = replay_once(old, new, hits, rule_index, &choice, &mut ambiguous) {
            return Some(ops);
        }
        let mut advanced = false;
        for &(k, n) in &ambiguous {
            if choice[k] + 1 < n {
                choice[k] += 1;
                advanced = true;
                break;
            }
            choice[k] = 0;
        }
        if !advanced {
            return None;
        }
    }
    None
}

/// Most places tried for one ambiguous hit, and most replays of one file.
const MAX_PLACES: usize = 8;
const MAX_REPLAYS: usize = 64;

/// One replay, with `choice[k]` picking among the places of hit `k`; hits
/// with several places are listed in `ambiguous` as (hit, places).
fn replay_once(
    old: &str,
    new: &str,
    hits: &[Hit],
    rule_index: &HashMap<&str, usize>,
    choice: &[usize],
    ambiguous: &mut Vec<(usize, usize)>,
) -> Option<Vec<Op>> {
    let mut cur = old.to_string();
    let mut origin: Vec<Origin> = (0..old.len()).map(Origin::Old).collect();
    let mut deleted: Vec<Option<usize>> = vec![None; old.len()];
    // A position's anchor is the old offset the engine reports for an edit
    // starting there: positions map back pass by pass, one inside inserted
    // text to where the text it replaced began (as `edit::map_back`).
    let mut anchors: Vec<usize> = (0..=old.len()).collect();
    let passes = hits.iter().map(|h| h.pass).max().unwrap_or(0);
    for pass in 1..=passes {
        let mut edits: Vec<(Range<usize>, &str, usize)> = Vec::new();
        // A pass's hits come in text order; several can share an anchor (all
        // inside one earlier replacement), so each starts after the last.
        let mut floor = 0;
        for (k, h) in hits.iter().enumerate().filter(|(_, h)| h.pass == pass) {
            let rule = *rule_index.get(&*h.rule)?;
            let lo = anchors.partition_point(|&a| a < h.offset).max(floor);
            let hi = anchors.partition_point(|&a| a <= h.offset);
            // Where the hit can be: an insertion at the old byte, after any
            // inserted text, first; a removal where its text is.
            let places: Vec<usize> = if h.removed.is_empty() {
                (lo..hi.min(cur.len() + 1))
                    .rev()
                    .filter(|&i| cur.is_char_boundary(i))
                    .take(MAX_PLACES)
                    .collect()
            } else {
                (lo..hi)
                    .filter(|&i| {
                        cur.is_char_boundary(i)
                            && cur
                                .get(i..)
                                .is_some_and(|rest| rest.starts_with(h.removed.as_str()))
                    })
                    .take(MAX_PLACES)
                    .collect()
            };
            if places.len() > 1 {
                ambiguous.push((k, places.len()));
            }
            let at = *places.get(choice[k]).or(places.first())?;
            floor = at + h.removed.len();
            edits.push((at..floor, &h.replacement, rule));
        }
        edits.sort_by_key(|e| (e.0.start, e.0.end));
        if edits.windows(2).any(|w| w[0].0.end > w[1].0.start) {
            return None;
        }
        let mut next = String::with_capacity(cur.len());
        let mut next_origin = Vec::with_capacity(origin.len());
        let mut next_anchors = Vec::with_capacity(anchors.len());
        let mut at = 0;
        for (range, replacement, rule) in edits {
            next.push_str(&cur[at..range.start]);
            next_origin.extend_from_slice(&origin[at..range.start]);
            next_anchors.extend_from_slice(&anchors[at..range.start]);
            next_anchors.extend(std::iter::repeat_n(anchors[range.start], replacement.len()));
            for o in &origin[range.clone()] {
                if let Origin::Old(x) = *o {
                    deleted[x] = Some(rule);
                }
            }
            next.push_str(replacement);
            next_origin.extend(std::iter::repeat_n(Origin::Ins(rule), replacement.len()));
            at = range.end;
        }
        next.push_str(&cur[at..]);
        next_origin.extend_from_slice(&origin[at..]);
        next_anchors.extend_from_slice(&anchors[at..]);
        cur = next;
        origin = next_origin;
        anchors = next_anchors;
    }
    if cur != new {
        return None;
    }
    // Walk the result: runs of old bytes are kept, the old bytes between them
    // were deleted, inserted bytes were inserted.
    let mut ops = Vec::new();
    let mut done = 0; // old bytes accounted for
    let dels = |ops: &mut Vec<Op>, range: Range<usize>, at: usize| -> Option<()> {
        let mut s = range.start;
        while s < range.end {
            let rule = deleted[s]?;
            let mut e = s + 1;
            while e < range.end && deleted[e] == Some(rule) {
                e += 1;
            }
            ops.push(Op {
                kind: OpKind::Del(rule),
                old: s..e,
                new: at..at,
            });
            s = e;
        }
        Some(())
    };
    let mut next_old_at = vec![old.len(); origin.len() + 1];
    for i in (0..origin.len()).rev() {
        next_old_at[i] = match origin[i] {
            Origin::Old(x) => x,
            Origin::Ins(_) => next_old_at[i + 1],
        };
    }
    let mut i = 0;
    while i < origin.len() {
        match origin[i] {
            Origin::Old(x) => {
                dels(&mut ops, done..x, i)?;
                let mut j = i + 1;
                while j < origin.len() && origin[j] == Origin::Old(x + (j - i)) {
                    j += 1;
                }
                ops.push(Op {
                    kind: OpKind::Kept,
                    old: x..x + (j - i),
                    new: i..j,
                });
                done = x + (j - i);
                i = j;
            }
            Origin::Ins(rule) => {
                dels(&mut ops, done..next_old_at[i], i)?;
                done = done.max(next_old_at[i]);
                let mut j = i + 1;
                while j < origin.len() && origin[j] == Origin::Ins(rule) {
                    j += 1;
                }
                ops.push(Op {
                    kind: OpKind::Ins(rule),
                    old: done..done,
                    new: i..j,
                });
                i = j;
            }
        }
    }
    dels(&mut ops, done..old.len(), new.len())?;
    Some(refine_replacements(old, new, ops))
}

/// Rules that rewrite text (a URL's query, a run of blank lines) remove and
/// insert in one place, sometimes over several passes and rules; show only
/// what differs between what went and what came, each piece still labelled
/// with the rule that removed or inserted it.
fn refine_replacements(old: &str, new: &str, ops: Vec<Op>) -> Vec<Op> {
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if ops[i].kind == OpKind::Kept {
            out.push(ops[i].clone());
            i += 1;
            continue;
        }
        let mut j = i;
        while j < ops.len() && ops[j].kind != OpKind::Kept {
            j += 1;
        }
        let group = &ops[i..j];
        i = j;
        let o = group[0].old.start..group[group.len() - 1].old.end;
        let n = group[0].new.start..group[group.len() - 1].new.end;
        let runs = if o.is_empty() || n.is_empty() {
            None
        } else {
            char_runs(&old[o.clone()], &new[n.clone()])
        };
        let Some(runs) = runs else {
            out.extend_from_slice(group);
            continue;
        };
        // The pieces of `range` (on one side) as the group's ops label them.
        let pieces = |range: Range<usize>, old_side: bool| -> Vec<Op> {
            group
                .iter()
                .filter_map(|op| {
                    let (r, rule) = match (op.kind, old_side) {
                        (OpKind::Del(rule), true) => (&op.old, rule),
                        (OpKind::Ins(rule), false) => (&op.new, rule),
                        _ => return None,
                    };
                    let (s, e) = (r.start.max(range.start), r.end.min(range.end));
                    (s < e).then_some((s..e, rule))
                })
                .map(|(r, rule)| {
                    if old_side {
                        Op {
                            kind: OpKind::Del(rule),
                            old: r,
                            new: 0..0,
                        }
                    } else {
                        Op {
                            kind: OpKind::Ins(rule),
                            old: 0..0,
                            new: r,
                        }
                    }
                })
                .collect()
        };
        for (equal, ro, rn) in runs {
            let ro = o.start + ro.start..o.start + ro.end;
            let rn = n.start + rn.start..n.start + rn.end;
            if equal {
                out.push(Op {
                    kind: OpKind::Kept,
                    old: ro,
                    new: rn,
                });
                continue;
            }
            for mut op in pieces(ro.clone(), true) {
                op.new = rn.start..rn.start;
                out.push(op);
            }
            for mut op in pieces(rn.clone(), false) {
                op.old = ro.end..ro.end;
                out.push(op);
            }
        }
    }
    out
}

/// Where the line holding byte `at` starts; for the end of a text without a
/// final line end, the start of its last line.
fn line_start_of(s: &str, starts: &[usize], at: usize) -> usize {
    if at > 0 && at == s.len() && !s.ends_with(['\n', '\r']) {
        starts[line_of(starts, at - 1)]
    } else {
        starts[line_of(starts, at)].min(at)
    }
}

/// True when `at` starts a line of `s` (or is its start or end).
fn at_line_start(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    at == 0 || at >= b.len() || b[at - 1] == b'\n' || (b[at - 1] == b'\r' && b[at] != b'\n')
}

/// Groups an edit script into whole-line change regions and the unchanged
/// lines between them.
fn regions_from_ops(
    old: &str,
    new: &str,
    ops: &[Op],
    old_lines: &[usize],
    new_lines: &[usize],
) -> Vec<Region> {
    // Byte spans (old, new) of consecutive change ops.
    let mut spans: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for op in ops {
        match (op.kind, spans.last_mut()) {
            (OpKind::Kept, _) => {}
            (_, Some(last)) if last.0.end == op.old.start && last.1.end == op.new.start => {
                last.0.end = op.old.end;
                last.1.end = op.new.end;
            }
            _ => spans.push((op.old.clone(), op.new.clone())),
        }
    }
    // Widen each span to whole lines; kept text is the same on both sides, so
    // widening by the same number of bytes stays aligned. Spans that meet
    // merge.
    let mut blocks: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for (so, sn) in spans {
        let ls = line_start_of(old, old_lines, so.start);
        let back = so.start - ls;
        let (eo, en) = if at_line_start(old, so.end) && at_line_start(new, sn.end) {
            (so.end, sn.end)
        } else {
            let e = line_end(&old[so.end..]).map_or(old.len(), |e| so.end + e);
            (e, (sn.end + (e - so.end)).min(new.len()))
        };
        match blocks.last_mut() {
            Some(last) if last.0.end >= ls || last.1.end >= sn.start.saturating_sub(back) => {
                last.0.end = eo;
                last.1.end = en;
            }
            _ => blocks.push((ls..eo, sn.start - back..en)),
        }
    }
    let mut regions = Vec::new();
    let mut kept_from = (0, 0); // line numbers
    let seg_of = |range: &Range<usize>, old_side: bool| -> Vec<Seg> {
        let text = if old_side { old } else { new };
        let mut out = Vec::new();
        for op in ops_touching(ops, range, old_side) {
            let r = if old_side { &op.old } else { &op.new };
            let (s, e) = (r.start.max(range.start), r.end.min(range.end));
            match op.kind {
                _ if s >= e => {}
                OpKind::Kept => out.push(Seg::Kept(text[s..e].to_string())),
                OpKind::Del(rule) | OpKind::Ins(rule) => {
                    out.push(Seg::Marked(text[s..e].to_string(), vec![rule]))
                }
            }
        }
        out
    };
    for (bo, bn) in blocks {
        let (lo_old, lo_new) = (line_of(old_lines, bo.start), line_of(new_lines, bn.start));
        let (hi_old, hi_new) = (
            if bo.end >= old.len() {
                old_lines.len() - 1
            } else {
                line_of(old_lines, bo.end)
            },
            if bn.end >= new.len() {
                new_lines.len() - 1
            } else {
                line_of(new_lines, bn.end)
            },
        );
        if kept_from.0 < lo_old {
            regions.push(Region::Same {
                old: kept_from.0..lo_old,
                new_start: kept_from.1,
            });
        }
        regions.push(Region::Change {
            old: lo_old..hi_old,
            new: lo_new..hi_new,
            del: seg_of(&bo, true),
            ins: seg_of(&bn, false),
            pairs: pair_lines(
                old,
                ops,
                old_lines,
                new_lines,
                lo_old..hi_old,
                lo_new..hi_new,
            ),
        });
        kept_from = (hi_old, hi_new);
    }
    let total_old = old_lines.len() - 1;
    if kept_from.0 < total_old {
        regions.push(Region::Same {
            old: kept_from.0..total_old,
            new_start: kept_from.1,
        });
    }
    regions
}

/// Pairs the old and new lines of a change block that share kept text (not
/// counting whitespace), each old line with the first new line that holds some
/// of it, keeping the pairs in order.
fn pair_lines(
    old: &str,
    ops: &[Op],
    old_lines: &[usize],
    new_lines: &[usize],
    lo: Range<usize>,
    ln: Range<usize>,
) -> Vec<(usize, usize)> {
    let (block_start, block_end) = (old_lines[lo.start], old_lines[lo.end]);
    // shared[(i, j)]: non-whitespace kept bytes old line i shares with new line j.
    let mut shared: Vec<(usize, usize, usize)> = Vec::new();
    for op in ops_touching(ops, &(block_start..block_end), true) {
        let (ko, kn) = (&op.old, &op.new);
        if op.kind != OpKind::Kept || ko.end <= block_start || ko.start >= block_end {
            continue;
        }
        let mut a = ko.start.max(block_start);
        let end = ko.end.min(block_end);
        while a < end {
            let i = line_of(old_lines, a);
            let b = end.min(old_lines[i + 1]);
            let weight = old[a..b]
                .bytes()
                .filter(|c| !c.is_ascii_whitespace())
                .count();
            let j = line_of(new_lines, kn.start + (a - ko.start));
            if weight > 0 && lo.contains(&i) && ln.contains(&j) {
                match shared.last_mut() {
                    Some(last) if last.0 == i - lo.start && last.1 == j - ln.start => {
                        last.2 += weight
                    }
                    _ => shared.push((i - lo.start, j - ln.start, weight)),
                }
            }
            a = b;
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < shared.len() {
        // The first new line holding some of it: an old line split in
        // several reads from its first piece.
        let best = shared[k];
        while k < shared.len() && shared[k].0 == best.0 {
            k += 1;
        }
        if pairs.last().is_none_or(|p| p.1 < best.1) {
            pairs.push((best.0, best.1));
        }
    }
    pairs
}

/// Regions from `similar`'s line diff, with character diffs inside changed
/// blocks; used when the hits cannot be replayed.
fn regions_from_diff(
    old: &str,
    new: &str,
    hits: &[Hit],
    rule_index: &HashMap<&str, usize>,
) -> Vec<Region> {
    let spans: Vec<Span> = hits
        .iter()
        .filter_map(|h| {
            let rule = *rule_index.get(&*h.rule)?;
            let start = h.offset.min(old.len());
            Some(Span {
                range: start..h.end.clamp(start, old.len()),
                rule,
                inserts: !h.replacement.is_empty(),
            })
        })
        .collect();
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(Duration::from_secs(2))
        .diff_lines(old, new);
    let old_lines: Vec<&str> = diff.iter_old_slices().collect();
    let new_lines: Vec<&str> = diff.iter_new_slices().collect();
    let mut old_offsets = Vec::with_capacity(old_lines.len() + 1);
    let mut at = 0;
    for l in &old_lines {
        old_offsets.push(at);
        at += l.len();
    }
    old_offsets.push(at);
    let mut regions: Vec<Region> = Vec::new();
    let mut pending: Option<(Range<usize>, Range<usize>)> = None;
    let flush = |regions: &mut Vec<Region>, p: Option<(Range<usize>, Range<usize>)>| {
        if let Some((o, n)) = p {
            let old_block = &old[old_offsets[o.start]..old_offsets[o.end]];
            let new_block: String = new_lines[n.clone()].concat();
            let (del, ins) = inline_marks(old_block, &new_block, old_offsets[o.start], &spans);
            regions.push(Region::Change {
                old: o,
                new: n,
                del,
                ins,
                pairs: Vec::new(),
            });
        }
    };
    for op in diff.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            flush(&mut regions, pending.take());
            regions.push(Region::Same {
                old: o,
                new_start: n.start,
            });
        } else {
            match &mut pending {
                Some((po, pn)) => {
                    po.end = o.end;
                    pn.end = n.end;
                }
                None => pending = Some((o, n)),
            }
        }
    }
    flush(&mut regions, pending.take());
    regions
}

fn strip_eol(line: &str) -> &str {
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .or_else(|| line.strip_suffix('\r'))
        .unwrap_or(line)
}

/// Marks what changed between an old and a new block (character diff) and
/// attributes each mark to rules. `base` is the old block's byte offset in
/// the old text. Returns the old and the new side as segment streams.
fn inline_marks(old: &str, new: &str, base: usize, spans: &[Span]) -> (Vec<Seg>, Vec<Seg>) {
    let Some(runs) = char_runs(old, new) else {
        let rules = attribute(base..base + old.len(), spans);
        let mark = |s: &str| {
            if s.is_empty() {
                vec![]
            } else {
                vec![Seg::Marked(s.to_string(), rules.clone())]
            }
        };
        return (mark(old), mark(new));
    };
    let mut del = Vec::new();
    let mut ins = Vec::new();
    for (equal, o, n) in runs {
        if equal {
            del.push(Seg::Kept(old[o].to_string()));
            ins.push(Seg::Kept(new[n].to_string()));
            continue;
        }
        let rules = attribute(base + o.start..base + o.end, spans);
        if !o.is_empty() {
            del.push(Seg::Marked(old[o].to_string(), rules.clone()));
        }
        if !n.is_empty() {
            ins.push(Seg::Marked(new[n].to_string(), rules));
        }
    }
    (del, ins)
}

/// A stretch of a character diff: (equal?, old byte range, new byte range).
type Run = (bool, Range<usize>, Range<usize>);

/// A character diff of two texts as runs in bytes: (equal?, old range, new
/// range), a change being any mix of removal and insertion. `None` when
/// there is nothing to compare, the texts are too long, or they have too
/// little in common for the diff to mean anything.
fn char_runs(old: &str, new: &str) -> Option<Vec<Run>> {
    if old.is_empty()
        || new.is_empty()
        || old.len() > INLINE_MAX_CHARS * 4
        || new.len() > INLINE_MAX_CHARS * 4
        || old.chars().count() > INLINE_MAX_CHARS
        || new.chars().count() > INLINE_MAX_CHARS
    {
        return None;
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(INLINE_TIMEOUT)
        .diff_chars(old, new);
    let old_at: Vec<usize> = old
        .char_indices()
        .map(|(i, _)| i)
        .chain([old.len()])
        .collect();
    let new_at: Vec<usize> = new
        .char_indices()
        .map(|(i, _)| i)
        .chain([new.len()])
        .collect();
    // Adjacent changes merged.
    let mut runs: Vec<Run> = Vec::new();
    for op in diff.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        let o = old_at[o.start]..old_at[o.end];
        let n = new_at[n.start]..new_at[n.end];
        let equal = tag == DiffTag::Equal;
        match runs.last_mut() {
            Some((false, po, pn)) if !equal => {
                po.end = o.end;
                pn.end = n.end;
            }
            _ => runs.push((equal, o, n)),
        }
    }
    // A character diff of unrelated text matches stray characters; when little
    // of the new side is kept, it is no diff at all.
    let kept: usize = runs.iter().filter(|r| r.0).map(|r| r.2.len()).sum();
    if kept * 2 < new.len() {
        return None;
    }
    // Fold short kept runs between two changes into one change, so a removal
    // reads as one piece rather than confetti.
    let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
    for (i, (equal, o, n)) in runs.iter().cloned().enumerate() {
        let short_gap = equal
            && i > 0
            && i + 1 < runs.len()
            && old[o.clone()].chars().count() <= 2
            && !old[o.clone()].contains(['\n', '\r']);
        match merged.last_mut() {
            Some((false, po, pn)) if short_gap || !equal => {
                po.end = o.end;
                pn.end = n.end;
            }
            _ => merged.push((equal, o, n)),
        }
    }
    slide_left(old, new, &mut merged);
    Some(merged)
}

/// Slides each pure removal or insertion left, where the same text allows,
/// to the place that reads best: at a line start, else starting with a
/// separator (`from=x&` after `&` becomes `&from=x`), else after one.
fn slide_left(old: &str, new: &str, runs: &mut Vec<Run>) {
    let mut k = 1;
    while k < runs.len() {
        let (equal, o, n) = runs[k].clone();
        let (prev_equal, po, _) = runs[k - 1].clone();
        if equal || !prev_equal || (!o.is_empty() && !n.is_empty()) {
            k += 1;
            continue;
        }
        let (text, r) = if n.is_empty() { (old, o) } else { (new, n) };
        let kept = &old[po.clone()];
        // Every place the mark can slide to, and how well it sits there.
        let score = |shift: usize| {
            let moved = &text[r.start - shift..r.end - shift];
            let before = &text[..r.start - shift];
            let sep = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            if before.is_empty() || before.ends_with(['\n', '\r']) {
                3
            } else if sep(moved.chars().next()) {
                2
            } else if sep(before.chars().next_back()) {
                1
            } else {
                0
            }
        };
        let (mut shift, mut best, mut at) = (0, score(0), 0);
        loop {
            let moved = &text[r.start - at..r.end - at];
            let before = &kept[..kept.len() - at];
            match (moved.chars().next_back(), before.chars().next_back()) {
                (Some(a), Some(b)) if a == b => at += a.len_utf8(),
                _ => break,
            }
            let sc = score(at);
            if sc > best {
                (shift, best) = (at, sc);
            }
        }
        if shift == 0 {
            k += 1;
            continue;
        }
        let shifted = |r: &Range<usize>| r.start - shift..r.end - shift;
        runs[k - 1].1.end -= shift;
        runs[k - 1].2.end -= shift;
        runs[k].1 = shifted(&runs[k].1);
        runs[k].2 = shifted(&runs[k].2);
        let (o_end, n_end) = (runs[k].1.end, runs[k].2.end);
        match runs.get_mut(k + 1) {
            Some((true, no, nn)) => {
                no.start -= shift;
                nn.start -= shift;
            }
            _ => runs.insert(k + 1, (true, o_end..o_end + shift, n_end..n_end + shift)),
        }
        if runs[k - 1].1.is_empty() {
            runs.remove(k - 1);
        } else {
            k += 1;
        }
    }
}

/// The rules that changed `range` of the old text (empty for an insertion
/// point): hits overlapping it, widest first; failing that, the nearest hit.
fn attribute(range: Range<usize>, spans: &[Span]) -> Vec<usize> {
    let mut found: Vec<&Span> = spans
        .iter()
        .filter(|s| {
            if range.is_empty() {
                s.inserts && s.range.start <= range.start && range.start <= s.range.end
            } else {
                s.range.start < range.end && range.start < s.range.end
                    || (s.range.is_empty()
                        && range.start <= s.range.start
                        && s.range.start < range.end)
            }
        })
        .collect();
    if found.is_empty() {
        let distance = |s: &Span| {
            if s.range.end < range.start {
                range.start - s.range.end
            } else {
                s.range.start.saturating_sub(range.end)
            }
        };
        let prefer_inserts = range.is_empty();
        if let Some(near) = spans.iter().min_by_key(|s| {
            (
                prefer_inserts && !s.inserts,
                distance(s),
                std::cmp::Reverse(s.range.len()),
            )
        }) {
            found.push(near);
        }
    }
    found.sort_by_key(|s| std::cmp::Reverse(s.range.len()));
    let mut rules: Vec<usize> = Vec::new();
    for s in found {
        if !rules.contains(&s.rule) {
            rules.push(s.rule);
        }
    }
    rules
}

/// Splits a segment stream into lines (line ends as similar splits them:
/// `\r\n`, `\n`, or a lone `\r`). Kept line ends are dropped; marked ones
/// stay, so the page can show a removed or inserted line break.
fn split_lines(stream: Vec<Seg>) -> Vec<Vec<Seg>> {
    let mut lines: Vec<Vec<Seg>> = Vec::new();
    let mut line: Vec<Seg> = Vec::new();
    let mut open = false;
    for seg in stream {
        let (text, rules) = match seg {
            Seg::Kept(t) => (t, None),
            Seg::Marked(t, r) => (t, Some(r)),
        };
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let (piece, ends) = match line_end(rest) {
                Some(end) => (&rest[..end], true),
                None => (rest, false),
            };
            rest = &rest[piece.len()..];
            let shown = match &rules {
                None => strip_eol(piece),
                Some(_) => piece,
            };
            if !shown.is_empty() {
                push_seg(
                    &mut line,
                    match &rules {
                        None => Seg::Kept(shown.to_string()),
                        Some(r) => Seg::Marked(shown.to_string(), r.clone()),
                    },
                );
            }
            open = true;
            if ends {
                lines.push(std::mem::take(&mut line));
                open = false;
            }
        }
    }
    if open {
        lines.push(line);
    }
    lines
}

/// The byte index just past the first line end in `s`, if any.
fn line_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| c == b'\n' || c == b'\r')?;
    if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
        Some(i + 2)
    } else {
        Some(i + 1)
    }
}

fn push_seg(line: &mut Vec<Seg>, seg: Seg) {
    match (line.last_mut(), &seg) {
        (Some(Seg::Kept(a)), Seg::Kept(b)) => a.push_str(b),
        (Some(Seg::Marked(a, ra)), Seg::Marked(b, rb)) if ra == rb => a.push_str(b),
        _ => line.push(seg),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Passes bytes through, writing every `<` as the JSON escape `\u003c`.
/// `<` is ASCII, so this never splits a UTF-8 character; in JSON it only
/// occurs inside strings, where `\u003c` means the same thing. With no `<`,
/// nothing can end a `<script>` block early (`</script`) or open a comment.
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, part) in buf.split(|&b| b == b'<').enumerate() {
            if i > 0 {
                self.0.write_all(b"\\u003c")?;
            }
            self.0.write_all(part)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A value as JSON that is safe inside a `<script>` block.
pub fn script_json(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    serde_json::to_writer(ScriptSafe(&mut out), value)?;
    Ok(out)
}

/// A nonce for the page's one script, so the Content-Security-Policy runs it
/// and nothing else.
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Writes the report page.
pub fn write(w: &mut impl Write, reports: &[FileReport], summary: &Summary) -> io::Result<()> {
    let data = report_data(reports, summary);
    let bodies: Vec<io::Result<Vec<u8>>> = data
        .bodies
        .par_iter()
        .map(|(_, b)| script_json(b))
        .collect();
    let nonce = nonce();
    let t = &data.index.totals;
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mdscrub {}\">\n\
         <title>mdscrub report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(w, "<header>\n<h1>mdscrub report</h1>")?;
    writeln!(w, "<dl class=\"totals\" id=\"totals\">")?;
    let cells: [(&str, &str, String); 7] = [
        ("scanned", "files scanned", t.scanned.to_string()),
        ("changed", "would change", t.changed.to_string()),
        ("refused", "refused", t.refused.to_string()),
        ("failed", "failed", t.failed.to_string()),
        ("skipped", "skipped", t.skipped.to_string()),
        ("edits", "edits", t.edits.to_string()),
        ("bytes", "bytes removed", t.bytes_removed.to_string()),
    ];
    for (key, label, value) in cells {
        writeln!(
            w,
            "<div class=\"total t-{key}\"><dt>{label}</dt><dd data-total=\"{key}\">{value}</dd></div>"
        )?;
    }
    writeln!(w, "</dl>")?;
    write_chart(w, &data.index.rules)?;
    writeln!(w, "</header>")?;
    w.write_all(
        b"<main>\n<noscript><p class=\"note\">The file list and diffs need JavaScript.</p></noscript>\n\
          <div id=\"app\"></div>\n</main>\n",
    )?;
    w.write_all(b"<script type=\"application/json\" id=\"mdscrub-index\">")?;
    w.write_all(&script_json(&data.index)?)?;
    w.write_all(b"</script>\n")?;
    for ((i, _), json) in data.bodies.iter().zip(bodies) {
        write!(w, "<script type=\"application/json\" id=\"f{i}\">")?;
        w.write_all(&json?)?;
        w.write_all(b"</script>\n")?;
    }
    write!(
        w,
        "<script nonce=\"{nonce}\">\n{JS}</script>\n</body>\n</html>\n"
    )?;
    w.flush()
}

/// Writes the report page to a file, or to stdout for `-`.
pub fn write_to(path: &Path, reports: &[FileReport], summary: &Summary) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return Ok(write(
            &mut io::BufWriter::new(io::stdout().lock()),
            reports,
            summary,
        )?);
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create the HTML report {}", path.display()))?;
    write(&mut io::BufWriter::new(file), reports, summary)
        .with_context(|| format!("cannot write the HTML report {}", path.display()))
}

/// The hits-per-rule bar chart, as inline SVG; each bar is a button the
/// script turns into a rule filter.
fn write_chart(w: &mut impl Write, rules: &[RuleStat]) -> io::Result<()> {
    writeln!(w, "<section class=\"chart\"><h2>Hits per rule</h2>")?;
    if rules.is_empty() {
        return writeln!(w, "<p class=\"note\">No rule hit.</p></section>");
    }
    const ROW: usize = 24;
    const LABEL: usize = 260;
    const BAR: usize = 480;
    let max = rules.iter().map(|r| r.hits).max().unwrap_or(1).max(1);
    let height = rules.len() * ROW + 4;
    writeln!(
        w,
        "<svg id=\"chart\" role=\"group\" aria-label=\"Hits per rule\" viewBox=\"0 0 {} {height}\" \
         width=\"{}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        LABEL + BAR + 90,
        LABEL + BAR + 90
    )?;
    for (i, r) in rules.iter().enumerate() {
        let id = escape_html(&r.id);
        let y = i * ROW + 2;
        let width = (r.hits * BAR).div_ceil(max).max(2);
        writeln!(
            w,
            "<g class=\"bar\" data-rule=\"{id}\" tabindex=\"0\" role=\"button\" \
             aria-label=\"{id}: {hits} hits in {files} files\">\
             <title>{id}: {hits} hits in {files} files (click to filter)</title>\
             <rect class=\"hitbox\" x=\"0\" y=\"{y}\" width=\"{total}\" height=\"{ROW}\"/>\
             <text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{id}</text>\
             <rect class=\"fill c{color}\" x=\"{LABEL}\" y=\"{by}\" width=\"{width}\" height=\"{bh}\" rx=\"3\"/>\
             <text class=\"count\" x=\"{cx}\" y=\"{ty}\">{hits}</text></g>",
            hits = r.hits,
            files = r.files,
            total = LABEL + BAR + 90,
            lx = LABEL - 8,
            ty = y + ROW / 2 + 5,
            color = i % 12,
            by = y + 3,
            bh = ROW - 6,
            cx = LABEL + width + 6,
        )?;
    }
    writeln!(w, "</svg></section>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn hit(rule: &str, old: &str, removed: &str, replacement: &str) -> Hit {
        let offset = old.find(removed).expect("removed text is in the old text");
        let line = old[..offset].matches('\n').count() + 1;
        Hit {
            rule: Arc::from(rule),
            line,
            column: 1,
            offset,
            end: offset + removed.len(),
            pass: 1,
            removed: removed.to_string(),
            replacement: replacement.to_string(),
        }
    }

    fn changed(path: &str, old: &str, hits: Vec<Hit>) -> FileReport {
        let mut new = old.to_string();
        let mut sorted: Vec<&Hit> = hits.iter().collect();
        sorted.sort_by_key(|h| std::cmp::Reverse(h.offset));
        for h in sorted {
            new.replace_range(h.offset..h.offset + h.removed.len(), &h.replacement);
        }
        let mut r = FileReport::new(PathBuf::from(path));
        r.status = Status::Changed;
        r.bytes_removed = old.len() as i64 - new.len() as i64;
        r.hits = hits;
        r.text = Some((old.to_string(), new));
        r
    }

    fn marked(lines: &[Vec<Seg>]) -> Vec<(String, Vec<usize>)> {
        lines
            .iter()
            .flatten()
            .filter_map(|s| match s {
                Seg::Marked(t, r) => Some((t.clone(), r.clone())),
                Seg::Kept(_) => None,
            })
            .collect()
    }

    fn text_of(lines: &[Vec<Seg>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|s| match s {
                        Seg::Kept(t) | Seg::Marked(t, _) => t.as_str(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn totals_rules_and_files_come_from_the_reports() {
        let a = "# T\n\n点击上方蓝字关注我们\n\n正文。\n";
        let b = "![](https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg)\n";
        let reports = vec![
            changed(
                "a.md",
                a,
                vec![hit("follow", a, "点击上方蓝字关注我们\n\n", "")],
            ),
            changed(
                "b.md",
                b,
                vec![hit("wechat-image-params", b, "&from=appmsg", "")],
            ),
            {
                let mut r = FileReport::new(PathBuf::from("c.md"));
                r.status = Status::Refused("refused: too much".into());
                r
            },
            FileReport::new(PathBuf::from("d.md")),
        ];
        let s = Summary::of(&reports);
        let data = report_data(&reports, &s);
        let i = &data.index;
        assert_eq!(i.totals.scanned, 4);
        assert_eq!(i.totals.changed, 2);
        assert_eq!(i.totals.refused, 1);
        assert_eq!(i.totals.bytes_removed, s.bytes_removed);
        // Ties sort by id.
        let ids: Vec<&str> = i.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["follow", "wechat-image-params"]);
        // The unchanged file is not listed; the refused one is, with its reason.
        let paths: Vec<&str> = i.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.md", "b.md", "c.md"]);
        assert_eq!(i.files[2].status, "refused");
        assert_eq!(i.files[2].reason.as_deref(), Some("refused: too much"));
        assert!(!i.files[2].body);
        assert_eq!(i.files[1].rules, vec![(1, 1)]);
        assert_eq!((i.files[0].del, i.files[0].ins), (2, 0));
        assert_eq!(data.bodies.len(), 2);
        assert_eq!(data.bodies[1].0, 1);
    }

    #[test]
    fn a_changed_url_marks_only_the_removed_parameter() {
        let old =
            "intro\n\n![](https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg&wx_lazy=1)\n\nend\n";
        let h = hit("wechat-image-params", old, "&from=appmsg&wx_lazy=1", "");
        let idx = HashMap::from([("wechat-image-params", 0)]);
        let r = changed("x.md", old, vec![h.clone()]);
        let (_, new) = r.text.unwrap();
        let body = file_body(old, &new, &[h], &idx);
        let change = body
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Change {
                    old, new, del, ins, ..
                } => Some((*old, *new, del, ins)),
                _ => None,
            })
            .expect("a change block");
        assert_eq!((change.0, change.1), (3, 3));
        assert_eq!(
            marked(change.2),
            vec![("&from=appmsg&wx_lazy=1".to_string(), vec![0])]
        );
        assert!(marked(change.3).is_empty());
        assert_eq!(
            text_of(change.3),
            ["![](https://mmbiz.qpic.cn/x/640?wx_fmt=png)"]
        );
    }

    #[test]
    fn each_mark_is_labelled_with_its_own_rule() {
        let old = "# 标题\n\n点击上方蓝字关注我们\n\n正文第一段。\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg)\n\n**往期推荐**\n\n[旧文](https://mp.weixin.qq.com/s/abc)\n";
        let hits = vec![
            hit("follow-prompt", old, "点击上方蓝字关注我们\n\n", ""),
            hit("wechat-image-params", old, "&from=appmsg", ""),
            hit(
                "recommended-tail",
                old,
                "\n**往期推荐**\n\n[旧文](https://mp.weixin.qq.com/s/abc)\n",
                "",
            ),
        ];
        let reports = vec![changed("a.md", old, hits)];
        let data = report_data(&reports, &Summary::of(&reports));
        let ids: Vec<&str> = data.index.rules.iter().map(|r| r.id.as_str()).collect();
        let mut found: Vec<(String, String)> = Vec::new();
        for b in &data.bodies[0].1.blocks {
            if let Block::Change { del, .. } = b {
                for (t, r) in marked(del) {
                    assert_eq!(r.len(), 1, "{t:?} has one rule");
                    found.push((t, ids[r[0]].to_string()));
                }
            }
        }
        let rule_of = |needle: &str| {
            found
                .iter()
                .find(|(t, _)| t.contains(needle))
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(rule_of("点击上方"), Some("follow-prompt"));
        assert_eq!(rule_of("&from=appmsg"), Some("wechat-image-params"));
        assert_eq!(rule_of("往期推荐"), Some("recommended-tail"));
    }

    #[test]
    fn long_unchanged_stretches_are_folded_with_context() {
        let mut old = String::new();
        for i in 1..=40 {
            old.push_str(&format!("第{i}段\n\n"));
        }
        old.push_str("点赞在看\n");
        for i in 41..=60 {
            old.push_str(&format!("第{i}段\n"));
        }
        let h = hit("cta", &old, "点赞在看\n", "");
        let idx = HashMap::from([("cta", 0)]);
        let new = old.replace("点赞在看\n", "");
        let body = file_body(&old, &new, &[h], &idx);
        let kinds: Vec<(&str, usize, usize)> = body
            .blocks
            .iter()
            .map(|b| match b {
                Block::Fold { old, lines, .. } => ("f", *old, lines.len()),
                Block::Same { old, lines, .. } => ("s", *old, lines.len()),
                Block::Change { old, del, .. } => ("c", *old, del.len()),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("f", 1, 77),
                ("s", 78, 3),
                ("c", 81, 1),
                ("s", 82, 3),
                ("f", 85, 17)
            ]
        );
        // Folded lines keep their text, without line ends.
        let Block::Fold { lines, .. } = &body.blocks[0] else {
            unreachable!()
        };
        assert_eq!(lines[0], "第1段");
        assert_eq!(lines[1], "");
    }

    #[test]
    fn short_stretches_between_changes_are_not_folded() {
        let old = "a\nX\nb\nc\nd\ne\nf\nY\ng\n";
        let new = "a\nb\nc\nd\ne\nf\ng\n";
        let hits = vec![hit("r", old, "X\n", ""), hit("r", old, "Y\n", "")];
        let body = file_body(old, new, &hits, &HashMap::from([("r", 0)]));
        assert!(
            body.blocks.iter().all(|b| !matches!(b, Block::Fold { .. })),
            "{body:?}"
        );
        assert_eq!(
            body.blocks
                .iter()
                .filter(|b| matches!(b, Block::Change { .. }))
                .count(),
            2
        );
    }

    #[test]
    fn inserted_line_breaks_are_marked_and_crlf_is_not_shown() {
        // split-glued-images puts an image on its own line.
        let old = "文字![](a.png)文字\r\n";
        let new = "文字\r\n\r\n![](a.png)\r\n\r\n文字\r\n";
        let h = Hit {
            rule: Arc::from("split"),
            line: 1,
            column: 3,
            offset: "文字".len(),
            end: "文字".len(),
            pass: 1,
            removed: String::new(),
            replacement: "\r\n\r\n".into(),
        };
        let body = file_body(old, new, &[h], &HashMap::from([("split", 0)]));
        let Block::Change { del, ins, .. } = &body.blocks[0] else {
            panic!("{body:?}")
        };
        assert_eq!(text_of(del), ["文字![](a.png)文字"]);
        assert!(marked(del).is_empty());
        assert_eq!(ins.len(), 5);
        assert!(marked(ins).iter().all(|(t, r)| t == "\r\n" && r == &[0]));
        assert_eq!(text_of(ins)[2], "![](a.png)\r\n");
    }

    #[test]
    fn whole_blocks_are_marked_when_the_text_is_unrelated() {
        let old = "完全不同的一段文字\n";
        let new = "another line entirely\n";
        let h = Hit {
            rule: Arc::from("r"),
            line: 1,
            column: 1,
            offset: 0,
            end: old.len(),
            pass: 1,
            removed: old.into(),
            replacement: new.into(),
        };
        let body = file_body(old, new, &[h], &HashMap::from([("r", 0)]));
        let Block::Change { del, ins, .. } = &body.blocks[0] else {
            panic!()
        };
        assert_eq!(marked(del), [("完全不同的一段文字\n".to_string(), vec![0])]);
        assert_eq!(
            marked(ins),
            [("another line entirely\n".to_string(), vec![0])]
        );
    }

    #[test]
    fn html_escape_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn script_json_has_no_angle_bracket_and_round_trips() {
        let nasty = "</script><script>alert(1)</script></textarea><!-- <b>";
        let json = script_json(&serde_json::json!({ "t": nasty, "k": ["<", "\u{2028}"] })).unwrap();
        let text = String::from_utf8(json).unwrap();
        assert!(!text.contains('<'), "{text}");
        assert!(text.contains("\\u003c/script>"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["t"], nasty);
        assert_eq!(back["k"][0], "<");
    }

    #[test]
    fn page_keeps_document_text_inside_its_data_blocks() {
        let old = "# <script>alert(1)</script>\n\n点赞在看</textarea></script><!--\n\n正文\n";
        let reports = vec![changed(
            "x<script>.md",
            old,
            vec![hit(
                "r\"<b>",
                old,
                "点赞在看</textarea></script><!--\n\n",
                "",
            )],
        )];
        let mut out = Vec::new();
        write(&mut out, &reports, &Summary::of(&reports)).unwrap();
        let page = String::from_utf8(out).unwrap();
        // The page's own tags only: one data index, one body, one script with
        // the nonce the policy allows, and no `<script>` from the document.
        assert_eq!(page.matches("<script").count(), 3, "{page}");
        assert_eq!(page.matches("</script>").count(), 3);
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("</textarea>"));
        assert!(!page.contains("<!--"));
        let nonce = page
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap();
        assert_eq!(nonce.len(), 32);
        assert!(page.contains(&format!("<script nonce=\"{nonce}\">")));
        // The rule id is escaped in the chart.
        assert!(page.contains("data-rule=\"r&quot;&lt;b&gt;\""));
        // No reference to anything outside the page.
        assert!(!page.contains("http://") || page.matches("http://").count() == 1);
        assert!(page.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!page.contains("https://"));
        assert!(!page.contains(" src="));
        // The data blocks parse back to the document's text.
        let body_json = page
            .split("<script type=\"application/json\" id=\"f0\">")
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(body_json).unwrap();
        assert!(
            body.to_string()
                .contains("点赞在看</textarea></script><!--")
        );
    }

    /// The lines a body shows for one side, line ends dropped.
    fn side(body: &Body, old_side: bool) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for b in &body.blocks {
            match b {
                Block::Same { old, new, lines } | Block::Fold { old, new, lines } => {
                    let first = if old_side { *old } else { *new };
                    for (k, l) in lines.iter().enumerate() {
                        out.push((first + k, l.clone()));
                    }
                }
                Block::Change {
                    old, new, del, ins, ..
                } => {
                    let (first, lines) = if old_side { (*old, del) } else { (*new, ins) };
                    for (k, l) in text_of(lines).into_iter().enumerate() {
                        out.push((first + k, l.trim_end_matches(['\r', '\n']).to_string()));
                    }
                }
            }
        }
        out
    }

    fn expect_lines(text: &str) -> Vec<(usize, String)> {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect()
    }

    /// Real cleans with the default rules (several passes, several rules per
    /// line): the hits replay exactly, both sides show every line with its
    /// number, and every mark names one rule.
    #[test]
    fn bodies_of_real_cleans_replay_exactly_and_show_every_line() {
        let rules = mdscrub::config::RulesSource::Default.load().unwrap();
        let example = include_str!("../examples/exports/wechat/城市夜跑的十年.md");
        let crlf = example.replace('\n', "\r\n");
        let mut long = String::from("# 长文\n\n");
        for i in 0..50 {
            long.push_str(&format!("第{i}段正文，没有需要清理的内容。\n\n"));
        }
        long.push_str("文字![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from;=appmsg)文字\n\n");
        for i in 50..80 {
            long.push_str(&format!("第{i}段。\n"));
        }
        long.push_str("\n点击上方蓝字关注我们\n");
        for text in [example, crlf.as_str(), long.as_str()] {
            let cleaned = mdscrub::clean_text(text, &rules, true).unwrap();
            assert!(cleaned.changed(text));
            let mut ids: Vec<&str> = cleaned.hits.iter().map(|h| &*h.rule).collect();
            ids.sort();
            ids.dedup();
            let idx: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
            assert!(
                replay(text, &cleaned.output, &cleaned.hits, &idx).is_some(),
                "hits replay"
            );
            let body = file_body(text, &cleaned.output, &cleaned.hits, &idx);
            // Kept query parameters are not shown as inserted, though the
            // rules rewrote the whole query over two passes.
            for b in &body.blocks {
                if let Block::Change { ins, .. } = b {
                    for (t, _) in marked(ins) {
                        assert!(!t.contains("wx_fmt"), "{t:?} marked as inserted");
                    }
                }
            }
            assert_eq!(side(&body, true), expect_lines(text));
            assert_eq!(side(&body, false), expect_lines(&cleaned.output));
            for b in &body.blocks {
                if let Block::Change { del, ins, .. } = b {
                    for (t, r) in marked(del).into_iter().chain(marked(ins)) {
                        assert_eq!(r.len(), 1, "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn hits_that_do_not_replay_fall_back_to_a_line_diff() {
        let old = "a\n点赞在看\nb\n";
        let new = "a\nb\n";
        // A hit whose text is not where it says: no exact replay.
        let h = Hit {
            rule: Arc::from("cta"),
            line: 2,
            column: 1,
            offset: 0,
            end: 0,
            pass: 1,
            removed: "不在这里".into(),
            replacement: String::new(),
        };
        let idx = HashMap::from([("cta", 0)]);
        assert!(replay(old, new, std::slice::from_ref(&h), &idx).is_none());
        let body = file_body(old, new, &[h], &idx);
        assert_eq!(side(&body, true), expect_lines(old));
        assert_eq!(side(&body, false), expect_lines(new));
        let Some(Block::Change { del, .. }) = body.blocks.get(1) else {
            panic!("{body:?}")
        };
        assert_eq!(marked(del), [("点赞在看\n".to_string(), vec![0])]);
    }

    #[test]
    fn a_split_line_pairs_with_its_first_piece() {
        let old = "前文![](a.png)后文很长很长的一段\n";
        let new = "前文\n\n![](a.png)\n\n后文很长很长的一段\n";
        let h = |at: usize| Hit {
            rule: Arc::from("split"),
            line: 1,
            column: 1,
            offset: at,
            end: at,
            pass: 1,
            removed: String::new(),
            replacement: "\n\n".into(),
        };
        let at = "前文".len();
        let hits = [h(at), h(at + "![](a.png)".len())];
        let body = file_body(old, new, &hits, &HashMap::from([("split", 0)]));
        let Block::Change { ins, pairs, .. } = &body.blocks[0] else {
            panic!("{body:?}")
        };
        assert_eq!(ins.len(), 5);
        assert_eq!(pairs, &[(0, 0)]);
    }

    #[test]
    fn a_rewrite_marks_only_what_it_changed() {
        let old = "![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg&tp=webp)\n";
        let new = "![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&tp=webp)\n";
        let h = hit(
            "params",
            old,
            "?wx_fmt=jpeg&from=appmsg&tp=webp",
            "?wx_fmt=jpeg&tp=webp",
        );
        let body = file_body(old, new, &[h], &HashMap::from([("params", 0)]));
        let Block::Change { del, ins, .. } = &body.blocks[0] else {
            panic!("{body:?}")
        };
        assert_eq!(marked(del), [("&from=appmsg".to_string(), vec![0])]);
        assert!(marked(ins).is_empty(), "{ins:?}");
    }

    /// Every fixture and example (and the shared corpus and samples, when
    /// present next to the crate) that the default rules change: the hits replay exactly and
    /// both sides of the body show every line.
    #[test]
    fn fixtures_examples_and_corpus_replay_exactly() {
        let rules = mdscrub::config::RulesSource::Default.load().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared");
        if !shared.is_dir() {
            eprintln!("note: no ../shared next to the crate; checking fixtures and examples only");
        }
        let mut checked = 0;
        for dir in [
            root.join("fixtures"),
            root.join("examples"),
            shared.join("corpus"),
            shared.join("samples"),
        ] {
            for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                let Ok(cleaned) = mdscrub::clean_text(&text, &rules, true) else {
                    continue;
                };
                if !cleaned.changed(&text) {
                    continue;
                }
                let mut ids: Vec<&str> = cleaned.hits.iter().map(|h| &*h.rule).collect();
                ids.sort();
                ids.dedup();
                let idx: HashMap<&str, usize> =
                    ids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
                assert!(
                    replay(&text, &cleaned.output, &cleaned.hits, &idx).is_some(),
                    "{}: hits do not replay",
                    path.display()
                );
                let body = file_body(&text, &cleaned.output, &cleaned.hits, &idx);
                assert_eq!(side(&body, true), expect_lines(&text), "{}", path.display());
                assert_eq!(
                    side(&body, false),
                    expect_lines(&cleaned.output),
                    "{}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 3, "only {checked} changed files checked");
    }

    #[test]
    fn empty_run_writes_a_page_without_data() {
        let mut out = Vec::new();
        write(&mut out, &[], &Summary::default()).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("No rule hit."));
        assert!(page.contains("<dd data-total=\"scanned\">0</dd>"));
    }
}
