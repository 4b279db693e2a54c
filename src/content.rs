//! The content model: which parts of a document are the article. Every edit
//! that takes text or images out of a document ([`Reach`] other than
//! `Markup`) is asked about here before it is applied, whichever rule made
//! it, so that no rule can remove the article by matching too much.
//!
//! Protected, by kind of block rather than by phrase:
//! - headings (a rule opts in with `blocks = [..., "heading"]`; a zone may take
//!   the heading that is its own header), and the title always;
//! - tables;
//! - images, against text rules: an image goes only by a rule about images
//!   ([`Reach::Images`]) or inside a removed zone. A block removal that would
//!   take an image takes the block's text and leaves its images;
//! - lines matching a `protect` pattern of the rules file (attribution such as
//!   来源, 原文链接, 转载自 and 作者 lines in the default set);
//! - list items whose sibling items stay: a rule removes a whole list or none
//!   of its items.
//!
//! A refused block removal is dropped. A zone (a tail) that runs into a
//! protected block ends before that block's top-level block instead, so that
//! an attribution line ends a tail removal.

use std::ops::Range;

use regex::RegexSet;

use crate::document::{Document, Kind, NodeId, overlaps};
use crate::edit::{Edit, FixId, Reach};
use crate::fragments::logical_spans;

/// The rules file's `protect` patterns: regexes over a line's visible text
/// (trimmed); a matching line is never removed.
#[derive(Debug, Clone, Default)]
pub struct Protect {
    patterns: Vec<String>,
    set: Option<RegexSet>,
}

impl Protect {
    /// Compiles `patterns`; the error names the first pattern that is not a
    /// valid regex.
    pub fn new(patterns: Vec<String>) -> Result<Protect, String> {
        for p in &patterns {
            regex::Regex::new(p)
                .map_err(|e| format!("`protect` pattern `{p}` is not a valid regex: {e}"))?;
        }
        let set = if patterns.is_empty() {
            None
        } else {
            Some(RegexSet::new(&patterns).map_err(|e| format!("`protect`: {e}"))?)
        };
        Ok(Protect { patterns, set })
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// True when the trimmed `line` matches a pattern.
    pub fn is_match(&self, line: &str) -> bool {
        // Bold that CommonMark leaves unopened next to punctuation
        // (`**作者 /****丸子**`) shows as literal asterisks: not the line's words.
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_');
        !t.is_empty() && self.set.as_ref().is_some_and(|s| s.is_match(t))
    }
}

/// What a protected unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The article's title: the first heading, when no long paragraph comes
    /// before it. Nothing removes it.
    Title,
    Heading,
    Table,
    /// A line matching a `protect` pattern.
    Protected,
    /// An image of a paragraph (with a link that holds only it) on a line
    /// of images only.
    Image,
    /// An image that shares its line with text.
    GluedImage,
    /// A numbered line (`1.`, `2、`) of a paragraph that has more than one:
    /// a list the exporter did not mark up. It goes only with the whole
    /// paragraph.
    ListLine,
}

/// A protected span of the document.
#[derive(Debug, Clone)]
struct Span {
    range: Range<usize>,
    unit: Unit,
    /// Where the top-level block that holds it starts (its line start): a
    /// zone that reaches it ends there.
    top_start: usize,
    /// The block it belongs to (trimmed): a [`Unit::ListLine`] may go with
    /// its whole block.
    block: Range<usize>,
}

/// The protected spans of one document, in order: of every block
/// ([`Content::of`]), or of the top-level blocks some edits reach, worked
/// out as edits come ([`Content::lazy`], [`Content::cover`]).
#[derive(Debug, Default)]
pub struct Content {
    spans: Vec<Span>,
    /// The items of each list: (list, trimmed item range).
    items: Vec<(NodeId, Range<usize>)>,
    /// The title heading, if the document has one.
    title: Option<NodeId>,
    /// The top-level blocks, and whether their spans are in.
    tops: Vec<(NodeId, Range<usize>, bool)>,
}

/// Longest paragraph, in characters, that may come before a heading that is
/// still the title.
const TITLE_LEAD_CHARS: usize = 80;

impl Content {
    /// Finds the protected spans of `doc`.
    pub fn of(doc: &Document, protect: &Protect) -> Content {
        let mut c = Content::lazy(doc);
        c.cover(doc, protect, std::iter::once(0..doc.text.len().max(1)));
        c
    }

    /// A content model of `doc` with no spans yet: [`Content::cover`] adds
    /// those of the blocks that edits reach. Only the title is found now.
    pub fn lazy(doc: &Document) -> Content {
        let mut lead_chars = 0;
        let mut title = None;
        for (id, node) in doc.nodes.iter().enumerate() {
            match node.kind {
                Kind::Heading(_) => {
                    title = (lead_chars <= TITLE_LEAD_CHARS).then_some(id);
                    break;
                }
                Kind::Paragraph => {
                    lead_chars = lead_chars.max(doc.visible_str(id).trim().chars().count());
                }
                _ => {}
            }
        }
        Content {
            title,
            tops: doc
                .children(0)
                .map(|id| (id, doc.node(id).range.clone(), false))
                .collect(),
            ..Content::default()
        }
    }

    /// Adds the spans of the top-level blocks that `ranges` reach and whose
    /// spans are not in yet: every span an edit over one of `ranges` can
    /// meet lies in such a block.
    pub fn cover(
        &mut self,
        doc: &Document,
        protect: &Protect,
        ranges: impl IntoIterator<Item = Range<usize>>,
    ) {
        let mut added = false;
        for r in ranges {
            let from = self.tops.partition_point(|t| t.1.end < r.start);
            for k in from..self.tops.len() {
                let (top, ref range, done) = self.tops[k];
                if range.start > r.end {
                    break;
                }
                if done {
                    continue;
                }
                self.tops[k].2 = true;
                added = true;
                for id in top..doc.node(top).end {
                    self.node(doc, id, protect);
                }
            }
        }
        if added {
            self.spans.sort_by_key(|s| s.range.start);
            // Items of nested lists come between their parent list's items.
            self.items.sort_by_key(|(list, r)| (*list, r.start));
        }
    }

    /// The spans and list items of node `id` (not of its children).
    fn node(&mut self, doc: &Document, id: NodeId, protect: &Protect) {
        let node = doc.node(id);
        match node.kind {
            Kind::Heading(_) => {
                let unit = if self.title == Some(id) {
                    Unit::Title
                } else if doc.visible_str(id).trim().is_empty() {
                    // An empty heading (an exporter's lone `#`) heads
                    // nothing: a zone that reaches it goes on.
                    return;
                } else {
                    Unit::Heading
                };
                self.push(doc, id, doc.trimmed(node.range.clone()), unit);
                self.protected_lines(doc, id, protect);
            }
            Kind::Table => self.push(doc, id, doc.trimmed(node.range.clone()), Unit::Table),
            Kind::Paragraph => self.paragraph_lines(doc, id, protect),
            Kind::Item => {
                if let Some(list) = node.parent {
                    self.items.push((list, doc.trimmed(node.range.clone())));
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, doc: &Document, id: NodeId, range: Range<usize>, unit: Unit) {
        let mut top = id;
        while let Some(p) = doc.node(top).parent {
            if doc.node(p).kind == Kind::Document {
                break;
            }
            top = p;
        }
        let top_start = doc.content_line_start(doc.node(top).range.start);
        self.spans.push(Span {
            range,
            unit,
            top_start,
            block: doc.trimmed(doc.node(id).range.clone()),
        });
    }

    /// The lines of a heading that match `protect`.
    fn protected_lines(&mut self, doc: &Document, id: NodeId, protect: &Protect) {
        if protect.is_match(doc.visible_str(id)) {
            self.push(
                doc,
                id,
                doc.trimmed(doc.node(id).range.clone()),
                Unit::Protected,
            );
        }
    }

    /// The images of a paragraph, and its lines (cut at soft and hard
    /// breaks) that match `protect`.
    fn paragraph_lines(&mut self, doc: &Document, id: NodeId, protect: &Protect) {
        if doc.contains(id, |k| matches!(k, Kind::Image(_))) {
            for line in lines(doc, id) {
                let glued = line
                    .iter()
                    .any(|&n| !has_image(doc, n) && !doc.is_blank_inline(n));
                let unit = if glued { Unit::GluedImage } else { Unit::Image };
                for &n in &line {
                    let end = doc.node(n).end;
                    for (i, m) in doc.nodes[n..end].iter().enumerate() {
                        if matches!(m.kind, Kind::Image(_)) {
                            let img = doc.image_unit(n + i);
                            self.push(doc, id, doc.node(img).range.clone(), unit);
                        }
                    }
                }
            }
        }
        let text = doc.visible_str(id);
        let numbered = text.lines().filter(|l| is_numbered(l)).count() > 1;
        // A line is protected as it is cut, or as the sentence it is a
        // fragment of (`本文由⏎@某人⏎师傅原创投稿`): logical lines join
        // what WeChat's editor broke.
        let may_protect = protect.set.is_some()
            && (text.lines().any(|l| protect.is_match(l))
                || (text.trim_end().contains('\n') && {
                    let cut: Vec<&str> = text.lines().map(str::trim).collect();
                    logical_spans(&cut, |_| false)
                        .into_iter()
                        .any(|s| s.len() > 1 && protect.is_match(&cut[s].concat()))
                }));
        if !numbered && !may_protect {
            return;
        }
        let lines = lines(doc, id);
        let texts: Vec<String> = lines
            .iter()
            .map(|line| line.iter().map(|&n| doc.visible_text(n)).collect())
            .collect();
        let range_of = |first: &[NodeId], last: &[NodeId]| {
            doc.node(first[0]).range.start..doc.node(last[last.len() - 1]).range.end
        };
        // Sentences of several lines that match: each is one span, and its
        // lines are not pushed again (spans stay in order, none inside
        // another).
        let mut joined: Vec<Range<usize>> = Vec::new();
        if may_protect {
            let trimmed: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
            // A line that shows an image stands apart (as the fingerprints
            // read it); a sentence is protected as a whole only when none of
            // its lines is on its own (`作者：张三，⏎点赞在看` keeps the
            // author's line alone).
            let image = |k: usize| lines[k].iter().any(|&n| has_image(doc, n));
            joined = logical_spans(&trimmed, image)
                .into_iter()
                .filter(|span| {
                    span.len() > 1
                        && !trimmed[span.clone()].iter().any(|l| protect.is_match(l))
                        && protect.is_match(&trimmed[span.clone()].concat())
                })
                .collect();
        }
        let mut next = joined.iter().peekable();
        for (i, (line, text)) in lines.iter().zip(&texts).enumerate() {
            if numbered && is_numbered(text) {
                self.push(doc, id, range_of(line, line), Unit::ListLine);
            }
            while next.next_if(|span| span.end <= i).is_some() {}
            match next.peek() {
                Some(span) if span.start == i => {
                    let range = range_of(line, &lines[span.end - 1]);
                    self.push(doc, id, range, Unit::Protected);
                }
                Some(span) if span.contains(&i) => {}
                _ => {
                    if may_protect && protect.is_match(text) {
                        self.push(doc, id, range_of(line, line), Unit::Protected);
                    }
                }
            }
        }
    }

    /// The first protected span that an edit of `reach` over `range` would
    /// remove, or `None` when the edit may go.
    fn first_refusal(
        &self,
        reach: Reach,
        range: &Range<usize>,
        header_end: usize,
    ) -> Option<&Span> {
        let from = self.spans.partition_point(|s| s.range.end <= range.start);
        self.spans[from..]
            .iter()
            .take_while(|s| s.range.start < range.end)
            .filter(|s| overlaps(&s.range, range))
            .find(|s| match (reach, s.unit) {
                (Reach::Markup | Reach::Images, _) => false,
                (_, Unit::Title | Unit::Table) => true,
                (Reach::Blocks { protected, .. }, Unit::Protected) => !protected,
                (Reach::Zone { .. }, Unit::Protected) => true,
                (Reach::Blocks { headings, .. }, Unit::Heading) => !headings,
                (Reach::Blocks { .. }, Unit::Image) => true,
                (Reach::Blocks { glued_images, .. }, Unit::GluedImage) => !glued_images,
                (Reach::Blocks { .. } | Reach::Zone { .. }, Unit::ListLine) => {
                    !crate::document::covers(range, &s.block)
                }
                // A zone takes the heading that is its own header, and the
                // images inside it.
                (Reach::Zone { headings }, Unit::Heading) => {
                    !headings && s.range.start >= header_end
                }
                (Reach::Zone { .. }, Unit::Image | Unit::GluedImage) => false,
            })
    }

    /// Lets through the edits the article can lose: drops block removals that
    /// would take a protected span, ends zones before one, and drops
    /// removals of list items whose siblings stay. An edit refused takes
    /// the rest of its fix with it; one narrowed or cut into parts stays in
    /// its fix. Returns how many edits were refused or cut short.
    pub fn filter(&self, doc: &Document, edits: &mut Vec<Edit>) -> usize {
        let mut refused = 0;
        let mut narrowed: Vec<Edit> = Vec::new();
        let mut dropped: Vec<FixId> = Vec::new();
        edits.retain_mut(|e| {
            if e.reach == Reach::Markup || e.reach == Reach::Images || e.range.is_empty() {
                return true;
            }
            let header_end = doc.line_end(e.range.start);
            let Some(span) = self.first_refusal(e.reach, &e.range, header_end) else {
                return true;
            };
            refused += 1;
            match e.reach {
                Reach::Zone { .. }
                    if span.top_start > e.range.start && span.top_start >= header_end =>
                {
                    e.range.end = span.top_start;
                    true
                }
                Reach::Blocks { .. } if matches!(span.unit, Unit::Image | Unit::GluedImage) => {
                    match self.around_images(doc, e, header_end) {
                        Some(parts) => narrowed.extend(parts),
                        None => dropped.push(e.fix),
                    }
                    false
                }
                _ => {
                    dropped.push(e.fix);
                    false
                }
            }
        });
        edits.extend(narrowed);
        let refused = refused + self.keep_lone_items(edits, &mut dropped);
        if !dropped.is_empty() {
            dropped.sort_unstable();
            edits.retain(|e| dropped.binary_search(&e.fix).is_err());
        }
        refused
    }

    /// A block removal that would take images, narrowed to the text of the
    /// blocks (every line of which the rule matched): lines without an image
    /// go whole, and of a line with images only the runs of other inlines go.
    /// `None` when something else in the range is protected.
    fn around_images(&self, doc: &Document, e: &Edit, header_end: usize) -> Option<Vec<Edit>> {
        let from = self.spans.partition_point(|s| s.range.end <= e.range.start);
        let blocked = self.spans[from..]
            .iter()
            .take_while(|s| s.range.start < e.range.end)
            .filter(|s| overlaps(&s.range, &e.range))
            .any(|s| {
                !matches!(s.unit, Unit::Image | Unit::GluedImage)
                    && self.first_refusal(e.reach, &s.range, header_end).is_some()
            });
        if blocked {
            return None;
        }
        let within = |r: &Range<usize>| crate::document::covers(&e.range, r);
        let mut parts = Vec::new();
        let mut cut = |range: Range<usize>| parts.push(Edit { range, ..e.clone() });
        for &p in doc.text_blocks() {
            let node = doc.node(p);
            if node.kind != Kind::Paragraph || !within(&doc.trimmed(node.range.clone())) {
                continue;
            }
            let glued_go = matches!(
                e.reach,
                Reach::Blocks {
                    glued_images: true,
                    ..
                }
            );
            for line in lines(doc, p) {
                let has_image = |n: NodeId| has_image(doc, n);
                let solid = line
                    .iter()
                    .any(|&n| !has_image(n) && !doc.is_blank_inline(n));
                if !line.iter().any(|&n| has_image(n)) || (glued_go && solid) {
                    let first = doc.node(line[0]).range.start;
                    let last = doc.node(line[line.len() - 1]).range.end;
                    cut(doc.line_start(first)..doc.line_end(last.max(first + 1) - 1));
                    continue;
                }
                // Runs of inlines between the images, blank edges included.
                let mut run: Option<Range<usize>> = None;
                let mut solid = false;
                for &n in line.iter().chain(std::iter::once(&usize::MAX)) {
                    if n == usize::MAX || has_image(n) {
                        if let Some(r) = run.take()
                            && solid
                        {
                            cut(r);
                        }
                        solid = false;
                        continue;
                    }
                    let r = doc.node(n).range.clone();
                    solid |= !doc.is_blank_inline(n);
                    run = Some(run.map_or(r.clone(), |a| a.start..r.end));
                }
            }
        }
        Some(parts)
    }

    /// Drops the removals of list items whose sibling items no edit removes.
    /// The fixes of the edits dropped are added to `dropped`.
    fn keep_lone_items(&self, edits: &mut Vec<Edit>, dropped: &mut Vec<FixId>) -> usize {
        if self.items.is_empty() {
            return 0;
        }
        let removing = |e: &Edit| e.reach != Reach::Markup && e.replacement.trim().is_empty();
        let covered = |r: &Range<usize>| {
            edits
                .iter()
                .any(|e| removing(e) && crate::document::covers(&e.range, r))
        };
        // Lists with some items removed and some kept.
        let mut split: Vec<NodeId> = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            let list = self.items[i].0;
            let mut j = i;
            let (mut gone, mut kept) = (0, 0);
            while j < self.items.len() && self.items[j].0 == list {
                if covered(&self.items[j].1) {
                    gone += 1;
                } else {
                    kept += 1;
                }
                j += 1;
            }
            if gone > 0 && kept > 0 {
                split.push(list);
            }
            i = j;
        }
        if split.is_empty() {
            return 0;
        }
        let lone: Vec<&Range<usize>> = self
            .items
            .iter()
            .filter(|(l, _)| split.contains(l))
            .map(|(_, r)| r)
            .collect();
        let before = edits.len();
        edits.retain(|e| {
            let lone = removing(e) && lone.iter().any(|r| crate::document::covers(&e.range, r));
            if lone {
                dropped.push(e.fix);
            }
            !lone
        });
        before - edits.len()
    }
}

/// The top-level inline children of a paragraph, cut at soft and hard breaks
/// (the breaks left out); no empty lines.
pub(crate) fn lines(doc: &Document, para: NodeId) -> Vec<Vec<NodeId>> {
    let mut lines: Vec<Vec<NodeId>> = vec![Vec::new()];
    for k in doc.children(para) {
        if matches!(doc.node(k).kind, Kind::SoftBreak | Kind::LineBreak) {
            lines.push(Vec::new());
        } else {
            lines.last_mut().expect("never empty").push(k);
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// True when a line starts like an item of a numbered list: `1.`, `2、`,
/// `(3)`, `4）`.
pub(crate) fn is_numbered(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix(['(', '（']).unwrap_or(t);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits) && t[digits..].starts_with(['.', '、', ')', '）', '．'])
}

/// True when inline `n` is or holds an image.
fn has_image(doc: &Document, n: NodeId) -> bool {
    matches!(doc.node(n).kind, Kind::Image(_)) || doc.contains(n, |k| matches!(k, Kind::Image(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleSet;

    fn clean(rules: &str, text: &str) -> String {
        let tidy = "\n[[rule]]\nid = \"tidy\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        let set = RuleSet::parse(&format!("{rules}{tidy}"), "t.toml").unwrap();
        crate::clean_text(text, &set, true).unwrap().output
    }

    const DROP: &str =
        "[[rule]]\nid = \"d\"\nkind = \"drop-block\"\ndescription = \"d\"\npattern = '点赞'\n";

    #[test]
    fn covering_the_blocks_edits_reach_finds_what_the_whole_finds_there() {
        // The title is known before any block is read; a lazy model holds
        // only the spans of the blocks covered, and for those it answers as
        // the whole model does.
        let text = "# 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n作者：张三\n\n- 一\n- 二\n";
        let doc = Document::parse(text);
        let protect = Protect::new(vec!["^作者".into()]).unwrap();
        let whole = Content::of(&doc, &protect);
        let mut lazy = Content::lazy(&doc);
        assert!(lazy.spans.is_empty() && lazy.items.is_empty());
        let author = text.find("作者").unwrap();
        lazy.cover(&doc, &protect, std::iter::once(author..author + 3));
        let units = |c: &Content| c.spans.iter().map(|s| s.unit).collect::<Vec<_>>();
        assert_eq!(units(&lazy), vec![Unit::Protected]);
        lazy.cover(&doc, &protect, std::iter::once(0..1));
        assert_eq!(units(&lazy), vec![Unit::Title, Unit::Protected]);
        lazy.cover(&doc, &protect, std::iter::once(0..text.len()));
        assert_eq!(units(&lazy), units(&whole));
        assert_eq!(lazy.items, whole.items);
        assert_eq!(
            units(&whole)[..3],
            [Unit::Title, Unit::Table, Unit::Protected]
        );
    }

    #[test]
    fn numbered_lines_are_told() {
        for l in ["1.正文", "2、正文", "(3)正文", "12） 正文", " 4．正文"] {
            assert!(is_numbered(l), "{l}");
        }
        for l in ["正文1.", "1234.正文", "a.正文", "1正文"] {
            assert!(!is_numbered(l), "{l}");
        }
    }

    #[test]
    fn headings_stay_unless_a_rule_names_them_and_the_title_always() {
        let lead = "正文。".repeat(40);
        let text = format!("# 点赞的意义\n\n{lead}\n\n## 点赞\n\n点赞\n");
        assert_eq!(
            clean(DROP, &text),
            format!("# 点赞的意义\n\n{lead}\n\n## 点赞\n")
        );
        let opt_in = format!("{DROP}blocks = [\"paragraph\", \"heading\"]\n");
        assert_eq!(clean(&opt_in, &text), format!("# 点赞的意义\n\n{lead}\n"));
    }

    #[test]
    fn a_list_goes_whole_or_not_at_all() {
        let some = "正文。\n\n- 点赞\n- 正文项\n";
        assert_eq!(clean(DROP, some), some);
        assert_eq!(clean(DROP, "正文。\n\n- 点赞\n- 点赞吧\n"), "正文。\n");
        let lines = "正文。\n\n1.点赞\n2.正文项\n";
        assert_eq!(clean(DROP, lines), lines);
    }

    #[test]
    fn a_junk_block_keeps_its_images() {
        let text = "正文。\n\n![](a.png)\n点赞\n![](b.png)\n";
        assert_eq!(clean(DROP, text), "正文。\n\n![](a.png)\n![](b.png)\n");
        // Alt text is not visible text: an image alone is never a phrase.
        assert_eq!(
            clean(DROP, "正文。\n\n![点赞](a.png)\n"),
            "正文。\n\n![点赞](a.png)\n"
        );
        // Glued to the matched text, it goes only when the rule says so.
        let glued = "正文。\n\n点赞![](a.gif)\n";
        assert_eq!(clean(DROP, glued), "正文。\n\n![](a.gif)\n");
        let rule = format!("{DROP}glued-images = true\n");
        assert_eq!(clean(&rule, glued), "正文。\n");
    }

    #[test]
    fn protect_patterns_keep_lines_and_end_tails() {
        let rules = format!(
            "protect = ['^来源：']\n{DROP}\n[[rule]]\nid = \"t\"\nkind = \"drop-tail\"\ndescription = \"d\"\nstart = '^推荐$'\nmax-share = 0.9\n"
        );
        let text = "正文。\n\n来源：点赞网\n\n推荐\n\n[a](b)\n\n来源：读书会\n\n[c](d)\n";
        assert_eq!(
            clean(&rules, text),
            "正文。\n\n来源：点赞网\n\n来源：读书会\n\n[c](d)\n"
        );
        // Asterisks of bold CommonMark leaves unopened are not the line's
        // words: the attribution still ends the tail.
        let debris = "正文。\n\n推荐\n\n[a](b)\n\n**来源：****读书会**\n\n[c](d)\n";
        assert_eq!(
            clean(&rules, debris),
            "正文。\n\n**来源：****读书会**\n\n[c](d)\n"
        );
    }

    #[test]
    fn a_bad_protect_pattern_names_itself() {
        let e = RuleSet::parse("protect = ['(']\n", "p.toml").unwrap_err();
        assert!(
            e.to_string().starts_with("p.toml:1: `protect` pattern `(`"),
            "{e}"
        );
    }

    #[test]
    fn a_file_that_extends_the_defaults_adds_to_their_protect() {
        let set =
            RuleSet::parse("extend-default = true\nprotect = ['^编者按']\n", "u.toml").unwrap();
        let defaults = RuleSet::default_rules();
        assert_eq!(
            set.protect.patterns().len(),
            defaults.protect.patterns().len() + 1
        );
        assert!(set.protect.is_match("编者按：转载"));
        assert!(set.protect.is_match("文章来源：安全笔记"));
    }
}
