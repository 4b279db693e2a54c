//! `trim-block-ends`: spaces and tabs at the end of a paragraph's last line
//! or of a heading go. There a two-space hard break breaks nothing (CommonMark
//! ignores a hard break at the end of a block, and a heading's trailing
//! spaces), so the rendering stays the same; exporters that end every line
//! with two spaces (wechatmp2markdown) leave one on every block. Hard breaks
//! inside a paragraph are left alone: they render as line breaks.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct TrimBlockEnds;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(TrimBlockEnds))
}

impl Rule for TrimBlockEnds {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let text = doc.text;
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            if !matches!(node.kind, Kind::Paragraph | Kind::Heading(_))
                || !node.trusted
                || node.range.is_empty()
            {
                continue;
            }
            // The block's last line, whatever the span holds of it.
            let last = node.range.end - 1;
            let start = doc.line_start(last);
            let line = &text[start..doc.line_end(last)];
            let body = line.trim_end_matches(['\n', '\r']);
            let kept = body.trim_end_matches([' ', '\t']);
            if kept.len() == body.len() || kept.trim().is_empty() {
                continue;
            }
            let range = start + kept.len()..start + body.len();
            if doc.touches_code(&range) {
                continue;
            }
            out.delete(range);
        }
    }

    // No needles: trailing spaces at the very end have no line break after them.
    fn may_fire(&self, text: &str) -> bool {
        text.contains(" \n")
            || text.contains("\t\n")
            || text.contains(" \r")
            || text.contains("\t\r")
            || text.ends_with([' ', '\t'])
    }

    fn settles(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"t\"\nkind = \"trim-block-ends\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn breaks_at_block_ends_go_and_breaks_inside_stay() {
        assert_eq!(
            clean("#  标题   \n作者  账号   2025-03-23 21:25  \n  \n第一行  \n第二行  \n\n"),
            "#  标题\n作者  账号   2025-03-23 21:25\n  \n第一行  \n第二行\n\n"
        );
        // The last line of a paragraph in a list item or a quote, and one
        // followed by another block without a blank line.
        assert_eq!(
            clean("- a  \n- b  \n\n> c  \n\n![](x.png)  \n## h  \n"),
            "- a\n- b\n\n> c\n\n![](x.png)\n## h\n"
        );
        assert_eq!(clean("a\r\nb  \r\n"), "a\r\nb\r\n");
        assert_eq!(clean("end  "), "end");
    }

    #[test]
    fn code_and_html_keep_their_spaces() {
        let text = "```\ncode  \n```\n\n    indented  \n\n<div>  \n</div>\n\n`x`  \n";
        assert_eq!(
            clean(text),
            "```\ncode  \n```\n\n    indented  \n\n<div>  \n</div>\n\n`x`\n"
        );
    }
}
