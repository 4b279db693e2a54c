//! Text for people: the summary line, `--statistics`, `--verbose`, the
//! problems of a run, and `check` as text.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use mdscrub::edit::Tier;
use mdscrub::fsio::{Stray, StrayFate};
use mdscrub::report::{FileReport, Hit, Status, Summary, path_text};

/// The one-line summary of a run, with its time.
pub fn summary(
    w: &mut impl Write,
    s: &Summary,
    changed_word: &str,
    elapsed: Duration,
) -> io::Result<()> {
    let bytes = if s.bytes_removed.abs() == 1 {
        "byte"
    } else {
        "bytes"
    };
    write!(
        w,
        "{} scanned, {} {changed_word}, {}, {} {bytes} removed",
        plural(s.scanned, "file"),
        s.changed,
        plural(s.edits, "edit"),
        s.bytes_removed,
    )?;
    if s.refused > 0 {
        write!(w, ", {} refused", s.refused)?;
    }
    if s.skipped > 0 {
        write!(w, ", {} skipped", s.skipped)?;
    }
    if s.review > 0 {
        write!(
            w,
            ", {} not applied (--apply review)",
            plural(s.review, "review edit")
        )?;
    }
    writeln!(w, ", {} failed in {:.2}s", s.failed, elapsed.as_secs_f64())
}

/// `n` and a noun, in the plural unless `n` is 1: "1 file", "2 files".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Hits and files per rule over changed files, folded one report at a time.
#[derive(Debug, Default)]
pub struct RuleTotals(Vec<(Arc<str>, usize, usize)>);

impl RuleTotals {
    /// Counts one report (only changed files count).
    pub fn add(&mut self, r: &FileReport) {
        if r.status == Status::Changed {
            for (rule, n) in r.rule_counts() {
                self.count(rule, n);
            }
        }
        // Review-tier edits not applied count under `rule (review)`.
        let mut review: Vec<(Arc<str>, usize)> = Vec::new();
        for h in &r.review {
            match review.iter_mut().find(|(id, _)| *id == h.rule) {
                Some(t) => t.1 += 1,
                None => review.push((h.rule.clone(), 1)),
            }
        }
        for (rule, n) in review {
            self.count(Arc::from(format!("{rule} (review)")), n);
        }
    }

    fn count(&mut self, rule: Arc<str>, n: usize) {
        match self.0.iter_mut().find(|(id, _, _)| *id == rule) {
            Some(t) => {
                t.1 += n;
                t.2 += 1;
            }
            None => self.0.push((rule, n, 1)),
        }
    }

    /// (rule, hits, files), most hits first, then by rule id.
    pub fn sorted(&self) -> Vec<(Arc<str>, usize, usize)> {
        let mut totals = self.0.clone();
        totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        totals
    }
}

/// `--statistics`: a table of hits per rule, most frequent first.
pub fn statistics(w: &mut impl Write, totals: &RuleTotals) -> io::Result<()> {
    let totals = totals.sorted();
    if totals.is_empty() {
        return writeln!(w, "no rule hit");
    }
    writeln!(w, "{:>7}  {:>6}  rule", "hits", "files")?;
    for (rule, hits, files) in &totals {
        writeln!(w, "{hits:>7}  {files:>6}  {rule}")?;
    }
    Ok(())
}

/// `--verbose`: what happened to a file, in one line. Skipped, refused
/// and failed files are left to [`problems`], which names them with the
/// reason.
pub fn verbose_file(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    let state = match &r.status {
        Status::Unchanged => "unchanged".to_string(),
        Status::Changed => format!("changed ({})", plural(r.hits.len(), "edit")),
        Status::Skipped(_) | Status::Refused(_) | Status::Failed(_) => return Ok(()),
    };
    writeln!(w, "{state}: {}", path_text(&r.path))
}

/// One line per file that was not processed, with the reason.
pub fn problems(w: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports {
        match &r.status {
            Status::Failed(why) => writeln!(w, "error: {}: {why}", path_text(&r.path))?,
            Status::Refused(why) => writeln!(w, "error: {}: {why}", path_text(&r.path))?,
            Status::Skipped(why) => writeln!(w, "skipped: {}: {why}", path_text(&r.path))?,
            _ => {}
        }
    }
    Ok(())
}

/// Temporary files of interrupted runs: those that could not be removed (or
/// checked), each with its path and why; those found and left by a run
/// that writes nothing there, counted (listed with `verbose`); those
/// removed, listed with `verbose`.
pub fn strays(w: &mut impl Write, strays: &[Stray], verbose: bool) -> io::Result<()> {
    let mut found = 0;
    for s in strays {
        match &s.fate {
            StrayFate::Kept(why) => writeln!(
                w,
                "warning: {}: stray temporary file of an interrupted run, {why}",
                path_text(&s.path)
            )?,
            StrayFate::Found => found += 1,
            StrayFate::Removed if verbose => writeln!(
                w,
                "removed stray temporary file of an interrupted run: {}",
                path_text(&s.path)
            )?,
            StrayFate::Removed => {}
        }
    }
    if found > 0 {
        let hint = if verbose { ":" } else { " (-v lists them)" };
        writeln!(
            w,
            "warning: {} of interrupted runs left beside the files; `mdscrub clean` removes them{hint}",
            plural(found, "stray temporary file")
        )?;
        if verbose {
            for s in strays.iter().filter(|s| s.fate == StrayFate::Found) {
                writeln!(w, "  {}", path_text(&s.path))?;
            }
        }
    }
    Ok(())
}

/// The note of a run a signal stopped.
pub fn interrupted(w: &mut impl Write, signal: &str, not_processed: usize) -> io::Result<()> {
    writeln!(
        w,
        "interrupted by {signal}: {} not processed; every file is as it was or fully cleaned",
        plural(not_processed, "file")
    )
}

/// `check` as text: a file that would change, its rules, and each hit.
pub fn check_text(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    if r.status != Status::Changed && r.review.is_empty() {
        return Ok(());
    }
    // Escaped once for all the lines of the file.
    let path = path_text(&r.path);
    if r.status != Status::Changed {
        writeln!(
            w,
            "{path}: review only ({} edits that --apply review would make)",
            r.review.len()
        )?;
    }
    if r.status == Status::Changed {
        let counts: Vec<String> = r
            .rule_counts()
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        writeln!(w, "{path}: would change ({})", counts.join(", "))?;
        for h in &r.hits {
            hit_line(w, &path, h)?;
        }
    }
    for h in &r.review {
        hit_line(w, &path, h)?;
    }
    Ok(())
}

/// One edit of a file (its path as [`path_text`] writes it), marked
/// `[review]` when it is a review-tier guess. Built in one buffer and
/// written at once: a dirty archive prints tens of thousands of these.
fn hit_line(w: &mut impl Write, path: &str, h: &Hit) -> io::Result<()> {
    let mut line = String::with_capacity(path.len() + 200);
    line.push_str("  ");
    line.push_str(path);
    line.push(':');
    push_number(&mut line, h.line);
    line.push(':');
    push_number(&mut line, h.column);
    line.push_str(": ");
    line.push_str(&h.rule);
    if h.tier == Tier::Review {
        line.push_str(" [review]");
    }
    line.push_str(": ");
    push_described(&mut line, &h.removed, &h.replacement);
    line.push('\n');
    w.write_all(line.as_bytes())
}

/// `n` in decimal, without the formatting machinery.
fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

/// A short description of one edit.
pub fn describe(removed: &str, replacement: &str) -> String {
    let mut out = String::new();
    push_described(&mut out, removed, replacement);
    out
}

/// [`describe`], onto `out`.
fn push_described(out: &mut String, removed: &str, replacement: &str) {
    match (removed.is_empty(), replacement.is_empty()) {
        (false, true) => {
            out.push_str("remove ");
            push_quoted_short(out, removed);
        }
        (true, false) => {
            out.push_str("insert ");
            push_quoted_short(out, replacement);
        }
        _ => {
            out.push_str("replace ");
            push_quoted_short(out, removed);
            out.push_str(" with ");
            push_quoted_short(out, replacement);
        }
    }
}

/// `s` on one line (`\r` dropped, `\n` shown as `⏎`), cut to 57 characters
/// and `…` when it has more than 60. Reads no further than it shows: a
/// removed tail may be long.
fn shorten(s: &str) -> String {
    let mut out = String::new();
    push_shortened(&mut out, s, |_| true);
    out
}

/// [`shorten`] of `s` onto `out`, as long as `accept` takes each character
/// it shows; false, with `out` part written, at the first it does not.
fn push_shortened(out: &mut String, s: &str, accept: impl Fn(char) -> bool) -> bool {
    let mut cut = None;
    for (n, c) in s.chars().filter(|&c| c != '\r').enumerate() {
        if n == 57 {
            cut = Some(out.len());
        }
        if n == 60 {
            out.truncate(cut.expect("set at 57"));
            out.push('…');
            return true;
        }
        let c = if c == '\n' { '⏎' } else { c };
        if !accept(c) {
            return false;
        }
        out.push(c);
    }
    true
}

/// A character `{:?}` writes as it is, known without the Unicode tables:
/// printable ASCII but `"` and `\\`, CJK ideographs, common CJK
/// punctuation, and the marks [`shorten`] writes.
fn plain(c: char) -> bool {
    (matches!(c, ' '..='~') && c != '"' && c != '\\')
        || mdscrub::learn::prints::is_cjk_ideograph(c)
        || mdscrub::learn::prints::is_common_cjk_punctuation(c)
        || c == '⏎'
        || c == '…'
}

/// `quoted(&shorten(s))` onto `out`, in one walk over what it shows; text
/// with a character that may need an escape goes the long way.
fn push_quoted_short(out: &mut String, s: &str) {
    let start = out.len();
    out.push('"');
    if push_shortened(out, s, plain) {
        out.push('"');
    } else {
        out.truncate(start);
        out.push_str(&quoted(&shorten(s)));
    }
}

/// `s` as `{:?}` writes it: in quotes, escaped. Text made only of characters
/// that need no escape ([`plain`]) is quoted as it is, without the Unicode
/// tables.
fn quoted(s: &str) -> String {
    if s.chars().all(plain) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        out
    } else {
        format!("{s:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_quote_as_debug_does() {
        let long = "长".repeat(70);
        let mixed = format!("{}\u{7}尾", "a".repeat(58));
        let cases = [
            "点赞",
            "a\r\nb",
            "say \"hi\"",
            "tab\there",
            "\u{200b}zero width",
            long.as_str(),
            mixed.as_str(),
            "…already",
            "",
        ];
        for removed in cases {
            for replacement in cases {
                let old = match (removed.is_empty(), replacement.is_empty()) {
                    (false, true) => format!("remove {:?}", shorten(removed)),
                    (true, false) => format!("insert {:?}", shorten(replacement)),
                    _ => format!(
                        "replace {:?} with {:?}",
                        shorten(removed),
                        shorten(replacement)
                    ),
                };
                assert_eq!(
                    describe(removed, replacement),
                    old,
                    "{removed:?} {replacement:?}"
                );
            }
        }
        let mut n = String::new();
        for k in [0, 7, 10, 12345, usize::MAX] {
            n.clear();
            push_number(&mut n, k);
            assert_eq!(n, k.to_string());
        }
    }

    #[test]
    fn quoting_without_tables_matches_debug() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("a{c}中");
            assert_eq!(quoted(&s), format!("{s:?}"), "{c:?}");
        }
    }

    #[test]
    fn descriptions_are_cut_at_sixty_characters() {
        let long = "字".repeat(70);
        let d = describe(&long, "");
        assert_eq!(d, format!("remove \"{}…\"", "字".repeat(57)));
        assert_eq!(
            describe(&"字".repeat(60), ""),
            format!("remove \"{}\"", "字".repeat(60))
        );
        assert_eq!(describe("a\r\nb", "c"), "replace \"a⏎b\" with \"c\"");
        assert_eq!(describe("", "\n\n"), "insert \"⏎⏎\"");
    }
}
