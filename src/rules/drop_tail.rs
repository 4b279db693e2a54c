//! `drop-tail`: remove everything from the first short block matching `start`
//! (大家都在看, 往期推荐, 推荐阅读 …) to the end of the document.
//!
//! Refused when the tail would hold more than `max-share` of the document's
//! visible text: a header in the middle of an article is not a tail. When the
//! first match is refused a later one may still qualify.
//!
//! `stop` (a regex over short blocks) and `stop-at-headings` end the tail
//! early: the first block after the header that matches (a `原文链接` line,
//! the next section's heading) is kept, with everything after it.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, ShortText, regex, settings};
use crate::document::{Document, Kind, Measured};
use crate::edit::{EditSink, Reach};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Regex over the header block's visible text (trimmed).
    start: String,
    /// Longest visible text, in characters, of the header block.
    #[serde(default = "default_header_chars")]
    max_chars: usize,
    /// Largest share (0–1) of the document's visible text the tail may hold.
    #[serde(default = "default_max_share")]
    max_share: f64,
    /// Regex over a later short block's visible text that ends the tail
    /// (that block and what follows are kept).
    #[serde(default)]
    stop: Option<String>,
    /// A heading after the header (one not matching `start`) ends the tail.
    #[serde(default)]
    stop_at_headings: bool,
    /// The tail may take headings after its header (the title never): for
    /// page UI scraped after an article, which has headings of its own. By
    /// default a later heading is article, and the tail ends before it.
    #[serde(default)]
    headings: bool,
}

fn default_header_chars() -> usize {
    30
}

fn default_max_share() -> f64 {
    0.5
}

#[derive(Debug)]
struct DropTail {
    start: ShortText,
    max_share: f64,
    stop: Option<ShortText>,
    stop_at_headings: bool,
    headings: bool,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if !(0.0..=1.0).contains(&s.max_share) {
        return Err("`max-share` must be between 0 and 1".into());
    }
    Ok(Box::new(DropTail {
        start: ShortText::new(regex("start", &s.start)?, s.max_chars),
        max_share: s.max_share,
        stop: s
            .stop
            .as_deref()
            .map(|p| regex("stop", p).map(|pattern| ShortText::new(pattern, s.max_chars)))
            .transpose()?,
        stop_at_headings: s.stop_at_headings,
        headings: s.headings,
    }))
}

impl Rule for DropTail {
    fn reach(&self) -> Reach {
        Reach::Zone {
            headings: self.headings,
        }
    }

    fn may_fire_is_free(&self) -> bool {
        true
    }

    fn visible_needles(&self) -> Option<Vec<String>> {
        super::literals::visible_needles(self.start.pattern.as_str())
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            if !matches!(node.kind, Kind::Paragraph | Kind::Heading(_)) || !node.trusted {
                continue;
            }
            if !self.is_header(doc.block_text(id)) {
                continue;
            }
            // The tail starts with the top-level block holding the header.
            let mut top = id;
            while let Some(p) = doc.node(top).parent {
                if doc.node(p).kind == Kind::Document {
                    break;
                }
                top = p;
            }
            let from = doc.content_line_start(doc.node(top).range.start);
            let tail = from..self.stop_at(doc, top);
            if doc.touches_code(&tail) {
                return;
            }
            // Counted only once a header matched: most texts have none.
            let total = doc.visible_chars();
            if total == 0 {
                return;
            }
            let share = doc.visible_chars_in(tail.clone()) as f64 / total as f64;
            if share <= self.max_share {
                out.delete(tail);
                return;
            }
        }
    }
}

impl DropTail {
    /// True when block text `m` is a header: `start` matches it as it is,
    /// or as its words read once the spacing and bullets that set a header
    /// apart are taken out (`· 往 期 推 荐 ·`, a header spelled out with a
    /// space between its characters, between two dots).
    fn is_header(&self, m: Measured) -> bool {
        if self.start.is_match_measured(m) {
            return true;
        }
        if m.text.is_empty() || m.chars > self.start.max_chars || !spaced_or_bulleted(m.text) {
            return false;
        }
        let squeezed: String = m
            .text
            .chars()
            .filter(|&c| !c.is_whitespace() && !is_bullet(c))
            .collect();
        self.start.is_match(&squeezed)
    }

    /// Where the tail that starts with top-level block `top` ends: the line
    /// start of the first later top-level block that stops it, or the end.
    fn stop_at(&self, doc: &Document, top: usize) -> usize {
        if self.stop.is_none() && !self.stop_at_headings {
            return doc.text.len();
        }
        for block in doc.children(0).filter(|&b| b > top) {
            let node = doc.node(block);
            let text = doc.visible_text(block);
            // An empty heading (an exporter's lone `#`) over a link to
            // another article (or an empty one) is the exporter's, inside
            // the list; over text of its own, images between or not, it is
            // a section whose title was lost.
            let heading = matches!(node.kind, Kind::Heading(_))
                && (!text.trim().is_empty() || {
                    doc.children(0)
                        .filter(|&b| b > block)
                        .find(|&b| !images_only(doc, b))
                        .is_some_and(|b| has_own_text(doc, b))
                });
            let stops = (self.stop_at_headings && heading && !self.start.is_match(&text))
                || (matches!(node.kind, Kind::Paragraph | Kind::Heading(_))
                    && self.stop.as_ref().is_some_and(|s| s.is_match(&text)));
            if stops {
                return doc.line_start(node.range.start);
            }
        }
        doc.text.len()
    }
}

/// True when block `id` is a paragraph of images alone (no text, no link).
fn images_only(doc: &Document, id: usize) -> bool {
    let node = doc.node(id);
    node.kind == Kind::Paragraph
        && doc.visible_text(id).trim().is_empty()
        && doc.nodes[id..node.end]
            .iter()
            .any(|n| matches!(n.kind, Kind::Image(_)))
        && !doc.nodes[id..node.end]
            .iter()
            .any(|n| matches!(n.kind, Kind::Link(_)))
}

/// True when block `id` shows text outside its links and images.
fn has_own_text(doc: &Document, id: usize) -> bool {
    let end = doc.node(id).end;
    let mut i = id;
    while i < end {
        let node = doc.node(i);
        match &node.kind {
            Kind::Link(_) | Kind::Image(_) => {
                i = node.end;
                continue;
            }
            Kind::Text(_) | Kind::Code if !doc.visible_text(i).trim().is_empty() => {
                return true;
            }
            Kind::CodeBlock | Kind::HtmlBlock | Kind::Table => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// True when `text` starts or ends with a bullet, or holds a space between
/// two CJK ideographs (`推 荐`): only then can taking them out make a
/// header. Cheap for the common short line: a search for spaces, and a look
/// at its two ends.
fn spaced_or_bulleted(text: &str) -> bool {
    let ends = |c: Option<char>| c.is_some_and(is_bullet);
    if ends(text.chars().next()) || ends(text.chars().next_back()) {
        return true;
    }
    memchr::memchr_iter(b' ', text.as_bytes()).any(|at| {
        let before = text[..at].trim_end().chars().next_back();
        let after = text[at..].trim_start().chars().next();
        before.is_some_and(crate::learn::prints::is_cjk_ideograph)
            && after.is_some_and(crate::learn::prints::is_cjk_ideograph)
    })
}

/// A character that sets a header apart without being part of its words
/// (asterisks too: emphasis markers that did not pair read as text).
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '·' | '•'
            | '‧'
            | '∙'
            | '●'
            | '○'
            | '◦'
            | '■'
            | '□'
            | '▪'
            | '▫'
            | '◆'
            | '◇'
            | '►'
            | '▶'
            | '▸'
            | '★'
            | '☆'
            | '—'
            | '–'
            | '~'
            | '～'
            | '*'
    )
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"t\"\nkind = \"drop-tail\"\ndescription = \"d\"\nstart = '^推荐阅读$'\nstop = '^原文链接'\nstop-at-headings = true\nmax-share = 0.9\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn the_tail_stops_at_a_stop_block_or_the_next_heading() {
        let body = "正文第一段，讲的是一件很长的事情，足够长。\n\n";
        assert_eq!(
            clean(&format!(
                "{body}推荐阅读\n\n[a](https://e.com/a)\n\n原文链接\n\nhttps://e.org/x\n"
            )),
            format!("{body}原文链接\n\nhttps://e.org/x\n")
        );
        assert_eq!(
            clean(&format!(
                "{body}推荐阅读\n\n[a](https://e.com/a)\n\n## 技术交流\n\n欢迎留言。\n"
            )),
            format!("{body}## 技术交流\n\n欢迎留言。\n")
        );
        assert_eq!(
            clean(&format!("{body}推荐阅读\n\n[a](https://e.com/a)\n")),
            body.to_string()
        );
    }

    #[test]
    fn an_empty_heading_stops_the_tail_only_over_prose() {
        let body = "# 标题\n\n正文第一段，讲的是一件很长的事情，足够长，也只属于这篇文章本身。\n\n";
        // An exporter's lone `#` over each recommended link: the tail goes
        // on through it, and takes it.
        assert_eq!(
            clean(&format!(
                "{body}推荐阅读\n\n#\n[《一》](https://e.com/1)\n\n#\n[《二》](https://e.com/2)\n"
            )),
            body.to_string()
        );
        // Over the author's closing words, with a figure or a label above
        // them or not, it is a section's heading whose text was lost: they
        // stay.
        let closing = "本文算是一个合集系列，会收集各种经典的漏洞案例，分析形成的原因并归类探测方法，感谢阅读。\n";
        assert_eq!(
            clean(&format!(
                "{body}推荐阅读\n\n[a](https://e.com/a)\n\n##\n\n{closing}"
            )),
            format!("{body}##\n\n{closing}")
        );
        for between in ["**后记**\n\n", "![架构图](https://e.com/x.png)\n\n"] {
            assert_eq!(
                clean(&format!(
                    "{body}推荐阅读\n\n[a](https://e.com/a)\n\n##\n\n{between}{closing}"
                )),
                format!("{body}##\n\n{between}{closing}")
            );
        }
    }

    #[test]
    fn a_header_spelled_out_or_between_bullets_starts_a_tail() {
        let body = "正文第一段，讲的是一件很长的事情，足够长。\n\n";
        for header in [
            "推 荐 阅 读",
            "**·****推 荐 阅 读**  \n**·**",
            "— 推荐阅读 —",
        ] {
            assert_eq!(
                clean(&format!("{body}{header}\n\n[a](https://e.com/a)\n")),
                body.to_string(),
                "{header}"
            );
        }
        // Other words between the characters are no header.
        let kept = format!("{body}推荐 大家 阅读 这本书\n\n[a](https://e.com/a)\n");
        assert_eq!(clean(&kept), kept);
    }
}
