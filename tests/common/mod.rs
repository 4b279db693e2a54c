//! Helpers shared by the integration tests.
//!
//! Each test file includes this module and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// True when the tests run under CI: the `CI` variable is set, as CI
/// services and `.ci/run` set it. `CI=false`, `CI=0` and an empty value
/// count as unset (the same reading as insta's).
pub fn in_ci() -> bool {
    match std::env::var_os("CI") {
        None => false,
        Some(v) => !matches!(v.to_str(), Some("" | "0" | "false")),
    }
}

/// Whether a test can go on with something it needs from outside the
/// repository: the shared corpus, a sample, the CommonMark spec text,
/// Chromium, git. `found` says whether it is there.
///
/// When it is missing, under CI this panics, so that a test never passes in
/// CI without having run; locally it prints a note on stderr and returns
/// false, and the test returns early. `what` names the missing thing and how
/// to provide it.
pub fn require_or_skip(what: &str, found: bool) -> bool {
    if found {
        return true;
    }
    assert!(
        !in_ci(),
        "missing under CI: {what} (a test that needs it must not skip in CI)"
    );
    eprintln!("note: test skipped: missing {what}");
    false
}

/// The folder of shared data beside the crate: `../shared/` (with
/// `corpus/`, `samples/` and `eval/`), or the folder `MDSCRUB_SHARED_DIR`
/// names.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("MDSCRUB_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// Rules of every kind that can apply to any text but match nothing: the
/// texts are parsed and every rule looks, yet nothing may change.
pub const RULES_THAT_MATCH_NOTHING: &str = r#"
[[rule]]
id = "no-entities"
kind = "repair-entity-query"
description = "real entities only"
entities = ["amp", "lt", "gt", "quot", "apos", "nbsp", "from", "wx", "tp", "wxfrom", "retryload"]

[[rule]]
id = "no-params"
kind = "strip-query"
description = "a parameter no URL has"
hosts = ["*"]
remove = ["no-such-parameter-anywhere"]

[[rule]]
id = "no-blocks"
kind = "drop-block"
description = "a block no text has"
pattern = '^\x{1}$'

[[rule]]
id = "no-lines"
kind = "drop-line"
description = "a line no text has"
pattern = '^\x{1}$'

[[rule]]
id = "no-tail"
kind = "drop-tail"
description = "a header no text has"
start = '^\x{1}$'

[[rule]]
id = "no-images"
kind = "drop-image"
description = "an image no text has"
url = '^\x{1}$'

[[rule]]
id = "tidy"
kind = "tidy"
description = "only next to edits, and there are none"
"#;

/// Adds the files below `dir` (walked recursively; an unreadable folder is
/// passed over) that `keep` accepts to `out`.
pub fn files_below(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_below(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}
