//! `mdscrub clean` end to end: in-place cleaning and its summary line,
//! idempotence, files left alone when nothing changes, invalid rules, files
//! that are not UTF-8, hidden folders, and `--out` mirrors.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use regex::Regex;

mod common;

fn fixture(case: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(case)
        .join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A folder with a dirty article, a clean note and a dirty file in a
/// subfolder.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("article.md"),
        fixture("article", "input.md"),
    )
    .unwrap();
    fs::write(
        dir.path().join("clean.md"),
        "# 干净的笔记\n\n没有什么可清理的。\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("2024")).unwrap();
    fs::write(
        dir.path().join("2024/crlf.markdown"),
        fixture("crlf", "input.md"),
    )
    .unwrap();
    dir
}

/// The numbers of the summary line: scanned, changed, edits, failed.
fn summary(stdout: &[u8]) -> (usize, usize, usize, usize) {
    let text = String::from_utf8_lossy(stdout);
    let re = Regex::new(
        r"(\d+) files? scanned, (\d+) changed, (\d+) edits?, -?\d+ bytes removed(, \d+ [^,]*)*, (\d+) failed",
    )
    .unwrap();
    let c = re
        .captures(&text)
        .unwrap_or_else(|| panic!("no summary line in stdout: {text}"));
    let n = |i: usize| c[i].parse::<usize>().unwrap();
    (n(1), n(2), n(3), n(5))
}

fn mtime(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

/// Moves a file's modification time an hour into the past, so that a rewrite
/// would show even on a coarse clock.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    mtime(path)
}

/// Every file below `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.push((e.clone(), fs::read(&e).unwrap(), mtime(&e)));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

#[test]
fn clean_cleans_a_folder_in_place_and_prints_a_summary() {
    let dir = archive();
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .success();
    let (scanned, changed, edits, failed) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed, failed), (3, 2, 0));
    assert!(edits >= 10, "the article alone needs many edits: {edits}");
    assert_eq!(
        fs::read_to_string(dir.path().join("article.md")).unwrap(),
        fixture("article", "expected.md")
    );
    assert_eq!(
        fs::read(dir.path().join("2024/crlf.markdown")).unwrap(),
        fixture("crlf", "expected.md").into_bytes()
    );
}

#[test]
fn a_second_run_changes_nothing_and_rewrites_nothing() {
    let dir = archive();
    let clean_note = dir.path().join("clean.md");
    let note_time = age(&clean_note);
    cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(
        mtime(&clean_note),
        note_time,
        "an unchanged file was rewritten"
    );
    for f in walk(dir.path()) {
        age(&f);
    }
    let before = snapshot(dir.path());
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .success();
    let (scanned, changed, edits, failed) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed, edits, failed), (3, 0, 0, 0));
    assert_eq!(
        snapshot(dir.path()),
        before,
        "the second run touched a file"
    );
}

#[test]
fn invalid_rules_name_file_line_and_rule_and_touch_nothing() {
    let dir = archive();
    let rules = dir.path().join("my-rules.toml");
    fs::write(
        &rules,
        "# my rules\n\n[[rule]]\nid = \"cta\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = \"(点赞\"\n",
    )
    .unwrap();
    for f in walk(dir.path()) {
        age(&f);
    }
    let before = snapshot(dir.path());
    cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg("--rules")
        .arg(&rules)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("my-rules.toml:7")
                .and(predicate::str::contains("`cta`"))
                .and(predicate::str::contains("pattern")),
        );
    assert_eq!(snapshot(dir.path()), before, "a file was touched");

    // An unknown kind and a rule without an id are named the same way.
    fs::write(
        &rules,
        "[[rule]]\nid = \"ok\"\nkind = \"tidy\"\ndescription = \"d\"\n\n[[rule]]\nid = \"odd\"\nkind = \"drop-everything\"\ndescription = \"d\"\n",
    )
    .unwrap();
    cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg("--rules")
        .arg(&rules)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("my-rules.toml:8")
                .and(predicate::str::contains("`odd`"))
                .and(predicate::str::contains("drop-everything")),
        );
    let mut after = snapshot(dir.path());
    after.retain(|(p, _, _)| p != &rules);
    let mut expected = before.clone();
    expected.retain(|(p, _, _)| p != &rules);
    assert_eq!(after, expected, "a file was touched");
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_left_as_is() {
    let dir = archive();
    let gbk = dir.path().join("gbk.md");
    // "点赞" in GBK, followed by a tracking URL: not UTF-8.
    let bytes: Vec<u8> = [
        &b"# \xb5\xe3\xd4\xde\n\n"[..],
        b"![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from=appmsg)\n",
    ]
    .concat();
    fs::write(&gbk, &bytes).unwrap();
    let gbk_time = age(&gbk);
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gbk.md").and(predicate::str::contains("UTF-8")));
    let (scanned, changed, _, failed) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed, failed), (4, 2, 1));
    assert_eq!(fs::read(&gbk).unwrap(), bytes);
    assert_eq!(mtime(&gbk), gbk_time);
    assert_eq!(
        fs::read_to_string(dir.path().join("article.md")).unwrap(),
        fixture("article", "expected.md"),
        "the other files are still cleaned"
    );
}

#[test]
fn hidden_folders_are_skipped() {
    let dir = archive();
    for hidden in [".git", ".obsidian/notes"] {
        let sub = dir.path().join(hidden);
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join("hidden.md"), fixture("article", "input.md")).unwrap();
    }
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .success();
    let (scanned, changed, _, _) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed), (3, 2));
    for hidden in [".git", ".obsidian/notes"] {
        assert_eq!(
            fs::read_to_string(dir.path().join(hidden).join("hidden.md")).unwrap(),
            fixture("article", "input.md"),
            "{hidden} was not skipped"
        );
    }
}

#[test]
fn out_mirrors_the_tree_and_leaves_the_inputs_alone() {
    let dir = archive();
    for f in walk(dir.path()) {
        age(&f);
    }
    let before = snapshot(dir.path());
    let mirror = tempfile::tempdir().unwrap();
    let out_dir = mirror.path().join("clean");
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg("--out")
        .arg(&out_dir)
        .arg(dir.path())
        .assert()
        .success();
    let (scanned, changed, _, failed) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed, failed), (3, 2, 0));
    assert_eq!(snapshot(dir.path()), before, "an input was touched");
    assert_eq!(
        fs::read_to_string(out_dir.join("article.md")).unwrap(),
        fixture("article", "expected.md")
    );
    assert_eq!(
        fs::read(out_dir.join("2024/crlf.markdown")).unwrap(),
        fixture("crlf", "expected.md").into_bytes()
    );
    assert_eq!(
        fs::read_to_string(out_dir.join("clean.md")).unwrap(),
        "# 干净的笔记\n\n没有什么可清理的。\n",
        "unchanged files are mirrored too"
    );
}

/// The "done" criterion of the engine, through the binary: a copy of the
/// sample export is cleaned, and a second run reports 0 files changed.
#[test]
fn the_sample_export_cleans_and_a_second_run_reports_zero_changed() {
    let sample = common::shared_dir().join("samples/wechat-export.md");
    let text = match fs::read(&sample) {
        Ok(bytes) => bytes,
        Err(e) => {
            let what = format!("the sample {} ({e})", sample.display());
            common::require_or_skip(&what, false);
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("wechat-export.md");
    fs::write(&copy, &text).unwrap();
    let first = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path())
        .assert()
        .success();
    let (_, changed, _, failed) = summary(&first.get_output().stdout);
    assert_eq!((changed, failed), (1, 0));
    assert_ne!(fs::read(&copy).unwrap(), text);
    let second = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(&copy)
        .assert()
        .success();
    let (scanned, changed, edits, failed) = summary(&second.get_output().stdout);
    assert_eq!((scanned, changed, edits, failed), (1, 0, 0, 0));
}

/// The bundled example exports (the README's quick start) each have something to
/// clean, clean without failure, and are clean after one run.
#[test]
fn every_bundled_example_export_cleans_and_settles() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports");
    let count = walk(&examples)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .count();
    assert!(count >= 3, "expected at least three bundled examples");
    let mirror = tempfile::tempdir().unwrap();
    let out_dir = mirror.path().join("clean");
    let first = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg("--out")
        .arg(&out_dir)
        .arg(&examples)
        .assert()
        .success();
    let (scanned, changed, _, failed) = summary(&first.get_output().stdout);
    assert_eq!((scanned, changed, failed), (count, count, 0));
    let second = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(&out_dir)
        .assert()
        .success();
    let (scanned, changed, edits, failed) = summary(&second.get_output().stdout);
    assert_eq!((scanned, changed, edits, failed), (count, 0, 0, 0));
    // Line endings survive: the CRLF repost is still CRLF throughout.
    for f in walk(&out_dir) {
        let text = fs::read_to_string(&f).unwrap();
        let crlf = text.matches("\r\n").count();
        assert!(
            crlf == 0 || crlf == text.matches('\n').count(),
            "{}: mixed line endings after cleaning",
            f.display()
        );
    }
}

#[test]
fn explicit_files_are_cleaned_whatever_their_name() {
    let dir = archive();
    let txt = dir.path().join("notes.txt");
    fs::write(&txt, fixture("bom", "input.md")).unwrap();
    let out = cargo_bin_cmd!("mdscrub")
        .arg("clean")
        .arg(dir.path().join("article.md"))
        .arg(&txt)
        .assert()
        .success();
    let (scanned, changed, _, failed) = summary(&out.get_output().stdout);
    assert_eq!((scanned, changed, failed), (2, 2, 0));
    assert_eq!(
        fs::read(&txt).unwrap(),
        fixture("bom", "expected.md").into_bytes()
    );
    assert_eq!(
        fs::read(dir.path().join("2024/crlf.markdown")).unwrap(),
        fixture("crlf", "input.md").into_bytes(),
        "a file not named is left alone"
    );
}
