//! `decode-url-amp`: `&amp;` inside a Markdown URL (a link or image
//! destination, a bare URL, a reference definition) becomes `&`. Both
//! spellings mean the same URL there; the plain one is what readers and the
//! other URL rules expect. In raw HTML attributes `&amp;` is the correct
//! spelling and is left alone (the URL rules read it as a separator).

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Glob, Rule, any_glob, host_globs, settings};
use crate::document::{Document, UrlPlace};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Host globs the rule is limited to (default: every host).
    #[serde(default)]
    hosts: Vec<String>,
}

#[derive(Debug)]
struct DecodeUrlAmp {
    hosts: Vec<Glob>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(DecodeUrlAmp {
        hosts: host_globs("hosts", &s.hosts)?,
    }))
}

impl Rule for DecodeUrlAmp {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for site in doc.urls() {
            let raw = &doc.text[site.range.clone()];
            if site.place == UrlPlace::HtmlAttribute || !raw.contains("&amp;") {
                continue;
            }
            if !self.hosts.is_empty() {
                let host = url::Url::parse(&raw.replace("&amp;", "&"))
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
                if !host.is_some_and(|h| any_glob(&self.hosts, &h)) {
                    continue;
                }
            }
            for (i, _) in raw.match_indices("&amp;") {
                let at = site.range.start + i;
                out.delete(at + 1..at + 5);
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["&amp;".into()])
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"a\"\nkind = \"decode-url-amp\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn amp_in_urls_only() {
        assert_eq!(
            clean("[a](https://mp.weixin.qq.com/s?__biz=1&amp;mid=2) AT&amp;T\n"),
            "[a](https://mp.weixin.qq.com/s?__biz=1&mid=2) AT&amp;T\n"
        );
        let html = "<a href=\"https://e.com/?a=1&amp;b=2\">x</a>\n";
        assert_eq!(clean(html), html);
        assert_eq!(
            clean("`https://e.com/?a=1&amp;b=2`\n"),
            "`https://e.com/?a=1&amp;b=2`\n"
        );
    }
}
