//! `mdscrub diff`: change nothing; print the unified diff of what `clean`
//! would write, a line per file (`--stat`), or the HTML report (`--html`).

use std::io::{self, Write};

use crate::output::{html, patch, pipe};
use crate::process;
use crate::settings::{DiffOutput, Settings};
use crate::verdict::Verdict;

pub fn run(settings: &Settings, out: &DiffOutput) -> anyhow::Result<Verdict> {
    // Colour is decided already; write raw bytes past anstream's filter.
    let mut raw = io::BufWriter::new(pipe::stdout());
    // The HTML report holds every file's texts; only it keeps reports.
    let mut kept = Vec::new();
    let outcome = process::run(settings, &mut |r| {
        if out.html.is_some() {
            kept.push(r);
            Ok(())
        } else if out.stat {
            patch::diff_stat(&mut raw, &r)
        } else {
            patch::diff(&mut raw, &r, out.color)
        }
    })?;
    if let Some(path) = &out.html {
        match html::write_to(path, &kept, &outcome.summary) {
            // The reader of standard output is gone: the run still counts.
            Err(e) if pipe::is_broken_pipe(&e) => {}
            r => r?,
        }
    }
    raw.flush()?;
    drop(raw);
    outcome.finish(settings, "would change", false)?;
    Ok(Verdict::of(
        &outcome.summary,
        out.exit_code && !settings.exit_zero,
    ))
}
