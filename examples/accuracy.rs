//! Measures mdscrub on a folder of real exports, per exporter: tracking
//! parameters left, boilerplate lines left, prose lines lost, files that a
//! second clean still changes.
//!
//! ```sh
//! cargo run --release --example accuracy -- DIR [--rules rules.toml] [-v]
//! ```
//!
//! `-v` lists every leftover and every lost line, per file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use mdscrub::RuleSet;

mod eval;

fn main() -> ExitCode {
    let mut dir = None;
    let mut rules_path: Option<PathBuf> = None;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rules" => rules_path = args.next().map(PathBuf::from),
            "-v" | "--verbose" => verbose = true,
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: accuracy DIR [--rules rules.toml] [-v]");
        return ExitCode::from(2);
    };
    let rules = match &rules_path {
        Some(p) => RuleSet::load(p),
        None => Ok(RuleSet::default_rules()),
    };
    let rules = match rules {
        Ok(r) => r,
        Err(e) => {
            eprintln!("accuracy: {e}");
            return ExitCode::from(2);
        }
    };
    let files = match eval::corpus_files(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("accuracy: cannot read {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let (evals, by) = eval::evaluate_all(&files, &rules);
    let out = &mut std::io::stdout().lock();
    if verbose {
        for e in &evals {
            let quiet = e.tracking_left.is_empty()
                && e.boilerplate_left.is_empty()
                && e.lost.is_empty()
                && e.idempotent
                && e.error.is_none();
            if quiet {
                continue;
            }
            let _ = writeln!(out, "== {} [{}]", e.name, e.exporter);
            if let Some(err) = &e.error {
                let _ = writeln!(out, "  error: {err}");
            }
            if !e.idempotent {
                let _ = writeln!(out, "  not idempotent");
            }
            for t in &e.tracking_left {
                let _ = writeln!(out, "  tracking: {t}");
            }
            for b in &e.boilerplate_left {
                let _ = writeln!(out, "  boilerplate: {b}");
            }
            for l in &e.lost {
                let _ = writeln!(out, "  LOST: {l}");
            }
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "{}", eval::table(&by));
    ExitCode::SUCCESS
}
