//! `drop-line`: remove matching lines of a multi-line paragraph (lines joined
//! by soft or hard breaks), leaving the other lines as they are. When every
//! line matches, the whole paragraph goes.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, ShortText, default_max_chars, regex, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::{EditSink, Reach};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the line's visible text (markup removed, trimmed).
    pattern: String,
    /// Longest visible text, in characters, a dropped line may have.
    #[serde(default = "default_max_chars")]
    max_chars: usize,
    /// Images that share a matched line with its text go with it (a call to
    /// action's own GIF). Images on lines of their own always stay.
    #[serde(default)]
    glued_images: bool,
    /// Regex over the same text: a block (or line) it matches stays, though
    /// `pattern` matches it. A line that ends on a colon announces what the
    /// article says next (`在你分享转发之前，不妨先问问自己：`).
    #[serde(default)]
    unless: Option<String>,
}

#[derive(Debug)]
struct DropLine {
    text: ShortText,
    glued_images: bool,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(DropLine {
        text: ShortText {
            unless: s.unless.map(|u| regex("unless", &u)).transpose()?,
            ..ShortText::new(regex("pattern", &s.pattern)?, s.max_chars)
        },
        glued_images: s.glued_images,
    }))
}

/// The top-level inline children of a paragraph, cut at breaks.
pub(crate) fn lines(doc: &Document, para: NodeId) -> Vec<Vec<NodeId>> {
    let mut lines = vec![Vec::new()];
    for child in doc.children(para) {
        match doc.node(child).kind {
            Kind::SoftBreak | Kind::LineBreak => lines.push(Vec::new()),
            _ => lines.last_mut().expect("never empty").push(child),
        }
    }
    lines
}

impl Rule for DropLine {
    fn reach(&self) -> Reach {
        Reach::Blocks {
            headings: false,
            protected: false,
            glued_images: self.glued_images,
        }
    }

    fn may_fire_is_free(&self) -> bool {
        true
    }

    fn visible_needles(&self) -> Option<Vec<String>> {
        super::literals::visible_needles(self.text.pattern.as_str())
    }

    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            // A paragraph's lines are read alone.
            if node.kind != Kind::Paragraph || !node.trusted || !ctx.is_fresh(&node.range) {
                continue;
            }
            // The lines, their texts and code are shared by every rule of
            // this kind (and the fingerprints): worked out once per parse.
            let para = doc.para_lines(id);
            let lines = &para.lines;
            if lines.len() < 2 || para.has_empty() {
                continue;
            }
            let code = para.code(doc);
            let drop: Vec<bool> = (0..lines.len())
                .map(|k| !code[k] && self.text.is_match_measured(para.measured(doc, k)))
                .collect();
            if !drop.iter().any(|&d| d) {
                continue;
            }
            delete_lines(doc, id, lines, &drop, out);
        }
    }
}

/// Deletes the lines of paragraph `para` (cut as [`lines`] cuts them) whose
/// `drop` is true; all of them take the paragraph.
pub(crate) fn delete_lines(
    doc: &Document,
    para: NodeId,
    lines: &[Vec<NodeId>],
    drop: &[bool],
    out: &mut EditSink,
) {
    for range in line_deletions(doc, para, lines, drop) {
        out.delete(range);
    }
}

/// The ranges [`delete_lines`] deletes.
pub(crate) fn line_deletions(
    doc: &Document,
    para: NodeId,
    lines: &[Vec<NodeId>],
    drop: &[bool],
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if drop.iter().all(|&d| d) {
        out.extend(doc.removal_range(para));
        return out;
    }
    let start = |i: usize| doc.node(lines[i][0]).range.start;
    let end = |i: usize| doc.node(*lines[i].last().expect("non-empty")).range.end;
    let n = lines.len();
    let mut i = 0;
    while i < n {
        if !drop[i] {
            i += 1;
            continue;
        }
        let first = i;
        while i < n && drop[i] {
            i += 1;
        }
        if i < n {
            // Lines first..i go with their breaks; line i keeps its own
            // container prefix, line first-1 keeps its break.
            out.push(start(first)..start(i));
        } else {
            // The run reaches the last line: remove from the end of the
            // line before it, trailing spaces of the last line included.
            let mut stop = end(n - 1);
            let line_end = doc.trimmed(stop..doc.line_end(stop)).end;
            if doc.text[stop..line_end].trim().is_empty() {
                stop = line_end;
            }
            out.push(end(first - 1)..stop);
        }
    }
    out
}
