//! How many parses a clean takes per file, with the default rules.
//! `cargo run --release --example pass-count -- DIR`
//!
//! Prints the total and a histogram of parses per file (`Cleaned::passes`),
//! so a change to the fix loop shows how many parses it saved.

#[path = "support/files.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("usage: pass-count DIR");
        std::process::exit(2);
    };
    let files: Vec<PathBuf> = support::markdown_files(dir.as_ref());
    let rules = mdscrub::config::RuleSet::default_rules();
    // (parses, changed, rules of the pass-2 edits)
    let counts: Vec<(usize, bool, Vec<String>)> = files
        .par_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            match mdscrub::clean_text(&text, &rules, true) {
                Ok(c) => {
                    let second = c
                        .hits
                        .iter()
                        .filter(|h| h.pass == 2)
                        .map(|h| h.rule.to_string())
                        .collect();
                    Some((c.passes, c.output != text, second))
                }
                Err(e) => {
                    eprintln!("{}: {e}", p.display());
                    None
                }
            }
        })
        .collect();
    let mut histogram: BTreeMap<usize, usize> = BTreeMap::new();
    for (passes, _, _) in &counts {
        *histogram.entry(*passes).or_default() += 1;
    }
    let total: usize = counts.iter().map(|c| c.0).sum();
    let changed: Vec<usize> = counts.iter().filter(|c| c.1).map(|c| c.0).collect();
    println!(
        "{} files, {total} parses ({:.2} per file); {} changed, {:.2} parses per changed file",
        counts.len(),
        total as f64 / counts.len().max(1) as f64,
        changed.len(),
        changed.iter().sum::<usize>() as f64 / changed.len().max(1) as f64
    );
    for (passes, n) in histogram {
        println!("  {passes} parses: {n} files");
    }
    // What the second parse found: nothing (it only confirmed), or edits of
    // these rules.
    let confirming = counts.iter().filter(|c| c.0 >= 2 && c.2.is_empty()).count();
    let mut second: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &counts {
        let mut seen: Vec<&str> = Vec::new();
        for r in &c.2 {
            let e = second.entry(r).or_default();
            e.1 += 1;
            if !seen.contains(&&**r) {
                seen.push(r);
                e.0 += 1;
            }
        }
    }
    println!("second parse found nothing in {confirming} files; its edits by rule (files, edits):");
    for (rule, (files, edits)) in second {
        println!("  {rule}: {files}, {edits}");
    }
}
