//! Replaying a file's hits pass by pass from the old text: an exact edit
//! script, every removed and inserted byte labelled with the rule that did it.

use std::collections::HashMap;
use std::ops::Range;

use crate::report::Hit;

use super::chars::char_runs;

/// One step of a character-level edit script; a script covers both texts
/// in order, so `old` and `new` ranges never go back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Op {
    pub(super) kind: OpKind,
    pub(super) old: Range<usize>,
    pub(super) new: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Kept,
    /// Deleted by the rule with this index (`new` is empty).
    Del(usize),
    /// Inserted by the rule with this index (`old` is empty).
    Ins(usize),
}

/// The ops whose range on one side touches `range`.
pub(super) fn ops_touching<'a>(ops: &'a [Op], range: &Range<usize>, old_side: bool) -> &'a [Op] {
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
pub(super) enum Origin {
    Old(usize),
    Ins(usize),
}

/// Replays the hits pass by pass from `old`, tracking where every byte came
/// from, and returns the composed edit script when it ends at `new`. `None`
/// when a hit cannot be placed or the result differs.
pub(super) fn replay(
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
pub(super) fn replay_once(
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
pub(super) fn refine_replacements(old: &str, new: &str, ops: Vec<Op>) -> Vec<Op> {
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
