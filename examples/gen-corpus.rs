//! Generates a synthetic archive of exported WeChat-style articles for
//! benchmarks: `cargo run --release --example gen-corpus -- DIR N [SEED]`.
//!
//! Every article has Chinese body paragraphs, images with tracking and
//! entity-mangled queries (some glued into text), links to other articles with
//! share parameters, code blocks, tables, lists and quotes, and the usual junk:
//! export-site chrome, follow prompts, calls to action, copyright notices,
//! END markers, QR-code images and recommended-article tails. Sizes run from
//! 2 KB to 60 KB (about 20 KB on average); about one file in ten uses CRLF.
//! Files are spread over `account-NN/YYYY-MM/` folders. The output depends
//! only on SEED and its index.
//!
//! `--archive` (before DIR) mirrors a real archive of 11,299 exports
//! instead: about 10 KB a file, export-site chrome in nearly every file,
//! and each kind of junk in the share of files where `mdscrub clean
//! --statistics` found it there (whitespace-only lines in 71%, image
//! tracking parameters in 37%, emphasis debris in 43%, glued images in 23%,
//! article share parameters in 43%).

use std::path::PathBuf;

#[path = "../benches/support/synth.rs"]
mod synth;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let archive = args.first().is_some_and(|a| a == "--archive");
    if archive {
        args.remove(0);
    }
    if args.len() < 2 || args.len() > 3 {
        eprintln!("usage: gen-corpus [--archive] DIR N [SEED]");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[0]);
    let n: usize = args[1].parse().unwrap_or_else(|_| {
        eprintln!("N must be a number, not `{}`", args[1]);
        std::process::exit(2);
    });
    let seed: u64 = match args.get(2) {
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("SEED must be a number, not `{s}`");
            std::process::exit(2);
        }),
        None => 42,
    };
    let mut total = 0usize;
    for i in 0..n {
        // File i is the same whatever N is.
        let text = if archive {
            synth::archive_article(seed, i)
        } else {
            synth::article(seed, i, None)
        };
        let folder = dir.join(format!("account-{:02}", i % 10)).join(format!(
            "20{:02}-{:02}",
            18 + i / 3000,
            1 + (i / 250) % 12
        ));
        if let Err(e) = std::fs::create_dir_all(&folder) {
            eprintln!("{}: cannot create folder: {e}", folder.display());
            std::process::exit(1);
        }
        let path = folder.join(format!("{i:06}.md"));
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("{}: cannot write: {e}", path.display());
            std::process::exit(1);
        }
        total += text.len();
    }
    println!(
        "{n} files, {:.1} MB, {:.1} KB on average, in {}",
        total as f64 / 1e6,
        total as f64 / n.max(1) as f64 / 1024.0,
        dir.display()
    );
}
