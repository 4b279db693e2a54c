//! `mdscrub learn` and learned boilerplate end to end: the learned file is
//! written beside the rules file, used by `clean` and `check`, updated by a
//! later `learn` without losing a person's edits, and `clean --learn` cleans
//! as `learn` followed by `clean` does.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

/// An account's archive: five articles, each with its own prose, the
/// account's footer line and its banner image.
fn archive(dir: &Path) {
    fs::write(dir.join("mdscrub.toml"), "extend-default = true\n").unwrap();
    for i in 0..5 {
        let text = format!(
            "# 第{i}篇\n\n第{i}篇文章的正文，讲的是第{i}件事情，和其他文章都不一样，所以每一篇的这一段都不同，足够长。\n\n第二段也只属于第{i}篇，同样足够长，长到算作正文，不会被当成页脚或者页头，还要再长一点。\n\n本号文章均为作者原创，每周三更新一次\n\n![](https://mmbiz.qpic.cn/sz_mmbiz_png/Banner01/640?wx_fmt=png&from=appmsg&n={i})\n"
        );
        fs::write(dir.join(format!("{i}.md")), text).unwrap();
    }
}

fn mdscrub(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("mdscrub")
        .current_dir(dir)
        .env("MDSCRUB_CACHE_DIR", dir.join(".cache"))
        .args(args)
        .assert()
}

fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn learn_writes_a_file_that_clean_and_check_use() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    mdscrub(dir.path(), &["learn", "."]).success();
    let learned = fs::read_to_string(dir.path().join("mdscrub-learned.toml")).unwrap();
    assert!(
        learned.contains("本号文章均为作者原创，每周三更新一次"),
        "{learned}"
    );
    assert!(
        learned.contains("mmbiz.qpic.cn/sz_mmbiz_png/Banner01/640"),
        "{learned}"
    );
    // check finds them, clean removes them, and the prose stays.
    mdscrub(dir.path(), &["check", "."]).code(1);
    mdscrub(dir.path(), &["clean", "."]).success();
    for (name, text) in tree(dir.path()) {
        assert!(!text.contains("每周三更新"), "{name}: {text}");
        assert!(!text.contains("Banner01"), "{name}: {text}");
        assert!(text.contains("文章的正文"), "{name}: {text}");
    }
    mdscrub(dir.path(), &["check", "."]).success();
}

#[test]
fn a_kept_entry_stays_kept_and_is_not_removed() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    mdscrub(dir.path(), &["learn", "."]).success();
    let file = dir.path().join("mdscrub-learned.toml");
    let text = fs::read_to_string(&file).unwrap();
    let kept = text.replacen(
        "text = \"本号文章均为作者原创，每周三更新一次\"",
        "text = \"本号文章均为作者原创，每周三更新一次\"\nkeep = true",
        1,
    );
    assert_ne!(kept, text);
    fs::write(&file, &kept).unwrap();
    // A later learn keeps the person's decision.
    mdscrub(dir.path(), &["learn", "."]).success();
    let again = fs::read_to_string(&file).unwrap();
    assert!(again.contains("keep = true"), "{again}");
    mdscrub(dir.path(), &["clean", "."]).success();
    for (name, text) in tree(dir.path()) {
        assert!(text.contains("每周三更新"), "{name}: {text}");
        assert!(!text.contains("Banner01"), "{name}: {text}");
    }
}

#[test]
fn clean_learn_equals_learn_then_clean() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    archive(one.path());
    archive(two.path());
    mdscrub(one.path(), &["clean", "--learn", "."]).success();
    mdscrub(two.path(), &["learn", "."]).success();
    mdscrub(two.path(), &["clean", "."]).success();
    assert_eq!(tree(one.path()), tree(two.path()));
    assert!(!one.path().join("mdscrub-learned.toml").exists());
}

/// `-j` sets the threads once for the whole command: learning, then the
/// clean (a second setting of the pool failed the run with "The global
/// thread pool has already been initialized").
#[test]
fn learning_runs_on_the_threads_that_jobs_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    let out = mdscrub(dir.path(), &["check", "--learn", "-j", "1", "."])
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("learned-lines"), "{stdout}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    mdscrub(dir.path(), &["learn", "-j", "2", "."]).success();
    mdscrub(dir.path(), &["clean", "--learn", "-j", "1", "."]).success();
}

#[test]
fn a_bad_learned_file_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    fs::write(
        dir.path().join("mdscrub-learned.toml"),
        "[[text]]\ntext = \"a\"\nfiels = 3\n",
    )
    .unwrap();
    let out = mdscrub(dir.path(), &["check", "."]).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("mdscrub-learned.toml: line 3"), "{err}");
}
