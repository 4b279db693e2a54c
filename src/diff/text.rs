//! Lines and marked pieces of text: where lines start and end (as
//! `similar` splits them: `\r\n`, `\n` or a lone `\r`), and the [`Seg`]s a
//! changed line is made of.

use serde::Serialize;

/// A piece of a changed line: kept text (a JSON string), or removed /
/// inserted text with the indices of the rules it is attributed to
/// (`["text", [0, 2]]`).
#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
#[serde(untagged)]
pub enum Seg {
    Kept(String),
    Marked(String, Vec<usize>),
}

/// Byte offsets where lines start (line ends as `similar` splits them), with
/// the text's length as the last entry.
pub(super) fn line_starts(s: &str) -> Vec<usize> {
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

pub(super) fn line_text<'a>(s: &'a str, starts: &[usize], line: usize) -> &'a str {
    &s[starts[line]..starts[line + 1]]
}

/// The line that holds byte `at` (the line count for the end of the text).
pub(super) fn line_of(starts: &[usize], at: usize) -> usize {
    starts.partition_point(|&s| s <= at).saturating_sub(1)
}

/// Where the line holding byte `at` starts; for the end of a text without a
/// final line end, the start of its last line.
pub(super) fn line_start_of(s: &str, starts: &[usize], at: usize) -> usize {
    if at > 0 && at == s.len() && !s.ends_with(['\n', '\r']) {
        starts[line_of(starts, at - 1)]
    } else {
        starts[line_of(starts, at)].min(at)
    }
}

/// True when `at` starts a line of `s` (or is its start or end).
pub(super) fn at_line_start(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    at == 0 || at >= b.len() || b[at - 1] == b'\n' || (b[at - 1] == b'\r' && b[at] != b'\n')
}

pub(super) fn strip_eol(line: &str) -> &str {
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .or_else(|| line.strip_suffix('\r'))
        .unwrap_or(line)
}

/// Splits a segment stream into lines (line ends as similar splits them:
/// `\r\n`, `\n`, or a lone `\r`). Kept line ends are dropped; marked ones
/// stay, so the page can show a removed or inserted line break.
pub(super) fn split_lines(stream: Vec<Seg>) -> Vec<Vec<Seg>> {
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
pub(super) fn line_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| c == b'\n' || c == b'\r')?;
    if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
        Some(i + 2)
    } else {
        Some(i + 1)
    }
}

pub(super) fn push_seg(line: &mut Vec<Seg>, seg: Seg) {
    match (line.last_mut(), &seg) {
        (Some(Seg::Kept(a)), Seg::Kept(b)) => a.push_str(b),
        (Some(Seg::Marked(a, ra)), Seg::Marked(b, rb)) if ra == rb => a.push_str(b),
        _ => line.push(seg),
    }
}
