//! Which files a run processes: explicit files as given, and every
//! `*.md` / `*.markdown` below given folders (hidden folders and `.git`
//! skipped, symlinks not followed, paths that `.gitignore`, `.ignore` or
//! `.mdscrubignore` files ignore left out), less excluded paths, plus
//! `include`d ones, limited to one shard when asked. Sorted and without
//! duplicates; paths as given, without a leading `./`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::report::{FileError, FileReport, Status};
use crate::targets::Targets;

/// True for file names mdscrub cleans when it finds them in a folder.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// A set of path globs. A glob matches a path when it matches the path as
/// given (without a leading `./`), its path below the folder it was found
/// in, its path below the glob's base folder (for globs of a rules file: the
/// file's folder), or its file name; `*` also crosses `/`.
#[derive(Debug, Clone, Default)]
pub struct Globs {
    set: Option<GlobSet>,
    /// More globs, matched also against paths below a base folder.
    based: Vec<(GlobSet, PathBuf)>,
    /// The current folder, for turning relative paths into absolute ones.
    cwd: Option<PathBuf>,
}

impl Globs {
    /// Compiles globs; an invalid glob is an error naming it.
    pub fn new(globs: &[String]) -> Result<Globs, String> {
        if globs.is_empty() {
            return Ok(Globs::default());
        }
        let mut b = GlobSetBuilder::new();
        for g in globs {
            let g = g.trim_start_matches("./").trim_end_matches('/');
            b.add(Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
        }
        let set = b.build().map_err(|e| format!("invalid globs: {e}"))?;
        Ok(Globs {
            set: Some(set),
            ..Globs::default()
        })
    }

    /// Adds globs that also match paths relative to `base` (an absolute
    /// folder); relative paths are taken from the current folder.
    pub fn with_base(mut self, globs: &[String], base: &Path) -> Result<Globs, String> {
        if let Some(set) = Globs::new(globs)?.set {
            self.based.push((set, base.to_path_buf()));
            self.cwd = std::env::current_dir().ok();
        }
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_none() && self.based.is_empty()
    }

    /// True when a glob matches `path` (found under `root`).
    pub fn matches(&self, path: &Path, root: &Path) -> bool {
        if let Some(set) = &self.set
            && matches_set(set, path, root)
        {
            return true;
        }
        if self.based.is_empty() {
            return false;
        }
        let abs = self
            .cwd
            .as_ref()
            .map_or_else(|| path.to_path_buf(), |cwd| cwd.join(path));
        let abs: PathBuf = abs
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        self.based.iter().any(|(set, base)| {
            matches_set(set, path, root)
                || abs
                    .strip_prefix(base)
                    .is_ok_and(|rel| !rel.as_os_str().is_empty() && set.is_match(slash_path(rel)))
        })
    }

    /// True when `path` or any folder above it (as written) matches.
    pub fn matches_any_ancestor(&self, path: &Path) -> bool {
        if self.is_empty() {
            return false;
        }
        path.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| self.matches(a, Path::new("")))
    }
}

fn matches_set(set: &GlobSet, path: &Path, root: &Path) -> bool {
    if set.is_match(slash_path(path)) {
        return true;
    }
    if let Ok(rel) = path.strip_prefix(root)
        && !rel.as_os_str().is_empty()
        && set.is_match(slash_path(rel))
    {
        return true;
    }
    path.file_name().is_some_and(|n| set.is_match(n))
}

/// A path written with `/` and without leading `./`.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => c.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    if parts.len() == 1 && parts[0].is_empty() {
        return "/".into();
    }
    parts.join("/")
}

/// One part of a split run: files whose path hashes to `index` (1-based) of
/// `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with 1 ≤ K ≤ N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: expected K/N with 1 ≤ K ≤ N, as in 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// True when `path` belongs to this shard. The hash of the path as
    /// written with `/` (FNV-1a, 64 bits, then the MurmurHash3 finaliser so
    /// that every bit depends on every byte) is the same on every machine
    /// and run.
    pub fn contains(&self, path: &Path) -> bool {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in slash_path(path).bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        h % self.count == self.index - 1
    }
}

/// The name of mdscrub's own ignore files (gitignore syntax), read in every
/// walked folder and the folders above it, in a git repository or not.
pub const IGNORE_FILE: &str = ".mdscrubignore";

/// How paths are expanded into targets.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Paths never walked into or processed.
    pub exclude: Globs,
    /// Files taken from folders besides `*.md` / `*.markdown`.
    pub include: Globs,
    /// Apply `exclude` to explicit file arguments too.
    pub force_exclude: bool,
    /// Keep only this shard's files.
    pub shard: Option<Shard>,
    /// Leave out what ignore files ignore: `.gitignore` (inside a git
    /// repository, with `.git/info/exclude` and git's global excludes file),
    /// `.ignore` and [`IGNORE_FILE`] (anywhere), in the walked folders and
    /// the folders above them. Paths named explicitly are always taken.
    pub ignore_files: bool,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            exclude: Globs::default(),
            include: Globs::default(),
            force_exclude: false,
            shard: None,
            ignore_files: true,
        }
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    pub targets: Targets,
    /// Paths that could not be opened or walked, and paths named on the
    /// command line that are not regular files or folders (fifos, devices,
    /// sockets: skipped).
    pub failures: Vec<FileReport>,
    /// Files and folders left out by `exclude`.
    pub excluded: usize,
    /// Files left to other shards.
    pub other_shards: usize,
    /// Problems that left no file out, such as a bad line in an ignore file
    /// (the rest of the file still applies).
    pub warnings: Vec<String>,
    /// What a reader may not expect, shown with `-v`: a folder named on the
    /// command line like a Markdown file is walked into.
    pub notes: Vec<String>,
}

/// `path` without leading `./` components (`.` itself, or `./`, is `.`).
pub fn without_dot(path: &Path) -> &Path {
    let mut rest = path;
    while let Ok(r) = rest.strip_prefix(".") {
        if r.as_os_str().is_empty() {
            return Path::new(".");
        }
        rest = r;
    }
    rest
}

/// Expands paths into targets with ignore files, excludes, includes and a
/// shard.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> Walked {
    let mut out = Walked::default();
    for root in paths {
        let root = without_dot(root).to_path_buf();
        let meta = match std::fs::metadata(&root) {
            Ok(m) => m,
            Err(e) => {
                out.failures
                    .push(FileReport::failed(root, FileError::Open(e.into())));
                continue;
            }
        };
        if !meta.is_file() && !meta.is_dir() {
            // A fifo, device or socket named on the command line: reading it
            // could block or never end.
            if !(opts.force_exclude && opts.exclude.matches_any_ancestor(&root)) {
                let mut r = FileReport::new(root);
                r.status = Status::Skipped(format!(
                    "not a regular file ({}); left alone",
                    file_kind(&meta)
                ));
                out.failures.push(r);
            } else {
                out.excluded += 1;
            }
            continue;
        }
        if meta.is_file() {
            if opts.force_exclude && opts.exclude.matches_any_ancestor(&root) {
                out.excluded += 1;
            } else {
                out.targets.push(&root, &root.as_path().into());
            }
            continue;
        }
        if opts.force_exclude && opts.exclude.matches_any_ancestor(&root) {
            out.excluded += 1;
            continue;
        }
        if is_markdown(&root) {
            out.notes.push(format!(
                "{} is a folder, not a file: the Markdown files below it are processed",
                crate::report::path_text(&root)
            ));
        }
        walk_folder(&root, opts, &mut out);
    }
    out.targets.sort();
    if let Some(shard) = opts.shard {
        let before = out.targets.len();
        out.targets.retain(|p| shard.contains(p));
        out.other_shards = before - out.targets.len();
    }
    out.targets.shrink_to_fit();
    out
}

/// Adds the files below the folder `root` to `out`.
fn walk_folder(root: &Path, opts: &WalkOptions, out: &mut Walked) {
    let excluded = Arc::new(AtomicUsize::new(0));
    let shared_root: Arc<Path> = root.into();
    let on = opts.ignore_files;
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .follow_links(false)
        .hidden(false)
        .parents(on)
        .ignore(on)
        .git_ignore(on)
        .git_global(on)
        .git_exclude(on)
        .require_git(true);
    if on {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    {
        let exclude = opts.exclude.clone();
        let excluded = excluded.clone();
        let base = root.to_path_buf();
        builder.filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            if e.file_type().is_some_and(|t| t.is_dir()) && is_hidden(e.file_name()) {
                return false;
            }
            if exclude.matches(e.path(), &base) {
                excluded.fetch_add(1, Ordering::Relaxed);
                return false;
            }
            true
        });
    }
    for entry in builder.build() {
        match entry {
            Ok(e)
                if e.file_type().is_some_and(|t| t.is_file())
                    && (is_markdown(e.path()) || opts.include.matches(e.path(), root)) =>
            {
                out.targets.push_walked(e.path(), &shared_root)
            }
            Ok(_) => {}
            Err(e) if e.io_error().is_some() => {
                let path = error_path(&e).unwrap_or(root).to_path_buf();
                out.failures
                    .push(FileReport::failed(path, FileError::Folder(e.into())));
            }
            Err(e) => out.warnings.push(e.to_string()),
        }
    }
    out.excluded += excluded.load(Ordering::Relaxed);
}

/// What kind of file that is not a regular file or a folder `meta` is.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a fifo";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    let _ = meta;
    "a special file"
}

/// The path an error of a walk is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_path_relative_path_or_name() {
        let g = Globs::new(&["drafts".into(), "archive/2019/*".into(), "*.tmp.md".into()]).unwrap();
        let root = Path::new("site");
        assert!(g.matches(Path::new("site/drafts"), root));
        assert!(g.matches(Path::new("site/archive/2019/a.md"), root));
        assert!(g.matches(Path::new("./site/x/b.tmp.md"), root));
        assert!(!g.matches(Path::new("site/archive/2020/a.md"), root));
        assert!(g.matches_any_ancestor(Path::new("site/drafts/a.md")));
        assert!(!g.matches_any_ancestor(Path::new("site/final/a.md")));
    }

    #[test]
    fn invalid_glob_is_an_error() {
        assert!(Globs::new(&["a[".into()]).unwrap_err().contains("a["));
    }

    #[test]
    fn shards_split_every_path_exactly_once() {
        let paths: Vec<PathBuf> = (0..200)
            .map(|i| PathBuf::from(format!("d/{i}.md")))
            .collect();
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let mut sizes = [0; 3];
        for p in &paths {
            let owners: Vec<usize> = (0..3).filter(|&i| shards[i].contains(p)).collect();
            assert_eq!(owners.len(), 1, "{p:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 40), "{sizes:?}");
        // Powers of two too: not an exact split by byte parity.
        let half: Shard = "1/2".parse().unwrap();
        let owned: Vec<bool> = (0..3000)
            .map(|i| half.contains(Path::new(&format!("f{i:04}.md"))))
            .collect();
        let n = owned.iter().filter(|&&o| o).count();
        assert!((1350..1650).contains(&n), "{n}");
        let alike = owned.windows(2).filter(|w| w[0] == w[1]).count();
        assert!((1200..1800).contains(&alike), "neighbours alike: {alike}");
        // `./` and the path as written with `/` hash alike.
        assert_eq!(
            shards[0].contains(Path::new("./d/1.md")),
            shards[0].contains(Path::new("d/1.md"))
        );
    }

    #[test]
    fn bad_shards_are_refused() {
        for s in ["0/3", "4/3", "1/0", "x", "1/x"] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
        assert_eq!(
            "2/5".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 5 }
        );
    }
}
