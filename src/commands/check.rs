//! `mdscrub check`: change nothing; report the files that would change, as
//! text, JSON, GitHub annotations, SARIF or an HTML page.

use std::io::{self, Write};

use crate::cli::Format;
use crate::output::{github, html, json, pipe, sarif, text};
use crate::process;
use crate::settings::Settings;
use crate::verdict::Verdict;

pub fn run(settings: &Settings, format: Format) -> anyhow::Result<Verdict> {
    let set = &settings.rules;
    let mut stdout = io::BufWriter::new(pipe::stdout());
    let mut json = json::JsonStream::new()?;
    let mut sarif = match format {
        Format::Sarif => Some(sarif::SarifStream::begin(set)?),
        _ => None,
    };
    let mut page = match format {
        Format::Html => Some(html::HtmlStream::begin(&mut stdout)?),
        _ => None,
    };
    let quiet = settings.quiet;
    let outcome = process::run(settings, &mut |r| match format {
        Format::Text if quiet < 2 => text::check_text(&mut stdout, &r),
        Format::Text => Ok(()),
        Format::Json => json.file(&mut stdout, &r),
        Format::Github => github::check_github(&mut stdout, &r),
        Format::Sarif => sarif.as_mut().map_or(Ok(()), |s| s.file(&r, set)),
        Format::Html => page.as_mut().map_or(Ok(()), |p| p.file(&mut stdout, r)),
    })?;
    match format {
        Format::Json => json.end(&mut stdout, &outcome.summary)?,
        Format::Sarif => {
            if let Some(s) = sarif {
                s.end(&mut stdout, set)?;
            }
        }
        Format::Html => {
            if let Some(p) = page {
                p.end(&mut stdout, &outcome.summary)?;
            }
        }
        _ => {}
    }
    stdout.flush()?;
    drop(stdout);
    outcome.finish(settings, "would change", format == Format::Text)?;
    Ok(outcome.verdict(!settings.exit_zero))
}
