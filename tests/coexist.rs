//! Runs that coexist and stop cleanly (issue 15): concurrent runs on one
//! folder, SIGINT and SIGTERM mid-run, stray temporary files, files the
//! running user may not replace, special files on the command line, a full
//! disk, and names that are not UTF-8. Each test runs the built binary as a
//! child process on a folder it makes.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use mdscrub::fsio;
use predicates::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_mdscrub");

/// Where setpriv, which runs a command as another user, may be.
const SETPRIV: [&str; 2] = ["/usr/bin/setpriv", "/bin/setpriv"];

/// An article of `paras` paragraphs, each with an image whose URL carries
/// tracking parameters the default rules remove.
fn article(n: usize, paras: usize) -> String {
    let mut s = format!("# 标题 {n}\n\n");
    for i in 0..paras {
        s.push_str(&format!(
            "正文第{i}段，讲一件事，还有更多内容。\n\n![](https://mmbiz.qpic.cn/a/{n}/{i}/640?wx_fmt=png&from=appmsg&wx_lazy=1)\n\n"
        ));
    }
    s
}

/// `count` articles in `dir`, in two sub-folders.
fn make_folder(dir: &Path, count: usize, paras: usize) {
    for sub in ["a", "b"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for n in 0..count {
        let sub = if n % 2 == 0 { "a" } else { "b" };
        fs::write(dir.join(sub).join(format!("{n:04}.md")), article(n, paras)).unwrap();
    }
}

/// Every file below `dir`, by path relative to it, with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            all.push((rel, fs::read(e.path()).unwrap()));
        }
    }
    all
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(fsio::TEMP_PREFIX))
        })
        .collect()
}

fn clean(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(["clean", "--no-cache"])
        .arg(dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The folder as one uninterrupted run leaves it.
fn cleaned_once(count: usize, paras: usize) -> (tempfile::TempDir, Vec<(PathBuf, Vec<u8>)>) {
    let solo = tempfile::tempdir().unwrap();
    make_folder(solo.path(), count, paras);
    let out = clean(solo.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = contents(solo.path());
    (solo, after)
}

// --- Concurrent runs -----------------------------------------------------------

/// Issue 15: a second run removed a live run's temporary files, and the
/// first then failed files with "file vanished". Three runs on one folder
/// now end without an error, and the folder equals one run's.
#[test]
fn concurrent_runs_on_one_folder_give_no_errors_and_end_equal_to_one_run() {
    let (count, paras) = (400, 4);
    let (_solo, want) = cleaned_once(count, paras);
    for round in 0..2 {
        let shared = tempfile::tempdir().unwrap();
        make_folder(shared.path(), count, paras);
        let runs: Vec<_> = (0..3)
            .map(|_| clean(shared.path()).spawn().unwrap())
            .collect();
        let outs: Vec<Output> = runs
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for out in &outs {
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "round {round}: {err}");
            assert!(!err.contains("error"), "round {round}: {err}");
            assert!(text(&out.stdout).contains("400 files scanned, "));
        }
        assert!(temp_files(shared.path()).is_empty());
        assert!(contents(shared.path()) == want, "round {round}");
    }
}

/// A temporary file a live run holds (locked) is neither removed nor
/// reported; one nobody holds is a stray: `check` reports it, `clean`
/// removes it.
#[test]
fn only_strays_nobody_holds_are_reported_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.md"), article(1, 2)).unwrap();
    let live = dir.path().join(".mdscrub-live01.tmp");
    let stray = dir.path().join(".mdscrub-old001.tmp");
    fs::write(&live, "being written").unwrap();
    fs::write(&stray, "left by a killed run").unwrap();
    let held = fs::File::open(&live).unwrap();
    held.lock().unwrap();
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache", "-v"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("1 stray temporary file of interrupted runs")
                .and(predicate::str::contains(".mdscrub-old001.tmp"))
                .and(predicate::str::contains("live01").not()),
        );
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(-v lists them)"));
    assert!(stray.exists(), "check removes nothing");
    cargo_bin_cmd!("mdscrub")
        .args(["clean", "--no-cache"])
        .arg(dir.path())
        .assert()
        .code(0);
    assert!(!stray.exists(), "the stray is removed");
    assert!(live.exists(), "the live run's file stays");
    drop(held);
}

/// A stray that cannot be removed is reported with its path and why.
#[test]
fn a_stray_that_cannot_be_removed_is_a_warning_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("locked");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("a.md"), article(1, 2)).unwrap();
    fs::write(sub.join(".mdscrub-old001.tmp"), "left").unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores the folder's mode: run as nobody, where setpriv can.
    // SAFETY: reads the process's credentials.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = match SETPRIV.iter().find(|p| Path::new(p).exists()) {
        Some(setpriv) if root => {
            let mut c = Command::new(setpriv);
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                BIN,
            ]);
            c
        }
        _ if root => {
            assert!(std::env::var_os("CI").is_none(), "no setpriv under CI");
            eprintln!("note: running as root without setpriv; case skipped");
            return;
        }
        _ => Command::new(BIN),
    };
    let out = cmd
        .args(["clean", "--no-cache"])
        .arg(&sub)
        .output()
        .unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            ".mdscrub-old001.tmp: stray temporary file of an interrupted run, cannot remove it: permission denied"
        ),
        "{stderr}"
    );
}

// --- Signals -------------------------------------------------------------------

/// SIGINT (or SIGTERM) mid-run: exit 130 (143), the summary so far, no
/// temporary file left, and every file as it was or fully cleaned.
#[test]
fn a_signal_mid_run_stops_cleanly_with_the_summary_and_no_temp_files() {
    let (count, paras) = (600, 30);
    let (_solo, want) = cleaned_once(count, paras);
    for (signal, code, name) in [
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGTERM, 143, "SIGTERM"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        make_folder(dir.path(), count, paras);
        let before = contents(dir.path());
        let child = clean(dir.path()).arg("-v").spawn().unwrap();
        // Mid-run: once the first file is cleaned.
        let first = dir.path().join("a").join("0000.md");
        let started = Instant::now();
        while fs::read(&first).unwrap() == before[0].1 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no file cleaned"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
        assert!(stdout.contains("files scanned"), "{name}: {stdout}");
        assert!(
            stderr.contains(&format!("interrupted by {name}: ")),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("error"), "{name}: {stderr}");
        assert!(temp_files(dir.path()).is_empty(), "{name}");
        let after = contents(dir.path());
        assert_eq!(after.len(), want.len());
        let (mut old, mut new) = (0, 0);
        for ((path, now), ((_, was), (_, clean))) in after.iter().zip(before.iter().zip(&want)) {
            if now == was {
                old += 1;
            } else if now == clean {
                new += 1;
            } else {
                panic!(
                    "{name}: {} is neither as it was nor cleaned",
                    path.display()
                );
            }
        }
        assert!(
            new > 0 && old > 0,
            "{name}: mid-run: {new} cleaned, {old} left"
        );
        // Every file cleaned is reported, and only those.
        assert_eq!(stderr.matches("changed (").count(), new, "{name}");
        assert!(
            stdout.contains(&format!("{new} changed")),
            "{name}: {stdout}"
        );
    }
}

// --- Permissions and owners ------------------------------------------------------

/// Issue 15: an unprivileged user who may write the folder replaced a
/// root-owned 0644 file and took it over. As such a user (through setpriv),
/// a root-owned 0644 file and a root-owned 0666 file are left as they were
/// and reported; the user's own file is cleaned. Needs root to set up;
/// skipped with a note elsewhere, but failing under CI.
#[test]
fn files_the_running_user_could_not_write_or_keep_the_owner_of_are_left_alone() {
    let skip = |why: &str| {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot run under CI: {why}"
        );
        eprintln!("note: unprivileged-user case skipped: {why}");
    };
    // SAFETY: reads the process's credentials.
    if unsafe { libc::geteuid() } != 0 {
        return skip("not running as root");
    }
    let Some(setpriv) = SETPRIV.iter().find(|p| Path::new(p).exists()) else {
        return skip("no setpriv");
    };
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let nobody = 65534;
    let theirs = dir.path().join("root-0644.md");
    let shared = dir.path().join("root-0666.md");
    let mine = dir.path().join("mine.md");
    let dirty = article(1, 2);
    for (f, mode) in [(&theirs, 0o644), (&shared, 0o666), (&mine, 0o644)] {
        fs::write(f, &dirty).unwrap();
        fs::set_permissions(f, fs::Permissions::from_mode(mode)).unwrap();
    }
    std::os::unix::fs::chown(&mine, Some(nobody), Some(nobody)).unwrap();
    let out = Command::new(setpriv)
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BIN,
            "clean",
            "--no-cache",
            ".",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    if stderr.contains("setpriv:") {
        return skip(&format!("setpriv cannot switch user here: {stderr}"));
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("root-0644.md: file is not writable by this user (mode 644, owner uid 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("root-0666.md: file belongs to uid 0, not to you (uid 65534); replacing it would change its owner"),
        "{stderr}"
    );
    use std::os::unix::fs::MetadataExt;
    for f in [&theirs, &shared] {
        assert_eq!(fs::read_to_string(f).unwrap(), dirty, "{}", f.display());
        assert_eq!(fs::metadata(f).unwrap().uid(), 0);
    }
    assert_ne!(fs::read_to_string(&mine).unwrap(), dirty);
    assert_eq!(fs::metadata(&mine).unwrap().uid(), nobody);
    assert!(temp_files(dir.path()).is_empty());
}

// --- Special files -------------------------------------------------------------

/// Issue 15: a fifo named on the command line was silently dropped ("0
/// files scanned", exit 0). It is skipped with a reason and counted; the
/// run does not block on it.
#[test]
fn a_fifo_on_the_command_line_is_skipped_with_a_reason_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let a = dir.path().join("a.md");
    fs::write(&a, article(1, 1)).unwrap();
    cargo_bin_cmd!("mdscrub")
        .args(["clean", "--no-cache"])
        .arg(&fifo)
        .arg(&a)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 files scanned, 1 changed, "))
        .stdout(predicate::str::contains(", 1 skipped, 0 failed"))
        .stderr(predicate::str::contains(
            "pipe.md: not a regular file (a fifo); left alone",
        ));
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache"])
        .arg(&fifo)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 file scanned, 0 would change"))
        .stderr(predicate::str::contains("skipped: "));
}

// --- A full disk ---------------------------------------------------------------

/// Issue 15: with little room, files were staged in batches before any
/// rename, and most failed though each would have fitted alone. Through the
/// debug builds' seam (`MDSCRUB_TEST_NO_SPACE`, the bytes free), every file
/// that fits is cleaned; one larger than the room fails, named, and is left
/// as it was. Release builds have no seam, so the test is a debug one.
#[test]
#[cfg(debug_assertions)]
fn a_full_disk_cleans_every_file_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    make_folder(dir.path(), 90, 2);
    let big = dir.path().join("big.md");
    let big_text = article(7, 60);
    fs::write(&big, &big_text).unwrap();
    let largest_small = article(89, 2).len();
    // Room for about two cleaned small files, not for the big one.
    let room = 2 * largest_small;
    let out = clean(dir.path())
        .env("MDSCRUB_TEST_NO_SPACE", room.to_string())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("big.md: cannot write temporary file: "),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("91 files scanned, 90 changed"));
    assert_eq!(fs::read_to_string(&big).unwrap(), big_text);
    for n in 0..90 {
        let sub = if n % 2 == 0 { "a" } else { "b" };
        let now = fs::read_to_string(dir.path().join(sub).join(format!("{n:04}.md"))).unwrap();
        assert!(!now.contains("wx_lazy"), "{n} not cleaned");
    }
    assert!(temp_files(dir.path()).is_empty());
}

// --- Names ---------------------------------------------------------------------

/// Issue 15: a name that is not UTF-8 was printed lossily (`��bad-name.md`);
/// it is shown with the bytes escaped.
#[test]
fn names_that_are_not_utf8_are_shown_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"\xff\xfebad-name.md");
    fs::write(dir.path().join(name), article(1, 1)).unwrap();
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "\\xff\\xfebad-name.md: would change",
        ))
        .stdout(predicate::str::contains('\u{fffd}').not());
    cargo_bin_cmd!("mdscrub")
        .args(["diff", "--no-cache", "--stat"])
        .arg(dir.path())
        .assert()
        .stdout(predicate::str::contains("\\xff\\xfebad-name.md | "));
    cargo_bin_cmd!("mdscrub")
        .args(["clean", "--no-cache", "-v"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("\\xff\\xfebad-name.md"));
}

/// Issue 15: `max-chars = 18446744073709551614` failed with "u64 value was
/// too large"; the message names the key and the limit.
#[test]
fn a_number_past_i64_max_names_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    fs::write(
        &rules,
        "[[rule]]\nid = \"x\"\nkind = \"drop-block\"\nmax-chars = 18446744073709551614\npattern = \"点赞\"\n",
    )
    .unwrap();
    cargo_bin_cmd!("mdscrub")
        .args(["check", "--no-cache", "--config"])
        .arg(&rules)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules.toml:4: `max-chars` is too large: the largest number a rules file can hold is 9223372036854775807 (i64::MAX)",
        ));
}
