//! `join-broken-url`: rejoins a link or image destination that an exporter
//! broke with a newline inside `(...)`, as in
//! `![](https://mmbiz.qpic.cn/…/640?wx_fmt=gif` + newline + `&wxfrom;=5)`.
//! The parser cannot see such a link at all; once the newline is gone it is an
//! ordinary image again and the URL rules can clean it.
//!
//! Only a break after a URL that already has a query, before a line that
//! continues the query (`&…`) up to the closing `)`, is joined.

use std::sync::LazyLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct JoinBrokenUrl;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(JoinBrokenUrl))
}

static BROKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\]\((?:https?:)?//[^\s()<>]*\?[^\s()<>]*?([ \t]*\r?\n[ \t]*)&[^\s()<>]*\)")
        .expect("valid regex")
});

impl Rule for JoinBrokenUrl {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let html: Vec<_> = doc
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, Kind::HtmlBlock | Kind::FrontMatter))
            .map(|n| n.range.clone())
            .collect();
        for caps in BROKEN.captures_iter(doc.text) {
            let whole = caps.get(0).expect("match");
            let gap = caps.get(1).expect("group");
            let range = whole.start()..whole.end();
            if doc.touches_code(&range)
                || html
                    .iter()
                    .any(|h| h.start < range.end && range.start < h.end)
            {
                continue;
            }
            out.delete(gap.start()..gap.end());
        }
    }

    // No needles: `&` is in nearly every text; the hook scans.

    // Any run of spaces and tabs may sit between the break and the `&`.
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::has_ampersand_after_break(text)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"j\"\nkind = \"join-broken-url\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn broken_destinations_are_joined() {
        assert_eq!(
            clean("图![](https://mmbiz.qpic.cn/a/640?wx_fmt=gif\n&wxfrom;=5&wx;_lazy=1)后\n"),
            "图![](https://mmbiz.qpic.cn/a/640?wx_fmt=gif&wxfrom;=5&wx;_lazy=1)后\n"
        );
        assert_eq!(
            clean("![](http://x/p?a=1\r\n&b=2)\r\n"),
            "![](http://x/p?a=1&b=2)\r\n"
        );
    }

    #[test]
    fn other_breaks_are_kept() {
        for t in [
            "[a](http://x/p?a=1)\n&b=2)\n",
            "```\n![](http://x/p?a=1\n&b=2)\n```\n",
            "see (http://x/p?a=1\n& more)\n",
        ] {
            assert_eq!(clean(t), t);
        }
    }
}
