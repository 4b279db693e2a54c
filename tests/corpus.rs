//! Properties over real exported articles, when they are present beside the
//! crate: `../shared/corpus/` and `../shared/samples/` (another folder can be
//! named with the `MDSCRUB_SHARED_DIR` environment variable). When the folder
//! is absent every test here fails under CI (the `CI` variable set) and
//! skips with a note on stderr otherwise.
//!
//! - no rules: every file comes back byte for byte;
//! - default rules: no file panics or fails (a refusal to remove too much is
//!   the one documented outcome besides success), and cleaning the output
//!   again changes nothing;
//! - the sample WeChat export is cleaned completely: no tracking parameter,
//!   no boilerplate, every body sentence and body image kept, every body image
//!   on its own line with a clean URL.

use std::path::{Path, PathBuf};

use mdscrub::{CleanError, RuleSet, clean_text};
use regex::Regex;

mod common;
use common::{RULES_THAT_MATCH_NOTHING, require_or_skip, shared_dir};

/// Every file (sorted) in the shared corpus and samples folders, with its
/// bytes; `None` (after the note, or a panic under CI) when neither folder
/// exists.
fn shared_files() -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let root = shared_dir();
    let mut files = Vec::new();
    let mut found = false;
    for sub in ["corpus", "samples"] {
        let dir = root.join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        found = true;
        for e in entries {
            let path = e.expect("readable folder entry").path();
            if path.is_file() {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.push((path, bytes));
            }
        }
    }
    let what = format!(
        "{}/corpus or {}/samples (MDSCRUB_SHARED_DIR names another shared folder)",
        root.display(),
        root.display()
    );
    if !require_or_skip(&what, found) {
        return None;
    }
    files.sort();
    Some(files)
}

/// The shared files that are UTF-8 text (the ones mdscrub cleans).
fn shared_texts() -> Option<Vec<(PathBuf, String)>> {
    Some(
        shared_files()?
            .into_iter()
            .filter_map(|(p, b)| String::from_utf8(b).ok().map(|t| (p, t)))
            .collect(),
    )
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn no_rules_return_every_file_byte_for_byte() {
    let Some(files) = shared_texts() else { return };
    assert!(!files.is_empty(), "the shared folders hold no text file");
    let empty = RuleSet::empty();
    let idle = RuleSet::parse(RULES_THAT_MATCH_NOTHING, "idle.toml").unwrap();
    let mut failures = Vec::new();
    for (path, text) in &files {
        for (set_name, set) in [
            ("RuleSet::empty()", &empty),
            ("rules that match nothing", &idle),
        ] {
            match clean_text(text, set, false) {
                Ok(c) if c.output.as_bytes() == text.as_bytes() && c.hits.is_empty() => {}
                Ok(c) => {
                    let at = c
                        .output
                        .bytes()
                        .zip(text.bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(c.output.len().min(text.len()));
                    failures.push(format!(
                        "{} with {set_name}: first difference at byte {at}",
                        name(path)
                    ));
                }
                Err(e) => failures.push(format!("{} with {set_name}: {e}", name(path))),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "not lossless:\n{}",
        failures.join("\n")
    );
}

#[test]
fn default_rules_never_fail_and_a_second_run_changes_nothing() {
    let Some(files) = shared_texts() else { return };
    let rules = RuleSet::default_rules();
    let mut failures = Vec::new();
    let mut changed = 0;
    let mut refused = Vec::new();
    for (path, text) in &files {
        let file = name(path);
        let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            clean_text(text, &rules, false)
        }));
        let cleaned = match first {
            Err(_) => {
                failures.push(format!("{file}: panicked"));
                continue;
            }
            Ok(Err(CleanError::TooMuchRemoved { .. })) => {
                refused.push(file);
                continue;
            }
            Ok(Err(e)) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
            Ok(Ok(c)) => c,
        };
        if cleaned.output != *text {
            changed += 1;
        }
        // Line endings and a BOM survive: a CRLF file stays CRLF throughout.
        let style = |t: &str| {
            let lf = t.matches('\n').count();
            let crlf = t.matches("\r\n").count();
            (crlf > 0 && crlf == lf, t.starts_with('\u{feff}'))
        };
        if style(text) != style(&cleaned.output) {
            failures.push(format!("{file}: line endings or BOM changed"));
        }
        match clean_text(&cleaned.output, &rules, false) {
            Ok(again) if again.output == cleaned.output && again.hits.is_empty() => {}
            Ok(again) => {
                let hits: Vec<String> = again
                    .hits
                    .iter()
                    .map(|h| format!("{} at line {}: {:?}", h.rule, h.line, h.removed))
                    .collect();
                failures.push(format!(
                    "{file}: second run changed it again:\n    {}",
                    hits.join("\n    ")
                ));
            }
            Err(e) => failures.push(format!("{file}: second run failed: {e}")),
        }
    }
    if !refused.is_empty() {
        eprintln!(
            "note: refused (too much removed), as documented: {}",
            refused.join(", ")
        );
    }
    eprintln!("note: {changed} of {} files changed", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(changed > 0, "the default rules changed no file at all");
}

/// The article body of the sample: everything before its first call to
/// action, which opens the boilerplate at its end.
fn sample_body(input: &str) -> &str {
    let end = input
        .find("“点赞”“在看”")
        .expect("the sample's call to action");
    &input[..end]
}

/// Text with images replaced by line breaks and bold markers removed: what
/// a reader reads, cut where images were.
fn prose(text: &str) -> String {
    let image = Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap();
    image.replace_all(text, "\n").replace("**", "")
}

/// Body fragments of 40 characters or more: lines cut at images and at
/// sentence ends.
fn body_sentences(body: &str) -> Vec<String> {
    prose(body)
        .split(['\n', '。', '！', '？'])
        .map(str::trim)
        .filter(|s| s.chars().count() >= 40)
        .map(str::to_string)
        .collect()
}

/// The URL an image should have after cleaning: mangling undone, every
/// parameter but `wx_fmt` gone.
fn clean_image_url(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let fmt = query
        .split('&')
        .map(|p| p.replace(';', ""))
        .find(|p| p.starts_with("wx_fmt="));
    match fmt {
        Some(f) => format!("{base}?{f}"),
        None => base.to_string(),
    }
}

#[test]
fn the_sample_export_is_cleaned_completely() {
    let path = shared_dir().join("samples/wechat-export.md");
    let input = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            require_or_skip(&format!("the sample {} ({e})", path.display()), false);
            return;
        }
    };
    let rules = RuleSet::default_rules();
    let cleaned = clean_text(&input, &rules, false).expect("the sample cleans");
    let out = &cleaned.output;

    // No tracking parameter is left in any URL.
    let url = Regex::new(r#"https?://[^\s()<>"']+"#).unwrap();
    let tracking = Regex::new(
        r"[?&](from|wxfrom|wx_lazy|wx_co|tp|retryload|chksm|scene)=|#wechat_redirect|&[A-Za-z0-9]+;[=_A-Za-z]",
    )
    .unwrap();
    let dirty: Vec<&str> = url
        .find_iter(out)
        .map(|m| m.as_str())
        .filter(|u| tracking.is_match(u))
        .collect();
    assert!(dirty.is_empty(), "tracking parameters left: {dirty:#?}");
    let mangled = Regex::new(r"&[A-Za-z0-9]+;[=_]").unwrap();
    assert!(
        !mangled.is_match(out),
        "`&x;=` mangling left: {:?}",
        mangled.find(out)
    );

    // Boilerplate is gone.
    for phrase in [
        "返回列表页",
        "小懒自动备份",
        "“点赞”“在看”",
        "让更多人看到",
        "招聘",
        "招实习生",
        "本文为原创内容",
        "原创内容",
        "版权归",
        "三连",
        "未经许可",
        "大家都在看",
    ] {
        assert!(!out.contains(phrase), "boilerplate left: {phrase}\n{out}");
    }
    // The recommended-article cards under 大家都在看 went with it.
    for card in ["mid=2651491912", "mid=2651491601", "2651136871"] {
        assert!(
            !out.contains(card),
            "recommended or recruiting link left: {card}"
        );
    }

    // Every body sentence is kept.
    let body = sample_body(&input);
    let sentences = body_sentences(body);
    assert!(
        sentences.len() >= 25,
        "expected many body sentences, found {}",
        sentences.len()
    );
    let out_prose = prose(out);
    let lost: Vec<&String> = sentences
        .iter()
        .filter(|s| !out_prose.contains(s.as_str()))
        .collect();
    assert!(lost.is_empty(), "body sentences lost: {lost:#?}");
    // The short body lines too: the standalone captions and the closing line.
    for line in [
        "《二十不惑》剧照",
        "图｜视觉中国",
        "此次小红书事件，会成为这样一个契机吗？",
    ] {
        assert!(out.contains(line), "body text lost: {line}");
    }

    // Every body image is kept, with a clean URL, alone on its line.
    let image = Regex::new(r"!\[[^\]]*\]\(([^)\s]+)\)").unwrap();
    let body_images: Vec<String> = image
        .captures_iter(body)
        .map(|c| clean_image_url(&c[1]))
        .collect();
    assert_eq!(body_images.len(), 6, "the sample's body has six images");
    for url in &body_images {
        let own_line = format!("![]({url})");
        assert!(
            out.lines().any(|l| l == own_line),
            "body image missing or not on its own line: {own_line}"
        );
    }
    // Each image in the output stands alone on its line.
    for line in out.lines().filter(|l| l.contains("![")) {
        assert!(
            image.find(line).is_some_and(|m| m.as_str() == line),
            "image shares its line with text: {line}"
        );
    }
    let out_images = image.find_iter(out).count();
    assert_eq!(
        out_images,
        body_images.len(),
        "images other than the body's are left"
    );

    // A second run changes nothing.
    let again = clean_text(out, &rules, false).expect("the cleaned sample cleans");
    assert_eq!(&again.output, out, "second run changed the output");
    assert!(
        again.hits.is_empty(),
        "second run made edits: {:?}",
        again.hits
    );
}
