//! The Markdown files under a folder, for the measuring examples.

use std::path::{Path, PathBuf};

/// Every `.md` and `.markdown` file under `dir`, in walk order.
pub fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md" | "markdown")
            )
        })
        .collect()
}

/// Sizes rayon's global pool when `-j N` was given.
#[allow(dead_code)]
pub fn set_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .expect("the global pool is built once");
    }
}
