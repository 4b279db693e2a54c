//! Presets, gates and ClearURLs: which rules of a file run on a document.
//!
//! - `[preset.NAME]` tables name groups of rules (`description`, `default`,
//!   `if-matches`); a rule joins one with `preset = "NAME"`. Rules outside
//!   every preset always run.
//! - `presets = [...]` picks the presets that run (`"default"` stands for
//!   those marked `default = true`); without it the default ones run. A file
//!   that sets `presets` and defines no rules runs the embedded default rules.
//! - `if-matches = "<regex>"` on a rule or a preset runs it only on documents
//!   whose first lines match (an exporter's fingerprint).
//! - `clearurls = "path.json"` loads a ClearURLs rules file and applies its
//!   providers as URL rules.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use regex::Regex;

use crate::document::Document;
use crate::edit::EditSink;
use crate::rules::{Context, Rule};

/// One `[preset.NAME]` table.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PresetDef {
    /// What the preset is for (shown by `mdscrub rules`).
    #[serde(default)]
    pub description: String,
    /// Runs unless the rules file picks presets with `presets = [...]`.
    #[serde(default)]
    pub default: bool,
    /// Regex over a document's first lines; the preset's rules run only on
    /// documents it matches.
    #[serde(default)]
    pub if_matches: Option<String>,
}

/// The presets of a file and the choice of which run.
#[derive(Debug, Default)]
pub struct Presets {
    defs: BTreeMap<String, PresetDef>,
    gates: BTreeMap<String, Regex>,
    chosen: HashSet<String>,
}

/// What a rule table says about presets and gates, taken out of the table
/// before the kind sees it.
#[derive(Debug, Default)]
pub struct Membership {
    pub preset: Option<String>,
    pub if_matches: Option<String>,
}

impl Presets {
    /// Validates preset tables and the `presets` choice.
    pub fn new(
        defs: BTreeMap<String, PresetDef>,
        chosen: Option<&[String]>,
    ) -> Result<Presets, String> {
        let mut gates = BTreeMap::new();
        for (name, def) in &defs {
            if name == "default" {
                return Err("a preset cannot be named `default`".into());
            }
            if let Some(p) = &def.if_matches {
                let re = Regex::new(p).map_err(|e| {
                    format!("preset `{name}`: `if-matches` is not a valid regex: {e}")
                })?;
                gates.insert(name.clone(), re);
            }
        }
        let mut set = HashSet::new();
        match chosen {
            None => set.extend(
                defs.iter()
                    .filter(|(_, d)| d.default)
                    .map(|(n, _)| n.clone()),
            ),
            Some(list) => {
                for name in list {
                    if name == "default" {
                        set.extend(
                            defs.iter()
                                .filter(|(_, d)| d.default)
                                .map(|(n, _)| n.clone()),
                        );
                    } else if defs.contains_key(name) {
                        set.insert(name.clone());
                    } else {
                        let known: Vec<&str> = defs.keys().map(String::as_str).collect();
                        return Err(format!(
                            "`presets` names unknown preset `{name}`{} (known: default, {})",
                            crate::suggest::hint(name, known.iter().copied()),
                            known.join(", ")
                        ));
                    }
                }
            }
        }
        Ok(Presets {
            defs,
            gates,
            chosen: set,
        })
    }

    /// The preset tables, by name.
    pub fn defs(&self) -> &BTreeMap<String, PresetDef> {
        &self.defs
    }

    /// True when a preset runs in this set.
    pub fn is_chosen(&self, name: &str) -> bool {
        self.chosen.contains(name)
    }

    /// Removes `preset` and `if-matches` from a rule table.
    pub fn take(table: &mut toml::Table) -> Result<Membership, String> {
        let preset = match table.remove("preset") {
            Some(toml::Value::String(s)) => Some(s),
            Some(_) => return Err("`preset` must be a string".into()),
            None => None,
        };
        let if_matches = match table.remove("if-matches") {
            Some(toml::Value::String(s)) => Some(s),
            Some(_) => return Err("`if-matches` must be a string".into()),
            None => None,
        };
        Ok(Membership { preset, if_matches })
    }

    /// Whether a rule with this membership runs, and the rule wrapped in
    /// its gates (its own `if-matches` and its preset's).
    pub fn apply(
        &self,
        m: &Membership,
        rule: Box<dyn Rule>,
    ) -> Result<(bool, Box<dyn Rule>), String> {
        let mut gates = Vec::new();
        let mut runs = true;
        if let Some(p) = &m.preset {
            if !self.defs.contains_key(p) {
                let known: Vec<&str> = self.defs.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown preset `{p}`{} (known: {})",
                    crate::suggest::hint(p, known.iter().copied()),
                    known.join(", ")
                ));
            }
            runs = self.is_chosen(p);
            if let Some(g) = self.gates.get(p) {
                gates.push(g.clone());
            }
        }
        if let Some(pattern) = &m.if_matches {
            gates.push(
                Regex::new(pattern)
                    .map_err(|e| format!("`if-matches` is not a valid regex: {e}"))?,
            );
        }
        let rule = if gates.is_empty() {
            rule
        } else {
            Box::new(Gated { gates, inner: rule })
        };
        Ok((runs, rule))
    }
}

/// A rule that runs only on documents whose first lines match every gate.
#[derive(Debug)]
struct Gated {
    gates: Vec<Regex>,
    inner: Box<dyn Rule>,
}

impl Rule for Gated {
    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        let open = |head: &str| self.gates.iter().all(|g| g.is_match(head));
        if open(ctx.head) {
            self.inner.check(doc, ctx, out);
        } else if !ctx.head_now.is_empty() && open(ctx.head_now) {
            // Opened by this pass's text: the blocks the last pass left as
            // they were are new to the rule too.
            let all = Context {
                fresh: None,
                ..*ctx
            };
            self.inner.check(doc, &all, out);
        }
    }

    // The gates test the head of the text as it was before the clean, not
    // the current text: they cannot serve as needles of the current text.
    fn needles(&self) -> Option<Vec<String>> {
        self.inner.needles()
    }

    fn gate_open(&self, head: &str) -> bool {
        self.gates.iter().all(|g| g.is_match(head)) && self.inner.gate_open(head)
    }

    fn visible_needles(&self) -> Option<Vec<String>> {
        self.inner.visible_needles()
    }

    fn may_fire(&self, text: &str) -> bool {
        self.inner.may_fire(text)
    }

    fn settles(&self) -> bool {
        self.inner.settles()
    }

    fn follows_others(&self) -> bool {
        self.inner.follows_others()
    }

    fn judges_others(&self) -> bool {
        self.inner.judges_others()
    }
}

/// True when a file picks presets but defines no rules of its own: it runs
/// the embedded default rules with its choice of presets.
pub fn uses_default_rules(presets: Option<&[String]>, rules_defined: usize) -> bool {
    presets.is_some() && rules_defined == 0
}

/// Reads a ClearURLs rules file (`clearurls = "…"`, relative to the rules
/// file) and builds its rule.
pub fn load_clearurls(path: &str, rules_file: &str) -> Result<Box<dyn Rule>, String> {
    let p = Path::new(path);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        Path::new(rules_file)
            .parent()
            .unwrap_or(Path::new(""))
            .join(p)
    };
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("cannot read ClearURLs file {}: {e}", full.display()))?;
    crate::rules::clearurls::from_json(&text)
        .map_err(|e| format!("ClearURLs file {}: {e}", full.display()))
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn ids(set: &RuleSet) -> Vec<String> {
        set.rules.iter().map(|r| r.id.to_string()).collect()
    }

    #[test]
    fn default_presets_run_and_opt_in_ones_do_not() {
        let got = ids(&RuleSet::default_rules());
        assert!(got.contains(&"wechat-image-params".to_string()));
        assert!(got.contains(&"export-site-chrome".to_string()));
        assert!(!got.contains(&"credits-head".to_string()));
        assert!(!got.contains(&"zero-width".to_string()));
    }

    #[test]
    fn a_file_of_presets_picks_from_the_default_rules() {
        let set = RuleSet::parse("presets = [\"zhihu\", \"typography\"]\n", "u.toml").unwrap();
        let got = ids(&set);
        assert!(got.contains(&"zhihu-redirect".to_string()));
        assert!(got.contains(&"zero-width".to_string()));
        // Rules outside every preset always run.
        assert!(got.contains(&"wechat-credentials".to_string()));
        assert!(!got.contains(&"wechat-image-params".to_string()));
        let set = RuleSet::parse("presets = [\"default\", \"credits\"]\n", "u.toml").unwrap();
        let got = ids(&set);
        assert!(got.contains(&"credits-tail".to_string()));
        assert!(got.contains(&"wechat-image-params".to_string()));
        let out = crate::clean_text(
            "# 标题\n\n文｜谢九\n\n正文第一段，讲的是一件很长的事情。\n",
            &set,
            true,
        )
        .unwrap()
        .output;
        assert_eq!(out, "# 标题\n\n正文第一段，讲的是一件很长的事情。\n");
    }

    #[test]
    fn unknown_presets_are_errors() {
        let e = RuleSet::parse("presets = [\"wechta\"]\n", "u.toml").unwrap_err();
        assert!(e.message.contains("unknown preset `wechta`"), "{e}");
        let e = RuleSet::parse(
            "[[rule]]\nid = \"x\"\nkind = \"tidy\"\ndescription = \"d\"\npreset = \"nope\"\n",
            "u.toml",
        )
        .unwrap_err();
        assert_eq!(e.rule.as_deref(), Some("x"));
        assert!(e.message.contains("unknown preset `nope`"), "{e}");
    }

    const GATED: &str = r#"
[preset.site]
description = "d"
default = true
if-matches = '^\[\*\*返回列表页'

[[rule]]
id = "chrome"
kind = "drop-block"
description = "d"
preset = "site"
pattern = '^仅供查阅$'

[[rule]]
id = "own-gate"
kind = "drop-block"
description = "d"
if-matches = '(?m)^fetch_date:'
pattern = '^继续滑动看下一个$'

[[rule]]
id = "tidy"
kind = "tidy"
description = "d"
"#;

    #[test]
    fn gates_test_the_first_lines_of_the_document() {
        let set = RuleSet::parse(GATED, "g.toml").unwrap();
        let site = "[**返回列表页**](/gzh/x)\n\n仅供查阅\n\n继续滑动看下一个\n";
        let out = crate::clean_text(site, &set, true).unwrap().output;
        assert_eq!(out, "[**返回列表页**](/gzh/x)\n\n继续滑动看下一个\n");
        let other = "正文。\n\n仅供查阅\n";
        assert_eq!(crate::clean_text(other, &set, true).unwrap().output, other);
        let picker = "---\nfetch_date: 2025\n---\n\n正文。\n\n继续滑动看下一个\n";
        assert_eq!(
            crate::clean_text(picker, &set, true).unwrap().output,
            "---\nfetch_date: 2025\n---\n\n正文。\n"
        );
        let e = RuleSet::parse(
            "[[rule]]\nid = \"x\"\nkind = \"tidy\"\ndescription = \"d\"\nif-matches = \"(\"\n",
            "u.toml",
        )
        .unwrap_err();
        assert!(
            e.message.contains("`if-matches` is not a valid regex"),
            "{e}"
        );
    }

    #[test]
    fn clearurls_file_is_loaded_relative_to_the_rules_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("data.json"),
            r#"{"providers": {"shop": {"urlPattern": "^https?://shop\\.example\\.com", "rules": ["spm", "scm"]}}}"#,
        )
        .unwrap();
        let rules_path = dir.path().join("rules.toml");
        std::fs::write(
            &rules_path,
            "clearurls = \"data.json\"\n[[rule]]\nid = \"tidy\"\nkind = \"tidy\"\ndescription = \"d\"\n",
        )
        .unwrap();
        let set = RuleSet::load(&rules_path).unwrap();
        assert_eq!(set.rules[0].id.as_ref(), "clearurls");
        let out = crate::clean_text("[a](https://shop.example.com/i?id=1&spm=a.b)\n", &set, true)
            .unwrap()
            .output;
        assert_eq!(out, "[a](https://shop.example.com/i?id=1)\n");
        std::fs::write(&rules_path, "clearurls = \"missing.json\"\n").unwrap();
        let e = RuleSet::load(&rules_path).unwrap_err();
        assert!(e.message.contains("missing.json"), "{e}");
    }
}
