//! The `mdscrub` binary: parse flags, resolve them into settings, run the
//! command, and map its verdict to an exit code (0 clean, 1 found, 2 failure).
//!
//! Standard output carries what a command is for (the cleaned text of
//! `clean -`, the check report, the diff); progress and errors go to standard
//! error, and so do the summary and statistics unless standard output is
//! meant for people (`clean` of files, `check --format text`).

mod cli;
mod commands;
mod interrupt;
mod learning;
mod output;
mod process;
mod progress;
mod settings;
mod verdict;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use settings::Job;
use verdict::Verdict;

/// mimalloc (its v2, whose peak resident memory stays lower than v3's): the
/// engine allocates many small strings and vectors per file on every thread
/// (comrak's nodes, texts of blocks, edits), and the system allocator was a
/// sixth of a dirty check's samples. The benchmark floors use it too.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match settings::resolve(cli).and_then(run) {
        Ok(Verdict {
            interrupted: Some(code),
            ..
        }) => ExitCode::from(code),
        Ok(v) if v.failed => ExitCode::from(2),
        Ok(v) if v.found => ExitCode::from(1),
        Ok(_) => ExitCode::from(0),
        Err(e) => {
            let _ = writeln!(anstream::stderr(), "error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(job: Job) -> anyhow::Result<Verdict> {
    match job {
        Job::Clean(s) => commands::clean::run(&s),
        Job::Check(s, format) => commands::check::run(&s, format),
        Job::Diff(s, out) => commands::diff::run(&s, &out),
        Job::Rules(set, view) => commands::rules::run(&set, &view),
        Job::Schema => commands::rules::schema(),
        Job::Learn(s, out) => commands::learn::run(&s, &out),
        Job::Completions(shell) => Ok(commands::completions::run(shell)),
    }
}
