//! The content model, as a property over random documents and every default
//! rule: articles built from headings, prose, lists (some of whose items read
//! like junk), numbered lines, screenshots with placeholder alt text, tables,
//! attribution lines and literal asterisks, with junk blocks (calls to
//! action, follow prompts, copyright notices, recommended-article tails)
//! between them. After a forced clean:
//!
//! 1. every heading is still there, as a heading;
//! 2. every content image is still there;
//! 3. of each list, and of each paragraph of numbered lines, either every
//!    item stays or none does;
//! 4. every run of asterisks between word characters is still there;
//! 5. every attribution line is still there.
//!
//! Blocks after a recommended-article header (`往期推荐`) are its tail, and
//! may go with it, up to the first heading, attribution line or table. An
//! image after the last prose that follows (images aside) a block the clean
//! removed whole is the tail's junk too: a footer's banner or QR code. So is
//! an image before the first prose between two blocks the clean removed
//! whole (images aside): a banner between two calls to follow.
//!
//! Headings are drawn from article titles and from phrases of calls to
//! action and follow prompts (which no default rule may take from a heading);
//! a heading that is itself a copyright notice is junk a rule may name, and
//! is not generated.

use mdscrub::{RuleSet, clean_text};
use proptest::prelude::*;

const HEADINGS: &[&str] = &[
    "为什么“在看”比“点赞”更重要",
    "点个在看，分享给更多人",
    "关注我们，获取更多",
    "第二部分：部署",
    "往期回顾的写法",
    "结语",
];

const PROSE: &[&str] = &[
    "这是一段很长的正文，说明了部署的每一个步骤，从准备机器到上线验证，中间遇到的问题也一并记下。",
    "作者在文章里讨论了点赞和分享对创作者的意义，认为内容本身才是读者留下来的原因，而不是按钮。",
    "测试结束后要删除所有测试账号和上传的文件，并把报告交给负责人复核，未经复核不要对外发布。",
];

const ITEMS: &[&str] = &[
    "准备一台干净的机器",
    "觉得有用就点个“在看”吧",
    "未经授权禁止转载内部报告",
    "转载请联系后台",
    "检查日志里的报错",
];

const JUNK: &[&str] = &[
    "觉得不错，就点个“在看”吧",
    "点击上方蓝字关注我们",
    "本文为原创内容，未经许可禁止转载。",
    "喜欢就点赞转发支持一下",
];

const ALTS: &[&str] = &["", "image.png", "图片", "截图", "架构图"];

const ASTERISKS: &[&str] = &[
    "objection -g com.***.cn explore",
    "adb install -a ****.apk",
    "git config user.email \"****@email.address\"",
    "2**10 等于 1024",
    "把文**字打码",
];

const ATTRIBUTION: &[&str] = &[
    "文章来源：安全笔记",
    "原文链接：https://example.com/p/1",
    "转载自：读书会",
];

/// One block of a random article, and what must survive of it.
#[derive(Debug, Clone)]
enum Block {
    Heading(u8, &'static str),
    Prose(&'static str),
    List(Vec<&'static str>, bool),
    NumberedLines(Vec<&'static str>),
    Image(&'static str, u32),
    Asterisks(&'static str),
    Attribution(&'static str),
    Table,
    Junk(&'static str),
    Tail,
}

fn block() -> impl Strategy<Value = Block> {
    let pick = |xs: &'static [&'static str]| proptest::sample::select(xs);
    prop_oneof![
        2 => (1u8..4, pick(HEADINGS)).prop_map(|(l, t)| Block::Heading(l, t)),
        3 => pick(PROSE).prop_map(Block::Prose),
        2 => (proptest::collection::vec(pick(ITEMS), 2..5), any::<bool>())
            .prop_map(|(items, ordered)| Block::List(items, ordered)),
        1 => proptest::collection::vec(pick(ITEMS), 2..4).prop_map(Block::NumberedLines),
        2 => (pick(ALTS), 0u32..1000).prop_map(|(a, n)| Block::Image(a, n)),
        1 => pick(ASTERISKS).prop_map(Block::Asterisks),
        1 => pick(ATTRIBUTION).prop_map(Block::Attribution),
        1 => Just(Block::Table),
        2 => pick(JUNK).prop_map(Block::Junk),
        1 => Just(Block::Tail),
    ]
}

fn image_url(n: u32) -> String {
    format!("https://mmbiz.qpic.cn/mmbiz_png/Shot{n:04}Ab12Cd34/640?wx_fmt=png")
}

/// The link text of the recommended-article tail that is block `k`: each
/// its own, so that which one a clean removed can be told.
fn tail_link(k: usize) -> String {
    format!("记一次渗透（第{k}篇）")
}

/// Item `it` of the list that is block `k`: tagged, so that the same item in
/// two lists is told apart.
fn item(it: &str, k: usize) -> String {
    format!("{it}（第{k}组）")
}

fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (k, b) in blocks.iter().enumerate() {
        match b {
            Block::Heading(l, t) => out.push_str(&format!("{} {t}\n", "#".repeat(*l as usize))),
            Block::Prose(t) => {
                out.push_str(&prose(t, k));
                out.push('\n');
            }
            Block::Asterisks(t) | Block::Attribution(t) | Block::Junk(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Block::List(items, ordered) => {
                for (i, it) in items.iter().enumerate() {
                    let it = item(it, k);
                    if *ordered {
                        out.push_str(&format!("{}. {it}\n", i + 1));
                    } else {
                        out.push_str(&format!("- {it}\n"));
                    }
                }
            }
            Block::NumberedLines(items) => {
                for (i, it) in items.iter().enumerate() {
                    out.push_str(&format!("{}.{}\n", i + 1, item(it, k)));
                }
            }
            Block::Image(alt, n) => {
                out.push_str(&format!("![{alt}]({}&from=appmsg)\n", image_url(*n)));
            }
            Block::Table => out.push_str("| 步骤 | 说明 |\n|---|---|\n| 一 | 点赞 |\n"),
            Block::Tail => out.push_str(&format!(
                "**往期推荐**\n\n[{}](https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=a)\n",
                tail_link(k)
            )),
        }
        out.push('\n');
    }
    out
}

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(RuleSet::default_rules)
}

/// How many of `items` keep their own line in `out` (a list marker or a
/// number before them aside).
fn items_kept<S: AsRef<str>>(out: &str, items: &[S]) -> usize {
    items
        .iter()
        .filter(|it| out.lines().any(|l| l.trim_end().ends_with(it.as_ref())))
        .count()
}

/// True when the image that is block `k` comes after the last prose, right
/// after (images aside) a block the clean removed whole: the tail's junk,
/// whose banners, QR codes and covers go with it.
fn after_removed_tail_junk(blocks: &[Block], k: usize, out: &str) -> bool {
    let Some(last_prose) = blocks.iter().rposition(|b| matches!(b, Block::Prose(_))) else {
        return false;
    };
    let Some(j) = (0..k)
        .rev()
        .find(|&j| !matches!(blocks[j], Block::Image(..)))
    else {
        return false;
    };
    if j < last_prose {
        return false;
    }
    match &blocks[j] {
        Block::Junk(t) => !out.contains(t),
        Block::List(items, _) | Block::NumberedLines(items) => {
            let items: Vec<String> = items.iter().map(|it| item(it, j)).collect();
            items_kept(out, &items) == 0
        }
        _ => false,
    }
}

/// The prose `p` as block `k` shows it: tagged, so that the same prose in
/// two blocks is told apart.
fn prose(p: &str, k: usize) -> String {
    format!("{p}（第{k}段）")
}

/// True when the prose `p` that is block `j` is still in `out`.
fn prose_kept(j: usize, p: &str, out: &str) -> bool {
    out.contains(&prose(p, j))
}

/// For each block, true when it lies in a recommended-article tail: after
/// a `往期推荐` header, up to the first heading, attribution line or table.
fn in_tail(blocks: &[Block]) -> Vec<bool> {
    let mut in_tail = false;
    blocks
        .iter()
        .map(|b| {
            match b {
                Block::Tail => in_tail = true,
                Block::Heading(..) | Block::Attribution(_) | Block::Table => in_tail = false,
                _ => {}
            }
            in_tail
        })
        .collect()
}

/// True when the image that is block `k` comes before the first prose,
/// between two blocks (images aside) the clean removed whole: a banner
/// between two calls to follow, before the article begins.
fn between_removed_head_junk(blocks: &[Block], k: usize, out: &str) -> bool {
    // The first prose: of the text, or of the article once the prose a
    // recommended-article tail took with it is gone (the clean reads the
    // edges past what it deletes).
    let tail = in_tail(blocks);
    let first = blocks.iter().position(|b| matches!(b, Block::Prose(_)));
    let of_article = (0..blocks.len())
        .find(|&j| matches!(blocks[j], Block::Prose(p) if !tail[j] || prose_kept(j, p, out)));
    let Some(first_prose) = first.into_iter().chain(of_article).max() else {
        return false;
    };
    if k > first_prose {
        return false;
    }
    let text = |j: &usize| !matches!(blocks[*j], Block::Image(..));
    let removed = |j: Option<usize>| match j.map(|j| (j, &blocks[j])) {
        Some((_, Block::Junk(t))) => !out.contains(t),
        Some((j, Block::List(items, _) | Block::NumberedLines(items))) => {
            let items: Vec<String> = items.iter().map(|it| item(it, j)).collect();
            items_kept(out, &items) == 0
        }
        Some((j, Block::Tail)) => !out.contains(&tail_link(j)),
        _ => false,
    };
    removed((0..k).rev().find(text)) && removed((k + 1..blocks.len()).find(text))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_default_rule_removes_the_article(blocks in proptest::collection::vec(block(), 1..14)) {
        let input = render(&blocks);
        let out = clean_text(&input, rules(), true).expect("settles").output;
        // After a recommended-article header everything is its tail, up to
        // the first heading, attribution line or table (which end it).
        let tail = in_tail(&blocks);
        for (k, b) in blocks.iter().enumerate() {
            if tail[k] {
                continue;
            }
            match b {
                Block::Heading(l, t) => {
                    let line = format!("{} {t}", "#".repeat(*l as usize));
                    prop_assert!(out.lines().any(|x| x == line), "heading lost: {line}\n--- in:\n{input}\n--- out:\n{out}");
                }
                Block::Image(_, n)
                    if !after_removed_tail_junk(&blocks, k, &out)
                        && !between_removed_head_junk(&blocks, k, &out) =>
                {
                    let url = image_url(*n);
                    prop_assert!(out.contains(&url), "image lost: {url}\n--- in:\n{input}\n--- out:\n{out}");
                }
                Block::Image(..) => {}
                Block::List(items, _) | Block::NumberedLines(items) => {
                    let items: Vec<String> = items.iter().map(|it| item(it, k)).collect();
                    let kept = items_kept(&out, &items);
                    prop_assert!(kept == 0 || kept == items.len(), "list split ({kept} of {} kept): {items:?}\n--- in:\n{input}\n--- out:\n{out}", items.len());
                }
                Block::Asterisks(t) | Block::Attribution(t) => {
                    prop_assert!(out.contains(t), "lost: {t}\n--- in:\n{input}\n--- out:\n{out}");
                }
                Block::Prose(_) | Block::Table | Block::Junk(_) | Block::Tail => {}
            }
        }
    }
}

/// The property's checks can fail: a clean that drops one list item, a
/// screenshot or a heading is caught by them.
#[test]
fn the_checks_catch_a_lost_item() {
    let items = ["准备一台干净的机器", "转载请联系后台"];
    assert_eq!(items_kept("- 准备一台干净的机器\n", &items), 1);
    assert_eq!(
        items_kept("- 准备一台干净的机器\n- 转载请联系后台\n", &items),
        2
    );
    assert_eq!(items_kept("正文\n", &items), 0);
}
