//! `drop-repeated-image`: remove an image that a document shows again and
//! again (`min-count` times or more, by URL without query): dividers and
//! section icons. An article shows a photo or a screenshot once.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::drop_image::image_removal;
use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind};
use crate::edit::{EditSink, Reach};
use crate::learn::prints::image_key;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Fewest times an image must appear in one document to go.
    #[serde(default = "default_min_count")]
    min_count: usize,
    /// Regex over an image's URL: only images it matches count and go (an
    /// animated divider shown twice, with a lower `min-count`).
    #[serde(default)]
    url: Option<String>,
    /// Only images that stand alone, in a paragraph of images only: one in
    /// a sentence or a table cell is the article's.
    #[serde(default)]
    alone: bool,
}

fn default_min_count() -> usize {
    3
}

#[derive(Debug)]
struct DropRepeatedImage {
    min_count: usize,
    url: Option<super::Pattern>,
    alone: bool,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.min_count < 2 {
        return Err("`min-count` must be at least 2".into());
    }
    Ok(Box::new(DropRepeatedImage {
        min_count: s.min_count,
        url: s.url.map(|u| super::regex("url", &u)).transpose()?,
        alone: s.alone,
    }))
}

impl Rule for DropRepeatedImage {
    fn reach(&self) -> Reach {
        Reach::Images
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["![".into()])
    }

    // Fewer than `min-count` image openers: no image can repeat that often.
    fn may_fire(&self, text: &str) -> bool {
        memchr::memmem::find_iter(text.as_bytes(), b"![")
            .nth(self.min_count - 1)
            .is_some()
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let mut count: HashMap<u64, usize> = HashMap::new();
        let images: Vec<(usize, u64)> = doc
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(id, n)| match &n.kind {
                Kind::Image(link)
                    if n.trusted
                        && !link.url.trim().is_empty()
                        && self.url.as_ref().is_none_or(|u| u.is_match(&link.url))
                        && (!self.alone || stands_alone(doc, id)) =>
                {
                    Some((id, image_key(&link.url)))
                }
                _ => None,
            })
            .collect();
        for (_, k) in &images {
            *count.entry(*k).or_default() += 1;
        }
        for (id, k) in images {
            if count[&k] >= self.min_count {
                out.delete(image_removal(doc, id));
            }
        }
    }
}

/// True when image `id` is in a paragraph that shows images only (no text
/// of its own), at any depth below links.
fn stands_alone(doc: &Document, id: usize) -> bool {
    let mut p = doc.node(id).parent;
    while let Some(n) = p {
        match doc.node(n).kind {
            Kind::Paragraph => return doc.visible_str(n).trim().is_empty(),
            Kind::Link(_) => p = doc.node(n).parent,
            _ => return false,
        }
    }
    false
}
