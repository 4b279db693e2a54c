//! `tidy`: after removals, whitespace-only lines become empty, runs of blank
//! lines collapse to one, and a file whose end was edited ends with exactly
//! one newline. Only next to edits made earlier in this run, never inside code
//! or raw HTML blocks.

use std::ops::Range;

use serde::Deserialize;

use super::{Context, Rule, settings};
use crate::document::{Document, Kind, overlaps};
use crate::edit::EditSink;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {}

#[derive(Debug)]
struct Tidy;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, String> {
    let _: Settings = settings(table)?;
    Ok(Box::new(Tidy))
}

fn is_blank(line: &str) -> bool {
    line.trim_end_matches(['\n', '\r'])
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

impl Rule for Tidy {
    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        if ctx.touched.is_empty() {
            return;
        }
        let text = doc.text;
        let html: Vec<Range<usize>> = doc
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::HtmlBlock)
            .map(|n| n.range.clone())
            .collect();
        let mut done: Vec<Range<usize>> = Vec::new();
        for t in ctx.touched {
            // Lines around the edit: the one before it through the one after.
            let first = doc.line_start(t.start.min(text.len()));
            let first = if first > 0 {
                doc.line_start(first - 1)
            } else {
                0
            };
            let mut at = first;
            let stop = doc.line_end(t.end.min(text.len()));
            let stop = doc.line_end(stop.min(text.len()));
            while at < stop.min(text.len()) {
                let end = doc.line_end(at);
                if !is_blank(&text[at..end]) {
                    at = end;
                    continue;
                }
                // A run of blank lines: extend both ways.
                let mut run_start = at;
                while run_start > 0 {
                    let prev = doc.line_start(run_start - 1);
                    if !is_blank(&text[prev..run_start]) {
                        break;
                    }
                    run_start = prev;
                }
                let mut run_end = end;
                while run_end < text.len() {
                    let next = doc.line_end(run_end);
                    if !is_blank(&text[run_end..next]) {
                        break;
                    }
                    run_end = next;
                }
                at = run_end;
                let run = run_start..run_end;
                if done.contains(&run) || html.iter().any(|h| overlaps(h, &run)) {
                    continue;
                }
                done.push(run.clone());
                let eol = if text[run.clone()].contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let want = if run.start == 0 || run.end == text.len() {
                    ""
                } else {
                    eol
                };
                if text[run.clone()] != *want {
                    out.replace(run, want);
                }
            }
        }
        // The end of the file was edited: exactly one newline there.
        let end_touched = ctx.touched.iter().any(|t| t.end + 2 >= text.len());
        if end_touched
            && !text.is_empty()
            && !text.ends_with('\n')
            && !doc.touches_code(&(text.len() - 1..text.len()))
        {
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            out.insert(text.len(), eol);
        }
    }

    fn settles(&self) -> bool {
        true
    }
}
