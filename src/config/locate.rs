//! Where in a rules file an error is: the line of the key or table an error
//! message names, so that errors point at the bad key rather than at the
//! `[[rule]]` it sits in.

/// The line (1-based) of the first name quoted in backticks in `message`
/// that is a key of the rule starting at line `rule` (or, without a rule, a
/// top-level key or a `[preset.NAME]` table) in `text`.
pub(crate) fn line_of_message(text: &str, rule: Option<usize>, message: &str) -> Option<usize> {
    quoted_names(message).find_map(|name| match rule {
        Some(line) => rule_key_line(text, line, name),
        None => top_key_line(text, name).or_else(|| preset_line(text, name)),
    })
}

/// The names quoted in backticks in `message`, in order.
fn quoted_names(message: &str) -> impl Iterator<Item = &str> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|n| !n.is_empty())
}

/// True when `line` sets `key` (`key = …`, `"key" = …` or `'key' = …`).
fn sets_key(line: &str, key: &str) -> bool {
    let l = line.trim_start();
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .any(|k| {
            l.strip_prefix(k.as_str())
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// The line of `key` among the keys of the rule whose `[[rule]]` is on
/// line `rule`: up to the next table header.
fn rule_key_line(text: &str, rule: usize, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(rule)
        .take_while(|(_, l)| !is_header(l))
        .find(|(_, l)| sets_key(l, key))
        .map(|(i, _)| i + 1)
}

/// The line of a top-level `key`: before the first table header.
pub(crate) fn top_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !is_header(l))
        .find(|(_, l)| sets_key(l, key))
        .map(|(i, _)| i + 1)
}

/// The line of the `[preset.NAME]` table.
fn preset_line(text: &str, name: &str) -> Option<usize> {
    let headers = [
        format!("[preset.{name}]"),
        format!("[preset.\"{name}\"]"),
        format!("[preset.'{name}']"),
    ];
    text.lines()
        .position(|l| headers.iter().any(|h| l.trim() == h))
        .map(|i| i + 1)
}

/// The line holding `value` as a quoted string, else `None`.
pub(crate) fn string_line(text: &str, value: &str) -> Option<usize> {
    let quoted = [format!("\"{value}\""), format!("'{value}'")];
    text.lines()
        .position(|l| quoted.iter().any(|q| l.contains(q.as_str())))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "max-removed = 3\npresets = [\"x\"]\n\n[preset.web]\nif-matches = \"(\"\n\n[[rule]]\nid = \"a\"\nkind = \"drop-block\"\npattern = \"(\"\n\n[[rule]]\nid = \"b\"\npattern = \"ok\"\n";

    #[test]
    fn errors_point_at_the_key_they_name() {
        assert_eq!(
            line_of_message(TEXT, Some(7), "`pattern` is not a valid regex"),
            Some(10)
        );
        assert_eq!(line_of_message(TEXT, Some(12), "`pattern` x"), Some(14));
        assert_eq!(
            line_of_message(TEXT, Some(7), "rule has no `description`"),
            None
        );
        assert_eq!(
            line_of_message(TEXT, None, "`max-removed` must be between 0 and 1"),
            Some(1)
        );
        assert_eq!(
            line_of_message(TEXT, None, "preset `web`: `if-matches` bad"),
            Some(4)
        );
        assert_eq!(
            line_of_message(TEXT, None, "`presets` names unknown preset `x`"),
            Some(2)
        );
        assert_eq!(string_line(TEXT, "ok"), Some(14));
    }
}
