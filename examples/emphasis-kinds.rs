//! What `repair-emphasis` does to a folder of Markdown, by kind.
//! `cargo run --release --example emphasis-kinds -- DIR...`
//!
//! Parses each `.md` file once and counts the rule's decisions
//! (`repair_emphasis::findings`): pairs around nothing removed, emphasis
//! around images only unwrapped, and literal runs of two or more stars left
//! alone, by reason. The rule repairs nothing (bold CommonMark does not
//! open next to CJK punctuation is left as it is), so `repaired` is 0. The
//! last lines count the edits of a clean with this rule alone, all passes.

#[path = "support/files.rs"]
mod support;

use std::collections::BTreeMap;

use mdscrub::document::Document;
use mdscrub::rules::repair_emphasis::{Kept, Verdict, findings};

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: emphasis-kinds DIR...");
        std::process::exit(2);
    }
    let rules = mdscrub::RuleSet::parse(
        "[[rule]]\nid = \"emphasis-debris\"\nkind = \"repair-emphasis\"\ndescription = \"d\"\n",
        "emphasis-kinds.toml",
    )
    .expect("a valid one-rule set");
    let mut kinds: BTreeMap<Verdict, (usize, usize)> = BTreeMap::new();
    let (mut files, mut edits, mut changed) = (0, 0, 0);
    for dir in &dirs {
        for path in support::markdown_files(dir.as_ref()) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                eprintln!("{}: not UTF-8, skipped", path.display());
                continue;
            };
            files += 1;
            let doc = Document::parse(&text);
            for f in findings(&doc) {
                let e = kinds.entry(f.verdict).or_default();
                e.0 += 1;
                e.1 += f.edits.len();
            }
            match mdscrub::clean_text(&text, &rules, true) {
                Ok(c) => {
                    edits += c.hits.len();
                    changed += usize::from(c.output != text);
                }
                Err(e) => eprintln!("{}: {e}", path.display()),
            }
        }
    }
    let count = |v: Verdict| kinds.get(&v).copied().unwrap_or_default();
    println!("{files} files");
    println!("{:<28} {:>6} {:>6}", "kind", "runs", "edits");
    for (name, v) in [
        ("empty (removed)", Verdict::Empty),
        ("image-only (unwrapped)", Verdict::ImageOnly),
    ] {
        let (n, e) = count(v);
        println!("{name:<28} {n:>6} {e:>6}");
    }
    println!("{:<28} {:>6} {:>6}", "repaired", 0, 0);
    let mut alone = 0;
    for (name, k) in [
        ("left alone: between words", Kept::BetweenWords),
        ("left alone: command-like", Kept::CommandLike),
        ("left alone: unpaired", Kept::Unpaired),
        ("left alone: next to text", Kept::NextToText),
    ] {
        let (n, _) = count(Verdict::LeftAlone(k));
        alone += n;
        println!("{name:<28} {n:>6}");
    }
    println!("{:<28} {alone:>6}", "left alone, all");
    println!("clean with this rule alone: {edits} edits in {changed} files");
}
