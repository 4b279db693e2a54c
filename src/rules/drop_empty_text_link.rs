//! `drop-empty-text-link`: removes links that show nothing, `[](url)` (the
//! avatar or card of a recommended article whose image was lost), on
//! matching hosts.

use schemars::JsonSchema;
use serde::Deserialize;

use super::drop_image::is_blank_inline;
use super::{BuildError, Context, Glob, Rule, any_glob, host_globs, settings};
use crate::document::{Document, Kind, LinkForm};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Host globs of the link URL (`mp.weixin.qq.com`, `*`).
    hosts: Vec<String>,
}

#[derive(Debug)]
struct DropEmptyTextLink {
    hosts: Vec<Glob>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.hosts.is_empty() {
        return Err("`hosts` must list at least one host glob".into());
    }
    Ok(Box::new(DropEmptyTextLink {
        hosts: host_globs("hosts", &s.hosts)?,
    }))
}

impl Rule for DropEmptyTextLink {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (id, node) in doc.nodes.iter().enumerate() {
            let Kind::Link(link) = &node.kind else {
                continue;
            };
            if !node.trusted || link.form != LinkForm::Inline || link.url.is_empty() {
                continue;
            }
            let Some(label) = &link.label else {
                continue;
            };
            if !doc.text[label.clone()].trim().is_empty() {
                continue;
            }
            let host = url::Url::parse(&link.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
            if !host.is_some_and(|h| any_glob(&self.hosts, &h)) {
                continue;
            }
            // A link alone in its paragraph takes the paragraph (and a list
            // item holding only it) with it.
            let alone = node.parent.filter(|&p| {
                doc.node(p).kind == Kind::Paragraph
                    && doc.children(p).all(|c| c == id || is_blank_inline(doc, c))
            });
            let range = alone.and_then(|p| doc.removal_range(p));
            out.delete(range.unwrap_or_else(|| node.range.clone()));
        }
    }

    // No needles: `](` is in nearly every text; the hook scans.

    // A label of white space only (any amount, line breaks included).
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::has_blank_label_link(text)
    }
}
