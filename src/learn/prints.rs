//! Fingerprints of one document: each line of its paragraphs by normalised
//! visible text, each image by its URL without query, and where each sits
//! (head, body or tail). What learning counts across an archive, and what
//! the learned rules look up when they clean.

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

use crate::content::lines;
use crate::document::{Document, Kind, NodeId};
use crate::fragments::logical_spans;

/// Where a line sits in its document. Junk gathers before the first line of
/// real prose (the head) and after the last one (the tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    Head,
    Body,
    Tail,
}

impl Zone {
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Head => "head",
            Zone::Body => "body",
            Zone::Tail => "tail",
        }
    }
}

/// Shortest normalised text, in characters, of a line of real prose: a line
/// this long ends the head and starts the tail.
pub const PROSE_CHARS: usize = 40;

/// Shortest normalised text, in characters, a learned line may have: shorter
/// lines (`END`, `1`, `}`, a label such as 漏洞详情) are left to the phrase
/// rules.
pub const MIN_TEXT_CHARS: usize = 6;

/// Longest normalised text, in characters, of a line wholly in bold or
/// italics that is taken for a heading written as a paragraph, never learned.
const PSEUDO_HEADING_CHARS: usize = 12;

/// Longest normalised text, in characters, of a line ending with a colon
/// that is taken for a label (`漏洞名称：`); a longer one is a sentence that
/// introduces what follows.
const LABEL_CHARS: usize = 12;

/// Longest first line, in normalised characters, that is read as a label
/// over the prose after it in its paragraph (see `Prints::run_in_label`).
const RUN_IN_LABEL_CHARS: usize = 20;

/// Longest normalised text, in characters, a learned line may have.
pub const MAX_TEXT_CHARS: usize = 300;

/// One fingerprinted line of a paragraph.
#[derive(Debug, Clone)]
pub struct LinePrint {
    /// Hash of the normalised text ([`text_key`]); `None` when the line has
    /// too little text (or too much) to be learned.
    pub key: Option<u64>,
    pub zone: Zone,
    /// 1-based line number in the source.
    pub line: usize,
    /// The paragraph, and the line's inline nodes.
    pub para: NodeId,
    pub nodes: Vec<NodeId>,
    /// Normalised characters of the line.
    pub chars: usize,
    /// The line shows an image.
    pub images: bool,
    /// The line is an HTML block (never taken for prose).
    pub html: bool,
    /// The line is a web address and nothing more, perhaps under a short
    /// label (`原文：https://…`): a source line, never taken for prose.
    pub address: bool,
    /// The line is the article's structure (a label, a numbered item, a
    /// heading written in bold): what follows it is its content.
    pub structure: bool,
    /// The paragraph's lines (as `drop-line` cuts them at breaks) this
    /// logical line spans.
    pub span: Range<usize>,
}

/// One fingerprinted image.
#[derive(Debug, Clone)]
pub struct ImagePrint {
    pub key: u64,
    pub zone: Zone,
    pub line: usize,
    /// The image node.
    pub node: NodeId,
}

/// The fingerprints of a document.
#[derive(Debug, Default)]
pub struct Prints {
    pub lines: Vec<LinePrint>,
    pub images: Vec<ImagePrint>,
    /// Hash of the first line of real prose: tells a second copy of the same
    /// article apart from boilerplate shared by different articles.
    pub article: u64,
    /// First lines of the code blocks and tables, in order: content that no
    /// run of boilerplate crosses.
    pub barriers: Vec<usize>,
}

/// Buffers reused line after line: a line's normalised text, and the start
/// of its visible text.
#[derive(Default)]
struct Buffers {
    norm: String,
    text: String,
}

/// The normalised form of a line's visible text: letters and digits only
/// (any script), ASCII lower case. Markup, spacing, punctuation and emoji
/// differ between copies of the same boilerplate; the words do not.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_normalised(&mut out, text);
    out
}

/// Appends [`normalise`] of `text` to `out`: runs of characters kept as
/// they are (most of a CJK text) are copied whole, not one by one. Read byte
/// by byte: ASCII is answered directly, and a character that starts with E5
/// to E9 is U+5000 to U+9FFF, a CJK ideograph (a letter), skipped over
/// without decoding.
pub fn push_normalised(out: &mut String, text: &str) {
    let b = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            if x.is_ascii_lowercase() || x.is_ascii_digit() {
                i += 1;
                continue;
            }
            out.push_str(&text[run..i]);
            if x.is_ascii_uppercase() {
                out.push(x.to_ascii_lowercase() as char);
            }
            i += 1;
            run = i;
        } else if (0xE5..=0xE9).contains(&x) {
            i += 3;
        } else {
            let c = text[i..].chars().next().expect("a char starts here");
            if word_char(c) {
                i += c.len_utf8();
                continue;
            }
            out.push_str(&text[run..i]);
            i += c.len_utf8();
            run = i;
        }
    }
    out.push_str(&text[run..]);
}

/// True for a CJK Unified Ideograph (U+4E00–U+9FFF): a Chinese character.
#[inline]
pub fn is_cjk_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// `char::is_alphanumeric`, answered without the Unicode tables for ASCII,
/// the CJK Unified Ideographs (every one of them is a letter) and the common
/// CJK punctuation, which make up most of the text here: the table lookup was a tenth of a clean's
/// time.
#[inline]
pub fn word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if is_cjk_ideograph(c) {
        true
    } else if is_common_cjk_punctuation(c) || c == '\u{3000}' {
        // The common CJK punctuation, and the ideographic space.
        false
    } else {
        c.is_alphanumeric()
    }
}

/// The CJK punctuation most Chinese text is made of, told without the
/// Unicode tables: none of it is a letter or a digit, and all of it is
/// printable.
pub fn is_common_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '【'
            | '】'
            | '…'
            | '—'
            | '·'
    )
}

/// The key of a normalised text.
pub fn text_key(normalised: &str) -> u64 {
    xxh3_64(normalised.as_bytes())
}

/// The key of an image URL: host and path, without scheme, query or
/// fragment (the same image under other tracking parameters); a `data:` URL
/// by its first 80 bytes.
pub fn image_key(url: &str) -> u64 {
    let t = url.trim();
    if t.starts_with("data:") || t.contains("&amp;") {
        return xxh3_64(image_id(url).as_bytes());
    }
    // Most URLs: what `image_id` gives is a slice of the URL, hashed
    // without a copy.
    xxh3_64(host_and_path(t).as_bytes())
}

/// What [`image_key`] hashes, readable: `mmbiz.qpic.cn/sz_mmbiz_png/…/640`.
pub fn image_id(url: &str) -> String {
    let url = url.trim().replace("&amp;", "&");
    if url.starts_with("data:") {
        return url.chars().take(80).collect();
    }
    host_and_path(&url).to_string()
}

/// A URL without its scheme, query and fragment.
fn host_and_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))
        .unwrap_or(url);
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

impl Prints {
    /// Fingerprints `doc`.
    pub fn of(doc: &Document) -> Prints {
        let mut p = Prints::default();
        let mut bufs = Buffers::default();
        for n in &doc.nodes {
            if matches!(n.kind, Kind::CodeBlock | Kind::Table) && n.trusted {
                p.barriers.push(doc.line_of(n.range.start));
            }
        }
        for &id in doc.text_blocks() {
            p.block(doc, id, &mut bufs, true);
        }
        if p.article == 0 {
            // No line of prose: the whole text stands for the article.
            p.article = xxh3_64(doc.text.as_bytes());
        }
        p.zone();
        p
    }

    /// The lines of the blocks that reach into the head or the tail, with
    /// the zones [`Prints::of`] gives them: the blocks up to the one holding
    /// the first line of prose, and those from the one holding the last.
    /// The blocks in between are body through and through and are not read,
    /// so this costs a document's edges, not its length. No images, barriers
    /// or article key: what the zone classifier reads.
    pub fn edges(doc: &Document) -> Vec<LinePrint> {
        Prints::edges_past(doc, |_| false)
    }

    /// [`Prints::edges`] with the head reaching past the lines `skip` names:
    /// where the article starts once what other rules delete is gone (a
    /// long call to star the account is no first line of the article).
    pub fn edges_past(doc: &Document, skip: impl Fn(&LinePrint) -> bool) -> Vec<LinePrint> {
        let first_prose = |l: &LinePrint| is_prose(l) && !skip(l);
        let blocks = doc.text_blocks();
        let mut bufs = Buffers::default();
        let mut head = Prints::default();
        let mut first_prose_block = None;
        for (k, &id) in blocks.iter().enumerate() {
            let from = head.lines.len();
            head.block(doc, id, &mut bufs, false);
            if head.lines[from..].iter().any(first_prose) {
                first_prose_block = Some(k);
                break;
            }
        }
        let Some(f) = first_prose_block else {
            // No prose: every line is head, as in `of`.
            head.lines.iter_mut().for_each(|l| l.zone = Zone::Head);
            return head.lines;
        };
        // From the end back to the block after `f`, until a block holds
        // prose; the blocks are fingerprinted in document order.
        let mut tail: Vec<Vec<LinePrint>> = Vec::new();
        for &id in blocks[f + 1..].iter().rev() {
            let mut one = Prints::default();
            one.block(doc, id, &mut bufs, false);
            let prose = one.lines.iter().any(is_prose);
            tail.push(one.lines);
            if prose {
                break;
            }
        }
        let mut lines = head.lines;
        lines.extend(tail.into_iter().rev().flatten());
        let first = lines
            .iter()
            .position(first_prose)
            .expect("block f holds one");
        let last = lines
            .iter()
            .rposition(is_prose)
            .expect("block f holds prose");
        for (i, l) in lines.iter_mut().enumerate() {
            l.zone = zone_of(i, first, last);
        }
        lines
    }

    /// True when a line of `doc` may carry a key `wanted` holds: every line
    /// whose key [`Prints::of`] gives is tested, and lines it gives none
    /// (structure, say) may be too. Only the keys are worked out: no zones,
    /// images or line facts. A document no learned line is in is told so
    /// for less than its fingerprints cost.
    pub fn may_hold_key(doc: &Document, wanted: impl Fn(u64) -> bool) -> bool {
        let mut norm = String::new();
        let learnable = |norm: &str| {
            (MIN_TEXT_CHARS..=MAX_TEXT_CHARS).contains(&norm.chars().count())
                && wanted(text_key(norm))
        };
        for &id in doc.text_blocks() {
            let node = doc.node(id);
            if !node.trusted || in_table(doc, id) {
                continue;
            }
            match node.kind {
                Kind::HtmlBlock => {
                    norm.clear();
                    push_normalised(&mut norm, doc.html_str(id));
                    if learnable(&norm) {
                        return true;
                    }
                }
                Kind::Paragraph => {
                    for (_, line) in logical_lines(doc, id) {
                        line_facts(doc, &line, &mut norm);
                        if learnable(&norm) {
                            return true;
                        }
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Fingerprints the lines of text block `id` (a paragraph or an HTML
    /// block; others have none), and its images when `images`.
    fn block(&mut self, doc: &Document, id: NodeId, bufs: &mut Buffers, images: bool) {
        let Buffers { norm, text } = bufs;
        let node = doc.node(id);
        if !node.trusted || in_table(doc, id) {
            return;
        }
        if node.kind == Kind::HtmlBlock {
            self.html_block(doc, id);
            return;
        }
        if node.kind != Kind::Paragraph {
            return;
        }
        let first = self.lines.len();
        for (span, line) in logical_lines(doc, id) {
            let (code, shows) = line_facts(doc, &line, norm);
            let chars = norm.chars().count();
            let kind = if chars == 0 {
                Structure::None
            } else {
                structure(doc, &line, chars, text)
            };
            let structure = kind != Structure::None;
            let learnable = (MIN_TEXT_CHARS..=MAX_TEXT_CHARS).contains(&chars)
                && !code
                && kind != Structure::Label;
            let start = doc.node(line[0]).range.start;
            // Only a line long enough for prose can be an address that
            // must not be taken for it; shorter ones are not read again.
            let address = chars >= PROSE_CHARS && line_is_address(doc, &line, text);
            if self.article == 0 && chars >= PROSE_CHARS && !address {
                self.article = text_key(norm);
            }
            if images {
                for &n in &line {
                    for (i, m) in doc.nodes[n..doc.node(n).end].iter().enumerate() {
                        if let Kind::Image(link) = &m.kind
                            && m.trusted
                            && !link.url.trim().is_empty()
                        {
                            self.images.push(ImagePrint {
                                key: image_key(&link.url),
                                zone: Zone::Body,
                                line: doc.line_of(m.range.start),
                                node: n + i,
                            });
                        }
                    }
                }
            }
            self.lines.push(LinePrint {
                key: learnable.then(|| text_key(norm)),
                zone: Zone::Body,
                line: doc.line_of(start),
                para: id,
                nodes: line,
                chars,
                images: shows,
                html: false,
                address,
                structure,
                span,
            });
        }
        self.run_in_label(doc, first, text);
    }

    /// A short first line over a line of prose in the same paragraph, with
    /// no sentence's end (`Problem Description⏎The digital root of…`), is a
    /// label over its content: structure, never learned, however often a
    /// template repeats it.
    fn run_in_label(&mut self, doc: &Document, first: usize, text: &mut String) {
        let [label, content, ..] = &self.lines[first..] else {
            return;
        };
        if label.structure
            || label.chars == 0
            || label.chars > RUN_IN_LABEL_CHARS
            || label.images
            || content.chars < PROSE_CHARS
        {
            return;
        }
        text.clear();
        for &n in &label.nodes {
            doc.push_visible(n, text);
        }
        let ends_sentence = text
            .trim_end()
            .ends_with(['。', '！', '？', '.', '!', '?', '；', ';', '…', '~', '～']);
        if !ends_sentence {
            let label = &mut self.lines[first];
            label.structure = true;
            label.key = None;
        }
    }

    /// An HTML block is one line: its text without tags. Exporters keep an
    /// account's footer as the same HTML in every article.
    fn html_block(&mut self, doc: &Document, id: NodeId) {
        let norm = normalise(doc.html_str(id));
        let chars = norm.chars().count();
        let learnable = (MIN_TEXT_CHARS..=MAX_TEXT_CHARS).contains(&chars);
        self.lines.push(LinePrint {
            key: learnable.then(|| text_key(&norm)),
            zone: Zone::Body,
            line: doc.line_of(doc.node(id).range.start),
            para: id,
            nodes: vec![id],
            chars,
            images: false,
            html: true,
            address: false,
            structure: false,
            span: 0..1,
        });
    }

    /// Sets each line's and image's zone from where the prose starts and ends.
    fn zone(&mut self) {
        let prose = is_prose;
        let first = self.lines.iter().position(prose);
        let last = self.lines.iter().rposition(prose);
        let (Some(first), Some(last)) = (first, last) else {
            // No prose at all: every line is head (a post that is all images
            // and chrome).
            self.lines.iter_mut().for_each(|l| l.zone = Zone::Head);
            self.images.iter_mut().for_each(|i| i.zone = Zone::Head);
            return;
        };
        let (head_end, tail_start) = (self.lines[first].line, self.lines[last].line);
        for (i, l) in self.lines.iter_mut().enumerate() {
            l.zone = zone_of(i, first, last);
        }
        for im in &mut self.images {
            im.zone = zone_of(im.line, head_end, tail_start);
        }
    }

    /// The zone line `i` is counted in when learning: its own, except that
    /// the first and the last line of prose count as head and tail (when
    /// they differ). A paragraph that ends every article of an account (its
    /// blurb, a standing call for papers) is that article's last prose line
    /// by length alone; recurrence across articles then tells it apart.
    /// `edges` is [`Prints::prose_edges`].
    pub fn learning_zone(&self, i: usize, edges: Option<(usize, usize)>) -> Zone {
        let l = &self.lines[i];
        if l.zone != Zone::Body || !is_prose(l) {
            return l.zone;
        }
        match edges {
            Some((f, z)) if f != z && i == z => Zone::Tail,
            Some((f, z)) if f != z && i == f => Zone::Head,
            _ => Zone::Body,
        }
    }

    /// The first and the last line of prose, if any.
    pub fn prose_edges(&self) -> Option<(usize, usize)> {
        let first = self.lines.iter().position(is_prose)?;
        let last = self.lines.iter().rposition(is_prose)?;
        Some((first, last))
    }

    /// Each line's zone when the lines `skip` names are not prose: where a
    /// learned paragraph sits at an edge, the edge reaches past it.
    pub fn zones_without(&self, skip: impl Fn(&LinePrint) -> bool) -> Vec<Zone> {
        let prose = |l: &LinePrint| is_prose(l) && !skip(l);
        let first = self.lines.iter().position(prose);
        let last = self.lines.iter().rposition(prose);
        let (Some(first), Some(last)) = (first, last) else {
            return self.lines.iter().map(|l| l.zone).collect();
        };
        (0..self.lines.len())
            .map(|i| zone_of(i, first, last))
            .collect()
    }

    /// True when line `i` sits next to boilerplate: the nearest line before
    /// it that shows something, and the nearest after it, are boilerplate by
    /// `junk` (or images, or the document's edge), on at least one side,
    /// with no code block or table between. A learned line alone between
    /// lines of the article (a template's `Sample Input`), or right under a
    /// line of structure (a timeline's date, a label), is the article's.
    pub fn next_to_junk(&self, i: usize, junk: impl Fn(&LinePrint) -> bool) -> bool {
        let shows = |l: &LinePrint| l.chars > 0 || l.images;
        let side = |j: Option<&LinePrint>, lo: usize, hi: usize| -> bool {
            let crossed = self.barriers.iter().any(|&b| lo < b && b < hi);
            match j {
                _ if crossed => false,
                None => true,
                Some(l) => junk(l) || (l.images && l.chars == 0),
            }
        };
        let me = &self.lines[i];
        let prev = self.lines[..i].iter().rev().find(|l| shows(l));
        let next = self.lines[i + 1..].iter().find(|l| shows(l));
        // A sentence right under a label, a date or a heading written in
        // bold, in a paragraph of its own, is that structure's content (a
        // timeline's last event); a bold start of the same paragraph is not.
        if !me.structure && prev.is_some_and(|l| l.structure && l.para != me.para && !junk(l)) {
            return false;
        }
        side(prev, prev.map_or(0, |l| l.line), me.line)
            || side(next, me.line, next.map_or(usize::MAX, |l| l.line))
    }

    /// The byte range of a line's inline nodes.
    pub fn line_range(doc: &Document, line: &LinePrint) -> Range<usize> {
        doc.node(line.nodes[0]).range.start..doc.node(line.nodes[line.nodes.len() - 1]).range.end
    }
}

/// The zone of line (or line number) `i` when the prose runs from `first`
/// to `last`.
fn zone_of(i: usize, first: usize, last: usize) -> Zone {
    if i < first {
        Zone::Head
    } else if i > last {
        Zone::Tail
    } else {
        Zone::Body
    }
}

/// A line of real prose: long enough, and not an HTML block or an address.
pub fn is_prose(l: &LinePrint) -> bool {
    l.chars >= PROSE_CHARS && !l.html && !l.address
}

/// Longest label, in characters, before an address that [`is_address`]
/// reads as its label (`原文链接：`, `Source:`).
const ADDRESS_LABEL_CHARS: usize = 8;

/// True when `text` is one web address (`http://`, `https://` or `www.`),
/// perhaps under a short label ending with a colon: the source line an
/// article ends with, long by its letters alone.
pub fn is_address(text: &str) -> bool {
    let t = text.trim();
    let url = |t: &str| starts_like_url(t) && !t.contains(char::is_whitespace);
    url(t)
        || t.find(['：', ':']).is_some_and(|i| {
            let colon = t[i..].chars().next().map_or(1, char::len_utf8);
            t[..i].chars().count() <= ADDRESS_LABEL_CHARS && url(t[i + colon..].trim_start())
        })
}

/// True when `t` starts with `http://`, `https://` or `www.`, in any case.
fn starts_like_url(t: &str) -> bool {
    let b = t.as_bytes();
    let starts = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
    starts(b"http://") || starts(b"https://") || starts(b"www.")
}

/// Bytes of a line's visible text read before [`line_is_address`] decides
/// from its start alone: more than a label of [`ADDRESS_LABEL_CHARS`] wide
/// characters, its colon and the start of an address.
const ADDRESS_PREFIX_BYTES: usize = 128;

/// [`is_address`] of the visible text of `line`, read from its start: a
/// long line of prose is told apart by its first bytes (no address at its
/// start, no colon close enough to it), without a copy of the whole line.
/// `text` is a buffer.
fn line_is_address(doc: &Document, line: &[NodeId], text: &mut String) -> bool {
    text.clear();
    let whole = push_visible_prefix(doc, line, text, ADDRESS_PREFIX_BYTES);
    if whole {
        return is_address(text);
    }
    let t = text.trim_start();
    // Past the limit: the first colon of the whole text, if it lies after
    // the start read, has more than ADDRESS_LABEL_CHARS characters before
    // it, and the text itself starts as no address does. Else read it all.
    let undecided = t.len() < ADDRESS_PREFIX_BYTES / 2
        || starts_like_url(t)
        || t.find(['：', ':'])
            .is_some_and(|i| t[..i].chars().count() <= ADDRESS_LABEL_CHARS);
    if !undecided {
        return false;
    }
    text.clear();
    for &n in line {
        doc.push_visible(n, text);
    }
    is_address(text)
}

/// [`Document::push_visible`] of each node of `line` in turn, stopping once
/// `out` holds at least `limit` bytes (cut at a character's boundary).
/// True when all of the line's visible text was pushed.
fn push_visible_prefix(doc: &Document, line: &[NodeId], out: &mut String, limit: usize) -> bool {
    line.iter().all(|&id| {
        doc.visible_pieces(id, |s| {
            let room = limit.saturating_sub(out.len());
            if s.len() <= room {
                out.push_str(s);
                return true;
            }
            let mut cut = room;
            while !s.is_char_boundary(cut) {
                cut += 1;
            }
            out.push_str(&s[..cut]);
            false
        })
    })
}

/// What kind of structure a line is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Structure {
    /// A sentence.
    None,
    /// A short label that ends with a colon (`漏洞名称：`) or an item of a numbered
    /// list (`2、前置条件：未知`): they recur across an account's articles as a
    /// template does, and are never learned.
    Label,
    /// A short line wholly in bold or italics: a heading written as a
    /// paragraph. Learned only as boilerplate is, at the edges and next to
    /// other boilerplate (`**漏洞情报服务**` over an account's own ad).
    Heading,
}

/// The structure a line is ([`Structure`]), from its nodes and its count of
/// normalised characters. `text` is a buffer for its visible text, of which
/// only as much is read as the tests need: all of a short line, the start of
/// a long one (a number that opens it).
fn structure(doc: &Document, line: &[NodeId], chars: usize, text: &mut String) -> Structure {
    text.clear();
    let short = chars <= LABEL_CHARS.max(PSEUDO_HEADING_CHARS);
    for &n in line {
        doc.push_visible(n, text);
        // `is_numbered` reads at most a bracket, three digits and a mark
        // after the leading white space: 16 bytes are plenty.
        if !short && text.trim_start().len() >= 16 {
            break;
        }
    }
    let t = text.trim();
    if (t.ends_with([':', '：']) && chars <= LABEL_CHARS) || crate::content::is_numbered(t) {
        return Structure::Label;
    }
    if chars > PSEUDO_HEADING_CHARS {
        return Structure::None;
    }
    let solid = line.iter().filter(|&&n| !doc.is_blank_inline(n));
    if solid.clone().next().is_some()
        && solid
            .clone()
            .all(|&n| matches!(doc.node(n).kind, Kind::Strong | Kind::Emph))
    {
        Structure::Heading
    } else {
        Structure::None
    }
}

/// A line's normalised visible text ([`normalise`] of what
/// [`Document::visible_text`] gives) into `norm` (cleared first), and
/// whether it holds code and whether it shows an image: one walk over its
/// nodes, without copying the text first.
fn line_facts(doc: &Document, line: &[NodeId], norm: &mut String) -> (bool, bool) {
    norm.clear();
    let (mut code, mut images) = (false, false);
    let mut push = |s: &str| push_normalised(norm, s);
    for &n in line {
        let end = doc.node(n).end;
        let mut i = n;
        while i < end {
            let node = doc.node(i);
            match &node.kind {
                Kind::Image(_) => {
                    images = true;
                    i = node.end;
                    continue;
                }
                Kind::Text(_) => push(doc.literal(node).unwrap_or_default()),
                Kind::Code => {
                    code = true;
                    push(doc.visible_text(i).as_str());
                }
                _ => {}
            }
            i += 1;
        }
    }
    (code, images)
}

/// The logical lines of paragraph `id`: a sentence split across hard breaks
/// is one line (`**致力于**⏎第一时间为…⏎解决方案。`); a line that shows an
/// image stays apart. Each comes with the span of the paragraph's lines (as
/// the rules cut them) it covers, and its inline nodes.
fn logical_lines(doc: &Document, id: NodeId) -> Vec<(Range<usize>, Vec<NodeId>)> {
    // The paragraph's lines as the rules cut them, shared with them;
    // empty lines left out (two breaks in a row: rare).
    let para = doc.para_lines(id);
    let own;
    let cut: &[Vec<NodeId>] = if para.has_empty() {
        own = lines(doc, id);
        &own
    } else {
        &para.lines
    };
    let spans = if cut.len() > 1 {
        let texts: Vec<String>;
        let texts: &[String] = if para.has_empty() {
            texts = cut
                .iter()
                .map(|l| l.iter().map(|&n| doc.visible_text(n)).collect())
                .collect();
            &texts
        } else {
            para.texts(doc)
        };
        let images: Vec<bool> = cut.iter().map(|l| shows_image(doc, l)).collect();
        logical_spans(texts, |k| images[k])
    } else {
        std::iter::once(0..cut.len()).collect()
    };
    spans
        .into_iter()
        .map(|span| {
            let line = cut[span.clone()].iter().flatten().copied().collect();
            (span, line)
        })
        .collect()
}

/// True when one of `line`'s nodes is or holds an image.
fn shows_image(doc: &Document, line: &[NodeId]) -> bool {
    line.iter().any(|&n| {
        doc.nodes[n..doc.node(n).end]
            .iter()
            .any(|m| matches!(m.kind, Kind::Image(_)))
    })
}

/// True when `id` sits in a table.
fn in_table(doc: &Document, id: NodeId) -> bool {
    let mut p = doc.node(id).parent;
    while let Some(n) = p {
        if matches!(
            doc.node(n).kind,
            Kind::Table | Kind::TableCell | Kind::TableRow
        ) {
            return true;
        }
        p = doc.node(n).parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_char_is_alphanumeric() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn an_address_is_one_url_perhaps_under_a_short_label() {
        for yes in [
            "https://medium.com/@someone/2-500-bug-bounty-write-up",
            "  原文：https://brutecat.com/articles/leaking-google-phones ",
            "原文链接: http://example.com/a?b=c",
            "Source:https://example.com/x",
            "www.example.com/long/path/of/the/source",
            "HTTPS://EXAMPLE.COM/A",
        ] {
            assert!(is_address(yes), "{yes}");
        }
        for no in [
            "原文：https://example.com/a 这是后面的一句话",
            "文章还可以在我的博客上在线阅读：https://example.com/x",
            "[1] mask.json: https://github.com/ddd/gpb",
            "Thanks https://example.com/x",
            "httpd 的配置文件在 /etc 下",
            "",
        ] {
            assert!(!is_address(no), "{no}");
        }
    }

    #[test]
    fn an_address_read_from_the_start_of_a_line_is_the_same_as_read_whole() {
        let long = "很长的一句话".repeat(12);
        let pad = "\u{3000}".repeat(50);
        let lines = [
            format!("原文：https://example.com/{}", "a".repeat(200)),
            format!("原文：https://example.com/{} 后面", "a".repeat(200)),
            format!("https://example.com/{}", "b".repeat(300)),
            format!("**原文链接**: <https://example.com/{}>", "c".repeat(200)),
            format!("来源**{long}**：https://example.com/x"),
            format!("{long}：https://example.com/x"),
            format!("{pad}原文：https://example.com/{}", "d".repeat(100)),
            format!("{pad}{long}"),
            format!("Source:{pad}https://example.com/x{}", "e".repeat(100)),
            format!("[链接](https://example.com/)与`code`：{long}"),
            format!(
                "![图](https://example.com/a.png)原文：https://example.com/{}",
                "f".repeat(150)
            ),
            format!("{long}![图](https://example.com/a.png)"),
            "原文：https://example.com/short".to_string(),
        ];
        for line in &lines {
            let doc = Document::parse(line);
            let para = doc.text_blocks()[0];
            let nodes: Vec<NodeId> = doc.children(para).collect();
            let mut whole = String::new();
            for &n in &nodes {
                doc.push_visible(n, &mut whole);
            }
            let mut buf = String::new();
            assert_eq!(
                line_is_address(&doc, &nodes, &mut buf),
                is_address(&whole),
                "{line}"
            );
        }
    }

    #[test]
    fn every_key_of_the_fingerprints_is_found_by_the_key_only_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut keys = 0;
        for dir in std::fs::read_dir(root).unwrap() {
            let input = dir.unwrap().path().join("input.md");
            let Ok(text) = std::fs::read_to_string(&input) else {
                continue;
            };
            let doc = Document::parse(&text);
            let prints = Prints::of(&doc);
            for k in prints.lines.iter().filter_map(|l| l.key) {
                keys += 1;
                assert!(
                    Prints::may_hold_key(&doc, |x| x == k),
                    "{}: {k:x}",
                    input.display()
                );
            }
            assert!(!Prints::may_hold_key(&doc, |_| false));
        }
        assert!(keys > 100, "the fixtures hold lines to fingerprint: {keys}");
    }

    #[test]
    fn normalised_text_keeps_words_only() {
        assert_eq!(
            normalise("**本文章由谙忆编写，所有权利保留。**"),
            "本文章由谙忆编写所有权利保留"
        );
        assert_eq!(normalise("Hello, World! 👇"), "helloworld");
        assert_eq!(normalise("ÀB c，中文Ｘ１"), "Àbc中文Ｘ１");
        let slow = |t: &str| -> String {
            t.chars()
                .filter(|c| c.is_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        for t in ["", "A", "，", "**粗体**Ab 12 ①②", "e\u{301}t\u{200b}é ÉÀ"] {
            assert_eq!(normalise(t), slow(t), "{t:?}");
        }
        // Every character, between ASCII and CJK neighbours.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let t = format!("aB{c}中，{c}");
            assert_eq!(normalise(&t), slow(&t), "{c:?}");
        }
    }

    #[test]
    fn image_keys_hash_image_ids() {
        for u in [
            " https://mmbiz.qpic.cn/a/640?wx_fmt=gif&amp;from=appmsg ",
            "https://e.com/a&amp;b/640?x=1",
            "//e.com/a#f",
            "data:image/svg+xml,%3Csvg",
            "http://e.com/p",
            "",
        ] {
            assert_eq!(image_key(u), xxh3_64(image_id(u).as_bytes()), "{u:?}");
        }
    }

    #[test]
    fn image_ids_drop_scheme_query_and_fragment() {
        assert_eq!(
            image_id("https://mmbiz.qpic.cn/a/640?wx_fmt=gif&from=appmsg#imgIndex=1"),
            "mmbiz.qpic.cn/a/640"
        );
        assert_eq!(
            image_id("http://mmbiz.qpic.cn/a/640"),
            "mmbiz.qpic.cn/a/640"
        );
    }

    #[test]
    fn zones_are_before_and_after_the_prose() {
        let long = "这是一段很长的正文，说明了很多事情，和别的文章都不一样，这里还要再多写一些字才够长，再长一点。";
        let text = format!(
            "点击上方蓝字关注我们\n\n{long}\n\n中间的短句\n\n{long}\n\n本文为原创内容\n\n![](https://e.com/a.png?x=1)\n"
        );
        let doc = Document::parse(&text);
        let p = Prints::of(&doc);
        let zones: Vec<Zone> = p.lines.iter().map(|l| l.zone).collect();
        assert_eq!(
            zones,
            [
                Zone::Head,
                Zone::Body,
                Zone::Body,
                Zone::Body,
                Zone::Tail,
                Zone::Tail
            ]
        );
        assert_eq!(p.images.len(), 1);
        assert_eq!(p.images[0].zone, Zone::Tail);
        assert_ne!(p.article, 0);
    }

    /// `edges` gives exactly the lines `of` gives for the blocks that reach
    /// into the head or the tail and for the blocks of the first and the last
    /// line of prose, with the same zones, and no other line.
    #[test]
    fn edges_are_the_lines_of_the_blocks_at_the_edges() {
        let long = "这是一段很长的正文，说明了很多事情，和别的文章都不一样，这里还要再多写一些字才够长，再长一点。";
        let texts = [
            format!("点击上方蓝字关注我们\n\n{long}\n\n中间的短句\n\n{long}\n\n本文为原创内容\n"),
            // The first and the last prose line in one paragraph, with
            // head and tail lines in it.
            format!("关注我们  \n{long}  \n中间  \n{long}  \n点赞在看\n\n结尾\n"),
            format!("{long}\n"),
            "只有短句\n\n和图片\n\n![](https://e.com/a.png)\n".to_string(),
            String::new(),
            format!(
                "<p>页眉</p>\n\n> 引用里的短句\n\n- {long}\n- 列表\n\n| a |\n|---|\n| {long} |\n\n尾巴\n"
            ),
        ];
        let key = |l: &LinePrint| (l.para, l.span.clone(), l.zone, l.chars, l.line, l.key);
        for text in &texts {
            let doc = Document::parse(text);
            let full = Prints::of(&doc);
            let mut edge_paras: Vec<NodeId> = full
                .lines
                .iter()
                .filter(|l| l.zone != Zone::Body)
                .map(|l| l.para)
                .collect();
            if let Some((f, l)) = full.prose_edges() {
                edge_paras.extend([full.lines[f].para, full.lines[l].para]);
            }
            let want: Vec<_> = full
                .lines
                .iter()
                .filter(|l| edge_paras.contains(&l.para))
                .map(key)
                .collect();
            let got: Vec<_> = Prints::edges(&doc).iter().map(key).collect();
            assert_eq!(got, want, "{text:?}");
        }
        let paragraphs: String = (0..50).map(|i| format!("{long}{i}\n\n")).collect();
        let text = format!("关注我们\n\n{paragraphs}点赞\n");
        let doc = Document::parse(&text);
        let edges = Prints::edges(&doc);
        assert_eq!(edges.len(), 4, "only the blocks at the edges are read");
        assert_eq!(edges[0].zone, Zone::Head);
        assert_eq!(edges[3].zone, Zone::Tail);
    }
}
