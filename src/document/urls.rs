//! The URL index: every place a URL is written, whether or not the tree
//! has a node for it (reference definitions, raw HTML attributes, front
//! matter).

use std::ops::Range;

use std::borrow::Cow;

use super::{Document, Host, Kind, LinkForm, UrlIndex, UrlPlace, UrlSite, overlaps};

impl<'t> Document<'t> {
    pub(super) fn collect_urls(&self) -> UrlIndex {
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
        let hosts = urls
            .iter()
            .map(|u| {
                crate::url_text::url_plain_host(&text[u.range.clone()]).map(|h| match h {
                    // A slice of the text: kept as where it lies.
                    Cow::Borrowed(b) => {
                        let at = b.as_ptr() as usize - text.as_ptr() as usize;
                        Host::At(at..at + b.len())
                    }
                    Cow::Owned(o) => Host::Own(o.into_boxed_str()),
                })
            })
            .collect();
        UrlIndex { urls, hosts }
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
        // The tag ends at the first `>` outside a quoted value: jump from
        // one of `>"'` to the next, and over a quoted value whole.
        let mut from = lt + 1;
        let j = loop {
            let Some(k) = memchr::memchr3(b'>', b'"', b'\'', &b[from..]) else {
                break b.len();
            };
            let at = from + k;
            if b[at] == b'>' {
                break at;
            }
            match memchr::memchr(b[at], &b[at + 1..]) {
                Some(close) => from = at + 1 + close + 1,
                None => break b.len(),
            }
        };
        tag_attribute_urls(text, range.start + lt..range.start + j, out);
        i = j;
    }
}

/// URLs in `src`, `data-src` and `href` attributes of one start tag.
fn tag_attribute_urls(text: &str, range: Range<usize>, out: &mut Vec<UrlSite>) {
    let html = &text[range.clone()];
    let bytes = html.as_bytes();
    for name in ["src", "href"] {
        // Each `=` of the tag, with the name before it (white space between
        // them aside): no copy of the tag is made, and no search for a name
        // that is not followed by `=`.
        for eq in memchr::memchr_iter(b'=', bytes) {
            let before_eq = html[..eq].trim_end();
            let at = before_eq.len().saturating_sub(name.len());
            if before_eq.len() < name.len()
                || !before_eq.as_bytes()[at..].eq_ignore_ascii_case(name.as_bytes())
            {
                continue;
            }
            let from = at + name.len();
            let ok_before = bytes[..at].last().is_some_and(u8::is_ascii_whitespace)
                || (name == "src" && at >= 5 && bytes[at - 5..at].eq_ignore_ascii_case(b"data-"));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The search as first written: the tag's end found byte by byte, the
    /// names searched in a lower-case copy of the tag.
    fn reference(html: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
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
            let tag = &html[lt..j];
            let lower = tag.to_ascii_lowercase();
            for name in ["src", "href"] {
                let mut from = 0;
                while let Some(pos) = lower[from..].find(name) {
                    let at = from + pos;
                    from = at + name.len();
                    let before = lower[..at].chars().next_back();
                    let ok_before = matches!(before, Some(c) if c.is_ascii_whitespace())
                        || (name == "src" && lower[..at].ends_with("data-"));
                    let Some(after_eq) = tag[from..].trim_start().strip_prefix('=') else {
                        continue;
                    };
                    if !ok_before {
                        continue;
                    }
                    let value_start = tag.len() - after_eq.trim_start().len();
                    let value = &tag[value_start..];
                    let (start, len) = match value.as_bytes().first() {
                        Some(q @ (b'"' | b'\'')) => {
                            let Some(close) = value[1..].find(*q as char) else {
                                continue;
                            };
                            (value_start + 1, close)
                        }
                        Some(_) => (
                            value_start,
                            value
                                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                                .unwrap_or(value.len()),
                        ),
                        None => continue,
                    };
                    if len > 0 {
                        out.push(lt + start..lt + start + len);
                    }
                }
            }
            i = j;
        }
        out
    }

    fn found(html: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        html_attribute_urls(html, 0..html.len(), &mut out);
        out.into_iter().map(|u| u.range).collect()
    }

    proptest::proptest! {
        /// Made of the pieces that matter (names, `=`, quotes, brackets,
        /// white space, a non-ASCII letter), any HTML gives the same URLs
        /// as the search first written.
        #[test]
        fn the_same_urls_as_the_byte_by_byte_search(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<", ">", "<img", "<a", "<!--", "-->", " ", "\u{3000}", "=", "\"", "'",
                    "src", "SRC", "href", "data-", "x", "网", "https://e.com/?a=1", "\n",
                ]),
                0..40,
            )
        ) {
            let html: String = pieces.concat();
            proptest::prop_assert_eq!(found(&html), reference(&html));
        }
    }

    #[test]
    fn quoted_brackets_do_not_end_a_tag() {
        let html = "<img alt=\"a>b\" src='https://e.com/x'><a href=https://e.com/y>";
        let got: Vec<&str> = found(html).into_iter().map(|r| &html[r]).collect();
        assert_eq!(got, ["https://e.com/x", "https://e.com/y"]);
        assert_eq!(found(html), reference(html));
    }
}
