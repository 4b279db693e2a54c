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
                    // Spaces at the end of the text before the seam, or at the
                    // start of the text after it, belong to the seam: left in
                    // place they would trail or lead a line.
                    let from = gap_start.unwrap_or(doc.node(p).range.end);
                    let from = if p_image {
                        from
                    } else {
                        from - trailing_spaces(doc, p)
                    };
                    let to = doc.node(c).range.start;
                    let to = if image {
                        to
                    } else {
                        to + leading_spaces(doc, c)
                    };
                    if (image && p_image) || (!image && could_open_block(&doc.text[to..])) {
                        // Images side by side stay as they are; text that
                        // would start a fence, heading, list, definition…
                        // on a line of its own stays glued.
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

    fn may_fire(&self, text: &str) -> bool {
        crate::prefilter::raw::may_have_glued_image(text)
    }
}

/// True when a line starting with `s` could open something other than a
/// paragraph (a code fence, heading, quote, list item, thematic break, HTML
/// block, table, reference definition, indented code): moving such text to a
/// line of its own would change what it is.
fn could_open_block(s: &str) -> bool {
    match s.chars().next() {
        Some(
            '`' | '~' | '#' | '>' | '-' | '+' | '*' | '_' | '=' | '|' | '<' | '[' | ' ' | '\t',
        ) => true,
        Some(c) if c.is_ascii_digit() => s
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(['.', ')']),
        _ => false,
    }
}

/// Spaces and tabs ending a text node (0 for other nodes, or a text of
/// nothing but spaces).
fn trailing_spaces(doc: &Document, id: NodeId) -> usize {
    if !matches!(doc.node(id).kind, Kind::Text(_)) {
        return 0;
    }
    let src = doc.src(id);
    let kept = src.trim_end_matches([' ', '\t']).len();
    if kept == 0 { 0 } else { src.len() - kept }
}

/// Spaces and tabs starting a text node (0 for other nodes, or a text of
/// nothing but spaces).
fn leading_spaces(doc: &Document, id: NodeId) -> usize {
    if !matches!(doc.node(id).kind, Kind::Text(_)) {
        return 0;
    }
    let src = doc.src(id);
    let kept = src.trim_start_matches([' ', '\t']).len();
    if kept == 0 { 0 } else { src.len() - kept }
}

/// How to break a paragraph in two where it sits: the line ending it uses
/// and the container prefix (block quote markers, list indentation).
struct Seam {
    separator: String,
}

impl Seam {
    fn of(doc: &Document, para: NodeId) -> Option<Seam> {
        let start = doc.node(para).range.start;
        let line_start = doc.content_line_start(start);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit;
    use std::sync::Arc;

    fn split(text: &str) -> String {
        let rule = build(toml::Table::new()).unwrap();
        let doc = Document::parse(text);
        let id: Arc<str> = Arc::from("glued-image");
        let mut edits = Vec::new();
        rule.check(
            &doc,
            &Context::default(),
            &mut EditSink::new(&id, &mut edits),
        );
        let edits = edit::resolve(text, edits, &doc.protected);
        edit::apply(text, &edits)
    }

    #[test]
    fn image_inside_text_gets_its_own_paragraph() {
        assert_eq!(
            split("前文![](https://x/a.jpg)图注\n"),
            "前文\n\n![](https://x/a.jpg)\n\n图注\n"
        );
    }

    #[test]
    fn spaces_at_the_seam_do_not_trail_or_lead_a_line() {
        assert_eq!(
            split("前文 ![](https://x/a.jpg)  图注\n"),
            "前文\n\n![](https://x/a.jpg)\n\n图注\n"
        );
    }

    #[test]
    fn a_bom_is_not_a_line_prefix() {
        assert_eq!(
            split("\u{feff}前文![](https://x/a.jpg)\n"),
            "\u{feff}前文\n\n![](https://x/a.jpg)\n"
        );
    }

    #[test]
    fn list_items_and_quotes_keep_their_prefix() {
        assert_eq!(
            split("- 前文![](https://x/a.jpg)图注\n"),
            "- 前文\n\n  ![](https://x/a.jpg)\n\n  图注\n"
        );
        assert_eq!(
            split("> 前文 ![](https://x/a.jpg)\r\n"),
            "> 前文\r\n>\r\n> ![](https://x/a.jpg)\r\n"
        );
    }
}
