//! The literal prefilter changes nothing but speed: cleaning with it gives
//! the same output and hits as cleaning with it off (every text parsed,
//! every rule run in every pass), over the fixtures, the bundled exports,
//! the reference corpus (required under CI, skipped with a note elsewhere
//! when absent), texts built around the traps of the raw-text tests, and
//! random Markdown-ish texts.

use std::path::Path;

use mdscrub::{RuleSet, clean_text};
use proptest::prelude::*;

mod common;

/// The default rules, plus every opt-in preset.
fn rule_sets() -> Vec<RuleSet> {
    let all = RuleSet::parse(
        "presets = [\"default\", \"credits\", \"typography\"]\n",
        "all.toml",
    )
    .unwrap();
    vec![RuleSet::default_rules(), all]
}

/// Cleans `text` without the prefilter, and with it in both modes (with and
/// without the visible-text search), and compares.
fn assert_same(set: &mut RuleSet, text: &str, what: &str) {
    set.use_prefilter = false;
    let off = clean_text(text, set, true);
    set.use_prefilter = true;
    for visible in [false, true] {
        set.visible_prefilter = visible;
        let on = clean_text(text, set, true);
        compare(
            on,
            off.clone(),
            &format!("{what} (visible search {visible})"),
        );
    }
    set.visible_prefilter = false;
}

fn compare(
    on: Result<mdscrub::Cleaned, mdscrub::CleanError>,
    off: Result<mdscrub::Cleaned, mdscrub::CleanError>,
    what: &str,
) {
    match (on, off) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.output, b.output, "output differs: {what}");
            assert_eq!(a.hits, b.hits, "hits differ: {what}");
            assert!(a.passes <= b.passes, "{what}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{what}"),
        (a, b) => panic!("{what}: with prefilter {a:?}, without {b:?}"),
    }
}

fn markdown_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    common::files_below(dir, &|p| p.extension().is_some_and(|x| x == "md"), out);
}

#[test]
fn fixtures_and_exports_clean_the_same_with_and_without_the_prefilter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    markdown_files(&root.join("fixtures"), &mut files);
    markdown_files(&root.join("examples"), &mut files);
    let corpus = common::shared_dir().join("corpus");
    let what = format!(
        "the reference corpus {} (the fixtures and examples are still compared)",
        corpus.display()
    );
    if common::require_or_skip(&what, corpus.is_dir()) {
        markdown_files(&corpus, &mut files);
    }
    // The labelled exports of four other exporters (their context folder
    // left out: it is large, and `bench/same-output.sh` covers it).
    let dev = common::shared_dir().join("eval/dev");
    let what = format!("the labelled exports {}", dev.display());
    if common::require_or_skip(&what, dev.is_dir()) {
        for entry in std::fs::read_dir(&dev).unwrap().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 20, "found {} files", files.len());
    for mut set in rule_sets() {
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            assert_same(&mut set, &text, &f.display().to_string());
            // A cleaned text too: that is where the prefilter skips most.
            if let Ok(c) = clean_text(&text, &set, true) {
                assert_same(&mut set, &c.output, &format!("{} (cleaned)", f.display()));
            }
        }
    }
}

/// Texts where a needle-only test would be wrong; each must still be
/// cleaned (the prefilter must not hide the edit), and the same as without
/// the prefilter.
const TRAPS: &[(&str, &str)] = &[
    // Whitespace-only last line, no line break after it.
    ("正文。\n\n   ", ""),
    // Whitespace-only line of two tabs, CRLF.
    ("a\r\n\t\t\r\nb\r\n", "a\r\n\r\nb\r\n"),
    // Empty link text of several spaces and a line break.
    (
        "正文。\n\n[  \n](https://mp.weixin.qq.com/s?__biz=1)\n",
        "正文。\n",
    ),
    // Empty destination with several spaces.
    ("详见[官网](   )的说明。\n", "详见官网的说明。\n"),
    // A broken URL continued after a tab.
    (
        "图![](https://mmbiz.qpic.cn/a/640?wx_fmt=gif\n\t&wxfrom;=5)后\n",
        "图\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=gif)\n\n后\n",
    ),
    // Mangled entity followed by a letter, not `=`.
    ("![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from;x=1)\n", ""),
    // Single-star emphasis around an image only.
    ("*![](https://e.com/a.png)*\n", "![](https://e.com/a.png)\n"),
    // Underscore emphasis around nothing visible.
    ("a _&nbsp;_ b\n", ""),
    // A tracking name at the end of a bare URL, before a full stop.
    (
        "见 https://e.com/p?id=1&utm_source.\n",
        "见 https://e.com/p?id=1.\n",
    ),
    // Upper-case host, tracking name cut by a parenthesis.
    (
        "![](https://MMBIZ.QPIC.CN/a/640?wx_fmt=png&tp=webp)\n",
        "![](https://MMBIZ.QPIC.CN/a/640?wx_fmt=png)\n",
    ),
    // Article link whose extra parameter follows `&amp;`.
    (
        "[文](https://mp.weixin.qq.com/s?__biz=1&amp;chksm=2)\n",
        "[文](https://mp.weixin.qq.com/s?__biz=1)\n",
    ),
    // Placeholder alt text with spaces around it.
    (
        "![ 图片 ](https://e.com/a.png)\n",
        "![](https://e.com/a.png)\n",
    ),
    // An image glued to the text on the next line of its paragraph.
    (
        "![](https://e.com/a.png)\n图注文字\n",
        "![](https://e.com/a.png)\n\n图注文字\n",
    ),
    // Escaped END marker, emphasis inside a phrase, an entity.
    ("正文最后一段。\n\n\\-END\\-\n", "正文最后一段。\n"),
    (
        "正文讲了一个完整的故事，从开头到结尾都在这里，内容足够长。\n\n第二段正文，继续讲故事的结局。\n\n**往期**推荐\n\n[一](https://e.com/1)\n",
        "正文讲了一个完整的故事，从开头到结尾都在这里，内容足够长。\n\n第二段正文，继续讲故事的结局。\n",
    ),
    ("正文。\n\n&#38405;读原文\n", "正文。\n"),
    // A bare URL's fragment with text glued after it, no space between.
    (
        "见 https://mp.weixin.qq.com/s?__biz=1#wechat_redirect正文内容。\n",
        "见 https://mp.weixin.qq.com/s?__biz=1正文内容。\n",
    ),
];

#[test]
fn traps_still_fire_and_match_the_unfiltered_clean() {
    for mut set in rule_sets() {
        for (input, expected) in TRAPS {
            let out = clean_text(input, &set, true).unwrap().output;
            assert_ne!(&out, input, "nothing cleaned in {input:?}");
            if !expected.is_empty() {
                assert_eq!(&out, expected, "{input:?}");
            }
            assert_same(&mut set, input, input);
        }
    }
}

#[test]
fn a_cleaned_text_with_kept_parameters_is_not_parsed() {
    let set = RuleSet::default_rules();
    let text = "# 标题\n\n正文第一段，讲一件事。\n\n![](https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png)\n\n[上一篇](https://mp.weixin.qq.com/s?__biz=MzA5&mid=2247&idx=1&sn=9f3c)\n";
    // Rule by rule, with the visible-text search on: only rules over
    // visible text whose phrases it cannot rule out (regexes without a
    // required literal) remain, and repair-emphasis: `?__biz=` could open
    // `__` emphasis as far as a raw scan can tell.
    let mut rules_that_may_fire = Vec::new();
    for rule in &set.rules {
        let mut one = RuleSet::default_rules()
            .narrow(&[rule.id.to_string()], &[])
            .unwrap();
        one.visible_prefilter = true;
        if one.may_apply(text) {
            rules_that_may_fire.push((rule.id.to_string(), rule.kind));
        }
    }
    for (id, kind) in &rules_that_may_fire {
        assert!(
            matches!(
                *kind,
                "drop-block" | "drop-line" | "drop-tail" | "tidy" | "repair-emphasis"
            ),
            "{id} ({kind}) may fire on a cleaned text"
        );
    }
    // With the default rules and the visible-text search off, a phrase rule
    // without raw needles makes every text parsed.
    assert!(set.may_apply(text));
    let mut only_urls = RuleSet::default_rules()
        .narrow(
            &[
                "wechat-image-params".into(),
                "wechat-article-params".into(),
                "wechat-credentials".into(),
                "utm-params".into(),
                "tidy".into(),
            ],
            &[],
        )
        .unwrap();
    assert!(!only_urls.may_apply(text));
    assert_eq!(clean_text(text, &only_urls, false).unwrap().passes, 0);
    only_urls.use_prefilter = false;
    assert_eq!(clean_text(text, &only_urls, false).unwrap().passes, 1);
}

const PIECES: &[&str] = &[
    "正文内容，讲一件事。",
    "点赞",
    "往期推荐",
    "**",
    "*",
    "_",
    "\\",
    "&",
    "&amp;",
    "&from;=appmsg",
    "&nbsp;",
    ";x",
    "#",
    "#wechat_redirect",
    "#imgIndex=1",
    "?",
    "=",
    "(",
    ")",
    "[",
    "]",
    "![",
    "](",
    "![图片](https://mmbiz.qpic.cn/a/640?wx_fmt=png)",
    "![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from=appmsg)",
    "https://mmbiz.qpic.cn/a/640?",
    "https://mp.weixin.qq.com/s?__biz=1&mid=2",
    "https://images.weserv.nl/?url=",
    "%3Ffrom%3D1",
    "utm_",
    "source",
    "tp=webp",
    "<img src=\"",
    "\">",
    "<",
    ">",
    "`",
    "```\n",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "  ",
    "\t",
    "\u{3000}",
    "> ",
    "- ",
    "|",
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_texts_clean_the_same_with_and_without_the_prefilter(
        pieces in proptest::collection::vec(
            prop_oneof![
                6 => proptest::sample::select(PIECES).prop_map(str::to_string),
                1 => "\\PC{0,4}",
            ],
            0..30,
        )
    ) {
        static SETS: std::sync::OnceLock<std::sync::Mutex<Vec<RuleSet>>> = std::sync::OnceLock::new();
        let sets = SETS.get_or_init(|| std::sync::Mutex::new(rule_sets()));
        let mut sets = sets.lock().unwrap_or_else(|e| e.into_inner());
        let text: String = pieces.concat();
        for set in sets.iter_mut() {
            assert_same(set, &text, &format!("{text:?}"));
        }
    }
}
