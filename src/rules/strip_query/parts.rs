//! The parts of a URL that `strip-query` edits: host, path, query
//! parameters and fragment, as byte offsets into the URL as written.

use std::borrow::Cow;
use std::ops::Range;

use crate::rules::repair_entity_query::{DEFAULT_ENTITIES, mangled_semicolon};
use crate::rules::{plain_host, scheme_end};

/// The parts of a URL this rule looks at, as byte offsets into it.
pub(super) struct Parts<'u> {
    pub host: String,
    pub path: &'u str,
    /// Offset of `?`, when there is a query.
    pub query: Option<usize>,
    /// Offset of `#`, when there is a fragment.
    pub fragment: Option<usize>,
}

pub(super) fn split_url(raw: &str) -> Option<Parts<'_>> {
    let after_scheme = if let Some(rest) = raw.strip_prefix("//") {
        raw.len() - rest.len()
    } else {
        scheme_end(raw)? + 3
    };
    let rest = &raw[after_scheme..];
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_len];
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = host_port.split(':').next().unwrap_or("");
    let host = match plain_host(host) {
        Some(h) => h.into_owned(),
        None => match url::Host::parse(host) {
            Ok(h) => h.to_string(),
            Err(_) => host.to_ascii_lowercase(),
        },
    };
    let path_start = after_scheme + auth_len;
    let fragment = raw[path_start..].find('#').map(|i| path_start + i);
    let before_fragment = fragment.unwrap_or(raw.len());
    let query = raw[path_start..before_fragment]
        .find('?')
        .map(|i| path_start + i);
    let path_end = query.or(fragment).unwrap_or(raw.len());
    Some(Parts {
        host,
        path: &raw[path_start..path_end],
        query,
        fragment,
    })
}

/// Percent-decodes `%3F`, `%26`, `%3D`, `%23`, `%3A`, `%2F` (the escapes
/// of URL structure) and returns, for each decoded byte, its offset in `s`
/// (plus one entry for the end).
pub(super) fn decode_with_map(s: &str) -> (String, Vec<usize>) {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let code = s.get(i + 1..i + 3).map(str::to_ascii_uppercase);
            let c = match code.as_deref() {
                Some("3F") => Some('?'),
                Some("26") => Some('&'),
                Some("3D") => Some('='),
                Some("23") => Some('#'),
                Some("3A") => Some(':'),
                Some("2F") => Some('/'),
                _ => None,
            };
            if let Some(c) = c {
                map.push(i);
                out.push(c);
                i += 3;
                continue;
            }
        }
        let ch = s[i..].chars().next().expect("in bounds");
        for k in 0..ch.len_utf8() {
            map.push(i + k);
        }
        out.push(ch);
        i += ch.len_utf8();
    }
    map.push(s.len());
    (out, map)
}

/// Splits a query into (start of the separator before it, parameter range)
/// pairs, as offsets into `query`. Separators are `&` and `&amp;` (the HTML
/// spelling); the first parameter has none (its separator starts where it
/// does).
pub(super) fn params(query: &str) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut sep = 0;
    let mut at = 0;
    loop {
        let Some(i) = query[at..].find('&').map(|i| at + i) else {
            out.push((sep, at..query.len()));
            break;
        };
        out.push((sep, at..i));
        let sep_len = if query[i..].starts_with("&amp;") {
            5
        } else {
            1
        };
        sep = i;
        at = i + sep_len;
    }
    if out.len() == 1 && out[0].1.is_empty() {
        out.clear();
    }
    out
}

/// The name of a parameter (`param` up to `=`). After a separator, a name
/// mangled into an entity reads as what it is (`from;=appmsg` is `from`,
/// `wx;_lazy=1` is `wx_lazy`), as `repair-entity-query` would repair it.
pub(super) fn name_of(param: &str, after_separator: bool) -> Cow<'_, str> {
    let name = param.split('=').next().unwrap_or("");
    if after_separator
        && let Some(semi) = mangled_semicolon(param, &DEFAULT_ENTITIES)
        && semi < name.len()
    {
        return format!("{}{}", &name[..semi], &name[semi + 1..]).into();
    }
    name.into()
}
