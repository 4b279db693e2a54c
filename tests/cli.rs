//! The `mdscrub` binary end to end: every command, output format and exit
//! code, on fixtures written here into temporary folders.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;

/// Enough ordinary text that a clean removes a small share of it.
const BODY: &str =
    "这是一段足够长的正文，用来保证清理只去掉很少的一部分可见文字，所以文件不会被拒绝。";

fn mdscrub(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdscrub"));
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn dirty() -> String {
    format!(
        "# 标题\n\n{BODY}\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from=appmsg&wxfrom=5)\n\n点击上方蓝字关注我们\n\n{BODY}\n"
    )
}

fn clean_text() -> String {
    format!("# 标题\n\n{BODY}\n\n[a](https://example.com/a)\n")
}

/// A folder of fixtures: two files that would change (one with CRLF line
/// ends, one without a final newline, one with a non-ASCII name) and one
/// clean file.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("docs/子目录")).unwrap();
    fs::write(d.join("docs/a.md"), dirty()).unwrap();
    fs::write(d.join("docs/clean.md"), clean_text()).unwrap();
    fs::write(d.join("docs/crlf.md"), dirty().replace('\n', "\r\n")).unwrap();
    fs::write(
        d.join("docs/子目录/无换行 结尾.md"),
        format!("{BODY}\n\n[x](https://example.com/?id=3&utm_source=wx)\n\n-END-"),
    )
    .unwrap();
    dir
}

/// Every file below `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".git") {
            out.push((
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            ));
        }
    }
    out
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

fn write_rules(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

// --- check ------------------------------------------------------------------

#[test]
fn check_never_modifies_and_exits_1_when_a_file_would_change() {
    let dir = fixture();
    let before = snapshot(dir.path());
    mdscrub(dir.path())
        .args(["check", "docs"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("docs/a.md: would change"))
        .stdout(predicate::str::contains("follow-prompt"))
        .stdout(predicate::str::contains("docs/a.md:7:1: follow-prompt"))
        .stdout(predicate::str::contains("clean.md").not())
        .stdout(predicate::str::contains("4 files scanned, 3 would change"));
    assert_eq!(before, snapshot(dir.path()), "check changed a file");
}

#[test]
fn check_exits_0_on_clean_files() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "docs/clean.md"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "1 file scanned, 0 would change",
        ));
}

#[test]
fn check_exits_2_on_a_failed_file_even_when_others_would_change() {
    let dir = fixture();
    fs::write(dir.path().join("docs/bad.md"), b"caf\xe9\n").unwrap();
    mdscrub(dir.path())
        .args(["check", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.md: not UTF-8 at byte 3"));
}

#[test]
fn check_quiet_prints_nothing_but_keeps_the_exit_code() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "-qq", "docs"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

#[test]
fn check_json_has_the_documented_shape() {
    let dir = fixture();
    let out = mdscrub(dir.path())
        .args(["check", "--format", "json", "docs"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    let files = doc["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files sorted by path");
    assert_eq!(files.len(), 4);
    let totals = &doc["totals"];
    for key in [
        "scanned",
        "changed",
        "edits",
        "bytes_removed",
        "skipped",
        "refused",
        "failed",
    ] {
        assert!(totals[key].is_number(), "totals.{key}");
    }
    assert_eq!(totals["scanned"], 4);
    assert_eq!(totals["changed"], 3);
    let mut edits = 0;
    let clean: Vec<&Value> = files
        .iter()
        .filter(|f| f["status"] == "unchanged")
        .collect();
    assert_eq!(clean.len(), 1);
    assert_eq!(clean[0]["path"], "docs/clean.md");
    assert_eq!(clean[0]["edits"].as_array().unwrap().len(), 0);
    for f in files.iter().filter(|f| f["status"] != "unchanged") {
        assert_eq!(f["status"], "would-change");
        assert!(f["reason"].is_null());
        let original = fs::read_to_string(dir.path().join(f["path"].as_str().unwrap())).unwrap();
        for e in f["edits"].as_array().unwrap() {
            edits += 1;
            assert!(e["rule"].is_string());
            assert!(e["line"].as_u64().unwrap() >= 1);
            assert!(e["column"].as_u64().unwrap() >= 1);
            let start = e["range"]["start"].as_u64().unwrap() as usize;
            let end = e["range"]["end"].as_u64().unwrap() as usize;
            assert!(start <= end && end <= original.len());
            if e["pass"] == 1 {
                assert_eq!(&original[start..end], e["removed"].as_str().unwrap());
            }
            assert!(e["replacement"].is_string());
        }
    }
    assert_eq!(totals["edits"], edits);
    // Stable key order: as documented.
    let order = ["\"version\"", "\"files\"", "\"totals\""];
    let at: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    let edit_keys = [
        "\"rule\"",
        "\"line\"",
        "\"column\"",
        "\"range\"",
        "\"pass\"",
        "\"removed\"",
        "\"replacement\"",
    ];
    let at: Vec<usize> = edit_keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}

#[test]
fn check_json_reports_failures_with_a_reason() {
    let dir = fixture();
    fs::write(dir.path().join("docs/bad.md"), b"caf\xe9\n").unwrap();
    let out = stdout_of(mdscrub(dir.path()).args(["check", "--format", "json", "docs/bad.md"]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["files"][0]["status"], "failed");
    assert!(
        doc["files"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    assert_eq!(doc["totals"]["failed"], 1);
}

#[test]
fn check_sarif_is_sarif_2_1_0_with_one_rule_entry_per_id() {
    let dir = fixture();
    let out = mdscrub(dir.path())
        .args(["check", "--format", "sarif", "docs"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "mdscrub");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "one entry per rule id");
    let listed = stdout_of(mdscrub(dir.path()).arg("rules"));
    // Rules of presets that are off by default are listed as `off` and are
    // not in the SARIF driver.
    let active = listed.lines().filter(|l| !l.contains(" off ")).count();
    assert_eq!(ids.len(), active);
    for r in rules {
        assert!(r["shortDescription"]["text"].is_string());
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id);
        assert!(res["message"]["text"].is_string());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("docs/") && uri.is_ascii(), "{uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "docs/%E5%AD%90%E7%9B%AE%E5%BD%95/%E6%97%A0%E6%8D%A2%E8%A1%8C%20%E7%BB%93%E5%B0%BE.md"
    }));
    assert_eq!(runs[0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn check_github_prints_one_annotation_per_hit() {
    let dir = fixture();
    let json = stdout_of(mdscrub(dir.path()).args(["check", "--format", "json", "docs/a.md"]));
    let doc: Value = serde_json::from_str(&json).unwrap();
    let hits = doc["totals"]["edits"].as_u64().unwrap() as usize;
    let out = mdscrub(dir.path())
        .args(["check", "--format", "github", "docs/a.md"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.lines().count(), hits);
    for line in out.lines() {
        assert!(line.starts_with("::warning file=docs/a.md,line="), "{line}");
        assert!(line.contains(",title="), "{line}");
    }
    assert!(out.contains("title=follow-prompt::remove"));
}

// --- diff -------------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> bool {
    run_tool("git", dir, args, None)
}

/// Runs a tool in `dir` (with `stdin` from a file), true when it succeeds.
fn run_tool(tool: &str, dir: &Path, args: &[&str], stdin: Option<&Path>) -> bool {
    let mut cmd = std::process::Command::new(tool);
    if let Some(f) = stdin {
        cmd.stdin(fs::File::open(f).unwrap());
    }
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn copy_tree(from: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for (rel, bytes) in snapshot(from) {
        let to = copy.path().join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
    copy
}

#[test]
fn diff_applied_with_git_apply_gives_what_clean_writes() {
    if !common::require_or_skip("git", git(Path::new("."), &["--version"])) {
        return;
    }
    let dir = fixture();
    // A name git quotes in headers.
    fs::write(dir.path().join("docs/q\"uote.md"), dirty()).unwrap();
    let patch = mdscrub(dir.path())
        .args(["diff", "docs"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&patch).starts_with("--- a/docs/a.md\n+++ b/docs/a.md\n"));
    assert!(String::from_utf8_lossy(&patch).contains("\\ No newline at end of file"));
    assert!(String::from_utf8_lossy(&patch).contains("--- \"a/docs/q\\\"uote.md\"\n"));
    // Copies get the patch (git apply, and patch -p1 where installed); the
    // original gets cleaned.
    let copy = copy_tree(dir.path());
    let copy2 = copy_tree(dir.path());
    let patch_file = tempfile::NamedTempFile::new().unwrap();
    fs::write(patch_file.path(), &patch).unwrap();
    let patch_path = patch_file.path().to_str().unwrap();
    assert!(git(copy.path(), &["init", "-q", "."]));
    assert!(git(copy.path(), &["apply", patch_path]), "git apply failed");
    fs::remove_dir_all(copy.path().join(".git")).unwrap();
    let with_patch = run_tool("patch", Path::new("."), &["--version"], None);
    if with_patch {
        let ok = run_tool(
            "patch",
            copy2.path(),
            &["-p1", "-s"],
            Some(patch_file.path()),
        );
        assert!(ok, "patch -p1 failed");
    } else {
        eprintln!("note: patch not found; only git apply tested");
    }
    mdscrub(dir.path()).args(["clean", "docs"]).assert().code(0);
    let cleaned = snapshot(dir.path());
    assert_eq!(cleaned, snapshot(copy.path()));
    if with_patch {
        assert_eq!(cleaned, snapshot(copy2.path()));
    }
    // Line ends and the missing final newline came through as clean wrote them.
    let crlf = fs::read_to_string(dir.path().join("docs/crlf.md")).unwrap();
    assert!(crlf.contains("\r\n") && !crlf.replace("\r\n", "").contains('\n'));
    assert!(!crlf.contains("关注我们"));
}

#[test]
fn diff_exit_code_stat_and_colour() {
    let dir = fixture();
    let before = snapshot(dir.path());
    mdscrub(dir.path())
        .args(["diff", "--exit-code", "docs"])
        .assert()
        .code(1);
    mdscrub(dir.path())
        .args(["diff", "--exit-code", "docs/clean.md"])
        .assert()
        .code(0)
        .stdout("");
    mdscrub(dir.path())
        .args(["diff", "--stat", "docs/a.md"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::is_match(r"^docs/a\.md \| -\d+ \+\d+ \| .*follow-prompt ×1").unwrap(),
        );
    // Piped: plain by default; colour only when asked, and NO_COLOR keeps auto plain.
    let plain = stdout_of(mdscrub(dir.path()).args(["diff", "docs/a.md"]));
    assert!(!plain.contains('\x1b'));
    let coloured = stdout_of(mdscrub(dir.path()).args(["diff", "--color", "always", "docs/a.md"]));
    assert!(coloured.contains("\x1b[31m-") && coloured.contains("\x1b[32m+"));
    let no_color = stdout_of(mdscrub(dir.path()).env("NO_COLOR", "1").args([
        "diff",
        "--color",
        "auto",
        "docs/a.md",
    ]));
    assert_eq!(no_color, plain);
    let never = stdout_of(mdscrub(dir.path()).args(["diff", "--color", "never", "docs/a.md"]));
    assert_eq!(never, plain);
    assert_eq!(before, snapshot(dir.path()), "diff changed a file");
}

// --- standard input -----------------------------------------------------------

#[test]
fn stdin_clean_equals_in_place_clean() {
    let dir = fixture();
    for name in ["docs/a.md", "docs/crlf.md", "docs/子目录/无换行 结尾.md"] {
        let input = fs::read(dir.path().join(name)).unwrap();
        let out = mdscrub(dir.path())
            .args(["clean", "-"])
            .write_stdin(input)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        mdscrub(dir.path()).args(["clean", name]).assert().code(0);
        assert_eq!(out, fs::read(dir.path().join(name)).unwrap(), "{name}");
    }
}

#[test]
fn stdin_check_and_diff_use_the_stdin_filename() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "--stdin-filename", "notes/x.md", "-"])
        .write_stdin(dirty())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("notes/x.md: would change"));
    mdscrub(dir.path())
        .args(["diff", "--stdin-filename", "notes/x.md", "-"])
        .write_stdin(dirty())
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "--- a/notes/x.md\n+++ b/notes/x.md\n",
        ));
    mdscrub(dir.path())
        .args(["check", "-"])
        .write_stdin(clean_text())
        .assert()
        .code(0);
    // Excluded by name with --force-exclude: passed through untouched.
    mdscrub(dir.path())
        .args([
            "clean",
            "--exclude",
            "notes",
            "--force-exclude",
            "--stdin-filename",
            "notes/x.md",
            "-",
        ])
        .write_stdin(dirty())
        .assert()
        .code(0)
        .stdout(dirty());
}

#[test]
fn dash_must_be_the_only_path() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "-", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must be the only path"));
}

// --- rules ------------------------------------------------------------------

#[test]
fn rules_lists_explains_and_tests_the_defaults() {
    let dir = fixture();
    mdscrub(dir.path()).arg("rules").assert().code(0).stdout(
        predicate::str::is_match(r"(?m)^utm-params +strip-query +on +Remove utm_").unwrap(),
    );
    mdscrub(dir.path())
        .args(["rules", "--explain", "utm-params"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("kind:        strip-query"))
        .stdout(predicate::str::contains("remove = [\"utm_*\"]"))
        .stdout(predicate::str::contains("example 1:"));
    mdscrub(dir.path())
        .args(["rules", "--explain", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule `nope`"));
    mdscrub(dir.path())
        .args(["rules", "--test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"))
        .stdout(predicate::str::contains("rules without examples").not());
}

#[test]
fn rules_test_fails_on_a_broken_example() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write_rules(
        dir.path(),
        "r.toml",
        r#"
[[rule]]
id = "drop-ad"
kind = "drop-block"
description = "ads"
pattern = "^广告$"

[[rule.example]]
input = "正文\n\n广告\n"
output = "正文\n\n"

[[rule.example]]
input = "正文\n\n广告\n"
output = "正文\n\n广告\n"
"#,
    );
    mdscrub(dir.path())
        .args(["rules", "--test", "--rules"])
        .arg(&rules)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "r.toml:2: rule `drop-ad`: example 2 failed",
        ))
        .stdout(predicate::str::contains("1 ok, 1 failed"));
}

#[test]
fn bad_rules_file_exits_2_naming_file_line_and_rule() {
    let dir = fixture();
    let rules = write_rules(
        dir.path(),
        "bad.toml",
        "[[rule]]\nid = \"one\"\nkind = \"tidy\"\ndescription = \"d\"\n\n[[rule]]\nid = \"ads\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = \"(\"\n",
    );
    for cmd in ["check", "clean", "diff"] {
        mdscrub(dir.path())
            .args([cmd, "--rules"])
            .arg(&rules)
            .arg("docs")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("bad.toml:10: rule `ads`:"))
            .stderr(predicate::str::contains("not a valid regex"));
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("docs/a.md")).unwrap(),
        dirty()
    );
}

// --- configuration ------------------------------------------------------------

const ONLY_UTM: &str = r#"
[[rule]]
id = "only-utm"
kind = "strip-query"
description = "utm only"
hosts = ["*"]
remove = ["utm_*"]
"#;

#[test]
fn rules_shows_presets_and_why_a_rule_is_off() {
    let dir = fixture();
    let listed = stdout_of(mdscrub(dir.path()).args(["rules", "--presets"]));
    let line = |name: &str| {
        listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no preset {name} in:\n{listed}"))
            .to_string()
    };
    let words = |l: String| {
        l.split_whitespace()
            .take(3)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(line("credits")), ["credits", "off", "opt-in"]);
    assert_eq!(words(line("wechat")), ["wechat", "on", "default"]);
    assert!(
        listed.contains("only on documents whose first lines match `返回列表页"),
        "the xiaolan gate is shown:\n{listed}"
    );
    let explained = stdout_of(mdscrub(dir.path()).args(["rules", "--explain", "credits-head"]));
    assert!(explained.contains("state:       off"), "{explained}");
    assert!(
        explained.contains("preset:      credits (opt-in: not picked"),
        "{explained}"
    );
    // A file that picks the opt-in preset turns it on.
    write_rules(
        dir.path(),
        "mdscrub.toml",
        "presets = [\"default\", \"credits\"]\n",
    );
    let picked = stdout_of(mdscrub(dir.path()).args(["rules", "--presets"]));
    assert!(
        picked
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["credits", "on"])),
        "{picked}"
    );
    let explained = stdout_of(mdscrub(dir.path()).args(["rules", "--explain", "credits-head"]));
    assert!(
        explained.contains("preset:      credits (runs in this set)"),
        "{explained}"
    );
}

#[test]
fn rules_file_is_discovered_in_the_folder_or_its_parents() {
    let dir = fixture();
    let sub = dir.path().join("docs");
    // No file: the defaults.
    mdscrub(&sub)
        .arg("rules")
        .assert()
        .stdout(predicate::str::contains("follow-prompt"));
    write_rules(dir.path(), ".mdscrub.toml", ONLY_UTM);
    mdscrub(&sub)
        .arg("rules")
        .assert()
        .stdout(predicate::str::starts_with("only-utm"))
        .stdout(predicate::str::contains("follow-prompt").not());
    // mdscrub.toml wins over .mdscrub.toml in the same folder; a nearer
    // folder wins over a farther one.
    write_rules(
        dir.path(),
        "mdscrub.toml",
        &ONLY_UTM.replace("only-utm", "plain"),
    );
    mdscrub(&sub)
        .arg("rules")
        .assert()
        .stdout(predicate::str::starts_with("plain"));
    write_rules(&sub, "mdscrub.toml", &ONLY_UTM.replace("only-utm", "near"));
    mdscrub(&sub)
        .arg("rules")
        .assert()
        .stdout(predicate::str::starts_with("near"));
    // --rules wins over discovery.
    let explicit = write_rules(
        dir.path(),
        "x.toml",
        &ONLY_UTM.replace("only-utm", "explicit"),
    );
    mdscrub(&sub)
        .arg("rules")
        .arg("--rules")
        .arg(explicit)
        .assert()
        .stdout(predicate::str::starts_with("explicit"));
}

#[test]
fn extend_default_overrides_disables_and_adds_by_id() {
    let dir = fixture();
    write_rules(
        dir.path(),
        "mdscrub.toml",
        r#"
extend-default = true

[[rule]]
id = "follow-prompt"
enabled = false

[[rule]]
id = "end-marker"
tail = 2

[[rule]]
id = "drop-note"
kind = "drop-block"
description = "my own"
pattern = "^编者按"
"#,
    );
    let list = stdout_of(mdscrub(dir.path()).arg("rules"));
    assert!(list.contains("utm-params"), "{list}");
    assert!(
        list.lines()
            .any(|l| l.starts_with("follow-prompt") && l.contains(" off ")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("drop-note") && l.contains(" on "))
    );
    mdscrub(dir.path())
        .args(["rules", "--explain", "end-marker"])
        .assert()
        .stdout(predicate::str::contains("tail = 2"))
        .stdout(predicate::str::contains("mdscrub.toml:"));
    mdscrub(dir.path())
        .args(["check", "docs/a.md"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("follow-prompt").not())
        .stdout(predicate::str::contains("wechat-image-params"));
}

#[test]
fn select_and_ignore_narrow_the_rules() {
    let dir = fixture();
    let out =
        stdout_of(mdscrub(dir.path()).args(["check", "--select", "follow-prompt", "docs/a.md"]));
    assert!(
        out.contains("follow-prompt") && !out.contains("wechat-image-params"),
        "{out}"
    );
    let out = stdout_of(mdscrub(dir.path()).args([
        "check",
        "--ignore",
        "follow-prompt,tidy",
        "docs/a.md",
    ]));
    assert!(
        !out.contains("follow-prompt") && out.contains("wechat-image-params"),
        "{out}"
    );
    mdscrub(dir.path())
        .args(["check", "--select", "no-such-rule", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule `no-such-rule`"));
}

// --- which files ----------------------------------------------------------------

fn listed(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = stdout_of(mdscrub(dir).args(["check", "--format", "json"]).args(args));
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "unchanged")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn exclude_include_and_force_exclude() {
    let dir = fixture();
    let d = dir.path();
    fs::create_dir_all(d.join("docs/drafts")).unwrap();
    fs::write(d.join("docs/drafts/d.md"), dirty()).unwrap();
    fs::write(d.join("docs/notes.txt"), dirty()).unwrap();
    let all = listed(d, &["docs"]);
    assert!(all.contains(&"docs/drafts/d.md".to_string()));
    assert!(!all.iter().any(|p| p.ends_with(".txt")));
    let some = listed(d, &["--exclude", "drafts", "--exclude", "crlf.md", "docs"]);
    assert!(
        !some
            .iter()
            .any(|p| p.contains("drafts") || p.contains("crlf")),
        "{some:?}"
    );
    assert!(some.contains(&"docs/a.md".to_string()));
    // Explicit files are processed even when excluded, unless forced.
    assert_eq!(
        listed(d, &["--exclude", "drafts", "docs/drafts/d.md"]),
        ["docs/drafts/d.md"]
    );
    assert!(
        listed(
            d,
            &["--exclude", "drafts", "--force-exclude", "docs/drafts/d.md"]
        )
        .is_empty()
    );
    // `exclude` in the rules file.
    write_rules(
        d,
        "mdscrub.toml",
        "extend-default = true\nexclude = [\"docs/drafts/*\"]\n",
    );
    assert!(!listed(d, &["docs"]).iter().any(|p| p.contains("drafts")));
    // ... whose globs also match relative to the rules file's folder.
    let from_docs = listed(&d.join("docs"), &["."]);
    assert!(from_docs.contains(&"a.md".to_string()), "{from_docs:?}");
    assert!(
        !from_docs.iter().any(|p| p.contains("drafts")),
        "{from_docs:?}"
    );
    fs::remove_file(d.join("mdscrub.toml")).unwrap();
    assert!(listed(&d.join("docs"), &["."]).contains(&"drafts/d.md".to_string()));
    // --include widens past *.md.
    assert!(listed(d, &["--include", "*.txt", "docs"]).contains(&"docs/notes.txt".to_string()));
}

#[test]
fn shards_split_the_files_without_overlap() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..30 {
        fs::write(dir.path().join(format!("f{i:02}.md")), dirty()).unwrap();
    }
    let all = listed(dir.path(), &["."]);
    assert_eq!(all.len(), 30);
    let mut union = Vec::new();
    for k in 1..=3 {
        let part = listed(dir.path(), &["--shard", &format!("{k}/3"), "."]);
        assert!(!part.is_empty() && part.len() < 30, "shard {k}: {part:?}");
        union.extend(part);
    }
    union.sort();
    assert_eq!(union, all);
    // The same shard is the same files on every run.
    assert_eq!(
        listed(dir.path(), &["--shard", "2/3", "."]),
        listed(dir.path(), &["--shard", "2/3", "-j", "1", "."])
    );
    mdscrub(dir.path())
        .args(["check", "--shard", "4/3", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a shard"));
}

#[test]
fn output_is_sorted_by_path_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for i in (0..40).rev() {
        fs::write(dir.path().join(format!("f{i:02}.md")), dirty()).unwrap();
    }
    // The report without its closing summary line (which holds the time).
    let report = |jobs: &str| {
        let out = stdout_of(mdscrub(dir.path()).args(["check", "-j", jobs, "."]));
        let (report, summary) = out.trim_end().rsplit_once('\n').unwrap();
        assert!(summary.starts_with("40 files scanned"), "{summary}");
        report.to_string()
    };
    let one = report("1");
    assert!(one == report("2"), "reports differ between -j 1 and -j 2");
    let files: Vec<&str> = one.lines().filter(|l| !l.starts_with(' ')).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(files.len(), 40);
}

#[test]
fn every_report_format_is_the_same_whatever_the_thread_count() {
    // Reports stream out as files finish: the order must not depend on which
    // thread finished first. Files of very different sizes, a failure and a
    // file that is clean, so finishing order differs from path order.
    let dir = tempfile::tempdir().unwrap();
    for i in (0..60).rev() {
        let text = match i % 7 {
            0 => clean_text(),
            3 => dirty().repeat(1 + i % 5 * 20),
            _ => dirty(),
        };
        fs::write(dir.path().join(format!("f{i:02}.md")), text).unwrap();
    }
    fs::write(dir.path().join("f30b.md"), b"bin\0ary").unwrap();
    for format in ["json", "sarif", "github", "text"] {
        let run = |jobs: &str| {
            stdout_of(
                mdscrub(dir.path()).args(["check", "-q", "--format", format, "-j", jobs, "."]),
            )
        };
        let one = run("1");
        assert!(!one.is_empty() || format == "text", "{format}");
        assert!(one == run("2"), "{format} differs between -j 1 and -j 2");
        assert!(one == run("3"), "{format} differs between -j 1 and -j 3");
    }
    let json = stdout_of(mdscrub(dir.path()).args(["check", "--format", "json", "-j", "2", "."]));
    let doc: Value = serde_json::from_str(&json).unwrap();
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 61);
    let diff = |jobs: &str| stdout_of(mdscrub(dir.path()).args(["diff", "-j", jobs, "."]));
    assert!(diff("1") == diff("2"), "diff differs between -j 1 and -j 2");
}

#[test]
fn clean_without_fsync_cleans_the_same() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.md"), dirty()).unwrap();
    fs::write(dir.path().join("b.md"), dirty()).unwrap();
    mdscrub(dir.path())
        .args(["clean", "-q", "a.md"])
        .assert()
        .success();
    mdscrub(dir.path())
        .args(["clean", "-q", "--no-fsync", "b.md"])
        .assert()
        .success();
    let a = fs::read_to_string(dir.path().join("a.md")).unwrap();
    assert_ne!(a, dirty());
    assert_eq!(a, fs::read_to_string(dir.path().join("b.md")).unwrap());
}

// --- suppression ----------------------------------------------------------------

#[test]
fn inline_suppression_comments_keep_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{BODY}\n\n<!-- mdscrub-disable-next-line follow-prompt -->\n点击上方蓝字关注我们\n\n<!-- mdscrub-disable -->\n返回列表页\n<!-- mdscrub-enable -->\n\n返回列表页\n\n{BODY}\n"
    );
    fs::write(dir.path().join("s.md"), &text).unwrap();
    mdscrub(dir.path()).args(["clean", "s.md"]).assert().code(0);
    let got = fs::read_to_string(dir.path().join("s.md")).unwrap();
    assert_eq!(
        got,
        text.replacen(
            "<!-- mdscrub-enable -->\n\n返回列表页\n",
            "<!-- mdscrub-enable -->\n",
            1
        )
    );
    let off = format!("<!-- mdscrub-disable-file -->\n\n{}", dirty());
    fs::write(dir.path().join("off.md"), &off).unwrap();
    mdscrub(dir.path())
        .args(["check", "off.md"])
        .assert()
        .code(0);
    let only = format!("<!-- mdscrub-disable-file follow-prompt -->\n\n{}", dirty());
    fs::write(dir.path().join("only.md"), &only).unwrap();
    mdscrub(dir.path())
        .args(["check", "only.md"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("follow-prompt").not());
}

// --- clean, summary, statistics, completions ----------------------------------

#[test]
fn clean_out_mirrors_and_leaves_inputs() {
    let dir = fixture();
    let before = snapshot(&dir.path().join("docs"));
    mdscrub(dir.path())
        .args(["clean", "--out", "out", "docs"])
        .assert()
        .code(0);
    assert_eq!(before, snapshot(&dir.path().join("docs")));
    let a = fs::read_to_string(dir.path().join("out/a.md")).unwrap();
    assert!(!a.contains("关注我们") && a.contains(BODY));
}

#[test]
fn summary_has_time_and_statistics_are_sorted() {
    let dir = fixture();
    let out = mdscrub(dir.path())
        .args(["clean", "--statistics", "docs"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        predicate::str::is_match(
            r"4 files scanned, 3 changed, \d+ edits, \d+ bytes removed(, \d+ review edits not applied \(--apply review\))?, 0 failed in \d+\.\d\ds"
        )
        .unwrap()
        .eval(&err),
        "{err}"
    );
    let counts: Vec<u64> = err
        .lines()
        .skip_while(|l| !l.contains("hits"))
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.len() >= 3, "{err}");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    mdscrub(dir.path())
        .args(["clean", "-q", "docs"])
        .assert()
        .code(0)
        .stderr("")
        .stdout("");
}

#[test]
fn verbose_names_the_rules_file_and_every_file() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "-v", "docs"])
        .assert()
        .stderr(predicate::str::contains(
            "rules: the embedded default rules",
        ))
        .stderr(predicate::str::contains("unchanged: docs/clean.md"));
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef mdscrub"),
        ("fish", "complete -c mdscrub"),
    ] {
        mdscrub(dir.path())
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(marker))
            .stdout(predicate::str::contains("--stdin-filename"));
    }
}

#[test]
fn pre_commit_hook_entries_are_valid_commands() {
    let hooks = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    // The cargo-built hooks and their released-binary variants, whose script
    // runs the binary with the arguments after it (scripts/test-release-install.sh
    // tests the script itself).
    assert_eq!(entries.len(), 4);
    for (entry, want) in entries.iter().zip([0, 1, 0, 1]) {
        let dir = fixture();
        let args: Vec<&str> = entry.split_whitespace().collect();
        assert!(
            ["mdscrub", "scripts/pre-commit-release.sh"].contains(&args[0]),
            "{entry}"
        );
        mdscrub(dir.path())
            .args(&args[1..])
            .args(["docs/a.md", "docs/clean.md"])
            .assert()
            .code(want);
        let a = fs::read_to_string(dir.path().join("docs/a.md")).unwrap();
        assert_eq!(a == dirty(), want == 1, "{entry}");
    }
    assert!(hooks.contains("- id: mdscrub\n") && hooks.contains("- id: mdscrub-check\n"));
    assert!(hooks.contains("- id: mdscrub-bin\n") && hooks.contains("- id: mdscrub-check-bin\n"));
    assert_eq!(
        entries[0].split_once(' ').unwrap().1,
        entries[2].split_once(' ').unwrap().1
    );
    assert_eq!(
        entries[1].split_once(' ').unwrap().1,
        entries[3].split_once(' ').unwrap().1
    );
}

#[test]
fn documented_rules_file_example_is_valid_and_its_examples_pass() {
    let readme = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ))
    .unwrap();
    let start = readme
        .find("```toml\n# mdscrub.toml at the root")
        .expect("docs/configuration.md has the mdscrub.toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```\n").unwrap();
    let dir = fixture();
    write_rules(dir.path(), "mdscrub.toml", &readme[start..end]);
    mdscrub(dir.path())
        .args(["rules", "--test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
    mdscrub(dir.path())
        .arg("rules")
        .assert()
        .stdout(predicate::str::is_match(r"(?m)^read-original +drop-block +off ").unwrap())
        .stdout(predicate::str::contains("editor-note"));
}
