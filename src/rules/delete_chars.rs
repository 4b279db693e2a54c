//! `delete-chars`: removes listed characters (zero-width spaces, joiners,
//! word joiners, stray byte-order marks) from the text of a document,
//! never from code, raw HTML or URLs.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind, Literal};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// The characters to remove, one per string (`"\u200b"`).
    chars: Vec<String>,
}

#[derive(Debug)]
struct DeleteChars {
    chars: Vec<char>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    let mut chars = Vec::new();
    for c in &s.chars {
        let mut it = c.chars();
        match (it.next(), it.next()) {
            (Some(ch), None) => chars.push(ch),
            _ => {
                return Err(format!("`chars` entries must be single characters, not {c:?}").into());
            }
        }
    }
    if chars.is_empty() {
        return Err("`chars` must list at least one character".into());
    }
    Ok(Box::new(DeleteChars { chars }))
}

impl Rule for DeleteChars {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        for node in &doc.nodes {
            // Only text that is its own source: its bytes are the edit's.
            if !node.trusted || node.kind != Kind::Text(Literal::Source) {
                continue;
            }
            let src = &doc.text[node.range.clone()];
            // A block that holds nothing but such characters stays: emptying
            // its line would join the blocks around it (an indented code
            // block would swallow the next lines).
            let block_text = node.parent.map(|p| doc.visible_text(p)).unwrap_or_default();
            if block_text
                .chars()
                .all(|c| c.is_whitespace() || self.chars.contains(&c))
            {
                continue;
            }
            // Text of a leading byte-order mark is not in a text node; a text
            // node at offset 0 keeps its first character.
            for (i, c) in src.char_indices() {
                if self.chars.contains(&c) && !(node.range.start + i == 0 && c == '\u{feff}') {
                    let at = node.range.start + i;
                    out.delete(at..at + c.len_utf8());
                }
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(self.chars.iter().map(|c| c.to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    #[test]
    fn zero_width_characters_go_outside_code() {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"z\"\nkind = \"delete-chars\"\ndescription = \"d\"\nchars = [\"\\u200b\", \"\\u2060\"]\n",
            "t.toml",
        )
        .unwrap();
        let out = crate::clean_text("# 【安全圈】\u{200b}标题\n\n`a\u{200b}b`\n", &rules, true)
            .unwrap()
            .output;
        assert_eq!(out, "# 【安全圈】标题\n\n`a\u{200b}b`\n");
        let alone = "    code\n\n\u{200b}\n\n     more\n";
        assert_eq!(
            crate::clean_text(alone, &rules, true).unwrap().output,
            alone
        );
    }
}
