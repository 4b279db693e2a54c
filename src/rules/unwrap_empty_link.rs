//! `unwrap-empty-link`: a link with an empty destination, `[content]()`,
//! becomes its content; `[]()` and images with no source (`![]()`,
//! `![跳转二维码]()`) go.

use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind, LinkForm};
use crate::edit::{EditSink, Fix, Tier};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct UnwrapEmptyLink;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(UnwrapEmptyLink))
}

/// `range`, widened over the spaces and tabs before it when nothing but
/// white space follows it on its line and text precedes it: removed alone,
/// it would leave those spaces trailing the line (two or more of them a hard
/// line break). Spaces after container markers alone (`> `, `- `, `1. `)
/// stay.
fn with_spaces_before_at_line_end(text: &str, range: Range<usize>) -> Range<usize> {
    let rest = &text[range.end..];
    let line_rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if !line_rest.trim().is_empty() {
        return range;
    }
    let before = &text[..range.start];
    let kept = before.trim_end_matches([' ', '\t']);
    let line_before = &kept[kept.rfind('\n').map_or(0, |i| i + 1)..];
    let markers_only = line_before
        .chars()
        .all(|c| matches!(c, '>' | '-' | '*' | '+' | '.' | ')' | ' ' | '\t') || c.is_ascii_digit());
    if markers_only {
        return range;
    }
    kept.len()..range.end
}

impl Rule for UnwrapEmptyLink {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for node in &doc.nodes {
            let (link, image) = match &node.kind {
                Kind::Link(l) => (l, false),
                Kind::Image(l) => (l, true),
                _ => continue,
            };
            if !node.trusted || link.form != LinkForm::Inline || !link.url.is_empty() {
                continue;
            }
            let (Some(dest), Some(label)) = (&link.dest, &link.label) else {
                continue;
            };
            // Only `(` `)` around an empty destination: no title.
            let after = &doc.text[dest.end..node.range.end];
            if !dest.is_empty() || after.trim() != ")" {
                continue;
            }
            let content = &doc.text[label.clone()];
            if content.trim().is_empty() || image {
                out.delete(with_spaces_before_at_line_end(doc.text, node.range.clone()));
            } else if !image {
                // The brackets and the empty destination go, the label stays
                // as it is: edits inside it (a parameter of an image it
                // holds, an entity repair) do not clash with these and apply
                // in the same pass.
                out.fix(Fix {
                    edits: vec![
                        (node.range.start..label.start, String::new()),
                        (label.end..node.range.end, String::new()),
                    ],
                    tier: Tier::Safe,
                });
            }
        }
    }

    // No needles: `](` is in nearly every text; the hook scans.

    // `](` then white space of any kind and length, then `)`.
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::has_empty_destination(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_image_ending_a_line_takes_the_spaces_before_it() {
        let cut = |t: &str, r: Range<usize>| {
            let r = with_spaces_before_at_line_end(t, r);
            format!("{}{}", &t[..r.start], &t[r.end..])
        };
        assert_eq!(cut("**名称**  ![]()\n正文\n", 12..17), "**名称**\n正文\n");
        assert_eq!(cut("名称 ![]() 后文\n", 7..12), "名称  后文\n");
        assert_eq!(cut("> ![]()\n", 2..7), "> \n");
        assert_eq!(cut("- ![]()\r\n", 2..7), "- \r\n");
        assert_eq!(cut("  ![]()\n", 2..7), "  \n");
    }
}
