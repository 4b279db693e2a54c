//! `repair-emphasis`: removes the emphasis debris WeChat's span-per-style
//! markup leaves after conversion: `**` runs the parser could not pair
//! (`** **`, `****`, `**  \n**`, the trailing `****` of `**标题******`), a
//! stray `*` glued to a bold run (`***本文…**`), emphasis around nothing, and
//! bold wrapped around bold or around an image only.
//!
//! Text is never removed, only asterisks. Runs between two ASCII letters or
//! digits (`2**10`) are left alone.

use serde::Deserialize;

use super::{Context, Rule, settings};
use crate::document::{Document, Kind, Literal, NodeId};
use crate::edit::EditSink;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {}

#[derive(Debug)]
struct RepairEmphasis;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, String> {
    let _: Settings = settings(table)?;
    Ok(Box::new(RepairEmphasis))
}

/// Longest run of unpaired stars taken as debris (`**标题******` leaves six);
/// longer runs are deliberate (rulers, ratings) and stay.
const MAX_RUN: usize = 8;

fn is_emphasis(k: &Kind) -> bool {
    matches!(k, Kind::Strong | Kind::Emph)
}

impl Rule for RepairEmphasis {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let text = doc.text;
        for (id, node) in doc.nodes.iter().enumerate() {
            if !node.trusted {
                continue;
            }
            match &node.kind {
                // Only text that is its own source: its bytes are the edit's.
                Kind::Text(Literal::Source) => {
                    if !text[node.range.clone()].contains('*') {
                        continue;
                    }
                    self.stray_runs(doc, id, out);
                }
                k if is_emphasis(k) => self.empty_or_redundant(doc, id, out),
                _ => {}
            }
        }
    }

    // No needles: `*` and `_` are in nearly every text; the hook scans.

    // Single `*`/`_` emphasis around nothing or around images only has no
    // `**`: the raw test looks at what follows each delimiter.
    fn may_fire(&self, text: &str) -> bool {
        crate::prefilter::raw::may_have_emphasis_debris(text)
    }
}

impl RepairEmphasis {
    /// Literal `*` runs in a text node: delimiters the parser left unpaired.
    fn stray_runs(&self, doc: &Document, id: NodeId, out: &mut EditSink) {
        let node = doc.node(id);
        let src = &doc.text[node.range.clone()];
        let b = src.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'*' {
                i += 1;
                continue;
            }
            let start = i;
            // A run: stars, with spaces allowed between stars.
            let mut end = i;
            let mut stars = 0;
            let mut j = i;
            while j < b.len() && (b[j] == b'*' || b[j] == b' ') {
                if b[j] == b'*' {
                    stars += 1;
                    end = j + 1;
                }
                j += 1;
            }
            i = end.max(start + 1);
            let before = src[..start].chars().next_back();
            let after = src[end..].chars().next();
            let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if alnum(before) && alnum(after) {
                continue;
            }
            let run = node.range.start + start..node.range.start + end;
            if (2..=MAX_RUN).contains(&stars)
                || (stars == 1 && self.glued_to_bold(doc, id, start == 0, end == b.len()))
            {
                out.delete(run);
            }
        }
    }

    /// A lone `*` that is the whole text node, right against bold: the third
    /// star of `***x**`.
    fn glued_to_bold(&self, doc: &Document, id: NodeId, at_start: bool, at_end: bool) -> bool {
        let node = doc.node(id);
        if !(at_start && at_end) {
            return false;
        }
        let Some(parent) = node.parent else {
            return false;
        };
        let siblings: Vec<NodeId> = doc.children(parent).collect();
        let pos = siblings.iter().position(|&s| s == id).unwrap_or(0);
        let next = siblings.get(pos + 1).map(|&n| doc.node(n));
        let prev = pos.checked_sub(1).map(|p| doc.node(siblings[p]));
        next.is_some_and(|n| n.kind == Kind::Strong && n.range.start == node.range.end)
            || prev.is_some_and(|p| p.kind == Kind::Strong && p.range.end == node.range.start)
    }

    /// Emphasis around nothing goes; bold around bold, or around images only,
    /// loses its outer delimiters.
    fn empty_or_redundant(&self, doc: &Document, id: NodeId, out: &mut EditSink) {
        let node = doc.node(id);
        let src = doc.src(id);
        let delim = if node.kind == Kind::Strong { 2 } else { 1 };
        if src.len() < 2 * delim || !(src.starts_with('*') || src.starts_with('_')) {
            return;
        }
        let children: Vec<NodeId> = doc.children(id).collect();
        let visible = doc.visible_text(id);
        let has_media = doc.contains(id, |k| matches!(k, Kind::Image(_) | Kind::Link(_)));
        let has_code = doc.contains(id, |k| matches!(k, Kind::Code | Kind::HtmlInline));
        if has_code {
            return;
        }
        let r = node.range.clone();
        if visible.trim().is_empty() && !has_media {
            out.delete(r);
            return;
        }
        let only_nested = children.len() == 1 && is_emphasis(&doc.node(children[0]).kind);
        let only_images = visible.trim().is_empty()
            && children.iter().all(|&c| {
                matches!(doc.node(c).kind, Kind::Image(_) | Kind::Link(_))
                    || doc
                        .literal(doc.node(c))
                        .is_some_and(|t| t.trim().is_empty())
            });
        if (only_nested && node.kind == Kind::Strong) || only_images {
            out.delete(r.start..r.start + delim);
            out.delete(r.end - delim..r.end);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"e\"\nkind = \"repair-emphasis\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    #[test]
    fn debris_goes_and_bold_text_stays() {
        assert_eq!(clean("**  \n**\n"), "  \n\n");
        assert_eq!(
            clean("**挖矿病毒处置手册******\n"),
            "**挖矿病毒处置手册**\n"
        );
        assert_eq!(clean("***本文为原创内容**\n"), "**本文为原创内容**\n");
        assert_eq!(clean("****![](x.png)****\n"), "![](x.png)\n");
        assert_eq!(clean("前文** **后文\n"), "前文后文\n");
    }

    #[test]
    fn real_emphasis_and_arithmetic_are_kept() {
        for t in [
            "**A** **B**\n",
            "**关键词**\n\nU盘炸弹\n",
            "2**10 = 1024\n",
            "a * b * c\n",
            "`**`\n",
            "****************正文\n",
        ] {
            assert_eq!(clean(t), t);
        }
    }
}
