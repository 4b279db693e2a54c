//! `classify-zones`: junk that no phrase list names, read as runs. Junk
//! gathers before the first line of real prose (the head) and after the last
//! one (the tail); this kind scores each unit of those zones by signals whose
//! weights live in the rules file, then lets neighbours decide the doubtful
//! ones, as jusText does for web pages:
//!
//! - vocabulary families (follow/星标/置顶; 点赞/在看/分享; 扫码/二维码; 公众号/
//!   加群/知识星球/回复; 招聘/投稿; 版权/转载/侵权): a family present adds its
//!   weight, and half of it again for each further word of it, up to twice;
//! - shape: a unit that is all link text, one with arrows or emoji, a short
//!   one;
//! - neighbours: a doubtful unit between two junk units is junk, and so is
//!   a decoration image (its URL matches `decoration`) beside junk (in the
//!   head on either side, in the tail after it); with `tail-images`, any
//!   image after the tail's junk; with `head-images`, any image of the head
//!   that junk encloses.
//! - with `sweep`, once a footer has begun (the tail's first unit that is
//!   junk for sure), the short units after it with a footer's shape are its
//!   own (an account card's bold name, its slogan between separators), up
//!   to any other line, a block that stays, prose, an attribution line or a
//!   line announcing what follows;
//! - the other rules: the kind judges after them ([`Rule::judges_others`])
//!   and reads what they delete in the tail, once the content model and
//!   suppressions have had their say, as junk of their tier: a QR code after
//!   a `扫码关注` line that a phrase rule takes, the banners under a
//!   recommended-article list. It never removes their lines itself.
//!
//! A unit is a logical line of a paragraph: fragments join their sentence
//! (`觉得不错，就点个 “⏎在看⏎” 或 "⏎赞⏎” 吧~` is one call to action). A unit of `max-chars` or more is prose: never junk. Units scoring
//! `safe` or more are removed as safe fixes; those scoring `threshold` or
//! more, and doubtful units a junk run surrounds, as review fixes.

use std::collections::BTreeMap;
use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::drop_image::image_removal;
use super::drop_line::{line_deletions, lines};
use super::{BuildError, Context, Rule, regex, settings};
use crate::content::Protect;
use crate::document::{Document, Kind, NodeId, covers};
use crate::edit::{EditSink, Fix, Reach, Tier};
use crate::learn::prints::{LinePrint, Prints, Zone, is_cjk_ideograph};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Vocabulary families: name → words and the weight one or more of them
    /// add.
    families: BTreeMap<String, Family>,
    /// Weight of a unit whose text is all link text.
    #[serde(default)]
    link_only: f64,
    /// Weight of a unit holding an arrow (↓ 👇 ▼ ⬇) or an emoji.
    #[serde(default)]
    arrow: f64,
    /// Weight of a short unit (at most `short-chars`).
    #[serde(default)]
    short: f64,
    /// Longest text, in normalised characters, of a short unit.
    #[serde(default = "default_short_chars")]
    short_chars: usize,
    /// Score from which a unit is junk (a review fix).
    threshold: f64,
    /// Score from which a unit is junk for sure (a safe fix).
    safe: f64,
    /// Units this long (normalised characters) or longer are prose.
    #[serde(default = "default_max_chars")]
    max_chars: usize,
    /// Regex over an image's URL: the decoration an account puts beside its
    /// junk (animated banners, dividers). Such an image next to a zone's
    /// junk goes with it; without `tail-images`, no other image is touched.
    #[serde(default)]
    decoration: Option<String>,
    /// In the tail, every image after junk goes with it, not only
    /// decoration: a footer's banner, QR code or cover images. Junk here
    /// includes what the other rules of the pass delete in the tail.
    #[serde(default)]
    tail_images: bool,
    /// In the head, every image between two junk units goes with them (a
    /// banner between a follow prompt and a call to star the account), not
    /// only decoration: before the article begins, what junk encloses is
    /// its own.
    #[serde(default)]
    head_images: bool,
    /// Families (by name): in the head of a text with prose, a lone image
    /// right above or below sure junk with a word of one of them, with only
    /// blank lines between, no junk on its other side and no caption right
    /// under it (an account banner over `点击上方蓝字关注我们`, under a call
    /// to star the account) goes as a review fix: a guess, since an
    /// article's cover or first screenshot sits there too. Beside other
    /// junk (a blog's copyright notice) the first figure stays.
    #[serde(default)]
    head_images_beside: Vec<String>,
    /// Regex over the start of a unit's text: a post-type tag (`[原创]`,
    /// `【分享】`) that names what the article is, as a forum or blog title
    /// starts. When other text follows it, its words are not counted: a
    /// title such as `[原创][分享] 从开发的角度看看 ollvm` is no call to
    /// share.
    #[serde(default)]
    label: Option<String>,
    /// Once a footer has begun in the tail (a unit that is junk for sure, by
    /// its own score or because another rule deletes it), the short units
    /// after it that have some signal or a footer's shape (all in bold, as
    /// an account card's name; words between separators, as its slogan) are
    /// the footer's too, as safe fixes. The sweep ends at any other line (a
    /// command, a formula), a block that stays between (a heading, a list, a
    /// table, code), a line of prose, an attribution line (a `protect`
    /// pattern: 作者, 来源) or a line without signal that announces what
    /// follows (`参考资料：`).
    #[serde(default)]
    sweep: bool,
    /// Regex over a unit's text: a label of the article's own matter after
    /// a footer (`**参考链接**`, `References`), where the sweep ends.
    #[serde(default)]
    sweep_stop: Option<String>,
    /// Families (by name) whose words, in a tail line that another rule
    /// deletes for sure, start the sweep there too: `长按关注` under the
    /// QR code that opens a footer. What another rule deletes without them
    /// may be a caption under the last photo (a credit line), and starts
    /// nothing.
    #[serde(default)]
    sweep_from: Vec<String>,
    /// Families (by name) whose words, in a tail line of junk right under
    /// an image, say what the image is: the QR code over its `长按识别`,
    /// which goes with it. A photo over other junk (a credit line, a call
    /// to follow that points at the name above) stays.
    #[serde(default)]
    caption_from: Vec<String>,
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Family {
    /// Words of the family, found anywhere in a unit's text.
    words: Vec<String>,
    /// Score a unit gets for the first of the words it holds; each further
    /// word adds half as much, up to twice the weight.
    weight: f64,
}

fn default_short_chars() -> usize {
    20
}

fn default_max_chars() -> usize {
    80
}

#[derive(Debug)]
struct ClassifyZones {
    families: Vec<(String, Vec<String>, f64)>,
    link_only: f64,
    arrow: f64,
    short: f64,
    short_chars: usize,
    threshold: f64,
    safe: f64,
    max_chars: usize,
    decoration: Option<super::Pattern>,
    tail_images: bool,
    head_images: bool,
    /// `head-images-beside`, as bits of the families' indices.
    head_images_beside: u64,
    label: Option<super::Pattern>,
    sweep: bool,
    sweep_stop: Option<super::Pattern>,
    /// `sweep-from`, as bits of the families' indices.
    sweep_from: u64,
    /// `caption-from`, as bits of the families' indices.
    caption_from: u64,
    words: Words,
}

/// Every family's words in one automaton: a unit is searched once, not once
/// per word.
struct Words {
    /// The distinct words.
    automaton: aho_corasick::AhoCorasick,
    /// For each family (in `families` order), its words as automaton
    /// patterns (a word listed twice counts twice, as it is listed).
    of_family: Vec<Vec<usize>>,
    count: usize,
}

impl std::fmt::Debug for Words {
    /// Nothing of its own: the families the automaton is built from are
    /// shown (and fingerprinted) with the rule.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Words")
    }
}

impl Words {
    fn new(families: &[(String, Vec<String>, f64)]) -> Result<Words, BuildError> {
        let mut distinct: Vec<&str> = Vec::new();
        let of_family = families
            .iter()
            .map(|(_, words, _)| {
                words
                    .iter()
                    .map(|w| match distinct.iter().position(|d| *d == w) {
                        Some(k) => k,
                        None => {
                            distinct.push(w);
                            distinct.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        let automaton = aho_corasick::AhoCorasick::new(&distinct)
            .map_err(|e| BuildError::from(format!("families: {e}")))?;
        Ok(Words {
            automaton,
            of_family,
            count: distinct.len(),
        })
    }

    /// For each family, how many of its words `text` holds.
    fn counts(&self, text: &str) -> Vec<usize> {
        let mut present = vec![false; self.count];
        for m in self.automaton.find_overlapping_iter(text) {
            present[m.pattern().as_usize()] = true;
        }
        self.of_family
            .iter()
            .map(|words| words.iter().filter(|&&w| present[w]).count())
            .collect()
    }
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.safe < s.threshold {
        return Err("`safe` must be at least `threshold`".into());
    }
    if s.families
        .values()
        .any(|f| f.words.iter().any(|w| w.trim().is_empty()))
    {
        return Err("a family's `words` must not be empty strings".into());
    }
    let families: Vec<(String, Vec<String>, f64)> = s
        .families
        .into_iter()
        .map(|(name, f)| (name, f.words, f.weight))
        .collect();
    if families.len() > 64 {
        return Err("at most 64 families".into());
    }
    let bits = |key: &str, names: &[String]| -> Result<u64, BuildError> {
        let mut bits = 0u64;
        for name in names {
            let Some(k) = families.iter().position(|(n, _, _)| n == name) else {
                return Err(format!("`{key}` names `{name}`, which is no family").into());
            };
            bits |= 1 << k;
        }
        Ok(bits)
    };
    let sweep_from = bits("sweep-from", &s.sweep_from)?;
    let caption_from = bits("caption-from", &s.caption_from)?;
    let head_images_beside = bits("head-images-beside", &s.head_images_beside)?;
    Ok(Box::new(ClassifyZones {
        words: Words::new(&families)?,
        families,
        link_only: s.link_only,
        arrow: s.arrow,
        short: s.short,
        short_chars: s.short_chars,
        threshold: s.threshold,
        safe: s.safe,
        max_chars: s.max_chars,
        decoration: s.decoration.map(|d| regex("decoration", &d)).transpose()?,
        tail_images: s.tail_images,
        head_images: s.head_images,
        head_images_beside,
        label: s.label.map(|l| regex("label", &l)).transpose()?,
        sweep: s.sweep,
        sweep_stop: s.sweep_stop.map(|l| regex("sweep-stop", &l)).transpose()?,
        sweep_from,
        caption_from,
    }))
}

/// A unit of a zone: a logical line of a paragraph
/// and its score.
#[derive(Debug)]
struct Unit {
    para: NodeId,
    /// Indices of its lines in the paragraph (as [`lines`] cuts it).
    lines: Range<usize>,
    /// Its bytes in the source, from its first inline to its last.
    range: Range<usize>,
    /// Lines the paragraph has.
    of: usize,
    score: f64,
    /// Shows only images (no text): doubtful, never removed by this rule.
    images_only: bool,
    /// Too long to be junk.
    prose: bool,
    junk: Option<Tier>,
    /// Junk because another rule of the pass deletes it: that rule's to
    /// remove, evidence here.
    by_others: bool,
    /// Junk by its own score (not only by a neighbour or another rule).
    scored: bool,
    /// The families it holds words of, as bits of their indices.
    families: u64,
    /// What the sweep reads of it (read with `sweep`, in the tail only).
    shape: Shape,
}

impl Unit {
    /// Holds a word of some vocabulary family.
    fn worded(&self) -> bool {
        self.families != 0
    }
}

/// What the sweep reads of a unit of the tail.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    /// Matches a `protect` pattern (attribution: 作者, 来源).
    protected: bool,
    /// Matches `sweep-stop` (the article's own matter, a staff credit).
    stop: bool,
    /// All in bold or italics (an account card's name).
    bold: bool,
    /// Chinese words between separators (an account's slogan,
    /// `技术文章 | 精选教程`).
    slogan: bool,
}

impl ClassifyZones {
    /// A unit's score, and the families it holds words of (bits).
    fn score(&self, doc: &Document, nodes: &[NodeId], text: &str, chars: usize) -> (f64, u64) {
        let mut score = 0.0;
        let mut solid = nodes
            .iter()
            .filter(|&&n| !doc.is_blank_inline(n))
            .peekable();
        let link_only =
            solid.peek().is_some() && solid.all(|&n| matches!(doc.node(n).kind, Kind::Link(_)));
        // A leading post-type tag with text after it names the article's
        // kind (a title's `[原创][分享]`): its words are no call. A link's
        // tag names the post it leads to (`[招聘] 欢迎你加入…`) and counts.
        let text = match self.label.as_ref().and_then(|l| l.find(text)) {
            Some(m) if !link_only && m.start() == 0 && !text[m.end()..].trim().is_empty() => {
                &text[m.end()..]
            }
            _ => text,
        };
        // Words are matched with the spaces taken out: a spaced-out heading
        // (`今 日 推 荐`) is a design, not other words.
        let counts = if text.contains(char::is_whitespace) {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            self.words.counts(&squeezed)
        } else {
            self.words.counts(text)
        };
        let mut families = 0u64;
        for (k, ((_, _, weight), n)) in self.families.iter().zip(counts).enumerate() {
            // A family's weight for its first word, half as much for each
            // further word of it, up to twice the weight.
            if n > 0 {
                score += weight * (1.0 + 0.5 * (n - 1) as f64).min(2.0);
                families |= 1 << k;
            }
        }
        if link_only {
            score += self.link_only;
        }
        if text.chars().any(is_arrow_or_emoji) {
            score += self.arrow;
        }
        if chars <= self.short_chars {
            score += self.short;
        }
        (score, families)
    }

    /// What the sweep reads of a unit of the tail: its nodes and text.
    fn shape(
        &self,
        doc: &Document,
        nodes: &[NodeId],
        text: &str,
        protect: Option<&Protect>,
    ) -> Shape {
        Shape {
            protected: protect.is_some_and(|p| p.is_match(text.trim())),
            stop: self.sweep_stop.as_ref().is_some_and(|r| r.is_match(text)),
            bold: nodes.iter().all(|&n| {
                doc.is_blank_inline(n) || matches!(doc.node(n).kind, Kind::Strong | Kind::Emph)
            }),
            slogan: is_slogan(text),
        }
    }

    /// The units of `doc`'s head and tail, in order, with their own scores.
    fn units(
        &self,
        doc: &Document,
        pl: &[LinePrint],
        protect: Option<&Protect>,
    ) -> Vec<(Zone, Unit)> {
        let mut out: Vec<(Zone, Unit)> = Vec::new();
        let mut i = 0;
        while i < pl.len() {
            let para = pl[i].para;
            let mut j = i;
            while j < pl.len() && pl[j].para == para {
                j += 1;
            }
            let zone = pl[i].zone;
            let node = doc.node(para);
            if zone == Zone::Body || node.kind != Kind::Paragraph || !node.trusted {
                i = j;
                continue;
            }
            let lines = doc.para_lines(para);
            if lines.has_empty() {
                i = j;
                continue;
            }
            let (cut, texts) = (&lines.lines, lines.texts(doc));
            // Each logical line is a unit: fragments join their sentence.
            for l in &pl[i..j] {
                let span = l.span.clone();
                let text: String = texts[span.clone()].concat();
                let chars = l.chars;
                let images_only = chars == 0 && l.images;
                // A numbered line (`1.`, `(2)`) is an item of the article's
                // own list or steps (`(1). **二维码解码器**` over its tools),
                // not a call: no signal of its own.
                let (score, families) = if chars == 0 || crate::content::is_numbered(&text) {
                    (0.0, 0)
                } else {
                    self.score(doc, &l.nodes, &text, chars)
                };
                out.push((
                    zone,
                    Unit {
                        para,
                        lines: span,
                        range: Prints::line_range(doc, l),
                        of: cut.len(),
                        score,
                        images_only,
                        prose: chars >= self.max_chars,
                        junk: None,
                        by_others: false,
                        scored: false,
                        families,
                        shape: if self.sweep && zone == Zone::Tail {
                            self.shape(doc, &l.nodes, &text, protect)
                        } else {
                            Shape::default()
                        },
                    },
                ));
            }
            i = j;
        }
        out
    }

    /// The images next to a zone's junk, to remove. In the head: decoration
    /// (URL matched by `decoration`: an account's banner, divider or header
    /// GIF) with junk on either side; with `head-images`, any image between
    /// two junk units (one of them this rule's own, the other its own or
    /// deleted by another rule), with no block that stays between and some
    /// prose after, at the less sure tier, as a fix of its own. In the
    /// tail: decoration, or with
    /// `tail-images` any image, after junk (an image between the last prose
    /// and a footer is the article's); junk there includes what the other
    /// rules of this pass delete between the image and the text before it,
    /// or the last line of prose when they delete it whole. Junk right under
    /// an image is its caption (a credit line, a placeholder), no footer:
    /// it gives nothing after it away; nor does junk with a block that stays
    /// between it and the image. Each removal takes the surer neighbour's
    /// tier, and goes with that neighbour's own removal when the neighbour
    /// is this rule's to remove.
    fn images_beside_junk(
        &self,
        doc: &Document,
        dels: &Deletions,
        units: &[(Zone, Unit)],
        near: &Neighbours,
        last_prose: Option<&Range<usize>>,
        kept: Option<Kept>,
    ) -> Vec<Beside> {
        let mut out = Vec::new();
        if self.decoration.is_none() && !self.tail_images && !self.head_images {
            return out;
        }
        let mut at = Around {
            doc,
            dels,
            units,
            // Where the tail's first junk unit starts.
            first_tail_junk: units
                .iter()
                .find(|(z, u)| *z == Zone::Tail && u.junk.is_some())
                .map(|(_, u)| u.range.start),
            kept,
        };
        for (k, (zone, u)) in units.iter().enumerate() {
            if !u.images_only {
                continue;
            }
            let before = near.prev[k].filter(|&i| units[i].0 == *zone);
            let after = near.next[k].filter(|&i| units[i].0 == *zone);
            // In the head, between two units that are junk (their own, or
            // deleted whole by another rule): any image, at the less sure of
            // their tiers.
            let between = match (zone, before, after) {
                // Only before an article: in a text with no prose, all head,
                // an image between two calls is all there is.
                (Zone::Head, Some(b), Some(a)) if self.head_images && last_prose.is_some() => {
                    match (at.junk_or_deleted(b), at.junk_or_deleted(a)) {
                        (Some(x), Some(y)) if !at.kept_between(b, a) => Some(x.max(y)),
                        _ => None,
                    }
                }
                _ => None,
            };
            let (tier, with) = match zone {
                Zone::Head => match (
                    before.and_then(|i| at.junk(i)),
                    after.and_then(|i| at.junk(i)),
                ) {
                    (Some(a), Some(b)) => (Some(a.min(b)), before.and_then(|i| at.own(i))),
                    (Some(a), None) => (Some(a), before.and_then(|i| at.own(i))),
                    (None, b) => (b, after.and_then(|i| at.own(i))),
                },
                _ => match at.tail_evidence(k, before, near.prev[k], last_prose) {
                    Some((t, with)) => (Some(t), with),
                    // Under it, a caption that asks to scan (`长按识别`):
                    // the image is the QR code it captions.
                    None => match after.filter(|&a| units[a].1.families & self.caption_from != 0) {
                        Some(a) if !at.kept_between(k, a) => {
                            (units[a].1.junk, units[a].1.junk.and_then(|_| at.own(a)))
                        }
                        _ => (None, None),
                    },
                },
            };
            // Some junk of this rule's own is beside it: between two lines
            // other rules delete (an exporter's or a learned header above,
            // a credit line below), the article's cover stays.
            let Some(tier) = tier else { continue };
            let any_image = *zone == Zone::Tail && self.tail_images;
            let cut = lines(doc, u.para);
            // One image alone right beside sure junk in the head, before an
            // article (a strip of images is a comic's first panels).
            let beside = *zone == Zone::Head
                && self.head_images_beside != 0
                && last_prose.is_some()
                && cut[u.lines.clone()]
                    .iter()
                    .flatten()
                    .flat_map(|&n| n..doc.node(n).end)
                    .filter(|&id| matches!(doc.node(id).kind, Kind::Image(_)))
                    .count()
                    == 1
                && beside_junk(
                    doc,
                    &u.range,
                    before,
                    after,
                    units,
                    |i| at.junk_or_deleted(i),
                    |i| units[i].1.families & self.head_images_beside != 0,
                );
            for &n in cut[u.lines.clone()].iter().flatten() {
                for id in n..doc.node(n).end {
                    let node = doc.node(id);
                    let Kind::Image(link) = &node.kind else {
                        continue;
                    };
                    let decoration = self
                        .decoration
                        .as_ref()
                        .is_some_and(|d| d.is_match(&link.url));
                    // An image only junk encloses is a fix of its own: what
                    // encloses it may be another rule's to remove.
                    let (tier, with) = if any_image || decoration {
                        (tier, with)
                    } else if let Some(t) = between {
                        (t, None)
                    } else if beside {
                        (Tier::Review, None)
                    } else {
                        continue;
                    };
                    if node.trusted {
                        out.push(Beside {
                            range: image_removal(doc, id),
                            tier,
                            with,
                        });
                    }
                }
            }
        }
        out
    }
}

impl ClassifyZones {
    /// With `sweep`: the units of the tail after its first sure junk are
    /// junk too while they have some signal or a footer's shape, up to the
    /// first block that stays between, line of prose, attribution line or
    /// line that announces what follows.
    /// Returns the blocks that stay, when it had to work them out.
    fn sweep_footer(
        &self,
        doc: &Document,
        dels: &Deletions,
        units: &mut [(Zone, Unit)],
    ) -> Option<Kept> {
        // It starts at a unit junk for sure by its own score, or deleted for
        // sure by another rule and holding a word of a `sweep-from` family
        // (`长按关注` under a QR code): what another rule deletes without
        // one may be a caption under the last photo (a credit line).
        let start = units.iter().position(|(z, u)| {
            *z == Zone::Tail
                && u.junk == Some(Tier::Safe)
                && (u.scored || (u.by_others && u.families & self.sweep_from != 0))
        })?;
        let kept = Kept::of(doc, dels, units);
        let mut end = units[start].1.range.end;
        // The last unit taken for being in bold alone: a label over what
        // follows when the sweep stops right under it (`**写在最后**`).
        let mut label: Option<usize> = None;
        for k in start + 1..units.len() {
            let (zone, u) = (&units[k].0, &units[k].1);
            // Only paragraphs of the document itself: a list or a quote is
            // the article's.
            let top = doc.node(u.para).parent == Some(0);
            if *zone != Zone::Tail || !top || kept.between(&(end..u.range.start)) {
                break;
            }
            end = u.range.end;
            if u.images_only || u.junk.is_some() {
                continue;
            }
            // Only what has a footer's words or shape goes: a short line of
            // the article after a call to action (a command, a formula)
            // ends the sweep.
            let shape = u.shape;
            let footer = u.worded() || shape.bold || shape.slogan;
            if u.prose
                || shape.protected
                || shape.stop
                || !footer
                || (!u.worded() && announces(doc, &u.range))
            {
                if let Some(l) = label.filter(|&l| l + 1 == k) {
                    units[l].1.junk = None;
                }
                break;
            }
            label = (shape.bold && !u.worded() && !shape.slogan).then_some(k);
            units[k].1.junk = Some(Tier::Safe);
        }
        Some(kept)
    }
}

/// True when `text` holds Chinese words on both sides of a separator
/// (`技术文章 | 精选教程`): an account's slogan, not a shell pipe.
fn is_slogan(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        matches!(c, '|' | '｜' | '丨') && {
            let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            before.is_some_and(|&c| is_cjk_ideograph(c))
                && after.is_some_and(|&c| is_cjk_ideograph(c))
        }
    })
}

/// What the image pass reads around an image: the document, the other
/// rules' deletions, the units, where the tail's junk starts, and the
/// blocks that stay (worked out on first need).
struct Around<'a> {
    doc: &'a Document<'a>,
    dels: &'a Deletions,
    units: &'a [(Zone, Unit)],
    first_tail_junk: Option<usize>,
    kept: Option<Kept>,
}

impl Around<'_> {
    /// Unit `i`'s junk; in the tail, none when it is a caption: the tail's
    /// first junk, right under an image of the tail, and junk only because
    /// another rule deletes it (a credit line under the last photo,
    /// `图片来源于网络，侵权请联系删除`; once a footer has begun, a label under
    /// a button, `点分享`, is its junk).
    fn junk(&self, i: usize) -> Option<Tier> {
        let units = self.units;
        let caption = units[i].0 == Zone::Tail
            && !units[i].1.scored
            && self.first_in_tail(units[i].1.range.start)
            && i > 0
            && units[i - 1].1.images_only
            && units[i - 1].0 == Zone::Tail;
        units[i].1.junk.filter(|_| !caption)
    }

    /// Unit `i`'s junk, or the tier of another rule's deletion of it whole.
    fn junk_or_deleted(&self, i: usize) -> Option<Tier> {
        let deleted = self.dels.covering(&self.units[i].1.range);
        self.junk(i).into_iter().chain(deleted).min()
    }

    /// True when a block that stays (a heading, a list, a table) lies
    /// between units `b` and `a`.
    fn kept_between(&mut self, b: usize, a: usize) -> bool {
        let (doc, dels, units) = (self.doc, self.dels, self.units);
        let gap = units[b].1.range.end..units[a].1.range.start;
        self.kept
            .get_or_insert_with(|| Kept::of(doc, dels, units))
            .between(&gap)
    }

    /// `i` when unit `i` is junk this rule removes itself.
    fn own(&self, i: usize) -> Option<usize> {
        (!self.units[i].1.by_others).then_some(i)
    }

    /// True when nothing of the tail before `at` is junk.
    fn first_in_tail(&self, at: usize) -> bool {
        self.first_tail_junk.is_none_or(|f| at <= f)
    }

    /// The junk that image unit `k` of the tail comes after, and its own
    /// unit when this rule removes it: the unit of text before it
    /// (`before`; `prev` is the nearest one, of any zone), or what other
    /// rules delete whole between that text (or the last line of prose) and
    /// the image, or the last line of prose when they delete it whole.
    /// None when a line announces the image (it ends on a colon: `效果如下：`,
    /// `读者的精彩留言：`), or a block that stays stands between.
    fn tail_evidence(
        &mut self,
        k: usize,
        before: Option<usize>,
        prev: Option<usize>,
        last_prose: Option<&Range<usize>>,
    ) -> Option<(Tier, Option<usize>)> {
        let (doc, units) = (self.doc, self.units);
        let from = before
            .map(|i| units[i].1.range.end)
            .or(last_prose.map(|l| l.end))?;
        if before.is_some_and(|i| announces(doc, &units[i].1.range)) {
            return None;
        }
        let gap = from..units[k].1.range.start;
        let evidence = match before.and_then(|i| self.junk(i)) {
            Some(t) => (t, before.and_then(|i| self.own(i))),
            None => {
                // Under an image of the gap, before any junk: a caption.
                let caption = |at: usize| {
                    self.first_in_tail(at)
                        && units[prev.map_or(0, |i| i + 1)..k]
                            .iter()
                            .any(|(_, v)| from <= v.range.start && v.range.end <= at)
                };
                let whole_lines = |r: &Range<usize>| {
                    gap.contains(&r.start)
                        && doc.content_line_start(r.start) == r.start
                        && !caption(r.start)
                };
                let covers =
                    |r: &Range<usize>| before.is_none() && last_prose.is_some_and(|l| covers(r, l));
                (self.dels.tier(|r| whole_lines(r) || covers(r))?, None)
            }
        };
        let kept = self
            .kept
            .get_or_insert_with(|| Kept::of(doc, self.dels, units));
        (!kept.between(&gap)).then_some(evidence)
    }
}

/// An image to remove beside a zone's junk: its removal, its tier, and the
/// unit of this rule's own junk it goes with (its fix: refused or
/// suppressed, the image stays too).
struct Beside {
    range: Range<usize>,
    tier: Tier,
    with: Option<usize>,
}

/// For each unit, the nearest unit before it and after it that shows text.
struct Neighbours {
    prev: Vec<Option<usize>>,
    next: Vec<Option<usize>>,
}

impl Neighbours {
    fn of(units: &[(Zone, Unit)]) -> Neighbours {
        let n = units.len();
        let (mut prev, mut next) = (vec![None; n], vec![None; n]);
        let mut last = None;
        for k in 0..n {
            prev[k] = last;
            if !units[k].1.images_only {
                last = Some(k);
            }
        }
        last = None;
        for k in (0..n).rev() {
            next[k] = last;
            if !units[k].1.images_only {
                last = Some(k);
            }
        }
        Neighbours { prev, next }
    }
}

/// The top-level blocks that stay, in source order: what gives an image
/// after a tail's junk back to the article when it stands between them (a
/// heading, a list, a table, code). Not a divider, not a paragraph of
/// images alone (a unit), not what another rule of the pass deletes whole (a
/// list some of whose items stay, stays).
struct Kept(Vec<Range<usize>>);

impl Kept {
    fn of(doc: &Document, dels: &Deletions, units: &[(Zone, Unit)]) -> Kept {
        let mut images: Vec<NodeId> = units
            .iter()
            .filter(|(_, u)| u.images_only)
            .map(|(_, u)| u.para)
            .collect();
        images.sort_unstable();
        let mut kept: Vec<Range<usize>> = doc
            .children(0)
            .filter(|&id| {
                let n = doc.node(id);
                n.kind != Kind::ThematicBreak
                    && images.binary_search(&id).is_err()
                    && dels.tier(|d| covers(d, &n.range)).is_none()
            })
            .map(|id| doc.node(id).range.clone())
            .collect();
        kept.sort_unstable_by_key(|r| r.start);
        Kept(kept)
    }

    /// True when a block that stays lies wholly in `gap`.
    fn between(&self, gap: &Range<usize>) -> bool {
        let from = self.0.partition_point(|r| r.start < gap.start);
        self.0[from..]
            .iter()
            .take_while(|r| r.start < gap.end)
            .any(|r| r.end <= gap.end)
    }
}

/// True when an image (`image`, its unit's bytes) of the head is right
/// beside sure junk: `units[before]` or `units[after]` is safe junk
/// (`junk` says: its own or another rule's deletion) that `worded` accepts,
/// with only blank lines between, and the unit on its other side is no
/// junk (junk on both sides is `head-images`' business) and no caption
/// right under it (a short line, not a bold label: `图1：架构图`).
fn beside_junk(
    doc: &Document,
    image: &Range<usize>,
    before: Option<usize>,
    after: Option<usize>,
    units: &[(Zone, Unit)],
    junk: impl Fn(usize) -> Option<Tier>,
    worded: impl Fn(usize) -> bool,
) -> bool {
    let blank = |gap: Range<usize>| doc.text.get(gap).is_some_and(|t| t.trim().is_empty());
    let is_junk = |i: Option<usize>| i.is_some_and(|i| junk(i).is_some());
    let safe = |i: Option<usize>| i.is_some_and(|i| junk(i) == Some(Tier::Safe) && worded(i));
    if is_junk(before) && is_junk(after) {
        return false;
    }
    let above = safe(before) && before.is_some_and(|b| blank(units[b].1.range.end..image.start));
    let below = safe(after) && after.is_some_and(|a| blank(image.end..units[a].1.range.start));
    let caption = after.is_some_and(|a| {
        !is_junk(Some(a))
            && blank(image.end..units[a].1.range.start)
            && is_caption(doc, &units[a].1)
    });
    (above && !caption) || below
}

/// True when a unit reads as an image's caption: short, and not a bold
/// label of what follows (`**工具介绍**`).
fn is_caption(doc: &Document, u: &Unit) -> bool {
    let t = doc.text[u.range.clone()].trim();
    let bold =
        (t.starts_with("**") && t.ends_with("**")) || (t.starts_with("__") && t.ends_with("__"));
    !bold && t.chars().count() <= 40
}

/// True when the text in `range` ends on a colon, markup aside.
fn announces(doc: &Document, range: &Range<usize>) -> bool {
    doc.text[range.clone()]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '\\'))
        .ends_with([':', '：'])
}

/// Where the other rules of this pass asked to delete text (blocks, lines or
/// a run of blocks, not markup or images alone, not an exporter's chrome),
/// with each fix's tier.
struct Deletions(Vec<(Range<usize>, Tier)>);

impl Deletions {
    fn of(ctx: &Context) -> Deletions {
        Deletions(
            ctx.asked
                .iter()
                .filter(|e| {
                    matches!(e.reach, Reach::Blocks { .. } | Reach::Zone { .. })
                        && !e.range.is_empty()
                        && e.replacement.trim().is_empty()
                        && !ctx.chrome.contains(&&*e.rule)
                })
                .map(|e| (e.range.clone(), e.tier))
                .collect(),
        )
    }

    /// The surest tier of the deletions that hold all of `r`, if any.
    fn covering(&self, r: &Range<usize>) -> Option<Tier> {
        self.tier(|d| covers(d, r))
    }

    /// The surest tier of the deletions that `hit` accepts, if any.
    fn tier(&self, hit: impl Fn(&Range<usize>) -> bool) -> Option<Tier> {
        self.0.iter().filter(|(r, _)| hit(r)).map(|(_, t)| *t).min()
    }
}

/// Arrows and emoji that point at a button or a QR code.
fn is_arrow_or_emoji(c: char) -> bool {
    matches!(
        c,
        '↓' | '↑' | '⬇' | '⬆' | '▼' | '▲' | '→' | '←' | '➡' | '⬅' | '☟' | '☝'
    ) || ('\u{1F300}'..='\u{1FAFF}').contains(&c)
        || ('\u{2600}'..='\u{27BF}').contains(&c)
}

impl Rule for ClassifyZones {
    /// The families' words, when shape alone cannot reach the threshold:
    /// then a unit is junk only with one of them (or between two that are).
    fn visible_needles(&self) -> Option<Vec<String>> {
        let shape = self.link_only.max(0.0) + self.arrow.max(0.0) + self.short.max(0.0);
        (shape < self.threshold).then(|| {
            self.families
                .iter()
                .flat_map(|(_, w, _)| w.clone())
                .collect()
        })
    }

    fn may_fire_is_free(&self) -> bool {
        true
    }

    fn judges_others(&self) -> bool {
        true
    }

    fn reach(&self) -> Reach {
        Reach::Blocks {
            headings: false,
            protected: false,
            glued_images: true,
        }
    }

    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        let dels = Deletions::of(ctx);
        // The head reaches past the lines of prose that other rules delete
        // whole (a long call to star the account is no first line of the
        // article): read again without them when the first is one.
        // Only past a sure deletion: a review one may never be applied.
        let deleted =
            |l: &LinePrint| dels.covering(&Prints::line_range(doc, l)) == Some(Tier::Safe);
        let base = doc.edge_prints();
        let moved = base
            .iter()
            .find(|l| l.zone == Zone::Body)
            .is_some_and(deleted);
        let without;
        let pl: &[LinePrint] = if moved {
            without = Prints::edges_past(doc, deleted);
            &without
        } else {
            base
        };
        let mut units = self.units(doc, pl, ctx.protect);
        for (zone, u) in &mut units {
            if !u.prose && u.score >= self.threshold {
                u.junk = Some(if u.score >= self.safe {
                    Tier::Safe
                } else {
                    Tier::Review
                });
                u.scored = true;
            }
            if *zone == Zone::Tail {
                // What another rule of this pass deletes in the tail is junk
                // too, at that rule's tier, and that rule's to remove unless
                // this one is surer.
                let r = &u.range;
                if let Some(t) = dels.covering(r) {
                    u.by_others = u.junk.is_none_or(|own| t <= own);
                    u.junk = Some(u.junk.map_or(t, |own| own.min(t)));
                }
            }
        }
        // The last line of prose: the tail starts after it.
        let last_prose = pl
            .iter()
            .rfind(|l| l.zone == Zone::Body)
            .map(|l| Prints::line_range(doc, l));
        // Neighbours: a doubtful unit (some signal, or text-less) between
        // two junk units of its zone is junk too.
        let near = Neighbours::of(&units);
        for k in 0..units.len() {
            let (zone, u) = (&units[k].0, &units[k].1);
            // Doubtful: some signal beyond shortness alone.
            let doubtful = !u.prose && u.junk.is_none() && !u.images_only && u.score > self.short;
            let junk = |i: Option<usize>| {
                i.is_some_and(|i| units[i].0 == *zone && units[i].1.junk.is_some())
            };
            if doubtful && junk(near.prev[k]) && junk(near.next[k]) {
                units[k].1.junk = Some(Tier::Review);
            }
        }
        // The blocks that stay do not depend on which units are junk: the
        // sweep's are the image pass's.
        let kept = if self.sweep {
            self.sweep_footer(doc, &dels, &mut units)
        } else {
            None
        };
        let mut images =
            self.images_beside_junk(doc, &dels, &units, &near, last_prose.as_ref(), kept);
        // Removals, per paragraph: a paragraph whose units are all junk goes
        // whole; else its junk lines go; with them, the images that go
        // because of them.
        let mut k = 0;
        while k < units.len() {
            let para = units[k].1.para;
            let mut end = k;
            while end < units.len() && units[end].1.para == para {
                end += 1;
            }
            let group = &units[k..end];
            let cut = lines(doc, para);
            let mut drop = vec![false; group[0].1.of];
            let mut tier = Tier::Safe;
            for (_, u) in group.iter().filter(|(_, u)| !u.by_others) {
                if let Some(t) = u.junk {
                    drop[u.lines.clone()].iter_mut().for_each(|d| *d = true);
                    tier = tier.max(t);
                }
            }
            if drop.iter().any(|&d| d) {
                let mut parts: Vec<(Range<usize>, String, Reach)> =
                    line_deletions(doc, para, &cut, &drop)
                        .into_iter()
                        .map(|r| (r, String::new(), self.reach()))
                        .collect();
                images.retain(|b| {
                    let mine = b.with.is_some_and(|w| (k..end).contains(&w));
                    if mine {
                        parts.push((b.range.clone(), String::new(), Reach::Images));
                        tier = tier.max(b.tier);
                    }
                    !mine
                });
                parts.sort_by_key(|p| p.0.start);
                out.fix_parts(parts, tier);
            }
            k = end;
        }
        // The images beside other rules' junk, each a fix of its own.
        for b in images.into_iter().filter(|b| b.with.is_none()) {
            out.fix_reaching(
                Reach::Images,
                Fix {
                    edits: vec![(b.range, String::new())],
                    tier: b.tier,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RuleSet;
    use crate::edit::Tier;

    const RULE: &str = r#"
[[rule]]
id = "z"
kind = "classify-zones"
description = "d"
threshold = 2.0
safe = 3.5
short = 0.5
arrow = 1.0
link-only = 1.0
[rule.families]
follow = { words = ["关注", "星标"], weight = 2.0 }
cta = { words = ["点赞", "在看", "分享"], weight = 2.0 }
"#;

    const DECORATION: &str = "decoration = '\\.gif$'\n";

    #[test]
    fn sweep_from_names_families() {
        let with = |v: &str| {
            RuleSet::parse(
                &RULE.replacen(
                    "[rule.families]",
                    &format!("sweep-from = {v}\n[rule.families]"),
                    1,
                ),
                "t.toml",
            )
        };
        assert!(with(r#"["follow"]"#).is_ok());
        let err = with(r#"["qr"]"#).unwrap_err().to_string();
        assert!(err.contains("`qr`") && err.contains("no family"), "{err}");
    }

    fn clean(text: &str, review: bool) -> String {
        clean_with(text, review, "")
    }

    fn clean_with(text: &str, review: bool, extra: &str) -> String {
        let tidy = "\n[[rule]]\nid = \"tidy\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        let rule = RULE.replacen("[rule.families]", &format!("{extra}[rule.families]"), 1);
        let mut set = RuleSet::parse(&format!("{rule}{tidy}"), "t.toml").unwrap();
        set.apply_review = review;
        crate::clean_text(text, &set, true).unwrap().output
    }

    const PROSE: &str = "这是一段很长的正文，讲的是一件只属于这篇文章的事情，和任何页脚都不一样，所以它是正文，足够长了。";

    #[test]
    fn a_decoration_image_beside_junk_goes_and_a_screenshot_stays() {
        let gif = "![](https://example.com/banner.gif)";
        let png = "![](https://example.com/shot.png)";
        // Head: a banner on either side of the follow prompt goes with it.
        let head = format!("{gif}\n\n记得关注我们，设为星标👇\n\n{png}\n\n{PROSE}\n");
        assert_eq!(
            clean_with(&head, false, DECORATION),
            format!("{png}\n\n{PROSE}\n")
        );
        // Without `decoration` no image is touched.
        assert_eq!(clean(&head, false), format!("{gif}\n\n{png}\n\n{PROSE}\n"));
        // Tail: only after the junk; an image between the last prose and the
        // footer is the article's.
        let gif2 = "![](https://example.com/divider.gif)";
        let tail = format!("{PROSE}\n\n{gif}\n\n觉得有用就点赞、在看、分享👇\n\n{gif2}\n");
        assert_eq!(
            clean_with(&tail, false, DECORATION),
            format!("{PROSE}\n\n{gif}\n")
        );
    }

    #[test]
    fn tail_junk_goes_by_its_signals_and_prose_stays() {
        let text = format!("{PROSE}\n\n觉得有用就点赞、在看、分享👇\n\n记得关注我们，设为星标👇\n");
        assert_eq!(clean(&text, false), format!("{PROSE}\n"));
        // A long line that mentions the same words is prose.
        let long = format!("{PROSE}\n\n{}关注和点赞\n", PROSE);
        assert_eq!(clean(&long, false), long);
    }

    #[test]
    fn a_call_to_action_split_across_breaks_is_one_unit() {
        let text = format!("{PROSE}\n\n觉得不错，就点个“  \n在看  \n”或“  \n赞  \n”吧👇\n");
        assert_eq!(clean(&text, false), format!("{PROSE}\n"));
    }

    #[test]
    fn doubtful_units_are_review_and_neighbours_decide() {
        // "关注" alone scores 2.5 with shortness: review, not safe.
        let text = format!("{PROSE}\n\n欢迎关注\n");
        assert_eq!(clean(&text, false), text);
        assert_eq!(clean(&text, true), format!("{PROSE}\n"));
        let set = RuleSet::parse(RULE, "t.toml").unwrap();
        let c = crate::clean_text(&text, &set, true).unwrap();
        assert_eq!(c.review.len(), 1);
        assert_eq!(c.review[0].tier, Tier::Review);
    }

    /// The zone rule with `tail-images`, after a phrase rule of the given
    /// kind that takes `版权` lines, and tidy.
    fn with_phrase_rule(text: &str, kind: &str) -> String {
        let phrase = format!(
            "[[rule]]\nid = \"notice\"\nkind = \"{kind}\"\ndescription = \"d\"\npattern = '版权[^。]*。'\nmax-chars = 500\n"
        );
        let zones = RULE.replacen("[rule.families]", "tail-images = true\n[rule.families]", 1);
        let tidy = "\n[[rule]]\nid = \"tidy\"\nkind = \"tidy\"\ndescription = \"d\"\n";
        // The phrase rule is listed after the zone rule: it still runs first.
        let set = RuleSet::parse(&format!("{zones}\n{phrase}{tidy}"), "t.toml").unwrap();
        crate::clean_text(text, &set, true).unwrap().output
    }

    #[test]
    fn an_image_after_what_another_rule_deletes_in_the_tail_goes() {
        let qr = "![](https://example.com/qr.png)";
        let text = format!("{PROSE}\n\n版权归原作者所有。\n\n{qr}\n");
        assert_eq!(with_phrase_rule(&text, "drop-block"), format!("{PROSE}\n"));
        // The deleted line is the last long line: the tail starts there.
        let long = format!("{PROSE}\n\n版权归原作者所有，{PROSE}\n\n{qr}\n");
        assert_eq!(with_phrase_rule(&long, "drop-block"), format!("{PROSE}\n"));
        // Text that stays between them keeps the image: it is the article's.
        let kept = format!("{PROSE}\n\n版权归原作者所有。\n\n效果如下：\n\n{qr}\n");
        assert_eq!(
            with_phrase_rule(&kept, "drop-block"),
            format!("{PROSE}\n\n效果如下：\n\n{qr}\n")
        );
        // Without other junk the closing image is the article's too.
        let plain = format!("{PROSE}\n\n{qr}\n");
        assert_eq!(with_phrase_rule(&plain, "drop-block"), plain);
    }

    #[test]
    fn text_cut_out_of_a_line_is_no_evidence() {
        // `cut-text` takes a notice out of the last line of prose and leaves
        // the line: the image after it stays.
        let shot = "![](https://example.com/shot.png)";
        let text = format!("版权归原作者所有。{PROSE}\n\n{shot}\n");
        assert_eq!(
            with_phrase_rule(&text, "cut-text"),
            format!("{PROSE}\n\n{shot}\n")
        );
    }

    #[test]
    fn a_deletion_the_content_model_refuses_is_no_evidence() {
        // A heading never goes with a phrase rule: what follows it is the
        // article's.
        let shot = "![](https://example.com/shot.png)";
        let text = format!("{PROSE}\n\n## 版权与许可。\n\n{shot}\n");
        assert_eq!(with_phrase_rule(&text, "drop-block"), text);
    }

    /// Cleans `text` with the embedded default rules, twice: the second
    /// clean must change nothing.
    fn default_clean(text: &str) -> String {
        let set = RuleSet::default_rules();
        let once = crate::clean_text(text, &set, false).unwrap().output;
        let twice = crate::clean_text(&once, &set, false).unwrap().output;
        assert_eq!(once, twice, "a second clean changed the text");
        once
    }

    fn images(text: &str) -> usize {
        text.matches("![").count()
    }

    const LONG: &str = "这是一段很长的正文，讲的是一件只属于这篇文章的事情，和任何页脚都不一样，所以它是正文，足够长了。我们继续写，写到超过八十个字为止，这样它就一定是正文。";

    #[test]
    fn what_deletions_between_images_say_nothing_of_a_footer() {
        let img = |n: u32| format!("![](https://mmbiz.qpic.cn/mmbiz_jpg/P{n}/640?wx_fmt=jpeg)");
        // An exporter's placeholder captions between screenshots (chrome).
        let csdn = format!(
            "{LONG}\n\n{}\n\n这里写图片描述\n\n{}\n\n这里写图片描述\n\n{}\n",
            img(1),
            img(2),
            img(3)
        );
        assert_eq!(images(&default_clean(&csdn)), 3);
        // A credit line under the last photos, before any footer: a caption.
        let credits = format!(
            "{LONG}\n\n{}\n\n图片来源于网络，侵权请联系删除\n\n{}\n",
            img(1),
            img(2)
        );
        assert_eq!(images(&default_clean(&credits)), 2);
        // A line that announces what follows: the screenshots are its
        // content, whatever the line scores.
        let announced = format!(
            "{LONG}\n\n最后分享一下读者们的精彩留言：\n\n{}\n\n{}\n",
            img(1),
            img(2)
        );
        assert_eq!(images(&default_clean(&announced)), 2);
        // Once a footer has begun, a button's label under its image is the
        // footer's, and so is the next button.
        let buttons = format!(
            "{LONG}\n\n觉得有用就点赞、在看、分享👇\n\n{}\n\n点分享\n\n{}\n\n点在看\n",
            img(1),
            img(2)
        );
        assert_eq!(images(&default_clean(&buttons)), 0);
        // A caption that asks to follow or scan says what the image over it
        // is: the QR code goes with it, after references too; the photo
        // over a credit line stays (above).
        let qr = format!(
            "{LONG}\n\n参考资料：\n\nandroid/system/core/fastboot/README.md\n\n{}\n\n**长按关注**\n\n**内核工匠微信**\n",
            img(1)
        );
        let out = default_clean(&qr);
        assert_eq!(images(&out), 0, "{out}");
        assert!(out.contains("README.md"), "{out}");
    }

    #[test]
    fn a_line_that_stays_gives_no_image_away() {
        let img = "![](https://mmbiz.qpic.cn/mmbiz_jpg/PH1/640?wx_fmt=jpeg)";
        // Attribution the content model keeps, though it scores as junk.
        for line in [
            "文章来源：某某公众号，转载请联系授权",
            "本文经授权转载自「数据派」公众号",
        ] {
            let text = format!("{LONG}\n\n{line}\n\n{img}\n");
            assert_eq!(default_clean(&text), text, "{line}");
        }
        // A line a suppression keeps.
        let text = format!(
            "{LONG}\n\n<!-- mdscrub-disable-next-line -->\n欢迎关注，记得点赞在看分享\n\n{img}\n"
        );
        assert_eq!(default_clean(&text), text);
    }

    #[test]
    fn junk_and_the_image_after_it_go_in_one_clean() {
        // The zone rule's fixes and the other rules' stay apart: junk beside
        // chrome and a list goes in the first clean (the second changes
        // nothing: `default_clean` checks).
        let text = format!(
            "# 标题\n\n{LONG}\n\n扫码关注我们\n这里写图片描述\n\n效果如下：\n\n- 准备一台干净的机器\n- 觉得有用就点个“在看”吧\n\nimage.png\n\n![](https://mmbiz.qpic.cn/mmbiz_png/A1/6405?wx_fmt=png)\n"
        );
        let out = default_clean(&text);
        assert!(
            !out.contains("扫码关注") && !out.contains("这里写图片描述"),
            "{out}"
        );
        // The list stays, and so the image after it is the article's.
        assert!(
            out.contains("- 准备一台干净的机器") && images(&out) == 1,
            "{out}"
        );
    }

    #[test]
    fn a_titles_post_type_tags_are_no_call() {
        // A forum post's title under the SimpRead banner: `[原创]` and
        // `[分享]` name its kind.
        for title in [
            "> [原创][分享] 从开发的角度看看 ollvm（1）",
            "> 【原创】代码混淆研究的新方向 PPT 分享",
        ] {
            let text = format!(
                "> 本文由 [简悦 SimpRead](http://ksria.com/simpread/) 转码， 原文地址 [bbs.example.com](https://bbs.example.com/thread-1.htm)\n\n{title}\n\n{LONG}\n"
            );
            assert!(default_clean(&text).contains(title), "{title}");
        }
        // Without its tags the same line scores as before; a link's tag
        // names the post it leads to, and counts.
        let text = format!("{LONG}\n\n[[招聘] 欢迎你加入我们团队！](https://job.example.com/)\n");
        assert_eq!(default_clean(&text), format!("{LONG}\n"));
        // Only post-type words are a label: a bracketed call is a call.
        let text = format!("{LONG}\n\n【扫码领取】课程资料包\n");
        assert_eq!(default_clean(&text), format!("{LONG}\n"));
    }

    #[test]
    fn attribution_broken_across_lines_stays() {
        // WeChat's editor broke the sentence; joined, it names the article's
        // contributor (a `protect` pattern of the default rules).
        let text = format!(
            "本文由  \n@某人  \n师傅原创投稿，记录的是  \n一种别样的玩法，感谢分享！\n\n{LONG}\n"
        );
        assert_eq!(default_clean(&text), text);
        // A line that matches alone is protected alone: the call to action
        // after it goes.
        let text = format!("# 标题\n\n{LONG}\n\n作者：张三，  \n点赞在看  \n");
        assert!(!default_clean(&text).contains("点赞在看"));
        // An image line stands apart from the sentence: the protected line
        // after it stays, a section later in the file or not.
        let text = format!(
            "# 标题\n\n{LONG}\n\n谢谢，  \n![](https://example.com/x.png)  \n原文链接：https://a.com 转载请注明出处\n\n## 小节\n\n{LONG}\n"
        );
        assert!(default_clean(&text).contains("原文链接：https://a.com"));
    }

    #[test]
    fn once_a_footer_has_begun_its_short_lines_go_with_it() {
        // The account card under a sure call to follow: its name and slogan
        // carry no signal of their own.
        let text = format!(
            "# 标题\n\n{LONG}\n\n长按识别二维码，关注我们\n\n**某某工匠微信**\n\n内核黑科技 | 技术文章 | 精选教程\n"
        );
        assert_eq!(default_clean(&text), format!("# 标题\n\n{LONG}\n"));
        // A call to follow that another rule deletes under a QR code opens
        // the footer too (`sweep-from`).
        let text = format!(
            "# 标题\n\n{LONG}\n\n![](https://example.com/qr.png)\n\n**长按关注**\n\n**某某工匠微信**\n\n内核黑科技 | 技术文章 | 精选教程\n"
        );
        let out = default_clean(&text);
        assert!(
            out.contains(LONG)
                && !out.contains("关注")
                && !out.contains("工匠")
                && !out.contains("精选"),
            "{out}"
        );
        // Before the footer begins, such lines are the article's.
        let text =
            format!("# 标题\n\n{LONG}\n\n**某某工匠微信**\n\n内核黑科技 | 技术文章 | 精选教程\n");
        assert_eq!(default_clean(&text), text);
        // The sweep ends at an attribution line, a heading, or a line that
        // announces what follows: what comes after stays.
        // So does a line of the article with no footer's shape (a command).
        for stop in [
            "作者 / 张三",
            "## 参考",
            "参考资料：",
            "**参考链接**",
            "adb install -a ****.apk",
        ] {
            let text =
                format!("# 标题\n\n{LONG}\n\n长按识别二维码，关注我们\n\n{stop}\n\n某本书的名字\n");
            let out = default_clean(&text);
            assert!(!out.contains("关注我们"), "{out}");
            assert!(
                out.contains(stop) && out.contains("某本书的名字"),
                "{stop}: {out}"
            );
        }
    }

    #[test]
    fn an_image_junk_encloses_in_the_head_goes_and_one_beside_prose_stays() {
        // The call to star the account is long enough to read as prose; a
        // phrase rule deletes it, so the head reaches past it, and the
        // banner between it and the follow prompt goes. The image between
        // it and the article's first paragraph stays.
        let a = "![](https://example.com/a.png)";
        let b = "![](https://example.com/b.png)";
        let text = format!(
            "# 标题\n\n点击上方蓝字关注我们\n\n{a}\n\n现在只对常读和星标的公众号才展示大图推送，建议大家把我们设为星标，否则可能就看不到了啦！\n\n{b}\n\n{LONG}\n"
        );
        assert_eq!(default_clean(&text), format!("# 标题\n\n{b}\n\n{LONG}\n"));
    }

    /// A numbered line in the tail is an item of the article's own list,
    /// whatever words it holds: no guess takes it.
    #[test]
    fn a_numbered_line_is_no_call() {
        let text = format!(
            "{LONG}\n\n(1). **二维码解码器**\n\n  https://example.com/qr\n\n3）请大家留意公众号近期的推送和预告，欢迎分享。\n"
        );
        assert_eq!(clean(&text, true), text);
        let plain = format!("{LONG}\n\n请大家留意公众号近期的推送，欢迎分享、点赞、在看。\n");
        assert_ne!(clean(&plain, true), plain);
    }

    /// An image right beside head junk, nothing on its other side, is a
    /// guess: held for review, taken with `--apply review`. A divider
    /// between sets it apart, and it stays either way.
    #[test]
    fn an_image_beside_head_junk_is_a_review_fix() {
        let a = "![](https://example.com/a.png)";
        let b = "![](https://example.com/b.png)";
        let text = format!("# 标题\n\n作者 张三\n\n{a}\n\n点击上方蓝字关注我们\n\n{b}\n\n{LONG}\n");
        let set = RuleSet::default_rules();
        let cleaned = crate::clean_text(&text, &set, false).unwrap();
        assert_eq!(
            cleaned.output,
            format!("# 标题\n\n作者 张三\n\n{a}\n\n{b}\n\n{LONG}\n")
        );
        let held: Vec<&str> = cleaned
            .review
            .iter()
            .filter(|h| &*h.rule == "junk-zones")
            .map(|h| h.removed.as_str())
            .collect();
        assert_eq!(held.len(), 2, "{held:?}");
        assert!(held.iter().all(|r| r.starts_with("![](")), "{held:?}");
        let mut review = RuleSet::default_rules();
        review.apply_review = true;
        let all = crate::clean_text(&text, &review, false).unwrap().output;
        assert_eq!(all, format!("# 标题\n\n作者 张三\n\n{LONG}\n"));
        let apart = format!("# 标题\n\n点击上方蓝字关注我们\n\n---\n\n{b}\n\n{LONG}\n");
        let out = crate::clean_text(&apart, &review, false).unwrap().output;
        assert!(out.contains(b), "{out}");
        // A caption under it, a strip of images, no prose after: it stays.
        for text in [
            format!("# 标题\n\n点击上方蓝字关注我们\n\n{b}\n\n图1：系统架构图\n\n{LONG}\n"),
            format!("# 标题\n\n点击上方蓝字关注我们\n\n{a}{b}{a}\n\n{LONG}\n"),
            format!("# 标题\n\n点击上方蓝字关注我们\n\n{b}\n\n秋天的香山\n"),
        ] {
            let out = crate::clean_text(&text, &review, true).unwrap().output;
            assert!(out.contains(b), "{out}");
        }
        // Its tracking parameters go by a safe rule; the review fix around
        // them is still shown, as `--apply review` would make it.
        let tracked = "![](https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg&from=appmsg)";
        let text = format!("# 标题\n\n点击上方蓝字关注我们\n\n{tracked}\n\n{LONG}\n");
        let cleaned = crate::clean_text(&text, &set, false).unwrap();
        assert!(
            cleaned
                .review
                .iter()
                .any(|h| h.removed.starts_with(tracked)),
            "{:#?}",
            cleaned.review
        );
        let all = crate::clean_text(&text, &review, false).unwrap().output;
        assert_eq!(all, format!("# 标题\n\n{LONG}\n"));
    }

    #[test]
    fn the_sweep_leaves_the_articles_own_lines_after_a_call() {
        let cta = "喜欢就点赞、在看、分享三连👇";
        for after in [
            "- **某某书目一**\n- 某某 | 出版社 | 2020",
            "> *不积跬步，无以至千里*",
            "编辑 | 张三\n\n审核 | 李四",
            "*——摘自《论语》*",
            "ps aux | grep nginx",
            "[GitHub 项目地址](https://github.com/foo/bar)",
            "**写在最后**\n\n祝大家新年快乐",
        ] {
            let text = format!("# 标题\n\n{LONG}\n\n{cta}\n\n{after}\n");
            let out = default_clean(&text);
            assert!(!out.contains(cta), "{out}");
            assert!(out.contains(after), "{after}: {out}");
        }
        // What another rule deletes under the last photo is its caption, no
        // footer: the closing line after it stays.
        let text = format!(
            "# 标题\n\n{LONG}\n\n![](https://example.com/photo.png)\n\n图片来源于网络，侵权请联系删除\n\n**愿你我都能成为更好的自己**\n"
        );
        assert!(default_clean(&text).contains("**愿你我都能成为更好的自己**"));
    }
}
