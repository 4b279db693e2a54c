//! Raw-text tests shared by the rules' [`Rule::may_fire`] hooks and the
//! prefilter. Each errs towards `true`.
//!
//! [`Rule::may_fire`]: super::Rule::may_fire

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
    !dest.is_empty() && !dest.contains(|c: char| c.is_whitespace() || "()<>\"'\\[]`".contains(c))
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
    let bullet = |s: usize, e: usize| s == lead && e == s + 1 && line[e..].starts_with([' ', '\t']);
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
        let closes =
            last.is_some_and(|c| c.is_alphanumeric() || (!c.is_whitespace() && plain_side(after)));
        inner.contains(['*', '_', '[', ']', '`', '\\', '<', '&']) || !opens || !closes
    })
}
