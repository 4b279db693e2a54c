//! The HTML report (`diff --html FILE`, `check --format html`): one
//! self-contained page to browse what a run would change, file by file and
//! rule by rule.
//!
//! The page makes no network requests (a Content-Security-Policy forbids
//! them) and needs nothing beside itself. The diff of each file comes from
//! the library's diff model ([`mdscrub::diff`]). The data goes into
//! `<script type="application/json">` blocks, one small index plus one block
//! per file, so the browser parses a file's body only when it is opened; a
//! body holds the changed lines with a few lines of context, not the whole
//! file, and is written as soon as its file is done ([`HtmlStream`]); the
//! script in `assets/report.js` renders from that data with DOM calls and
//! `textContent` only, never HTML strings. Inside the JSON blocks every `<`
//! is written as `\u003c`, so no text can close the block.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use mdscrub::diff::{Body, file_body};
use mdscrub::report::{FileReport, Status, Summary};

use super::json::totals;

const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// Everything the page shows, before serialization (for tests: a run
/// streams the page with [`HtmlStream`]).
#[cfg(test)]
#[derive(Debug, Serialize)]
pub struct ReportData {
    pub index: Index,
    /// One body per entry of `index.files` that has one (same order), with
    /// the index of its file.
    #[serde(skip)]
    pub bodies: Vec<(usize, Body)>,
}

/// The small part of the data, parsed when the page opens.
#[derive(Debug, Serialize, PartialEq)]
pub struct Index {
    pub version: u32,
    #[serde(serialize_with = "totals")]
    pub totals: Summary,
    /// Rules that hit at least once, in the order the files (by path) first
    /// show them: indices into this list label the marks.
    pub rules: Vec<RuleStat>,
    /// Every file that is not unchanged, sorted by path.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RuleStat {
    pub id: String,
    pub hits: usize,
    pub files: usize,
}

/// One file in the list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    /// `changed`, `refused`, `failed` or `skipped`.
    pub status: &'static str,
    pub reason: Option<String>,
    pub bytes: i64,
    pub hits: usize,
    /// `(rule index, hits)`, most hits first.
    pub rules: Vec<(usize, usize)>,
    /// Lines removed and added.
    pub del: usize,
    pub ins: usize,
    /// Whether a body (the diff) exists for this file.
    pub body: bool,
}

/// The page's data gathered file by file, in path order: the list entries
/// and rule counts stay (a few hundred bytes a file); each body is handed
/// back to be written at once.
#[derive(Default)]
struct Collector {
    rules: Vec<RuleStat>,
    rule_index: HashMap<Arc<str>, usize>,
    files: Vec<FileEntry>,
}

impl Collector {
    /// Counts a listed file's rules; its `(rule index, hits)`. `None` for
    /// an unchanged file, which is not listed.
    fn register(&mut self, r: &FileReport) -> Option<Vec<(usize, usize, Arc<str>)>> {
        if r.status == Status::Unchanged {
            return None;
        }
        let mut counts = Vec::new();
        for (rule, n) in r.rule_counts() {
            let next = self.rules.len();
            let i = *self.rule_index.entry(rule.clone()).or_insert(next);
            if i == next {
                self.rules.push(RuleStat {
                    id: rule.to_string(),
                    hits: 0,
                    files: 0,
                });
            }
            self.rules[i].hits += n;
            self.rules[i].files += 1;
            counts.push((i, n, rule));
        }
        Some(counts)
    }

    /// Lists a registered file; its index in the list.
    fn entry(
        &mut self,
        r: &FileReport,
        counts: Vec<(usize, usize, Arc<str>)>,
        body: Option<&Body>,
    ) -> usize {
        let mut counts: Vec<(usize, usize)> = counts.into_iter().map(|(i, n, _)| (i, n)).collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (status, reason) = match &r.status {
            Status::Changed => ("changed", None),
            Status::Refused(why) => ("refused", Some(why.to_string())),
            Status::Failed(why) => ("failed", Some(why.to_string())),
            Status::Skipped(why) => ("skipped", Some(why.clone())),
            Status::Unchanged => ("unchanged", None),
        };
        let (del, ins) = body.map_or((0, 0), Body::lines_changed);
        self.files.push(FileEntry {
            path: mdscrub::report::path_text(&r.path),
            status,
            reason,
            bytes: r.bytes_removed,
            hits: r.hits.len(),
            rules: counts,
            del,
            ins,
            body: body.is_some(),
        });
        self.files.len() - 1
    }

    fn index(self, summary: &Summary) -> Index {
        Index {
            version: 1,
            totals: summary.clone(),
            rules: self.rules,
            files: self.files,
        }
    }
}

/// The diff of a changed file whose texts the report kept, its marks
/// labelled with the rule indices of `counts`.
fn body_of(r: &FileReport, counts: &[(usize, usize, Arc<str>)]) -> Option<Body> {
    match (&r.status, &r.text) {
        (Status::Changed, Some((old, new))) => {
            let labels: HashMap<&str, usize> =
                counts.iter().map(|(i, _, id)| (&**id, *i)).collect();
            Some(file_body(old, new, &r.hits, &labels))
        }
        _ => None,
    }
}

/// Builds the page's data from a run's reports (given in path order).
#[cfg(test)]
pub fn report_data(reports: &[FileReport], summary: &Summary) -> ReportData {
    let mut c = Collector::default();
    let mut bodies = Vec::new();
    for r in reports {
        if let Some(counts) = c.register(r) {
            let body = body_of(r, &counts);
            let at = c.entry(r, counts, body.as_ref());
            bodies.extend(body.map(|b| (at, b)));
        }
    }
    ReportData {
        index: c.index(summary),
        bodies,
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Passes bytes through, writing every `<` as the JSON escape `\u003c`.
/// `<` is ASCII, so this never splits a UTF-8 character; in JSON it only
/// occurs inside strings, where `\u003c` means the same thing. With no `<`,
/// nothing can end a `<script>` block early (`</script`) or open a comment.
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, part) in buf.split(|&b| b == b'<').enumerate() {
            if i > 0 {
                self.0.write_all(b"\\u003c")?;
            }
            self.0.write_all(part)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A value as JSON that is safe inside a `<script>` block.
pub fn script_json(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    serde_json::to_writer(ScriptSafe(&mut out), value)?;
    Ok(out)
}

/// A nonce for the page's one script, so the Content-Security-Policy runs it
/// and nothing else.
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// The report page written as files come (in path order): the page's head,
/// then each changed file's body as soon as it is known, then the header
/// with the totals and the chart, the index and the script. Memory holds the
/// list entries only, never the files' texts. The header comes last in the
/// document, when the totals are known; the script moves it to the top.
pub struct HtmlStream {
    collector: Collector,
    nonce: String,
    /// Reports waiting for their bodies, diffed in parallel a batch at a
    /// time, and the bytes of text they hold.
    pending: Vec<FileReport>,
    pending_bytes: usize,
    /// Threads of its own for the diffs: the engine's threads may all be
    /// waiting for this stream to take their reports.
    pool: Option<rayon::ThreadPool>,
}

/// A file's body and its JSON for the page.
type Diffed = (Option<Body>, Option<io::Result<Vec<u8>>>);

/// Most text (old and new) held in reports waiting for their bodies, and
/// most reports.
const BATCH_BYTES: usize = 8 << 20;
const BATCH_FILES: usize = 64;

impl HtmlStream {
    /// Writes the page's head.
    pub fn begin(w: &mut impl Write) -> io::Result<HtmlStream> {
        let nonce = nonce();
        write!(
            w,
            "<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; \
             base-uri 'none'; form-action 'none'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"mdscrub {}\">\n\
             <title>mdscrub report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
            env!("CARGO_PKG_VERSION")
        )?;
        w.write_all(
            b"<main>\n<noscript><p class=\"note\">The file list and diffs need JavaScript.</p></noscript>\n\
              <div id=\"app\"></div>\n</main>\n",
        )?;
        Ok(HtmlStream {
            collector: Collector::default(),
            nonce,
            pending: Vec::new(),
            pending_bytes: 0,
            pool: rayon::ThreadPoolBuilder::new().build().ok(),
        })
    }

    /// Takes one file's report (in path order); its body is written with
    /// the batch it joins.
    pub fn file(&mut self, w: &mut impl Write, r: FileReport) -> io::Result<()> {
        if r.status == Status::Unchanged {
            return Ok(());
        }
        self.pending_bytes += r.text.as_ref().map_or(0, |(o, n)| o.len() + n.len());
        self.pending.push(r);
        if self.pending_bytes >= BATCH_BYTES || self.pending.len() >= BATCH_FILES {
            self.flush_batch(w)?;
        }
        Ok(())
    }

    /// Lists the waiting reports, diffs them in parallel and writes their
    /// bodies in order.
    fn flush_batch(&mut self, w: &mut impl Write) -> io::Result<()> {
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let counts: Vec<_> = batch
            .iter()
            .map(|r| self.collector.register(r).unwrap_or_default())
            .collect();
        let diff = |(r, c): (&FileReport, &Vec<_>)| {
            let body = body_of(r, c);
            let json = body.as_ref().map(script_json);
            (body, json)
        };
        let bodies: Vec<Diffed> = match &self.pool {
            Some(pool) => pool.install(|| batch.par_iter().zip(&counts).map(diff).collect()),
            None => batch.iter().zip(&counts).map(diff).collect(),
        };
        for ((r, c), (body, json)) in batch.iter().zip(counts).zip(bodies) {
            let i = self.collector.entry(r, c, body.as_ref());
            if let Some(json) = json {
                write!(w, "<script type=\"application/json\" id=\"f{i}\">")?;
                w.write_all(&json?)?;
                w.write_all(b"</script>\n")?;
            }
        }
        Ok(())
    }

    /// Writes the header, the index and the script, and flushes.
    pub fn end(mut self, w: &mut impl Write, summary: &Summary) -> io::Result<()> {
        self.flush_batch(w)?;
        let index = self.collector.index(summary);
        let t = &index.totals;
        writeln!(w, "<header>\n<h1>mdscrub report</h1>")?;
        writeln!(w, "<dl class=\"totals\" id=\"totals\">")?;
        let cells: [(&str, &str, String); 7] = [
            ("scanned", "files scanned", t.scanned.to_string()),
            ("changed", "would change", t.changed.to_string()),
            ("refused", "refused", t.refused.to_string()),
            ("failed", "failed", t.failed.to_string()),
            ("skipped", "skipped", t.skipped.to_string()),
            ("edits", "edits", t.edits.to_string()),
            ("bytes", "bytes removed", t.bytes_removed.to_string()),
        ];
        for (key, label, value) in cells {
            writeln!(
                w,
                "<div class=\"total t-{key}\"><dt>{label}</dt><dd data-total=\"{key}\">{value}</dd></div>"
            )?;
        }
        writeln!(w, "</dl>")?;
        write_chart(w, &index.rules)?;
        writeln!(w, "</header>")?;
        w.write_all(b"<script type=\"application/json\" id=\"mdscrub-index\">")?;
        w.write_all(&script_json(&index)?)?;
        w.write_all(b"</script>\n")?;
        write!(
            w,
            "<script nonce=\"{}\">\n{JS}</script>\n</body>\n</html>\n",
            self.nonce
        )?;
        w.flush()
    }
}

/// Writes the report page for reports held in memory (in path order).
#[cfg(test)]
pub fn write(w: &mut impl Write, reports: &[FileReport], summary: &Summary) -> io::Result<()> {
    let mut page = HtmlStream::begin(w)?;
    for r in reports {
        page.file(w, r.clone())?;
    }
    page.end(w, summary)
}

/// Where the report goes: a file created now (so a bad path fails before the
/// run), or standard output for `-`.
pub fn create(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    if path == Path::new("-") {
        return Ok(Box::new(io::BufWriter::new(io::stdout())));
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create the HTML report {}", path.display()))?;
    Ok(Box::new(io::BufWriter::with_capacity(1 << 16, file)))
}

/// The hits-per-rule bar chart, as inline SVG; each bar is a button the
/// script turns into a rule filter.
fn write_chart(w: &mut impl Write, rules: &[RuleStat]) -> io::Result<()> {
    writeln!(w, "<section class=\"chart\"><h2>Hits per rule</h2>")?;
    if rules.is_empty() {
        return writeln!(w, "<p class=\"note\">No rule hit.</p></section>");
    }
    const ROW: usize = 24;
    const LABEL: usize = 260;
    const BAR: usize = 480;
    let max = rules.iter().map(|r| r.hits).max().unwrap_or(1).max(1);
    let height = rules.len() * ROW + 4;
    writeln!(
        w,
        "<svg id=\"chart\" role=\"group\" aria-label=\"Hits per rule\" viewBox=\"0 0 {} {height}\" \
         width=\"{}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        LABEL + BAR + 90,
        LABEL + BAR + 90
    )?;
    // Most hits first (then by id); a bar's colour is its rule's, as the
    // marks have it.
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by(|&a, &b| {
        rules[b]
            .hits
            .cmp(&rules[a].hits)
            .then_with(|| rules[a].id.cmp(&rules[b].id))
    });
    for (row, &i) in order.iter().enumerate() {
        let r = &rules[i];
        let id = escape_html(&r.id);
        let y = row * ROW + 2;
        let width = (r.hits * BAR).div_ceil(max).max(2);
        writeln!(
            w,
            "<g class=\"bar\" data-rule=\"{id}\" tabindex=\"0\" role=\"button\" \
             aria-label=\"{id}: {hits} hits in {files} files\">\
             <title>{id}: {hits} hits in {files} files (click to filter)</title>\
             <rect class=\"hitbox\" x=\"0\" y=\"{y}\" width=\"{total}\" height=\"{ROW}\"/>\
             <text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{id}</text>\
             <rect class=\"fill c{color}\" x=\"{LABEL}\" y=\"{by}\" width=\"{width}\" height=\"{bh}\" rx=\"3\"/>\
             <text class=\"count\" x=\"{cx}\" y=\"{ty}\">{hits}</text></g>",
            hits = r.hits,
            files = r.files,
            total = LABEL + BAR + 90,
            lx = LABEL - 8,
            ty = y + ROW / 2 + 5,
            color = i % 12,
            by = y + 3,
            bh = ROW - 6,
            cx = LABEL + width + 6,
        )?;
    }
    writeln!(w, "</svg></section>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdscrub::diff::{Block, Seg};
    use mdscrub::report::{CleanError, Hit};
    use std::path::PathBuf;

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

    #[test]
    fn totals_rules_and_files_come_from_the_reports() {
        let a = "# T\n\n点击上方蓝字关注我们\n\n正文。\n";
        let b = "![](https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg)\n";
        let reports = vec![
            changed(
                "a.md",
                a,
                vec![hit("follow", a, "点击上方蓝字关注我们\n\n", "")],
            ),
            changed(
                "b.md",
                b,
                vec![hit("wechat-image-params", b, "&from=appmsg", "")],
            ),
            {
                let mut r = FileReport::new(PathBuf::from("c.md"));
                r.status = Status::from(CleanError::TooMuchRemoved {
                    share: 0.9,
                    limit: 0.5,
                    rules: "drop-tail".into(),
                });
                r
            },
            FileReport::new(PathBuf::from("d.md")),
        ];
        let s = Summary::of(&reports);
        let data = report_data(&reports, &s);
        let i = &data.index;
        assert_eq!(i.totals.scanned, 4);
        assert_eq!(i.totals.changed, 2);
        assert_eq!(i.totals.refused, 1);
        assert_eq!(i.totals.bytes_removed, s.bytes_removed);
        // Ties sort by id.
        let ids: Vec<&str> = i.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["follow", "wechat-image-params"]);
        // The unchanged file is not listed; the refused one is, with its reason.
        let paths: Vec<&str> = i.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.md", "b.md", "c.md"]);
        assert_eq!(i.files[2].status, "refused");
        assert_eq!(
            i.files[2].reason.as_deref(),
            Some(
                "refused: the rules would remove 90% of the visible text (limit 50%; most removed by: drop-tail); rerun with --force to clean anyway"
            )
        );
        assert!(!i.files[2].body);
        assert_eq!(i.files[1].rules, vec![(1, 1)]);
        assert_eq!((i.files[0].del, i.files[0].ins), (2, 0));
        assert_eq!(data.bodies.len(), 2);
        assert_eq!(data.bodies[1].0, 1);
    }

    #[test]
    fn each_mark_is_labelled_with_its_own_rule() {
        let old = "# 标题\n\n点击上方蓝字关注我们\n\n正文第一段。\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg)\n\n**往期推荐**\n\n[旧文](https://mp.weixin.qq.com/s/abc)\n";
        let hits = vec![
            hit("follow-prompt", old, "点击上方蓝字关注我们\n\n", ""),
            hit("wechat-image-params", old, "&from=appmsg", ""),
            hit(
                "recommended-tail",
                old,
                "\n**往期推荐**\n\n[旧文](https://mp.weixin.qq.com/s/abc)\n",
                "",
            ),
        ];
        let reports = vec![changed("a.md", old, hits)];
        let data = report_data(&reports, &Summary::of(&reports));
        let ids: Vec<&str> = data.index.rules.iter().map(|r| r.id.as_str()).collect();
        let mut found: Vec<(String, String)> = Vec::new();
        for b in &data.bodies[0].1.blocks {
            if let Block::Change { del, .. } = b {
                for (t, r) in marked(del) {
                    assert_eq!(r.len(), 1, "{t:?} has one rule");
                    found.push((t, ids[r[0]].to_string()));
                }
            }
        }
        let rule_of = |needle: &str| {
            found
                .iter()
                .find(|(t, _)| t.contains(needle))
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(rule_of("点击上方"), Some("follow-prompt"));
        assert_eq!(rule_of("&from=appmsg"), Some("wechat-image-params"));
        assert_eq!(rule_of("往期推荐"), Some("recommended-tail"));
    }

    #[test]
    fn html_escape_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn script_json_has_no_angle_bracket_and_round_trips() {
        let nasty = "</script><script>alert(1)</script></textarea><!-- <b>";
        let json = script_json(&serde_json::json!({ "t": nasty, "k": ["<", "\u{2028}"] })).unwrap();
        let text = String::from_utf8(json).unwrap();
        assert!(!text.contains('<'), "{text}");
        assert!(text.contains("\\u003c/script>"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["t"], nasty);
        assert_eq!(back["k"][0], "<");
    }

    #[test]
    fn page_keeps_document_text_inside_its_data_blocks() {
        let old = "# <script>alert(1)</script>\n\n点赞在看</textarea></script><!--\n\n正文\n";
        let reports = vec![changed(
            "x<script>.md",
            old,
            vec![hit(
                "r\"<b>",
                old,
                "点赞在看</textarea></script><!--\n\n",
                "",
            )],
        )];
        let mut out = Vec::new();
        write(&mut out, &reports, &Summary::of(&reports)).unwrap();
        let page = String::from_utf8(out).unwrap();
        // The page's own tags only: one data index, one body, one script with
        // the nonce the policy allows, and no `<script>` from the document.
        assert_eq!(page.matches("<script").count(), 3, "{page}");
        assert_eq!(page.matches("</script>").count(), 3);
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("</textarea>"));
        assert!(!page.contains("<!--"));
        let nonce = page
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap();
        assert_eq!(nonce.len(), 32);
        assert!(page.contains(&format!("<script nonce=\"{nonce}\">")));
        // The rule id is escaped in the chart.
        assert!(page.contains("data-rule=\"r&quot;&lt;b&gt;\""));
        // No reference to anything outside the page.
        assert!(!page.contains("http://") || page.matches("http://").count() == 1);
        assert!(page.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!page.contains("https://"));
        assert!(!page.contains(" src="));
        // The data blocks parse back to the document's text.
        let body_json = page
            .split("<script type=\"application/json\" id=\"f0\">")
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(body_json).unwrap();
        assert!(
            body.to_string()
                .contains("点赞在看</textarea></script><!--")
        );
    }

    #[test]
    fn empty_run_writes_a_page_without_data() {
        let mut out = Vec::new();
        write(&mut out, &[], &Summary::default()).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("No rule hit."));
        assert!(page.contains("<dd data-total=\"scanned\">0</dd>"));
    }
}
