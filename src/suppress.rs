//! Inline suppression comments: the byte ranges of a text where some rules
//! (or all) must not edit.
//!
//! - `<!-- mdscrub-disable [ids] -->` … `<!-- mdscrub-enable [ids] -->`: from
//!   the disabling comment to the end of the enabling one (or to the end of the
//!   text when none follows). An `enable` without ids ends every open region.
//! - `<!-- mdscrub-disable-next-line [ids] -->`: the comment's line and the line
//!   after it.
//! - `<!-- mdscrub-disable-file [ids] -->`: the whole text.
//!
//! Without ids a comment covers every rule; ids may be separated by spaces or
//! commas. Comments inside code (the `protected` ranges) are ignored. The
//! comments themselves are always inside the range they open, so no rule they
//! name ever removes them.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Which rules a range is suppressed for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    All,
    Only(Vec<String>),
    AllExcept(Vec<String>),
}

impl Scope {
    fn covers(&self, rule: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(ids) => ids.iter().any(|i| i == rule),
            Scope::AllExcept(ids) => !ids.iter().any(|i| i == rule),
        }
    }
}

/// An id in a suppression comment that names no rule: likely a typo, and
/// the comment then suppresses nothing for the rule meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownId {
    /// Line (1-based) of the comment.
    pub line: usize,
    pub id: String,
    /// The nearest known id, when one is near.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for UnknownId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "suppression comment names no rule `{}`", self.id)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// False when `text` certainly holds no suppression comment: every one
/// names `mdscrub-`.
pub fn may_hold(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"mdscrub-").is_some()
}

/// The ids of the suppression comments of `text` (outside code) that are
/// not in `known`, in order.
pub fn unknown_ids(text: &str, known: &[&str]) -> Vec<UnknownId> {
    if !may_hold(text) {
        return Vec::new();
    }
    let mut found: Vec<(usize, String)> = Vec::new();
    for m in DIRECTIVE.captures_iter(text) {
        for id in parse_ids(&m[2]).unwrap_or_default() {
            if !known.contains(&id.as_str()) {
                found.push((m.get(0).expect("group 0").start(), id));
            }
        }
    }
    if found.is_empty() {
        return Vec::new();
    }
    // Comments inside code are text, not directives: parse only now.
    let protected = crate::document::Document::parse(text).protected;
    found.retain(|(at, _)| !protected.iter().any(|p| p.start <= *at && *at < p.end));
    found_ids(text, found)
        .into_iter()
        .map(|mut u| {
            u.suggestion =
                crate::suggest::nearest(&u.id, known.iter().copied()).map(str::to_string);
            u
        })
        .collect()
}

fn found_ids(text: &str, found: Vec<(usize, String)>) -> Vec<UnknownId> {
    found
        .into_iter()
        .map(|(at, id)| UnknownId {
            line: text[..at].matches('\n').count() + 1,
            id,
            suggestion: None,
        })
        .collect()
}

/// Suppressed ranges of one text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Suppressions {
    ranges: Vec<(Range<usize>, Scope)>,
}

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<!--[ \t]*mdscrub-(disable-file|disable-next-line|disable|enable)((?:[ \t,]+[A-Za-z0-9_.\-]+)*)[ \t,]*-->",
    )
    .expect("valid regex")
});

fn parse_ids(s: &str) -> Option<Vec<String>> {
    let ids: Vec<String> = s
        .split([' ', '\t', ','])
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

fn scope_of(ids: Option<Vec<String>>) -> Scope {
    ids.map_or(Scope::All, Scope::Only)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

impl Suppressions {
    /// Finds every directive of `text` outside `protected` ranges.
    pub fn scan(text: &str, protected: &[Range<usize>]) -> Suppressions {
        let mut out = Suppressions::default();
        if !may_hold(text) {
            return out;
        }
        // Open `disable` regions: where each starts and what it covers.
        let mut open: Vec<(usize, Scope)> = Vec::new();
        for m in DIRECTIVE.captures_iter(text) {
            let whole = m.get(0).expect("group 0");
            if protected
                .iter()
                .any(|p| p.start <= whole.start() && whole.start() < p.end)
            {
                continue;
            }
            let ids = parse_ids(&m[2]);
            match &m[1] {
                "disable-file" => out.ranges.push((0..text.len(), scope_of(ids))),
                "disable-next-line" => {
                    let next = line_end(text, whole.end());
                    let end = line_end(text, next);
                    out.ranges.push((whole.start()..end, scope_of(ids)));
                }
                "disable" => open.push((whole.start(), scope_of(ids))),
                _ => {
                    let Some(names) = ids else {
                        for (start, scope) in open.drain(..) {
                            out.ranges.push((start..whole.end(), scope));
                        }
                        continue;
                    };
                    // `enable` with ids: those rules come back, others stay off.
                    let mut keep = Vec::new();
                    for (start, scope) in open.drain(..) {
                        match scope {
                            Scope::Only(ids) => {
                                let (back, still): (Vec<String>, Vec<String>) =
                                    ids.into_iter().partition(|id| names.contains(id));
                                if !back.is_empty() {
                                    out.ranges.push((start..whole.end(), Scope::Only(back)));
                                }
                                if !still.is_empty() {
                                    keep.push((start, Scope::Only(still)));
                                }
                            }
                            Scope::All | Scope::AllExcept(_) => {
                                let mut except = match &scope {
                                    Scope::AllExcept(e) => e.clone(),
                                    _ => Vec::new(),
                                };
                                out.ranges.push((start..whole.end(), scope));
                                except.extend(names.iter().cloned());
                                keep.push((whole.end(), Scope::AllExcept(except)));
                            }
                        }
                    }
                    open = keep;
                }
            }
        }
        for (start, scope) in open {
            out.ranges.push((start..text.len(), scope));
        }
        out
    }

    /// True when no range is suppressed.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True when `rule` may not make an edit of `range`: the edit touches a
    /// range suppressed for that rule (an insertion, when it falls inside one).
    pub fn blocks(&self, rule: &str, range: &Range<usize>) -> bool {
        self.ranges.iter().any(|(r, scope)| {
            scope.covers(rule)
                && if range.is_empty() {
                    r.start < range.start && range.start < r.end
                } else {
                    range.start < r.end && r.start < range.end
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(text: &str, rule: &str, needle: &str) -> bool {
        let at = text.find(needle).expect("needle in text");
        Suppressions::scan(text, &[]).blocks(rule, &(at..at + needle.len()))
    }

    #[test]
    fn unknown_ids_are_found_with_a_suggestion_outside_code() {
        let t = "a\n\n<!-- mdscrub-disable-next-line follow-promt, tidy -->\nb\n\n```\n<!-- mdscrub-disable nope -->\n```\n";
        let u = unknown_ids(t, &["follow-prompt", "tidy"]);
        assert_eq!(
            u,
            [UnknownId {
                line: 3,
                id: "follow-promt".into(),
                suggestion: Some("follow-prompt".into())
            }]
        );
        assert_eq!(
            u[0].to_string(),
            "suppression comment names no rule `follow-promt` (did you mean `follow-prompt`?)"
        );
        assert!(unknown_ids("<!-- mdscrub-disable -->", &[]).is_empty());
    }

    #[test]
    fn region_covers_until_enable() {
        let t = "AAA\n\n<!-- mdscrub-disable -->\nBBB\n<!-- mdscrub-enable -->\nCCC\n";
        assert!(!blocked(t, "x", "AAA"));
        assert!(blocked(t, "x", "BBB"));
        assert!(blocked(t, "x", "<!-- mdscrub-enable -->"));
        assert!(!blocked(t, "x", "CCC"));
    }

    #[test]
    fn region_without_enable_runs_to_the_end() {
        let t = "AAA\n<!-- mdscrub-disable -->\nBBB\n";
        assert!(blocked(t, "x", "BBB"));
        assert!(!blocked(t, "x", "AAA"));
    }

    #[test]
    fn ids_limit_a_region() {
        let t = "<!-- mdscrub-disable foo, bar -->\nBBB\n<!-- mdscrub-enable foo -->\nCCC\n";
        assert!(blocked(t, "foo", "BBB"));
        assert!(blocked(t, "bar", "BBB"));
        assert!(!blocked(t, "baz", "BBB"));
        assert!(!blocked(t, "foo", "CCC"));
        assert!(blocked(t, "bar", "CCC"));
    }

    #[test]
    fn enable_with_ids_after_disable_all() {
        let t = "<!-- mdscrub-disable -->\nBBB\n<!-- mdscrub-enable foo -->\nCCC\n";
        assert!(blocked(t, "foo", "BBB"));
        assert!(!blocked(t, "foo", "CCC"));
        assert!(blocked(t, "bar", "CCC"));
    }

    #[test]
    fn next_line_covers_the_comment_and_one_line() {
        let t = "<!-- mdscrub-disable-next-line tidy -->\nBBB\nCCC\n";
        assert!(blocked(t, "tidy", "BBB\n"));
        assert!(!blocked(t, "other", "BBB"));
        assert!(!blocked(t, "tidy", "CCC"));
    }

    #[test]
    fn file_directive_covers_everything() {
        let t = "AAA\n<!--mdscrub-disable-file-->\nBBB\n";
        assert!(blocked(t, "x", "AAA"));
        assert!(blocked(t, "x", "BBB"));
    }

    #[test]
    fn directives_in_code_are_ignored() {
        let t = "```\n<!-- mdscrub-disable-file -->\n```\nBBB\n";
        let code = 0..t.find("BBB\n").unwrap();
        let s = Suppressions::scan(t, &[code]);
        assert!(s.is_empty());
    }

    #[test]
    fn insertions_at_a_range_edge_are_allowed() {
        let t = "AAA\n<!-- mdscrub-disable -->\nBBB\n<!-- mdscrub-enable -->\n";
        let s = Suppressions::scan(t, &[]);
        let start = t.find("<!--").unwrap();
        assert!(!s.blocks("x", &(start..start)));
        assert!(s.blocks("x", &(start + 1..start + 1)));
    }

    #[test]
    fn clean_text_skips_suppressed_edits_only() {
        let rules = crate::config::RuleSet::default_rules();
        let body = "这是一段足够长的正文，用来保证清理只去掉很少的一部分可见文字。";
        let text = format!(
            "{body}\n\n<!-- mdscrub-disable follow-prompt -->\n点击上方蓝字关注我们\n<!-- mdscrub-enable -->\n\n点击上方蓝字关注我们\n\n{body}\n"
        );
        let out = crate::engine::clean_text(&text, &rules, false).unwrap();
        assert_eq!(
            out.output,
            format!(
                "{body}\n\n<!-- mdscrub-disable follow-prompt -->\n点击上方蓝字关注我们\n<!-- mdscrub-enable -->\n\n{body}\n"
            )
        );
        // A directive inside a code block does nothing.
        let code =
            format!("```\n<!-- mdscrub-disable-file -->\n```\n\n点击上方蓝字关注我们\n\n{body}\n");
        let out = crate::engine::clean_text(&code, &rules, false).unwrap();
        assert!(!out.output.contains("蓝字"), "{}", out.output);
        // Nor does one in inline code.
        let inline =
            format!("{body}`<!-- mdscrub-disable-file -->`\n\n点击上方蓝字关注我们\n\n{body}\n");
        let out = crate::engine::clean_text(&inline, &rules, false).unwrap();
        assert!(!out.output.contains("蓝字"), "{}", out.output);
    }
}
