//! `unwrap-link`: a link whose URL matches becomes its text (`javascript:`
//! links, Zhihu's zhida.zhihu.com search links on plain words). A link with
//! no text goes. Images are never unwrapped.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, regex, settings};
use crate::document::{Document, Kind, LinkForm};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the link's URL (as the parser resolved it).
    url: String,
    /// Literal strings one of which a text must hold for the rule to look at
    /// it (a speed hint; optional).
    #[serde(default)]
    needles: Vec<String>,
}

#[derive(Debug)]
struct UnwrapLink {
    url: super::Pattern,
    needles: Vec<String>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(UnwrapLink {
        url: regex("url", &s.url)?,
        needles: s.needles,
    }))
}

impl Rule for UnwrapLink {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for node in &doc.nodes {
            let Kind::Link(link) = &node.kind else {
                continue;
            };
            if !node.trusted || link.form != LinkForm::Inline || !self.url.is_match(&link.url) {
                continue;
            }
            let Some(label) = &link.label else {
                continue;
            };
            let content = doc.text[label.clone()].trim_matches([' ', '\t']);
            out.replace(node.range.clone(), content.to_string());
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        (!self.needles.is_empty()).then(|| self.needles.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"js\"\nkind = \"unwrap-link\"\ndescription = \"d\"\nurl = '^javascript:'\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn javascript_links_become_text() {
        assert_eq!(
            clean("原创 作者 [ HACK学习呀 ](javascript:void\\(0\\);)\n"),
            "原创 作者 HACK学习呀\n"
        );
        assert_eq!(clean("[知道了](javascript:;) x\n"), "知道了 x\n");
        assert_eq!(
            clean("[a](https://e.com/) `[b](javascript:;)`\n"),
            "[a](https://e.com/) `[b](javascript:;)`\n"
        );
    }
}
