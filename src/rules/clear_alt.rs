//! `clear-alt`: empties placeholder alt text of images (`![图片](…)`,
//! `![在这里插入图片描述](…)`, `![image.png](…)`): text that describes
//! nothing and shows up when the image fails to load.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, regex, settings};
use crate::document::{Document, Kind, LinkForm};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the alt text (trimmed).
    alt: String,
}

#[derive(Debug)]
struct ClearAlt {
    alt: super::Pattern,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(ClearAlt {
        alt: regex("alt", &s.alt)?,
    }))
}

impl Rule for ClearAlt {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (id, node) in doc.nodes.iter().enumerate() {
            let Kind::Image(link) = &node.kind else {
                continue;
            };
            if !node.trusted || link.form != LinkForm::Inline {
                continue;
            }
            let Some(label) = &link.label else {
                continue;
            };
            let alt = doc.alt_text(id);
            let alt = alt.trim();
            // Only plain alt text: markup inside it is left alone.
            if !alt.is_empty() && doc.text[label.clone()].trim() == alt && self.alt.is_match(alt) {
                out.delete(label.clone());
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["![".into()])
    }

    // The rule acts only where the raw label, trimmed, is the alt text.
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::any_plain_image_label(text, |l| {
            let l = l.trim();
            !l.is_empty() && self.alt.is_match(l)
        })
    }
}
