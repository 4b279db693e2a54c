//! `mdscrub learn`: learn the boilerplate that recurs across the files, and
//! write it (updating an existing learned file without losing a person's
//! edits) or print it.

use std::io::{self, Write};
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::learning;
use crate::output::learned;
use crate::settings::{Input, LearnOutput, Settings};
use crate::verdict::Verdict;

pub fn run(settings: &Settings, out: &LearnOutput) -> anyhow::Result<Verdict> {
    let started = Instant::now();
    let Input::Paths { paths, jobs, .. } = &settings.input else {
        bail!("learn reads files, not standard input");
    };
    crate::process::set_threads(*jobs)?;
    let (new, files) = learning::learn_paths(
        paths,
        &settings.walk_options().unwrap_or_default(),
        settings.run.max_file_size,
        settings.run.encoding,
        out.opts,
    );
    let existing = if out.file.is_file() {
        mdscrub::learn::Learned::load(&out.file).map_err(anyhow::Error::msg)?
    } else {
        Default::default()
    };
    let before = existing.clone();
    let updated = existing.updated_by(new);
    if out.print {
        let mut stdout = crate::output::pipe::stdout();
        stdout.write_all(updated.to_toml().as_bytes())?;
        stdout.flush()?;
    } else {
        write_atomic(&out.file, updated.to_toml().as_bytes())
            .with_context(|| format!("cannot write {}", out.file.display()))?;
    }
    if settings.quiet == 0 {
        let mut err = anstream::stderr().lock();
        if settings.verbose {
            learned::entries(&mut err, &updated)?;
        }
        learned::summary(
            &mut err,
            &before,
            &updated,
            files,
            (!out.print).then_some(out.file.as_path()),
            started.elapsed(),
        )?;
    }
    Ok(Verdict::default())
}

/// Replaces `path` with `bytes` through a temporary file in its folder.
fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
