//! The rules file: TOML types, loading and validation.
//!
//! A rules file is a list of `[[rule]]` tables. Every rule has `id`, `kind`,
//! `description` and an optional `enabled`; the remaining keys are the kind's
//! own settings, checked by the kind. Any mistake is an error naming the file,
//! the line and the rule.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::Protect;
use crate::edit::Tier;
use crate::prefilter::Prefilter;
use crate::rules::{self, Rule};

mod locate;
mod presets;
pub use presets::{Membership, PresetDef, Presets};
pub mod schema;
mod user;
pub use user::{Example, ExampleFailure, RuleMeta, SetMeta, discover};
use user::{rule_entries, take_examples};

/// A TOML error's message for people. An integer past the signed 64-bit
/// range, which TOML does not hold (toml says "u64 value was too large"),
/// names the key and the limit.
fn toml_message(message: &str, line: Option<&str>) -> String {
    let message = message.trim();
    if message == "u64 value was too large" {
        let key = line
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| format!("`{}` ", k.trim()))
            .unwrap_or_default();
        return format!(
            "{key}is too large: the largest number a rules file can hold is {} (i64::MAX)",
            i64::MAX
        );
    }
    message.to_string()
}

/// The default rules, embedded in the binary.
pub const DEFAULT_RULES: &str = include_str!("../rules.toml");

/// Name shown for the embedded default rules in messages.
pub const DEFAULT_RULES_NAME: &str = "<default rules.toml>";

/// A rules file that could not be used: `file:line: rule `id`: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default(), rule.as_ref().map(|r| format!(": rule `{r}`")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub message: String,
}

/// One rule, ready to run.
#[derive(Debug)]
pub struct ActiveRule {
    pub id: Arc<str>,
    pub kind: &'static str,
    pub description: String,
    pub rule: Box<dyn Rule>,
    /// Where it was defined, its settings as written, and its examples.
    pub meta: RuleMeta,
}

/// The rules of a run, in file order, plus file-wide settings.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<ActiveRule>,
    /// Largest share of a file's visible text a clean may remove before the
    /// file is refused (0.0–1.0).
    pub max_removed: f64,
    /// Lines no rule may remove (`protect = [...]`): see [`crate::content`].
    pub protect: Protect,
    /// Apply review-tier fixes too (`apply = "review"`, `--apply review`);
    /// by default they are only reported.
    pub apply_review: bool,
    /// The rules' needles, compiled: which rules may fire in a text.
    prefilter: Prefilter,
    /// Use the prefilter (on by default). Off, every text is parsed and every
    /// rule runs in every pass on every block (no pass looks only at the
    /// blocks the previous one changed: [`crate::fresh`]); the output must
    /// be the same (tests compare).
    pub use_prefilter: bool,
    /// Let the prefilter also search the visible-text needles of phrase
    /// rules (`drop-block`, `drop-line`, `drop-tail`), so that a file holding
    /// none of their phrases can skip its parse. Off by default: the search
    /// squeezes a copy of each text, and on archives where most files are
    /// parsed anyway it costs more than the parses it spares (BENCHMARKS.md).
    pub visible_prefilter: bool,
    /// Switched-off rules, exclude globs and the file's name.
    pub extra: SetMeta,
}

/// Default for `max-removed`.
pub const DEFAULT_MAX_REMOVED: f64 = 0.5;

impl RuleSet {
    /// The embedded default rules.
    pub fn default_rules() -> RuleSet {
        RuleSet::parse(DEFAULT_RULES, DEFAULT_RULES_NAME)
            .expect("the embedded default rules are valid (tested)")
    }

    /// A rule set that does nothing.
    pub fn empty() -> RuleSet {
        RuleSet {
            rules: Vec::new(),
            max_removed: DEFAULT_MAX_REMOVED,
            protect: Protect::default(),
            apply_review: false,
            prefilter: Prefilter::default(),
            use_prefilter: true,
            visible_prefilter: false,
            extra: SetMeta::default(),
        }
    }

    /// Reads and validates a rules file.
    pub fn load(path: &Path) -> Result<RuleSet, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: name.clone(),
            line: None,
            rule: None,
            message: format!("cannot read rules file: {e}"),
        })?;
        RuleSet::parse(&text, &name)
    }

    /// Validates rules from TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<RuleSet, ConfigError> {
        let err = |line: Option<usize>, rule: Option<&str>, message: String| ConfigError {
            file: file.to_string(),
            line,
            rule: rule.map(str::to_string),
            message,
        };
        // Line numbers of offsets, by the line breaks found once.
        let breaks: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        let line_at = |offset: usize| breaks.partition_point(|&b| b < offset.min(text.len())) + 1;
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(s.start));
            err(
                line,
                None,
                toml_message(e.message(), line.and_then(|l| text.lines().nth(l - 1))),
            )
        })?;
        // An error naming a key or table points at its line.
        let top_err = |m: String| err(locate::line_of_message(text, None, &m), None, m);
        let (raw, presets) = resolve_presets(raw, file).map_err(top_err)?;
        let mut seen = HashSet::new();
        let mut rules = Vec::new();
        if let Some(path) = &raw.clearurls {
            let rule = presets::load_clearurls(path, file).map_err(|m| {
                err(
                    locate::top_key_line(text, "clearurls"),
                    Some("clearurls"),
                    m,
                )
            })?;
            seen.insert("clearurls".to_string());
            rules.push(ActiveRule {
                id: Arc::from("clearurls"),
                kind: "clearurls",
                description: format!("ClearURLs providers from {path}"),
                rule,
                meta: RuleMeta::default(),
            });
        }
        let mut disabled = Vec::new();
        let entries = rule_entries(raw.rule, raw.extend_default, &line_at);
        for (line, mut table) in entries {
            let id = match table.remove("id") {
                Some(toml::Value::String(s)) if !s.trim().is_empty() => s,
                Some(_) => return Err(err(line, None, "`id` must be a non-empty string".into())),
                None => return Err(err(line, None, "rule has no `id`".into())),
            };
            let rule_err = |m: String| {
                let at = line.and_then(|l| locate::line_of_message(text, Some(l), &m));
                err(at.or(line), Some(&id), m)
            };
            if !seen.insert(id.clone()) {
                return Err(rule_err("duplicate rule id".into()));
            }
            let kind_name = match table.remove("kind") {
                Some(toml::Value::String(s)) => s,
                Some(_) => return Err(rule_err("`kind` must be a string".into())),
                None => {
                    // Most often a default rule's id, misspelt.
                    let defaults = default_ids();
                    let hint = crate::suggest::nearest(&id, defaults.iter().map(String::as_str))
                        .map(|d| format!("; did you mean the default rule `{d}`?"))
                        .unwrap_or_default();
                    return Err(rule_err(format!(
                        "rule has no `kind` (a rule of a new id needs one){hint}"
                    )));
                }
            };
            let Some(kind) = rules::kind(&kind_name) else {
                let known: Vec<&str> = rules::KINDS.iter().map(|k| k.name).collect();
                return Err(rule_err(format!(
                    "`kind`: unknown kind `{kind_name}`{} (known kinds: {})",
                    crate::suggest::hint(&kind_name, known.iter().copied()),
                    known.join(", ")
                )));
            };
            // Optional: a rule without one is described by its id.
            let description = match table.remove("description") {
                Some(toml::Value::String(s)) => s,
                Some(_) => return Err(rule_err("`description` must be a string".into())),
                None => id.clone(),
            };
            let enabled = match table.remove("enabled") {
                Some(toml::Value::Boolean(b)) => b,
                Some(_) => return Err(rule_err("`enabled` must be true or false".into())),
                None => true,
            };
            let tier = match table.remove("tier") {
                Some(toml::Value::String(s)) if s == "safe" => Tier::Safe,
                Some(toml::Value::String(s)) if s == "review" => Tier::Review,
                Some(_) => return Err(rule_err("`tier` must be \"safe\" or \"review\"".into())),
                None => Tier::Safe,
            };
            let chrome = match table.remove("chrome") {
                Some(toml::Value::Boolean(b)) => b,
                Some(_) => return Err(rule_err("`chrome` must be true or false".into())),
                None => false,
            };
            let examples = take_examples(&mut table).map_err(rule_err)?;
            let membership = Presets::take(&mut table).map_err(rule_err)?;
            let settings = table.clone();
            let rule = (kind.build)(table).map_err(|e| rule_err(e.to_string()))?;
            let (in_chosen_preset, rule) = presets.apply(&membership, rule).map_err(rule_err)?;
            let Membership { preset, if_matches } = membership;
            let active = ActiveRule {
                id: Arc::from(id.as_str()),
                kind: kind.name,
                description,
                rule,
                meta: RuleMeta {
                    line,
                    settings,
                    examples,
                    preset,
                    if_matches,
                    chrome,
                    tier,
                },
            };
            if enabled && in_chosen_preset {
                rules.push(active);
            } else {
                disabled.push(active);
            }
        }
        let max_removed = raw.max_removed.unwrap_or(DEFAULT_MAX_REMOVED);
        if !(0.0..=1.0).contains(&max_removed) {
            return Err(top_err("`max-removed` must be between 0 and 1".into()));
        }
        for glob in &raw.exclude {
            crate::walk::Globs::new(std::slice::from_ref(glob)).map_err(|m| {
                let at = locate::string_line(text, glob)
                    .or_else(|| locate::top_key_line(text, "exclude"));
                err(at, None, format!("`exclude`: {m}"))
            })?;
        }
        let mut set = RuleSet::from_rules(rules, max_removed);
        set.protect = Protect::new(raw.protect)
            .map_err(|m| err(locate::top_key_line(text, "protect"), None, m))?;
        set.apply_review = raw.apply == Some(Apply::Review);
        set.extra = SetMeta {
            file: file.to_string(),
            disabled,
            exclude: raw.exclude,
            presets: presets
                .defs()
                .iter()
                .map(|(name, def)| (name.clone(), def.clone(), presets.is_chosen(name)))
                .collect(),
        };
        Ok(set)
    }

    /// Builds a set from rules already made.
    pub fn from_rules(rules: Vec<ActiveRule>, max_removed: f64) -> RuleSet {
        let prefilter = Prefilter::new(rules.iter().map(|r| &*r.rule));
        RuleSet {
            rules,
            max_removed,
            protect: Protect::default(),
            apply_review: false,
            prefilter,
            use_prefilter: true,
            visible_prefilter: false,
            extra: SetMeta::default(),
        }
    }

    /// Adds the learned rules of `learned` (`learned-lines`, `learned-images`)
    /// before the rules that only tidy up after others.
    pub fn add_learned(&mut self, learned: &crate::learn::Learned) {
        use crate::rules::learned::{LearnedImages, LearnedLines};
        let at = self
            .rules
            .iter()
            .position(|r| r.rule.settles())
            .unwrap_or(self.rules.len());
        let text = learned.text.iter().filter(|e| !e.keep).count();
        let images = learned.image.iter().filter(|e| !e.keep).count();
        let new = [
            ActiveRule {
                id: Arc::from("learned-lines"),
                kind: "learned-lines",
                description: format!(
                    "Remove the {text} learned lines of boilerplate in a head or tail"
                ),
                rule: Box::new(LearnedLines::new(learned.text_keys())),
                meta: RuleMeta::default(),
            },
            ActiveRule {
                id: Arc::from("learned-images"),
                kind: "learned-images",
                description: format!("Remove the {images} learned images of boilerplate"),
                rule: Box::new(LearnedImages::new(learned.image_keys())),
                meta: RuleMeta::default(),
            },
        ];
        self.rules.splice(at..at, new);
        self.prefilter = Prefilter::new(self.rules.iter().map(|r| &*r.rule));
    }

    /// A fingerprint of everything that decides what a run with this set
    /// does to a file's bytes: mdscrub's version, every active rule with its
    /// settings, and the run's `options` that change how bytes become text.
    /// The clean-content cache ([`crate::cache::Cache::open`]) is keyed on it.
    pub fn fingerprint(&self, options: &str) -> u128 {
        let text = format!(
            "{}\n{:?}\n{:?}\n{}\n{}\n{}\n{}",
            env!("CARGO_PKG_VERSION"),
            self.rules,
            self.protect.patterns(),
            self.apply_review,
            self.max_removed,
            self.visible_prefilter,
            options
        );
        xxhash_rust::xxh3::xxh3_128(text.as_bytes())
    }

    /// Whether some rule may make an edit in `text`; false when none may, so
    /// the text needs no parse. With the prefilter off, true (unless there
    /// are no rules).
    pub fn may_apply(&self, text: &str) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        if !self.use_prefilter {
            return true;
        }
        let head = rules::head_of(text);
        self.prefilter
            .any_may_fire(text, self.visible_prefilter, |i| {
                let rule = &self.rules[i].rule;
                rule.gate_open(head) && rule.may_fire(text)
            })
    }
}

/// Where the rules for a run come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesSource {
    Default,
    File(PathBuf),
}

impl RulesSource {
    pub fn load(&self) -> Result<RuleSet, ConfigError> {
        match self {
            RulesSource::Default => RuleSet::parse(DEFAULT_RULES, DEFAULT_RULES_NAME),
            RulesSource::File(p) => RuleSet::load(p),
        }
    }
}

/// Which fixes a clean applies.
#[derive(serde::Deserialize, schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Apply {
    /// Only the safe fixes (the default).
    Safe,
    /// The review-tier fixes too (the guesses).
    Review,
}

/// The ids of the embedded default rules.
fn default_ids() -> Vec<String> {
    toml::from_str::<RawFile>(DEFAULT_RULES)
        .map(|raw| {
            raw.rule
                .iter()
                .filter_map(|t| t.get_ref().get("id")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A rules file as written; [`schema`] describes it for editors.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    title = "mdscrub rules file",
    description = "An mdscrub.toml (or .mdscrub.toml) rules file: settings and `[[rule]]` tables."
)]
struct RawFile {
    /// Largest share of a file's visible text a clean may remove before the
    /// file is refused (0.0–1.0; default 0.5).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 1.0), extend("default" = DEFAULT_MAX_REMOVED))]
    max_removed: Option<f64>,
    /// Which fixes a clean applies: `safe` (the default) or `review` (also
    /// the guesses).
    #[serde(default)]
    apply: Option<Apply>,
    /// The rules, in the order they run.
    #[serde(default)]
    #[schemars(with = "Vec<schema::RuleTable>")]
    rule: Vec<toml::Spanned<toml::Table>>,
    /// Keep the embedded default rules and add to or override them by id.
    #[serde(default)]
    extend_default: bool,
    /// Globs of paths never to walk into or process.
    #[serde(default)]
    exclude: Vec<String>,
    /// Named groups of rules (`[preset.NAME]`).
    #[serde(default)]
    preset: std::collections::BTreeMap<String, PresetDef>,
    /// The presets that run; without it, those marked `default = true`.
    #[serde(default)]
    presets: Option<Vec<String>>,
    /// A ClearURLs rules file (JSON) whose providers run as URL rules.
    #[serde(default)]
    clearurls: Option<String>,
    /// Regexes over a line's visible text: a matching line is never removed
    /// by any rule. A file that extends the defaults adds to theirs.
    #[serde(default)]
    protect: Vec<String>,
}

/// The presets of a rules file. A file that picks presets but defines no
/// rules extends the embedded defaults; a file that extends the defaults
/// also gets their presets, which its own `[preset.NAME]` tables extend or
/// replace.
fn resolve_presets(mut raw: RawFile, file: &str) -> Result<(RawFile, Presets), String> {
    if file == DEFAULT_RULES_NAME {
        let presets = Presets::new(std::mem::take(&mut raw.preset), raw.presets.as_deref())?;
        return Ok((raw, presets));
    }
    if presets::uses_default_rules(raw.presets.as_deref(), raw.rule.len()) {
        raw.extend_default = true;
    }
    if raw.extend_default {
        let default: RawFile =
            toml::from_str(DEFAULT_RULES).expect("the embedded default rules parse (tested)");
        let own = std::mem::take(&mut raw.preset);
        raw.preset = default.preset;
        raw.preset.extend(own);
        if raw.max_removed.is_none() {
            raw.max_removed = default.max_removed;
        }
        let own = std::mem::replace(&mut raw.protect, default.protect);
        for p in own {
            if !raw.protect.contains(&p) {
                raw.protect.push(p);
            }
        }
    }
    let presets = Presets::new(std::mem::take(&mut raw.preset), raw.presets.as_deref())?;
    Ok((raw, presets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_are_valid() {
        let set = RuleSet::parse(DEFAULT_RULES, DEFAULT_RULES_NAME).unwrap();
        assert!(set.rules.len() >= 9);
    }

    #[test]
    fn tidy_does_not_defeat_the_prefilter_and_hosts_match_in_any_case() {
        let set = RuleSet::parse(
            "[[rule]]\nid = \"q\"\nkind = \"strip-query\"\ndescription = \"d\"\nhosts = [\"mmbiz.qpic.cn\"]\nremove = [\"from\"]\n\n[[rule]]\nid = \"t\"\nkind = \"tidy\"\ndescription = \"d\"\n",
            "r.toml",
        )
        .unwrap();
        assert!(!set.may_apply("正文\n\n\n\n没有链接\n"));
        assert!(set.may_apply("![](https://MMBIZ.QPIC.CN/a/640?from=appmsg)\n"));
        let cleaned = crate::clean_text(
            "![](https://MMBIZ.QPIC.CN/a/640?from=appmsg)\n",
            &set,
            false,
        )
        .unwrap();
        assert_eq!(cleaned.output, "![](https://MMBIZ.QPIC.CN/a/640)\n");
    }

    fn error_of(text: &str) -> ConfigError {
        RuleSet::parse(text, "r.toml").unwrap_err()
    }

    #[test]
    fn typos_get_suggestions_and_lines() {
        // A misspelt default id reads as a new rule without a kind.
        let e = RuleSet::parse(
            "extend-default = true\n\n[[rule]]\nid = \"folow-prompt\"\nenabled = false\n",
            "r.toml",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.message
                .contains("did you mean the default rule `follow-prompt`?"),
            "{e}"
        );
        let e = error_of("[[rule]]\nid = \"x\"\nkind = \"drop-blok\"\n");
        assert!(e.message.contains("did you mean `drop-block`?"), "{e}");
        // `max-removed`, presets and `exclude` globs have lines too.
        let e = error_of("apply = \"safe\"\nmax-removed = 3.0\n");
        assert_eq!((e.file.as_str(), e.line), ("r.toml", Some(2)));
        let e = error_of("exclude = [\n  \"ok\",\n  \"a[\",\n]\n");
        assert_eq!(e.line, Some(3));
        assert!(
            e.to_string()
                .starts_with("r.toml:3: `exclude`: invalid glob `a[`"),
            "{e}"
        );
        let e = error_of("presets = [\"webb\"]\n\n[preset.web]\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("did you mean `web`?"), "{e}");
        let e = error_of("[preset.web]\nif-matches = \"(\"\n");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn a_rule_without_description_is_described_by_its_id() {
        let set = RuleSet::parse("[[rule]]\nid = \"x\"\nkind = \"tidy\"\n", "r.toml").unwrap();
        assert_eq!(set.rules[0].description, "x");
        // Its absence hides no other error.
        let e = error_of("[[rule]]\nid = \"x\"\nkind = \"drop-block\"\npattern = \"(\"\n");
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("`pattern` is not a valid regex"), "{e}");
    }

    #[test]
    fn unknown_kind_names_rule_and_line() {
        let e = error_of("\n[[rule]]\nid = \"x\"\nkind = \"nope\"\ndescription = \"d\"\n");
        assert_eq!(e.line, Some(4));
        assert_eq!(e.rule.as_deref(), Some("x"));
        assert!(e.message.contains("unknown kind `nope`"), "{e}");
        assert!(e.to_string().starts_with("r.toml:4: rule `x`:"), "{e}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = error_of(
            "[[rule]]\nid = \"x\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = \"a\"\nmax-char = 3\n",
        );
        assert_eq!(e.rule.as_deref(), Some("x"));
        assert!(e.message.contains("max-char"), "{e}");
    }

    #[test]
    fn bad_regex_is_an_error() {
        let e = error_of(
            "[[rule]]\nid = \"x\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = \"(\"\n",
        );
        assert!(e.message.contains("`pattern` is not a valid regex"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_an_error() {
        let one = "[[rule]]\nid = \"x\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        let e = error_of(&format!("{one}{one}"));
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("duplicate"), "{e}");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let e = error_of("[[rule]]\nid = \"x\n");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn disabled_rules_are_validated_but_not_run() {
        let set = RuleSet::parse(
            "[[rule]]\nid = \"x\"\nkind = \"tidy\"\ndescription = \"d\"\nenabled = false\n",
            "r.toml",
        )
        .unwrap();
        assert!(set.rules.is_empty());
    }

    #[test]
    fn the_fingerprint_follows_the_rules_and_the_options() {
        let default = RuleSet::default_rules();
        let a = default.fingerprint("utf-8");
        assert_eq!(a, RuleSet::default_rules().fingerprint("utf-8"));
        assert_ne!(a, default.fingerprint("gb18030"));
        let narrowed = RuleSet::default_rules()
            .narrow(&[], &["utm-params".to_string()])
            .unwrap();
        assert_ne!(a, narrowed.fingerprint("utf-8"));
        let mut looser = RuleSet::default_rules();
        looser.max_removed = 0.9;
        assert_ne!(a, looser.fingerprint("utf-8"));
        let mut guarded = RuleSet::default_rules();
        guarded.protect = Protect::new(vec!["^编者按".into()]).unwrap();
        assert_ne!(a, guarded.fingerprint("utf-8"));
    }
}
