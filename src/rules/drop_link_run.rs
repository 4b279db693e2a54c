//! `drop-link-run`: remove a gallery of links to other articles: a run of
//! blocks that are each nothing but links to article pages (`url`), with the
//! short header above it. Accounts title such lists in their own words
//! (最新动态, 也许你想读读近期的其他文章) or not at all, so the shape decides:
//!
//! - after the last line of prose (the tail, which a text without prose
//!   lacks), a run of `min-run` titled links or more goes (a bare URL is a
//!   reference);
//! - elsewhere, only a run under a header that `header` matches (你可能错过的
//!   精彩, 往期推荐);
//! - a run under a header that `keep-under` matches (参考资料, 本系列) is the
//!   article's: references and a series' index stay.
//!
//! A link's text must be short (`max-chars`): a sentence that links a word
//! is prose. Thumbnails inside the links go with them, as do the pieces of a
//! link card an exporter broke apart with blank lines (`[`, thumbnail,
//! title, `](url)`).

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, ShortText, regex, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::{EditSink, Reach};
use crate::learn::prints::{PROSE_CHARS, is_prose};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over a link's URL: the article pages of a platform.
    url: String,
    /// Fewest links a run must hold.
    #[serde(default = "default_min_run")]
    min_run: usize,
    /// Longest visible text, in characters, of one link.
    #[serde(default = "default_max_chars")]
    max_chars: usize,
    /// Regex over a header's visible text that marks a run anywhere in the
    /// document (not only in the tail).
    #[serde(default)]
    header: Option<String>,
    /// Regex over a header's visible text under which a run is the
    /// article's.
    #[serde(default)]
    keep_under: Option<String>,
    /// Longest visible text, in characters, of a header taken with its run.
    #[serde(default = "default_header_chars")]
    header_chars: usize,
}

/// How many blocks above a run [`DropLinkRun::kept_under`] reads.
const KEEP_UNDER_REACH: usize = 6;

fn default_min_run() -> usize {
    2
}

fn default_max_chars() -> usize {
    60
}

fn default_header_chars() -> usize {
    24
}

#[derive(Debug)]
struct DropLinkRun {
    url: super::Pattern,
    min_run: usize,
    max_chars: usize,
    header: Option<ShortText>,
    keep_under: Option<super::Pattern>,
    header_chars: usize,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.min_run == 0 {
        return Err("`min-run` must be at least 1".into());
    }
    Ok(Box::new(DropLinkRun {
        url: regex("url", &s.url)?,
        min_run: s.min_run,
        max_chars: s.max_chars,
        header: s
            .header
            .map(|h| Ok::<_, BuildError>(ShortText::new(regex("header", &h)?, s.header_chars)))
            .transpose()?,
        keep_under: s.keep_under.map(|k| regex("keep-under", &k)).transpose()?,
        header_chars: s.header_chars,
    }))
}

impl DropLinkRun {
    /// The number of article links paragraph `para` consists of, when it is
    /// nothing but such links (spacing and breaks aside).
    fn links_only<'d>(&self, doc: &'d Document, para: NodeId) -> Option<Vec<&'d str>> {
        let mut links = Vec::new();
        let mut stack: Vec<NodeId> = doc.children(para).collect();
        stack.reverse();
        while let Some(n) = stack.pop() {
            let node = doc.node(n);
            match &node.kind {
                _ if doc.is_blank_inline(n) => {}
                Kind::Strong | Kind::Emph => {
                    let mut kids: Vec<NodeId> = doc.children(n).collect();
                    kids.reverse();
                    stack.extend(kids);
                }
                Kind::Link(link) if node.trusted && self.url.is_match(&link.url) => {
                    // A bare URL is a reference, and a sentence (`因为你值得嘛。`)
                    // is prose: neither is a title.
                    let text = doc.visible_str(n).trim();
                    let chars = text.chars().count();
                    if chars == 0
                        || chars > self.max_chars
                        || text.contains("://")
                        || text.ends_with(['。', '.'])
                    {
                        return None;
                    }
                    links.push(link.url.as_str());
                }
                _ => return None,
            }
        }
        (!links.is_empty()).then_some(links)
    }

    /// A link card an exporter broke with blank lines: a paragraph `[`, a
    /// thumbnail and a title as paragraphs of their own, then `](url)`. The
    /// index of the closing paragraph, when block `k` opens such a card.
    fn broken_card<'d>(
        &self,
        doc: &'d Document,
        blocks: &[NodeId],
        k: usize,
    ) -> Option<(usize, &'d str)> {
        if doc.src(blocks[k]).trim() != "[" {
            return None;
        }
        for (j, &id) in blocks.iter().enumerate().skip(k + 1).take(4) {
            let node = doc.node(id);
            if node.kind != Kind::Paragraph || !node.trusted {
                return None;
            }
            let src = doc.src(id).trim();
            if let Some(url) = src.strip_prefix("](").and_then(|r| r.strip_suffix(')')) {
                let url = url.trim();
                return self.url.is_match(url).then_some((j, url));
            }
            if doc.visible_str(id).trim().chars().count() > self.max_chars {
                return None;
            }
        }
        None
    }

    /// True when block `id` reads as a label: a trusted paragraph of at
    /// most `header-chars` characters that ends no sentence.
    fn is_label(&self, doc: &Document, id: NodeId) -> bool {
        let node = doc.node(id);
        let text = doc.visible_str(id).trim();
        node.kind == Kind::Paragraph
            && node.trusted
            && !text.is_empty()
            && text.chars().count() <= self.header_chars
            && !text.ends_with(['。', '！', '？', '!', '?', '.'])
    }

    /// True when the run starting at block `first` is in a section that
    /// `keep-under` names: its heading, or a short label among the few
    /// blocks above it (`参考资料` over a first reference written out, then
    /// the linked ones; `参考分析链接` over `国内链接`). The walk back stops at
    /// a heading and at a label that names a gallery (`header`): references
    /// before a `往期推荐` gallery do not keep it.
    fn kept_under(&self, doc: &Document, blocks: &[NodeId], first: usize) -> bool {
        let Some(keep) = &self.keep_under else {
            return false;
        };
        for h in (first.saturating_sub(KEEP_UNDER_REACH)..first).rev() {
            let id = blocks[h];
            let node = doc.node(id);
            let text = doc.visible_str(id).trim();
            let chars = text.chars().count();
            let short = !text.is_empty() && chars <= self.header_chars;
            if matches!(node.kind, Kind::Heading(_)) {
                return short && keep.is_match(text);
            }
            // A line of prose ends the section's head: what is above it does
            // not name the run. A reference written out with its address is
            // no prose.
            if chars >= PROSE_CHARS && !text.contains("://") {
                return false;
            }
            let label = self.is_label(doc, id);
            if label && self.header.as_ref().is_some_and(|g| g.is_match(text)) {
                return false;
            }
            if label && keep.is_match(text) {
                return true;
            }
        }
        false
    }

    /// True when only whitespace, list and quote markers or a thematic break
    /// lie between byte offsets `a` and `b`.
    fn adjacent(doc: &Document, a: usize, b: usize) -> bool {
        a <= b
            && doc.text[a..b]
                .chars()
                .all(|c| c.is_whitespace() || "-*+>_.)0123456789".contains(c))
    }
}

impl Rule for DropLinkRun {
    fn reach(&self) -> Reach {
        Reach::Zone { headings: false }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["](".into()])
    }

    /// At least `min-run` link destinations that are article pages.
    fn may_fire(&self, text: &str) -> bool {
        text.match_indices("](")
            .filter(|(i, _)| {
                let dest = text[i + 2..].trim_start_matches(['<', ' ']);
                let end = dest.find([')', '\n', ' ']).unwrap_or(dest.len());
                self.url.is_match(&dest[..end])
            })
            .nth(self.min_run - 1)
            .is_some()
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let blocks = doc.text_blocks();
        // Runs as (first block, last block, links' URLs).
        let mut runs: Vec<(usize, usize, Vec<&str>)> = Vec::new();
        let mut k = 0;
        while k < blocks.len() {
            let id = blocks[k];
            let node = doc.node(id);
            let item = if node.kind != Kind::Paragraph || !node.trusted {
                None
            } else if let Some(urls) = self.links_only(doc, id) {
                Some((k, urls))
            } else {
                self.broken_card(doc, blocks, k)
                    .map(|(end, url)| (end, vec![url]))
            };
            let Some((end, urls)) = item else {
                k += 1;
                continue;
            };
            match runs.last_mut() {
                Some((_, last, links))
                    if *last + 1 == k
                        && Self::adjacent(
                            doc,
                            doc.node(blocks[*last]).range.end,
                            node.range.start,
                        ) =>
                {
                    *last = end;
                    links.extend(urls);
                }
                _ => runs.push((k, end, urls)),
            }
            k = end + 1;
        }
        // A gallery links different articles: text that links one page over
        // and over (an article wrapped in links to itself) is not one.
        runs.retain(|r| {
            let distinct: std::collections::HashSet<&str> = r.2.iter().copied().collect();
            distinct.len() == r.2.len() && r.2.len() >= self.min_run
        });
        if runs.is_empty() {
            return;
        }
        // The tail: no line of prose after the run, other runs aside (a
        // broken card's `](url)` reads as a long line).
        let prints = doc.prints();
        let in_runs = |id: NodeId| runs.iter().any(|(f, l, _)| blocks[*f..=*l].contains(&id));
        let prose_lines: Vec<usize> = prints
            .lines
            .iter()
            .filter(|l| is_prose(l) && !in_runs(l.para))
            .map(|l| doc.node(l.para).range.start)
            .collect();
        let in_tail = |first: usize, last: usize| {
            prose_lines
                .iter()
                .any(|&p| p < doc.node(blocks[first]).range.start)
                && !prose_lines
                    .iter()
                    .any(|&p| p > doc.node(blocks[last]).range.start)
        };
        for &(first, last, _) in &runs {
            // The header: the short paragraph right above the run.
            let header = first.checked_sub(1).map(|h| blocks[h]).filter(|&h| {
                self.is_label(doc, h)
                    && Self::adjacent(
                        doc,
                        doc.node(h).range.end,
                        doc.node(blocks[first]).range.start,
                    )
            });
            let header_text = header.map(|h| doc.visible_str(h).trim());
            if self.kept_under(doc, blocks, first) {
                continue;
            }
            let named =
                header_text.is_some_and(|t| self.header.as_ref().is_some_and(|h| h.is_match(t)));
            if !named && !in_tail(first, last) {
                continue;
            }
            for id in header.into_iter().chain((first..=last).map(|k| blocks[k])) {
                if let Some(range) = doc.removal_range(id) {
                    out.delete(range);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    const RULE: &str = r#"
[[rule]]
id = "g"
kind = "drop-link-run"
description = "d"
url = '^https?://mp\.weixin\.qq\.com/s'
header = '推荐|往期|精彩'
keep-under = '参考|系列'
"#;

    fn clean(text: &str) -> String {
        let tidy = "\n[[rule]]\nid = \"tidy\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        let set = RuleSet::parse(&format!("{RULE}{tidy}"), "t.toml").unwrap();
        crate::clean_text(text, &set, true).unwrap().output
    }

    const PROSE: &str = "这是一段很长的正文，讲的是一件只属于这篇文章的事情，和任何页脚都不一样，所以它是正文，足够长了。";

    #[test]
    fn a_gallery_in_the_tail_goes_with_its_header() {
        let text = format!(
            "{PROSE}\n\n**最新动态**\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[**第二篇**](http://mp.weixin.qq.com/s?a=2)\n\n[\n![](https://img/x.jpg)\n第三篇\n](http://mp.weixin.qq.com/s?a=3)\n"
        );
        assert_eq!(clean(&text), format!("{PROSE}\n"));
    }

    #[test]
    fn a_card_broken_by_blank_lines_is_one_link() {
        let card = |n: u8| {
            format!(
                "[\n\n![](https://img/{n}.jpg)\n\n第{n}篇\n\n](http://mp.weixin.qq.com/s?a={n})"
            )
        };
        let text = format!("{PROSE}\n\n{}\n\n{}\n", card(1), card(2));
        assert_eq!(clean(&text), format!("{PROSE}\n"));
    }

    #[test]
    fn one_link_references_and_prose_stay() {
        // One link is not a gallery.
        let one = format!("{PROSE}\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n");
        assert_eq!(clean(&one), one);
        // Under 参考资料 the links are the article's references.
        let refs = format!(
            "{PROSE}\n\n参考资料：\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[第二篇](http://mp.weixin.qq.com/s?a=2)\n"
        );
        assert_eq!(clean(&refs), refs);
        // The section names them, a few blocks up: a heading over a first
        // reference written out, or a label over a sub-label.
        for above in [
            "### 参考资料：\n\n1、某次发布会的实录\n\nhttps://www.gov.cn/a.htm",
            "参考分析链接\n\n国内链接",
        ] {
            let refs = format!(
                "{PROSE}\n\n{above}\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[第二篇](http://mp.weixin.qq.com/s?a=2)\n"
            );
            assert_eq!(clean(&refs), refs, "{above}");
        }
        // References before a gallery's own header do not keep the gallery.
        let gallery = format!(
            "{PROSE}\n\n参考资料：\n\n1、某次发布会的实录\n\n往期推荐\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[第二篇](http://mp.weixin.qq.com/s?a=2)\n"
        );
        assert_eq!(
            clean(&gallery),
            format!("{PROSE}\n\n参考资料：\n\n1、某次发布会的实录\n")
        );
        // Prose or a sentence above the run is no section label: the tail's
        // gallery goes.
        for above in [
            "注：本文参考了新华社的报道。",
            &format!("图片来源：网络\n\n{PROSE}"),
        ] {
            let text = format!(
                "{PROSE}\n\n{above}\n\n[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[第二篇](http://mp.weixin.qq.com/s?a=2)\n"
            );
            assert_eq!(clean(&text), format!("{PROSE}\n\n{above}\n"), "{above}");
        }
        // Links to other sites are not a gallery of the account's articles.
        let other = format!(
            "{PROSE}\n\n[第一篇](https://example.com/1)\n\n[第二篇](https://example.com/2)\n"
        );
        assert_eq!(clean(&other), other);
    }

    #[test]
    fn links_to_one_page_and_linked_sentences_are_prose() {
        let same = format!(
            "{PROSE}\n\n[其实大部分龙珠](http://mp.weixin.qq.com/s?a=1)\n\n[都是别人送来的](http://mp.weixin.qq.com/s?a=1)\n"
        );
        assert_eq!(clean(&same), same);
        let sentences = format!(
            "{PROSE}\n\n[因为你值得嘛。](http://mp.weixin.qq.com/s?a=1)\n\n[人生不需要赢。](http://mp.weixin.qq.com/s?a=2)\n"
        );
        assert_eq!(clean(&sentences), sentences);
    }

    #[test]
    fn in_the_body_a_run_needs_a_header_that_names_it() {
        let links =
            "[第一篇](http://mp.weixin.qq.com/s?a=1)\n\n[第二篇](http://mp.weixin.qq.com/s?a=2)";
        let bare = format!("{PROSE}\n\n{links}\n\n{PROSE}\n");
        assert_eq!(clean(&bare), bare);
        let named = format!("{PROSE}\n\n你可能错过的精彩\n\n{links}\n\n{PROSE}\n");
        assert_eq!(clean(&named), format!("{PROSE}\n\n{PROSE}\n"));
    }
}
