//! The write floor: rewrite every Markdown file under DIR with its own bytes
//! the way `mdscrub clean` writes a changed file, and nothing else: read it,
//! write a temporary file beside it, sync the temporary files in batches of
//! 64 (one `syncfs` per batch on Linux, an `fsync` per file elsewhere),
//! rename each over its file, sync the folders at the end. No parse, no
//! rules, no last look before the rename. In parallel with rayon.
//! `cargo run --release --example write-floor -- DIR [-j N] [--no-sync]`
//!
//! A tool that replaces files atomically and durably cannot be faster than
//! this on the same disk; the benchmarks set `mdscrub clean` against it and
//! against the parse floor.

#[path = "support/files.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

// The same allocator as the `mdscrub` binary: the floor is the same work.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 64;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let sync = match args.iter().position(|a| a == "--no-sync") {
        Some(i) => {
            args.remove(i);
            false
        }
        None => true,
    };
    let (dir, threads) = match args.as_slice() {
        [dir] => (dir.clone(), None),
        [dir, j, n] if j == "-j" => (dir.clone(), n.parse::<usize>().ok()),
        _ => {
            eprintln!("usage: write-floor DIR [-j N] [--no-sync]");
            std::process::exit(2);
        }
    };
    support::set_threads(threads);
    let files: Vec<PathBuf> = support::markdown_files(std::path::Path::new(&dir));
    // Batches in parallel: each stages its files, syncs once, renames.
    let folders: BTreeSet<PathBuf> = files
        .par_chunks(BATCH)
        .map(|batch| {
            let staged: Vec<(tempfile::NamedTempFile, &Path)> = batch
                .iter()
                .filter_map(|p| match stage(p) {
                    Ok(t) => Some((t, p.as_path())),
                    Err(e) => {
                        eprintln!("{}: {e}", p.display());
                        None
                    }
                })
                .collect();
            if sync && let Some((first, _)) = staged.first() {
                sync_batch(first, &staged);
            }
            let mut folders = BTreeSet::new();
            for (tmp, path) in staged {
                match tmp.persist(path) {
                    Ok(_) => {
                        folders.insert(path.parent().unwrap_or(Path::new(".")).to_path_buf());
                    }
                    Err(e) => eprintln!("{}: {}", path.display(), e.error),
                }
            }
            folders
        })
        .reduce(BTreeSet::new, |mut a, b| {
            a.extend(b);
            a
        });
    if sync {
        folders.par_iter().for_each(|d| {
            if let Ok(f) = std::fs::File::open(d) {
                let _ = f.sync_all();
            }
        });
    }
    println!("{} files rewritten", files.len());
}

/// Writes `path`'s bytes to a temporary file beside it, with its mode.
fn stage(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let bytes = std::fs::read(path)?;
    let meta = std::fs::metadata(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".write-floor-")
        .tempfile_in(dir)?;
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.write_all(&bytes)?;
    Ok(tmp)
}

#[cfg(target_os = "linux")]
fn sync_batch(first: &tempfile::NamedTempFile, _all: &[(tempfile::NamedTempFile, &Path)]) {
    // All files of a batch are under one folder tree on one file system.
    let _ = rustix::fs::syncfs(first.as_file());
}

#[cfg(not(target_os = "linux"))]
fn sync_batch(_first: &tempfile::NamedTempFile, all: &[(tempfile::NamedTempFile, &Path)]) {
    for (tmp, _) in all {
        let _ = tmp.as_file().sync_all();
    }
}
