//! `cut-text`: remove the part of a paragraph's line that a regex matches in
//! its source, keeping the rest of the line: an exporter's banner glued in
//! front of the article's attribution (`本文由 [简悦 SimpRead](…) 转码， 原文地址
//! [mp.weixin.qq.com](…)` keeps `原文地址 [mp.weixin.qq.com](…)`).
//!
//! The pattern is matched against the line's source (markup included, the
//! container's `> ` prefix left out). A line holding code is never cut.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, regex, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::{EditSink, Reach};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the source of a line of a paragraph. With a group named
    /// `cut`, only what that group matches is cut (the closing `**` of a
    /// bold line after a trailing clause stays).
    pattern: String,
    /// Longest line, in characters of its visible text, the rule cuts.
    #[serde(default = "default_max_line")]
    max_chars: usize,
    /// May cut lines that the rules file's `protect` patterns keep: for a
    /// banner glued to the attribution it precedes.
    #[serde(default)]
    protected: bool,
    /// Longest cut, in characters a reader sees (a web address counts as
    /// one, link destinations and emphasis markers as none): a trailing
    /// clause that runs on into the article's own words stays whole.
    #[serde(default)]
    max_cut_chars: Option<usize>,
    /// Only among the first N top-level blocks of the document (with
    /// `tail`: or among the last).
    #[serde(default)]
    head: Option<usize>,
    /// Only among the last N top-level blocks of the document.
    #[serde(default)]
    tail: Option<usize>,
}

fn default_max_line() -> usize {
    200
}

#[derive(Debug)]
struct CutText {
    pattern: super::Pattern,
    /// The pattern has a group named `cut`.
    grouped: bool,
    max_chars: usize,
    protected: bool,
    max_cut_chars: Option<usize>,
    head: Option<usize>,
    tail: Option<usize>,
    /// Strings one of which every match holds ([`CutText::needles`]): a
    /// line with none is not searched.
    line_needles: Vec<memchr::memmem::Finder<'static>>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    let pattern = regex("pattern", &s.pattern)?;
    let mut rule = CutText {
        grouped: pattern.capture_names().any(|n| n == Some("cut")),
        pattern,
        max_chars: s.max_chars,
        protected: s.protected,
        max_cut_chars: s.max_cut_chars,
        head: s.head,
        tail: s.tail,
        line_needles: Vec::new(),
    };
    let needles = rule.needles().unwrap_or_default();
    // A needle that holds another says nothing more (`可关注`, `关注`).
    rule.line_needles = needles
        .iter()
        .filter(|n| !needles.iter().any(|m| m != *n && n.contains(m.as_str())))
        .map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned())
        .collect();
    Ok(Box::new(rule))
}

impl Rule for CutText {
    fn reach(&self) -> Reach {
        Reach::Blocks {
            headings: false,
            protected: self.protected,
            glued_images: false,
        }
    }

    /// The better of the pattern's prefixes and the words every match
    /// holds: a pattern that opens with a punctuation class (`[，,]欢迎…`)
    /// has prefixes that any Chinese text holds.
    fn needles(&self) -> Option<Vec<String>> {
        let shortest = |set: &Option<Vec<String>>| {
            set.as_ref().map_or(0, |s| {
                s.iter().map(|n| n.chars().count()).min().unwrap_or(0)
            })
        };
        let prefixes = super::regex_needles(self.pattern.as_str());
        let words = super::literals::raw_needles(self.pattern.as_str());
        if shortest(&words) > shortest(&prefixes) {
            words
        } else {
            prefixes
        }
    }

    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        let windowed = self.head.is_some() || self.tail.is_some();
        let top: Vec<NodeId> = if windowed {
            doc.children(0).collect()
        } else {
            Vec::new()
        };
        // What the rule reads (the whole text, or its window's top-level
        // blocks), and where the needles start in it, found in one scan: a
        // paragraph with none is not read.
        let spans: Vec<std::ops::Range<usize>> = if windowed {
            let n = top.len();
            let head = self.head.unwrap_or(0).min(n);
            let tail = n - self.tail.unwrap_or(0).min(n);
            let tail = tail.max(head);
            top[..head]
                .iter()
                .chain(&top[tail..])
                .map(|&t| doc.node(t).range.clone())
                .collect()
        } else {
            std::iter::once(0..doc.text.len()).collect()
        };
        let mut hits: Vec<usize> = Vec::new();
        for n in &self.line_needles {
            for r in &spans {
                let bytes = &doc.text.as_bytes()[r.clone()];
                hits.extend(n.find_iter(bytes).map(|h| r.start + h));
            }
        }
        if hits.is_empty() && !self.line_needles.is_empty() {
            return;
        }
        hits.sort_unstable();
        let holds = |r: &std::ops::Range<usize>| {
            self.line_needles.is_empty() || {
                let k = hits.partition_point(|&h| h < r.start);
                hits.get(k).is_some_and(|&h| h < r.end)
            }
        };
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            // A paragraph's lines are read alone; a window reads its place
            // among the others.
            if node.kind != Kind::Paragraph
                || !node.trusted
                || !(windowed || ctx.is_fresh(&node.range))
                || !holds(&node.range)
                || (windowed
                    && !spans
                        .iter()
                        .any(|r| crate::document::covers(r, &node.range)))
            {
                continue;
            }
            let para = doc.para_lines(id);
            for (k, line) in para.lines.iter().enumerate() {
                let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
                    continue;
                };
                let span = doc.node(first).range.start..doc.node(last).range.end;
                let src = &doc.text[span.clone()];
                if !holds(&span) {
                    continue;
                }
                // The length is the line's visible text: a banner line is
                // short to read, whatever the length of the addresses in it
                // (a tracking query would otherwise hide the banner until
                // another rule had stripped it, a pass later).
                if let Some(m) = self.pattern.find(src)
                    && let Some(cut) = self.cut(src, m)
                    && !doc.touches_code(&span)
                    && para.measured(doc, k).chars <= self.max_chars
                {
                    out.delete(span.start + cut.start..span.start + cut.end);
                }
            }
        }
    }
}

impl CutText {
    /// What to cut of line `src` where the pattern matched at `m`: the
    /// group named `cut` if the pattern has one, else the match. Nothing
    /// when that is empty, longer than `max-cut-chars`, or all a reader
    /// sees of the line (a line of junk is another rule's).
    fn cut(&self, src: &str, m: regex::Match) -> Option<std::ops::Range<usize>> {
        let cut = if self.grouped {
            let caps = self.pattern.captures_at(src, m.start())?;
            caps.name("cut")?.range()
        } else {
            m.range()
        };
        // Nothing a reader sees may be all that is left (`**，欢迎关注。**`
        // would leave `****`, a thematic break): a line of junk is another
        // rule's.
        let left = seen_chars(&src[..cut.start]) + seen_chars(&src[cut.end..]);
        let long = self
            .max_cut_chars
            .is_some_and(|max| seen_chars(&src[cut.clone()]) > max);
        (!(cut.is_empty() || left == 0 || long)).then_some(cut)
    }
}

/// Characters of Markdown source `s` a reader sees, roughly: a web address
/// counts as one, a link's destination and emphasis markers as none.
fn seen_chars(s: &str) -> usize {
    let mut n = 0;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("http://") || rest.starts_with("https://") {
            n += 1;
            let end = rest
                .find(|c: char| c.is_whitespace() || c == ')' || !c.is_ascii())
                .unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with("](") {
            let end = rest.find(')').map_or(rest.len(), |i| i + 1);
            rest = &rest[end..];
            continue;
        }
        if !matches!(c, '*' | '_' | '[' | ']') {
            n += 1;
        }
        rest = &rest[c.len_utf8()..];
    }
    n
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    #[test]
    fn the_banner_goes_and_the_attribution_stays() {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"c\"\nkind = \"cut-text\"\ndescription = \"d\"\npattern = '^本文由\\s*\\[简悦\\s*SimpRead\\]\\([^)]*\\)\\s*转码[，,]\\s*'\n",
            "t.toml",
        )
        .unwrap();
        let text = "> 本文由 [简悦 SimpRead](http://ksria.com/simpread/) 转码， 原文地址 [mp.weixin.qq.com](https://mp.weixin.qq.com/s/x)\n\n正文。\n";
        let out = crate::clean_text(text, &rules, true).unwrap().output;
        assert_eq!(
            out,
            "> 原文地址 [mp.weixin.qq.com](https://mp.weixin.qq.com/s/x)\n\n正文。\n"
        );
        // A match that would leave nothing of the line is not a cut.
        let alone = "本文由 [简悦 SimpRead](http://ksria.com/simpread/) 转码，\n";
        assert_eq!(
            crate::clean_text(alone, &rules, true).unwrap().output,
            alone
        );
    }

    #[test]
    fn a_trailing_clause_is_cut_and_a_group_named_cut_keeps_the_closing_bold() {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"c\"\nkind = \"cut-text\"\ndescription = \"d\"\npattern = '(?P<cut>，欢迎关注[^*]*)\\**$'\n",
            "t.toml",
        )
        .unwrap();
        let clean = |t: &str| crate::clean_text(t, &rules, true).unwrap().output;
        // A match that ends the line is a cut, when something is left.
        assert_eq!(clean("正文写完了，欢迎关注。\n"), "正文写完了\n");
        // The closing bold stays, so the line stays bold.
        assert_eq!(clean("**正文写完了，欢迎关注。**\n"), "**正文写完了**\n");
        // The whole line is not cut, nor all a reader sees of it.
        assert_eq!(clean("，欢迎关注。\n"), "，欢迎关注。\n");
        assert_eq!(clean("**，欢迎关注。**\n"), "**，欢迎关注。**\n");
    }
}
