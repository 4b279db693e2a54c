//! Which files a run processes: explicit files as given, and every
//! `*.md` / `*.markdown` below given folders (hidden folders and `.git`
//! skipped, symlinks not followed). Sorted and without duplicates.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::engine::Target;
use crate::report::FileReport;

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

/// Expands paths into targets; paths that cannot be walked become failures.
pub fn targets(paths: &[PathBuf]) -> (Vec<Target>, Vec<FileReport>) {
    let mut targets = Vec::new();
    let mut failures = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                failures.push(FileReport::failed(
                    root.clone(),
                    format!("cannot open: {e}"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            targets.push(Target {
                path: root.clone(),
                root: root.clone(),
            });
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !(e.file_type().is_dir() && is_hidden(e.file_name()))
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && is_markdown(e.path()) => targets.push(Target {
                    path: e.into_path(),
                    root: root.clone(),
                }),
                Ok(_) => {}
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    failures.push(FileReport::failed(path, format!("cannot read folder: {e}")));
                }
            }
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, failures)
}
