//! The report of `mdscrub learn`: what was learned, with its evidence.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use mdscrub::learn::Learned;

/// One line: how much was learned, from how many files, and where it went.
pub fn summary(
    w: &mut impl Write,
    before: &Learned,
    after: &Learned,
    files: usize,
    written: Option<&Path>,
    took: Duration,
) -> io::Result<()> {
    let kept = after.text.iter().filter(|e| e.keep).count()
        + after.image.iter().filter(|e| e.keep).count();
    let new_text = after.text.len().saturating_sub(before.text.len());
    let new_images = after.image.len().saturating_sub(before.image.len());
    write!(
        w,
        "learned {} lines and {} images from {files} files ({new_text} lines and {new_images} images new, {kept} kept by hand)",
        after.text.len(),
        after.image.len(),
    )?;
    if let Some(p) = written {
        write!(w, "; wrote {}", p.display())?;
    }
    writeln!(w, " in {:.2}s", took.as_secs_f64())
}

/// Every entry with its evidence: files, folders, zone and where it was
/// first seen.
pub fn entries(w: &mut impl Write, l: &Learned) -> io::Result<()> {
    writeln!(w, "{:>6} {:>7} {:<4}  line", "files", "folders", "zone")?;
    for e in &l.text {
        entry(
            w,
            (e.files, e.folders, &e.zone, &e.text, e.keep, &e.example),
        )?;
    }
    writeln!(w, "{:>6} {:>7} {:<4}  image", "files", "folders", "zone")?;
    for e in &l.image {
        entry(w, (e.files, e.folders, &e.zone, &e.url, e.keep, &e.example))?;
    }
    Ok(())
}

/// One entry: its counts, zone, what it is, and where it was first seen.
fn entry(
    w: &mut impl Write,
    (files, folders, zone, what, keep, example): (u32, u32, &str, &str, bool, &str),
) -> io::Result<()> {
    let keep = if keep { " (kept)" } else { "" };
    writeln!(
        w,
        "{files:>6} {folders:>7} {zone:<4}  {what}{keep}  [{example}]"
    )
}
