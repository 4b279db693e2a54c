//! `repair-emphasis`: removes the emphasis debris WeChat's span-per-style
//! markup leaves after conversion, and nothing an author may have meant:
//!
//! - literal `**` pairs around nothing: `** **`, `**  \n**`, and a solid
//!   `****` (up to [`MAX_RUN`] stars) that sits between emphasis markup and
//!   the edge of its block (`**标题******`, `**…** **** **…**`);
//! - emphasis around images only (`****![](x.png)****`): its delimiters go.
//!
//! Text is never removed, only asterisks, and these are left alone: a run
//! between word characters (`2**10`, `**导****读**`, any Unicode letter or
//! digit), a run in a token with ASCII punctuation (`com.***.cn`,
//! `****.apk`, `"****@mail"`), a lone or odd run (`** foo`, the unopened
//! bold of `叫做**「知识的诅咒」。**`, the `*` of `***x**`), a solid run
//! next to plain text (`**** is not empty`), and bold around bold.

use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind, Literal, NodeId};
use crate::edit::EditSink;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct RepairEmphasis;

pub(super) fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(RepairEmphasis))
}

/// Longest run of stars taken as debris (`**标题******` leaves four);
/// longer runs are deliberate (rulers, ratings) and stay.
pub const MAX_RUN: usize = 8;

/// What the rule makes of one piece of emphasis-like markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// Literal `*` pairs around nothing: removed.
    Empty,
    /// Emphasis around images only: its delimiters are removed.
    ImageOnly,
    /// A literal run of two or more stars the rule keeps, and why.
    LeftAlone(Kept),
}

/// Why a literal star run stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kept {
    /// Between two word characters (`2**10`, `**导****读**`).
    BetweenWords,
    /// In a token with ASCII punctuation: a command, path, host or address.
    CommandLike,
    /// Not pairs around nothing: a lone `**` (also bold CommonMark does not
    /// open next to CJK punctuation), an odd run, or more than [`MAX_RUN`].
    Unpaired,
    /// A solid run (`****`) next to plain text or with no emphasis beside it.
    NextToText,
}

/// One decision of the rule: `range` is the markup looked at, `edits` what
/// the rule deletes for it (none when left alone).
#[derive(Debug, Clone)]
pub struct Finding {
    pub range: Range<usize>,
    pub verdict: Verdict,
    pub edits: Vec<Range<usize>>,
}

impl Rule for RepairEmphasis {
    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        // A container's emphasis is read within its block.
        for f in findings_where(doc, |n| ctx.is_fresh(&n.range)) {
            for r in f.edits {
                out.delete(r);
            }
        }
    }

    // No needles: `*` and `_` are in nearly every text; the hook scans.

    // Single `*`/`_` emphasis around images only has no `**`: the raw test
    // looks at what follows each delimiter.
    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::may_have_emphasis_debris(text)
    }
}

/// Every decision the rule takes on `doc`, in document order of containers.
pub fn findings(doc: &Document) -> Vec<Finding> {
    findings_where(doc, |_| true)
}

/// [`findings`] in the nodes that `look` accepts.
fn findings_where(doc: &Document, look: impl Fn(&crate::document::Node) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, node) in doc.nodes.iter().enumerate() {
        let emphasis = is_emphasis(&node.kind);
        let container = matches!(
            node.kind,
            Kind::Paragraph
                | Kind::Heading(_)
                | Kind::TableCell
                | Kind::Emph
                | Kind::Strong
                | Kind::OtherInline
        );
        // The walk up to a link is taken only for the nodes looked at: most
        // nodes are text.
        if !(emphasis || container) || !node.trusted || !look(node) || in_link(doc, id) {
            continue;
        }
        if emphasis {
            image_only(doc, id, &mut out);
            around_nothing(doc, id, &mut out);
        }
        if container {
            literal_runs(doc, id, &mut out);
        }
    }
    out
}

fn is_emphasis(k: &Kind) -> bool {
    matches!(k, Kind::Strong | Kind::Emph)
}

/// True when `id` is a link or image or lies inside one: labels and URLs
/// are not touched.
fn in_link(doc: &Document, id: NodeId) -> bool {
    let mut cur = Some(id);
    while let Some(c) = cur {
        let n = doc.node(c);
        if matches!(n.kind, Kind::Link(_) | Kind::Image(_)) {
            return true;
        }
        cur = n.parent;
    }
    false
}

/// Emphasis whose content is images only (and white space, links around
/// images, more emphasis): its own delimiters go. Nested emphasis around
/// the same images is found on its own, so `****![](x)****` settles in one
/// pass.
fn image_only(doc: &Document, id: NodeId, out: &mut Vec<Finding>) {
    let node = doc.node(id);
    let src = doc.src(id);
    let delim = if node.kind == Kind::Strong { 2 } else { 1 };
    if src.len() < 2 * delim || !(src.starts_with('*') || src.starts_with('_')) {
        return;
    }
    let has_image = doc.contains(id, |k| matches!(k, Kind::Image(_)));
    let only_images = doc.nodes[id + 1..node.end].iter().all(|n| match &n.kind {
        Kind::Image(_) | Kind::Link(_) | Kind::Emph | Kind::Strong => true,
        Kind::SoftBreak | Kind::LineBreak => true,
        Kind::Text(_) => {
            // Text inside an image is its alt text, not content of ours.
            doc.literal(n).is_some_and(|t| t.trim().is_empty()) || inside_image(doc, n.parent)
        }
        _ => false,
    });
    if !(has_image && only_images) {
        return;
    }
    let r = node.range.clone();
    out.push(Finding {
        range: r.clone(),
        verdict: Verdict::ImageOnly,
        edits: vec![r.start..r.start + delim, r.end - delim..r.end],
    });
}

fn inside_image(doc: &Document, mut cur: Option<NodeId>) -> bool {
    while let Some(c) = cur {
        if matches!(doc.node(c).kind, Kind::Image(_)) {
            return true;
        }
        cur = doc.node(c).parent;
    }
    false
}

/// Emphasis around nothing visible but white space (`**&nbsp;**`): its
/// delimiters go, the white space stays.
fn around_nothing(doc: &Document, id: NodeId, out: &mut Vec<Finding>) {
    let node = doc.node(id);
    let src = doc.src(id);
    let delim = if node.kind == Kind::Strong { 2 } else { 1 };
    if src.len() < 2 * delim || !(src.starts_with('*') || src.starts_with('_')) {
        return;
    }
    let markup_only = doc.nodes[id + 1..node.end].iter().all(|n| {
        matches!(
            n.kind,
            Kind::Text(_) | Kind::SoftBreak | Kind::LineBreak | Kind::Emph | Kind::Strong
        )
    });
    if !markup_only || !doc.visible_str(id).trim().is_empty() {
        return;
    }
    let r = node.range.clone();
    out.push(Finding {
        range: r.clone(),
        verdict: Verdict::Empty,
        edits: vec![r.start..r.start + delim, r.end - delim..r.end],
    });
}

/// A piece of a container's inline content, as the run scan sees it.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    /// Literal stars in source text.
    Stars(Range<usize>),
    /// White space: spaces in source text, soft and hard breaks.
    Space { newline: bool },
    /// Emphasis or an image: markup a debris run sits beside.
    Markup,
    /// Anything else: text, code, links, HTML.
    Other,
}

/// Splits the inline children of `id` into atoms.
fn atoms(doc: &Document, id: NodeId) -> Vec<Atom> {
    let mut out = Vec::new();
    for c in doc.children(id) {
        let n = doc.node(c);
        match &n.kind {
            Kind::Text(Literal::Source) if n.trusted && !doc.src(c).contains('*') => {
                // Text without stars: only its edges can stand beside a
                // run, so it is its leading white space, the rest, and its
                // trailing white space (the scan below would give the rest
                // as several atoms, none of them stars).
                let src = doc.src(c);
                let body = src.trim();
                if body.is_empty() {
                    out.push(Atom::Space {
                        newline: src.contains('\n'),
                    });
                    continue;
                }
                let lead = &src[..src.len() - src.trim_start().len()];
                let trail = &src[src.trim_end().len()..];
                if !lead.is_empty() {
                    out.push(Atom::Space {
                        newline: lead.contains('\n'),
                    });
                }
                out.push(Atom::Other);
                if !trail.is_empty() {
                    out.push(Atom::Space {
                        newline: trail.contains('\n'),
                    });
                }
            }
            Kind::Text(Literal::Source) if n.trusted => {
                let src = doc.src(c);
                let mut i = 0;
                for (j, ch) in src.char_indices() {
                    if j < i {
                        continue;
                    }
                    let class = |ch: char| {
                        if ch == '*' {
                            0
                        } else if ch.is_whitespace() {
                            1
                        } else {
                            2
                        }
                    };
                    let k = class(ch);
                    let len = src[j..]
                        .char_indices()
                        .find(|&(_, c)| class(c) != k)
                        .map_or(src.len() - j, |(l, _)| l);
                    let at = n.range.start + j;
                    out.push(match k {
                        0 => Atom::Stars(at..at + len),
                        1 => Atom::Space {
                            newline: src[j..j + len].contains('\n'),
                        },
                        _ => Atom::Other,
                    });
                    i = j + len;
                }
            }
            Kind::SoftBreak | Kind::LineBreak => out.push(Atom::Space { newline: true }),
            Kind::Emph | Kind::Strong | Kind::Image(_) => out.push(Atom::Markup),
            _ => out.push(Atom::Other),
        }
    }
    out
}

/// Literal star runs in the inline content of `id`.
fn literal_runs(doc: &Document, id: NodeId, out: &mut Vec<Finding>) {
    if !doc.src(id).contains('*') {
        return;
    }
    let atoms = atoms(doc, id);
    let mut i = 0;
    while i < atoms.len() {
        if !matches!(atoms[i], Atom::Stars(_)) {
            i += 1;
            continue;
        }
        // A run: star atoms with white space between them.
        let mut groups: Vec<(usize, Range<usize>)> = Vec::new();
        let mut j = i;
        let mut last = i;
        while j < atoms.len() {
            match &atoms[j] {
                Atom::Stars(r) => {
                    groups.push((j, r.clone()));
                    last = j;
                }
                Atom::Space { .. } => {}
                _ => break,
            }
            j += 1;
        }
        let left = neighbour(atoms[..i].iter().rev());
        let right = neighbour(atoms[last + 1..].iter());
        decide(doc, &atoms, &groups, left, right, out);
        i = last + 1;
    }
}

/// What lies beside a run, white space skipped: `None` for the edge of
/// the container.
fn neighbour<'a>(mut it: impl Iterator<Item = &'a Atom>) -> Option<&'a Atom> {
    it.find(|a| !matches!(a, Atom::Space { .. }))
}

fn decide(
    doc: &Document,
    atoms: &[Atom],
    groups: &[(usize, Range<usize>)],
    left: Option<&Atom>,
    right: Option<&Atom>,
    out: &mut Vec<Finding>,
) {
    let text = doc.text;
    let range = groups[0].1.start..groups[groups.len() - 1].1.end;
    let keep = |why: Kept, out: &mut Vec<Finding>| {
        for (_, r) in groups.iter().filter(|(_, r)| r.len() >= 2) {
            out.push(Finding {
                range: r.clone(),
                verdict: Verdict::LeftAlone(why),
                edits: Vec::new(),
            });
        }
    };
    if groups.iter().any(|(_, r)| between_words(text, r)) {
        return keep(Kept::BetweenWords, out);
    }
    if groups.iter().any(|(_, r)| command_like(text, r)) {
        return keep(Kept::CommandLike, out);
    }
    let total: usize = groups.iter().map(|(_, r)| r.len()).sum();
    if total < 4
        || groups
            .iter()
            .any(|(_, r)| r.len() % 2 == 1 || r.len() > MAX_RUN)
    {
        return keep(Kept::Unpaired, out);
    }
    if groups.len() == 1 {
        // A solid `****`: debris only between emphasis markup and the edge
        // of its block, or between two pieces of markup.
        let beside_text = matches!(left, Some(Atom::Other)) || matches!(right, Some(Atom::Other));
        let beside_markup =
            matches!(left, Some(Atom::Markup)) || matches!(right, Some(Atom::Markup));
        if beside_text || !beside_markup {
            return keep(Kept::NextToText, out);
        }
    }
    // Delete each group, and the white space between two groups on one line.
    let mut edits: Vec<Range<usize>> = Vec::new();
    for (k, (at, r)) in groups.iter().enumerate() {
        if let Some((prev_at, prev)) = k.checked_sub(1).map(|p| &groups[p]) {
            let newline = atoms[prev_at + 1..*at]
                .iter()
                .any(|x| matches!(x, Atom::Space { newline: true }));
            let gap = &text[prev.end..r.start];
            if let Some(e) = edits.last_mut()
                && !newline
                && gap.chars().all(char::is_whitespace)
            {
                e.end = r.end;
                continue;
            }
        }
        edits.push(r.clone());
    }
    out.push(Finding {
        range,
        verdict: Verdict::Empty,
        edits,
    });
}

/// True when the source run of stars holding `r` has a letter or digit on
/// both sides (any script).
fn between_words(text: &str, r: &Range<usize>) -> bool {
    let b = text.as_bytes();
    let mut s = r.start;
    while s > 0 && b[s - 1] == b'*' {
        s -= 1;
    }
    let mut e = r.end;
    while e < b.len() && b[e] == b'*' {
        e += 1;
    }
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric)
}

/// True when the white-space-delimited token holding `r` has ASCII
/// punctuation besides `*`: a command, flag, path, host, address or quote
/// (`com.***.cn`, `****.apk`, `"****@email.address"`, `-p****`).
fn command_like(text: &str, r: &Range<usize>) -> bool {
    let s = text[..r.start]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let e = text[r.end..]
        .char_indices()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(text.len(), |(i, _)| r.end + i);
    text[s..e]
        .chars()
        .any(|c| c.is_ascii_punctuation() && c != '*')
}

#[cfg(test)]
mod tests {
    use super::{Kept, Verdict, findings};
    use crate::config::RuleSet;
    use crate::document::Document;

    fn clean(text: &str) -> String {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"e\"\nkind = \"repair-emphasis\"\ndescription = \"d\"\n",
            "t.toml",
        )
        .unwrap();
        crate::clean_text(text, &rules, true).unwrap().output
    }

    fn kept(text: &str) {
        assert_eq!(clean(text), text, "{text:?} must be left alone");
    }

    #[test]
    fn pairs_around_nothing_go() {
        assert_eq!(clean("**  \n**\n"), "  \n\n");
        assert_eq!(clean("前文** **后文\n"), "前文后文\n");
        assert_eq!(clean("前文** ** **后文\n"), "前文后文\n");
        assert_eq!(
            clean("**挖矿病毒处置手册******\n"),
            "**挖矿病毒处置手册**\n"
        );
        assert_eq!(
            clean("**答案很显然。** **** **能力不对称。** ****\n"),
            "**答案很显然。**  **能力不对称。** \n"
        );
        assert_eq!(clean("**** **员工，需要激励**\n"), " **员工，需要激励**\n");
    }

    #[test]
    fn emphasis_around_images_only_loses_its_delimiters() {
        assert_eq!(clean("****![](x.png)****\n"), "![](x.png)\n");
        assert_eq!(clean("前文 *![](x.png)* 后文\n"), "前文 ![](x.png) 后文\n");
        assert_eq!(
            clean("**[![图](x.png)](https://e.com/)**\n"),
            "[![图](x.png)](https://e.com/)\n"
        );
        // Bold around a link with text, or around an image and words, stays.
        kept("**[官网](https://e.com/)**\n");
        kept("**![](x.png) 图一**\n");
    }

    #[test]
    fn emphasis_around_white_space_loses_its_delimiters_only() {
        assert_eq!(clean("前文 **&nbsp;** 后文\n"), "前文 &nbsp; 后文\n");
    }

    /// Redactions and globs in unfenced commands are content.
    #[test]
    fn stars_in_commands_paths_and_addresses_are_kept() {
        kept("objection -g com.***.cn explore\n");
        kept("adb install -a ****.apk\n");
        kept("git config --global user.email \"****@email.address\"\n");
        kept("mysql -u root -p ****\n");
        kept("ls a*b*c **/*.md\n");
        kept("密码：`****`\n");
    }

    #[test]
    fn stars_between_word_characters_are_kept() {
        kept("2**10 = 1024\n");
        kept("a * b * c\n");
        kept("**导****读**\n");
        kept("立减********1000元\n");
        kept("账号abc****def已停用\n");
    }

    /// CommonMark does not open bold next to CJK punctuation here; the
    /// author's `**` stay for a renderer that does.
    #[test]
    fn bold_next_to_cjk_punctuation_is_not_stripped() {
        kept("这种现象叫做**「知识的诅咒」。**\n");
        kept("他说：**“不要放弃。”**然后走了。\n");
        kept("**（注意）**以下内容\n");
    }

    /// CommonMark spec examples: none is export debris.
    #[test]
    fn spec_examples_are_kept() {
        for t in [
            "** is not an empty emphasis\n",
            "**** is not an empty strong emphasis\n",
            "Foo\n    ***\n",
            "Foo\n    ****\n",
            "** foo bar**\n",
            "**foo bar **\n",
            "a**\"foo\"**\n",
            "**(**foo)\n",
            "foo******bar*********baz\n",
            "foo ***\n",
            "foo *****\n",
            "***foo**\n",
            "****foo*\n",
            "**foo***\n",
            "*foo****\n",
            "****foo****\n",
            "______foo______\n",
            "**foo **bar baz**\n",
            "**a<https://foo.bar/?q=**>\n",
        ] {
            kept(t);
        }
    }

    #[test]
    fn rulers_ratings_and_real_emphasis_are_kept() {
        for t in [
            "**A** **B**\n",
            "**关键词**\n\nU盘炸弹\n",
            "`**`\n",
            "****************正文\n",
            "评分：****\n",
            "| 评分 |\n| --- |\n| **** |\n",
            "## ****\n",
            "***\n",
            "***本文为原创内容**\n",
            "****然后就是其它措施\n",
            "[****](https://e.com/)\n",
        ] {
            kept(t);
        }
    }

    #[test]
    fn findings_name_what_was_left_alone() {
        let doc = Document::parse(
            "叫做**「知识的诅咒」。**\n\n2**10\n\ncom.***.cn\n\n**** 正文 **a** ****\n",
        );
        let verdicts: Vec<Verdict> = findings(&doc).iter().map(|f| f.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::LeftAlone(Kept::Unpaired),
                Verdict::LeftAlone(Kept::Unpaired),
                Verdict::LeftAlone(Kept::BetweenWords),
                Verdict::LeftAlone(Kept::CommandLike),
                Verdict::LeftAlone(Kept::NextToText),
                Verdict::Empty,
            ]
        );
    }
}
