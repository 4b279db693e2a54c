//! Tests of the diff model: exact replays, folds, marks and their rules.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::replay::replay;
use super::*;
use crate::report::{FileReport, Status};

fn hit(rule: &str, old: &str, removed: &str, replacement: &str) -> Hit {
    let offset = old.find(removed).expect("removed text is in the old text");
    let line = old[..offset].matches('\n').count() + 1;
    Hit {
        rule: Arc::from(rule),
        line,
        column: 1,
        offset,
        end: offset + removed.len(),
        pass: 1,
        removed: removed.to_string(),
        replacement: replacement.to_string(),
        tier: Default::default(),
    }
}

fn changed(path: &str, old: &str, hits: Vec<Hit>) -> FileReport {
    let mut new = old.to_string();
    let mut sorted: Vec<&Hit> = hits.iter().collect();
    sorted.sort_by_key(|h| std::cmp::Reverse(h.offset));
    for h in sorted {
        new.replace_range(h.offset..h.offset + h.removed.len(), &h.replacement);
    }
    let mut r = FileReport::new(PathBuf::from(path));
    r.status = Status::Changed;
    r.bytes_removed = old.len() as i64 - new.len() as i64;
    r.hits = hits;
    r.text = Some((old.to_string(), new));
    r
}

fn marked(lines: &[Vec<Seg>]) -> Vec<(String, Vec<usize>)> {
    lines
        .iter()
        .flatten()
        .filter_map(|s| match s {
            Seg::Marked(t, r) => Some((t.clone(), r.clone())),
            Seg::Kept(_) => None,
        })
        .collect()
}

fn text_of(lines: &[Vec<Seg>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|s| match s {
                    Seg::Kept(t) | Seg::Marked(t, _) => t.as_str(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_changed_url_marks_only_the_removed_parameter() {
    let old = "intro\n\n![](https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg&wx_lazy=1)\n\nend\n";
    let h = hit("wechat-image-params", old, "&from=appmsg&wx_lazy=1", "");
    let idx = HashMap::from([("wechat-image-params", 0)]);
    let r = changed("x.md", old, vec![h.clone()]);
    let (_, new) = r.text.unwrap();
    let body = file_body(old, &new, &[h], &idx);
    let change = body
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Change {
                old, new, del, ins, ..
            } => Some((*old, *new, del, ins)),
            _ => None,
        })
        .expect("a change block");
    assert_eq!((change.0, change.1), (3, 3));
    assert_eq!(
        marked(change.2),
        vec![("&from=appmsg&wx_lazy=1".to_string(), vec![0])]
    );
    assert!(marked(change.3).is_empty());
    assert_eq!(
        text_of(change.3),
        ["![](https://mmbiz.qpic.cn/x/640?wx_fmt=png)"]
    );
}

#[test]
fn long_unchanged_stretches_are_folded_with_context() {
    let mut old = String::new();
    for i in 1..=40 {
        old.push_str(&format!("第{i}段\n\n"));
    }
    old.push_str("点赞在看\n");
    for i in 41..=60 {
        old.push_str(&format!("第{i}段\n"));
    }
    let h = hit("cta", &old, "点赞在看\n", "");
    let idx = HashMap::from([("cta", 0)]);
    let new = old.replace("点赞在看\n", "");
    let body = file_body(&old, &new, &[h], &idx);
    let kinds: Vec<(&str, usize, usize)> = body
        .blocks
        .iter()
        .map(|b| match b {
            Block::Fold { old, count, .. } => ("f", *old, *count),
            Block::Same { old, lines, .. } => ("s", *old, lines.len()),
            Block::Change { old, del, .. } => ("c", *old, del.len()),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("f", 1, 77),
            ("s", 78, 3),
            ("c", 81, 1),
            ("s", 82, 3),
            ("f", 85, 17)
        ]
    );
    // Folded lines are left out: the body holds the context only.
    let json = serde_json::to_string(&body).unwrap();
    assert!(!json.contains("第1段"), "{json}");
    assert!(json.contains("第40段") && json.contains("第43段"), "{json}");
}

#[test]
fn short_stretches_between_changes_are_not_folded() {
    let old = "a\nX\nb\nc\nd\ne\nf\nY\ng\n";
    let new = "a\nb\nc\nd\ne\nf\ng\n";
    let hits = vec![hit("r", old, "X\n", ""), hit("r", old, "Y\n", "")];
    let body = file_body(old, new, &hits, &HashMap::from([("r", 0)]));
    assert!(
        body.blocks.iter().all(|b| !matches!(b, Block::Fold { .. })),
        "{body:?}"
    );
    assert_eq!(
        body.blocks
            .iter()
            .filter(|b| matches!(b, Block::Change { .. }))
            .count(),
        2
    );
}

#[test]
fn inserted_line_breaks_are_marked_and_crlf_is_not_shown() {
    // split-glued-images puts an image on its own line.
    let old = "文字![](a.png)文字\r\n";
    let new = "文字\r\n\r\n![](a.png)\r\n\r\n文字\r\n";
    let h = Hit {
        rule: Arc::from("split"),
        line: 1,
        column: 3,
        offset: "文字".len(),
        end: "文字".len(),
        pass: 1,
        removed: String::new(),
        replacement: "\r\n\r\n".into(),
        tier: Default::default(),
    };
    let body = file_body(old, new, &[h], &HashMap::from([("split", 0)]));
    let Block::Change { del, ins, .. } = &body.blocks[0] else {
        panic!("{body:?}")
    };
    assert_eq!(text_of(del), ["文字![](a.png)文字"]);
    assert!(marked(del).is_empty());
    assert_eq!(ins.len(), 5);
    assert!(marked(ins).iter().all(|(t, r)| t == "\r\n" && r == &[0]));
    assert_eq!(text_of(ins)[2], "![](a.png)\r\n");
}

#[test]
fn whole_blocks_are_marked_when_the_text_is_unrelated() {
    let old = "完全不同的一段文字\n";
    let new = "another line entirely\n";
    let h = Hit {
        rule: Arc::from("r"),
        line: 1,
        column: 1,
        offset: 0,
        end: old.len(),
        pass: 1,
        removed: old.into(),
        replacement: new.into(),
        tier: Default::default(),
    };
    let body = file_body(old, new, &[h], &HashMap::from([("r", 0)]));
    let Block::Change { del, ins, .. } = &body.blocks[0] else {
        panic!()
    };
    assert_eq!(marked(del), [("完全不同的一段文字\n".to_string(), vec![0])]);
    assert_eq!(
        marked(ins),
        [("another line entirely\n".to_string(), vec![0])]
    );
}

/// The lines a body shows for one side, line ends dropped.
/// Folded lines are read from `text`, the side's whole text.
fn side(body: &Body, old_side: bool, text: &str) -> Vec<(usize, String)> {
    let all: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for b in &body.blocks {
        match b {
            Block::Same { old, new, lines } => {
                let first = if old_side { *old } else { *new };
                for (k, l) in lines.iter().enumerate() {
                    out.push((first + k, l.clone()));
                }
            }
            Block::Fold { old, new, count } => {
                let first = if old_side { *old } else { *new };
                for k in 0..*count {
                    out.push((first + k, all[first + k - 1].to_string()));
                }
            }
            Block::Change {
                old, new, del, ins, ..
            } => {
                let (first, lines) = if old_side { (*old, del) } else { (*new, ins) };
                for (k, l) in text_of(lines).into_iter().enumerate() {
                    out.push((first + k, l.trim_end_matches(['\r', '\n']).to_string()));
                }
            }
        }
    }
    out
}

fn expect_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// Real cleans with the default rules (several passes, several rules per
/// line): the hits replay exactly, both sides show every line with its
/// number, and every mark names one rule.
#[test]
fn bodies_of_real_cleans_replay_exactly_and_show_every_line() {
    let rules = crate::config::RulesSource::Default.load().unwrap();
    let example = include_str!("../../examples/exports/wechat/城市夜跑的十年.md");
    let crlf = example.replace('\n', "\r\n");
    let mut long = String::from("# 长文\n\n");
    for i in 0..50 {
        long.push_str(&format!("第{i}段正文，没有需要清理的内容。\n\n"));
    }
    long.push_str("文字![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from;=appmsg)文字\n\n");
    for i in 50..80 {
        long.push_str(&format!("第{i}段。\n"));
    }
    long.push_str("\n点击上方蓝字关注我们\n");
    for text in [example, crlf.as_str(), long.as_str()] {
        let cleaned = crate::clean_text(text, &rules, true).unwrap();
        assert!(cleaned.changed(text));
        let mut ids: Vec<&str> = cleaned.hits.iter().map(|h| &*h.rule).collect();
        ids.sort();
        ids.dedup();
        let idx: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        assert!(
            replay(text, &cleaned.output, &cleaned.hits, &idx).is_some(),
            "hits replay"
        );
        let body = file_body(text, &cleaned.output, &cleaned.hits, &idx);
        // Kept query parameters are not shown as inserted, though the
        // rules rewrote the whole query over two passes.
        for b in &body.blocks {
            if let Block::Change { ins, .. } = b {
                for (t, _) in marked(ins) {
                    assert!(!t.contains("wx_fmt"), "{t:?} marked as inserted");
                }
            }
        }
        assert_eq!(side(&body, true, text), expect_lines(text));
        assert_eq!(
            side(&body, false, &cleaned.output),
            expect_lines(&cleaned.output)
        );
        for b in &body.blocks {
            if let Block::Change { del, ins, .. } = b {
                for (t, r) in marked(del).into_iter().chain(marked(ins)) {
                    assert_eq!(r.len(), 1, "{t:?}");
                }
            }
        }
    }
}

#[test]
fn hits_that_do_not_replay_fall_back_to_a_line_diff() {
    let old = "a\n点赞在看\nb\n";
    let new = "a\nb\n";
    // A hit whose text is not where it says: no exact replay.
    let h = Hit {
        rule: Arc::from("cta"),
        line: 2,
        column: 1,
        offset: 0,
        end: 0,
        pass: 1,
        removed: "不在这里".into(),
        replacement: String::new(),
        tier: Default::default(),
    };
    let idx = HashMap::from([("cta", 0)]);
    assert!(replay(old, new, std::slice::from_ref(&h), &idx).is_none());
    let body = file_body(old, new, &[h], &idx);
    assert_eq!(side(&body, true, old), expect_lines(old));
    assert_eq!(side(&body, false, new), expect_lines(new));
    let Some(Block::Change { del, .. }) = body.blocks.get(1) else {
        panic!("{body:?}")
    };
    assert_eq!(marked(del), [("点赞在看\n".to_string(), vec![0])]);
}

#[test]
fn a_split_line_pairs_with_its_first_piece() {
    let old = "前文![](a.png)后文很长很长的一段\n";
    let new = "前文\n\n![](a.png)\n\n后文很长很长的一段\n";
    let h = |at: usize| Hit {
        rule: Arc::from("split"),
        line: 1,
        column: 1,
        offset: at,
        end: at,
        pass: 1,
        removed: String::new(),
        replacement: "\n\n".into(),
        tier: Default::default(),
    };
    let at = "前文".len();
    let hits = [h(at), h(at + "![](a.png)".len())];
    let body = file_body(old, new, &hits, &HashMap::from([("split", 0)]));
    let Block::Change { ins, pairs, .. } = &body.blocks[0] else {
        panic!("{body:?}")
    };
    assert_eq!(ins.len(), 5);
    assert_eq!(pairs, &[(0, 0)]);
}

#[test]
fn a_rewrite_marks_only_what_it_changed() {
    let old = "![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg&tp=webp)\n";
    let new = "![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&tp=webp)\n";
    let h = hit(
        "params",
        old,
        "?wx_fmt=jpeg&from=appmsg&tp=webp",
        "?wx_fmt=jpeg&tp=webp",
    );
    let body = file_body(old, new, &[h], &HashMap::from([("params", 0)]));
    let Block::Change { del, ins, .. } = &body.blocks[0] else {
        panic!("{body:?}")
    };
    assert_eq!(marked(del), [("&from=appmsg".to_string(), vec![0])]);
    assert!(marked(ins).is_empty(), "{ins:?}");
}

/// Every fixture and example (and the shared corpus and samples, when
/// present next to the crate) that the default rules change: the hits replay exactly and
/// both sides of the body show every line.
#[test]
#[allow(clippy::print_stderr)] // a note when the shared data is missing
fn fixtures_examples_and_corpus_replay_exactly() {
    let rules = crate::config::RulesSource::Default.load().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    if !shared.is_dir() {
        eprintln!("note: no ../shared next to the crate; checking fixtures and examples only");
    }
    let mut checked = 0;
    for dir in [
        root.join("fixtures"),
        root.join("examples"),
        shared.join("corpus"),
        shared.join("samples"),
    ] {
        for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Ok(cleaned) = crate::clean_text(&text, &rules, true) else {
                continue;
            };
            if !cleaned.changed(&text) {
                continue;
            }
            let mut ids: Vec<&str> = cleaned.hits.iter().map(|h| &*h.rule).collect();
            ids.sort();
            ids.dedup();
            let idx: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
            assert!(
                replay(&text, &cleaned.output, &cleaned.hits, &idx).is_some(),
                "{}: hits do not replay",
                path.display()
            );
            let body = file_body(&text, &cleaned.output, &cleaned.hits, &idx);
            assert_eq!(
                side(&body, true, &text),
                expect_lines(&text),
                "{}",
                path.display()
            );
            assert_eq!(
                side(&body, false, &cleaned.output),
                expect_lines(&cleaned.output),
                "{}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} changed files checked");
}
