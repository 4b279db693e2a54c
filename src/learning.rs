//! Learning over the files a command names: the walk, the reading and the
//! library's [`mdscrub::learn::learn`], shared by `mdscrub learn` and
//! `--learn`.

use std::path::{Path, PathBuf};

use mdscrub::fsio::{self, Encoding};
use mdscrub::learn::{self, LearnOptions, Learned};
use mdscrub::walk::{self, WalkOptions};

/// Learns from every file below `paths` (excludes and includes as a run
/// takes them, every shard). Files that cannot be read are skipped.
pub fn learn_paths(
    paths: &[PathBuf],
    walk_opts: &WalkOptions,
    max_file_size: u64,
    encoding: Encoding,
    opts: LearnOptions,
) -> (Learned, usize) {
    let walked = walk::walk(
        paths,
        &WalkOptions {
            shard: None,
            ..walk_opts.clone()
        },
    );
    let files: Vec<PathBuf> = walked.targets.iter().map(|t| t.path).collect();
    let n = files.len();
    let cwd = std::env::current_dir().unwrap_or_default();
    let read = |p: &Path| {
        fsio::read_text(p, max_file_size, encoding)
            .ok()
            .map(|i| i.text)
    };
    let name = |p: &Path| {
        let shown = p.strip_prefix(&cwd).unwrap_or(p);
        walk::slash_path(shown)
    };
    (learn::learn(&learn::sources(&files), read, name, opts), n)
}
