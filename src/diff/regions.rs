//! Change regions: an edit script (or, when the hits cannot be replayed, a
//! line and character diff) grouped into whole changed lines and the
//! unchanged lines between them, with marks attributed to rules.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use similar::{Algorithm, DiffTag, TextDiff};

use crate::report::Hit;

use super::chars::char_runs;
use super::replay::{Op, OpKind, ops_touching};
use super::text::{Seg, at_line_start, line_end, line_of, line_start_of};

/// Where a hit sits in the old text, for attributing marks to rules.
pub(super) struct Span {
    pub(super) range: Range<usize>,
    pub(super) rule: usize,
    pub(super) inserts: bool,
}

/// A stretch of a file for the page: unchanged lines, or changed lines with
/// their marked segments (line numbers are 0-based here).
pub(super) enum Region {
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

/// Groups an edit script into whole-line change regions and the unchanged
/// lines between them.
pub(super) fn from_ops(
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
pub(super) fn pair_lines(
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
pub(super) fn from_diff(
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

/// Marks what changed between an old and a new block (character diff) and
/// attributes each mark to rules. `base` is the old block's byte offset in
/// the old text. Returns the old and the new side as segment streams.
pub(super) fn inline_marks(
    old: &str,
    new: &str,
    base: usize,
    spans: &[Span],
) -> (Vec<Seg>, Vec<Seg>) {
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

/// The rules that changed `range` of the old text (empty for an insertion
/// point): hits overlapping it, widest first; failing that, the nearest hit.
pub(super) fn attribute(range: Range<usize>, spans: &[Span]) -> Vec<usize> {
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
