//! Building the flat tree from comrak's: one node per comrak node, each span
//! checked against the source, distrust spread to the blocks around a node
//! that failed its check.

use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue};

use super::{Document, Kind, Link, LinkForm, Literal, Node, NodeId};

impl<'t> Document<'t> {
    /// Flattens the tree in pre-order. Iterative, so that deeply nested input
    /// (thousands of `>` or list markers) cannot overflow the stack.
    pub(super) fn flatten<'a>(&mut self, root: &'a AstNode<'a>, parent: Option<NodeId>) {
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
    pub(super) fn propagate_distrust(&mut self) {
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
