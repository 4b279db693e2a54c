//! A parsed Markdown document: the source text, a flat tree of nodes with byte
//! ranges into that text, and the places where URLs live.
//!
//! This is the only module that calls comrak's parser. Rules see the flat tree
//! below, never comrak's types, and every byte range they get has been checked
//! against the source: a node whose span does not look like the node (an image
//! that does not start with `![`, a text whose bytes differ from its literal)
//! is marked untrusted, and so is every block that holds it. Rules skip
//! untrusted nodes rather than guess.

use std::cell::OnceCell;
use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options};

/// Length in bytes of a UTF-8 byte-order mark.
const BOM_LEN: usize = '\u{feff}'.len_utf8();

/// Index of a node in [`Document::nodes`] (pre-order).
pub type NodeId = usize;

/// What a node is. Only the distinctions rules need are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Document,
    FrontMatter,
    BlockQuote,
    List,
    Item,
    CodeBlock,
    HtmlBlock,
    Paragraph,
    Heading(u8),
    ThematicBreak,
    Table,
    TableRow,
    TableCell,
    OtherBlock,
    Text(Literal),
    SoftBreak,
    LineBreak,
    Code,
    HtmlInline,
    Emph,
    Strong,
    OtherInline,
    Link(Box<Link>),
    Image(Box<Link>),
}

/// A text node's literal (escapes and entities decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// The same as the source bytes of the node's span: not copied.
    Source,
    /// Different from its source (escapes, entities) or without a span: a
    /// copy.
    Own(Box<str>),
}

/// How a link or image names its destination in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkForm {
    /// `[text](dest "title")`: `dest` is the byte range of the destination.
    Inline,
    /// `[text][ref]`, `[text][]`, `[ref]`: the URL lives in a reference definition.
    Reference,
    /// `<https://…>`
    Autolink,
    /// A bare URL in text (GFM autolink extension).
    Bare,
}

/// A link or image node's destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL as the parser resolved it (escapes and entities decoded).
    pub url: String,
    pub form: LinkForm,
    /// Byte range of the destination as written, when the node carries one.
    pub dest: Option<Range<usize>>,
    /// Byte range of the bracketed text (between `[` and `]`), for inline and
    /// reference forms.
    pub label: Option<Range<usize>>,
}

/// One node of the flat tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Byte range in the source.
    pub range: Range<usize>,
    pub parent: Option<NodeId>,
    /// One past the last descendant: the subtree is `id..end`.
    pub end: NodeId,
    /// False when the span failed its check, or holds a node whose span did.
    pub trusted: bool,
}

impl Node {
    pub fn is_block(&self) -> bool {
        matches!(
            self.kind,
            Kind::Document
                | Kind::FrontMatter
                | Kind::BlockQuote
                | Kind::List
                | Kind::Item
                | Kind::CodeBlock
                | Kind::HtmlBlock
                | Kind::Paragraph
                | Kind::Heading(_)
                | Kind::ThematicBreak
                | Kind::Table
                | Kind::TableRow
                | Kind::TableCell
                | Kind::OtherBlock
        )
    }

    pub fn link(&self) -> Option<&Link> {
        match &self.kind {
            Kind::Link(l) | Kind::Image(l) => Some(l),
            _ => None,
        }
    }
}

/// Where a URL was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlPlace {
    /// Destination of an inline link or image.
    Destination,
    /// `<https://…>` or a bare URL in text.
    Autolink,
    /// A link reference definition `[id]: url`.
    Definition,
    /// `src`, `data-src` or `href` in raw HTML.
    HtmlAttribute,
    /// A `url:`-like field of YAML front matter.
    FrontMatter,
}

/// A URL as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlSite {
    pub range: Range<usize>,
    pub place: UrlPlace,
}

/// Source text plus its parsed structure.
pub struct Document<'t> {
    pub text: &'t str,
    pub nodes: Vec<Node>,
    line_starts: Vec<usize>,
    /// Byte ranges no rule may change: code blocks and inline code.
    pub protected: Vec<Range<usize>>,
    urls: Vec<UrlSite>,
    /// For each URL site, its plain host ([`crate::url_text::url_plain_host`]),
    /// found once for all the rules that filter URLs by host.
    url_hosts: Vec<Option<std::borrow::Cow<'t, str>>>,
    /// [`Document::visible_chars`], counted once, when first asked.
    visible_total: OnceCell<usize>,
    /// [`Document::visible_str`] per node, filled on first use.
    visible_cache: OnceCell<Vec<OnceCell<Box<str>>>>,
    /// Paragraphs, headings and HTML blocks, in document order.
    text_blocks: Vec<NodeId>,
}

/// The comrak options every parse uses. Public so that benchmarks can parse
/// exactly as mdscrub does.
pub fn parse_options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.front_matter_delimiter = Some("---".to_string());
    o
}

impl<'t> Document<'t> {
    /// Parses `text`. Never fails: spans that cannot be mapped are untrusted.
    pub fn parse(text: &'t str) -> Document<'t> {
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, text, &parse_options());
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text));
        let mut doc = Document {
            text,
            nodes: Vec::new(),
            line_starts,
            protected: Vec::new(),
            urls: Vec::new(),
            url_hosts: Vec::new(),
            visible_total: OnceCell::new(),
            visible_cache: OnceCell::new(),
            text_blocks: Vec::new(),
        };
        doc.flatten(root, None);
        doc.propagate_distrust();
        doc.collect_urls();
        doc
    }

    /// The literal of a text node (escapes and entities decoded); `None` for
    /// other nodes.
    pub fn literal<'a>(&'a self, node: &'a Node) -> Option<&'a str> {
        match &node.kind {
            Kind::Text(Literal::Source) => Some(&self.text[node.range.clone()]),
            Kind::Text(Literal::Own(lit)) => Some(lit),
            _ => None,
        }
    }

    /// The paragraphs, headings and HTML blocks, in document order (trusted
    /// or not): what the phrase rules test, without a walk over every node.
    pub fn text_blocks(&self) -> &[NodeId] {
        &self.text_blocks
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Direct children of `id`, in order.
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let end = self.nodes[id].end;
        let mut next = id + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let cur = next;
            next = self.nodes[cur].end;
            Some(cur)
        })
    }

    /// The source bytes of a node.
    pub fn src(&self, id: NodeId) -> &'t str {
        &self.text[self.nodes[id].range.clone()]
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        line_of(&self.line_starts, offset)
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.line_starts[self.line_of(offset) - 1]
    }

    /// Where the content of the line holding `offset` starts: the line start,
    /// except that a byte-order mark opening the text is not content. Use it
    /// for edits that take whole lines, so that they never take the BOM.
    pub fn content_line_start(&self, offset: usize) -> usize {
        let start = self.line_start(offset);
        if start == 0 && self.text.starts_with('\u{feff}') && offset >= BOM_LEN {
            BOM_LEN
        } else {
            start
        }
    }

    /// Byte offset just past the line holding `offset`, newline included.
    pub fn line_end(&self, offset: usize) -> usize {
        let line = self.line_of(offset);
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Visible text of a node: text and code literals; breaks become `\n`.
    /// The alt text of images is not visible text: an image is content or
    /// junk by what it is, never because its alt text reads like a phrase
    /// (see [`Document::alt_text`]).
    pub fn visible_text(&self, id: NodeId) -> String {
        let mut out = String::new();
        let end = self.nodes[id].end;
        let mut i = id;
        while i < end {
            let n = &self.nodes[i];
            match &n.kind {
                Kind::Image(_) if i != id => {
                    i = n.end;
                    continue;
                }
                Kind::Text(_) => out.push_str(self.literal(n).unwrap_or_default()),
                Kind::Code => out.push_str(code_literal(&self.text[n.range.clone()])),
                Kind::SoftBreak | Kind::LineBreak => out.push('\n'),
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The alt text of image `id` (its text children, decoded).
    pub fn alt_text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for n in &self.nodes[id + 1..self.nodes[id].end] {
            match &n.kind {
                Kind::Text(_) => out.push_str(self.literal(n).unwrap_or_default()),
                Kind::Code => out.push_str(code_literal(&self.text[n.range.clone()])),
                Kind::SoftBreak | Kind::LineBreak => out.push('\n'),
                _ => {}
            }
        }
        out
    }

    /// [`Document::visible_text`], computed once per node and document and
    /// shared by every rule that asks: several rules test the same blocks.
    pub fn visible_str(&self, id: NodeId) -> &str {
        let cache = self
            .visible_cache
            .get_or_init(|| (0..self.nodes.len()).map(|_| OnceCell::new()).collect());
        cache[id].get_or_init(|| self.visible_text(id).into_boxed_str())
    }

    /// Number of visible characters in the whole document: text, inline code
    /// and code blocks. Markup, URLs and raw HTML do not count.
    pub fn visible_chars(&self) -> usize {
        *self
            .visible_total
            .get_or_init(|| self.visible_chars_in(0..self.text.len()))
    }

    /// Visible characters of the nodes that start inside `range` (alt text
    /// of images aside).
    pub fn visible_chars_in(&self, range: Range<usize>) -> usize {
        let mut sum = 0;
        let mut i = 0;
        while i < self.nodes.len() {
            let n = &self.nodes[i];
            if matches!(n.kind, Kind::Image(_)) {
                i = n.end;
                continue;
            }
            if n.range.start >= range.start && n.range.start < range.end {
                sum += self.visible_chars_of(n);
            }
            i += 1;
        }
        sum
    }

    /// Visible characters a node holds itself (not its children).
    pub fn visible_chars_of(&self, n: &Node) -> usize {
        match &n.kind {
            Kind::Text(_) => self.literal(n).unwrap_or_default().chars().count(),
            Kind::Code | Kind::CodeBlock => self.text[n.range.clone()].chars().count(),
            _ => 0,
        }
    }

    /// True when the subtree of `id` contains a node of the given shape.
    pub fn contains(&self, id: NodeId, pred: impl Fn(&Kind) -> bool) -> bool {
        self.nodes[id + 1..self.nodes[id].end]
            .iter()
            .any(|n| pred(&n.kind))
    }

    /// Every place a URL is written: inline destinations, autolinks,
    /// reference definitions, raw HTML attributes and front matter fields.
    pub fn urls(&self) -> &[UrlSite] {
        &self.urls
    }

    /// The plain host of `urls()[i]`, lower case: what URL parsing would
    /// give as its host; `None` when only a full parse can tell (or the URL
    /// has no `scheme://` start).
    pub fn url_host(&self, i: usize) -> Option<&str> {
        self.url_hosts.get(i)?.as_deref()
    }

    /// True when `range` overlaps code (a code block or inline code).
    pub fn touches_code(&self, range: &Range<usize>) -> bool {
        self.protected.iter().any(|p| overlaps(p, range))
    }

    /// The byte range to delete to remove block `id` whole: the block and any
    /// container (list item, quote, list) that holds nothing else, extended to
    /// whole lines. `None` when the block shares a line with other content.
    pub fn removal_range(&self, id: NodeId) -> Option<Range<usize>> {
        let mut unit = id;
        while let Some(parent) = self.nodes[unit].parent {
            let p = &self.nodes[parent];
            // The first child spans the rest of the parent's subtree: O(1).
            let only_child = parent + 1 < p.end && self.nodes[parent + 1].end == p.end;
            if only_child && matches!(p.kind, Kind::Item | Kind::BlockQuote | Kind::List) {
                unit = parent;
            } else {
                break;
            }
        }
        let node = &self.nodes[unit];
        if !node.trusted {
            return None;
        }
        let range = self.trimmed(node.range.clone());
        let start = self.content_line_start(range.start);
        let prefix = &self.text[start..range.start];
        let prefix_ok = prefix.chars().all(|c| c == ' ' || c == '\t' || c == '>')
            || (matches!(node.kind, Kind::Item) && prefix.trim().is_empty());
        if !prefix_ok {
            return None;
        }
        let last = range.end.max(range.start + 1) - 1;
        let end = self.line_end(last);
        if !self.text[range.end..end].trim().is_empty() {
            return None;
        }
        // Between two lines of content at top level (list items aside), keep
        // the line break: the
        // blank line left keeps the neighbours apart (a paragraph above would
        // otherwise swallow an indented code block, a `---` or the paragraph
        // below). Tidy rules collapse blank runs.
        let content = |r: Range<usize>| !self.text[r].trim().is_empty();
        if prefix.is_empty()
            && node.kind != Kind::Item
            && start > 0
            && end < self.text.len()
            && content(self.line_start(start - 1)..start)
            && content(end..self.line_end(end))
        {
            let kept = self.text[start..end].trim_end_matches(['\r', '\n']).len();
            return Some(start..start + kept);
        }
        Some(start..end)
    }

    /// The node that stands for image `image` in its paragraph: the link
    /// around it when the link holds nothing else, else the image.
    pub fn image_unit(&self, image: NodeId) -> NodeId {
        match self.nodes[image].parent {
            Some(p)
                if matches!(self.nodes[p].kind, Kind::Link(_))
                    && self.children(p).count() == 1
                    && self.nodes[p].trusted =>
            {
                p
            }
            _ => image,
        }
    }

    /// True when inline `id` is whitespace or a line break.
    pub fn is_blank_inline(&self, id: NodeId) -> bool {
        let node = &self.nodes[id];
        match &node.kind {
            Kind::SoftBreak | Kind::LineBreak => true,
            Kind::Text(_) => self.literal(node).is_some_and(|t| t.trim().is_empty()),
            _ => false,
        }
    }

    /// True when inline `id` is an image, or a link that holds only an image.
    pub fn is_image_unit(&self, id: NodeId) -> bool {
        match self.nodes[id].kind {
            Kind::Image(_) => true,
            Kind::Link(_) => {
                let mut kids = self.children(id);
                matches!((kids.next(), kids.next()), (Some(g), None)
                    if matches!(self.nodes[g].kind, Kind::Image(_)) && self.image_unit(g) == id)
            }
            _ => false,
        }
    }

    /// `range` without trailing line breaks (block spans may end past them).
    pub fn trimmed(&self, range: Range<usize>) -> Range<usize> {
        let s = &self.text[range.clone()];
        let t = s.trim_end_matches(['\r', '\n']);
        range.start..range.start + t.len()
    }

    /// Flattens the tree in pre-order. Iterative, so that deeply nested input
    /// (thousands of `>` or list markers) cannot overflow the stack.
    fn flatten<'a>(&mut self, root: &'a AstNode<'a>, parent: Option<NodeId>) {
        enum Step<'a> {
            Enter(&'a AstNode<'a>, Option<NodeId>),
            Exit(NodeId),
        }
        let mut stack = vec![Step::Enter(root, parent)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Exit(id) => {
                    let end = self.nodes.len();
                    self.nodes[id].end = end;
                }
                Step::Enter(node, parent) => {
                    let id = self.push_node(node, parent);
                    stack.push(Step::Exit(id));
                    let mut child = node.last_child();
                    while let Some(c) = child {
                        stack.push(Step::Enter(c, Some(id)));
                        child = c.previous_sibling();
                    }
                }
            }
        }
    }

    /// What to protect for code whose own span could not be checked: the
    /// nearest block around it that has a span, else the whole text. Rules
    /// must not guess where such code ends.
    fn untrusted_code_guard(&self, mut parent: Option<NodeId>) -> Range<usize> {
        while let Some(p) = parent {
            let n = &self.nodes[p];
            if n.is_block() && n.kind != Kind::Document && !n.range.is_empty() {
                return n.range.clone();
            }
            parent = n.parent;
        }
        0..self.text.len()
    }

    /// Adds one node (its children come after it).
    fn push_node<'a>(&mut self, node: &'a AstNode<'a>, parent: Option<NodeId>) -> NodeId {
        let id = self.nodes.len();
        let (kind, range, trusted) = {
            let ast = node.data.borrow();
            let range = self.byte_range(&ast.sourcepos);
            let mut kind = convert(&ast.value);
            // Most text is its own source: no copy then.
            if let NodeValue::Text(t) = &ast.value
                && range.as_ref().is_none_or(|r| self.text[r.clone()] != **t)
            {
                kind = Kind::Text(Literal::Own(t.to_string().into_boxed_str()));
            }
            (kind, range, true)
        };
        let (range, mut trusted) = match range {
            Some(r) => (r, trusted),
            None => (0..0, false),
        };
        let mut kind = kind;
        if trusted {
            trusted = self.check_span(&mut kind, &range, node);
        }
        if matches!(kind, Kind::CodeBlock | Kind::Code) {
            let guard = if trusted {
                range.clone()
            } else {
                self.untrusted_code_guard(parent)
            };
            if self.protected.last() != Some(&guard) {
                self.protected.push(guard);
            }
        }
        if matches!(kind, Kind::Paragraph | Kind::Heading(_) | Kind::HtmlBlock) {
            self.text_blocks.push(id);
        }
        self.nodes.push(Node {
            kind,
            range,
            parent,
            end: id + 1,
            trusted,
        });
        id
    }

    fn byte_range(&self, sp: &comrak::nodes::Sourcepos) -> Option<Range<usize>> {
        let ls = &self.line_starts;
        if sp.start.line == 0 || sp.start.column == 0 {
            return None;
        }
        let start = ls.get(sp.start.line - 1)? + sp.start.column - 1;
        let end = ls.get(sp.end.line.checked_sub(1)?)? + sp.end.column;
        let end = end.min(self.text.len());
        if start > end || !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) {
            return None;
        }
        Some(start..end)
    }

    /// Checks that a span holds the node it claims to; fills link details.
    fn check_span<'a>(&self, kind: &mut Kind, range: &Range<usize>, node: &'a AstNode<'a>) -> bool {
        let src = &self.text[range.clone()];
        match kind {
            Kind::Text(Literal::Source) => true,
            Kind::Text(Literal::Own(lit)) => loosely_equal(src, lit),
            Kind::Code => src.starts_with('`') && src.ends_with('`'),
            Kind::HtmlInline => {
                if let NodeValue::HtmlInline(lit) = &node.data.borrow().value {
                    src == lit
                } else {
                    false
                }
            }
            Kind::Image(link) => {
                src.starts_with("![") && (src.ends_with(')') || src.ends_with(']')) && {
                    locate_link(self.text, range.start + 1, range.end, link)
                }
            }
            Kind::Link(link) => {
                if src.starts_with('[') && (src.ends_with(')') || src.ends_with(']')) {
                    locate_link(self.text, range.start, range.end, link)
                } else if src.starts_with('<') && src.ends_with('>') {
                    link.form = LinkForm::Autolink;
                    link.dest = Some(range.start + 1..range.end - 1);
                    true
                } else if !src.is_empty() && link.url.ends_with(src) {
                    link.form = LinkForm::Bare;
                    // A bare URL ends at the first non-ASCII character: exporters
                    // glue Chinese text straight onto links.
                    let cut = src.find(|c: char| !c.is_ascii()).unwrap_or(src.len());
                    link.dest = Some(range.start..range.start + cut);
                    true
                } else {
                    false
                }
            }
            _ => true,
        }
    }

    /// A node that failed its check taints every ancestor up to the nearest
    /// leaf block's container: the block's own range cannot be trusted either.
    fn propagate_distrust(&mut self) {
        for id in (0..self.nodes.len()).rev() {
            if !self.nodes[id].trusted {
                let mut p = self.nodes[id].parent;
                while let Some(pid) = p {
                    if matches!(self.nodes[pid].kind, Kind::Document) {
                        break;
                    }
                    self.nodes[pid].trusted = false;
                    p = self.nodes[pid].parent;
                }
            }
        }
        // Descendants of an untrusted block are untrusted too.
        for id in 0..self.nodes.len() {
            if let Some(p) = self.nodes[id].parent
                && !self.nodes[p].trusted
                && !matches!(self.nodes[p].kind, Kind::Document)
            {
                self.nodes[id].trusted = false;
            }
        }
    }

    fn collect_urls(&mut self) {
        let mut urls = Vec::new();
        let mut leaf_blocks: Vec<Range<usize>> = Vec::new();
        for (id, n) in self.nodes.iter().enumerate() {
            match &n.kind {
                Kind::Link(l) | Kind::Image(l) if n.trusted => {
                    if let Some(dest) = &l.dest {
                        let place = match l.form {
                            LinkForm::Inline => UrlPlace::Destination,
                            LinkForm::Autolink | LinkForm::Bare => UrlPlace::Autolink,
                            LinkForm::Reference => continue,
                        };
                        if !dest.is_empty() {
                            urls.push(UrlSite {
                                range: dest.clone(),
                                place,
                            });
                        }
                    }
                }
                Kind::HtmlBlock | Kind::HtmlInline if n.trusted => {
                    html_attribute_urls(self.text, n.range.clone(), &mut urls);
                }
                Kind::FrontMatter if n.trusted => {
                    front_matter_urls(self.text, n.range.clone(), &mut urls);
                }
                _ => {}
            }
            let _ = id;
            if matches!(
                n.kind,
                Kind::Paragraph
                    | Kind::Heading(_)
                    | Kind::CodeBlock
                    | Kind::HtmlBlock
                    | Kind::Table
                    | Kind::ThematicBreak
                    | Kind::FrontMatter
            ) {
                leaf_blocks.push(n.range.clone());
            }
        }
        self.definition_urls(&leaf_blocks, &mut urls);
        urls.sort_by_key(|u| u.range.start);
        urls.dedup_by(|a, b| overlaps(&a.range, &b.range));
        let text = self.text;
        self.url_hosts = urls
            .iter()
            .map(|u| crate::url_text::url_plain_host(&text[u.range.clone()]))
            .collect();
        self.urls = urls;
    }

    /// Link reference definitions are not nodes: find them on lines that no
    /// leaf block covers. A paragraph whose span starts on a definition line is
    /// untrusted (comrak reports it from the definition on), so its definition
    /// lines are found here as well.
    fn definition_urls(&self, leaf_blocks: &[Range<usize>], urls: &mut Vec<UrlSite>) {
        let text = self.text;
        if !text.contains("]:") {
            return;
        }
        let covered = |start: usize, end: usize| {
            self.nodes.iter().any(|n| {
                n.trusted
                    && matches!(
                        n.kind,
                        Kind::Paragraph
                            | Kind::Heading(_)
                            | Kind::CodeBlock
                            | Kind::HtmlBlock
                            | Kind::Table
                            | Kind::FrontMatter
                    )
                    && n.range.start < end
                    && start < n.range.end
            })
        };
        let _ = leaf_blocks;
        for (i, &start) in self.line_starts.iter().enumerate() {
            let end = self.line_starts.get(i + 1).copied().unwrap_or(text.len());
            let line = &text[start..end];
            if !line.contains("]:") || covered(start, end) {
                continue;
            }
            let next = self.line_starts.get(i + 2).copied().unwrap_or(text.len());
            let next_line = (end < text.len()).then(|| &text[end..next]);
            if let Some(dest) = definition_destination(line, next_line) {
                urls.push(UrlSite {
                    range: start + dest.start..start + dest.end,
                    place: UrlPlace::Definition,
                });
            }
        }
    }
}

/// The URL range inside a link reference definition line, if it is one,
/// relative to the line's start. A destination may also open the next line
/// (`[id]:` alone on its line); its range then lies past the first line.
fn definition_destination(line: &str, next_line: Option<&str>) -> Option<Range<usize>> {
    let b = line.as_bytes();
    let mut i = 0;
    // Container prefixes: block quote markers and indentation.
    while i < b.len() && (b[i] == b'>' || b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i >= b.len() || b[i] != b'[' {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && b[j] != b']' {
        if b[j] == b'\\' {
            j += 1;
        } else if b[j] == b'[' {
            return None;
        }
        j += 1;
    }
    if j + 1 >= b.len() || b[j + 1] != b':' || j == i + 1 {
        return None;
    }
    let mut k = j + 2;
    while k < b.len() && (b[k] == b' ' || b[k] == b'\t') {
        k += 1;
    }
    if line[k..].trim_end_matches(['\r', '\n']).is_empty() {
        let next = next_line?;
        let nb = next.as_bytes();
        let mut n = 0;
        while n < nb.len() && matches!(nb[n], b'>' | b' ' | b'\t') {
            n += 1;
        }
        let dest = destination_at(next, n)?;
        return Some(line.len() + dest.start..line.len() + dest.end);
    }
    destination_at(line, k)
}

/// The destination of a definition that starts at byte `k` of `line`.
fn destination_at(line: &str, mut k: usize) -> Option<Range<usize>> {
    let b = line.as_bytes();
    if k < b.len() && b[k] == b'<' {
        let close = line[k..].find('>')? + k;
        return Some(k + 1..close);
    }
    let s = k;
    while k < b.len() && !b[k].is_ascii_whitespace() {
        k += 1;
    }
    (k > s).then_some(s..k)
}

/// URLs in `src`, `data-src` and `href` attributes of raw HTML. Only the
/// inside of start tags is searched: text between tags that happens to read
/// `src=…` is text.
fn html_attribute_urls(text: &str, range: Range<usize>, out: &mut Vec<UrlSite>) {
    let html = &text[range.clone()];
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|p| i + p) {
        if html[lt..].starts_with("<!--") {
            i = html[lt..].find("-->").map_or(html.len(), |p| lt + p + 3);
            continue;
        }
        if !b.get(lt + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        // The tag ends at the first `>` outside a quoted value.
        let mut j = lt + 1;
        let mut quote: Option<u8> = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            j += 1;
        }
        tag_attribute_urls(text, range.start + lt..range.start + j, out);
        i = j;
    }
}

/// URLs in `src`, `data-src` and `href` attributes of one start tag.
fn tag_attribute_urls(text: &str, range: Range<usize>, out: &mut Vec<UrlSite>) {
    let html = &text[range.clone()];
    let lower = html.to_ascii_lowercase();
    for name in ["src", "href"] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name) {
            let at = from + pos;
            from = at + name.len();
            let before = lower[..at].chars().next_back();
            let ok_before = matches!(before, Some(c) if c.is_ascii_whitespace())
                || (name == "src" && lower[..at].ends_with("data-"));
            if !ok_before {
                continue;
            }
            let rest = &html[from..];
            let trimmed = rest.trim_start();
            let Some(after_eq) = trimmed.strip_prefix('=') else {
                continue;
            };
            let value_start = html.len() - after_eq.trim_start().len();
            let value = &html[value_start..];
            let (start, len) = match value.as_bytes().first() {
                Some(q @ (b'"' | b'\'')) => {
                    let Some(close) = value[1..].find(*q as char) else {
                        continue;
                    };
                    (value_start + 1, close)
                }
                Some(_) => {
                    let len = value
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(value.len());
                    (value_start, len)
                }
                None => continue,
            };
            if len > 0 {
                out.push(UrlSite {
                    range: range.start + start..range.start + start + len,
                    place: UrlPlace::HtmlAttribute,
                });
            }
        }
    }
}

/// URLs in front matter fields whose key names a link (`url:`, `link:`,
/// `source:`, `canonical_url:` …).
fn front_matter_urls(text: &str, range: Range<usize>, out: &mut Vec<UrlSite>) {
    let fm = &text[range.clone()];
    let mut offset = range.start;
    for line in fm.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let Some(colon) = line.find(':') else {
            continue;
        };
        let key = line[..colon].trim().to_ascii_lowercase();
        let is_url_key = ["url", "link", "source", "href", "origin"]
            .iter()
            .any(|k| key.contains(k));
        if !is_url_key || key.contains(' ') {
            continue;
        }
        let value = &line[colon + 1..];
        let lead = value.len() - value.trim_start().len();
        let value = value.trim_start();
        let (value, lead) = match value.as_bytes().first() {
            Some(b'"' | b'\'') => (&value[1..], lead + 1),
            _ => (value, lead),
        };
        if !(value.starts_with("http://") || value.starts_with("https://")) {
            continue;
        }
        let len = value
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(value.len());
        let start = line_start + colon + 1 + lead;
        out.push(UrlSite {
            range: start..start + len,
            place: UrlPlace::FrontMatter,
        });
    }
}

/// Finds the label and destination of `[label](dest "title")` starting at
/// `open` (the `[`), within `end`. Returns false when the source does not hold
/// the URL the parser resolved.
fn locate_link(text: &str, open: usize, end: usize, link: &mut Link) -> bool {
    let b = text.as_bytes();
    if b.get(open) != Some(&b'[') {
        return false;
    }
    // Matching `]`, skipping escapes and code spans' brackets naively.
    let mut depth = 0usize;
    let mut i = open;
    let close = loop {
        if i >= end {
            return false;
        }
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    break i;
                }
            }
            _ => {}
        }
        i += 1;
    };
    link.label = Some(open + 1..close);
    // A `(` just past the node's span is not its destination.
    if close + 1 >= end || b[close + 1] != b'(' {
        link.form = LinkForm::Reference;
        link.dest = None;
        return true;
    }
    link.form = LinkForm::Inline;
    let mut k = close + 2;
    while k < end && matches!(b[k], b' ' | b'\t' | b'\n' | b'\r') {
        k += 1;
    }
    let dest = if b.get(k) == Some(&b'<') {
        let Some(c) = text[k + 1..end].find('>') else {
            return false;
        };
        k + 1..k + 1 + c
    } else {
        let s = k;
        let mut parens = 0i32;
        while k < end {
            match b[k] {
                b'\\' => k += 1,
                b'(' => parens += 1,
                b')' if parens == 0 => break,
                b')' => parens -= 1,
                c if c.is_ascii_whitespace() => break,
                _ => {}
            }
            k += 1;
        }
        s..k.min(end)
    };
    let raw = &text[dest.clone()];
    if raw != link.url && unescape(raw) != link.url {
        return false;
    }
    link.dest = Some(dest);
    true
}

/// Backslash escapes and the entities that occur in URLs, decoded.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if let Some(&(_, n)) = chars.peek()
                && n.is_ascii_punctuation()
            {
                out.push(n);
                chars.next();
                continue;
            }
        } else if c == '&' {
            let rest = &s[i..];
            let known = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
            ];
            if let Some((ent, ch)) = known.iter().find(|(e, _)| rest.starts_with(e)) {
                out.push(*ch);
                for _ in 1..ent.len() {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Text whose source differs from its literal only by escapes and entities.
fn loosely_equal(src: &str, lit: &str) -> bool {
    if !(src.contains('\\') || src.contains('&')) {
        return false;
    }
    let first_src = src.chars().next();
    let first_lit = lit.chars().next();
    (first_src == first_lit || matches!(first_src, Some('\\' | '&'))) && src.len() >= lit.len() / 2
}

/// The literal of an inline code span's source.
fn code_literal(src: &str) -> &str {
    let ticks = src.len() - src.trim_start_matches('`').len();
    let inner = &src[ticks.min(src.len())..src.len().saturating_sub(ticks).max(ticks)];
    inner.trim_matches(' ')
}

fn convert(value: &NodeValue) -> Kind {
    match value {
        NodeValue::Document => Kind::Document,
        NodeValue::FrontMatter(_) => Kind::FrontMatter,
        NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => Kind::BlockQuote,
        NodeValue::List(_) => Kind::List,
        NodeValue::Item(_) | NodeValue::TaskItem(_) => Kind::Item,
        NodeValue::CodeBlock(_) => Kind::CodeBlock,
        NodeValue::HtmlBlock(_) => Kind::HtmlBlock,
        NodeValue::Paragraph => Kind::Paragraph,
        NodeValue::Heading(h) => Kind::Heading(h.level),
        NodeValue::ThematicBreak => Kind::ThematicBreak,
        NodeValue::Table(_) => Kind::Table,
        NodeValue::TableRow(_) => Kind::TableRow,
        NodeValue::TableCell => Kind::TableCell,
        NodeValue::Text(_) => Kind::Text(Literal::Source),
        NodeValue::SoftBreak => Kind::SoftBreak,
        NodeValue::LineBreak => Kind::LineBreak,
        NodeValue::Code(_) => Kind::Code,
        NodeValue::HtmlInline(_) => Kind::HtmlInline,
        NodeValue::Emph => Kind::Emph,
        NodeValue::Strong => Kind::Strong,
        NodeValue::Link(l) => Kind::Link(Box::new(Link {
            url: l.url.clone(),
            form: LinkForm::Inline,
            dest: None,
            label: None,
        })),
        NodeValue::Image(l) => Kind::Image(Box::new(Link {
            url: l.url.clone(),
            form: LinkForm::Inline,
            dest: None,
            label: None,
        })),
        v if v.block() => Kind::OtherBlock,
        _ => Kind::OtherInline,
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)
}

/// The lines of `text`, each with its line break, and where each starts:
/// `str::split_inclusive('\n')` with a vectorised search (CJK paragraphs
/// make long lines).
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let mut at = 0;
    let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        at = breaks.next().map_or(text.len(), |i| i + 1);
        Some((start, &text[start..at]))
    })
}

fn line_of(line_starts: &[usize], offset: usize) -> usize {
    match line_starts.binary_search(&offset) {
        Ok(i) => i + 1,
        Err(i) => i,
    }
}

/// True when two byte ranges share at least one byte, or an empty range lies
/// strictly inside the other.
pub fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(doc: &Document) -> Vec<String> {
        doc.nodes
            .iter()
            .map(|n| format!("{:?}:{}", n.kind, doc.text[n.range.clone()].len()))
            .collect()
    }

    #[test]
    fn image_destination_is_located() {
        let text = "a ![x](http://h/p?q=1 \"t\") b\n";
        let doc = Document::parse(text);
        let img = doc
            .nodes
            .iter()
            .find(|n| matches!(n.kind, Kind::Image(_)))
            .unwrap();
        let dest = img.link().unwrap().dest.clone().unwrap();
        assert_eq!(&text[dest], "http://h/p?q=1");
        assert!(img.trusted, "{:?}", kinds(&doc));
    }

    #[test]
    fn escaped_destination_matches_resolved_url() {
        let text = "[b](http://x\\(y\\)?a=1&amp;b=2)\n";
        let doc = Document::parse(text);
        let urls = doc.urls();
        assert_eq!(urls.len(), 1);
        assert_eq!(&text[urls[0].range.clone()], "http://x\\(y\\)?a=1&amp;b=2");
    }

    #[test]
    fn paragraph_after_definition_is_untrusted_but_definition_is_found() {
        let text = "[ref]: https://e.com/?a=1 \"t\"\npara\n";
        let doc = Document::parse(text);
        let p = doc
            .nodes
            .iter()
            .find(|n| n.kind == Kind::Paragraph)
            .unwrap();
        assert!(!p.trusted);
        let urls = doc.urls();
        assert_eq!(urls.len(), 1);
        assert_eq!(&text[urls[0].range.clone()], "https://e.com/?a=1");
        assert_eq!(urls[0].place, UrlPlace::Definition);
    }

    #[test]
    fn bom_and_crlf_offsets() {
        let text = "\u{feff}# T\r\n\r\ntext ![a](u)\r\n";
        let doc = Document::parse(text);
        let img = doc
            .nodes
            .iter()
            .position(|n| matches!(n.kind, Kind::Image(_)))
            .unwrap();
        assert_eq!(doc.src(img), "![a](u)");
        let h = doc
            .nodes
            .iter()
            .position(|n| n.kind == Kind::Heading(1))
            .unwrap();
        assert_eq!(doc.src(h), "# T");
    }

    #[test]
    fn html_and_front_matter_urls() {
        let text = "---\nurl: \"https://mp.weixin.qq.com/s?a=1\"\n---\n\n<img data-src=\"https://x/y?z=1\" src='http://q'>\n";
        let doc = Document::parse(text);
        let found: Vec<&str> = doc.urls().iter().map(|u| &text[u.range.clone()]).collect();
        assert_eq!(
            found,
            vec![
                "https://mp.weixin.qq.com/s?a=1",
                "https://x/y?z=1",
                "http://q"
            ]
        );
    }

    #[test]
    fn definition_destination_on_the_next_line_is_found() {
        let text = "[a]:\n  https://e.com/?x=1\n  \"t\"\n\n> [b]:\r\n> <https://e.com/?y=2>\r\n\n[c]:\n\n[c]\n";
        let doc = Document::parse(text);
        let found: Vec<&str> = doc.urls().iter().map(|u| &text[u.range.clone()]).collect();
        assert_eq!(found, vec!["https://e.com/?x=1", "https://e.com/?y=2"]);
        assert!(doc.urls().iter().all(|u| u.place == UrlPlace::Definition));
    }

    #[test]
    fn html_text_that_reads_like_an_attribute_is_not_a_url() {
        let text = "<p class=\"a\" title='x>y'>写着 src=https://e.com/?a=1 的文字 <img src=https://e.com/i?b=2 alt=\">\"></p>\n<!-- <a href=\"https://e.com/c\"> -->\n";
        let doc = Document::parse(text);
        let found: Vec<&str> = doc.urls().iter().map(|u| &text[u.range.clone()]).collect();
        assert_eq!(found, vec!["https://e.com/i?b=2"]);
    }

    #[test]
    fn bare_url_stops_at_chinese_text() {
        let text = "链接：https://mp.weixin.qq.com/s?a=1&chksm=ab中文\n";
        let doc = Document::parse(text);
        let found: Vec<&str> = doc.urls().iter().map(|u| &text[u.range.clone()]).collect();
        assert_eq!(found, vec!["https://mp.weixin.qq.com/s?a=1&chksm=ab"]);
    }

    #[test]
    fn removal_range_of_the_first_block_keeps_the_bom() {
        let text = "\u{feff}返回列表页\n\n# T\n";
        let doc = Document::parse(text);
        let p = doc
            .nodes
            .iter()
            .position(|n| n.kind == Kind::Paragraph)
            .unwrap();
        let r = doc.removal_range(p).unwrap();
        assert_eq!(&text[r], "返回列表页\n");
        assert_eq!(doc.content_line_start(0), 0);
        assert_eq!(doc.content_line_start(5), 3);
    }

    #[test]
    fn removal_range_takes_whole_item_and_lines() {
        let text = "- keep\n- drop me\n\n> quoted\n";
        let doc = Document::parse(text);
        let p = doc
            .nodes
            .iter()
            .position(|n| doc.literal(n) == Some("drop me"))
            .unwrap();
        let para = doc.node(p).parent.unwrap();
        let r = doc.removal_range(para).unwrap();
        assert_eq!(&text[r], "- drop me\n");
        let q = doc
            .nodes
            .iter()
            .position(|n| doc.literal(n) == Some("quoted"))
            .unwrap();
        let r = doc.removal_range(doc.node(q).parent.unwrap()).unwrap();
        assert_eq!(&text[r], "> quoted\n");
    }

    #[test]
    fn code_is_protected() {
        let text = "```\n![](x?from=1)\n```\n\nuse `![](y)` here\n";
        let doc = Document::parse(text);
        assert_eq!(doc.protected.len(), 2);
        assert!(doc.urls().is_empty());
    }
}
