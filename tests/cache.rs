//! The cache of clean contents, end to end: a clean records what it wrote, a
//! later run skips those contents, any change to a file or to the rules
//! brings the work back, and a cache that cannot be used never fails a run.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

const DIRTY: &str = "正文第一段，讲一件事。\n\n![](https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg&from=appmsg)\n\n[原文](https://example.com/a?utm_source=wechat&id=3)\n";
const CLEAN: &str = "# 笔记\n\n没有什么可清理的。\n";

fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a")).unwrap();
    fs::write(dir.path().join("a/dirty.md"), DIRTY).unwrap();
    fs::write(dir.path().join("clean.md"), CLEAN).unwrap();
    dir
}

fn run(cache: &Path, args: &[&str], dir: &Path) -> Output {
    cargo_bin_cmd!("mdscrub")
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .arg("-v")
        .arg(dir)
        .output()
        .unwrap()
}

/// The number of files the cache answered for, from `-v`'s cache line.
fn known(out: &Output) -> usize {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("cache: ") && l.contains("known clean"))
        .unwrap_or_else(|| panic!("no cache line in: {err}"));
    line["cache: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_clean_records_what_it_wrote_and_a_check_then_skips_it() {
    let dir = archive();
    let cache = tempfile::tempdir().unwrap();
    let first = run(cache.path(), &["clean"], dir.path());
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(known(&first), 0);
    let check = run(cache.path(), &["check"], dir.path());
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(known(&check), 2, "both files are known clean");
    // The cache is keyed on content: a copy elsewhere is known clean too.
    let copy = tempfile::tempdir().unwrap();
    for f in ["a/dirty.md", "clean.md"] {
        let to = copy.path().join(f);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(dir.path().join(f), to).unwrap();
    }
    assert_eq!(known(&run(cache.path(), &["check"], copy.path())), 2);
}

#[test]
fn a_file_that_changed_is_processed_again() {
    let dir = archive();
    let cache = tempfile::tempdir().unwrap();
    run(cache.path(), &["clean"], dir.path());
    fs::write(dir.path().join("clean.md"), format!("{CLEAN}{DIRTY}")).unwrap();
    let check = run(cache.path(), &["check"], dir.path());
    assert_eq!(check.status.code(), Some(1), "the changed file is dirty");
    assert_eq!(known(&check), 1);
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(out.contains("clean.md"), "{out}");
}

#[test]
fn other_rules_do_not_trust_this_cache() {
    let dir = archive();
    let cache = tempfile::tempdir().unwrap();
    // Without the utm rule the article keeps its utm_source, and its cleaned
    // text is recorded as clean for that narrower rule set only.
    let narrow = run(
        cache.path(),
        &["clean", "--ignore", "utm-params"],
        dir.path(),
    );
    assert_eq!(narrow.status.code(), Some(0));
    let text = fs::read_to_string(dir.path().join("a/dirty.md")).unwrap();
    assert!(text.contains("utm_source"), "{text}");
    assert_eq!(
        known(&run(
            cache.path(),
            &["check", "--ignore", "utm-params"],
            dir.path()
        )),
        2
    );
    let full = run(cache.path(), &["check"], dir.path());
    assert_eq!(full.status.code(), Some(1), "utm_source is still there");
    assert_eq!(known(&full), 0);
}

#[test]
fn a_mirror_gets_every_file_even_the_known_clean_ones() {
    let dir = archive();
    let cache = tempfile::tempdir().unwrap();
    run(cache.path(), &["check"], dir.path());
    let out = tempfile::tempdir().unwrap();
    let mirror = run(
        cache.path(),
        &["clean", "--out", out.path().to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(mirror.status.code(), Some(0));
    assert_eq!(known(&mirror), 1, "the clean note was known clean");
    assert_eq!(
        fs::read_to_string(out.path().join("clean.md")).unwrap(),
        CLEAN
    );
    let cleaned = fs::read_to_string(out.path().join("a/dirty.md")).unwrap();
    assert!(!cleaned.contains("from=appmsg"), "{cleaned}");
    assert_eq!(
        fs::read_to_string(dir.path().join("a/dirty.md")).unwrap(),
        DIRTY
    );
}

#[test]
fn no_cache_writes_none_and_an_unusable_cache_fails_nothing() {
    let dir = archive();
    let cache = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache", "-q"])
        .arg(dir.path())
        .env("MDSCRUB_CACHE_DIR", cache.path())
        .assert()
        .code(1);
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0);
    // A cache "folder" that is a file: the run goes on and says so with -v.
    let blocked = cache.path().join("not-a-folder");
    fs::write(&blocked, "x").unwrap();
    let out = run(&blocked, &["clean"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cache: not written"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !fs::read_to_string(dir.path().join("a/dirty.md"))
            .unwrap()
            .contains("from=appmsg")
    );
}

/// Every content the cache records as clean is one a run without the cache
/// leaves alone: clean all fixture inputs into a mirror, then check the
/// mirror with and without the cache.
#[test]
fn what_the_cache_calls_clean_a_cacheless_check_finds_clean() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let inputs = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in walkdir::WalkDir::new(&fixtures).into_iter().flatten() {
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_file() && name.starts_with("input") && name.ends_with(".md") {
            fs::copy(e.path(), inputs.path().join(format!("{n:03}.md"))).unwrap();
            n += 1;
        }
    }
    assert!(n >= 20, "found only {n} fixture inputs");
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // Fixtures that are refused or fail stay out of the cache; the others
    // are written to the mirror and recorded.
    run(
        cache.path(),
        &["clean", "--out", out.path().to_str().unwrap()],
        inputs.path(),
    );
    let cacheless = cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache", "--format", "json"])
        .arg(out.path())
        .output()
        .unwrap();
    let cached = run(cache.path(), &["check", "--format", "json"], out.path());
    assert_eq!(
        cached.stdout, cacheless.stdout,
        "the cache changed a report"
    );
    assert_eq!(cached.status.code(), cacheless.status.code());
    // Every file the clean wrote is known, but those with review-tier
    // edits not applied: a file that has them is never recorded as clean,
    // so that every check reports them.
    let report: serde_json::Value = serde_json::from_slice(&cacheless.stdout).unwrap();
    let with_review = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("review").is_some())
        .count();
    assert!(
        with_review < n / 4,
        "{with_review} of {n} with review edits"
    );
    assert!(
        known(&cached) + with_review >= n * 3 / 4,
        "{} of {n} known, {with_review} with review edits",
        known(&cached)
    );
}
