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
        let keep = if e.keep { " (kept)" } else { "" };
        writeln!(
            w,
            "{:>6} {:>7} {:<4}  {}{keep}  [{}]",
            e.files, e.folders, e.zone, e.text, e.example
        )?;
    }
    writeln!(w, "{:>6} {:>7} {:<4}  image", "files", "folders", "zone")?;
    for e in &l.image {
        let keep = if e.keep { " (kept)" } else { "" };
        writeln!(
            w,
            "{:>6} {:>7} {:<4}  {}{keep}  [{}]",
            e.files, e.folders, e.zone, e.url, e.example
        )?;
    }
    Ok(())
}
