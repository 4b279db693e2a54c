//! `clear-blank-lines`: a line holding only spaces or tabs becomes empty,
//! everywhere outside code, raw HTML blocks and front matter. Such lines are
//! blank to Markdown already; exporters leave thousands of them.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct ClearBlankLines;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(ClearBlankLines))
}

impl Rule for ClearBlankLines {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        // Ranges left alone, listed when the first candidate line is found.
        let keep = std::cell::OnceCell::new();
        let keep = || -> &Vec<_> {
            keep.get_or_init(|| {
                doc.nodes
                    .iter()
                    .filter(|n| {
                        matches!(
                            n.kind,
                            Kind::HtmlBlock | Kind::FrontMatter | Kind::CodeBlock
                        ) || !n.trusted
                    })
                    .filter(|n| !matches!(n.kind, Kind::Document))
                    .map(|n| n.range.clone())
                    .collect::<Vec<_>>()
            })
        };
        let text = doc.text;
        for (start, line) in crate::document::lines_inclusive(text) {
            // Only a line that starts with a space or a tab can be one.
            if !line.starts_with([' ', '\t']) {
                continue;
            }
            let at = start + line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            if body.is_empty() || !body.chars().all(|c| c == ' ' || c == '\t') {
                continue;
            }
            let range = start..start + body.len();
            // Before an indented line, whitespace on a blank line can decide
            // whether that line is code or a continuation (inside list items
            // and footnotes): leave it.
            let next = text[at..].trim_start_matches([' ', '\t', '\r', '\n']);
            let rest = &text[at..];
            let next_line_start = rest.len() - next.len();
            let next_line = &rest[..next_line_start];
            // Whitespace that runs to the end of the text is no line at all.
            let indented_next = !next.is_empty()
                && next_line
                    .rsplit('\n')
                    .next()
                    .is_some_and(|lead| !lead.is_empty());
            if indented_next {
                continue;
            }
            if keep()
                .iter()
                .any(|k| k.start <= range.start && range.start < k.end)
            {
                continue;
            }
            out.delete(range);
        }
    }

    // No needles: a whitespace-only last line has no line break after it.
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::has_whitespace_line(text)
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
            "[[rule]]\nid = \"b\"\nkind = \"clear-blank-lines\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn whitespace_lines_become_empty_outside_code_and_html() {
        assert_eq!(clean("a  \n  \nb\n\t\r\nc\n"), "a  \n\nb\n\r\nc\n");
        let code = "```\n  \n```\n\n    x\n    \n    y\n";
        assert_eq!(clean(code), code);
        let html = "<pre>\n  \n</pre>\n";
        assert_eq!(clean(html), html);
    }

    #[test]
    fn whitespace_lines_before_an_indented_line_stay() {
        let text = "- item\n  \n\n    more\n";
        assert_eq!(clean(text), text);
        assert_eq!(clean("a\n  \n\nb\n"), "a\n\n\nb\n");
        // Regression (properties): whitespace to the end of the text is not
        // an indented line; leaving the line before it made a second clean
        // change the text again.
        assert_eq!(clean("   \n "), "\n");
        assert_eq!(clean("   \n "), clean(&clean("   \n ")));
    }
}
