//! The parse floor: read every Markdown file under DIR and parse it with
//! comrak, with exactly the options mdscrub uses, in parallel with rayon.
//! `cargo run --release --example parse-floor -- DIR [-j N]`
//!
//! No cleaner built on comrak can beat this without skipping parses, so the
//! benchmarks report mdscrub's times as ratios to it.

#[path = "support/files.rs"]
mod support;

use std::path::PathBuf;

use rayon::prelude::*;

// The same allocator as the `mdscrub` binary: the floor is the same work.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, threads) = match args.as_slice() {
        [dir] => (dir, None),
        [dir, j, n] if j == "-j" => (dir, n.parse::<usize>().ok()),
        _ => {
            eprintln!("usage: parse-floor DIR [-j N]");
            std::process::exit(2);
        }
    };
    support::set_threads(threads);
    let files: Vec<PathBuf> = support::markdown_files(dir.as_ref());
    let options = mdscrub::document::parse_options();
    let (bytes, nodes) = files
        .par_iter()
        .map(|p| {
            let text = match std::fs::read_to_string(p) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{}: {e}", p.display());
                    return (0, 0);
                }
            };
            let arena = comrak::Arena::new();
            let root = comrak::parse_document(&arena, &text, &options);
            (text.len(), root.descendants().count())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "{} files, {:.1} MB, {nodes} nodes",
        files.len(),
        bytes as f64 / 1e6
    );
}
