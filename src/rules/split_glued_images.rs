//! `split-glued-images`: a figure (a block-sized photo or screenshot) glued
//! into paragraph text goes onto its own line as its own paragraph. The text
//! around it is kept byte for byte (it is often the image's caption); only the
//! whitespace at the seam is replaced.
//!
//! A small image used inside a sentence (a formula, an emoji, a badge, the
//! CommonMark spec's `My ![foo bar](/path/to/train.jpg "title")`) stays where
//! it is. What tells them apart is read from the text alone, see [`Role`];
//! when nothing does, the image stays.
//!
//! Only images that are direct children of a paragraph are moved: an image
//! inside emphasis or a link with text would break that markup.

use std::collections::HashSet;
use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::drop_image::{image_unit, is_blank_inline};
use super::{BuildError, Context, Rule, settings};
use crate::document::{Document, Kind, NodeId};
use crate::edit::EditSink;
use crate::url_text::url_plain_host;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {}

#[derive(Debug)]
struct SplitGluedImages;

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let _: Settings = settings(table)?;
    Ok(Box::new(SplitGluedImages))
}

impl Rule for SplitGluedImages {
    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        let mut block_hosts: Option<HashSet<String>> = None;
        for (id, node) in doc.nodes.iter().enumerate() {
            if node.kind != Kind::Paragraph || !node.trusted {
                continue;
            }
            let children: Vec<NodeId> = doc.children(id).collect();
            let is_image = |c: NodeId| {
                matches!(doc.node(c).kind, Kind::Image(_))
                    || (matches!(doc.node(c).kind, Kind::Link(_))
                        && doc.children(c).count() == 1
                        && doc.children(c).all(|g| {
                            matches!(doc.node(g).kind, Kind::Image(_)) && image_unit(doc, g) == c
                        }))
            };
            let has_text = children
                .iter()
                .any(|&c| !is_image(c) && !is_blank_inline(doc, c));
            if !has_text || !children.iter().any(|&c| is_image(c)) {
                continue;
            }
            let Some(seam) = Seam::of(doc, id) else {
                continue;
            };
            let block_hosts = block_hosts.get_or_insert_with(|| hosts_of_lone_images(doc));
            let figures = figure_runs(doc, &children, &is_image, block_hosts);
            // Group children into runs: image units, and stretches of other
            // content; blank inlines between them are the seam.
            let mut prev: Option<(NodeId, bool)> = None; // last non-blank child, is image
            let mut gap_start: Option<usize> = None;
            for &c in &children {
                if matches!(doc.node(c).kind, Kind::SoftBreak | Kind::LineBreak)
                    || is_blank_inline(doc, c)
                {
                    if gap_start.is_none() {
                        gap_start = prev.map(|(p, _)| doc.node(p).range.end);
                    }
                    continue;
                }
                let image = is_image(c);
                // The image at this seam must be a figure; an image used
                // inside the sentence stays glued.
                let figure_at_seam = if image {
                    figures.contains(&c)
                } else {
                    prev.is_some_and(|(p, _)| figures.contains(&p))
                };
                if let Some((p, p_image)) = prev
                    && (image || p_image)
                    && figure_at_seam
                {
                    // Spaces at the end of the text before the seam, or at the
                    // start of the text after it, belong to the seam: left in
                    // place they would trail or lead a line.
                    let from = gap_start.unwrap_or(doc.node(p).range.end);
                    let from = if p_image {
                        from
                    } else {
                        from - trailing_spaces(doc, p)
                    };
                    let to = doc.node(c).range.start;
                    let to = if image {
                        to
                    } else {
                        to + leading_spaces(doc, c)
                    };
                    if (image && p_image) || (!image && could_open_block(&doc.text[to..])) {
                        // Images side by side stay as they are; text that
                        // would start a fence, heading, list, definition…
                        // on a line of its own stays glued.
                    } else if let Some(r) = seam.whitespace(doc, from..to) {
                        out.replace(r, seam.separator.clone());
                    }
                }
                prev = Some((c, image));
                gap_start = None;
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["![".into()])
    }

    fn may_fire(&self, text: &str) -> bool {
        crate::rules::raw::may_have_glued_image(text)
    }
}

/// The image units of `children` (a paragraph's) that are figures to move:
/// runs of images side by side (line breaks between them allowed) are
/// judged together. A run is a figure when one of its images says so and
/// none says it is inline ([`role`]), or, when none tells, when its place
/// does: it fills its lines (text before it ends a line and text after it
/// starts one: a figure glued to the paragraph before or after by a single
/// line break), it starts a line with text glued right after it (a figure
/// glued to the paragraph after it: `![](…)0x03 下载地址`), or it ends a line
/// right after a sentence or an introduction (`效果如下:![](…)`). An image
/// with sentence text on both sides, or after a space (`My ![foo](…)`), is
/// used inline as far as its place tells.
fn figure_runs(
    doc: &Document,
    children: &[NodeId],
    is_image: &dyn Fn(NodeId) -> bool,
    block_hosts: &HashSet<String>,
) -> HashSet<NodeId> {
    // Non-blank children, each with whether a line break comes before it.
    let mut items: Vec<(NodeId, bool, bool)> = Vec::new();
    let mut line_start = true;
    for &c in children {
        if matches!(doc.node(c).kind, Kind::SoftBreak | Kind::LineBreak) {
            line_start = true;
        } else if !is_blank_inline(doc, c) {
            items.push((c, is_image(c), line_start));
            line_start = false;
        }
    }
    let mut figures = HashSet::new();
    let mut i = 0;
    while i < items.len() {
        if !items[i].1 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < items.len() && items[j + 1].1 {
            j += 1;
        }
        let after = items.get(j + 1).map(|&(n, _, _)| doc.node(n));
        let text_after = after.and_then(|n| doc.literal(n)).unwrap_or("");
        let roles: Vec<Role> = (i..=j)
            .map(|k| {
                let after = if k == j { text_after } else { "" };
                role(doc, items[k].0, after, block_hosts)
            })
            .collect();
        let starts_line = items[i].2;
        let ends_line = items.get(j + 1).is_none_or(|&(_, _, brk)| brk);
        let run_start = doc.node(items[i].0).range.start;
        let run_end = doc.node(items[j].0).range.end;
        let glued_after =
            !ends_line && doc.text[run_end..].starts_with(|c: char| !c.is_whitespace());
        let after_sentence = !starts_line
            && doc.text[..run_start]
                .ends_with(['。', '！', '？', '：', '；', ':', '.', '!', '?', ';']);
        let placed_as_figure =
            (starts_line && (ends_line || glued_after)) || (ends_line && after_sentence);
        let figure =
            !roles.contains(&Role::Inline) && (roles.contains(&Role::Figure) || placed_as_figure);
        if figure {
            figures.extend(items[i..=j].iter().map(|&(n, _, _)| n));
        }
        i = j + 1;
    }
    figures
}

/// What the text says an image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Block-sized: a photo, a screenshot, a chart.
    Figure,
    /// Used inside a sentence: a formula, an emoji, an icon, a badge.
    Inline,
    /// Nothing tells.
    Unknown,
}

/// The role of an image unit (an image, or a link around one image), from
/// its URL, its alt text, the text right after it (`after`) and the hosts
/// whose images stand alone as paragraphs elsewhere in the document.
fn role(doc: &Document, unit: NodeId, after: &str, block_hosts: &HashSet<String>) -> Role {
    let Some(image) =
        (unit..doc.node(unit).end).find(|&n| matches!(doc.node(n).kind, Kind::Image(_)))
    else {
        return Role::Unknown;
    };
    let Some(link) = doc.node(image).link() else {
        return Role::Unknown;
    };
    let alt = doc.visible_str(image);
    if inline_url(&link.url) || formula_alt(alt) || formula_note(after) {
        Role::Inline
    } else if photo_url(&link.url)
        || figure_alt(alt)
        || url_plain_host(&link.url).is_some_and(|h| block_hosts.contains(&*h))
    {
        Role::Figure
    } else {
        Role::Unknown
    }
}

/// Hosts of the images that stand alone as paragraphs in `doc` (and are not
/// inline-sized): the document shows that host's images as figures.
fn hosts_of_lone_images(doc: &Document) -> HashSet<String> {
    let mut hosts = HashSet::new();
    for (id, node) in doc.nodes.iter().enumerate() {
        if node.kind != Kind::Paragraph {
            continue;
        }
        let mut images = Vec::new();
        let mut only_images = true;
        for c in doc.children(id) {
            match &doc.node(c).kind {
                Kind::Image(link) => images.push(link),
                Kind::Link(_) => {
                    let inner: Vec<NodeId> = doc.children(c).collect();
                    match inner[..] {
                        [g] => match &doc.node(g).kind {
                            Kind::Image(link) => images.push(link),
                            _ => only_images = false,
                        },
                        _ => only_images = false,
                    }
                }
                _ if is_blank_inline(doc, c) => {}
                _ => only_images = false,
            }
        }
        if !only_images {
            continue;
        }
        for link in images {
            if !inline_url(&link.url)
                && let Some(host) = url_plain_host(&link.url)
            {
                hosts.insert(host.into_owned());
            }
        }
    }
    hosts
}

/// Marks of a URL serving an image made to sit in a line of text: formula
/// renderers (LaTeX, CodeCogs, MathJax, an `equation` endpoint, WeChat's SVG
/// formulas), emoji and smileys, avatars, icons and badges.
const INLINE_URL_MARKS: &[&str] = &[
    "latex",
    "codecogs",
    "mathjax",
    "katex",
    "/math",
    "math/",
    "equation",
    "wx_fmt=svg",
    "mmbiz_svg",
    "image/svg",
    "emoji",
    "emotion",
    "smiley",
    "/face/",
    "avatar",
    "/icon",
    "favicon",
    "badge",
    "shields.io",
];

/// Largest width or height (in pixels) a URL may ask for and still name an
/// inline-sized image.
const INLINE_SIZE: u32 = 100;

/// True when `url` names an inline-sized image: a mark of
/// [`INLINE_URL_MARKS`], an SVG file, or a width or height hint of at most
/// [`INLINE_SIZE`] (`?w=32`, `&height=20`, `/w/24/`).
fn inline_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if INLINE_URL_MARKS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    let path = lower.split(['?', '#']).next().unwrap_or("");
    if path.ends_with(".svg") || path.ends_with(".svgz") {
        return true;
    }
    size_hints(&lower).any(|n| n <= INLINE_SIZE)
}

/// Width and height hints in a lower-cased URL: query pairs `w`, `width`,
/// `h`, `height`, and path pairs `/w/N`, `/h/N` (image-processing URLs).
fn size_hints(lower: &str) -> impl Iterator<Item = u32> + '_ {
    let query = lower.split_once('?').map_or("", |(_, q)| q);
    let from_query = query.split(['&', ';']).filter_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        matches!(key, "w" | "width" | "h" | "height")
            .then(|| value.parse().ok())
            .flatten()
    });
    let path = lower.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').collect();
    let from_path: Vec<u32> = segments
        .windows(2)
        .filter(|w| matches!(w[0], "w" | "h"))
        .filter_map(|w| w[1].parse().ok())
        .collect();
    from_query.chain(from_path)
}

/// Hosts serving the photos and screenshots of the articles exporters give
/// us (WeChat, CSDN, Jianshu, GitHub uploads, Zhihu, Juejin, 360, Seebug).
const PHOTO_HOSTS: &[&str] = &[
    "qpic.cn",
    "csdnimg.cn",
    "img.blog.csdn.net",
    "upload-images.jianshu.io",
    "user-images.githubusercontent.com",
    "zhimg.com",
    "byteimg.com",
    "ssl.qhimg.com",
    "images.seebug.org",
];

/// Smallest `data:` URL (in bytes) taken for a photo: icons and formulas
/// embedded as data are a few kilobytes.
const PHOTO_DATA_URL: usize = 16 * 1024;

/// True when `url` names a block-sized photo: a host of [`PHOTO_HOSTS`], a
/// WeChat format parameter (`wx_fmt=jpeg`, carried when WeChat images are
/// copied elsewhere), a watermark added to a screenshot on upload, or image
/// data of [`PHOTO_DATA_URL`] bytes or more.
fn photo_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let host_is_photo = url_plain_host(url).is_some_and(|h| {
        PHOTO_HOSTS
            .iter()
            .any(|p| *h == **p || h.ends_with(&format!(".{p}")))
    });
    host_is_photo
        || lower.contains("wx_fmt=")
        || lower.contains("watermark")
        || (lower.starts_with("data:image/") && url.len() >= PHOTO_DATA_URL)
}

/// True when the alt text is one exporters and editors give figures:
/// `图片`, `image`, CSDN's `在这里插入图片描述`, a file name (`image.png`,
/// Typora's `image-20210617220307330`).
fn figure_alt(alt: &str) -> bool {
    let alt = alt.trim().to_lowercase();
    const NAMES: &[&str] = &[
        "图片",
        "图",
        "插图",
        "image",
        "img",
        "photo",
        "picture",
        "screenshot",
        "cover_image",
        "在这里插入图片描述",
        "这里写图片描述",
    ];
    const EXTENSIONS: &[&str] = &[".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"];
    NAMES.contains(&alt.as_str())
        || EXTENSIONS.iter().any(|e| alt.ends_with(e))
        || alt
            .strip_prefix("image-")
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

/// True when the alt text reads as a formula: a LaTeX command, a sub- or
/// superscript group, a `$`, or a relation sign.
fn formula_alt(alt: &str) -> bool {
    let b = alt.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic())
        || alt.contains("^{")
        || alt.contains("_{")
        || alt.contains('$')
        || alt.contains(['=', '≤', '≥', '≠', '∑', '∫', '√'])
}

/// True when the text right after an image explains its symbols
/// (`(其中0 <= x <= 1)`, `, where x is…`): the image is a formula.
fn formula_note(after: &str) -> bool {
    let rest = after
        .trim_start()
        .trim_start_matches(['(', '（', ',', '，', ' ']);
    rest.starts_with("其中") || rest.to_ascii_lowercase().starts_with("where ")
}

/// True when a line starting with `s` could open something other than a
/// paragraph (a code fence, heading, quote, list item, thematic break, HTML
/// block, table, reference definition, indented code): moving such text to a
/// line of its own would change what it is.
fn could_open_block(s: &str) -> bool {
    match s.chars().next() {
        Some(
            '`' | '~' | '#' | '>' | '-' | '+' | '*' | '_' | '=' | '|' | '<' | '[' | ' ' | '\t',
        ) => true,
        Some(c) if c.is_ascii_digit() => s
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(['.', ')']),
        _ => false,
    }
}

/// Spaces and tabs ending a text node (0 for other nodes, or a text of
/// nothing but spaces).
fn trailing_spaces(doc: &Document, id: NodeId) -> usize {
    if !matches!(doc.node(id).kind, Kind::Text(_)) {
        return 0;
    }
    let src = doc.src(id);
    let kept = src.trim_end_matches([' ', '\t']).len();
    if kept == 0 { 0 } else { src.len() - kept }
}

/// Spaces and tabs starting a text node (0 for other nodes, or a text of
/// nothing but spaces).
fn leading_spaces(doc: &Document, id: NodeId) -> usize {
    if !matches!(doc.node(id).kind, Kind::Text(_)) {
        return 0;
    }
    let src = doc.src(id);
    let kept = src.trim_start_matches([' ', '\t']).len();
    if kept == 0 { 0 } else { src.len() - kept }
}

/// How to break a paragraph in two where it sits: the line ending it uses
/// and the container prefix (block quote markers, list indentation).
struct Seam {
    separator: String,
}

impl Seam {
    fn of(doc: &Document, para: NodeId) -> Option<Seam> {
        let start = doc.node(para).range.start;
        let line_start = doc.content_line_start(start);
        let prefix = &doc.text[line_start..start];
        // Markers of list items become spaces on continuation lines.
        let continuation: String = prefix
            .chars()
            .map(|c| {
                if c == '>' || c == ' ' || c == '\t' {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        if !continuation.is_ascii() {
            return None;
        }
        let blank = continuation.trim_end().to_string();
        let line_end = doc.line_end(start);
        let eol = if doc.text[..line_end].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        Some(Seam {
            separator: format!("{eol}{blank}{eol}{continuation}"),
        })
    }

    /// The gap to replace: it must hold only whitespace (line breaks included,
    /// plus hard-break backslashes and container prefixes on new lines).
    fn whitespace(&self, doc: &Document, gap: Range<usize>) -> Option<Range<usize>> {
        let s = &doc.text[gap.clone()];
        let ok = s
            .chars()
            .all(|c| c.is_whitespace() || c == '>' || c == '\\');
        (ok && !s.contains("\\\\")).then_some(gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::apply_once;

    fn split(text: &str) -> String {
        apply_once(
            &*build(toml::Table::new()).unwrap(),
            text,
            &Context::default(),
        )
    }

    #[test]
    fn image_inside_text_gets_its_own_paragraph() {
        assert_eq!(
            split("前文![](https://mmbiz.qpic.cn/x/640)图注\n"),
            "前文\n\n![](https://mmbiz.qpic.cn/x/640)\n\n图注\n"
        );
    }

    #[test]
    fn spaces_at_the_seam_do_not_trail_or_lead_a_line() {
        assert_eq!(
            split("前文 ![](https://mmbiz.qpic.cn/x/640)  图注\n"),
            "前文\n\n![](https://mmbiz.qpic.cn/x/640)\n\n图注\n"
        );
    }

    #[test]
    fn a_bom_is_not_a_line_prefix() {
        assert_eq!(
            split("\u{feff}前文![](https://mmbiz.qpic.cn/x/640)\n"),
            "\u{feff}前文\n\n![](https://mmbiz.qpic.cn/x/640)\n"
        );
    }

    #[test]
    fn an_image_inside_a_sentence_stays() {
        // CommonMark spec example 579.
        let spec = "My ![foo bar](/path/to/train.jpg  \"title\"   )\n";
        assert_eq!(split(spec), spec);
        // Nothing tells what it is: it stays.
        let unknown = "见下![](https://example.com/a.png)所示\n";
        assert_eq!(split(unknown), unknown);
        let icon_then_space = "![tip](https://example.com/tip.png) 注意备份\n";
        assert_eq!(split(icon_then_space), icon_then_space);
        let no_introduction = "点击这里![](https://example.com/a.png)\n";
        assert_eq!(split(no_introduction), no_introduction);
    }

    #[test]
    fn formulas_emoji_and_icons_stay() {
        for text in [
            "注：![](https://mmbiz.qpic.cn/mmbiz_png/F/640?wx_fmt=png)(其中0 <= x <= 1)\n",
            "面积为![S=\\pi r^2](https://mmbiz.qpic.cn/mmbiz_png/F/640?wx_fmt=png)。\n",
            "公式![](https://mmbiz.qpic.cn/mmbiz_svg/F/0?wx_fmt=svg)成立\n",
            "由![](https://latex.codecogs.com/gif.latex?a%2Bb)可得\n",
            "好的![](https://res.wx.qq.com/emoji/smiley_83b.png)谢谢\n",
            "构建![](https://img.example.com/ok.png?w=20)通过\n",
            "看这里![](https://example.com/arrow.svg)下面\n",
        ] {
            assert_eq!(split(text), text);
        }
    }

    #[test]
    fn figures_are_told_by_url_alt_host_or_line() {
        assert_eq!(
            split("如图![在这里插入图片描述](https://e.com/a.png)可见\n"),
            "如图\n\n![在这里插入图片描述](https://e.com/a.png)\n\n可见\n"
        );
        assert_eq!(
            split("结果如下:![](https://img-blog.csdnimg.cn/1.png)\n"),
            "结果如下:\n\n![](https://img-blog.csdnimg.cn/1.png)\n"
        );
        // The same host's images stand alone elsewhere in the file.
        assert_eq!(
            split(
                "![](https://raw.example.org/1.png)\n\n请求包![](https://raw.example.org/2.png)我们看到\n"
            ),
            "![](https://raw.example.org/1.png)\n\n请求包\n\n![](https://raw.example.org/2.png)\n\n我们看到\n"
        );
        // Starting a line, the text glued after it.
        assert_eq!(
            split("![](https://r.example.org/1.png)0x03 下载\n"),
            "![](https://r.example.org/1.png)\n\n0x03 下载\n"
        );
        // Ending a line after an introduction.
        assert_eq!(
            split("效果如下:![](https://r.example.org/2.png)\n"),
            "效果如下:\n\n![](https://r.example.org/2.png)\n"
        );
        // Alone on its line, glued to the text by line breaks.
        assert_eq!(
            split("前文\n![](/a.png)\n图注\n"),
            "前文\n\n![](/a.png)\n\n图注\n"
        );
    }

    #[test]
    fn list_items_and_quotes_keep_their_prefix() {
        assert_eq!(
            split("- 前文![](https://mmbiz.qpic.cn/x/640)图注\n"),
            "- 前文\n\n  ![](https://mmbiz.qpic.cn/x/640)\n\n  图注\n"
        );
        assert_eq!(
            split("> 前文 ![](https://mmbiz.qpic.cn/x/640)\r\n"),
            "> 前文\r\n>\r\n> ![](https://mmbiz.qpic.cn/x/640)\r\n"
        );
    }
}
