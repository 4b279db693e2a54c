//! Habits from ruff, rumdl and git that carry over: `--config`,
//! `--output-format`, `check --fix` / `check --diff`, `--exit-zero`, `-q` and
//! `-qq`, flags that conflict rejected up front, closed pipes, raw UTF-8 paths
//! in diff headers, one error prefix, plurals, and the smaller manners of
//! `-v`, `--statistics` and `--html`.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

const BODY: &str =
    "这是一段足够长的正文，用来保证清理只去掉很少的一部分可见文字，所以文件不会被拒绝。";

fn mdscrub(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdscrub"));
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env("MDSCRUB_CACHE_DIR", dir.join(".cache"));
    cmd
}

fn dirty() -> String {
    format!("# 标题\n\n{BODY}\n\n[x](https://example.com/?id=3&utm_source=wx)\n")
}

/// Two files that would change (one with a Chinese name) and a clean one.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("docs/转载")).unwrap();
    fs::write(d.join("docs/a.md"), dirty()).unwrap();
    fs::write(d.join("docs/转载/一篇文章.md"), dirty()).unwrap();
    fs::write(d.join("docs/clean.md"), format!("# 标题\n\n{BODY}\n")).unwrap();
    dir
}

fn out(cmd: &mut Command) -> (i32, String, String) {
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn config_is_the_rules_flag_and_rules_stays_an_alias() {
    let dir = fixture();
    fs::write(
        dir.path().join("only.toml"),
        "extend-default = true\n[[rule]]\nid = \"utm-params\"\nenabled = false\n",
    )
    .unwrap();
    for flag in ["--config", "--rules"] {
        mdscrub(dir.path())
            .args(["check", flag, "only.toml", "docs"])
            .assert()
            .code(0);
    }
    mdscrub(dir.path())
        .args(["rules", "--config", "only.toml"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"utm-params\s+\S+\s+off").unwrap());
}

#[test]
fn output_format_is_format() {
    let dir = fixture();
    let a = out(mdscrub(dir.path()).args(["check", "--output-format", "json", "docs"]));
    let b = out(mdscrub(dir.path()).args(["check", "--format", "json", "docs"]));
    assert_eq!(a.0, 1);
    assert!(a.1.starts_with('{'), "{}", a.1);
    assert_eq!(a.1, b.1);
}

#[test]
fn check_fix_is_clean_and_check_diff_is_diff_exit_code() {
    let fixed = fixture();
    let cleaned = fixture();
    let (code, _, _) = out(mdscrub(fixed.path()).args(["check", "--fix", "docs"]));
    assert_eq!(code, 0);
    mdscrub(cleaned.path())
        .args(["clean", "docs"])
        .assert()
        .code(0);
    for f in ["docs/a.md", "docs/转载/一篇文章.md"] {
        let a = fs::read_to_string(fixed.path().join(f)).unwrap();
        assert_eq!(a, fs::read_to_string(cleaned.path().join(f)).unwrap());
        assert!(!a.contains("utm_source"));
    }
    let dir = fixture();
    let (code, diff, _) = out(mdscrub(dir.path()).args(["check", "--diff", "docs"]));
    let (_, plain, _) = out(mdscrub(dir.path()).args(["diff", "docs"]));
    assert_eq!(code, 1);
    assert_eq!(diff, plain);
    assert!(diff.starts_with("--- a/docs/a.md\n"), "{diff}");
    // Nothing was written.
    assert_eq!(
        fs::read_to_string(dir.path().join("docs/a.md")).unwrap(),
        dirty()
    );
}

#[test]
fn exit_zero_keeps_failures_at_2() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "--exit-zero", "docs"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("would change"));
    mdscrub(dir.path())
        .args(["check", "--diff", "--exit-zero", "docs"])
        .assert()
        .code(0);
    fs::write(dir.path().join("docs/bad.md"), b"caf\xe9\n").unwrap();
    mdscrub(dir.path())
        .args(["check", "--exit-zero", "docs"])
        .assert()
        .code(2);
}

#[test]
fn quiet_drops_the_summary_and_twice_is_silent() {
    let dir = fixture();
    let (code, stdout, stderr) = out(mdscrub(dir.path()).args(["check", "-q", "docs"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("docs/a.md: would change"), "{stdout}");
    assert!(!stdout.contains("scanned") && !stderr.contains("scanned"));
    mdscrub(dir.path())
        .args(["check", "-qq", "docs"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
    // A diff is what `diff` is for: -qq keeps it and drops the rest.
    let (code, stdout, stderr) = out(mdscrub(dir.path()).args(["diff", "-qq", "docs"]));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("--- a/docs/a.md"), "{stdout}");
    assert_eq!(stderr, "");
}

#[test]
fn quiet_statistics_prints_the_statistics() {
    let dir = fixture();
    let (_, stdout, _) = out(mdscrub(dir.path()).args(["check", "-q", "--statistics", "docs"]));
    assert!(stdout.contains("utm-params"), "{stdout}");
    assert!(stdout.contains("hits"), "{stdout}");
    assert!(!stdout.contains("scanned"), "{stdout}");
}

#[test]
fn conflicting_flags_are_rejected_before_the_run() {
    let dir = fixture();
    for args in [
        &["check", "--fix", "--diff", "docs"][..],
        &["check", "--fix", "--format", "json", "docs"],
        &["check", "--diff", "--format", "sarif", "docs"],
        &["diff", "--html", "r.html", "--stat", "docs"],
        &["diff", "--exit-code", "--exit-zero", "docs"],
        &["check", "-q", "-v", "docs"],
    ] {
        mdscrub(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
    assert!(!dir.path().join("r.html").exists());
    assert_eq!(
        fs::read_to_string(dir.path().join("docs/a.md")).unwrap(),
        dirty()
    );
}

#[test]
fn a_bad_output_path_fails_before_the_run() {
    let dir = fixture();
    for (args, what) in [
        (
            &["diff", "-v", "--html", "no/such/folder/r.html", "docs"][..],
            "cannot create the HTML report no/such/folder/r.html",
        ),
        (&["diff", "-v", "--html", "docs", "docs"], "it is a folder"),
        (
            &["learn", "-v", "-o", "no/such/folder/l.toml", "docs"],
            "cannot create the learned file",
        ),
    ] {
        let (code, _, stderr) = out(mdscrub(dir.path()).args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(what), "{stderr}");
        // Nothing was walked.
        assert!(!stderr.contains("files:"), "{stderr}");
    }
    // A good path is left as it was found until the report is written.
    mdscrub(dir.path())
        .args(["diff", "--html", "r.html", "docs"])
        .assert()
        .code(0);
    assert!(
        fs::read_to_string(dir.path().join("r.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn one_error_prefix() {
    let dir = fixture();
    fs::write(dir.path().join("docs/bad.md"), b"caf\xe9\n").unwrap();
    fs::write(dir.path().join("broken.toml"), "[[rule]]\nid = 3\n").unwrap();
    let (_, _, file_error) = out(mdscrub(dir.path()).args(["check", "docs"]));
    let (_, _, run_error) = out(mdscrub(dir.path()).args(["check", "--config", "broken.toml"]));
    assert!(file_error.contains("error: docs/bad.md: "), "{file_error}");
    assert!(run_error.starts_with("error: "), "{run_error}");
    assert!(!format!("{file_error}{run_error}").contains("mdscrub: error"));
}

#[test]
fn verbose_names_a_skipped_file_once() {
    let dir = fixture();
    fs::write(dir.path().join("docs/big.md"), "x".repeat(400)).unwrap();
    let (_, _, stderr) =
        out(mdscrub(dir.path()).args(["check", "-v", "--max-file-size", "300", "docs"]));
    assert_eq!(stderr.matches("docs/big.md").count(), 1, "{stderr}");
    assert!(stderr.contains("unchanged: docs/clean.md"), "{stderr}");
}

#[test]
fn summary_says_1_file_and_2_files() {
    let dir = fixture();
    mdscrub(dir.path())
        .args(["check", "docs/a.md"])
        .assert()
        .stdout(predicate::str::contains(
            "1 file scanned, 1 would change, 1 edit, ",
        ));
    mdscrub(dir.path())
        .args(["check", "docs/a.md", "docs/clean.md"])
        .assert()
        .stdout(predicate::str::contains(
            "2 files scanned, 1 would change, 1 edit, ",
        ));
}

#[test]
fn diff_headers_keep_chinese_names_raw() {
    let dir = fixture();
    let (_, diff, _) = out(mdscrub(dir.path()).args(["diff", "docs"]));
    assert!(diff.contains("--- a/docs/转载/一篇文章.md\n"), "{diff}");
    assert!(diff.contains("+++ b/docs/转载/一篇文章.md\n"), "{diff}");
    assert!(!diff.contains("\\3"), "{diff}");
}

/// Runs `args` with standard output read for a few bytes and then closed.
fn closed_early(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mdscrub"))
        .current_dir(dir)
        .env("MDSCRUB_CACHE_DIR", dir.join(".cache"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The pipe's reader is gone here, as after `| head -c 100`.
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // Far more output than a pipe holds.
    for i in 0..400 {
        fs::write(dir.path().join(format!("f{i:03}.md")), dirty().repeat(4)).unwrap();
    }
    for (args, code) in [
        (&["diff", "."][..], 0),
        (&["diff", "--exit-code", "."], 1),
        (&["check", "."], 1),
        (&["check", "--format", "json", "."], 1),
        (&["rules", "--explain", "utm-params"], 0),
    ] {
        let (got, stderr) = closed_early(dir.path(), args);
        assert_eq!(got, code, "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

// --- typo help -----------------------------------------------------------------

#[test]
fn every_unknown_rule_id_of_a_flag_is_named_with_a_suggestion() {
    let dir = fixture();
    let (code, _, stderr) = out(mdscrub(dir.path()).args([
        "check",
        "--select",
        "folow-prompt,zzzz",
        "--ignore",
        "utm-param",
        "docs",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: no rules "), "{stderr}");
    for part in [
        "`folow-prompt` (did you mean `follow-prompt`?)",
        "`zzzz`",
        "`utm-param` (did you mean `utm-params`?)",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    mdscrub(dir.path())
        .args(["rules", "--explain", "follow-promt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no rule `follow-promt` (did you mean `follow-prompt`?)",
        ));
}

#[test]
fn config_typos_point_at_the_line_and_suggest() {
    let dir = fixture();
    fs::write(
        dir.path().join("mdscrub.toml"),
        "extend-default = true\n\n[[rule]]\nid = \"folow-prompt\"\nenabled = false\n",
    )
    .unwrap();
    mdscrub(dir.path())
        .args(["check", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mdscrub.toml:3: rule `folow-prompt`",
        ))
        .stderr(predicate::str::contains(
            "did you mean the default rule `follow-prompt`?",
        ));
    fs::write(
        dir.path().join("mdscrub.toml"),
        "[[rule]]\nid = \"mine\"\nkind = \"drop-block\"\npattern = \"(\"\n",
    )
    .unwrap();
    mdscrub(dir.path())
        .args(["check", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mdscrub.toml:4: rule `mine`: `pattern` is not a valid regex",
        ));
}

#[test]
fn an_unknown_id_in_a_suppression_comment_is_a_warning() {
    let dir = fixture();
    fs::write(
        dir.path().join("docs/s.md"),
        format!("{BODY}\n\n<!-- mdscrub-disable-next-line follow-promt -->\n点击上方蓝字关注我们\n\n{BODY}\n"),
    )
    .unwrap();
    let (code, _, stderr) = out(mdscrub(dir.path()).args(["check", "docs/s.md"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "warning: docs/s.md:3: suppression comment names no rule `follow-promt` (did you mean `follow-prompt`?)"
        ),
        "{stderr}"
    );
    let (_, _, silent) = out(mdscrub(dir.path()).args(["check", "-qq", "docs/s.md"]));
    assert_eq!(silent, "");
}
