//! The raw-text scan of `strip-query` ([`Rule::may_fire`]): whether any
//! URL of a text may lose a parameter or fragment, without parsing it.

use super::StripQuery;
use crate::rules::{Glob, any_glob};

/// An ASCII case-insensitive finder of `needles`; `None` when one is
/// shorter than three bytes (it would say nothing).
pub(super) fn finder(needles: &[String]) -> Option<aho_corasick::AhoCorasick> {
    if needles.is_empty() || needles.iter().any(|n| n.len() < 3) {
        return None;
    }
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(needles)
        .ok()
}

/// The longest part of a glob without `*` or `?`, in lower case.
pub(super) fn longest_literal(glob: &str) -> String {
    glob.split(['*', '?'])
        .max_by_key(|p| p.len())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Characters that end a parameter name or fragment in the raw-text scan of
/// [`StripQuery::may_fire_raw`] besides `&`, `=` and `#`.
const SCAN_STOP: &[char] = &[
    ' ', '\t', '\r', '\n', '"', '\'', '<', '>', '(', ')', '[', ']', '`', '|',
];

/// What a GFM autolink may leave off the end of a bare URL: a real name or
/// fragment may end before such a trailing run.
const AUTOLINK_TRAIL: &[char] = &['?', '!', '.', ',', ':', '*', '_', '~', ';'];

impl StripQuery {
    /// The raw-text test behind [`Rule::may_fire`]: false only when no URL of
    /// `text` can lose a parameter or fragment to this rule.
    ///
    /// The rule edits a URL only when its host matches and some parameter
    /// name (after `?` or `&`/`&amp;`, up to `=`) is dropped, or its fragment
    /// matches `drop-fragment`. The scan reads every such name and fragment
    /// in the region where a URL with one of the rule's hosts may lie (from
    /// a host needle to the end of its line, or to the `>` closing an HTML
    /// tag; the whole text for hosts `*`), and asks the rule's own tests.
    /// Fenced code is left out: the rule never edits code.
    /// Where the scan is unsure of a name's end (it stopped at a character
    /// that a URL may hold), it asks whether any name *starting* with what
    /// it read would be dropped. A bare URL may end before a trailing run of
    /// punctuation, so the name without that run is asked too. Proxies carry
    /// percent-encoded URLs: any proxy host in the text answers true.
    pub(super) fn may_fire_raw(&self, text: &str) -> bool {
        if !self.proxies.is_empty() && self.proxy_finder.as_ref().is_none_or(|f| f.is_match(text)) {
            return true;
        }
        let code = crate::rules::raw::fenced_code_cached(text);
        if self.host_needles.iter().any(|n| n.len() < 3) {
            // Any host: the whole text but its fenced code.
            let mut from = 0;
            for r in code
                .iter()
                .chain(std::iter::once(&(text.len()..text.len())))
            {
                if self.scan_region(&text[from..r.start]) {
                    return true;
                }
                from = r.end;
            }
            return false;
        }
        let Some(hosts) = &self.host_finder else {
            return true;
        };
        for m in hosts.find_overlapping_iter(text) {
            let (at, needle_len) = (m.start(), m.len());
            {
                if crate::rules::raw::inside(&code, at) {
                    continue;
                }
                let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                // Inside an HTML tag an attribute value may run over lines.
                let end = if text[line_start..line_end].contains('<') {
                    text[at..]
                        .find('>')
                        .map_or(text.len(), |i| (at + i).max(line_end))
                } else {
                    line_end
                };
                if self.path_may_match(&text[at + needle_len..end])
                    && self.scan_region(&text[at..end])
                {
                    return true;
                }
            }
        }
        false
    }

    /// Whether the URL whose host ends where `after_host` starts may have a
    /// path this rule is limited to. Unsure (a port, more host, a path cut
    /// by a character a URL may hold): true.
    fn path_may_match(&self, after_host: &str) -> bool {
        if self.paths.is_empty() {
            return true;
        }
        let path_end = after_host
            .find(|c: char| c == '?' || c == '#' || SCAN_STOP.contains(&c))
            .unwrap_or(after_host.len());
        let path = &after_host[..path_end];
        let structural = after_host[path_end..].starts_with(['?', '#']);
        if !structural || !(path.is_empty() || path.starts_with('/')) {
            return true;
        }
        let path = if path.is_empty() { "/" } else { path };
        any_glob(&self.paths, path)
    }

    /// True when some `?`/`&` parameter or `#` fragment of `region` may be
    /// dropped.
    fn scan_region(&self, region: &str) -> bool {
        for (i, c) in region.match_indices(['?', '&', '#']) {
            let mut rest = &region[i + 1..];
            if c == "&" {
                rest = rest.strip_prefix("amp;").unwrap_or(rest);
            }
            let stops: &[char] = if c == "#" { &[] } else { &['&', '=', '#'] };
            let end = rest
                .find(|ch: char| stops.contains(&ch) || SCAN_STOP.contains(&ch))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            // Sure of the end: the text ends there, or a structural `&`,
            // `=` or `#` of a query ends the name.
            let sure = end == rest.len() || stops.iter().any(|s| rest[end..].starts_with(*s));
            let trimmed = word.trim_end_matches(AUTOLINK_TRAIL);
            // A bare URL may end where other text starts with no space
            // between (`#wechat_redirect正文…`): the word up to its first
            // character that is not ASCII may be the whole of it.
            let ascii = &word[..word.find(|ch: char| !ch.is_ascii()).unwrap_or(word.len())];
            let ascii = ascii.trim_end_matches(AUTOLINK_TRAIL);
            let hit = if c == "#" {
                self.fragment_dropped(word, sure)
                    || self.fragment_dropped(trimmed, true)
                    || self.fragment_dropped(ascii, true)
            } else {
                self.name_dropped(word, sure)
                    || self.name_dropped(trimmed, true)
                    || self.name_dropped(ascii, true)
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Whether the name `name` is dropped or, when `sure` is false, whether
    /// some name starting with `name` may be.
    fn name_dropped(&self, name: &str, sure: bool) -> bool {
        if sure {
            return !name.is_empty() && self.drops(name);
        }
        match &self.keep {
            Some(_) => true,
            None => self.remove_prefix.iter().any(|g| g.is_match(name)),
        }
    }

    fn fragment_dropped(&self, fragment: &str, sure: bool) -> bool {
        if sure {
            any_glob(&self.fragments, fragment)
        } else {
            self.fragment_prefix.iter().any(|g| g.is_match(fragment))
        }
    }
}

/// See [`StripQuery::remove_starts`].
pub(super) fn remove_starts(remove: &[Glob], keep: bool) -> Option<Vec<String>> {
    let starts: Vec<String> = remove.iter().map(Glob::literal_prefix).collect();
    (!keep && starts.iter().all(|s| !s.is_empty())).then_some(starts)
}
