//! Printers: turn reports into text for people, CI annotations or JSON.
//! Each takes a `Write`, so tests capture output in a buffer.

use std::io::{self, Write};
use std::path::Path;

use mdscrub::report::{FileReport, Status, Summary};

/// The one-line summary of a run.
pub fn summary(w: &mut impl Write, s: &Summary, changed_word: &str) -> io::Result<()> {
    write!(
        w,
        "{} files scanned, {} {changed_word}, {} edits, {} bytes removed",
        s.scanned, s.changed, s.edits, s.bytes_removed
    )?;
    if s.refused > 0 {
        write!(w, ", {} refused", s.refused)?;
    }
    if s.skipped > 0 {
        write!(w, ", {} skipped", s.skipped)?;
    }
    writeln!(w, ", {} failed", s.failed)
}

/// One line per file that was not processed, with the reason.
pub fn problems(w: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports {
        match &r.status {
            Status::Failed(why) => writeln!(w, "error: {}: {why}", r.path.display())?,
            Status::Refused(why) => writeln!(w, "error: {}: {why}", r.path.display())?,
            Status::Skipped(why) => writeln!(w, "skipped: {}: {why}", r.path.display())?,
            _ => {}
        }
    }
    Ok(())
}

/// `check` as text: each file that would change, its rules, and each hit.
pub fn check_text(w: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports.iter().filter(|r| r.status == Status::Changed) {
        let counts: Vec<String> = r
            .rule_counts()
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        writeln!(
            w,
            "{}: would change ({})",
            r.path.display(),
            counts.join(", ")
        )?;
        for h in &r.hits {
            writeln!(
                w,
                "  {}:{}:{}: {}: {}",
                r.path.display(),
                h.line,
                h.column,
                h.rule,
                describe(&h.removed, &h.replacement)
            )?;
        }
    }
    Ok(())
}

/// A short description of one edit.
fn describe(removed: &str, replacement: &str) -> String {
    let shorten = |s: &str| {
        let one_line = s.replace('\r', "").replace('\n', "⏎");
        if one_line.chars().count() > 60 {
            let cut: String = one_line.chars().take(57).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    };
    match (removed.is_empty(), replacement.is_empty()) {
        (false, true) => format!("remove {:?}", shorten(removed)),
        (true, false) => format!("insert {:?}", shorten(replacement)),
        _ => format!(
            "replace {:?} with {:?}",
            shorten(removed),
            shorten(replacement)
        ),
    }
}

/// `check --format github`: one workflow annotation per hit.
pub fn check_github(w: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    let esc_prop = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let esc_msg = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    for r in reports {
        let file = esc_prop(&r.path.display().to_string());
        match &r.status {
            Status::Changed => {
                for h in &r.hits {
                    writeln!(
                        w,
                        "::warning file={file},line={},col={},title={}::{}",
                        h.line,
                        h.column,
                        esc_prop(&h.rule),
                        esc_msg(&describe(&h.removed, &h.replacement))
                    )?;
                }
            }
            Status::Failed(why) | Status::Refused(why) => {
                writeln!(w, "::error file={file}::{}", esc_msg(why))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `check --format json`: one document with every file, edit and the totals.
pub fn check_json(w: &mut impl Write, reports: &[FileReport], s: &Summary) -> io::Result<()> {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .filter(|r| r.status != Status::Unchanged)
        .map(|r| {
            let (status, reason) = match &r.status {
                Status::Unchanged => ("unchanged", None),
                Status::Changed => ("would-change", None),
                Status::Skipped(why) => ("skipped", Some(why)),
                Status::Refused(why) => ("refused", Some(why)),
                Status::Failed(why) => ("failed", Some(why)),
            };
            let edits: Vec<serde_json::Value> = r
                .hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "rule": &*h.rule,
                        "line": h.line,
                        "column": h.column,
                        "offset": h.offset,
                        "pass": h.pass,
                        "removed": h.removed,
                        "replacement": h.replacement,
                    })
                })
                .collect();
            serde_json::json!({
                "path": path_string(&r.path),
                "status": status,
                "reason": reason,
                "bytes_removed": r.bytes_removed,
                "edits": edits,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "version": 1,
        "files": files,
        "totals": {
            "scanned": s.scanned,
            "changed": s.changed,
            "edits": s.edits,
            "bytes_removed": s.bytes_removed,
            "skipped": s.skipped,
            "refused": s.refused,
            "failed": s.failed,
        },
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

fn path_string(p: &Path) -> String {
    p.display().to_string()
}

/// Unified diffs of every changed file, `a/` and `b/` prefixed, so that
/// `git apply` reproduces what `clean` writes.
pub fn diff(w: &mut impl Write, reports: &[FileReport], color: bool) -> io::Result<()> {
    for r in reports {
        let Some((old, new)) = &r.text else { continue };
        let path = path_string(&r.path);
        let path = path.trim_start_matches("./");
        let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        if !color {
            w.write_all(text.as_bytes())?;
            continue;
        }
        for line in text.split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                "\x1b[1m"
            } else if line.starts_with('+') {
                "\x1b[32m"
            } else if line.starts_with('-') {
                "\x1b[31m"
            } else if line.starts_with("@@") {
                "\x1b[36m"
            } else {
                ""
            };
            if style.is_empty() {
                w.write_all(line.as_bytes())?;
            } else {
                let body = line.trim_end_matches(['\n']);
                write!(w, "{style}{body}\x1b[0m")?;
                if line.ends_with('\n') {
                    writeln!(w)?;
                }
            }
        }
    }
    Ok(())
}

/// `diff --stat`: per file, lines removed and added and the rules that hit.
pub fn diff_stat(w: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports {
        let Some((old, new)) = &r.text else { continue };
        let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
        let (mut del, mut ins) = (0, 0);
        for change in diff.iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Delete => del += 1,
                similar::ChangeTag::Insert => ins += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        let rules: Vec<String> = r
            .rule_counts()
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        writeln!(
            w,
            "{} | -{del} +{ins} | {}",
            r.path.display(),
            rules.join(", ")
        )?;
    }
    Ok(())
}
