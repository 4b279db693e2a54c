//! `mdscrub clean`: clean files in place or into a mirror folder; with `-`,
//! standard input to standard output.

use std::io::Write;

use crate::output::pipe;
use crate::process;
use crate::settings::Settings;
use crate::verdict::Verdict;

pub fn run(settings: &Settings) -> anyhow::Result<Verdict> {
    let outcome = process::run(settings, &mut |_| Ok(()))?;
    if let Some(text) = &outcome.stdin_output {
        let mut stdout = pipe::stdout();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
    }
    // The summary goes to standard output unless that holds the cleaned text.
    let to_stdout = !settings.input.is_stdin();
    outcome.finish(settings, "changed", to_stdout)?;
    Ok(outcome.verdict(false))
}
