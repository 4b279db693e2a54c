//! Properties of cleaning, over Markdown-ish texts built from fragments of
//! real exports (CJK text, images with tracking URLs, mangled entities, code
//! fences and inline code, CRLF, BOM, blank and whitespace lines, calls to
//! action, lists, quotes, raw HTML, front matter) and random characters:
//!
//! 1. cleaning is idempotent;
//! 2. an empty rule set (or one whose rules are all disabled) is the identity;
//! 3. no edit changes a byte inside a code block or inline code;
//! 4. the output is valid UTF-8, every edit lies on char boundaries, and the
//!    output survives the encodings `--encoding` writes.
//!
//! The case count is bounded so CI stays fast; `PROPTEST_CASES` raises it.

use mdscrub::document::Document;
use mdscrub::fsio::{self, Codec, Encoding};
use mdscrub::{RuleSet, clean_text};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    // Prose and calls to action.
    "正文内容，讲一件事。",
    "这是一段很长的正文，说明了很多事情，和点赞无关。",
    "点赞",
    "在看",
    "点个在看，分享给更多人",
    "关注我们",
    "推荐阅读",
    "往期推荐",
    "预览时标签不可点",
    "微信扫一扫\n关注该公众号",
    "返回列表页",
    "本文自动备份，仅供查阅学习",
    "喜欢此内容的人还喜欢",
    "Plain English text. ",
    // Images and links with tracking.
    "![](https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&from=appmsg&wx_lazy=1)",
    "![图片](https://mmbiz.qpic.cn/a/0?wx_fmt=jpeg&tp=webp&wxfrom=5#imgIndex=1 \"\")",
    "[![](https://mmbiz.qpic.cn/a/0?from=appmsg)]()",
    "[文章](https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc&chksm=x&scene=21#wechat_redirect)",
    "<https://example.com/?utm_source=a&x=1>",
    "https://mp.weixin.qq.com/s?__biz=1&key=2&uin=3 ",
    "[]()",
    "[text]()",
    "[x][1]",
    "\n[1]: https://mmbiz.qpic.cn/a?from=appmsg\n",
    // Entities, mangled and real.
    "https://mmbiz.qpic.cn/a?wx_fmt=png&wx;_lazy=1&from;=appmsg",
    "![](https://mmbiz.qpic.cn/b/640?wxfrom=12&tp;=wxpic&wx;_fmt=png#imgIndex=3)",
    "<img src=\"https://mmbiz.qpic.cn/c/640?wx_fmt=gif&amp;from;=appmsg&amp;keep;=1\">",
    "[a](https://example.com/?x=1&amp;utm_source;=a&amp;y;=2)",
    "&from;=appmsg",
    "&amp;",
    "&#34;",
    "&nbsp;",
    // Code.
    "\n```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n点赞\n```\n",
    "\n~~~md\n在看\n\n\n~~~\n",
    "\n    indented ![](https://mmbiz.qpic.cn/a?from=1)\n",
    "`![](https://mmbiz.qpic.cn/a?from=appmsg)`",
    "``点赞 ` 在看``",
    "`",
    "```",
    // Raw HTML.
    "<div>点赞</div>\n",
    "<img src=\"https://mmbiz.qpic.cn/a?from=appmsg\">",
    "<!-- 在看 -->",
    // Structure.
    "\n",
    "\n\n",
    "\n\n\n",
    "   \n",
    "\t\n",
    "  \n",
    "\r\n",
    "\n- ",
    "\n1. ",
    "\n* [ ] ",
    "\n> ",
    "\n>> ",
    "\n# ",
    "\n## ",
    "\n---\n",
    "\n| a | b |\n|---|---|\n| 点赞 | x |\n",
    "[^1]",
    "\n[^1]: 脚注\n",
    "\\",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "!",
    "<",
    ">",
    "|",
    " ",
];

/// One piece of input: a fragment or a few random characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "\\PC{0,6}",
    ]
}

/// A Markdown-ish text: maybe a BOM, maybe front matter, fragments, maybe CRLF.
fn markdownish() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(piece(), 0..40),
        any::<bool>(),
    )
        .prop_map(|(bom, front, pieces, crlf)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if front {
                text.push_str("---\nurl: https://mp.weixin.qq.com/s?__biz=1&key=2\n---\n");
            }
            text.extend(pieces);
            if crlf {
                text = text.replace("\r\n", "\n").replace('\n', "\r\n");
            }
            text
        })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        ..ProptestConfig::default()
    }
}

fn default_rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(RuleSet::default_rules)
}

/// The default rules, each disabled.
fn disabled_rules() -> RuleSet {
    let text = mdscrub::config::DEFAULT_RULES.replace("[[rule]]\n", "[[rule]]\nenabled = false\n");
    let set = RuleSet::parse(&text, "disabled.toml").unwrap();
    assert!(set.rules.is_empty());
    set
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cleaning_is_idempotent(input in markdownish()) {
        let Ok(once) = clean_text(&input, default_rules(), true) else {
            // Not settling is reported, not written; nothing to compare.
            return Ok(());
        };
        let twice = clean_text(&once.output, default_rules(), true)
            .expect("a cleaned text settles");
        prop_assert_eq!(&twice.output, &once.output);
        prop_assert!(twice.hits.is_empty(), "{:?}", twice.hits);
    }

    /// Later passes look only at the blocks the previous pass changed
    /// (`mdscrub::fresh`); with the prefilter off every rule looks at every
    /// block. The two must clean alike, edit for edit.
    #[test]
    fn looking_only_at_changed_blocks_changes_nothing(input in markdownish()) {
        static ALL_BLOCKS: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        let all_blocks = ALL_BLOCKS.get_or_init(|| {
            let mut set = RuleSet::default_rules();
            set.use_prefilter = false;
            set
        });
        let fresh = clean_text(&input, default_rules(), true);
        let every = clean_text(&input, all_blocks, true);
        match (fresh, every) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.output, &b.output);
                prop_assert_eq!(&a.hits, &b.hits);
                prop_assert_eq!(&a.review, &b.review);
            }
            (a, b) => prop_assert_eq!(a.err(), b.err()),
        }
    }

    #[test]
    fn empty_rule_set_is_the_identity(input in markdownish()) {
        for set in [RuleSet::empty(), disabled_rules()] {
            let out = clean_text(&input, &set, false).unwrap();
            prop_assert_eq!(&out.output, &input);
            prop_assert!(out.hits.is_empty());
        }
    }

    #[test]
    fn code_is_never_changed(input in markdownish()) {
        let Ok(out) = clean_text(&input, default_rules(), true) else {
            return Ok(());
        };
        // Every code block and inline code span of the input is still in the
        // output, byte for byte and in order.
        let doc = Document::parse(&input);
        // Tree order is not text order (footnote definitions move to the end).
        // Code whose span could not be checked is guarded by its block, so
        // ranges may nest or repeat: merge them.
        let mut protected = doc.protected.clone();
        protected.sort_by_key(|r| r.start);
        let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
        for r in protected {
            match merged.last_mut() {
                Some(last) if r.start < last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let protected = merged;
        let mut from = 0;
        for code in &protected {
            let piece = &input[code.clone()];
            match out.output[from..].find(piece) {
                Some(at) => from += at + piece.len(),
                None => prop_assert!(false, "code {:?} changed in {:?}", piece, out.output),
            }
        }
    }

    #[test]
    fn edits_lie_on_char_boundaries_and_output_is_utf8(input in markdownish()) {
        let Ok(out) = clean_text(&input, default_rules(), true) else {
            return Ok(());
        };
        prop_assert!(std::str::from_utf8(out.output.as_bytes()).is_ok());
        for h in &out.hits {
            prop_assert!(input.is_char_boundary(h.offset), "{:?}", h);
            if h.pass == 1 {
                // First-pass edits are ranges of the input itself.
                let end = h.offset + h.removed.len();
                prop_assert_eq!(input.get(h.offset..end), Some(h.removed.as_str()));
            }
        }
        // What `--encoding` writes decodes back to the same text.
        for (codec, encoding) in [(Codec::Gb18030, Encoding::Gb18030), (Codec::Utf16Le, Encoding::Utf16)] {
            if out.output.contains('\0') {
                break;
            }
            let bytes = codec.encode(&out.output).into_owned();
            // (Bytes that also read as UTF-8 are taken as UTF-8; skip those.)
            if let Ok(back) = fsio::decode_as(bytes, encoding)
                && back.codec == codec
            {
                prop_assert_eq!(&back.text, &out.output);
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for encoding in [Encoding::Utf8, Encoding::Gb18030, Encoding::Utf16] {
            if let Ok(d) = fsio::decode_as(bytes.clone(), encoding) {
                prop_assert_eq!(&*d.codec.encode(&d.text), &bytes[..]);
                let _ = clean_text(&d.text, default_rules(), false);
            }
        }
    }
}

// Regressions found by the properties above.

/// A glued image split off text that began with "```" turned the text into a
/// fence opener (its words into an info string), and the code block below
/// into paragraphs whose image URLs the next pass cleaned.
/// Cleans `text` with fresh blocks and with every block looked at, and
/// compares output, hits and review hits.
fn assert_fresh_blocks_change_nothing(text: &str) {
    let mut every = RuleSet::default_rules();
    every.use_prefilter = false;
    let a = clean_text(text, default_rules(), true).unwrap();
    let b = clean_text(text, &every, true).unwrap();
    assert_eq!(a.output, b.output, "{text:?}");
    assert_eq!(a.hits, b.hits, "{text:?}");
    assert_eq!(a.review, b.review, "{text:?}");
}

/// Holes a review found in the first fresh-block rules: judgements of the
/// content model and suppressions read other blocks, so an edit they
/// refused is asked for again in its block, and a text with a suppression
/// comment is looked at whole.
#[test]
fn edits_refused_for_other_blocks_sake_are_asked_again() {
    let body = "这是一段正文内容，讲述了一些事情。".repeat(6);
    // The heading is the title until the quote's two paragraphs join into
    // one of more than 80 characters; then copyright-notice may take it.
    assert_fresh_blocks_change_nothing(&format!(
        "> 甲\n> <!-- -->版权归作者所有\n> {}\n\n# 未经许可禁止转载\n\n{body}\n",
        "乙".repeat(80)
    ));
    // Removing the empty link completes the enable comment.
    assert_fresh_blocks_change_nothing(&format!(
        "<!-- mdscrub-disable call-to-action -->\n\n<[]()!-- mdscrub-enable -->\n\n点赞、分享\n\n{body}\n"
    ));
    // A list item goes only with its siblings: the second comes into the
    // tail window once the calls to action below it are gone.
    assert_fresh_blocks_change_nothing(&format!(
        "{body}\n\n- 觉得有用就点个“在看”吧\n- 点击阅读原文\n\n{body}\n\n觉得有用就点个“在看”吧\n\n点赞、分享\n\n随手点赞\n\n让更多人看到\n\n留个关注\n"
    ));
}

#[test]
fn splitting_a_glued_image_never_opens_a_fence() {
    let input = "![](https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&from=appmsg&wx_lazy=1)```正文内容，讲一件事。\n```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n点赞\n```\n";
    let out = clean_text(input, default_rules(), true).unwrap();
    assert_eq!(
        out.output,
        "![](https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png)```正文内容，讲一件事。\n```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n点赞\n```\n"
    );
}

/// Unwrapping `[```]()` opens a fence that closes the input's code block
/// early, so the code below would be cleaned as text: the pass is undone.
#[test]
fn a_pass_that_reshapes_code_is_undone() {
    let input = "[```]()\ntext\n```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n```\n";
    let out = clean_text(input, default_rules(), true).unwrap();
    assert_eq!(out.output, input);
    assert!(out.hits.is_empty());
}

/// Stripping a parameter whose value ran into backticks turned a paragraph
/// into a fence opener; the second clean then edited the former code block.
#[test]
fn stripping_a_query_never_opens_a_fence() {
    let input = "```https://mmbiz.qpic.cn/a?wx_fmt=png&wx;_lazy=1&from;=appmsg`![](https://mmbiz.qpic.cn/a?from=appmsg)`\n```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n点赞\n```\n";
    let once = clean_text(input, default_rules(), true).unwrap();
    let twice = clean_text(&once.output, default_rules(), true).unwrap();
    assert_eq!(twice.output, once.output);
    assert!(
        once.output
            .ends_with("```\n![](https://mmbiz.qpic.cn/a?from=appmsg)\n点赞\n```\n")
    );
}

/// Removing a heading between a paragraph and an indented code block joined
/// the code to the paragraph as a lazy continuation line. (A heading goes
/// only by a rule that names headings, as copyright-notice does, and never
/// the title: the paragraph before it is long enough not to be a lead.)
#[test]
fn removing_a_block_keeps_its_neighbours_apart() {
    let lead = "正文内容，讲一件事。".repeat(10);
    let input = format!(
        "{lead}\n# 本文为原创内容，未经许可禁止转载\n    indented ![](https://mmbiz.qpic.cn/a?from=1)\n"
    );
    let once = clean_text(&input, default_rules(), true).unwrap();
    assert_eq!(
        once.output,
        format!("{lead}\n\n    indented ![](https://mmbiz.qpic.cn/a?from=1)\n")
    );
    // A heading that a rule about other blocks matches stays.
    let input = format!("{lead}\n# 点个在看，分享给更多人\n\n正文。\n");
    let once = clean_text(&input, default_rules(), true).unwrap();
    assert_eq!(once.output, input);
}

/// A link whose span ended with `]` just before a `(` outside it was taken
/// for an inline link and its destination sliced backwards (a panic).
#[test]
fn a_bracket_just_before_the_span_end_does_not_panic() {
    let input = "\n[1]: https://mmbiz.qpic.cn/a?from=appmsg\n0`![](https://mmbiz.qpic.cn/a?from=appmsg)`[text]()\n[]()关注我们\\  ࡀ🌀®<!-- 在看 -->[x][1]";
    let out = clean_text(input, default_rules(), true).unwrap();
    let again = clean_text(&out.output, default_rules(), true).unwrap();
    assert_eq!(again.output, out.output);
}

/// Collapsing two blank lines before an indented line turned an indented
/// code block into a footnote's paragraph; the pass was undone, so a second
/// clean still had work to do.
#[test]
fn blank_lines_before_an_indented_line_are_left_alone() {
    let input = "https://mmbiz.qpic.cn/a?wx_fmt=png&wx;_lazy=1&from;=appmsg\n[^1]: 脚注\n正文内容，讲一件事。\n[1]: https://mmbiz.qpic.cn/a?from=appmsg\n   \n\n    indented ![](https://mmbiz.qpic.cn/a?from=1)\n";
    let once = clean_text(input, default_rules(), true).unwrap();
    assert_eq!(
        once.output,
        "https://mmbiz.qpic.cn/a?wx_fmt=png\n[^1]: 脚注\n正文内容，讲一件事。\n[1]: https://mmbiz.qpic.cn/a\n   \n\n    indented ![](https://mmbiz.qpic.cn/a?from=1)\n"
    );
    let twice = clean_text(&once.output, default_rules(), true).unwrap();
    assert_eq!(twice.output, once.output);
}

/// An exporter's fingerprint that removals above bring into the first lines
/// opens its gate in the clean's last pass, as it would in a second clean
/// of the output: found by `cleaning_is_idempotent`.
#[test]
fn a_gate_the_removals_open_opens_in_the_same_clean() {
    let mut text = String::new();
    for _ in 0..5 {
        text.push_str("<div>点赞</div>\n\n");
    }
    for i in 0..36 {
        text.push_str(&format!("第{i}段正文，讲的是这篇文章自己的事情。\n\n"));
    }
    text.push_str("返回列表页<img src=\"https://mmbiz.qpic.cn/a\">\n");
    let once = clean_text(&text, default_rules(), true).unwrap().output;
    assert!(!once.contains("返回列表页"), "{once}");
    let twice = clean_text(&once, default_rules(), true).unwrap();
    assert_eq!(twice.output, once);
    assert!(twice.hits.is_empty(), "{:?}", twice.hits);
}

/// Tidying the blank line that starts a text away can make a `---` its
/// first line, and so front matter that takes a code fence with it: that
/// pass is parsed again, and undone. Found by `cleaning_is_idempotent`.
#[test]
fn a_tidy_at_the_start_that_would_turn_code_into_front_matter_is_undone() {
    let text = "点赞<div>点赞</div>\n\n---\n```\n---\n点赞点赞";
    let once = clean_text(text, default_rules(), true).unwrap().output;
    let twice = clean_text(&once, default_rules(), true).unwrap();
    assert_eq!(twice.output, once);
    assert!(twice.hits.is_empty(), "{:?}", twice.hits);
    // What was code stays.
    assert!(once.ends_with("```\n---\n点赞点赞"), "{once:?}");
}
