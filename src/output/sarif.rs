//! `check --format sarif`: SARIF 2.1.0 for code-scanning tools.

use std::io::{self, Seek, Write};
use std::path::Path;

use mdscrub::config::RuleSet;
use mdscrub::edit::Change;
use mdscrub::report::{FileReport, Hit, Status};

use super::json::{ArrayOut, HOLE, cut_at_hole, path_string};
use super::patch::diff_path;
use super::text::describe;

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
                let fixes = fixes_by_hit(r);
                for (h, fix) in r.hits.iter().zip(fixes) {
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
                    if !fix.is_empty() {
                        result["fixes"] = json!([sarif_fix(&r.path, &fix)]);
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

/// The file's changes ([`FileReport::changes`]) handed out to its hits, so
/// that every change is the fix of exactly one result: a change goes to the
/// first hit inside its range (a hit of a later pass is located where the
/// text it grew from starts, so inside too), else to the nearest hit.
fn fixes_by_hit(r: &FileReport) -> Vec<Vec<&Change>> {
    let mut out: Vec<Vec<&Change>> = vec![Vec::new(); r.hits.len()];
    if r.hits.is_empty() {
        return out;
    }
    for c in &r.changes {
        let inside = r
            .hits
            .iter()
            .position(|h| c.range.start <= h.offset && h.offset <= c.range.end);
        let i = inside.unwrap_or_else(|| {
            let distance = |h: &Hit| h.offset.abs_diff(c.range.start);
            (0..r.hits.len())
                .min_by_key(|&i| distance(&r.hits[i]))
                .unwrap_or(0)
        });
        out[i].push(c);
    }
    out
}

/// One SARIF `fix` for `changes` of the file at `path`: text replacements
/// whose `deletedRegion`s are lines and columns of the unmodified file
/// (columns in Unicode code points, as the run's `columnKind` says; a byte
/// order mark is not counted, lines end at `\n`), in file order, with the
/// inserted text.
fn sarif_fix(path: &Path, changes: &[&Change]) -> serde_json::Value {
    use serde_json::json;
    let mut ids: Vec<&str> = Vec::new();
    let replacements: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            for r in &c.rules {
                if !ids.contains(&&**r) {
                    ids.push(r);
                }
            }
            let mut rep = json!({
                "deletedRegion": {
                    "startLine": c.start.line,
                    "startColumn": c.start.column,
                    "endLine": c.end.line,
                    "endColumn": c.end.column,
                },
            });
            if !c.replacement.is_empty() {
                rep["insertedContent"] = json!({ "text": c.replacement });
            }
            rep
        })
        .collect();
    json!({
        "description": { "text": format!("Clean as mdscrub would ({})", ids.join(", ")) },
        "artifactChanges": [{
            "artifactLocation": artifact(path),
            "replacements": replacements,
        }],
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::json::tests::sample_reports;

    #[test]
    fn streamed_sarif_is_the_whole_document_byte_for_byte() {
        let rules = RuleSet::default_rules();
        for n in 0..=3 {
            let reports = &sample_reports()[..n];
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
