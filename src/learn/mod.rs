//! Learning an archive's recurring boilerplate: every account has its own
//! footer, slogan, card, banner and divider images, and they repeat across
//! its articles. [`learn`] reads every file once, counts each line's and
//! image's fingerprint ([`prints`]), and keeps what recurs with enough
//! evidence ([`LearnOptions`]) as a [`Learned`] set: rules data, written as
//! a TOML file a person can read, edit and commit, that the learned rules
//! ([`crate::rules::learned`]) clean with.
//!
//! Recurrence is evidence, not proof: a series' standing introduction, a
//! repeated quote or a heading such as 参考文献 also recur. So a learned line
//! must recur in different articles (not copies of one), sit in the head or
//! the tail of the files it is in (before the first line of real prose or
//! after the last), and be a line of a paragraph (never a heading, table
//! cell or code). Images count wherever they sit: a divider recurs in the
//! body. A person's `keep = true` overrules the evidence.

pub mod collect;
pub mod keys;
pub mod prints;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::document::Document;
use collect::{Collector, Stats};
use prints::{Prints, Zone, image_id, normalise, text_key};

/// How much evidence a learned entry needs.
#[derive(Debug, Clone, Copy)]
pub struct LearnOptions {
    /// Fewest distinct articles a line or image must occur in.
    pub min_files: u32,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions { min_files: 3 }
    }
}

/// A learned line of boilerplate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TextEntry {
    /// The line's visible text, as first seen. It matches any line with the
    /// same letters and digits (markup, spacing and punctuation aside).
    pub text: String,
    /// Files it was seen in when learned.
    #[serde(default)]
    pub files: u32,
    /// Distinct folders (accounts) it was seen in, up to 8.
    #[serde(default)]
    pub folders: u32,
    /// Where it sits: `head` or `tail`.
    #[serde(default = "default_zone")]
    pub zone: String,
    /// Where it was first seen (`path:line`).
    #[serde(default)]
    pub example: String,
    /// A person's decision: never remove it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub keep: bool,
}

/// A learned image: a banner, QR code or divider that recurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImageEntry {
    /// Host and path, without scheme or query (the same image under any
    /// tracking parameters).
    pub url: String,
    #[serde(default)]
    pub files: u32,
    #[serde(default)]
    pub folders: u32,
    /// Where it mostly sits: `head`, `body` or `tail`.
    #[serde(default = "default_zone")]
    pub zone: String,
    #[serde(default)]
    pub example: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub keep: bool,
}

fn default_zone() -> String {
    "tail".into()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A learned set: what `mdscrub learn` writes and the learned rules use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Learned {
    /// Lines of boilerplate.
    #[serde(default)]
    pub text: Vec<TextEntry>,
    /// Images of boilerplate.
    #[serde(default)]
    pub image: Vec<ImageEntry>,
}

/// A file to learn from: its path and its folder's index (its account).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub folder: u32,
}

/// Sources for `paths`, each in the folder that holds it.
pub fn sources(paths: &[PathBuf]) -> Vec<Source> {
    let mut folders: BTreeMap<PathBuf, u32> = BTreeMap::new();
    paths
        .iter()
        .map(|p| {
            let dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
            let n = folders.len() as u32;
            let folder = *folders.entry(dir).or_insert(n);
            Source {
                path: p.clone(),
                folder,
            }
        })
        .collect()
}

/// Learns from `files` (texts read with `read`; a file that cannot be read
/// is skipped), in parallel. `names` turns a file into the path shown in
/// the `example` fields.
pub fn learn(
    files: &[Source],
    read: impl Fn(&Path) -> Option<String> + Sync,
    names: impl Fn(&Path) -> String + Sync,
    opts: LearnOptions,
) -> Learned {
    let collector = files
        .par_iter()
        .enumerate()
        .fold(Collector::default, |mut c, (i, f)| {
            if let Some(text) = read(&f.path) {
                let doc = Document::parse(&text);
                c.add(i as u32, f.folder, &Prints::of(&doc));
            }
            c
        })
        .reduce(Collector::default, Collector::merge);
    select(&collector, files, &read, &names, opts)
}

/// An entry to read back: text (or image), its key, and what is known of it.
type Wanted<'a> = (bool, u64, &'a Stats);

/// The entries with enough evidence, with their text read back from the
/// file each was first seen in.
fn select(
    c: &Collector,
    files: &[Source],
    read: &(impl Fn(&Path) -> Option<String> + Sync),
    names: &(impl Fn(&Path) -> String + Sync),
    opts: LearnOptions,
) -> Learned {
    let enough = |s: &Stats| s.files >= opts.min_files && s.articles() as u32 >= opts.min_files;
    let texts: Vec<(u64, &Stats)> = c
        .text
        .iter()
        .filter(|(_, s)| enough(s) && s.zone() != Zone::Body)
        .map(|(k, s)| (*k, s))
        .collect();
    let images: Vec<(u64, &Stats)> = c
        .images
        .iter()
        .filter(|(_, s)| enough(s))
        .map(|(k, s)| (*k, s))
        .collect();
    // Read back each example file once.
    let mut by_file: BTreeMap<u32, Vec<Wanted>> = BTreeMap::new();
    for (k, s) in &texts {
        by_file.entry(s.example.0).or_default().push((true, *k, s));
    }
    for (k, s) in &images {
        by_file.entry(s.example.0).or_default().push((false, *k, s));
    }
    // The example files are read back in parallel: each gives its entries,
    // and the sort at the end puts them in one order whatever the threads.
    let by_file: Vec<(u32, Vec<Wanted>)> = by_file.into_iter().collect();
    let parts: Vec<Learned> = by_file
        .par_iter()
        .map(|(file, wanted)| read_back(&files[*file as usize].path, wanted, read, names))
        .collect();
    let mut learned = Learned::default();
    for part in parts {
        learned.text.extend(part.text);
        learned.image.extend(part.image);
    }
    learned.sort();
    learned
}

/// The entries of `wanted` (text or image, key, stats) whose example is
/// file `path`, with the text and image addresses read back from it. Each
/// is read from the block around the line it was first seen on, parsed
/// alone, and found again there by its key; the whole file is parsed only
/// when that block does not give it back (a cut that changed how the text
/// parses: an HTML block with blank lines in it, a list item's
/// continuation), so the key always matches what was counted.
fn read_back(
    path: &Path,
    wanted: &[Wanted],
    read: &(impl Fn(&Path) -> Option<String> + Sync),
    names: &(impl Fn(&Path) -> String + Sync),
) -> Learned {
    let mut learned = Learned::default();
    let Some(text) = read(path) else {
        return learned;
    };
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    let whole = std::cell::OnceCell::new();
    for &(is_text, key, s) in wanted {
        let from_block = if let Some((doc, prints)) = whole.get() {
            shown(doc, prints, is_text, key)
        } else {
            let block = &text[block_around(&text, &starts, s.example.1 as usize)];
            let doc = Document::parse(block);
            shown(&doc, &Prints::of(&doc), is_text, key)
        };
        let Some(shown) = from_block.or_else(|| {
            let (doc, prints) = whole.get_or_init(|| {
                let doc = Document::parse(&text);
                let prints = Prints::of(&doc);
                (doc, prints)
            });
            shown(doc, prints, is_text, key)
        }) else {
            continue;
        };
        let example = format!("{}:{}", names(path), s.example.1);
        let (files, folders, zone) = (s.files, s.groups() as u32, s.zone().as_str().into());
        if is_text {
            learned.text.push(TextEntry {
                text: shown,
                files,
                folders,
                zone,
                example,
                keep: false,
            });
        } else {
            learned.image.push(ImageEntry {
                url: shown,
                files,
                folders,
                zone,
                example,
                keep: false,
            });
        }
    }
    learned
}

/// What an entry shows, found by its key in `doc`: a line's visible text
/// (an HTML block's text, its spacing made single), or an image's address
/// without its query.
fn shown(doc: &Document, prints: &Prints, is_text: bool, key: u64) -> Option<String> {
    if is_text {
        let line = prints.lines.iter().find(|l| l.key == Some(key))?;
        let shown: String = if line.html {
            doc.html_str(line.para)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            line.nodes.iter().map(|&n| doc.visible_text(n)).collect()
        };
        Some(shown.trim().to_string())
    } else {
        let im = prints.images.iter().find(|i| i.key == key)?;
        Some(image_id(&doc.node(im.node).link()?.url))
    }
}

/// The byte range of the lines around 1-based line `line` of `text` up to
/// the blank lines on either side: the block that line is in. `starts` are
/// the text's line starts.
fn block_around(text: &str, starts: &[usize], line: usize) -> std::ops::Range<usize> {
    let end_of = |k: usize| starts.get(k + 1).copied().unwrap_or(text.len());
    let blank = |k: usize| text[starts[k]..end_of(k)].trim().is_empty();
    let at = line.saturating_sub(1).min(starts.len() - 1);
    let mut first = at;
    while first > 0 && !blank(first - 1) {
        first -= 1;
    }
    let mut last = at;
    while last + 1 < starts.len() && !blank(last + 1) {
        last += 1;
    }
    starts[first]..end_of(last)
}

impl Learned {
    /// Parses a learned file; the error names the line.
    pub fn parse(text: &str) -> Result<Learned, String> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(l) => format!("line {l}: {}", e.message().trim()),
                None => e.message().trim().to_string(),
            }
        })
    }

    /// Reads a learned file.
    pub fn load(path: &Path) -> Result<Learned, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read learned file: {e}", path.display()))?;
        Learned::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The file's text: a header saying what it is, then the entries, most
    /// frequent first, so that a later `learn` changes few lines.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Boilerplate learned from an archive by `mdscrub learn`: lines and images\n\
             # that recur across articles. `clean`, `check` and `diff` remove them.\n\
             # Review it (`mdscrub diff --html`), then commit it. To keep an entry,\n\
             # set `keep = true` (a later `learn` leaves that alone); entries you add\n\
             # by hand stay too.\n",
        );
        let body = toml::to_string(self).expect("learned entries serialise");
        if !body.is_empty() {
            out.push('\n');
            out.push_str(&body);
        }
        out
    }

    /// Orders entries: by zone, most files first, then by text.
    pub fn sort(&mut self) {
        self.text.sort_by(|a, b| {
            (&a.zone, std::cmp::Reverse(a.files), &a.text).cmp(&(
                &b.zone,
                std::cmp::Reverse(b.files),
                &b.text,
            ))
        });
        self.image.sort_by(|a, b| {
            (std::cmp::Reverse(a.files), &a.url).cmp(&(std::cmp::Reverse(b.files), &b.url))
        });
    }

    /// This set updated by a new learning: entries learned again take the
    /// new counts and keep a person's `keep`; entries only here (added by
    /// hand, or not seen this time) stay as they are; new entries are added.
    pub fn updated_by(self, new: Learned) -> Learned {
        let mut out = new;
        let learned_text: HashSet<String> = out.text.iter().map(|e| normalise(&e.text)).collect();
        let learned_image: HashSet<String> = out.image.iter().map(|e| e.url.clone()).collect();
        for old in self.text {
            let key = normalise(&old.text);
            if learned_text.contains(&key) {
                if old.keep
                    && let Some(e) = out.text.iter_mut().find(|e| normalise(&e.text) == key)
                {
                    e.keep = true;
                }
            } else {
                out.text.push(old);
            }
        }
        for old in self.image {
            if learned_image.contains(&old.url) {
                if old.keep
                    && let Some(e) = out.image.iter_mut().find(|e| e.url == old.url)
                {
                    e.keep = true;
                }
            } else {
                out.image.push(old);
            }
        }
        out.sort();
        out
    }

    /// This set and `more` together: `more`'s entries that this set does not
    /// hold already are added (a learned file, and what a run learned).
    pub fn joined_with(mut self, more: Learned) -> Learned {
        let text: HashSet<String> = self.text.iter().map(|e| normalise(&e.text)).collect();
        let image: HashSet<String> = self.image.iter().map(|e| e.url.clone()).collect();
        self.text.extend(
            more.text
                .into_iter()
                .filter(|e| !text.contains(&normalise(&e.text))),
        );
        self.image
            .extend(more.image.into_iter().filter(|e| !image.contains(&e.url)));
        self.sort();
        self
    }

    /// The keys of the lines to remove (entries not kept).
    pub fn text_keys(&self) -> keys::KeySet {
        self.text
            .iter()
            .filter(|e| !e.keep)
            .map(|e| text_key(&normalise(&e.text)))
            .collect()
    }

    /// The keys of the images to remove (entries not kept).
    pub fn image_keys(&self) -> keys::KeySet {
        self.image
            .iter()
            .filter(|e| !e.keep)
            .map(|e| prints::image_key(&e.url))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.image.is_empty()
    }
}

#[cfg(test)]
mod tests;
