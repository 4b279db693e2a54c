//! `drop-block`: remove a whole short block (paragraph, heading, list item,
//! HTML block) whose visible text matches a regex.
//!
//! `max-chars` keeps long blocks safe: a paragraph that merely mentions 点赞 in
//! its prose is longer than any call to action. Blocks holding code are never
//! dropped. In a block of several lines every logical line must match
//! (`pattern`, or `also` beside a line `pattern` matches).

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, ShortText, default_max_chars, regex, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::{EditSink, Reach};
use crate::fragments::logical_lines;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the block's visible text (markup removed, trimmed).
    pattern: String,
    /// Longest visible text, in characters, a dropped block may have.
    #[serde(default = "default_max_chars")]
    max_chars: usize,
    /// Only among the first N top-level blocks of the document.
    #[serde(default)]
    head: Option<usize>,
    /// Only among the last N top-level blocks of the document.
    #[serde(default)]
    tail: Option<usize>,
    /// The kinds of block the rule may remove: `paragraph`, `html` and
    /// `heading`. Headings are left out by default: a heading is the
    /// article's, unless a rule names them.
    #[serde(default = "default_blocks")]
    blocks: Vec<BlockKind>,
    /// May remove lines that the rules file's `protect` patterns keep: for
    /// opt-in rules made for such lines (bylines, credits).
    #[serde(default)]
    protected: bool,
    /// Images that share a matched line with its text go with it (a call to
    /// action's own GIF). Images on lines of their own always stay.
    #[serde(default)]
    glued_images: bool,
    /// Regex over the same text: a block (or line) it matches stays, though
    /// `pattern` matches it. A line that ends on a colon announces what the
    /// article says next (`在你分享转发之前，不妨先问问自己：`).
    #[serde(default)]
    unless: Option<String>,
    /// Regex over a line: a line it matches may stand in a removed block
    /// beside lines `pattern` matches, though it is no reason to remove a
    /// block on its own (`本文源自…的博客` under `转载请注明出处：…` is part of
    /// the notice; alone it is the article's source).
    #[serde(default)]
    also: Option<String>,
    /// Only blocks that stand at the top of the document: a match inside a
    /// list or a quote is the article's example of it.
    #[serde(default)]
    top_level: bool,
}

#[derive(Deserialize, serde::Serialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum BlockKind {
    Paragraph,
    Html,
    Heading,
}

fn default_blocks() -> Vec<BlockKind> {
    vec![BlockKind::Paragraph, BlockKind::Html]
}

#[derive(Debug)]
struct DropBlock {
    text: ShortText,
    head: Option<usize>,
    tail: Option<usize>,
    blocks: Vec<BlockKind>,
    protected: bool,
    glued_images: bool,
    also: Option<super::Pattern>,
    top_level: bool,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    Ok(Box::new(DropBlock {
        text: ShortText {
            unless: s.unless.map(|u| regex("unless", &u)).transpose()?,
            ..ShortText::new(regex("pattern", &s.pattern)?, s.max_chars)
        },
        head: s.head,
        tail: s.tail,
        blocks: s.blocks,
        protected: s.protected,
        glued_images: s.glued_images,
        also: s.also.map(|a| regex("also", &a)).transpose()?,
        top_level: s.top_level,
    }))
}

impl Rule for DropBlock {
    fn reach(&self) -> Reach {
        Reach::Blocks {
            headings: self.blocks.contains(&BlockKind::Heading),
            protected: self.protected,
            glued_images: self.glued_images,
        }
    }

    fn may_fire_is_free(&self) -> bool {
        true
    }

    fn visible_needles(&self) -> Option<Vec<String>> {
        super::literals::visible_needles(self.text.pattern.as_str())
    }

    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        if self.head.is_some() || self.tail.is_some() {
            // A window reads its place among the others: every block of it.
            for range in self.window(doc) {
                out.delete(range);
            }
            return;
        }
        for &id in doc.text_blocks() {
            // A block's phrase test reads the block alone.
            if ctx.is_fresh(&doc.node(id).range)
                && let Some(range) = self.removal(doc, id)
            {
                out.delete(range);
            }
        }
    }
}

impl DropBlock {
    /// What removing block `id` takes, when the rule removes it.
    fn removal(&self, doc: &Document, id: NodeId) -> Option<std::ops::Range<usize>> {
        let node = doc.node(id);
        if !node.trusted || (self.top_level && node.parent != Some(0)) {
            return None;
        }
        let kind = match node.kind {
            Kind::Paragraph => BlockKind::Paragraph,
            Kind::Heading(_) => BlockKind::Heading,
            Kind::HtmlBlock => BlockKind::Html,
            _ => return None,
        };
        if !self.blocks.contains(&kind) {
            return None;
        }
        let measured = doc.block_text(id);
        // Every line of the block must be junk: a paragraph that merely
        // ends with a matching line is drop-line's business. Lines are
        // read as logical lines: fragments join their sentence. The length
        // test comes first: it rejects long prose without a regex. A
        // paragraph or heading holding code is never dropped (tested
        // last: it walks the block).
        if self.text.is_match_measured(measured)
            && !(node.kind != Kind::HtmlBlock && doc.contains(id, |k| *k == Kind::Code))
            && self.lines_go(logical_lines(measured.text))
        {
            doc.removal_range(id)
        } else {
            None
        }
    }

    /// The removals in the window: the first `head` and the last `tail`
    /// top-level blocks, not counting those this rule removes whole. So its
    /// removals at an edge, which would bring the next block into the
    /// window in a later pass, are made in this one: a stack of matches
    /// goes at once, not one a pass.
    fn window(&self, doc: &Document) -> Vec<std::ops::Range<usize>> {
        let top: Vec<NodeId> = doc.children(0).collect();
        // The removals of each top-level block's text blocks, worked out
        // once: the head and the tail may meet.
        let mut seen: Vec<Option<Vec<std::ops::Range<usize>>>> = vec![None; top.len()];
        let mut take = |order: &mut dyn Iterator<Item = usize>, n: usize| {
            let mut kept = 0;
            for i in order {
                if kept >= n {
                    break;
                }
                let t = top[i];
                let dels = seen[i].get_or_insert_with(|| self.removals_in(doc, t));
                let r = &doc.node(t).range;
                if !dels.iter().any(|d| crate::document::covers(d, r)) {
                    kept += 1;
                }
            }
        };
        if let Some(n) = self.head {
            take(&mut (0..top.len()), n);
        }
        if let Some(n) = self.tail {
            take(&mut (0..top.len()).rev(), n);
        }
        seen.into_iter().flatten().flatten().collect()
    }

    /// The removals this rule makes among the text blocks of top-level
    /// block `t`.
    fn removals_in(&self, doc: &Document, t: NodeId) -> Vec<std::ops::Range<usize>> {
        let blocks = doc.text_blocks();
        let from = blocks.partition_point(|&b| b < t);
        let end = doc.node(t).end;
        blocks[from..]
            .iter()
            .take_while(|&&b| b < end)
            .filter_map(|&b| self.removal(doc, b))
            .collect()
    }

    /// True when every logical line of a block may go: `pattern` matches
    /// it, or `also` does (and `unless` does not) while `pattern` matches
    /// another line of the block.
    fn lines_go(&self, lines: Vec<String>) -> bool {
        let mut lines = lines.iter().map(String::as_str).filter(|l| !l.is_empty());
        let Some(also) = &self.also else {
            return lines.all(|l| self.text.matches(l));
        };
        let mut any = false;
        for l in lines {
            if self.text.matches(l) {
                any = true;
            } else if !also.is_match(l) || self.text.unless.as_ref().is_some_and(|u| u.is_match(l))
            {
                return false;
            }
        }
        any
    }
}

/// The text of an HTML block with its tags removed. A tag runs from a `<`
/// to the next `>`; a `>` outside a tag is text. Copied run by run between
/// the tags.
pub(crate) fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        out.push_str(&rest[..open]);
        match memchr::memchr(b'>', &rest.as_bytes()[open..]) {
            Some(close) => rest = &rest[open + close + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::html_text;

    #[test]
    fn html_text_drops_the_tags_and_keeps_the_rest_as_a_char_walk_does() {
        let walk = |html: &str| {
            let mut out = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out
        };
        for html in [
            "",
            "<p>关注<b>我们</b></p>",
            "a > b <br/> c",
            "<a<b>c>d",
            "文字<未闭合",
            ">>><<<>>>",
            "<section style=\"x\">长按识别二维码</section>\n<img src=\"a.png\">",
        ] {
            assert_eq!(html_text(html), walk(html), "{html}");
        }
    }
}
