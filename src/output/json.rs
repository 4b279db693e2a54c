//! `check --format json`: one pretty-printed document, written as files come.
//! The array writer ([`ArrayOut`], [`cut_at_hole`]) serves the SARIF printer too.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use mdscrub::edit::{Change, TextPos, Tier};
use mdscrub::report::{FileReport, Hit, Status, Summary};

/// The JSON report (`check --format json`). Field order is the order below
/// and is stable; fields are only ever added.
#[derive(Serialize)]
struct JsonReport<F> {
    version: u32,
    files: F,
    #[serde(serialize_with = "totals")]
    totals: Summary,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    status: &'static str,
    reason: Option<Cow<'a, str>>,
    bytes_removed: i64,
    edits: Vec<JsonEdit<'a>>,
    /// Review-tier edits the run did not apply (`--apply review` would).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    review: Vec<JsonEdit<'a>>,
    /// What `clean` would write, as edits of the original text: sorted,
    /// apart, so that applied from the last to the first they give the
    /// cleaned text. Each lists the rules whose edits make it up.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fix: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    range: JsonRange,
    start: JsonPos,
    end: JsonPos,
    removed: &'a str,
    replacement: &'a str,
    rules: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonPos {
    line: usize,
    column: usize,
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
    tier: &'static str,
}

#[derive(Serialize)]
struct JsonRange {
    start: usize,
    end: usize,
}

/// A run's totals as the JSON report and the HTML report write them.
pub fn totals<S: Serializer>(s: &Summary, ser: S) -> Result<S::Ok, S::Error> {
    let mut t = ser.serialize_struct("Totals", 7)?;
    t.serialize_field("scanned", &s.scanned)?;
    t.serialize_field("changed", &s.changed)?;
    t.serialize_field("edits", &s.edits)?;
    t.serialize_field("bytes_removed", &s.bytes_removed)?;
    t.serialize_field("skipped", &s.skipped)?;
    t.serialize_field("refused", &s.refused)?;
    t.serialize_field("failed", &s.failed)?;
    t.end()
}

fn json_file(r: &FileReport) -> JsonFile<'_> {
    let (status, reason) = match &r.status {
        Status::Unchanged => ("unchanged", None),
        Status::Changed => ("would-change", None),
        Status::Skipped(why) => ("skipped", Some(Cow::Borrowed(why.as_str()))),
        Status::Refused(why) => ("refused", Some(Cow::Owned(why.to_string()))),
        Status::Failed(why) => ("failed", Some(Cow::Owned(why.to_string()))),
    };
    JsonFile {
        path: path_string(&r.path),
        status,
        reason,
        bytes_removed: r.bytes_removed,
        edits: r.hits.iter().map(json_edit).collect(),
        review: r.review.iter().map(json_edit).collect(),
        fix: r.changes.iter().map(json_change).collect(),
    }
}

fn json_change(c: &Change) -> JsonChange<'_> {
    let pos = |p: &TextPos| JsonPos {
        line: p.line,
        column: p.column,
    };
    JsonChange {
        range: JsonRange {
            start: c.range.start,
            end: c.range.end,
        },
        start: pos(&c.start),
        end: pos(&c.end),
        removed: &c.removed,
        replacement: &c.replacement,
        rules: c.rules.iter().map(|r| &**r).collect(),
    }
}

fn json_edit(h: &Hit) -> JsonEdit<'_> {
    JsonEdit {
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
        tier: match h.tier {
            Tier::Safe => "safe",
            Tier::Review => "review",
        },
    }
}

/// Stands for an array that is written piece by piece: a document holding it
/// is pretty-printed and cut in two around it.
pub const HOLE: &str = "\u{1}mdscrub-array\u{1}";

/// `doc` pretty-printed (as `serde_json::to_writer_pretty` does) and cut
/// around the [`HOLE`]: the text before it, the text after it and the
/// indentation of the line it is on.
pub fn cut_at_hole(doc: &impl Serialize) -> io::Result<(String, String, String)> {
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
pub struct ArrayOut {
    /// Indentation of the line the array opens on.
    pub indent: String,
    pub len: usize,
}

impl ArrayOut {
    pub fn item(&mut self, w: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
        let inner = format!("\n{}  ", self.indent);
        w.write_all(if self.len == 0 { b"[" } else { b"," })?;
        w.write_all(inner.as_bytes())?;
        // Strings escape their line breaks: every '\n' is between tokens.
        let text = serde_json::to_string_pretty(value)?;
        w.write_all(text.replace('\n', &inner).as_bytes())?;
        self.len += 1;
        Ok(())
    }

    pub fn close(self, w: &mut impl Write) -> io::Result<()> {
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
            totals: Summary::default(),
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
            totals: s.clone(),
        })?;
        self.open(w)?;
        self.files.close(w)?;
        w.write_all(after.as_bytes())?;
        writeln!(w)
    }
}

pub fn path_string(p: &Path) -> String {
    mdscrub::report::path_text(p)
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use mdscrub::fsio::ReadError;
    use mdscrub::report::FileError;
    use std::path::PathBuf;
    use std::sync::Arc;

    /// A changed file (with a quote in its path), an unchanged one and a failed one.
    pub fn sample_reports() -> Vec<FileReport> {
        let hit = |line, removed: &str, replacement: &str| Hit {
            rule: Arc::from("strip-x"),
            line,
            column: 3,
            offset: 10 * line,
            end: 10 * line + 4,
            pass: 1,
            removed: removed.into(),
            replacement: replacement.into(),
            tier: Default::default(),
        };
        let mut changed = FileReport::new(PathBuf::from("a/b \"q\".md"));
        changed.status = Status::Changed;
        changed.bytes_removed = 12;
        changed.hits = vec![hit(1, "x\ny", ""), hit(2, "", "z\t")];
        let mut failed = FileReport::new(PathBuf::from("c.md"));
        failed.status = Status::Failed(FileError::Read(Arc::new(ReadError::Io(io::Error::other(
            "denied",
        )))));
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
            let reports = &sample_reports()[..n];
            let whole = JsonReport {
                version: 1,
                files: reports.iter().map(json_file).collect::<Vec<_>>(),
                totals: Summary::of(reports),
            };
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(streamed_json(reports), expected, "{n} files");
        }
    }
}
