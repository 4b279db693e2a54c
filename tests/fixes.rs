//! Composable fixes: the edits in `check --format json` (`fix`) and the
//! SARIF `fixes`, applied to the original files, give byte for byte what
//! `clean` writes: on every fixture (with its own rules), the bundled
//! exports and the shared corpus (default rules).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What one set of files showed: files with a fix, and edits of a later
/// pass among their hits (whose own ranges could not be applied).
#[derive(Default)]
struct Seen {
    fixed: usize,
    later_pass: usize,
    several_rules: usize,
}

fn mdscrub(cwd: &Path, args: &[&str], rules: Option<&Path>) -> Vec<u8> {
    let mut cmd = Command::cargo_bin("mdscrub").unwrap();
    cmd.current_dir(cwd).args(args);
    if let Some(r) = rules {
        cmd.arg("--rules").arg(r);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.code() != Some(2) || args[0] == "clean",
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn copy_md(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            // A copy of a read-only file would be left alone by clean.
            let copy = to.join(path.file_name().unwrap());
            std::fs::write(&copy, std::fs::read(&path).unwrap()).unwrap();
        }
    }
}

/// Byte offset of a SARIF line and column (code points; a BOM is no
/// column; lines end at `\n`) in `text`.
fn sarif_offset(text: &str, line: u64, column: u64) -> usize {
    let mut at = 0;
    for _ in 1..line {
        at += text[at..].find('\n').expect("line exists") + 1;
    }
    if at == 0 && text.starts_with('\u{feff}') {
        at = '\u{feff}'.len_utf8();
    }
    for _ in 1..column {
        at += text[at..].chars().next().expect("column exists").len_utf8();
    }
    at
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Applies `(range, replacement)` edits of `text` from the last to the
/// first, after checking they are sorted and apart.
fn apply(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| (e.0, e.1));
    for w in edits.windows(2) {
        assert!(w[0].1 < w[1].0, "edits overlap or touch: {w:?}");
    }
    let mut out = text.to_string();
    for (start, end, replacement) in edits.into_iter().rev() {
        out.replace_range(start..end, &replacement);
    }
    out
}

/// Checks the Markdown files directly in `dir` with `rules` (default rules
/// when `None`).
fn check_folder(dir: &Path, rules: Option<&Path>) -> Seen {
    let work = tempfile::tempdir().unwrap();
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    copy_md(dir, &a);
    copy_md(dir, &b);
    let json = mdscrub(work.path(), &["check", "--format", "json", "a"], rules);
    let sarif = mdscrub(work.path(), &["check", "--format", "sarif", "a"], rules);
    mdscrub(work.path(), &["clean", "--quiet", "b"], rules);

    let mut from_json: BTreeMap<PathBuf, Vec<(usize, usize, String)>> = BTreeMap::new();
    let mut seen = Seen::default();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    for f in json["files"].as_array().unwrap() {
        let path = work.path().join(f["path"].as_str().unwrap());
        let Some(fix) = f["fix"].as_array() else {
            continue;
        };
        assert_eq!(f["status"], "would-change", "{f}");
        seen.fixed += 1;
        if f["edits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["pass"] != 1)
        {
            seen.later_pass += 1;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut edits = Vec::new();
        for e in fix {
            let (start, end) = (
                e["range"]["start"].as_u64().unwrap() as usize,
                e["range"]["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(e["removed"], text[start..end], "{e}");
            // The line and column agree with the byte range.
            let at = |p: &serde_json::Value| {
                sarif_offset(
                    &text,
                    p["line"].as_u64().unwrap(),
                    p["column"].as_u64().unwrap(),
                )
            };
            assert_eq!((at(&e["start"]), at(&e["end"])), (start, end), "{e}");
            if e["rules"].as_array().unwrap().len() > 1 {
                seen.several_rules += 1;
            }
            edits.push((start, end, e["replacement"].as_str().unwrap().to_string()));
        }
        from_json.insert(path, edits);
    }

    let mut from_sarif: BTreeMap<PathBuf, Vec<(usize, usize, String)>> = BTreeMap::new();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for result in run["results"].as_array().unwrap() {
        let Some(fixes) = result["fixes"].as_array() else {
            continue;
        };
        assert_eq!(fixes.len(), 1, "one fix per result: {result}");
        for change in fixes[0]["artifactChanges"].as_array().unwrap() {
            let uri = change["artifactLocation"]["uri"].as_str().unwrap();
            assert_eq!(change["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let path = work.path().join(percent_decode(uri));
            let text = std::fs::read_to_string(&path).unwrap();
            let edits = from_sarif.entry(path).or_default();
            for rep in change["replacements"].as_array().unwrap() {
                let r = &rep["deletedRegion"];
                let n = |k: &str| r[k].as_u64().unwrap();
                let start = sarif_offset(&text, n("startLine"), n("startColumn"));
                let end = sarif_offset(&text, n("endLine"), n("endColumn"));
                let inserted = rep["insertedContent"]["text"].as_str().unwrap_or("");
                edits.push((start, end, inserted.to_string()));
            }
        }
    }
    assert_eq!(
        from_sarif.keys().collect::<Vec<_>>(),
        from_json.keys().collect::<Vec<_>>(),
        "SARIF fixes the files the JSON fixes"
    );

    for entry in std::fs::read_dir(&a).unwrap() {
        let path = entry.unwrap().path();
        let original = std::fs::read_to_string(&path).unwrap();
        let cleaned = std::fs::read_to_string(b.join(path.file_name().unwrap())).unwrap();
        for (how, edits) in [("JSON", &from_json), ("SARIF", &from_sarif)] {
            let got = match edits.get(&path) {
                Some(e) => apply(&original, e.clone()),
                None => original.clone(),
            };
            assert!(
                got == cleaned,
                "{how} fix of {} differs from what clean wrote",
                path.display()
            );
        }
    }
    seen
}

#[test]
fn fixes_give_what_clean_writes_on_the_fixtures() {
    let mut total = Seen::default();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.md").exists())
        .collect();
    cases.sort();
    for case in &cases {
        let work = tempfile::tempdir().unwrap();
        std::fs::copy(case.join("input.md"), work.path().join("input.md")).unwrap();
        let rules = case.join("rules.toml");
        let seen = check_folder(work.path(), rules.exists().then_some(rules.as_path()));
        total.fixed += seen.fixed;
        total.later_pass += seen.later_pass;
        total.several_rules += seen.several_rules;
    }
    assert!(total.fixed >= cases.len() / 2, "{} fixed", total.fixed);
    assert!(total.later_pass > 0, "some fixture needs a second pass");
    assert!(
        total.several_rules > 0,
        "some change is the work of two rules"
    );
}

#[test]
fn fixes_give_what_clean_writes_on_the_exports() {
    for folder in ["wechat", "wechatmp2markdown", "repost"] {
        let seen = check_folder(&Path::new(ROOT).join("examples/exports").join(folder), None);
        assert_eq!(seen.fixed, 1, "{folder}");
    }
    let corpus = common::shared_dir().join("corpus");
    if !common::require_or_skip("the shared corpus", corpus.is_dir()) {
        return;
    }
    let seen = check_folder(&corpus, None);
    assert!(seen.fixed > 20, "{} corpus files fixed", seen.fixed);
    assert!(seen.later_pass > 0, "some corpus file needs a second pass");
}
