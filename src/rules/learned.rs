//! The learned rules: remove the lines and images an archive's learned set
//! ([`crate::learn::Learned`]) names. Built from a learned file rather than
//! from a `[[rule]]` table; they show in reports as `learned-lines` and
//! `learned-images`.
//!
//! A learned line goes only where it sits in the head or the tail of the
//! document being cleaned (before the first line of real prose or after the
//! last), as it did where it was learned, and next to other boilerplate (a
//! learned line, an image, the document's edge); a line of a multi-line paragraph
//! goes alone, as `drop-line` removes it. A whole block the document repeats
//! at an edge goes from the body too. A learned image goes wherever it
//! is, with a link that holds only it.

use super::drop_image::image_removal;
use super::drop_line::{delete_lines, lines};
use super::{Context, Rule};
use crate::document::{Document, Kind};
use crate::edit::{EditSink, Reach};
use crate::learn::keys::KeySet;
use crate::learn::prints::{LinePrint, Prints, Zone, image_key};

/// Removes learned lines of boilerplate.
pub struct LearnedLines {
    keys: KeySet,
}

/// Removes learned images.
pub struct LearnedImages {
    keys: KeySet,
}

/// A stable digest of a key set: the cache's fingerprint prints rules with
/// `Debug`, and a set's own order changes from run to run.
fn digest(keys: &KeySet) -> (usize, u64) {
    let mut sorted: Vec<u64> = keys.iter().copied().collect();
    sorted.sort_unstable();
    let bytes: Vec<u8> = sorted.iter().flat_map(|k| k.to_le_bytes()).collect();
    (sorted.len(), xxhash_rust::xxh3::xxh3_64(&bytes))
}

impl std::fmt::Debug for LearnedLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, h) = digest(&self.keys);
        write!(f, "LearnedLines({n} keys, {h:016x})")
    }
}

impl std::fmt::Debug for LearnedImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, h) = digest(&self.keys);
        write!(f, "LearnedImages({n} keys, {h:016x})")
    }
}

impl LearnedLines {
    pub fn new(keys: KeySet) -> Self {
        LearnedLines { keys }
    }
}

impl LearnedImages {
    pub fn new(keys: KeySet) -> Self {
        LearnedImages { keys }
    }
}

impl Rule for LearnedLines {
    fn reach(&self) -> Reach {
        Reach::Blocks {
            headings: false,
            protected: false,
            glued_images: false,
        }
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        if self.keys.is_empty()
            || !(doc.has_prints() || Prints::may_hold_key(doc, |k| self.keys.contains(&k)))
        {
            return;
        }
        let prints = doc.prints();
        // The learned lines outside the body, by their first node.
        let learned = |l: &LinePrint| l.key.is_some_and(|k| self.keys.contains(&k));
        // Learned paragraphs are not the article's prose: an edge reaches
        // past them.
        let zones = prints.zones_without(learned);
        let edge: Vec<bool> = prints
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| zones[i] != Zone::Body && learned(l) && prints.next_to_junk(i, learned))
            .collect();
        // A block of boilerplate the document repeats, once at an edge and
        // once in the body (a notice under the opening paragraph and again
        // in the footer), goes in both places: a whole block, never a line
        // of a paragraph of the article.
        let again: KeySet = prints
            .lines
            .iter()
            .zip(&edge)
            .filter(|(_, e)| **e)
            .filter_map(|(l, _)| l.key)
            .collect();
        // A paragraph's lines are next to each other in the prints.
        let whole = |i: usize| {
            let para = prints.lines[i].para;
            let of_para = |m: &&LinePrint| m.para == para;
            let before = prints.lines[..i].iter().rev().take_while(of_para);
            let after = prints.lines[i..].iter().take_while(of_para);
            before
                .chain(after)
                .all(|m| m.key.is_some_and(|k| again.contains(&k)))
        };
        let hits: Vec<&LinePrint> = prints
            .lines
            .iter()
            .enumerate()
            .filter(|&(i, l)| {
                edge[i]
                    || (zones[i] == Zone::Body
                        && l.key.is_some_and(|k| again.contains(&k))
                        && whole(i))
            })
            .map(|(_, l)| l)
            .collect();
        let mut k = 0;
        while k < hits.len() {
            let para = hits[k].para;
            let mut end = k;
            while end < hits.len() && hits[end].para == para {
                end += 1;
            }
            let group = &hits[k..end];
            k = end;
            if doc.node(para).kind == Kind::HtmlBlock {
                if let Some(range) = doc.removal_range(para) {
                    out.delete(range);
                }
                continue;
            }
            let lines = lines(doc, para);
            if lines.iter().any(|l| l.is_empty()) {
                continue;
            }
            // A logical line takes every line of the paragraph it spans.
            let mut drop = vec![false; lines.len()];
            for hit in group {
                drop[hit.span.clone()].iter_mut().for_each(|d| *d = true);
            }
            delete_lines(doc, para, &lines, &drop, out);
        }
    }
}

impl Rule for LearnedImages {
    fn reach(&self) -> Reach {
        Reach::Images
    }

    fn check(&self, doc: &Document, _ctx: &Context, out: &mut EditSink) {
        if self.keys.is_empty() {
            return;
        }
        for (id, node) in doc.nodes.iter().enumerate() {
            if let Kind::Image(link) = &node.kind
                && node.trusted
                && self.keys.contains(&image_key(&link.url))
            {
                out.delete(image_removal(doc, id));
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        Some(vec!["![".into()])
    }
}
