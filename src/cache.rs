//! The clean-content cache: which file contents are already known to be
//! clean under a rule set, so that a later run over an archive that has not
//! changed skips their parse and their rules.
//!
//! The cache is keyed on content, not on paths or modification times: a CI
//! checkout sets every file's mtime afresh, and a copied archive is as clean
//! as its original. A cache file holds the 128-bit hashes (xxh3) of contents
//! that a run found clean, one file per rule-set fingerprint, so editing the
//! rules (or upgrading mdscrub) starts a new cache rather than trusting an
//! old one. Only contents that need no change are recorded: a file with
//! hits, a failure or a refusal is processed every time.
//!
//! The cache can only make a run faster. A cache file that cannot be read,
//! is damaged or belongs to another version is ignored; one that cannot be
//! written is not an error of the run.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// First bytes of a cache file; the version changes with the format.
const MAGIC: &[u8; 16] = b"mdscrub-cache-1\n";

/// Most contents one cache file remembers (16 bytes each): this run's new
/// ones first, then those it saw again, then older ones.
const MAX_ENTRIES: usize = 1 << 20;

/// Cache files of other fingerprints unused for this long are removed.
const STALE_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

/// The contents known clean under one rule set.
#[derive(Debug)]
pub struct Cache {
    file: PathBuf,
    /// Loaded from the cache file, sorted.
    known: Vec<u128>,
    /// One bit per entry of `known`: seen again in this run.
    hit: Vec<AtomicU64>,
    /// Found clean in this run and not known before.
    fresh: Mutex<Vec<u128>>,
    hits: AtomicUsize,
}

/// Where the cache lives when the run names no folder: `MDSCRUB_CACHE_DIR`,
/// else the user's cache folder (`$XDG_CACHE_HOME/mdscrub`,
/// `~/.cache/mdscrub`, `%LOCALAPPDATA%\mdscrub`); `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("MDSCRUB_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("mdscrub"));
    }
    if cfg!(windows)
        && let Some(dir) = var("LOCALAPPDATA")
    {
        return Some(PathBuf::from(dir).join("mdscrub"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("mdscrub"))
}

impl Cache {
    /// Opens the cache of `fingerprint` in `dir`: a hash of everything that
    /// decides what a run does to a file's bytes, computed by the caller
    /// (see `RuleSet::fingerprint`). Never fails: a missing or
    /// unreadable cache is an empty one.
    pub fn open(dir: &Path, fingerprint: u128) -> Cache {
        let file = dir.join(format!("clean-{fingerprint:032x}.bin"));
        let known = fs::read(&file).map(|b| parse(&b)).unwrap_or_default();
        let hit = (0..known.len().div_ceil(64))
            .map(|_| AtomicU64::new(0))
            .collect();
        Cache {
            file,
            known,
            hit,
            fresh: Mutex::new(Vec::new()),
            hits: AtomicUsize::new(0),
        }
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// True when the content whose [`crate::fsio::content_hash`] is `key` was found
    /// clean by an earlier run with the same fingerprint. A hit is
    /// remembered for [`Cache::save`].
    pub fn knows_clean(&self, key: u128) -> bool {
        let Ok(at) = self.known.binary_search(&key) else {
            return false;
        };
        self.mark(at);
        self.hits.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Records that the content whose [`crate::fsio::content_hash`] is `key` needs no
    /// change.
    pub fn note_clean(&self, key: u128) {
        match self.known.binary_search(&key) {
            Ok(at) => self.mark(at),
            Err(_) => self
                .fresh
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(key),
        }
    }

    /// Marks entry `at` of `known` as seen in this run.
    fn mark(&self, at: usize) {
        self.hit[at / 64].fetch_or(1 << (at % 64), Ordering::Relaxed);
    }

    fn was_hit(&self, at: usize) -> bool {
        self.hit[at / 64].load(Ordering::Relaxed) & (1 << (at % 64)) != 0
    }

    /// How many lookups hit so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Writes the cache back when this run found new clean contents: those,
    /// then the known ones it saw again, then the others, at most
    /// [`MAX_ENTRIES`]. The file is replaced atomically, so concurrent runs
    /// never read half of one (the last to save wins). Also removes cache
    /// files of other fingerprints unused for a month.
    pub fn save(&self) -> std::io::Result<()> {
        let mut fresh = std::mem::take(&mut *self.fresh.lock().unwrap_or_else(|e| e.into_inner()));
        if fresh.is_empty() {
            // Nothing new: the file already holds every key this run saw.
            // It was used, so it is not stale.
            return fs::File::options()
                .append(true)
                .open(&self.file)
                .and_then(|f| f.set_modified(SystemTime::now()))
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                });
        }
        fresh.sort_unstable();
        fresh.dedup();
        let seen = (0..self.known.len()).filter(|&at| self.was_hit(at));
        let unseen = (0..self.known.len()).filter(|&at| !self.was_hit(at));
        let mut keys = fresh;
        keys.extend(seen.chain(unseen).map(|at| self.known[at]));
        keys.truncate(MAX_ENTRIES);
        keys.sort_unstable();
        keys.dedup();
        let dir = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut bytes = Vec::with_capacity(MAGIC.len() + keys.len() * 16);
        bytes.extend_from_slice(MAGIC);
        for k in &keys {
            bytes.extend_from_slice(&k.to_le_bytes());
        }
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&bytes)?;
        tmp.persist(&self.file).map_err(|e| e.error)?;
        remove_stale(dir, &self.file);
        Ok(())
    }
}

/// The keys of a cache file; none when it is damaged or of another format.
fn parse(bytes: &[u8]) -> Vec<u128> {
    let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Vec::new();
    };
    if body.len() % 16 != 0 {
        return Vec::new();
    }
    let mut keys: Vec<u128> = body
        .chunks_exact(16)
        .map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes")))
        .collect();
    if !keys.is_sorted() {
        keys.sort_unstable();
    }
    keys
}

/// Removes other cache files in `dir` not modified for [`STALE_AFTER`].
fn remove_stale(dir: &Path, keep: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let path = e.path();
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("clean-") && n.ends_with(".bin"));
        if !ours || path == keep {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::content_hash;

    #[test]
    fn a_saved_cache_knows_what_was_noted_and_only_that() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), 7);
        assert!(!cache.knows_clean(content_hash(b"clean text\n")));
        cache.note_clean(content_hash(b"clean text\n"));
        cache.save().unwrap();
        let cache = Cache::open(dir.path(), 7);
        assert!(cache.knows_clean(content_hash(b"clean text\n")));
        assert!(!cache.knows_clean(content_hash(b"clean text \n")));
        assert_eq!(cache.hits(), 1);
        // Another fingerprint is another cache.
        assert!(!Cache::open(dir.path(), 8).knows_clean(content_hash(b"clean text\n")));
    }

    #[test]
    fn entries_seen_again_and_older_ones_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), 1);
        cache.note_clean(content_hash(b"a"));
        cache.note_clean(content_hash(b"b"));
        cache.save().unwrap();
        let cache = Cache::open(dir.path(), 1);
        assert!(cache.knows_clean(content_hash(b"a")));
        cache.note_clean(content_hash(b"c"));
        cache.save().unwrap();
        let cache = Cache::open(dir.path(), 1);
        for k in [b"a", b"b", b"c"] {
            assert!(cache.knows_clean(content_hash(k)));
        }
    }

    #[test]
    fn a_damaged_cache_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), 3);
        cache.note_clean(content_hash(b"x"));
        let file = cache.path().to_path_buf();
        cache.save().unwrap();
        let mut bytes = fs::read(&file).unwrap();
        bytes.pop();
        fs::write(&file, &bytes).unwrap();
        assert!(!Cache::open(dir.path(), 3).knows_clean(content_hash(b"x")));
        fs::write(&file, b"something else entirely").unwrap();
        assert!(!Cache::open(dir.path(), 3).knows_clean(content_hash(b"x")));
    }
}
