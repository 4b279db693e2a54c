//! Symlinks and second paths to one file, resolved before a run reads
//! anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fsio::mirror_path;
use crate::report::{FileReport, Status};
use crate::targets::Targets;

/// Drops symlinks that lead outside the run's roots (reported as skipped) and
/// second paths to one file. A path given on its own (its own root) is
/// followed wherever it leads: the user named it. Returns the indices of the
/// targets to process, sorted by path (indices, not copies, and hashes of
/// the real paths, not the paths: what a run holds per file stays small).
/// With `folders`, the real folder of every file kept is added to it.
pub(super) fn resolve_links(
    targets: &Targets,
    mut folders: Option<&mut BTreeSet<PathBuf>>,
) -> (Vec<u32>, Vec<FileReport>) {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let real = RealPaths::new(targets);
    let roots: BTreeSet<&Path> = real.roots.iter().map(PathBuf::as_path).collect();
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    // (hash of the real path, link flag | index) of every target not left
    // alone: sorted, the paths to one file come together, plain paths first.
    // A 32-bit hash keeps this small; paths whose hashes collide are told
    // apart below.
    const LINK: u32 = 1 << 31;
    let mut found: Vec<(u32, u32)> = Vec::with_capacity(targets.len());
    let mut skipped = Vec::new();
    for i in 0..targets.len() {
        let (link, path) = real.of(targets, i);
        if link {
            let t = targets.get(i);
            if t.path != *t.root && !roots.iter().any(|r| path.starts_with(r)) {
                let mut r = FileReport::new(t.path.clone());
                r.status = Status::Skipped(format!(
                    "symlink to {}, which is outside the given paths; left alone",
                    crate::report::path_text(&path)
                ));
                skipped.push(r);
                continue;
            }
        }
        // Paths to one file share its folder: adding it for each is enough.
        if let Some(folders) = folders.as_deref_mut()
            && let Some(dir) = path.parent()
        {
            folders.insert(dir.to_path_buf());
        }
        let hash = hasher.hash_one(&path) as u32;
        found.push((hash, i as u32 | if link { LINK } else { 0 }));
    }
    found.sort_unstable();
    let mut kept: Vec<u32> = Vec::with_capacity(found.len());
    for run in found.chunk_by(|a, b| a.0 == b.0) {
        if let [(_, i)] = run {
            kept.push(i & !LINK);
            continue;
        }
        // Equal hashes: one file, or (rarely) different files.
        let mut reals: Vec<PathBuf> = Vec::new();
        for (_, i) in run {
            let (_, path) = real.of(targets, (i & !LINK) as usize);
            if !reals.contains(&path) {
                reals.push(path);
                kept.push(i & !LINK);
            }
        }
    }
    drop(found);
    kept.sort_by(|&a, &b| targets.cmp_paths(a as usize, b as usize));
    (kept, skipped)
}

/// Real paths of the files of a run: the real path of each root, resolved
/// once, and the files' own paths resolved only where they may hold a link.
struct RealPaths {
    /// The real path of each of [`Targets::roots`] (itself when it cannot be
    /// resolved).
    roots: Vec<PathBuf>,
}

impl RealPaths {
    fn new(targets: &Targets) -> RealPaths {
        RealPaths {
            roots: targets.roots().iter().map(|r| canonical(r)).collect(),
        }
    }

    /// Whether the `i`th file's path is a symlink, and its real path. A
    /// file that a walk found below its root without following links is no
    /// link, and its real path is its root's joined with the rest: no
    /// system call per file.
    fn of(&self, targets: &Targets, i: usize) -> (bool, PathBuf) {
        match targets.below_walked_root(i) {
            Some((root, rel)) => (false, self.roots[root].join(rel)),
            None => {
                let path = targets.path(i);
                let link =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                (link, canonical(&path))
            }
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The folders the mirror copies of the files `kept` go into.
pub(super) fn mirror_folders(targets: &Targets, kept: &[u32], out: &Path) -> BTreeSet<PathBuf> {
    kept.iter()
        .map(|&i| targets.get(i as usize))
        .filter_map(|t| {
            mirror_path(&t.root, &t.path, out)
                .parent()
                .map(Path::to_path_buf)
        })
        .collect()
}
