//! `split-glued-images`: an image glued into paragraph text goes onto its own
//! line as its own paragraph. The text around it is kept byte for byte (it is
//! often the image's caption); only the whitespace at the seam is replaced.
//!
//! Only images that are direct children of a paragraph are moved: an image
//! inside emphasis or a link with text would break that markup.

use std::ops::Range;

use serde::Deserialize;

use super::drop_image::{image_unit, is_blank_inline};
use super::{Context, Rule, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::EditSink;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {}

#[derive(Debug)]
struct SplitGluedImages;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, String> {
    let _: Settings = settings(table)?;
    Ok(Box::new(SplitGluedImages))
}

impl Rule for SplitGluedImages {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (id, node) in doc.nodes.iter().enumerate() {
            if node.kind != Kind::Paragraph || !node.trusted {
                continue;
            }
            let children: Vec<NodeId> = doc.children(id).collect();
            let is_image = |c: NodeId| {
                matches!(doc.node(c).kind, Kind::Image(_))
                    || (matches!(doc.node(c).kind, Kind::Link(_))
                        && doc.children(c).count() == 1
                        && doc.children(c).all(|g| {
                            matches!(doc.node(g).kind, Kind::Image(_)) && image_unit(doc, g) == c
                        }))
            };
            let has_text = children
                .iter()
                .any(|&c| !is_image(c) && !is_blank_inline(doc, c));
            if !has_text || !children.iter().any(|&c| is_image(c)) {
                continue;
            }
            let Some(seam) = Seam::of(doc, id) else {
                continue;
            };
            // Group children into runs: image units, and stretches of other
            // content; blank inlines between them are the seam.
            let mut prev: Option<(NodeId, bool)> = None; // last non-blank child, is image
            let mut gap_start: Option<usize> = None;
            for &c in &children {
                if matches!(doc.node(c).kind, Kind::SoftBreak | Kind::LineBreak)
                    || is_blank_inline(doc, c)
                {
                    if gap_start.is_none() {
                        gap_start = prev.map(|(p, _)| doc.node(p).range.end);
                    }
                    continue;
                }
                let image = is_image(c);
                if let Some((p, p_image)) = prev
                    && (image || p_image)
                {
                    let from = gap_start.unwrap_or(doc.node(p).range.end);
                    let to = doc.node(c).range.start;
                    if image && p_image {
                        // Images side by side stay as they are.
                    } else if let Some(r) = seam.whitespace(doc, from..to) {
                        out.replace(r, seam.separator.clone());
                    }
                }
                prev = Some((c, image));
                gap_start = None;
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["![".into()])
    }
}

/// How to break a paragraph in two where it sits: the line ending it uses
/// and the container prefix (block quote markers, list indentation).
struct Seam {
    separator: String,
}

impl Seam {
    fn of(doc: &Document, para: NodeId) -> Option<Seam> {
        let start = doc.node(para).range.start;
        let line_start = doc.line_start(start);
        let prefix = &doc.text[line_start..start];
        // Markers of list items become spaces on continuation lines.
        let continuation: String = prefix
            .chars()
            .map(|c| {
                if c == '>' || c == ' ' || c == '\t' {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        if !continuation.is_ascii() {
            return None;
        }
        let blank = continuation.trim_end().to_string();
        let line_end = doc.line_end(start);
        let eol = if doc.text[..line_end].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        Some(Seam {
            separator: format!("{eol}{blank}{eol}{continuation}"),
        })
    }

    /// The gap to replace: it must hold only whitespace (line breaks included,
    /// plus hard-break backslashes and container prefixes on new lines).
    fn whitespace(&self, doc: &Document, gap: Range<usize>) -> Option<Range<usize>> {
        let s = &doc.text[gap.clone()];
        let ok = s
            .chars()
            .all(|c| c.is_whitespace() || c == '>' || c == '\\');
        (ok && !s.contains("\\\\")).then_some(gap)
    }
}
