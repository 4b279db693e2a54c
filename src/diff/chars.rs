//! Character diffs of a changed stretch: runs of kept and changed text, with
//! short kept gaps folded in and pure removals slid to where they read best.

use std::ops::Range;
use std::time::Duration;

use similar::{Algorithm, DiffTag, TextDiff};

/// Change blocks longer than this (in chars, either side) are not diffed
/// character by character; the whole block is marked.
const INLINE_MAX_CHARS: usize = 20_000;
/// Time allowed for one character diff before similar gives its best guess.
const INLINE_TIMEOUT: Duration = Duration::from_millis(50);

/// A stretch of a character diff: (equal?, old byte range, new byte range).
pub(super) type Run = (bool, Range<usize>, Range<usize>);

/// A character diff of two texts as runs in bytes: (equal?, old range, new
/// range), a change being any mix of removal and insertion. `None` when
/// there is nothing to compare, the texts are too long, or they have too
/// little in common for the diff to mean anything.
pub(super) fn char_runs(old: &str, new: &str) -> Option<Vec<Run>> {
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
pub(super) fn slide_left(old: &str, new: &str, runs: &mut Vec<Run>) {
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
