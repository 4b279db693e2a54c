//! `unwrap-empty-link`: a link with an empty destination, `[content]()`,
//! becomes its content; `[]()` and images with no source (`![]()`,
//! `![跳转二维码]()`) go.

use serde::Deserialize;

use super::{Context, Rule, settings};
use crate::document::{Document, Kind, LinkForm};
use crate::edit::EditSink;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {}

#[derive(Debug)]
struct UnwrapEmptyLink;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, String> {
    let _: Settings = settings(table)?;
    Ok(Box::new(UnwrapEmptyLink))
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
                out.delete(node.range.clone());
            } else if !image {
                out.replace(node.range.clone(), content.to_string());
            }
        }
    }

    // No needles: `](` is in nearly every text; the hook scans.

    // `](` then white space of any kind and length, then `)`.
    fn may_fire(&self, text: &str) -> bool {
        crate::prefilter::raw::has_empty_destination(text)
    }
}
