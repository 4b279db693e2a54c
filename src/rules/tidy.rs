//! `tidy`: after removals, whitespace-only lines become empty, runs of blank
//! lines collapse to one, and a file whose end was edited ends with exactly
//! one newline. Only next to edits made earlier in this run, never inside code
//! or raw HTML blocks.

use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind, overlaps};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct Tidy;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
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
        // Where the text's first line starts: after a byte-order mark, which
        // is never part of a blank run and never removed.
        let origin = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let mut done: std::collections::HashSet<Range<usize>> = std::collections::HashSet::new();
        let mut done_last: Option<Range<usize>> = None;
        for t in ctx.touched {
            // Lines around the edit: the one before it through the one after.
            let first = doc.content_line_start(t.start.min(text.len()).max(origin));
            let first = if first > origin {
                doc.content_line_start(first - 1)
            } else {
                origin
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
                // A run already looked at (many edits next to one long run
                // of blank lines): past it, without walking it again.
                if let Some(r) = done_last.as_ref().filter(|r| r.contains(&at)) {
                    at = r.end;
                    continue;
                }
                // A run of blank lines: extend both ways.
                let mut run_start = at;
                while run_start > origin {
                    let prev = doc.content_line_start(run_start - 1);
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
                done_last = Some(run.clone());
                // Before an indented line the number of blank lines can
                // decide what it is (code, or a continuation of a list item
                // or footnote): leave such runs alone.
                let indented_next = text[run_end..].starts_with([' ', '\t']);
                if indented_next || done.contains(&run) || html.iter().any(|h| overlaps(h, &run)) {
                    continue;
                }
                done.insert(run.clone());
                let eol = if text[run.clone()].contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let want = if run.start == origin || run.end == text.len() {
                    ""
                } else {
                    eol
                };
                if text[run.clone()] != *want {
                    // Kept as a deletion where it can be (the run's last line
                    // break stays): what another rule edits inside the run
                    // (the spaces of a blank line) then goes with it, in the
                    // same pass, instead of waiting for another.
                    if !want.is_empty() && text[run.clone()].ends_with(want) {
                        out.delete(run.start..run.end - want.len());
                    } else {
                        out.replace(run, want);
                    }
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

    fn follows_others(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::apply_once;

    /// Tidies `text` as if an edit had just been made at byte `at`.
    fn tidy(text: &str, at: usize) -> String {
        let touched: Vec<Range<usize>> = std::iter::once(at..at).collect();
        let ctx = Context {
            touched: &touched,
            ..Context::default()
        };
        apply_once(&*build(toml::Table::new()).unwrap(), text, &ctx)
    }

    #[test]
    fn blank_runs_next_to_an_edit_collapse() {
        assert_eq!(tidy("a\n\n  \n\nb\n", 2), "a\n\nb\n");
        assert_eq!(tidy("a\n\n\n\nb\n\n\n\nc\n", 2), "a\n\nb\n\n\n\nc\n");
    }

    #[test]
    fn blank_lines_at_the_start_go_but_a_bom_stays() {
        assert_eq!(tidy("\n\n# T\n", 0), "# T\n");
        assert_eq!(tidy("\u{feff}\n\n# T\n", 3), "\u{feff}# T\n");
        assert_eq!(tidy("\u{feff}  \n# T\n", 3), "\u{feff}# T\n");
    }
}
