//! The JSON schema of rules files (`mdscrub.schema.json`): the committed file
//! is what the binary prints, and it accepts the rules files mdscrub ships
//! and documents and rejects the mistakes an editor should flag.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

const REGENERATE: &str = "cargo run -q -- rules --schema > mdscrub.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&mdscrub::config::schema::to_json()).unwrap();
    jsonschema::draft7::new(&schema).expect("the schema compiles")
}

/// TOML text as the JSON an editor validates.
fn to_json(toml_text: &str) -> Value {
    let table: toml::Table = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_value(table).unwrap()
}

/// The schema's complaints about a rules file, one line each.
fn errors(v: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let instance = to_json(toml_text);
    v.iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_what_the_binary_prints() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mdscrub"))
        .args(["rules", "--schema"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed, mdscrub::config::schema::to_json());
    let committed = std::fs::read_to_string(root().join("mdscrub.schema.json"))
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert!(
        committed == printed,
        "mdscrub.schema.json is out of date with the config types; regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn schema_is_valid_draft_07() {
    let schema: Value = serde_json::from_str(&mdscrub::config::schema::to_json()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::meta::validate(&schema).unwrap();
}

#[test]
fn default_rules_validate() {
    let errors = errors(&validator(), mdscrub::config::DEFAULT_RULES);
    assert!(errors.is_empty(), "{errors:#?}");
}

fn rules_files(dir: &Path, out: &mut Vec<PathBuf>) {
    common::files_below(
        dir,
        &|p| p.file_name().is_some_and(|n| n == "rules.toml"),
        out,
    );
}

#[test]
fn fixture_and_documented_rules_files_validate() {
    let v = validator();
    let mut files = Vec::new();
    rules_files(&root().join("fixtures"), &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    // The rules files the documentation shows (TOML blocks of the pages on
    // rules files).
    for page in ["docs/configuration.md", "docs/rules.md"] {
        let text = std::fs::read_to_string(root().join(page)).unwrap();
        for (i, block) in text.split("```toml\n").skip(1).enumerate() {
            let block = block.split("```").next().unwrap();
            if block.trim_start().starts_with("# .taplo.toml") {
                continue;
            }
            texts.push((format!("{page} block {}", i + 1), block.to_string()));
        }
    }
    for (name, text) in texts {
        let errors = errors(&v, &text);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn mistakes_are_rejected() {
    let v = validator();
    let rule = "[[rule]]\nid = \"x\"\nkind = \"drop-block\"\npattern = \"点赞\"\n";
    assert_eq!(errors(&v, rule), Vec::<String>::new());
    let bad = [
        // An unknown key in a rule (a kind's setting misspelt).
        format!("{rule}max-char = 3\n"),
        // A setting of the wrong type.
        format!("{rule}max-chars = \"3\"\n"),
        format!("{rule}blocks = [\"table\"]\n"),
        // A key every rule takes, of the wrong type.
        format!("{rule}enabled = \"no\"\n"),
        format!("{rule}tier = \"maybe\"\n"),
        // A setting of another kind.
        format!("{rule}hosts = [\"a.com\"]\n"),
        // A required setting missing.
        "[[rule]]\nid = \"x\"\nkind = \"drop-block\"\n".to_string(),
        // An unknown kind.
        "[[rule]]\nid = \"x\"\nkind = \"drop-blok\"\npattern = \"a\"\n".to_string(),
        // No kind, and not a default rule's id.
        "extend-default = true\n[[rule]]\nid = \"folow-prompt\"\nenabled = false\n".to_string(),
        // An override with a setting its default rule's kind does not take.
        "extend-default = true\n[[rule]]\nid = \"follow-prompt\"\nhosts = [\"a\"]\n".to_string(),
        // Mistakes outside the rules.
        "max-removed = 2.0\n".to_string(),
        "max-removed = \"half\"\n".to_string(),
        "apply = \"all\"\n".to_string(),
        "exclude = \"drafts\"\n".to_string(),
        "extend-defaults = true\n".to_string(),
        "[preset.web]\nif-match = \"a\"\n".to_string(),
        format!("{rule}[[rule.example]]\ninput = \"a\"\n"),
    ];
    for text in bad {
        assert!(
            !v.is_valid(&to_json(&text)),
            "the schema accepts a bad rules file:\n{text}"
        );
        // mdscrub itself rejects each one too.
        assert!(
            mdscrub::RuleSet::parse(&text, "r.toml").is_err(),
            "mdscrub accepts:\n{text}"
        );
    }
    // Overrides of default rules need no kind and no required setting.
    let ok = "extend-default = true\n\n[[rule]]\nid = \"end-marker\"\ntail = 3\n\n\
              [[rule]]\nid = \"read-original\"\nenabled = false\n\n\
              [[rule]]\nid = \"follow-prompt\"\nkind = \"drop-block\"\nmax-chars = 80\n";
    assert_eq!(errors(&v, ok), Vec::<String>::new());
    mdscrub::RuleSet::parse(ok, "r.toml").unwrap();
}

/// Every kind's schema rejects an unknown key, as its settings struct does,
/// and every kind is in the schema.
#[test]
fn every_kind_is_in_the_schema() {
    let schema: Value = serde_json::from_str(&mdscrub::config::schema::to_json()).unwrap();
    let variants = schema["definitions"]["Rule"]["anyOf"].as_array().unwrap();
    for kind in mdscrub::rules::KINDS {
        let of_kind: Vec<&Value> = variants
            .iter()
            .filter(|v| v["properties"]["kind"]["const"] == kind.name)
            .collect();
        assert!(
            !of_kind.is_empty(),
            "kind `{}` is not in the schema",
            kind.name
        );
        for v in of_kind {
            assert_eq!(v["additionalProperties"], false, "{}", kind.name);
        }
    }
}

/// `rules --schema` reads no rules file: a broken one in the folder does not
/// stop it (it is how a user gets the schema to fix that file with).
#[test]
fn schema_command_reads_no_rules_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mdscrub.toml"), "[[rule]]\nid = 3\n").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mdscrub"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["rules", "--schema"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        mdscrub::config::schema::to_json()
    );
    assert!(!run(&["rules"]).status.success());
    assert_eq!(run(&["rules", "--schema", "--test"]).status.code(), Some(2));
}
