//! `rewrite-url`: a regex replacement inside URLs on matching hosts, for junk
//! that lives in the path rather than the query (Juejin's
//! `~tplv-…-watermark.image` image templates).

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    BuildError, Context, Glob, Rule, any_glob, host_globs, host_may_match, regex, settings,
};
use crate::document::Document;
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Host globs the rule is limited to.
    hosts: Vec<String>,
    /// Regex over the URL as written.
    pattern: String,
    /// Replacement (`$1` for groups).
    replace: String,
}

#[derive(Debug)]
struct RewriteUrl {
    hosts: Vec<Glob>,
    pattern: super::Pattern,
    replace: String,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.hosts.is_empty() {
        return Err("`hosts` must list at least one host glob".into());
    }
    Ok(Box::new(RewriteUrl {
        hosts: host_globs("hosts", &s.hosts)?,
        pattern: regex("pattern", &s.pattern)?,
        replace: s.replace,
    }))
}

impl Rule for RewriteUrl {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (i, site) in doc.urls().iter().enumerate() {
            let raw = &doc.text[site.range.clone()];
            if !host_may_match(doc.url_host(i), &self.hosts) {
                continue;
            }
            let host = url::Url::parse(&raw.replace("&amp;", "&"))
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
            if !host.is_some_and(|h| any_glob(&self.hosts, &h)) {
                continue;
            }
            let new = self.pattern.replace_all(raw, self.replace.as_str());
            if new != raw {
                out.replace(site.range.clone(), new.into_owned());
            }
        }
    }

    // The pattern runs on the URL as written in the text: its literal
    // prefixes are raw-text needles.
    fn needles(&self) -> Option<Vec<String>> {
        super::regex_needles(self.pattern.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    #[test]
    fn juejin_watermark_template_is_rewritten() {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"j\"\nkind = \"rewrite-url\"\ndescription = \"d\"\nhosts = [\"*.byteimg.com\"]\npattern = '~tplv-([0-9a-z]+)-watermark\\.image\\??$'\nreplace = '~tplv-${1}-zoom-1.image'\n",
            "t.toml",
        )
        .unwrap();
        let t = "![](https://p3-juejin.byteimg.com/tos-cn-i-k3u1fbpfcp/abc~tplv-k3u1fbpfcp-watermark.image?) ![](https://e.com/x~tplv-a-watermark.image)\n";
        let out = crate::clean_text(t, &rules, true).unwrap().output;
        assert_eq!(
            out,
            "![](https://p3-juejin.byteimg.com/tos-cn-i-k3u1fbpfcp/abc~tplv-k3u1fbpfcp-zoom-1.image) ![](https://e.com/x~tplv-a-watermark.image)\n"
        );
    }
}
