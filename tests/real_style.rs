//! The real-style fixtures (`fixtures/real-style/<case>/`), one per exporter
//! shape: `input.md` cleaned with the default rules (or the case's own
//! `rules.toml`) must give `expected.md` byte for byte, and cleaning
//! `expected.md` again must change nothing.

use std::path::Path;

use mdscrub::{RuleSet, clean_text};

#[test]
fn real_style_cases_clean_to_expected_and_stay_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real-style");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/real-style exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.join("input.md").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "expected the real-style cases");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let rules = if dir.join("rules.toml").is_file() {
            RuleSet::load(&dir.join("rules.toml")).unwrap_or_else(|e| panic!("{name}: {e}"))
        } else {
            RuleSet::default_rules()
        };
        let input = std::fs::read_to_string(dir.join("input.md")).expect("input.md");
        let expected = std::fs::read_to_string(dir.join("expected.md")).expect("expected.md");
        let got = clean_text(&input, &rules, false).map(|c| c.output);
        match got {
            Ok(out) if out == expected => {}
            Ok(out) => failures.push(format!("{name}: output differs:\n{out}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        match clean_text(&expected, &rules, false) {
            Ok(again) if again.output == expected => {}
            Ok(_) => failures.push(format!("{name}: cleaning expected.md changes it")),
            Err(e) => failures.push(format!("{name}: expected.md: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
