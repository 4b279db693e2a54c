//! The files of a run, held compactly.
//!
//! A run knows every path before it starts (it reports in path order and
//! processes a file reached by several paths once), so what it holds per
//! file is what grows with the archive. A [`Targets`] list keeps, per file,
//! the index of the root it was found under and its path below that root,
//! packed into one string: about 12 bytes plus the relative path, instead of
//! a full path in its own allocation. A [`Target`] is made on demand.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file to process and the root it was found under (for mirror paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub root: Arc<Path>,
}

/// Files to process, in the order they were added until [`Targets::sort`].
#[derive(Debug, Clone, Default)]
pub struct Targets {
    roots: Vec<Arc<Path>>,
    /// For each entry of `roots`: its files were found by a walk that
    /// followed no symlink below the root (see [`Targets::push_walked`]).
    walked: Vec<bool>,
    /// Paths below their roots (UTF-8), one after another.
    names: String,
    /// Whole paths of the files whose path below the root is not UTF-8 or
    /// that are not below their root (rare).
    odd: Vec<PathBuf>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    root: u32,
    /// Byte range in `names`; or, when `len` is [`ODD`], an index in `odd`.
    start: u32,
    len: u32,
}

const ODD: u32 = u32::MAX;

impl Targets {
    pub fn new() -> Targets {
        Targets::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds `path`, found under `root`. Consecutive files of one root share
    /// it.
    pub fn push(&mut self, path: &Path, root: &Arc<Path>) {
        self.push_as(path, root, false)
    }

    /// Adds `path`, a regular file found under `root` by a walk that
    /// followed no symlink below `root`: no component of `path` below
    /// `root` is a link, so its real path is the root's real path joined
    /// with the rest (see [`Targets::below_walked_root`]).
    pub fn push_walked(&mut self, path: &Path, root: &Arc<Path>) {
        self.push_as(path, root, true)
    }

    fn push_as(&mut self, path: &Path, root: &Arc<Path>, walked: bool) {
        let same = self.roots.last().is_some_and(|r| Arc::ptr_eq(r, root))
            && self.walked.last() == Some(&walked);
        if !same {
            self.roots.push(root.clone());
            self.walked.push(walked);
        }
        let root_index = (self.roots.len() - 1) as u32;
        let rel = path.strip_prefix(root).ok().and_then(|r| r.to_str());
        let start = self.names.len();
        let entry = match rel {
            Some(rel)
                if start + rel.len() < ODD as usize
                    && is_plain(rel)
                    && (rel.is_empty() || root.join(rel).as_os_str() == path.as_os_str()) =>
            {
                self.names.push_str(rel);
                Entry {
                    root: root_index,
                    start: start as u32,
                    len: rel.len() as u32,
                }
            }
            _ => {
                self.odd.push(path.to_path_buf());
                Entry {
                    root: root_index,
                    start: (self.odd.len() - 1) as u32,
                    len: ODD,
                }
            }
        };
        self.entries.push(entry);
    }

    /// The roots files were found under (each once per run of files).
    pub fn roots(&self) -> &[Arc<Path>] {
        &self.roots
    }

    /// For a file pushed with [`Targets::push_walked`] strictly below its
    /// root: the index of the root in [`Targets::roots`] and the path below
    /// it. `None` for any other file.
    pub fn below_walked_root(&self, i: usize) -> Option<(usize, &Path)> {
        let e = self.entries[i];
        if e.len == ODD || e.len == 0 || !self.walked[e.root as usize] {
            return None;
        }
        let rel = &self.names[e.start as usize..(e.start + e.len) as usize];
        Some((e.root as usize, Path::new(rel)))
    }

    /// Every file, in order.
    pub fn iter(&self) -> impl Iterator<Item = Target> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The `i`th file.
    pub fn get(&self, i: usize) -> Target {
        let e = self.entries[i];
        Target {
            path: self.path_of(e),
            root: self.roots[e.root as usize].clone(),
        }
    }

    /// The path of the `i`th file.
    pub fn path(&self, i: usize) -> PathBuf {
        self.path_of(self.entries[i])
    }

    fn path_of(&self, e: Entry) -> PathBuf {
        let (head, rel) = self.parts(e);
        if rel.as_os_str().is_empty() {
            head.to_path_buf()
        } else {
            head.join(rel)
        }
    }

    /// The path of an entry in two parts whose components, chained, are the
    /// path's components.
    fn parts(&self, e: Entry) -> (&Path, &Path) {
        if e.len == ODD {
            (&self.odd[e.start as usize], Path::new(""))
        } else {
            let rel = &self.names[e.start as usize..(e.start + e.len) as usize];
            let root = &self.roots[e.root as usize];
            // Files found below `.` are named without `./`.
            if !rel.is_empty() && root.as_os_str() == "." {
                return (Path::new(""), Path::new(rel));
            }
            (root, Path::new(rel))
        }
    }

    /// Compares the paths of files `a` and `b` as [`Path`]s compare, without
    /// building them.
    pub fn cmp_paths(&self, a: usize, b: usize) -> Ordering {
        self.cmp_entries(self.entries[a], self.entries[b])
    }

    fn cmp_entries(&self, a: Entry, b: Entry) -> Ordering {
        if a.root == b.root && a.len != ODD && b.len != ODD {
            // Below one root, plain relative paths compare as their bytes
            // do with `/` below every other byte: component by component.
            let name =
                |e: Entry| &self.names.as_bytes()[e.start as usize..(e.start + e.len) as usize];
            return cmp_plain(name(a), name(b));
        }
        let (ah, ar) = self.parts(a);
        let (bh, br) = self.parts(b);
        ah.components()
            .chain(ar.components())
            .cmp(bh.components().chain(br.components()))
    }

    /// Sorts by path and drops repeated paths (the first stays).
    pub fn sort(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.cmp_entries(*a, *b));
        entries.dedup_by(|a, b| self.cmp_entries(*a, *b) == Ordering::Equal);
        self.entries = entries;
    }

    /// Keeps the files whose path `keep` accepts. The packed names of the
    /// others stay until the list is dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&Path) -> bool) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.retain(|e| keep(&self.path_of(*e)));
        self.entries = entries;
    }

    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.odd.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.roots.shrink_to_fit();
        self.walked.shrink_to_fit();
    }
}

/// True when `rel` is empty or made of names only, one `/` between each:
/// no leading or trailing `/`, no empty, `.` or `..` component. Such paths
/// compare as [`cmp_plain`] says.
fn is_plain(rel: &str) -> bool {
    rel.is_empty()
        || rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Orders two plain relative paths ([`is_plain`]) as [`Path`]s order them:
/// by bytes, with the separator below every other byte, so that a name
/// sorts before its longer namesakes' components (`a/b` before `a-b`).
fn cmp_plain(a: &[u8], b: &[u8]) -> Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => key(a[i]).cmp(&key(b[i])),
        None => a.len().cmp(&b.len()),
    }
}

impl From<&[Target]> for Targets {
    fn from(targets: &[Target]) -> Targets {
        let mut list = Targets::new();
        for t in targets {
            list.push(&t.path, &t.root);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Plain relative paths compare by [`cmp_plain`] as [`Path`]s do.
        #[test]
        fn plain_paths_compare_as_paths_do(
            a in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "a-b", "a.b", "网", "A", "~", " "]), 1..4),
            b in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "a-b", "a.b", "网", "A", "~", " "]), 1..4),
        ) {
            let (a, b) = (a.join("/"), b.join("/"));
            proptest::prop_assert!(is_plain(&a) && is_plain(&b));
            proptest::prop_assert_eq!(
                cmp_plain(a.as_bytes(), b.as_bytes()),
                Path::new(&a).cmp(Path::new(&b))
            );
        }
    }

    #[test]
    fn paths_with_odd_components_are_not_plain() {
        for rel in ["./a", "a/./b", "a//b", "a/", "/a", "a/..", ".."] {
            assert!(!is_plain(rel), "{rel}");
        }
        assert!(is_plain("") && is_plain("a/b.md") && is_plain(".hidden/x"));
    }

    fn root(p: &str) -> Arc<Path> {
        Path::new(p).into()
    }

    #[test]
    fn files_below_the_current_folder_are_named_without_dot() {
        let dot = root(".");
        let mut list = Targets::new();
        list.push_walked(Path::new("./b/c.md"), &dot);
        list.push(Path::new("a.md"), &root("a.md"));
        list.sort();
        let paths: Vec<PathBuf> = list.iter().map(|t| t.path).collect();
        assert_eq!(paths, [PathBuf::from("a.md"), PathBuf::from("b/c.md")]);
        assert_eq!(list.get(1).root.as_os_str(), ".");
        assert_eq!(list.below_walked_root(1), Some((0, Path::new("b/c.md"))));
    }

    #[test]
    fn files_come_back_as_they_went_in() {
        let a = root("archive");
        let f = root("notes/x.md");
        let mut list = Targets::new();
        list.push(Path::new("archive/2024/b.md"), &a);
        list.push(Path::new("notes/x.md"), &f);
        list.push(Path::new("elsewhere/c.md"), &a);
        assert_eq!(list.len(), 3);
        assert_eq!(
            list.get(0),
            Target {
                path: "archive/2024/b.md".into(),
                root: a.clone()
            }
        );
        assert_eq!(list.path(1), Path::new("notes/x.md"));
        assert!(Arc::ptr_eq(&list.get(1).root, &f));
        // Not below its root: kept whole.
        assert_eq!(list.path(2), Path::new("elsewhere/c.md"));
    }

    #[test]
    fn sorting_orders_as_paths_do_and_drops_repeats() {
        let paths = [
            "b/a.md", "a.md", "a/z.md", "a/b/c.md", "a-b.md", "a/z.md", "./a/y.md", "b/a.md",
        ];
        let mut list = Targets::new();
        let roots: Vec<Arc<Path>> = ["b", ".", "a", "a"].iter().map(|r| root(r)).collect();
        for (i, p) in paths.iter().enumerate() {
            let r = &roots[i % roots.len()];
            list.push(Path::new(p), r);
        }
        list.sort();
        let got: Vec<PathBuf> = (0..list.len()).map(|i| list.path(i)).collect();
        let mut want: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        want.sort();
        want.dedup();
        assert_eq!(got, want);
        for i in 1..list.len() {
            assert_eq!(list.cmp_paths(i - 1, i), Ordering::Less);
        }
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_are_kept_whole() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let r = root("d");
        let odd = Path::new("d").join(OsStr::from_bytes(b"\xff.md"));
        let mut list = Targets::new();
        list.push(&odd, &r);
        list.push(Path::new("d/a.md"), &r);
        list.sort();
        assert_eq!(list.path(0), Path::new("d/a.md"));
        assert_eq!(list.path(1), odd);
    }

    #[test]
    fn retain_keeps_what_the_test_accepts() {
        let r = root("d");
        let mut list = Targets::new();
        for n in 0..10 {
            list.push(&Path::new("d").join(format!("{n}.md")), &r);
        }
        list.retain(|p| p.to_string_lossy().ends_with("3.md"));
        assert_eq!(list.len(), 1);
        assert_eq!(list.path(0), Path::new("d/3.md"));
    }
}
