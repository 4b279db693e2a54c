//! `drop-image`: remove images whose URL or alt text matches (QR codes,
//! call-to-action GIFs, dividers), together with a link that wraps only the
//! image. An image that is the whole paragraph takes the paragraph with it.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, regex, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::{EditSink, Reach};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the image URL.
    #[serde(default)]
    url: Option<String>,
    /// Regex over the alt text.
    #[serde(default)]
    alt: Option<String>,
    /// Literal strings one of which a text must hold for the rule to look at
    /// it (a speed hint for a `url` pattern; optional).
    #[serde(default)]
    needles: Vec<String>,
}

#[derive(Debug)]
struct DropImage {
    url: Option<super::Pattern>,
    alt: Option<super::Pattern>,
    needles: Vec<String>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.url.is_none() && s.alt.is_none() {
        return Err("set `url` or `alt` (or both)".into());
    }
    Ok(Box::new(DropImage {
        url: s.url.as_deref().map(|p| regex("url", p)).transpose()?,
        alt: s.alt.as_deref().map(|p| regex("alt", p)).transpose()?,
        needles: s.needles,
    }))
}

/// The node that stands for `image` in its paragraph ([`Document::image_unit`]).
pub(crate) fn image_unit(doc: &Document, image: NodeId) -> NodeId {
    doc.image_unit(image)
}

/// True when a node is whitespace or a line break ([`Document::is_blank_inline`]).
pub(crate) fn is_blank_inline(doc: &Document, id: NodeId) -> bool {
    doc.is_blank_inline(id)
}

/// What to delete to remove image `id`: the image with a link that holds
/// only it, or, when that is all its paragraph holds, the paragraph.
pub(crate) fn image_removal(doc: &Document, id: NodeId) -> std::ops::Range<usize> {
    let unit = image_unit(doc, id);
    let parent = doc.node(unit).parent;
    let alone = parent.is_some_and(|p| {
        doc.node(p).kind == Kind::Paragraph
            && doc
                .children(p)
                .all(|c| c == unit || is_blank_inline(doc, c))
    });
    let removal = if alone {
        parent.and_then(|p| doc.removal_range(p))
    } else {
        None
    };
    removal.unwrap_or_else(|| doc.node(unit).range.clone())
}

impl Rule for DropImage {
    fn reach(&self) -> Reach {
        Reach::Images
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (id, node) in doc.nodes.iter().enumerate() {
            let Kind::Image(link) = &node.kind else {
                continue;
            };
            if !node.trusted {
                continue;
            }
            let url_hit = self.url.as_ref().is_some_and(|re| re.is_match(&link.url));
            let alt_hit = !url_hit
                && self
                    .alt
                    .as_ref()
                    .is_some_and(|re| re.is_match(doc.alt_text(id).trim()));
            if !url_hit && !alt_hit {
                continue;
            }
            out.delete(image_removal(doc, id));
        }
    }

    // Alt text only: a plain raw label is the visible alt text.
    fn may_fire(&self, text: &str) -> bool {
        match (&self.url, &self.alt) {
            (None, Some(alt)) => {
                crate::rules::raw::any_plain_image_label(text, |l| alt.is_match(l.trim()))
            }
            _ => true,
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        // Literals of a URL pattern would be tested against the raw text,
        // where the URL may be written with entities or escapes: only the
        // ones the rules file names.
        (!self.needles.is_empty()).then(|| self.needles.clone())
    }
}
