//! What a user's rules file adds to the rule set: where it is found
//! ([`discover`]), `extend-default = true` (the default rules, overridden and
//! added to by id), rule examples (`[[rule.example]]`) and their test run,
//! `exclude` globs, and narrowing a set for one run (`--select`/`--ignore`).

use std::path::{Path, PathBuf};

use super::{ActiveRule, ConfigError, DEFAULT_RULES, PresetDef, RawFile, RuleSet};
use crate::rules;

/// File names looked for, in each folder from the current one up.
pub const CONFIG_NAMES: &[&str] = &["mdscrub.toml", ".mdscrub.toml"];

/// The first `mdscrub.toml` or `.mdscrub.toml` in `start` or its parents.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        CONFIG_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    })
}

/// Where a rule comes from and what it was written with.
#[derive(Debug, Clone, Default)]
pub struct RuleMeta {
    /// Line of its `[[rule]]` in the rules file (`None` for a default rule
    /// taken unchanged by `extend-default`).
    pub line: Option<usize>,
    /// The kind's own settings as written (without id, kind, description,
    /// enabled and examples).
    pub settings: toml::Table,
    /// Examples of what the rule does.
    pub examples: Vec<Example>,
    /// The preset the rule belongs to (`preset = "NAME"`).
    pub preset: Option<String>,
    /// The rule's own `if-matches` gate, as written.
    pub if_matches: Option<String>,
    /// `chrome = true`: the rule removes only an exporter's or a page's own
    /// chrome, never the article, so its removals do not count towards
    /// `max-removed`.
    pub chrome: bool,
    /// `tier = "review"`: the rule's edits are shown, and applied only
    /// with `--apply review` (a guess, or a rewrite nobody has checked).
    pub tier: crate::edit::Tier,
}

/// Rule-set-wide data besides the rules that run.
#[derive(Debug, Default)]
pub struct SetMeta {
    /// Name of the rules file (in messages).
    pub file: String,
    /// Rules written but switched off (`enabled = false`, or left out of this
    /// run by `--select`/`--ignore`).
    pub disabled: Vec<ActiveRule>,
    /// Globs of paths never walked into or processed (`exclude = [...]`).
    pub exclude: Vec<String>,
    /// The presets of the file, by name, and whether each runs.
    pub presets: Vec<(String, PresetDef, bool)>,
}

/// One `[[rule.example]]`: this input, cleaned by the rule, gives this output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    /// Markdown text before cleaning.
    pub input: String,
    /// The text the rule must turn it into (equal to `input` for an example
    /// of what the rule leaves alone).
    pub output: String,
    /// Other rules (by id) that run with this one for the example, in the
    /// set's order. Besides these, only the set's active tidy-up rules
    /// (kind `tidy`) run with it.
    #[serde(default)]
    pub with: Vec<String>,
}

/// An example whose output was not the expected one.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    pub rule: String,
    /// Line of the rule in its file, when known.
    pub line: Option<usize>,
    /// 1-based number of the example within its rule.
    pub number: usize,
    pub input: String,
    pub expected: String,
    /// What cleaning gave, or why it failed.
    pub got: Result<String, String>,
}

/// Removes and checks a rule's `example` array.
pub(super) fn take_examples(table: &mut toml::Table) -> Result<Vec<Example>, String> {
    match table.remove("example") {
        None => Ok(Vec::new()),
        Some(v @ toml::Value::Array(_)) => v
            .try_into::<Vec<Example>>()
            .map_err(|e| format!("bad `example`: {}", e.message().trim())),
        Some(_) => Err("`example` must be an array of tables ([[rule.example]])".into()),
    }
}

/// The `[[rule]]` tables to build, each with its line. With
/// `extend-default`, the default rules come first, in their order; a user rule
/// with a default rule's id overrides it key by key (a different `kind`
/// replaces it whole), and other user rules follow.
pub(super) fn rule_entries(
    user: Vec<toml::Spanned<toml::Table>>,
    extend_default: bool,
    line_at: &dyn Fn(usize) -> usize,
) -> Vec<(Option<usize>, toml::Table)> {
    let user = user
        .into_iter()
        .map(|s| (Some(line_at(s.span().start)), s.into_inner()));
    if !extend_default {
        return user.collect();
    }
    let defaults: RawFile =
        toml::from_str(DEFAULT_RULES).expect("the embedded default rules are valid (tested)");
    let mut entries: Vec<(Option<usize>, toml::Table, bool)> = defaults
        .rule
        .into_iter()
        .map(|s| (None, s.into_inner(), false))
        .collect();
    let id_of = |t: &toml::Table| t.get("id").and_then(|v| v.as_str()).map(str::to_string);
    for (line, table) in user {
        let id = id_of(&table);
        let target = entries
            .iter_mut()
            .find(|(_, t, overridden)| !overridden && id.is_some() && id_of(t) == id);
        match target {
            Some(entry) => {
                let same_kind = table
                    .get("kind")
                    .is_none_or(|k| entry.1.get("kind") == Some(k));
                if !same_kind {
                    entry.1 = toml::Table::new();
                }
                entry.1.extend(table);
                entry.0 = line;
                entry.2 = true;
            }
            None => entries.push((line, table, true)),
        }
    }
    entries.into_iter().map(|(l, t, _)| (l, t)).collect()
}

impl RuleSet {
    /// Loads the rules for a run: `explicit`, else the first rules file found
    /// from `cwd` up ([`discover`]), else the embedded defaults. Also returns
    /// the file used.
    pub fn find_and_load(
        explicit: Option<&Path>,
        cwd: &Path,
    ) -> Result<(RuleSet, Option<PathBuf>), ConfigError> {
        let file = explicit.map(Path::to_path_buf).or_else(|| discover(cwd));
        let set = match &file {
            Some(f) => RuleSet::load(f)?,
            None => RuleSet::default_rules(),
        };
        Ok((set, file))
    }

    /// Keeps only the rules in `select` (all when empty) and not in `ignore`;
    /// the others move to the switched-off list. An id that names no rule of
    /// the file is an error.
    pub fn narrow(self, select: &[String], ignore: &[String]) -> Result<RuleSet, String> {
        if select.is_empty() && ignore.is_empty() {
            return Ok(self);
        }
        self.check_ids(select.iter().chain(ignore).map(String::as_str))?;
        let RuleSet {
            rules,
            max_removed,
            protect,
            apply_review,
            extra,
            ..
        } = self;
        let mut extra = extra;
        let (keep, drop): (Vec<ActiveRule>, Vec<ActiveRule>) = rules.into_iter().partition(|r| {
            (select.is_empty() || select.iter().any(|s| *s == *r.id))
                && !ignore.iter().any(|s| *s == *r.id)
        });
        extra.disabled.extend(drop);
        let mut set = RuleSet::from_rules(keep, max_removed);
        set.protect = protect;
        set.apply_review = apply_review;
        set.extra = extra;
        Ok(set)
    }

    /// Fails naming every id that is no rule of this set (on or off), each
    /// with the nearest id when one is near.
    pub fn check_ids<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        let mut seen: Vec<&str> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for id in ids {
            if self.find_rule(id).is_none() && !seen.contains(&id) {
                seen.push(id);
                unknown.push(format!("`{id}`{}", crate::suggest::hint(id, self.ids())));
            }
        }
        match unknown.as_slice() {
            [] => Ok(()),
            [one] => Err(format!("no rule {one} in {}", self.extra.file)),
            many => Err(format!(
                "no rules {} in {}",
                many.join(", "),
                self.extra.file
            )),
        }
    }

    /// The ids of every rule of the set, on or off.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .chain(&self.extra.disabled)
            .map(|r| &*r.id)
    }

    /// Finds a rule, on or off, by id.
    pub fn find_rule(&self, id: &str) -> Option<(&ActiveRule, bool)> {
        self.rules
            .iter()
            .map(|r| (r, true))
            .chain(self.extra.disabled.iter().map(|r| (r, false)))
            .find(|(r, _)| &*r.id == id)
    }

    /// A fresh set of `rule`, the rules named in `with` and the active tidy-up
    /// rules, in this set's order.
    pub(crate) fn example_set(
        &self,
        rule: &ActiveRule,
        with: &[String],
    ) -> Result<RuleSet, String> {
        for id in with {
            if self.find_rule(id).is_none() {
                return Err(format!("`with` names no rule `{id}`"));
            }
        }
        let mut built = Vec::new();
        let all = self.rules.iter().chain(&self.extra.disabled);
        let wanted = |r: &&ActiveRule| {
            r.id == rule.id
                || with.iter().any(|w| *w == *r.id)
                || (r.rule.settles() && self.rules.iter().any(|a| a.id == r.id))
        };
        for r in all.filter(wanted) {
            let kind = rules::kind(r.kind).ok_or_else(|| format!("unknown kind {}", r.kind))?;
            built.push(ActiveRule {
                id: r.id.clone(),
                kind: r.kind,
                description: r.description.clone(),
                rule: (kind.build)(r.meta.settings.clone()).map_err(|e| e.to_string())?,
                meta: RuleMeta::default(),
            });
        }
        let mut set = RuleSet::from_rules(built, 1.0);
        set.protect = self.protect.clone();
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_default_merges_by_id() {
        let set = RuleSet::parse(
            "extend-default = true\n\n[[rule]]\nid = \"tidy\"\nenabled = false\n\n[[rule]]\nid = \"end-marker\"\ntail = 2\n\n[[rule]]\nid = \"mine\"\nkind = \"tidy\"\ndescription = \"d\"\n",
            "u.toml",
        )
        .unwrap();
        let defaults = RuleSet::default_rules();
        assert_eq!(set.rules.len(), defaults.rules.len());
        assert!(set.find_rule("tidy").is_some_and(|(_, on)| !on));
        let (end, on) = set.find_rule("end-marker").unwrap();
        assert!(on);
        assert_eq!(end.meta.settings["tail"].as_integer(), Some(2));
        assert_eq!(end.meta.line, Some(7));
        assert!(!end.meta.examples.is_empty(), "default examples kept");
        assert_eq!(set.rules.last().unwrap().id.as_ref(), "mine");
    }

    #[test]
    fn an_override_error_names_the_user_file_line_and_rule() {
        let e = RuleSet::parse(
            "extend-default = true\n[[rule]]\nid = \"end-marker\"\npattern = \"(\"\n",
            "u.toml",
        )
        .unwrap_err();
        // The line of the bad key, not of its `[[rule]]`.
        assert_eq!((e.file.as_str(), e.line), ("u.toml", Some(4)));
        assert_eq!(e.rule.as_deref(), Some("end-marker"));
    }

    #[test]
    fn without_extend_default_a_partial_rule_is_an_error() {
        let e = RuleSet::parse("[[rule]]\nid = \"tidy\"\nenabled = false\n", "u.toml").unwrap_err();
        assert!(e.message.contains("no `kind`"), "{e}");
    }

    #[test]
    fn bad_examples_are_errors() {
        let base = "[[rule]]\nid = \"t\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        let e = RuleSet::parse(&format!("{base}example = \"x\"\n"), "u.toml").unwrap_err();
        assert!(e.message.contains("`example`"), "{e}");
        let e = RuleSet::parse(
            &format!("{base}[[rule.example]]\ninput = \"a\"\n"),
            "u.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("output"), "{e}");
    }

    #[test]
    fn examples_run_and_report_mismatches() {
        let set = RuleSet::parse(
            "[[rule]]\nid = \"ad\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = \"^AD$\"\n\n[[rule.example]]\ninput = \"x\\n\\nAD\\n\"\noutput = \"x\\n\\n\"\n\n[[rule.example]]\ninput = \"AD\\n\"\noutput = \"AD\\n\"\n",
            "u.toml",
        )
        .unwrap();
        let (run, failures) = set.test_examples();
        assert_eq!(run, 2);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].number, 2);
        assert_eq!(failures[0].got.as_deref(), Ok(""));
    }

    #[test]
    fn narrow_keeps_selected_and_rejects_unknown_ids() {
        let set = RuleSet::default_rules()
            .narrow(&["tidy".into(), "utm-params".into()], &["tidy".into()])
            .unwrap();
        let ids: Vec<&str> = set.rules.iter().map(|r| &*r.id).collect();
        assert_eq!(ids, ["utm-params"]);
        assert!(set.find_rule("tidy").is_some_and(|(_, on)| !on));
        let e = RuleSet::default_rules()
            .narrow(&["nope".into()], &[])
            .unwrap_err();
        assert!(e.contains("nope"));
    }

    #[test]
    fn discovery_walks_up() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(".mdscrub.toml"), "").unwrap();
        assert_eq!(discover(&sub), Some(dir.path().join(".mdscrub.toml")));
        std::fs::write(dir.path().join("a/mdscrub.toml"), "").unwrap();
        assert_eq!(discover(&sub), Some(dir.path().join("a/mdscrub.toml")));
    }
}
