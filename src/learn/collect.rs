//! Counting fingerprints across an archive: in how many files, articles and
//! folders each line and image recurs, and where it sits. Memory grows with
//! the number of distinct lines, not with the text: only hashes and counts
//! are kept, and the text of what is learned is read back at the end.

use super::keys::{KeyMap, KeySet};
use super::prints::{PROSE_CHARS, Prints, Zone};

/// How many distinct articles and folders an entry remembers; past that it
/// only counts.
const TRACK: usize = 8;

/// What is known of one fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Files it occurs in (once per file).
    pub files: u32,
    /// Distinct articles it occurs in (copies of one article count once),
    /// up to [`TRACK`].
    articles: Vec<u64>,
    /// Distinct folders it occurs in, up to [`TRACK`].
    groups: Vec<u32>,
    /// Occurrences (once per file) by zone.
    pub head: u32,
    pub body: u32,
    pub tail: u32,
    /// Where it was first seen: file index and 1-based line.
    pub example: (u32, u32),
    /// A line as long as prose (see [`Stats::zone`]).
    pub long: bool,
}

impl Stats {
    fn add(&mut self, file: u32, group: u32, article: u64, zone: Zone, line: usize) {
        if self.files == 0 {
            self.example = (file, line as u32);
        }
        self.files += 1;
        if self.articles.len() < TRACK && !self.articles.contains(&article) {
            self.articles.push(article);
        }
        if self.groups.len() < TRACK && !self.groups.contains(&group) {
            self.groups.push(group);
        }
        match zone {
            Zone::Head => self.head += 1,
            Zone::Body => self.body += 1,
            Zone::Tail => self.tail += 1,
        }
    }

    fn merge(&mut self, o: Stats) {
        if self.files == 0 || (o.files > 0 && o.example < self.example) {
            self.example = o.example;
        }
        self.files += o.files;
        for a in o.articles {
            if self.articles.len() < TRACK && !self.articles.contains(&a) {
                self.articles.push(a);
            }
        }
        for g in o.groups {
            if self.groups.len() < TRACK && !self.groups.contains(&g) {
                self.groups.push(g);
            }
        }
        self.head += o.head;
        self.body += o.body;
        self.tail += o.tail;
        self.long |= o.long;
    }

    /// Distinct articles, up to [`TRACK`].
    pub fn articles(&self) -> usize {
        self.articles.len()
    }

    /// Distinct folders, up to [`TRACK`].
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Where it mostly sits: head or tail when those hold all but a tenth
    /// of its occurrences, else body. A line as long as prose that mostly
    /// ends articles needs only three in four at the edges: a sentence that
    /// recurs word for word at the end of different articles is an
    /// account's standing paragraph (an ad for its paid group that an author
    /// sometimes puts mid-article), where a short one may be a template's
    /// label that sits wherever its section does, and one that opens them
    /// may be a series' introduction.
    pub fn zone(&self) -> Zone {
        let edge = self.head + self.tail;
        let body = if self.long && self.tail > self.head {
            edge * 4 < self.files * 3
        } else {
            edge * 10 < self.files * 9
        };
        if body {
            Zone::Body
        } else if self.head >= self.tail {
            Zone::Head
        } else {
            Zone::Tail
        }
    }
}

/// Counts over many files; two collectors of disjoint files merge.
#[derive(Debug, Default)]
pub struct Collector {
    pub text: KeyMap<Stats>,
    pub images: KeyMap<Stats>,
    pub files: u32,
}

impl Collector {
    /// Counts the fingerprints of file number `file` in folder `group`.
    pub fn add(&mut self, file: u32, group: u32, prints: &Prints) {
        self.files += 1;
        let edges = prints.prose_edges();
        // Each line once per file, where it sits at an edge if it does
        // anywhere: a notice an article repeats, once under its opening
        // paragraph and once in its footer, is footer boilerplate.
        let mut once: KeyMap<(Zone, usize, bool)> = KeyMap::default();
        for (i, l) in prints.lines.iter().enumerate() {
            let Some(key) = l.key else { continue };
            let zone = prints.learning_zone(i, edges);
            let long = l.chars >= PROSE_CHARS;
            let seen = once.entry(key).or_insert((zone, l.line, long));
            if seen.0 == Zone::Body && zone != Zone::Body {
                *seen = (zone, l.line, long);
            }
        }
        for (key, (zone, line, long)) in once {
            let stats = self.text.entry(key).or_default();
            stats.long = long;
            stats.add(file, group, prints.article, zone, line);
        }
        let mut seen = KeySet::default();
        for im in &prints.images {
            if !seen.insert(im.key) {
                continue;
            }
            self.images.entry(im.key).or_default().add(
                file,
                group,
                prints.article,
                im.zone,
                im.line,
            );
        }
    }

    /// Adds another collector's counts.
    pub fn merge(mut self, other: Collector) -> Collector {
        let (mut big, small) = if self.text.len() >= other.text.len() {
            (std::mem::take(&mut self), other)
        } else {
            (other, std::mem::take(&mut self))
        };
        for (k, s) in small.text {
            big.text.entry(k).or_default().merge(s);
        }
        for (k, s) in small.images {
            big.images.entry(k).or_default().merge(s);
        }
        big.files += small.files;
        big
    }
}
