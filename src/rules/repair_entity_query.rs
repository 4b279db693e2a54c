//! `repair-entity-query`: undo the `&name;=` mangling some exporters apply to
//! query strings (`&from;=appmsg` → `&from=appmsg`, `&wx;_lazy=1` →
//! `&wx_lazy=1`), so that `strip-query` can see the parameters.
//!
//! Only URLs are looked at, never body text or code. Real entities (`&amp;`,
//! `&lt;`, `&nbsp;`, `&#34;` …) are not mangling and are left alone.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::Document;
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Entity names that are real and must not be repaired.
    #[serde(default = "default_entities")]
    entities: Vec<String>,
}

/// The entity names that are real by default: `&amp;from=` is not mangling.
pub(crate) const DEFAULT_ENTITIES: [&str; 6] = ["amp", "lt", "gt", "quot", "apos", "nbsp"];

fn default_entities() -> Vec<String> {
    DEFAULT_ENTITIES.map(String::from).to_vec()
}

/// The offset of the `;` in a mangled query parameter: `s` starts just after
/// a `&` (or `&amp;`) and holds an alphanumeric name that is not one of
/// `entities`, then `;`, then `=`, `_` or a letter (`from;=appmsg`,
/// `wx;_lazy=1`).
pub(crate) fn mangled_semicolon<E: AsRef<str>>(s: &str, entities: &[E]) -> Option<usize> {
    let b = s.as_bytes();
    let j = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let follows = b.get(j + 1).copied();
    (j > 0
        && b.get(j) == Some(&b';')
        && matches!(follows, Some(c) if c == b'=' || c == b'_' || c.is_ascii_alphabetic())
        && !entities.iter().any(|e| e.as_ref() == &s[..j]))
    .then_some(j)
}

#[derive(Debug)]
struct RepairEntityQuery {
    entities: Vec<String>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(RepairEntityQuery {
        entities: s.entities,
    }))
}

impl Rule for RepairEntityQuery {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for site in doc.urls() {
            let raw = &doc.text[site.range.clone()];
            for semi in self.mangled_semicolons(raw) {
                let at = site.range.start + semi;
                out.delete(at..at + 1);
            }
        }
    }

    // No needles: `;` is in nearly every text; the hook scans.

    // A `;` after a name that is not an entity and before `=`, `_` or a
    // letter (the rule's own test, without asking for a query around it).
    fn may_fire(&self, text: &str) -> bool {
        let b = text.as_bytes();
        text.match_indices(';').any(|(j, _)| {
            let follows = b.get(j + 1).copied();
            if !matches!(follows, Some(c) if c == b'=' || c == b'_' || c.is_ascii_alphabetic()) {
                return false;
            }
            let start = j - text[..j]
                .bytes()
                .rev()
                .take_while(u8::is_ascii_alphanumeric)
                .count();
            let name = &text[start..j];
            !name.is_empty() && !self.entities.iter().any(|e| e == name)
        })
    }
}

impl RepairEntityQuery {
    /// Offsets of the `;` in each `&name;` that is followed by `=`, `_` or a
    /// letter inside a query and whose name is not a real entity.
    fn mangled_semicolons(&self, raw: &str) -> Vec<usize> {
        let Some(q) = raw.find('?') else {
            return Vec::new();
        };
        let b = raw.as_bytes();
        let mut found = Vec::new();
        let mut i = q;
        while i < b.len() {
            if b[i] == b'&' {
                let name_start = i + 1;
                let j = name_start
                    + b[name_start..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .count();
                if let Some(k) = mangled_semicolon(&raw[name_start..], &self.entities) {
                    found.push(name_start + k);
                }
                // `&amp;from;=appmsg` (raw HTML): the name after a real
                // `&amp;` is mangled the same way.
                if &raw[name_start..j] == "amp"
                    && b.get(j) == Some(&b';')
                    && let Some(k) = mangled_semicolon(&raw[j + 1..], &self.entities)
                {
                    found.push(j + 1 + k);
                }
                i = j.max(i + 1);
            } else if b[i] == b'#' {
                break;
            } else {
                i += 1;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repair(url: &str) -> String {
        let r = RepairEntityQuery {
            entities: default_entities(),
        };
        let mut s = url.to_string();
        for at in r.mangled_semicolons(url).into_iter().rev() {
            s.remove(at);
        }
        s
    }

    #[test]
    fn mangled_params_are_repaired() {
        assert_eq!(
            repair("https://x/640?wx_fmt=jpeg&from;=appmsg&tp;=webp&wx;_lazy=1"),
            "https://x/640?wx_fmt=jpeg&from=appmsg&tp=webp&wx_lazy=1"
        );
    }

    #[test]
    fn real_entities_are_not_mangling() {
        assert_eq!(
            repair("https://x/s?a=1&amp;mid=2"),
            "https://x/s?a=1&amp;mid=2"
        );
        assert_eq!(repair("https://x/s?a=1&#34;b"), "https://x/s?a=1&#34;b");
        assert_eq!(
            repair("https://x/640?wx_fmt=png&amp;from;=appmsg&amp;wx;_lazy=1"),
            "https://x/640?wx_fmt=png&amp;from=appmsg&amp;wx_lazy=1"
        );
        assert_eq!(repair("https://x/p;x=1"), "https://x/p;x=1");
        assert_eq!(
            repair("https://x/p?a=1#&from;=2"),
            "https://x/p?a=1#&from;=2"
        );
    }
}
