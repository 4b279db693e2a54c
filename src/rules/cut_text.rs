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
use crate::document::{Document, Kind};
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
}

fn default_max_line() -> usize {
    200
}

#[derive(Debug)]
struct CutText {
    pattern: regex::Regex,
    /// The pattern has a group named `cut`.
    grouped: bool,
    max_chars: usize,
    protected: bool,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    let pattern = regex("pattern", &s.pattern)?;
    Ok(Box::new(CutText {
        grouped: pattern.capture_names().any(|n| n == Some("cut")),
        pattern,
        max_chars: s.max_chars,
        protected: s.protected,
    }))
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
        let prefixes = super::regex_needles(&self.pattern);
        let words = super::literals::raw_needles(self.pattern.as_str());
        if shortest(&words) > shortest(&prefixes) {
            words
        } else {
            prefixes
        }
    }

    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            // A paragraph's lines are read alone.
            if node.kind != Kind::Paragraph || !node.trusted || !ctx.is_fresh(&node.range) {
                continue;
            }
            let para = doc.para_lines(id);
            for (k, line) in para.lines.iter().enumerate() {
                let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
                    continue;
                };
                let span = doc.node(first).range.start..doc.node(last).range.end;
                let src = &doc.text[span.clone()];
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
    /// when that is empty or the whole line (a line of junk is another
    /// rule's).
    fn cut(&self, src: &str, m: regex::Match) -> Option<std::ops::Range<usize>> {
        let cut = if self.grouped {
            let caps = self.pattern.captures_at(src, m.start())?;
            caps.name("cut")?.range()
        } else {
            m.range()
        };
        (!(cut.is_empty() || cut.start == 0 && cut.end == src.len())).then_some(cut)
    }
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
        // The whole line is not cut.
        assert_eq!(clean("，欢迎关注。\n"), "，欢迎关注。\n");
    }
}
