//! Fixture cases: `fixtures/<case>/input.md` cleaned must equal
//! `fixtures/<case>/expected.md` byte for byte.
//!
//! A case runs with the embedded default rules unless its folder holds a
//! `rules.toml`, which then replaces them (per-kind cases use this to test one
//! rule kind alone). Any folder below `fixtures/` that holds an `input.md` is a
//! case; its name is its path relative to `fixtures/`.
//!
//! Each case also has an insta snapshot in `tests/snapshots/`: every edit
//! (rule, line, byte range, text removed and put in) and the cleaned output
//! with hidden characters shown, so that a rule change is reviewed as a
//! snapshot diff. `INSTA_UPDATE=always cargo test --test fixtures` accepts a
//! change: it writes the snapshots and every `expected.md` that differs
//! (never under CI, where a difference fails).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mdscrub::{Cleaned, RuleSet, clean_text};

mod common;
use common::RULES_THAT_MATCH_NOTHING;

struct Case {
    name: String,
    dir: PathBuf,
    input: String,
    expected: String,
}

impl Case {
    fn rules(&self) -> RuleSet {
        let custom = self.dir.join("rules.toml");
        if custom.exists() {
            RuleSet::load(&custom).unwrap_or_else(|e| panic!("case `{}`: {e}", self.name))
        } else {
            RuleSet::default_rules()
        }
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()))
}

/// The case in folder `dir` (which holds `input.md`) below `root`.
fn load(dir: &Path, root: &Path) -> Case {
    let name = dir
        .strip_prefix(root)
        .expect("below fixtures/")
        .to_string_lossy()
        .replace('\\', "/");
    let expected = dir.join("expected.md");
    assert!(
        expected.exists(),
        "case `{name}` has input.md but no expected.md"
    );
    Case {
        input: read(&dir.join("input.md")),
        expected: read(&expected),
        dir: dir.to_path_buf(),
        name,
    }
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<Case>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable fixtures folder").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for sub in entries {
        if sub.join("input.md").exists() {
            out.push(load(&sub, root));
        } else {
            collect(&sub, root, out);
        }
    }
}

fn cases() -> Vec<Case> {
    let root = fixtures_root();
    let mut out = Vec::new();
    collect(&root, &root, &mut out);
    assert!(
        out.len() >= 20,
        "expected at least 20 fixture cases under {}, found {}",
        root.display(),
        out.len()
    );
    out
}

/// Shows characters a plain diff would hide: CR, BOM, tabs and trailing spaces.
fn visible(line: &str) -> String {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let trimmed = body.trim_end_matches(' ');
    let trailing = body.len() - trimmed.len();
    let mut s = trimmed
        .replace('\u{feff}', "<BOM>")
        .replace('\r', "\\r")
        .replace('\t', "\\t");
    s.push_str(&"·".repeat(trailing));
    if !line.ends_with('\n') {
        s.push_str("<no newline at end>");
    }
    s
}

/// A unified diff of `expected` → `got`, with hidden characters shown.
fn diff(expected: &str, got: &str) -> String {
    let d = similar::TextDiff::from_lines(expected, got);
    let mut out = String::new();
    for group in d.grouped_ops(2) {
        for op in group {
            for change in d.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let line = change
                    .old_index()
                    .or(change.new_index())
                    .map_or(0, |i| i + 1);
                let _ = writeln!(out, "{sign}{line:>4} | {}", visible(change.value()));
            }
        }
        out.push_str("     ...\n");
    }
    out
}

/// True when this run accepts changes: `INSTA_UPDATE=always` outside CI.
/// insta then writes the snapshots, and the test below each `expected.md`
/// that differs from the output.
fn accepting() -> bool {
    !common::in_ci() && std::env::var_os("INSTA_UPDATE").is_some_and(|v| v == "always")
}

/// What a review of a case needs: every edit, located in the input, with
/// the text it removed (`-`) and put in (`+`), one quoted line each, then
/// the cleaned output. Output lines are shown with `visible`, so that line
/// ends, a BOM, tabs and trailing spaces show in a diff.
fn describe(case: &Case, cleaned: &Cleaned) -> String {
    let mut out = String::new();
    let rules = if case.dir.join("rules.toml").exists() {
        "the case's rules.toml"
    } else {
        "the default rules"
    };
    let _ = writeln!(out, "rules: {rules}");
    let _ = writeln!(out, "edits: {}", cleaned.hits.len());
    for h in &cleaned.hits {
        let _ = writeln!(
            out,
            "{}, line {}, bytes {}..{}, pass {}",
            h.rule, h.line, h.offset, h.end, h.pass
        );
        for line in h.removed.split_inclusive('\n') {
            let _ = writeln!(out, "  - {line:?}");
        }
        for line in h.replacement.split_inclusive('\n') {
            let _ = writeln!(out, "  + {line:?}");
        }
    }
    out.push_str("output:\n");
    for (n, line) in cleaned.output.split_inclusive('\n').enumerate() {
        let _ = writeln!(out, "{:>4} | {}", n + 1, visible(line));
    }
    out
}

/// One snapshot per case (`tests/snapshots/fixtures__case@<case>__input.md.snap`),
/// so that a rule change shows as a diff in `cargo insta review`. Under CI
/// a difference fails and nothing is written.
#[test]
fn every_fixture_matches_its_snapshot() {
    let root = fixtures_root();
    insta::glob!("../fixtures", "**/input.md", |path| {
        let case = load(path.parent().expect("input.md is in a folder"), &root);
        let report = match clean_text(&case.input, &case.rules(), false) {
            Ok(c) => describe(&case, &c),
            Err(e) => format!("clean failed: {e}\n"),
        };
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!("case", report);
        });
    });
}

#[test]
fn every_fixture_cleans_to_its_expected_output() {
    let mut failures = String::new();
    let cases = cases();
    for case in &cases {
        let rules = case.rules();
        match clean_text(&case.input, &rules, false) {
            Ok(c) if c.output == case.expected => {}
            Ok(c) if accepting() => {
                let path = case.dir.join("expected.md");
                std::fs::write(&path, &c.output)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                eprintln!("note: wrote {}", path.display());
            }
            Ok(c) => {
                let _ = write!(
                    failures,
                    "\n=== case `{}`: output differs from expected.md (- expected, + got)\n{}",
                    case.name,
                    diff(&case.expected, &c.output)
                );
            }
            Err(e) => {
                let _ = write!(failures, "\n=== case `{}`: clean failed: {e}\n", case.name);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture case(s) failed:{failures}\n\
         If the change is intended: review it as a snapshot diff (`cargo insta review`), \
         then `INSTA_UPDATE=always cargo test --test fixtures` writes expected.md.",
        failures.matches("\n=== case").count()
    );
}

#[test]
fn cleaning_an_expected_output_again_changes_nothing() {
    let mut failures = String::new();
    for case in &cases() {
        let rules = case.rules();
        match clean_text(&case.expected, &rules, false) {
            Ok(c) if c.output == case.expected && c.hits.is_empty() => {}
            Ok(c) => {
                let rules: Vec<String> = c
                    .hits
                    .iter()
                    .map(|h| format!("{} at line {}", h.rule, h.line))
                    .collect();
                let _ = write!(
                    failures,
                    "\n=== case `{}`: expected.md is not clean (edits: {}) (- expected.md, + cleaned again)\n{}",
                    case.name,
                    rules.join(", "),
                    diff(&case.expected, &c.output)
                );
            }
            Err(e) => {
                let _ = write!(
                    failures,
                    "\n=== case `{}`: cleaning expected.md failed: {e}\n",
                    case.name
                );
            }
        }
    }
    assert!(failures.is_empty(), "not idempotent:{failures}");
}

#[test]
fn empty_rules_return_every_input_byte_for_byte() {
    let empty = RuleSet::empty();
    let idle = RuleSet::parse(RULES_THAT_MATCH_NOTHING, "idle.toml").unwrap();
    let mut failures = Vec::new();
    for case in &cases() {
        for (file, text) in [("input.md", &case.input), ("expected.md", &case.expected)] {
            for (set_name, set) in [
                ("RuleSet::empty()", &empty),
                ("rules that match nothing", &idle),
            ] {
                let c = clean_text(text, set, false)
                    .unwrap_or_else(|e| panic!("case `{}` {file}: {e}", case.name));
                if c.output.as_bytes() != text.as_bytes() || !c.hits.is_empty() {
                    failures.push(format!(
                        "case `{}` {file} with {set_name}:\n{}",
                        case.name,
                        diff(text, &c.output)
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "not lossless:\n{}",
        failures.join("\n")
    );
}
