//! `mdscrub diff`: change nothing; print the unified diff of what `clean`
//! would write, a line per file (`--stat`), or the HTML report (`--html`).

use std::io::{self, Write};

use anyhow::Context as _;

use crate::output::{html, patch, pipe};
use crate::process;
use crate::settings::{DiffOutput, Settings};
use crate::verdict::Verdict;

pub fn run(settings: &Settings, out: &DiffOutput) -> anyhow::Result<Verdict> {
    // Colour is decided already; write raw bytes past anstream's filter.
    let mut raw = io::BufWriter::new(pipe::stdout());
    // The HTML report is created before the run and written as files come.
    let mut page = match &out.html {
        Some(path) => {
            let mut w = html::create(path)?;
            let stream = html::HtmlStream::begin(&mut w).with_context(|| cannot_write(path))?;
            Some((w, stream))
        }
        None => None,
    };
    let outcome = process::run(settings, &mut |r| {
        if let (Some((w, stream)), Some(path)) = (page.as_mut(), &out.html) {
            stream
                .file(w, r)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", cannot_write(path))))
        } else if out.stat {
            patch::diff_stat(&mut raw, &r)
        } else {
            patch::diff(&mut raw, &r, out.color)
        }
    });
    let outcome = match (page, &out.html) {
        (Some((mut w, stream)), Some(path)) => {
            let outcome = outcome?;
            match stream.end(&mut w, &outcome.summary) {
                // The reader of standard output is gone: the run still counts.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                r => r.with_context(|| cannot_write(path))?,
            }
            outcome
        }
        _ => outcome?,
    };
    raw.flush()?;
    drop(raw);
    outcome.finish(settings, "would change", false)?;
    Ok(outcome.verdict(out.exit_code && !settings.exit_zero))
}

fn cannot_write(path: &std::path::Path) -> String {
    format!("cannot write the HTML report {}", path.display())
}
