//! `clearurls`: the providers of a ClearURLs rules file (the JSON format of
//! the ClearURLs browser extension, supplied by the user; mdscrub ships no
//! such data) applied to every URL of a document. For each provider whose
//! `urlPattern` matches and no `exceptions` entry does: a `redirections`
//! match becomes its decoded target; `rawRules` matches are cut out; query
//! and fragment parameters whose names match `rules` or `referralMarketing`
//! go. `completeProvider` (blocking whole sites) is not applied: mdscrub never
//! removes a link for its host.

use std::collections::BTreeMap;

use regex::{Regex, RegexBuilder};

use super::{Context, Rule};
use crate::document::Document;
use crate::edit::EditSink;
use crate::url_text::percent_decode;

#[derive(serde::Deserialize)]
struct File {
    providers: BTreeMap<String, RawProvider>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    url_pattern: String,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    raw_rules: Vec<String>,
    #[serde(default)]
    referral_marketing: Vec<String>,
    #[serde(default)]
    exceptions: Vec<String>,
    #[serde(default)]
    redirections: Vec<String>,
}

#[derive(Debug)]
struct Provider {
    url: Regex,
    params: Vec<Regex>,
    raw: Vec<Regex>,
    exceptions: Vec<Regex>,
    redirections: Vec<Regex>,
}

#[derive(Debug)]
struct ClearUrls {
    providers: Vec<Provider>,
}

fn compile(provider: &str, field: &str, pattern: &str, whole: bool) -> Result<Regex, String> {
    let p = if whole {
        format!("^(?:{pattern})$")
    } else {
        pattern.to_string()
    };
    RegexBuilder::new(&p)
        .case_insensitive(true)
        .build()
        .map_err(|e| {
            format!("provider `{provider}`: `{field}` pattern `{pattern}` is not supported: {e}")
        })
}

/// Builds the rule from the text of a ClearURLs JSON file.
pub fn from_json(text: &str) -> Result<Box<dyn Rule>, String> {
    let file: File =
        serde_json::from_str(text).map_err(|e| format!("not a ClearURLs file: {e}"))?;
    let mut providers = Vec::new();
    for (name, p) in file.providers {
        let list = |field: &str, v: &[String], whole: bool| -> Result<Vec<Regex>, String> {
            v.iter().map(|r| compile(&name, field, r, whole)).collect()
        };
        let mut params = list("rules", &p.rules, true)?;
        params.extend(list("referralMarketing", &p.referral_marketing, true)?);
        providers.push(Provider {
            url: compile(&name, "urlPattern", &p.url_pattern, false)?,
            params,
            raw: list("rawRules", &p.raw_rules, false)?,
            exceptions: list("exceptions", &p.exceptions, false)?,
            redirections: list("redirections", &p.redirections, false)?,
        });
    }
    Ok(Box::new(ClearUrls { providers }))
}

impl Rule for ClearUrls {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for site in doc.urls() {
            let raw = &doc.text[site.range.clone()];
            let new = self.clean(raw);
            if new != raw {
                out.replace(site.range.clone(), new);
            }
        }
    }
}

impl ClearUrls {
    fn clean(&self, raw: &str) -> String {
        let mut url = raw.to_string();
        for p in &self.providers {
            if !p.url.is_match(&url) || p.exceptions.iter().any(|e| e.is_match(&url)) {
                continue;
            }
            if let Some(target) = p.redirections.iter().find_map(|r| {
                let c = r.captures(&url)?;
                let t = percent_decode(c.get(1)?.as_str())?;
                let l = t.to_ascii_lowercase();
                (l.starts_with("http://") || l.starts_with("https://")).then_some(t)
            }) {
                url = target
                    .chars()
                    .map(|c| match c {
                        ' ' | '<' | '>' | '(' | ')' | '"' | '\\' | '`' => {
                            format!("%{:02X}", c as u32)
                        }
                        c => c.to_string(),
                    })
                    .collect();
                continue;
            }
            for r in &p.raw {
                url = r.replace_all(&url, "").into_owned();
            }
            url = strip_params(&url, &p.params);
        }
        url
    }
}

/// Removes query and fragment parameters whose names match.
fn strip_params(url: &str, params: &[Regex]) -> String {
    if params.is_empty() {
        return url.to_string();
    }
    let (before_frag, frag) = match url.find('#') {
        Some(i) => (&url[..i], Some(&url[i + 1..])),
        None => (url, None),
    };
    let (base, query) = match before_frag.find('?') {
        Some(i) => (&before_frag[..i], Some(&before_frag[i + 1..])),
        None => (before_frag, None),
    };
    let filter = |q: &str| -> String {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| {
                let name = p.split('=').next().unwrap_or("");
                !p.is_empty() && !params.iter().any(|r| r.is_match(name))
            })
            .collect();
        kept.join("&")
    };
    let mut out = base.to_string();
    if let Some(q) = query {
        let q = filter(q);
        if !q.is_empty() {
            out.push('?');
            out.push_str(&q);
        }
    }
    if let Some(f) = frag {
        let f = if f.contains('=') {
            filter(f)
        } else {
            f.to_string()
        };
        if !f.is_empty() {
            out.push('#');
            out.push_str(&f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"providers": {
        "example": {
            "urlPattern": "^https?:\\/\\/(?:[a-z0-9-]+\\.)*?example\\.com",
            "completeProvider": false,
            "rules": ["ref_?src", "spm"],
            "rawRules": ["\\/ref=[^\\/?]*"],
            "referralMarketing": ["tag"],
            "exceptions": ["^https?:\\/\\/docs\\.example\\.com"],
            "redirections": ["^https?:\\/\\/(?:[a-z0-9-]+\\.)*?example\\.com\\/out\\?to=([^&]*)"],
            "forceRedirection": false
        }
    }}"#;

    fn clean(url: &str) -> String {
        let file: File = serde_json::from_str(JSON).unwrap();
        assert_eq!(file.providers.len(), 1);
        let rule = from_json(JSON).unwrap();
        let rules = crate::config::RuleSet::from_rules(
            vec![crate::config::ActiveRule {
                id: "clearurls".into(),
                kind: "clearurls",
                description: String::new(),
                rule,
                meta: Default::default(),
            }],
            1.0,
        );
        let text = format!("[a]({url})\n");
        let out = crate::clean_text(&text, &rules, true).unwrap().output;
        out.trim_end()
            .trim_start_matches("[a](")
            .trim_end_matches(')')
            .to_string()
    }

    #[test]
    fn providers_strip_params_raw_rules_and_redirects() {
        assert_eq!(
            clean("https://www.example.com/item/ref=sr_1?id=3&spm=a.b&TAG=x&ref_src=tw#top"),
            "https://www.example.com/item?id=3#top"
        );
        assert_eq!(
            clean("https://example.com/out?to=https%3A%2F%2Fe.org%2Fa%3Fb%3D1"),
            "https://e.org/a?b=1"
        );
        assert_eq!(
            clean("https://docs.example.com/p?spm=1"),
            "https://docs.example.com/p?spm=1"
        );
        assert_eq!(
            clean("https://other.org/p?spm=1"),
            "https://other.org/p?spm=1"
        );
    }

    #[test]
    fn unsupported_patterns_are_errors_naming_the_provider() {
        let bad = r#"{"providers": {"p": {"urlPattern": "(?<=x)y"}}}"#;
        let e = from_json(bad).unwrap_err();
        assert!(
            e.contains("provider `p`") && e.contains("urlPattern"),
            "{e}"
        );
        assert!(from_json("{}").is_err());
    }
}
