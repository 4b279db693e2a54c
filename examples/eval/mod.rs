//! Accuracy measures for a folder of real exports, shared by the `accuracy`
//! example and `tests/accuracy.rs`: tracking parameters left in URLs,
//! boilerplate phrases left in short lines, body retention (every prose line
//! of 40+ characters without a junk marker in the input is still in the
//! output) and idempotence, grouped by exporter.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use mdscrub::document::Document;
use mdscrub::{RuleSet, clean_text};

/// Boilerplate phrases that are junk wherever they stand alone on a short
/// line: WeChat page UI, export-site chrome, calls to action, follow prompts,
/// recommendation headers, copyright and recruiting notices, end markers.
pub const BOILERPLATE: &[&str] = &[
    // WeChat page UI
    "预览时标签不可点",
    "微信扫一扫",
    "继续滑动看下一个",
    "向上滑动看下一个",
    "轻点两下取消",
    "写下你的想法",
    "看一看入口已关闭",
    "前往“发现”-“看一看”",
    "最多200字",
    "使用完整服务",
    "长按识别前往小程序",
    "长按二维码向我转账",
    "已同步到看一看",
    "功能介绍",
    // export-site chrome
    "返回列表页",
    "小懒自动备份",
    "仅供查阅学习",
    // calls to action
    "“点赞”“在看”",
    "点赞，转发，在看",
    "赞 分享 在看",
    "球分享",
    "球点赞",
    "球在看",
    "点个三连",
    "分享点赞在看",
    "让更多人看到",
    "好看你就分享",
    "喜欢别忘了关注",
    "留个关注",
    "点个 “在看”",
    // follow prompts
    "点击上方蓝字",
    "点击蓝字",
    "设为星标",
    "加星标",
    "扫码关注",
    "长按识别二维码",
    "长按扫码关注",
    "点击下方卡片关注",
    "点击下方名片",
    "收不到每日推送",
    // recommendation headers
    "大家都在看",
    "往期推荐",
    "往期回顾",
    "往期精彩",
    "推荐阅读",
    "阅读推荐",
    "精彩推荐",
    // copyright, reprint
    "版权归",
    "严禁复制",
    "转载请联系",
    "转载请注明",
    "如有侵权",
    "侵权请联系",
    // recruiting, promos
    "招实习生",
    "征稿长期有效",
    "来稿请投至",
    "粉丝交流群",
    "付费社群",
    "备用号",
    "转载开白",
    // end markers, read-original
    "THE END",
    "-END-",
    "阅读原文",
];

/// Markers of junk that is not a listed boilerplate phrase (promos,
/// reprint notes, licence footers): a line holding one is not counted as
/// prose for retention.
pub const JUNK_MARKERS: &[&str] = &[
    "加入知识星球",
    "务必注明",
    "版权声明",
    "欢迎关注",
    "觉得不错",
    // The catalogue's contact line for submissions (recruiting), which one
    // account writes on the line of its business contact.
    "投稿或其他事宜",
    // A 知识星球 ad (the catalogue's promos), in its two halves when a link
    // breaks its line.
    "加入我的知识星球",
    "付费即可加入",
];

/// Longest line (visible characters) counted as a boilerplate block.
pub const BOILERPLATE_MAX_CHARS: usize = 80;

/// Shortest line (visible characters) counted as prose for retention.
pub const PROSE_MIN_CHARS: usize = 40;

/// What one file measured.
#[derive(Debug, Clone, Default)]
pub struct FileEval {
    pub name: String,
    pub exporter: String,
    pub tracking_in: usize,
    /// Tracking parameters still in the output, as `param in url`.
    pub tracking_left: Vec<String>,
    pub boilerplate_in: usize,
    /// Short boilerplate lines still in the output.
    pub boilerplate_left: Vec<String>,
    pub prose_lines: usize,
    /// Prose lines of the input missing from the output.
    pub lost: Vec<String>,
    pub idempotent: bool,
    pub changed: bool,
    /// The clean failed or was refused.
    pub error: Option<String>,
}

/// Measures one file.
pub fn evaluate(name: &str, input: &str, rules: &RuleSet) -> FileEval {
    let mut e = FileEval {
        name: name.to_string(),
        exporter: exporter(name, input).to_string(),
        idempotent: true,
        ..FileEval::default()
    };
    let output = match clean_text(input, rules, false) {
        Ok(c) => c.output,
        Err(err) => {
            e.error = Some(err.to_string());
            input.to_string()
        }
    };
    e.changed = output != input;
    if e.error.is_none() {
        match clean_text(&output, rules, false) {
            Ok(again) => e.idempotent = again.output == output,
            Err(err) => {
                e.idempotent = false;
                e.error = Some(format!("second clean: {err}"));
            }
        }
    }
    e.tracking_in = tracking(input).len();
    e.tracking_left = tracking(&output);
    let bin = boilerplate_lines(input);
    e.boilerplate_in = bin.len();
    e.boilerplate_left = boilerplate_lines(&output);
    let prose = prose_lines(input);
    e.prose_lines = prose.len();
    e.lost = missing(&prose, &output);
    e
}

/// The exporter of a file: a fingerprint of its text (PATTERNS §4), else the
/// file-name prefix before `__`.
pub fn exporter<'a>(name: &'a str, text: &str) -> &'a str {
    let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
    let first = text.lines().next().unwrap_or("");
    let second = text.lines().nth(1).unwrap_or("");
    if head.contains("[**返回列表页**](") {
        "xiaolan"
    } else if head.contains("fetch_date:") {
        "markitdown"
    } else if text.contains("](javascript:void\\(0\\);)") {
        "html2text-page"
    } else if first.starts_with("#  ") && is_account_date_line(second) {
        "wechatmp2markdown"
    } else if text.contains("csdnimg.cn") {
        "csdn"
    } else if text.contains("upload-images.jianshu.io") {
        "jianshu"
    } else if text.contains("byteimg.com") {
        "juejin"
    } else if text.contains("zhimg.com") || text.contains("link.zhihu.com") {
        "zhihu"
    } else if text.contains("mmbiz.qpic.cn") || text.contains("mp.weixin.qq.com") {
        "wechat-repost"
    } else {
        name.split("__").next().unwrap_or("other")
    }
}

fn is_account_date_line(line: &str) -> bool {
    let t = line.trim_end();
    let b = t.as_bytes();
    // ` <account>   YYYY-MM-DD HH:MM`
    b.len() > 17 && {
        let tail = &t[t.len() - 16..];
        tail.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 => c == ':',
            _ => c.is_ascii_digit(),
        })
    }
}

/// Byte ranges of code (blocks and spans): nothing there is measured.
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    Document::parse(text).protected
}

fn in_code(code: &[Range<usize>], at: usize) -> bool {
    code.iter().any(|r| r.start <= at && at < r.end)
}

/// Tracking parameters of PATTERNS §1 (and the other platforms' junk
/// queries) left in URLs outside code, as `name @ url-prefix`.
pub fn tracking(text: &str) -> Vec<String> {
    let code = code_ranges(text);
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = find_url_start(&text[i..]) {
        let start = i + pos;
        let mut end = start;
        while end < bytes.len() && !is_url_end(bytes[end]) {
            end += 1;
        }
        // A URL broken by a newline inside `(...)` continues on the next line.
        if end < bytes.len() && bytes[end] == b'\n' && next_line_continues(&text[end + 1..]) {
            let mut e2 = end + 1;
            while e2 < bytes.len() && !is_url_end(bytes[e2]) {
                e2 += 1;
            }
            end = e2;
        }
        i = end.max(start + 1);
        if in_code(&code, start) {
            continue;
        }
        let url = &text[start..end];
        for p in url_junk(url) {
            let short: String = url.chars().take(60).collect();
            found.push(format!("{p} @ {short}"));
        }
    }
    found
}

fn find_url_start(s: &str) -> Option<usize> {
    let a = s.find("http://");
    let b = s.find("https://");
    let c = s.find("(//");
    let c = c.map(|x| x + 1);
    [a, b, c].into_iter().flatten().min()
}

fn is_url_end(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b')' | b'"' | b'\'' | b'<' | b'>' | b']' | b'|')
}

fn next_line_continues(rest: &str) -> bool {
    rest.starts_with('&') || rest.starts_with("&amp;")
}

/// Junk parameters of one URL (percent-decoded once, so that proxy-wrapped
/// URLs are seen; `&amp;` and `&x;=` mangling decoded).
pub fn url_junk(url: &str) -> Vec<String> {
    let decoded = percent_decode(url).replace("&amp;", "&");
    let mut out = Vec::new();
    let lower = decoded.to_ascii_lowercase();
    // Split at every embedded scheme so a proxy's inner URL is judged by its
    // own host.
    let mut parts: Vec<&str> = Vec::new();
    let mut from = 0;
    let idx: Vec<usize> = lower
        .match_indices("http")
        .map(|(i, _)| i)
        .filter(|&i| {
            lower[i..].starts_with("http://")
                || lower[i..].starts_with("https://")
                || lower[i..].starts_with("http:/")
                || lower[i..].starts_with("https:/")
        })
        .collect();
    for &k in idx.iter().skip_while(|&&k| k == 0) {
        parts.push(&decoded[from..k]);
        from = k;
    }
    parts.push(&decoded[from..]);
    for part in parts {
        let host = host_of(part);
        let names = param_names(part);
        let fragment = part.split_once('#').map(|(_, f)| f).unwrap_or("");
        if host.ends_with("qpic.cn") {
            const DROP: &[&str] = &[
                "from",
                "wxfrom",
                "wx_lazy",
                "wx_co",
                "tp",
                "retryload",
                "random",
                "watermark",
                "usepicprefetch",
                "randomid",
            ];
            for n in &names {
                if DROP.contains(&n.to_ascii_lowercase().as_str()) {
                    out.push(format!("mmbiz:{n}"));
                }
            }
            if fragment.starts_with("imgIndex") {
                out.push("mmbiz:#imgIndex".into());
            }
        }
        if host == "mp.weixin.qq.com" {
            const DROP: &[&str] = &[
                "scene",
                "chksm",
                "token",
                "lang",
                "poc_token",
                "subscene",
                "sessionid",
                "enterid",
                "from_msgid",
                "from_itemidx",
                "count",
                "nolastread",
                "mpshare",
                "srcid",
                "ascene",
                "devicetype",
                "version",
                "platform",
                "nwr_flag",
                "cur_album_id",
                "payreadticket",
                "key",
                "uin",
                "pass_ticket",
                "exportkey",
            ];
            for n in &names {
                if DROP.contains(&n.as_str()) || n.starts_with("sharer_") {
                    out.push(format!("mp:{n}"));
                }
            }
            if fragment == "wechat_redirect" || fragment == "rd" {
                out.push(format!("mp:#{fragment}"));
            }
        }
        if host.ends_with("csdnimg.cn") && names.iter().any(|n| n == "x-oss-process") {
            out.push("csdn:x-oss-process".into());
        }
        if host.ends_with("jianshu.io")
            && (part.contains("imageMogr2") || part.contains("imageView2"))
        {
            out.push("jianshu:imageMogr2".into());
        }
        if host == "link.zhihu.com" {
            out.push("zhihu:link.zhihu.com".into());
        }
        if host.ends_with("byteimg.com") && part.contains("~tplv-") && part.contains("watermark") {
            out.push("juejin:~tplv-watermark".into());
        }
        for n in &names {
            if n.starts_with("utm_") {
                out.push(format!("utm:{n}"));
            }
        }
    }
    out
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("//").map(|(_, r)| r).unwrap_or(url);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_ascii_lowercase()
}

/// Parameter names of a URL's query, with `&x;=` mangling undone.
fn param_names(url: &str) -> Vec<String> {
    let Some((_, q)) = url.split_once('?') else {
        return Vec::new();
    };
    let q = q.split('#').next().unwrap_or("");
    q.split('&')
        .filter_map(|p| {
            let name = p.split('=').next()?;
            let name: String = name.chars().filter(|&c| c != ';').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lines of text outside code, with their byte offsets.
fn lines_outside_code(text: &str) -> Vec<&str> {
    let code = code_ranges(text);
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let first_char = start + (line.len() - line.trim_start().len());
        if line.trim().is_empty() || in_code(&code, first_char) {
            continue;
        }
        out.push(line.trim_end_matches(['\n', '\r']));
    }
    out
}

/// A line's visible text: link and image destinations and bare URLs
/// removed, whitespace trimmed.
pub fn visible(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i + 1]);
        let after = &rest[i + 2..];
        let mut depth = 0i32;
        let mut end = after.len();
        for (k, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out.push_str(rest);
    let words: Vec<&str> = out
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect();
    words.join(" ")
}

/// The letters and digits of a text (CJK included): the form prose is
/// compared in, blind to markup, spacing and line breaks.
pub fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Short lines (outside code, front matter and the title) that hold a
/// boilerplate phrase.
pub fn boilerplate_lines(text: &str) -> Vec<String> {
    lines_outside_code(text)
        .into_iter()
        .filter(|l| !l.starts_with("# ") && !l.starts_with("title:"))
        .filter_map(|l| {
            let v = visible(l);
            let n = v.chars().count();
            (n <= BOILERPLATE_MAX_CHARS && BOILERPLATE.iter().any(|p| v.contains(p))).then_some(v)
        })
        .collect()
}

/// Markers after which a document is tail, not body: a short line that is a
/// page-UI start or a recommendation header. Retention is measured above it.
const TAIL_MARKERS: &[&str] = &[
    "预览时标签不可点",
    "微信扫一扫",
    "大家都在看",
    "往期推荐",
    "往期回顾",
    "往期精彩",
    "推荐阅读",
    "阅读推荐",
    "精彩推荐",
    "相关阅读",
];

/// Prose lines of the input: 40+ visible characters, outside code, above the
/// tail, and holding no boilerplate phrase.
pub fn prose_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines_outside_code(text) {
        // The rest of a URL broken by a newline (`&wxfrom;=5)…`) is not prose.
        let l = match l.strip_prefix('&') {
            Some(rest) if !rest.starts_with(' ') => rest.split_once(')').map_or("", |(_, r)| r),
            _ => l,
        };
        // A line that is one link and nothing else is another page's title
        // (a recommended list without a header), not a line of prose.
        if is_link_line(l) {
            continue;
        }
        let v = visible(l);
        let n = v.chars().count();
        if n <= 30 && TAIL_MARKERS.iter().any(|m| v.contains(m)) {
            break;
        }
        let junk = BOILERPLATE
            .iter()
            .chain(JUNK_MARKERS)
            .any(|p| v.contains(p));
        if n >= PROSE_MIN_CHARS && !junk {
            out.push(v);
        }
    }
    out
}

/// True when a line is a single Markdown link (after a list marker).
fn is_link_line(line: &str) -> bool {
    let t = line.trim();
    let t = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .unwrap_or(t)
        .trim();
    t.starts_with('[') && t.ends_with(')') && t.matches("](").count() == 1
}

/// Prose lines whose letters no longer appear in `output`.
pub fn missing(prose: &[String], output: &str) -> Vec<String> {
    let out_lines: HashSet<String> = output.lines().map(|l| normalize(&visible(l))).collect();
    let whole = normalize(&visible_all(output));
    prose
        .iter()
        .filter(|p| {
            let n = normalize(p);
            !n.is_empty() && !out_lines.contains(&n) && !whole.contains(&n)
        })
        .cloned()
        .collect()
}

fn visible_all(text: &str) -> String {
    text.lines().map(visible).collect::<Vec<_>>().join("\n")
}

/// Sums per exporter.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub files: usize,
    pub changed: usize,
    pub tracking_in: usize,
    pub tracking_left: usize,
    pub boilerplate_in: usize,
    pub boilerplate_left: usize,
    pub prose_lines: usize,
    pub lost: usize,
    pub not_idempotent: usize,
    pub errors: usize,
}

impl Totals {
    pub fn add(&mut self, e: &FileEval) {
        self.files += 1;
        self.changed += e.changed as usize;
        self.tracking_in += e.tracking_in;
        self.tracking_left += e.tracking_left.len();
        self.boilerplate_in += e.boilerplate_in;
        self.boilerplate_left += e.boilerplate_left.len();
        self.prose_lines += e.prose_lines;
        self.lost += e.lost.len();
        self.not_idempotent += (!e.idempotent) as usize;
        self.errors += e.error.is_some() as usize;
    }

    /// Share of boilerplate lines removed (1.0 when there were none).
    pub fn boilerplate_removed(&self) -> f64 {
        if self.boilerplate_in == 0 {
            1.0
        } else {
            1.0 - self.boilerplate_left.min(self.boilerplate_in) as f64 / self.boilerplate_in as f64
        }
    }

    /// Share of prose lines kept (1.0 when there were none).
    pub fn retention(&self) -> f64 {
        if self.prose_lines == 0 {
            1.0
        } else {
            1.0 - self.lost as f64 / self.prose_lines as f64
        }
    }
}

/// Every `.md` file directly in `dir`, sorted by name.
pub fn corpus_files(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md")
            && path
                .file_name()
                .is_some_and(|n| n != "PATTERNS.md" && n != "README.md")
        {
            let text = std::fs::read_to_string(&path)?;
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((name, text));
        }
    }
    files.sort();
    Ok(files)
}

/// Evaluates every file and groups the totals by exporter (plus `all`).
pub fn evaluate_all(
    files: &[(String, String)],
    rules: &RuleSet,
) -> (Vec<FileEval>, BTreeMap<String, Totals>) {
    let evals: Vec<FileEval> = files
        .iter()
        .map(|(name, text)| evaluate(name, text, rules))
        .collect();
    let mut by = BTreeMap::new();
    for e in &evals {
        by.entry(e.exporter.clone())
            .or_insert_with(Totals::default)
            .add(e);
        by.entry("~all".to_string())
            .or_insert_with(Totals::default)
            .add(e);
    }
    (evals, by)
}

/// A plain-text table of the totals.
pub fn table(by: &BTreeMap<String, Totals>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<18} {:>5} {:>7} {:>14} {:>16} {:>8} {:>14} {:>6} {:>6}",
        "exporter",
        "files",
        "changed",
        "tracking left",
        "boilerplate left",
        "removed",
        "prose lost",
        "kept",
        "unidem"
    );
    for (name, t) in by {
        let _ = writeln!(
            s,
            "{:<18} {:>5} {:>7} {:>14} {:>16} {:>7.1}% {:>14} {:>5.1}% {:>6}",
            name.trim_start_matches('~'),
            t.files,
            t.changed,
            format!("{}/{}", t.tracking_left, t.tracking_in),
            format!("{}/{}", t.boilerplate_left, t.boilerplate_in),
            t.boilerplate_removed() * 100.0,
            format!("{}/{}", t.lost, t.prose_lines),
            t.retention() * 100.0,
            t.not_idempotent,
        );
    }
    s
}
