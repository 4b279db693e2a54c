//! Printers: turn reports into text for people, CI annotations or JSON.
//! Each takes a `Write`, so tests capture output in a buffer.

use std::io::{self, Seek, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use mdscrub::config::RuleSet;
use mdscrub::report::{FileReport, Status, Summary};
use mdscrub::walk::slash_path;

/// The one-line summary of a run, with its time.
pub fn summary(
    w: &mut impl Write,
    s: &Summary,
    changed_word: &str,
    elapsed: Duration,
) -> io::Result<()> {
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
    writeln!(w, ", {} failed in {:.2}s", s.failed, elapsed.as_secs_f64())
}

/// Hits and files per rule over changed files, folded one report at a time.
#[derive(Debug, Default)]
pub struct RuleTotals(Vec<(Arc<str>, usize, usize)>);

impl RuleTotals {
    /// Counts one report (only changed files count).
    pub fn add(&mut self, r: &FileReport) {
        if r.status != Status::Changed {
            return;
        }
        for (rule, n) in r.rule_counts() {
            match self.0.iter_mut().find(|(id, _, _)| *id == rule) {
                Some(t) => {
                    t.1 += n;
                    t.2 += 1;
                }
                None => self.0.push((rule, n, 1)),
            }
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

/// `--verbose`: what happened to a file, in one line.
pub fn verbose_file(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    {
        let state = match &r.status {
            Status::Unchanged => "unchanged".to_string(),
            Status::Changed => format!("changed ({} edits)", r.hits.len()),
            Status::Skipped(_) => "skipped".into(),
            Status::Refused(_) => "refused".into(),
            Status::Failed(_) => "failed".into(),
        };
        writeln!(w, "{state}: {}", r.path.display())?;
    }
    Ok(())
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

/// `check` as text: a file that would change, its rules, and each hit.
pub fn check_text(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    if r.status == Status::Changed {
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

/// `check --format github`: one workflow annotation per hit of a file.
pub fn check_github(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
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
    {
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

/// The JSON report (`check --format json`). Field order is the order below
/// and is stable; fields are only ever added.
#[derive(Serialize)]
struct JsonReport<F> {
    version: u32,
    files: F,
    totals: JsonTotals,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    status: &'static str,
    reason: Option<&'a str>,
    bytes_removed: i64,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    rule: &'a str,
    line: usize,
    column: usize,
    range: JsonRange,
    pass: usize,
    removed: &'a str,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct JsonTotals {
    scanned: usize,
    changed: usize,
    edits: usize,
    bytes_removed: i64,
    skipped: usize,
    refused: usize,
    failed: usize,
}

impl JsonTotals {
    fn of(s: &Summary) -> JsonTotals {
        JsonTotals {
            scanned: s.scanned,
            changed: s.changed,
            edits: s.edits,
            bytes_removed: s.bytes_removed,
            skipped: s.skipped,
            refused: s.refused,
            failed: s.failed,
        }
    }
}

fn json_file(r: &FileReport) -> JsonFile<'_> {
    let (status, reason) = match &r.status {
        Status::Unchanged => ("unchanged", None),
        Status::Changed => ("would-change", None),
        Status::Skipped(why) => ("skipped", Some(why.as_str())),
        Status::Refused(why) => ("refused", Some(why.as_str())),
        Status::Failed(why) => ("failed", Some(why.as_str())),
    };
    JsonFile {
        path: path_string(&r.path),
        status,
        reason,
        bytes_removed: r.bytes_removed,
        edits: r
            .hits
            .iter()
            .map(|h| JsonEdit {
                rule: &h.rule,
                line: h.line,
                column: h.column,
                range: JsonRange {
                    start: h.offset,
                    end: h.end,
                },
                pass: h.pass,
                removed: &h.removed,
                replacement: &h.replacement,
            })
            .collect(),
    }
}

/// Stands for an array that is written piece by piece: a document holding it
/// is pretty-printed and cut in two around it.
const HOLE: &str = "\u{1}mdscrub-array\u{1}";

/// `doc` pretty-printed (as `serde_json::to_writer_pretty` does) and cut
/// around the [`HOLE`]: the text before it, the text after it and the
/// indentation of the line it is on.
fn cut_at_hole(doc: &impl Serialize) -> io::Result<(String, String, String)> {
    let text = serde_json::to_string_pretty(doc)?;
    let hole = serde_json::to_string(HOLE)?;
    let at = text
        .find(&hole)
        .ok_or_else(|| io::Error::other("no hole"))?;
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line..].chars().take_while(|&c| c == ' ').collect();
    Ok((
        text[..at].to_string(),
        text[at + hole.len()..].to_string(),
        indent,
    ))
}

/// A pretty-printed JSON array written one element at a time, byte for byte
/// as `serde_json::to_writer_pretty` would write it at this indentation.
struct ArrayOut {
    /// Indentation of the line the array opens on.
    indent: String,
    len: usize,
}

impl ArrayOut {
    fn item(&mut self, w: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
        let inner = format!("\n{}  ", self.indent);
        w.write_all(if self.len == 0 { b"[" } else { b"," })?;
        w.write_all(inner.as_bytes())?;
        // Strings escape their line breaks: every '\n' is between tokens.
        let text = serde_json::to_string_pretty(value)?;
        w.write_all(text.replace('\n', &inner).as_bytes())?;
        self.len += 1;
        Ok(())
    }

    fn close(self, w: &mut impl Write) -> io::Result<()> {
        if self.len == 0 {
            w.write_all(b"[]")
        } else {
            write!(w, "\n{}]", self.indent)
        }
    }
}

/// `check --format json` written as files come: one document with every
/// file (in the order given: by path), every edit and the totals, the same
/// bytes as the whole document pretty-printed at once.
pub struct JsonStream {
    /// The opening, until it is written with the first file.
    opening: Option<String>,
    files: ArrayOut,
}

impl JsonStream {
    /// A document not yet opened: nothing is written before the first file
    /// (or the end), so a run that fails early prints nothing.
    pub fn new() -> io::Result<JsonStream> {
        let (before, _, indent) = cut_at_hole(&JsonReport {
            version: 1,
            files: HOLE,
            totals: JsonTotals::of(&Summary::default()),
        })?;
        Ok(JsonStream {
            opening: Some(before),
            files: ArrayOut { indent, len: 0 },
        })
    }

    fn open(&mut self, w: &mut impl Write) -> io::Result<()> {
        match self.opening.take() {
            Some(text) => w.write_all(text.as_bytes()),
            None => Ok(()),
        }
    }

    /// Writes one file's entry.
    pub fn file(&mut self, w: &mut impl Write, r: &FileReport) -> io::Result<()> {
        self.open(w)?;
        self.files.item(w, &json_file(r))
    }

    /// Writes the totals and closes the document.
    pub fn end(mut self, w: &mut impl Write, s: &Summary) -> io::Result<()> {
        let (_, after, _) = cut_at_hole(&JsonReport {
            version: 1,
            files: HOLE,
            totals: JsonTotals::of(s),
        })?;
        self.open(w)?;
        self.files.close(w)?;
        w.write_all(after.as_bytes())?;
        writeln!(w)
    }
}

/// A SARIF artifact location: a percent-encoded URI relative to the current
/// folder (`%SRCROOT%`), or a `file://` URI for a path outside it.
fn artifact(p: &Path) -> serde_json::Value {
    let rel = diff_path(p);
    let mut out = String::new();
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if rel.starts_with('/') {
        serde_json::json!({ "uri": format!("file://{out}") })
    } else {
        serde_json::json!({ "uri": out, "uriBaseId": "%SRCROOT%" })
    }
}

/// `check --format sarif` written as files come: SARIF 2.1.0 with one run,
/// one rule entry per rule id of the active set, one result per hit, and
/// failed files as tool notifications. The notifications come before the
/// results in the document, so results wait in a spool (in memory up to a
/// few MiB, then in an anonymous temporary file) until the end.
pub struct SarifStream {
    results: ArrayOut,
    spool: io::BufWriter<tempfile::SpooledTempFile>,
    notifications: Vec<serde_json::Value>,
}

/// Results kept in memory before the spool moves to a temporary file.
const SPOOL_IN_MEMORY: usize = 4 << 20;

impl SarifStream {
    pub fn begin(rules: &RuleSet) -> io::Result<SarifStream> {
        let (_, _, indent) = cut_at_hole(&sarif_doc(HOLE, Vec::new(), rules))?;
        Ok(SarifStream {
            results: ArrayOut { indent, len: 0 },
            spool: io::BufWriter::new(tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY)),
            notifications: Vec::new(),
        })
    }

    /// Takes one file's results (or its notification).
    pub fn file(&mut self, r: &FileReport, rules: &RuleSet) -> io::Result<()> {
        use serde_json::json;
        match &r.status {
            Status::Changed => {
                for h in &r.hits {
                    let mut result = json!({
                        "ruleId": &*h.rule,
                        "level": "warning",
                        "message": { "text": describe(&h.removed, &h.replacement) },
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": artifact(&r.path),
                                "region": {
                                    "startLine": h.line,
                                    "startColumn": h.column,
                                    "byteOffset": h.offset,
                                    "byteLength": h.end - h.offset,
                                },
                            },
                        }],
                    });
                    if let Some(i) = rules.rules.iter().position(|a| *a.id == *h.rule) {
                        result["ruleIndex"] = json!(i);
                    }
                    self.results.item(&mut self.spool, &result)?;
                }
            }
            Status::Failed(why) | Status::Refused(why) => self.notifications.push(json!({
                "level": "error",
                "message": { "text": format!("{}: {why}", path_string(&r.path)) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&r.path),
                    },
                }],
            })),
            _ => {}
        }
        Ok(())
    }

    /// Writes the whole document.
    pub fn end(self, w: &mut impl Write, rules: &RuleSet) -> io::Result<()> {
        let (before, after, _) = cut_at_hole(&sarif_doc(HOLE, self.notifications, rules))?;
        w.write_all(before.as_bytes())?;
        let mut spool = self.spool.into_inner().map_err(|e| e.into_error())?;
        spool.seek(io::SeekFrom::Start(0))?;
        if self.results.len > 0 {
            io::copy(&mut spool, w)?;
        }
        self.results.close(w)?;
        w.write_all(after.as_bytes())?;
        writeln!(w)
    }
}

/// The SARIF document around its results.
fn sarif_doc(
    results: &str,
    notifications: Vec<serde_json::Value>,
    rules: &RuleSet,
) -> serde_json::Value {
    use serde_json::json;
    let sarif_rules: Vec<serde_json::Value> = rules
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": &*r.id,
                "name": &*r.id,
                "shortDescription": { "text": r.description },
                "fullDescription": { "text": format!("{} (kind {})", r.description, r.kind) },
                "defaultConfiguration": { "level": "warning" },
                "properties": { "kind": r.kind },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mdscrub",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": sarif_rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn path_string(p: &Path) -> String {
    p.display().to_string()
}

/// A diff header path as git writes it: as is when it is plain printable
/// ASCII without spaces, else in double quotes with C escapes (octal for
/// bytes outside ASCII), which both `git apply` and `patch` read.
fn quote_path(p: &str) -> String {
    let plain = |b: u8| b.is_ascii_graphic() && b != b'"' && b != b'\\';
    if p.bytes().all(plain) {
        return p.to_string();
    }
    let mut out = String::from("\"");
    for b in p.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b' ' => out.push(' '),
            b if plain(b) => out.push(b as char),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// A path for diff headers: relative to the current folder when it is below
/// it, `/`-separated, without `./`.
fn diff_path(p: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    slash_path(rel.as_deref().unwrap_or(p))
}

/// The unified diff of a changed file, `a/` and `b/` prefixed, so that
/// `git apply` reproduces what `clean` writes.
pub fn diff(w: &mut impl Write, r: &FileReport, color: bool) -> io::Result<()> {
    {
        let Some((old, new)) = &r.text else {
            return Ok(());
        };
        let path = diff_path(&r.path);
        let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(
                &quote_path(&format!("a/{path}")),
                &quote_path(&format!("b/{path}")),
            )
            .to_string();
        if !color {
            return w.write_all(text.as_bytes());
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

/// `diff --stat`: a file's lines removed and added and the rules that hit.
pub fn diff_stat(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    {
        let Some((old, new)) = &r.text else {
            return Ok(());
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use mdscrub::report::Hit;
    use std::path::PathBuf;

    fn reports() -> Vec<FileReport> {
        let hit = |line, removed: &str, replacement: &str| Hit {
            rule: Arc::from("strip-x"),
            line,
            column: 3,
            offset: 10 * line,
            end: 10 * line + 4,
            pass: 1,
            removed: removed.into(),
            replacement: replacement.into(),
        };
        let mut changed = FileReport::new(PathBuf::from("a/b \"q\".md"));
        changed.status = Status::Changed;
        changed.bytes_removed = 12;
        changed.hits = vec![hit(1, "x\ny", ""), hit(2, "", "z\t")];
        let mut failed = FileReport::new(PathBuf::from("c.md"));
        failed.status = Status::Failed("cannot read: denied".into());
        vec![changed, FileReport::new(PathBuf::from("d.md")), failed]
    }

    fn streamed_json(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        let mut json = JsonStream::new().unwrap();
        for r in reports {
            json.file(&mut out, r).unwrap();
        }
        json.end(&mut out, &Summary::of(reports)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_json_is_the_whole_document_byte_for_byte() {
        for n in 0..=3 {
            let reports = &reports()[..n];
            let whole = JsonReport {
                version: 1,
                files: reports.iter().map(json_file).collect::<Vec<_>>(),
                totals: JsonTotals::of(&Summary::of(reports)),
            };
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(streamed_json(reports), expected, "{n} files");
        }
    }

    #[test]
    fn streamed_sarif_is_the_whole_document_byte_for_byte() {
        let rules = RuleSet::default_rules();
        for n in 0..=3 {
            let reports = &reports()[..n];
            let mut stream = SarifStream::begin(&rules).unwrap();
            for r in reports {
                stream.file(r, &rules).unwrap();
            }
            let notifications = stream.notifications.clone();
            assert_eq!(notifications.len(), usize::from(n == 3));
            let mut out = Vec::new();
            stream.end(&mut out, &rules).unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let hits: usize = reports
                .iter()
                .filter(|r| r.status == Status::Changed)
                .map(|r| r.hits.len())
                .sum();
            assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), hits);
            // The same document serialised whole.
            let mut whole = sarif_doc(HOLE, notifications, &rules);
            whole["runs"][0]["results"] = doc["runs"][0]["results"].clone();
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{n} files");
        }
    }
}
