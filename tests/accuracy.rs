//! Accuracy on the reference corpus of real exports (`../shared/corpus/`
//! beside the crate, or the folder named by `MDSCRUB_CORPUS`), with the
//! embedded default rules: no tracking parameter of PATTERNS §1 left, at
//! least 95% of listed boilerplate lines removed, every prose line kept, every
//! file idempotent. When the corpus is absent the test fails under CI (the
//! `CI` variable set) and skips with a note on stderr otherwise.

mod common;
#[path = "../examples/eval/mod.rs"]
mod eval;

use std::path::PathBuf;

use mdscrub::RuleSet;

/// `MDSCRUB_CORPUS`, else `corpus/` in the shared folder; `None` (after the
/// note, or a panic under CI) when it is not a folder.
fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("MDSCRUB_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => common::shared_dir().join("corpus"),
    };
    let what = format!(
        "the reference corpus {} (MDSCRUB_CORPUS or MDSCRUB_SHARED_DIR names another)",
        dir.display()
    );
    common::require_or_skip(&what, dir.is_dir()).then_some(dir)
}

#[test]
fn corpus_accuracy_meets_targets() {
    meets_targets(&RuleSet::default_rules());
}

#[test]
fn corpus_accuracy_meets_targets_with_the_opt_in_presets() {
    let rules = RuleSet::parse(
        "presets = [\"default\", \"credits\", \"typography\"]\n",
        "opt-in.toml",
    )
    .expect("valid");
    meets_targets(&rules);
}

fn meets_targets(rules: &RuleSet) {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let files = eval::corpus_files(&dir).expect("corpus is readable");
    assert!(!files.is_empty(), "no .md files in {}", dir.display());
    let (evals, by) = eval::evaluate_all(&files, rules);
    eprintln!("{}", eval::table(&by));
    let mut problems = Vec::new();
    for e in &evals {
        if let Some(err) = &e.error {
            problems.push(format!("{}: {err}", e.name));
        }
        if !e.idempotent {
            problems.push(format!("{}: a second clean changes it", e.name));
        }
        for t in &e.tracking_left {
            problems.push(format!("{}: tracking left: {t}", e.name));
        }
        for l in &e.lost {
            problems.push(format!("{}: prose lost: {l}", e.name));
        }
    }
    let all = &by["~all"];
    if all.boilerplate_removed() < 0.95 {
        problems.push(format!(
            "only {:.1}% of boilerplate lines removed (target 95%)",
            all.boilerplate_removed() * 100.0
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn prose_comparison_ignores_markup_and_line_splits() {
    let prose = vec!["今天早起，我看到读者传来这样一张图，图中这位朋友正在认真地读一本很厚的书，旁边还放着一杯咖啡。".to_string()];
    let split = "今天早起，我看到读者传来这样一张图，\n\n![](https://x/y.png)\n\n图中这位朋友正在**认真地**读一本很厚的书，旁边还放着一杯咖啡。\n";
    assert!(eval::missing(&prose, split).is_empty());
    assert_eq!(eval::missing(&prose, "图中这位朋友\n").len(), 1);
}

#[test]
fn tracking_counts_wechat_params_also_inside_proxies() {
    let t = eval::tracking(
        "![](https://images.weserv.nl/?url=https%3A//mmbiz.qpic.cn/a/640%3Fwx_fmt%3Dgif%26tp%3Dwebp)\n\
         [a](https://help.aliyun.com/x?from=1&scene=2)\n\
         ![](https://mmbiz.qpic.cn/b/640?wx_fmt=png&wx;_lazy=1)\n\
         ```\nhttps://mp.weixin.qq.com/s?__biz=1&scene=21\n```\n",
    );
    assert_eq!(t.len(), 2, "{t:?}");
    assert!(t[0].starts_with("mmbiz:tp"));
    assert!(t[1].starts_with("mmbiz:wx_lazy"));
}
