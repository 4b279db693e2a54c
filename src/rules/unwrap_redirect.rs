//! `unwrap-redirect`: a redirect wrapper URL (`https://link.zhihu.com/?target=
//! https%3A//github.com/…`) becomes the URL it redirects to, decoded. Only
//! targets that are themselves `http(s)` URLs are taken; characters that
//! cannot stand in a Markdown destination stay percent-encoded.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Glob, Rule, any_glob, host_globs, host_may_match, settings};
use crate::document::{Document, UrlPlace};
use crate::edit::EditSink;
use crate::url_text::percent_decode;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Host globs of the redirect service (`link.zhihu.com`).
    hosts: Vec<String>,
    /// The query parameter holding the target (`target`).
    param: String,
}

#[derive(Debug)]
struct UnwrapRedirect {
    hosts: Vec<Glob>,
    param: String,
    needles: Vec<String>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.hosts.is_empty() || s.param.is_empty() {
        return Err("set `hosts` and `param`".into());
    }
    let needles = s
        .hosts
        .iter()
        .map(|h| {
            h.split(['*', '?'])
                .max_by_key(|p| p.len())
                .unwrap_or("")
                .to_ascii_lowercase()
        })
        .collect();
    Ok(Box::new(UnwrapRedirect {
        hosts: host_globs("hosts", &s.hosts)?,
        param: s.param,
        needles,
    }))
}

impl Rule for UnwrapRedirect {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for (i, site) in doc.urls().iter().enumerate() {
            let raw = &doc.text[site.range.clone()];
            let html = site.place == UrlPlace::HtmlAttribute;
            if !host_may_match(doc.url_host(i), &self.hosts) {
                continue;
            }
            if let Some(target) = self.target(raw, html) {
                out.replace(site.range.clone(), target);
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        if self.needles.iter().any(|n| n.len() < 3) {
            return None;
        }
        Some(self.needles.clone())
    }
}

impl UnwrapRedirect {
    /// The decoded target of a redirect URL, ready to write in its place.
    /// Callers skip URLs whose plain host matches none of the hosts first
    /// ([`host_may_match`]); this parses the URL and checks its host itself.
    fn target(&self, raw: &str, html: bool) -> Option<String> {
        let plain = raw.replace("&amp;", "&");
        let url = url::Url::parse(&plain).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        if !any_glob(&self.hosts, &host) {
            return None;
        }
        let query = url.query()?;
        let value = query
            .split('&')
            .find_map(|p| p.strip_prefix(self.param.as_str())?.strip_prefix('='))?;
        let decoded = percent_decode(value)?;
        let lower = decoded.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return None;
        }
        let mut out = String::with_capacity(decoded.len());
        for c in decoded.chars() {
            match c {
                ' ' | '<' | '>' | '(' | ')' | '"' | '\'' | '\\' | '`' | '[' | ']' => {
                    out.push_str(&format!("%{:02X}", c as u32))
                }
                c if c.is_control() => {}
                '&' if html => out.push_str("&amp;"),
                c => out.push(c),
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> UnwrapRedirect {
        UnwrapRedirect {
            hosts: vec![Glob::new("link.zhihu.com").unwrap()],
            param: "target".into(),
            needles: vec![],
        }
    }

    #[test]
    fn zhihu_redirects_decode_to_their_target() {
        let r = rule();
        assert_eq!(
            r.target(
                "https://link.zhihu.com/?target=https%3A//github.com/a/b%3Ftab%3Dreadme%26x%3D1",
                false
            )
            .as_deref(),
            Some("https://github.com/a/b?tab=readme&x=1")
        );
        assert_eq!(
            r.target(
                "https://link.zhihu.com/?target=http%3A//e.com/a%20b%28c%29",
                false
            )
            .as_deref(),
            Some("http://e.com/a%20b%28c%29")
        );
        assert_eq!(
            r.target(
                "https://link.zhihu.com/?target=javascript%3Aalert(1)",
                false
            ),
            None
        );
        assert_eq!(
            r.target("https://zhihu.com/?target=https%3A//e.com", false),
            None
        );
    }
}
