//! `check --format github`: GitHub Actions workflow annotations.

use std::io::{self, Write};

use mdscrub::report::{FileReport, Status};

use super::text::describe;

/// `check --format github`: one workflow annotation per hit of a file.
pub fn check_github(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    let esc_prop = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let esc_msg = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    {
        let file = esc_prop(&mdscrub::report::path_text(&r.path));
        match &r.status {
            Status::Changed => {
                for h in &r.hits {
                    writeln!(
                        w,
                        "::warning file={file},line={},col={},title={}::{}",
                        h.line,
                        h.column,
                        esc_prop(&h.rule),
                        esc_msg(&describe(&h.removed, &h.replacement))
                    )?;
                }
            }
            Status::Failed(why) | Status::Refused(why) => {
                writeln!(w, "::error file={file}::{}", esc_msg(&why.to_string()))?;
            }
            _ => {}
        }
    }
    Ok(())
}
