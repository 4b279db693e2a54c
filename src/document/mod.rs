//! A parsed Markdown document: the source text, a flat tree of nodes with byte
//! ranges into that text, and the places where URLs live.
//!
//! This is the only module that calls comrak's parser. Rules see the flat tree
//! below, never comrak's types, and every byte range they get has been checked
//! against the source: a node whose span does not look like the node (an image
//! that does not start with `![`, a text whose bytes differ from its literal)
//! is marked untrusted, and so is every block that holds it. Rules skip
//! untrusted nodes rather than guess.

mod flatten;
mod urls;

use std::cell::OnceCell;
use std::ops::Range;

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

/// Every place a URL is written, and for each its plain host
/// ([`crate::url_text::url_plain_host`]), found once for all the rules that
/// filter URLs by host.
struct UrlIndex {
    urls: Vec<UrlSite>,
    hosts: Vec<Option<Host>>,
}

/// A URL's plain host: where it is written in the text, or its lower-case
/// copy when it is not written so.
enum Host {
    At(Range<usize>),
    Own(Box<str>),
}

/// Source text plus its parsed structure.
pub struct Document<'t> {
    pub text: &'t str,
    pub nodes: Vec<Node>,
    line_starts: Vec<usize>,
    /// Byte ranges no rule may change: code blocks and inline code.
    pub protected: Vec<Range<usize>>,
    /// The URL index ([`Document::urls`]), built on first use: learning
    /// and the zone rules read no URL.
    url_index: OnceCell<UrlIndex>,
    /// [`Document::visible_chars`], counted once, when first asked.
    visible_total: OnceCell<usize>,
    /// [`Document::visible_str`] per node, filled on first use.
    visible_cache: OnceCell<Vec<OnceCell<Box<str>>>>,
    /// [`Document::html_str`] per node, filled on first use.
    html_cache: OnceCell<Vec<OnceCell<Box<str>>>>,
    /// [`Document::block_text`] per node: where the trimmed text lies in
    /// its visible (or HTML) text, and its length in characters.
    measure_cache: OnceCell<Vec<OnceCell<Span>>>,
    /// Paragraphs, headings and HTML blocks, in document order.
    text_blocks: Vec<NodeId>,
    /// [`Document::prints`], taken once, when first asked.
    prints: OnceCell<crate::learn::prints::Prints>,
    /// [`Document::edge_prints`], taken once, when first asked.
    edge_prints: OnceCell<Vec<crate::learn::prints::LinePrint>>,
    /// [`Document::para_lines`] per node, filled on first use.
    para_cache: OnceCell<Vec<OnceCell<ParaLines>>>,
}

/// A paragraph cut into lines at its soft and hard breaks, with each line's
/// visible text and whether it holds code, worked out once per document and
/// shared by the rules that read lines (`drop-line`, `classify-zones`, the
/// fingerprints).
#[derive(Debug)]
pub struct ParaLines {
    /// The paragraph's top-level inline children, cut at breaks (the breaks
    /// left out); a line may be empty (two breaks in a row).
    pub lines: Vec<Vec<NodeId>>,
    texts: OnceCell<Vec<String>>,
    /// Each text trimmed (its range in the text) and counted.
    measured: OnceCell<Vec<Span>>,
    code: OnceCell<Vec<bool>>,
}

impl ParaLines {
    /// True when a line is empty.
    pub fn has_empty(&self) -> bool {
        self.lines.iter().any(Vec::is_empty)
    }

    /// The visible text of each line ([`Document::visible_text`] of its
    /// nodes, joined).
    pub fn texts(&self, doc: &Document) -> &[String] {
        self.texts.get_or_init(|| {
            self.lines
                .iter()
                .map(|l| {
                    let mut text = String::new();
                    for &n in l {
                        doc.push_visible(n, &mut text);
                    }
                    text
                })
                .collect()
        })
    }

    /// Line `k`'s text ([`ParaLines::texts`]) trimmed and counted, once for
    /// all the rules that test it.
    pub fn measured<'d>(&'d self, doc: &Document, k: usize) -> Measured<'d> {
        let texts = self.texts(doc);
        let spans = self
            .measured
            .get_or_init(|| texts.iter().map(|t| Span::of(t)).collect());
        spans[k].on(&texts[k])
    }

    /// For each line: true when it is or holds inline code.
    pub fn code(&self, doc: &Document) -> &[bool] {
        self.code.get_or_init(|| {
            self.lines
                .iter()
                .map(|l| {
                    l.iter().any(|&n| {
                        doc.contains(n, |k| *k == Kind::Code) || doc.node(n).kind == Kind::Code
                    })
                })
                .collect()
        })
    }
}

/// A text trimmed, with its length in characters: what
/// [`crate::rules::ShortText`] tests, worked out once for all the rules that
/// test the same text.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    pub text: &'a str,
    pub chars: usize,
}

impl<'a> Measured<'a> {
    pub fn of(text: &'a str) -> Measured<'a> {
        let text = text.trim();
        Measured {
            text,
            chars: text.chars().count(),
        }
    }
}

/// A [`Measured`] kept apart from its text: where the trimmed text lies in
/// it, and its length in characters.
#[derive(Debug, Clone)]
struct Span {
    range: Range<usize>,
    chars: usize,
}

impl Span {
    fn of(full: &str) -> Span {
        let m = Measured::of(full);
        let start = m.text.as_ptr() as usize - full.as_ptr() as usize;
        Span {
            range: start..start + m.text.len(),
            chars: m.chars,
        }
    }

    /// The measured text of `full`, the text this span was taken of.
    fn on<'a>(&self, full: &'a str) -> Measured<'a> {
        Measured {
            text: &full[self.range.clone()],
            chars: self.chars,
        }
    }
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
        // Room for about as many nodes and text blocks as real exports
        // have (a node per 64 bytes, a text block per 205, on average):
        // most parses then never grow the lists. Capped: a huge text with
        // few nodes must not reserve megabytes.
        let mut doc = Document {
            text,
            nodes: Vec::with_capacity((text.len() / 48).min(1 << 14) + 8),
            line_starts,
            protected: Vec::new(),
            url_index: OnceCell::new(),
            visible_total: OnceCell::new(),
            visible_cache: OnceCell::new(),
            html_cache: OnceCell::new(),
            measure_cache: OnceCell::new(),
            text_blocks: Vec::with_capacity((text.len() / 160).min(1 << 12) + 4),
            prints: OnceCell::new(),
            edge_prints: OnceCell::new(),
            para_cache: OnceCell::new(),
        };
        doc.flatten(root, None);
        doc.propagate_distrust();
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

    /// The fingerprints of this document ([`crate::learn::prints::Prints`]),
    /// taken once and shared by every rule that reads them (`classify-zones`,
    /// `drop-link-run`, learned rules).
    pub fn prints(&self) -> &crate::learn::prints::Prints {
        self.prints
            .get_or_init(|| crate::learn::prints::Prints::of(self))
    }

    /// True once [`Document::prints`] were taken.
    pub fn has_prints(&self) -> bool {
        self.prints.get().is_some()
    }

    /// The fingerprinted lines of the blocks that reach into the head or the
    /// tail ([`crate::learn::prints::Prints::edges`]): what the zone
    /// classifier reads, without fingerprinting the body. Taken from
    /// [`Document::prints`] when those are already there.
    pub fn edge_prints(&self) -> &[crate::learn::prints::LinePrint] {
        if let Some(p) = self.prints.get() {
            return &p.lines;
        }
        self.edge_prints
            .get_or_init(|| crate::learn::prints::Prints::edges(self))
    }

    /// An empty slot per node: the caches of what is worked out per node on
    /// first use.
    fn per_node<T>(&self) -> Vec<OnceCell<T>> {
        (0..self.nodes.len()).map(|_| OnceCell::new()).collect()
    }

    /// Paragraph `id` cut into lines ([`ParaLines`]), once per document.
    pub fn para_lines(&self, id: NodeId) -> &ParaLines {
        let cache = self.para_cache.get_or_init(|| self.per_node());
        cache[id].get_or_init(|| {
            let mut lines = vec![Vec::new()];
            for child in self.children(id) {
                match self.node(child).kind {
                    Kind::SoftBreak | Kind::LineBreak => lines.push(Vec::new()),
                    _ => lines.last_mut().expect("never empty").push(child),
                }
            }
            ParaLines {
                lines,
                texts: OnceCell::new(),
                measured: OnceCell::new(),
                code: OnceCell::new(),
            }
        })
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
        self.push_visible(id, &mut out);
        out
    }

    /// Appends [`Document::visible_text`] of `id` to `out`.
    pub fn push_visible(&self, id: NodeId, out: &mut String) {
        self.visible_pieces(id, |piece| {
            out.push_str(piece);
            true
        });
    }

    /// The pieces [`Document::push_visible`] joins, handed to `f` in order
    /// until it returns false; false when it did.
    pub fn visible_pieces(&self, id: NodeId, mut f: impl FnMut(&str) -> bool) -> bool {
        let end = self.nodes[id].end;
        let mut i = id;
        while i < end {
            let n = &self.nodes[i];
            let more = match &n.kind {
                Kind::Image(_) if i != id => {
                    i = n.end;
                    continue;
                }
                Kind::Text(_) => f(self.literal(n).unwrap_or_default()),
                Kind::Code => f(code_literal(&self.text[n.range.clone()])),
                Kind::SoftBreak | Kind::LineBreak => f("\n"),
                _ => true,
            };
            if !more {
                return false;
            }
            i += 1;
        }
        true
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
        let cache = self.visible_cache.get_or_init(|| self.per_node());
        cache[id].get_or_init(|| self.visible_text(id).into_boxed_str())
    }

    /// The text of HTML block `id` with its tags removed
    /// ([`crate::rules::html_text`]), computed once per node and document.
    pub fn html_str(&self, id: NodeId) -> &str {
        let cache = self.html_cache.get_or_init(|| self.per_node());
        cache[id].get_or_init(|| crate::rules::html_text(self.src(id)).into_boxed_str())
    }

    /// The text the phrase rules test in block `id`, measured once per node
    /// and shared by all of them: the visible text of a paragraph or heading
    /// ([`Document::visible_str`]), the text of an HTML block without its
    /// tags ([`Document::html_str`]), trimmed, with its length.
    pub fn block_text(&self, id: NodeId) -> Measured<'_> {
        let full = if self.nodes[id].kind == Kind::HtmlBlock {
            self.html_str(id)
        } else {
            self.visible_str(id)
        };
        let cache = self.measure_cache.get_or_init(|| self.per_node());
        cache[id].get_or_init(|| Span::of(full)).on(full)
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
        &self.url_index().urls
    }

    /// The plain host of `urls()[i]`, lower case: what URL parsing would
    /// give as its host; `None` when only a full parse can tell (or the URL
    /// has no `scheme://` start).
    pub fn url_host(&self, i: usize) -> Option<&str> {
        match self.url_index().hosts.get(i)?.as_ref()? {
            Host::At(r) => Some(&self.text[r.clone()]),
            Host::Own(s) => Some(s),
        }
    }

    fn url_index(&self) -> &UrlIndex {
        self.url_index.get_or_init(|| self.collect_urls())
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
}

/// The literal of an inline code span's source: without the backticks that
/// open it and as many that close it. Only backticks are cut: a span whose
/// source does not end with them (comrak's span of a code span that holds a
/// line break can stop short) keeps its last characters whole.
fn code_literal(src: &str) -> &str {
    let ticks = src.len() - src.trim_start_matches('`').len();
    let rest = &src[ticks..];
    let closing = rest.len() - rest.trim_end_matches('`').len();
    rest[..rest.len() - closing.min(ticks)].trim_matches(' ')
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

/// True when byte range `outer` holds all of `inner`.
pub fn covers(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
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
    fn a_code_span_whose_source_stops_short_is_read_whole_characters() {
        // A code span holding a line break after a CRLF: comrak's span of it
        // ends before its closing backticks, inside a character if cut by
        // the count of the opening ones.
        let text = "\r\n[1]: https://e.com/a\r\n``点赞 ` 在看``®  关注我们`![](https://e.com/a)`正文。\r\n\r\n点赞";
        let doc = Document::parse(text);
        let visible: String = doc.children(0).map(|id| doc.visible_text(id)).collect();
        assert!(visible.contains("点赞"), "{visible:?}");
        assert_eq!(code_literal("``a ` b``"), "a ` b");
        assert_eq!(code_literal("`x`"), "x");
        assert_eq!(code_literal("``关注我们"), "关注我们");
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
