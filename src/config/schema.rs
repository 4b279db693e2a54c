//! The JSON schema of rules files, for editors (`mdscrub rules --schema`,
//! committed as `mdscrub.schema.json`).
//!
//! Made from the types: the file's settings from [`RawFile`], the keys every
//! rule takes from [`RuleKeys`], and each kind's own settings from the schema
//! its entry in [`rules::KINDS`] carries. A `[[rule]]` table must match one
//! of: a rule of one kind (`kind = "<name>"` and that kind's settings), or an
//! override of a default rule of that kind (its `id`, no required settings).
//! The schema checks shape only: regexes, globs, preset names and unknown ids
//! are still mdscrub's to check.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::{DEFAULT_RULES, RawFile};
use crate::rules::{self, RuleKind};

/// The schema of a rules file.
pub fn schema() -> Schema {
    let mut generator = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(drop_null))
        .into_generator();
    generator.root_schema_for::<RawFile>()
}

/// The schema as pretty-printed JSON ending in a newline: the text of
/// `mdscrub.schema.json`.
pub fn to_json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a schema is JSON");
    text.push('\n');
    text
}

/// TOML has no null: an optional key is left out, never null. Keeps only the
/// non-null part of an `Option`'s schema.
fn drop_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(any)) = object.get("anyOf") {
        let kept: Vec<Value> = any
            .iter()
            .filter(|s| s.get("type").is_none_or(|t| t != "null"))
            .cloned()
            .collect();
        if kept.len() < any.len() {
            object.remove("anyOf");
            match <[Value; 1]>::try_from(kept) {
                Ok([Value::Object(only)]) => {
                    for (k, v) in only {
                        object.entry(k).or_insert(v);
                    }
                }
                Ok([other]) => {
                    object.insert("allOf".into(), json!([other]));
                }
                Err(kept) => {
                    object.insert("anyOf".into(), Value::Array(kept));
                }
            }
        }
    }
    if object.get("default") == Some(&Value::Null) {
        object.remove("default");
    }
}

/// The keys every `[[rule]]` table takes besides its kind's own settings.
/// `RuleSet::parse` reads them by hand (to name the bad key and its line);
/// this struct only describes them.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[allow(dead_code)]
struct RuleKeys {
    /// The rule's name, unique in the file: what `--select`, `--ignore`,
    /// suppression comments and reports use. A rule with a default rule's id
    /// in a file with `extend-default = true` overrides that rule's keys.
    id: String,
    /// What the rule does; its other keys depend on it.
    kind: String,
    /// What the rule removes or changes, shown by `mdscrub rules` (default:
    /// the id).
    description: Option<String>,
    /// `false` switches the rule off; it is still checked.
    #[serde(default = "yes")]
    enabled: bool,
    /// `review`: the rule's edits are shown, and applied only with `--apply
    /// review` (a guess, or a rewrite nobody has checked).
    #[serde(default)]
    tier: TierName,
    /// The rule removes only an exporter's or a page's own chrome, never the
    /// article: its removals do not count towards `max-removed`.
    #[serde(default)]
    chrome: bool,
    /// The preset (`[preset.NAME]`) the rule belongs to: it runs only when
    /// that preset does.
    preset: Option<String>,
    /// Regex over a document's first 40 lines: the rule runs only on
    /// documents it matches (an exporter's fingerprint).
    if_matches: Option<String>,
    /// Examples of what the rule does, run by `mdscrub rules --test`.
    #[serde(default)]
    example: Vec<super::Example>,
}

fn yes() -> bool {
    true
}

/// The tier of a rule's fixes.
#[derive(JsonSchema, serde::Serialize, Default)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum TierName {
    /// Applied by default.
    #[default]
    Safe,
    /// Shown, and applied only with `--apply review`.
    Review,
}

/// One `[[rule]]` table, for the schema of [`RawFile::rule`] (read as a plain
/// TOML table and checked by hand and by its kind).
pub(super) struct RuleTable;

impl JsonSchema for RuleTable {
    fn schema_name() -> Cow<'static, str> {
        "Rule".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let keys = object_of(RuleKeys::json_schema(generator));
        let defaults = default_ids_by_kind();
        let mut variants = Vec::new();
        for kind in rules::KINDS {
            let settings = object_of((kind.schema)(generator));
            variants.push(variant(kind, &keys, &settings, None));
            if let Some(ids) = defaults.get(kind.name) {
                variants.push(variant(kind, &keys, &settings, Some(ids)));
            }
        }
        let mut schema = Schema::default();
        schema.insert(
            "description".into(),
            "A rule: `id`, `kind` and the kind's settings; or, with `extend-default = true`, \
             a default rule's `id` and the keys that change."
                .into(),
        );
        // Said once outside the variants too, so that a misspelt kind is
        // named as such rather than as a table that fits no variant.
        let kinds: Vec<&str> = rules::KINDS.iter().map(|k| k.name).collect();
        schema.insert("type".into(), "object".into());
        schema.insert(
            "properties".into(),
            json!({ "kind": { "description": "What the rule does.", "enum": kinds } }),
        );
        schema.insert("required".into(), json!(["id"]));
        schema.insert("anyOf".into(), Value::Array(variants));
        schema
    }
}

/// One way a rule table may look: a rule of `kind`, or with `overrides`, an
/// override of one of these default rules of that kind (`kind` optional and
/// no setting required: the default rule has them).
fn variant(
    kind: &RuleKind,
    keys: &Map<String, Value>,
    settings: &Map<String, Value>,
    overrides: Option<&[String]>,
) -> Value {
    let mut properties = props(keys);
    properties.insert(
        "kind".into(),
        json!({ "const": kind.name, "description": kind.summary }),
    );
    for (key, schema) in props(settings) {
        let clash = properties.insert(key.clone(), schema);
        assert!(
            clash.is_none(),
            "kind `{}`: setting `{key}` is a key every rule takes",
            kind.name
        );
    }
    let required = |m: &Map<String, Value>| -> Vec<Value> {
        m.get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (title, description, required) = match overrides {
        None => {
            let mut all = required(keys);
            all.extend(required(settings));
            (kind.name.to_string(), kind.summary.to_string(), all)
        }
        Some(ids) => {
            properties.insert(
                "id".into(),
                json!({
                    "description": format!("A default `{}` rule (with `extend-default = true`).", kind.name),
                    "enum": ids,
                }),
            );
            (
                format!("{} (override)", kind.name),
                format!("Changes keys of a default `{}` rule.", kind.name),
                vec![json!("id")],
            )
        }
    };
    json!({
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A schema as the JSON object it is (an object schema for a struct).
fn object_of(schema: Schema) -> Map<String, Value> {
    match schema.to_value() {
        Value::Object(map) => map,
        other => panic!("expected an object schema, got {other}"),
    }
}

/// The `properties` of an object schema.
fn props(schema: &Map<String, Value>) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The ids of the embedded default rules, by kind, in file order.
fn default_ids_by_kind() -> BTreeMap<String, Vec<String>> {
    let raw: RawFile = toml::from_str(DEFAULT_RULES).expect("the embedded default rules parse");
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in &raw.rule {
        let rule = rule.get_ref();
        if let (Some(id), Some(kind)) = (
            rule.get("id").and_then(|v| v.as_str()),
            rule.get("kind").and_then(|v| v.as_str()),
        ) {
            ids.entry(kind.into()).or_default().push(id.into());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_rule_takes_is_one_parse_accepts() {
        let keys = props(&object_of(RuleKeys::json_schema(
            &mut SchemaSettings::draft07().into_generator(),
        )));
        let names: Vec<&str> = keys.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "chrome",
                "description",
                "enabled",
                "example",
                "id",
                "if-matches",
                "kind",
                "preset",
                "tier"
            ]
        );
        let text = "[preset.p]\n\n[[rule]]\nid = \"x\"\nkind = \"tidy\"\ndescription = \"d\"\n\
                    enabled = true\ntier = \"review\"\nchrome = true\npreset = \"p\"\n\
                    if-matches = \"a\"\n\n[[rule.example]]\ninput = \"a\\n\"\noutput = \"a\\n\"\n";
        super::super::RuleSet::parse(text, "r.toml").unwrap();
    }
}
