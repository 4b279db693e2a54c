use super::*;

/// An archive of `n` articles of one account: each its own prose, the
/// account's footer line and banner, and one line shared by two copies of
/// the same article only.
fn archive(n: usize) -> Vec<(PathBuf, String)> {
    (0..n)
        .map(|i| {
            let prose = format!(
                "第{i}篇文章的正文，讲的是第{i}件事情，和其他文章都不一样，所以每一篇的这一段都不同，足够长。"
            );
            let text = format!(
                "# 标题{i}\n\n{prose}\n\n第二段正文也只属于第{i}篇文章，它同样足够长，长到算作正文，不会被当成页脚或者页头。\n\n本文章由谙忆编写，所有权利保留。\n\n![](https://mmbiz.qpic.cn/banner/640?wx_fmt=png&from=appmsg&n={i})\n"
            );
            (PathBuf::from(format!("acct/{i}.md")), text)
        })
        .collect()
}

/// The learned lines' texts, in order.
fn texts(learned: &Learned) -> Vec<&str> {
    learned.text.iter().map(|t| t.text.as_str()).collect()
}

fn learn_from(files: &[(PathBuf, String)], opts: LearnOptions) -> Learned {
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let read = |p: &Path| files.iter().find(|(q, _)| q == p).map(|(_, t)| t.clone());
    learn(&sources(&paths), read, |p| p.display().to_string(), opts)
}

#[test]
fn recurring_tail_lines_and_images_are_learned_and_prose_is_not() {
    let learned = learn_from(&archive(4), LearnOptions::default());
    assert_eq!(learned.text.len(), 1, "{learned:#?}");
    assert_eq!(learned.text[0].text, "本文章由谙忆编写，所有权利保留。");
    assert_eq!(learned.text[0].files, 4);
    assert_eq!(learned.text[0].zone, "tail");
    assert_eq!(learned.image.len(), 1);
    assert_eq!(learned.image[0].url, "mmbiz.qpic.cn/banner/640");
}

#[test]
fn too_little_evidence_learns_nothing() {
    assert!(learn_from(&archive(2), LearnOptions::default()).is_empty());
    // Copies of one article are one article, however many there are.
    let one = archive(1).remove(0).1;
    let copies: Vec<(PathBuf, String)> = (0..5)
        .map(|i| (PathBuf::from(format!("c/{i}.md")), one.clone()))
        .collect();
    assert!(learn_from(&copies, LearnOptions::default()).is_empty());
}

#[test]
fn lines_that_recur_in_the_body_are_not_learned() {
    let files: Vec<(PathBuf, String)> = (0..5)
        .map(|i| {
            let a =
                format!("第{i}篇的第一段正文，讲的是第{i}件事情，和其他文章都不一样，每篇都不相同，这一段足够长，长到算作正文。");
            let b =
                format!("第{i}篇的最后一段正文，总结第{i}件事情，也和其他文章都不一样，每篇都不相同，也足够长，长到算作正文。");
            (
                PathBuf::from(format!("{i}.md")),
                format!("{a}\n\nSample Input\n\n{b}\n"),
            )
        })
        .collect();
    assert!(learn_from(&files, LearnOptions::default()).is_empty());
}

#[test]
fn a_label_over_the_prose_of_its_paragraph_is_not_learned() {
    // A template's label opens each article's first paragraph, above its
    // prose: it recurs in the head, and it is the article's. A banner line
    // in the same place, ending its sentence, is still learned.
    let files: Vec<(PathBuf, String)> = (0..5)
        .map(|i| {
            let prose = format!(
                "第{i}题的题面：给出一个正整数，反复把它的各位数字相加，直到只剩一位数为止，求最后的那一位数是多少。"
            );
            let text = format!(
                "本站自动备份，仅供查阅。\n\nProblem Description\n{prose}\n\n第{i}题的解法写在这里，也和其他题目都不一样，每篇都不相同，这一段足够长，长到算作正文。\n"
            );
            (PathBuf::from(format!("{i}.md")), text)
        })
        .collect();
    let learned = learn_from(&files, LearnOptions::default());
    assert_eq!(
        texts(&learned),
        ["本站自动备份，仅供查阅。"],
        "{learned:#?}"
    );
}

#[test]
fn the_file_round_trips_and_an_update_keeps_a_persons_edits() {
    let learned = learn_from(&archive(4), LearnOptions::default());
    let text = learned.to_toml();
    assert_eq!(Learned::parse(&text).unwrap(), learned);
    let mut edited = learned.clone();
    edited.text[0].keep = true;
    edited.text.push(TextEntry {
        text: "手工加的一行".into(),
        files: 0,
        folders: 0,
        zone: "tail".into(),
        example: String::new(),
        keep: false,
    });
    let updated = edited.updated_by(learn_from(&archive(6), LearnOptions::default()));
    assert_eq!(updated.text.len(), 2);
    let footer = updated
        .text
        .iter()
        .find(|e| e.text.starts_with("本文章"))
        .unwrap();
    assert!(footer.keep);
    assert_eq!(footer.files, 6);
    assert!(updated.text.iter().any(|e| e.text == "手工加的一行"));
    assert!(
        !updated
            .text_keys()
            .contains(&text_key(&normalise(&footer.text)))
    );
}

#[test]
fn a_bad_learned_file_names_the_line() {
    let e = Learned::parse("[[text]]\ntext = \"a\"\nfiels = 3\n").unwrap_err();
    assert!(e.starts_with("line 3"), "{e}");
}

/// Article `i` of an account (`acct/{i}.md`): a title, its own first
/// paragraph of prose, the blocks `between`, its own last paragraph of
/// prose, and `end`.
fn article(i: usize, between: &[&str], end: &str) -> (PathBuf, String) {
    let first = format!(
        "第{i}篇的第一段正文，讲的是第{i}件事情，和其他文章都不一样，每篇都不相同，这一段足够长，长到算作正文。"
    );
    let last = format!(
        "第{i}篇的最后一段正文，总结第{i}件事情，也和其他文章都不一样，每篇都不相同，也足够长，长到算作正文。"
    );
    let title = format!("# 标题{i}");
    let mut blocks = vec![title.as_str(), &first];
    blocks.extend(between);
    blocks.extend([last.as_str(), end]);
    (
        PathBuf::from(format!("acct/{i}.md")),
        blocks.join("\n\n") + "\n",
    )
}

/// `text` cleaned with the default rules and `learned`.
fn clean_learned(learned: &Learned, text: &str) -> String {
    let mut rules = crate::config::RuleSet::default_rules();
    rules.add_learned(learned);
    crate::clean_text(text, &rules, false).unwrap().output
}

#[test]
fn a_long_paragraph_that_ends_every_article_is_learned_and_cleaned() {
    let blurb = "本号专注于分享安全研究与开发相关的技术文章，欢迎加入我们的知识星球，每日更新，识别二维码即可加入。";
    let files: Vec<(PathBuf, String)> = (0..4).map(|i| article(i, &[], blurb)).collect();
    let learned = learn_from(&files, LearnOptions::default());
    assert_eq!(learned.text.len(), 1, "{learned:#?}");
    assert_eq!(learned.text[0].text, blurb);
    assert_eq!(learned.text[0].zone, "tail");
    // Cleaning with it: the blurb goes, though by length it is prose; the
    // article's own last paragraph stays.
    let out = clean_learned(&learned, &files[0].1);
    assert!(!out.contains(blurb), "{out}");
    assert!(out.contains("第0篇的最后一段正文"), "{out}");
}

#[test]
fn a_source_address_after_the_last_paragraph_does_not_end_the_prose() {
    // Each article ends with its source, a long address: by its letters it
    // is as long as prose, but the account's blurb above it is still the
    // tail, and learned.
    let blurb = "本号专注于分享安全研究与开发相关的技术文章，欢迎加入我们的知识星球，每日更新，识别二维码即可加入。";
    let files: Vec<(PathBuf, String)> = (0..4)
        .map(|i| {
            let source = format!(
                "原文：https://medium.example.com/@someone/bug-bounty-write-up-number-{i}-remote-code-execution"
            );
            article(i, &[], &format!("{blurb}\n\n{source}"))
        })
        .collect();
    let learned = learn_from(&files, LearnOptions::default());
    assert_eq!(texts(&learned), [blurb], "{learned:#?}");
    assert_eq!(learned.text[0].zone, "tail");
}

#[test]
fn a_standing_paragraph_an_author_sometimes_puts_mid_article_is_learned_and_a_short_line_is_not() {
    // The same long ad closes three articles and sits mid-article in the
    // fourth: three in four at the edges is enough for a sentence that long.
    // A short line placed the same way (a template's label) is not learned.
    let ad = "如果你也想长期学习，欢迎加入我的知识星球，每日都会更新，微信识别二维码付费即可加入，不满意可以退款。";
    let label = "<综合评定利用难度>：未知";
    let files: Vec<(PathBuf, String)> = (0..4)
        .map(|i| {
            if i == 0 {
                article(i, &[ad, label], "")
            } else {
                article(i, &[], &format!("{ad}\n\n{label}"))
            }
        })
        .collect();
    let learned = learn_from(&files, LearnOptions::default());
    assert_eq!(texts(&learned), [ad], "{learned:#?}");
    let out = clean_learned(&learned, &files[0].1);
    assert!(!out.contains("知识星球"), "{out}");
    assert!(out.contains(label), "{out}");
}

#[test]
fn a_notice_each_article_repeats_under_its_opening_and_in_its_footer_is_learned_and_both_go() {
    // The notice sits after the first paragraph (the body, by position) and
    // again in the footer: it is learned from its footer copy, and a clean
    // takes both copies. An article line that merely recurs stays.
    let notice = "<blockquote>转载请注明出处：http://blog.example.com/someone 本文源自【某人的博客】</blockquote>";
    let files: Vec<(PathBuf, String)> = (0..4)
        .map(|i| {
            let second = format!(
                "下面是第{i}篇的正文第二段，它同样只属于这一篇文章，和别的文章都不一样，也足够长，算作正文。"
            );
            article(i, &[notice, &second], notice)
        })
        .collect();
    let learned = learn_from(&files, LearnOptions::default());
    assert_eq!(learned.text.len(), 1, "{learned:#?}");
    assert_eq!(learned.text[0].zone, "tail");
    let out = clean_learned(&learned, &files[0].1);
    assert!(!out.contains("本文源自"), "{out}");
    assert!(out.contains("下面是第0篇的正文第二段"), "{out}");
    assert!(out.contains("第0篇的最后一段正文"), "{out}");
}

/// A learned entry is read back from the block around its first line,
/// parsed alone; where that block parses otherwise than in its file (a
/// footer line that continues a list item: alone, indented, it is code),
/// the whole file is read, and the entry is the same.
#[test]
fn entries_are_read_back_from_their_block_or_the_whole_file() {
    let files: Vec<(PathBuf, String)> = archive(4)
        .into_iter()
        .map(|(p, t)| {
            let t = t.replace(
                "本文章由谙忆编写，所有权利保留。",
                "- 关注我们\n\n    本文章由谙忆编写，所有权利保留。",
            );
            (p, t)
        })
        .collect();
    let learned = learn_from(&files, LearnOptions::default());
    let texts: Vec<&str> = learned.text.iter().map(|e| e.text.as_str()).collect();
    assert!(
        texts.contains(&"本文章由谙忆编写，所有权利保留。"),
        "{texts:?}"
    );
    assert_eq!(learned.image.len(), 1);
    assert_eq!(learned.image[0].url, "mmbiz.qpic.cn/banner/640");

    let text = "a\n\nb\nc\n  \nd\n";
    let starts = [0, 2, 3, 5, 7, 10, 12];
    assert_eq!(&text[block_around(text, &starts, 1)], "a\n");
    assert_eq!(&text[block_around(text, &starts, 4)], "b\nc\n");
    assert_eq!(&text[block_around(text, &starts, 3)], "b\nc\n");
    assert_eq!(&text[block_around(text, &starts, 6)], "d\n");
}
