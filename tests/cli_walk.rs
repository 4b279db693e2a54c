//! Which files a run takes: ignore files (`.gitignore` inside a git
//! repository, `.ignore` and `.mdscrubignore` anywhere), `--no-ignore`,
//! paths named on the command line, `.` as the default path, and one path
//! style (no `./`) in every output.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const BODY: &str =
    "这是一段足够长的正文，用来保证清理只去掉很少的一部分可见文字，所以文件不会被拒绝。";

fn mdscrub(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdscrub"));
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        // No user's global git excludes file.
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("MDSCRUB_CACHE_DIR", dir.join(".cache"));
    cmd
}

fn dirty() -> String {
    format!("# 标题\n\n{BODY}\n\n[x](https://example.com/?id=3&utm_source=wx)\n")
}

/// A blog: posts, and Markdown that is not the author's in `node_modules/`,
/// `build/` and `vendor/`.
fn blog(git: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for f in [
        "posts/a.md",
        "posts/b.md",
        "node_modules/pkg/README.md",
        "build/out.md",
        "vendor/lib.md",
        "drafts/d.md",
    ] {
        fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
        fs::write(d.join(f), dirty()).unwrap();
    }
    if git {
        // What `git init` leaves: the walk only needs the folder.
        fs::create_dir_all(d.join(".git")).unwrap();
    }
    fs::write(d.join(".gitignore"), "node_modules/\nbuild/\n").unwrap();
    fs::write(d.join(".ignore"), "vendor/\n").unwrap();
    fs::write(d.join(".mdscrubignore"), "drafts/\n").unwrap();
    dir
}

/// The paths `check --format json` reports as changing, in the order given.
fn listed(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = mdscrub(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "unchanged")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ignore_files_leave_out_what_they_ignore_in_a_git_repository() {
    let dir = blog(true);
    assert_eq!(listed(dir.path(), &[]), ["posts/a.md", "posts/b.md"]);
    assert_eq!(listed(dir.path(), &["."]), ["posts/a.md", "posts/b.md"]);
    // Ignore files in folders above the one walked apply too.
    assert_eq!(listed(&dir.path().join("posts"), &[".."]).len(), 2);
}

#[test]
fn gitignore_counts_only_inside_a_git_repository() {
    let dir = blog(false);
    assert_eq!(
        listed(dir.path(), &[]),
        [
            "build/out.md",
            "node_modules/pkg/README.md",
            "posts/a.md",
            "posts/b.md"
        ]
    );
}

#[test]
fn no_ignore_walks_everything() {
    let dir = blog(true);
    assert_eq!(listed(dir.path(), &["--no-ignore"]).len(), 6);
}

#[test]
fn paths_named_on_the_command_line_are_always_taken() {
    let dir = blog(true);
    assert_eq!(
        listed(dir.path(), &["build/out.md", "vendor"]),
        ["build/out.md", "vendor/lib.md"]
    );
    // `./` is dropped: one path style everywhere.
    assert_eq!(listed(dir.path(), &["./drafts/d.md"]), ["drafts/d.md"]);
}

#[test]
fn clean_without_a_path_cleans_the_current_folder_and_respects_ignores() {
    let dir = blog(true);
    let d = dir.path();
    mdscrub(d).arg("clean").assert().code(0);
    assert!(
        !fs::read_to_string(d.join("posts/a.md"))
            .unwrap()
            .contains("utm_source")
    );
    for kept in [
        "node_modules/pkg/README.md",
        "build/out.md",
        "vendor/lib.md",
        "drafts/d.md",
    ] {
        assert_eq!(fs::read_to_string(d.join(kept)).unwrap(), dirty(), "{kept}");
    }
}

#[test]
fn diff_and_check_text_name_paths_alike() {
    let dir = blog(true);
    let diff = mdscrub(dir.path()).arg("diff").output().unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    assert!(diff.contains("--- a/posts/a.md\n"), "{diff}");
    let check = mdscrub(dir.path()).arg("check").output().unwrap();
    let check = String::from_utf8(check.stdout).unwrap();
    assert!(
        check.contains("\nposts/b.md: would change")
            || check.starts_with("posts/a.md: would change"),
        "{check}"
    );
    assert!(!check.contains("./"), "{check}");
}

#[test]
fn stdin_still_works() {
    let dir = blog(true);
    mdscrub(dir.path())
        .args(["clean", "-"])
        .write_stdin(dirty())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("https://example.com/?id=3)"));
}

#[test]
fn a_missing_path_fails_without_counting_as_scanned() {
    let dir = blog(true);
    mdscrub(dir.path())
        .args(["check", "nope.md", "posts/a.md"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("1 file scanned, 1 would change"))
        .stdout(predicate::str::contains("1 failed"))
        .stderr(predicate::str::contains("nope.md"));
}

#[test]
fn a_folder_named_like_a_markdown_file_is_walked_into_and_said_so_with_v() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("y.md")).unwrap();
    fs::write(dir.path().join("y.md/inner.md"), dirty()).unwrap();
    mdscrub(dir.path())
        .args(["check", "-v", "y.md"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("y.md/inner.md"))
        .stderr(predicate::str::contains(
            "note: y.md is a folder, not a file: the Markdown files below it are processed",
        ));
    // Without -v, no note.
    mdscrub(dir.path())
        .args(["check", "y.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("note:").not());
}
