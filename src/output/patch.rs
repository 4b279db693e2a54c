//! `diff` and `diff --stat`: unified diffs that `git apply` and `patch` take,
//! and a line per file of lines removed and added.

use std::io::{self, Write};
use std::path::Path;

use mdscrub::diff::{line_changes, unified};
use mdscrub::report::FileReport;
use mdscrub::walk::slash_path;

/// A diff header path as git writes it with `core.quotePath` off: as is
/// when it holds no space, control character, quote or backslash (non-ASCII
/// text stays raw UTF-8), else in double quotes with C escapes (octal for
/// other control bytes), which both `git apply` and `patch` read.
fn quote_path(p: &str) -> String {
    let plain = |c: char| (c.is_ascii_graphic() || !c.is_ascii()) && c != '"' && c != '\\';
    if p.chars().all(plain) {
        return p.to_string();
    }
    let mut out = String::from("\"");
    for c in p.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            ' ' => out.push(' '),
            c if plain(c) => out.push(c),
            c => out.push_str(&format!("\\{:03o}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A path for diff headers: relative to the current folder when it is below
/// it, `/`-separated, without `./`.
pub fn diff_path(p: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let p = rel.as_deref().unwrap_or(p);
    match p.to_str() {
        Some(_) => slash_path(p),
        // Bytes that are not UTF-8 written `\xNN`, as everywhere.
        None => mdscrub::report::path_text(mdscrub::walk::without_dot(p)),
    }
}

/// The unified diff of a changed file, `a/` and `b/` prefixed, so that
/// `git apply` reproduces what `clean` writes.
pub fn diff(w: &mut impl Write, r: &FileReport, color: bool) -> io::Result<()> {
    let Some((old, new)) = &r.text else {
        return Ok(());
    };
    let path = diff_path(&r.path);
    let text = unified(
        old,
        new,
        &quote_path(&format!("a/{path}")),
        &quote_path(&format!("b/{path}")),
    );
    if !color {
        return w.write_all(text.as_bytes());
    }
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if style.is_empty() {
            w.write_all(line.as_bytes())?;
        } else {
            let body = line.trim_end_matches(['\n']);
            write!(w, "{style}{body}\x1b[0m")?;
            if line.ends_with('\n') {
                writeln!(w)?;
            }
        }
    }
    Ok(())
}

/// `diff --stat`: a file's lines removed and added and the rules that hit.
pub fn diff_stat(w: &mut impl Write, r: &FileReport) -> io::Result<()> {
    let Some((old, new)) = &r.text else {
        return Ok(());
    };
    let (del, ins) = line_changes(old, new);
    let rules: Vec<String> = r
        .rule_counts()
        .iter()
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect();
    writeln!(
        w,
        "{} | -{del} +{ins} | {}",
        mdscrub::report::path_text(&r.path),
        rules.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::quote_path;

    #[test]
    fn paths_are_quoted_as_git_does_with_raw_utf8() {
        assert_eq!(quote_path("a/docs/x.md"), "a/docs/x.md");
        assert_eq!(quote_path("a/一个/文章.md"), "a/一个/文章.md");
        assert_eq!(quote_path("a/无换行 结尾.md"), "\"a/无换行 结尾.md\"");
        assert_eq!(
            quote_path("a/q\"t\tn\nb\\\u{1}.md"),
            "\"a/q\\\"t\\tn\\nb\\\\\\001.md\""
        );
    }
}
