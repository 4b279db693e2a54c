//! Pieces of a URL as written, found without parsing it: where its scheme
//! ends, its host part, and that host as URL parsing would give it when it
//! is a plain name; and percent-decoding (with the `percent-encoding`
//! crate). The URL rules and the document's URL index share them.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// The host of `host` (the host part of a URL's authority) as URL parsing
/// would give it, lower-cased, without parsing, when it is a plain ASCII name:
/// letters, digits, `-` and `.`, with no label that starts with a digit (an
/// IPv4 address to normalise) or `xn--` (punycode to check). `None` when only
/// a full parse can tell.
pub fn plain_host(host: &str) -> Option<Cow<'_, str>> {
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        && host.split('.').all(|label| {
            !label.starts_with(|c: char| c.is_ascii_digit())
                && !label
                    .get(..4)
                    .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        });
    if !plain {
        None
    } else if host.bytes().any(|c| c.is_ascii_uppercase()) {
        Some(host.to_ascii_lowercase().into())
    } else {
        Some(host.into())
    }
}

/// The host part of an absolute URL (`scheme://user@host:port/…`), as
/// written; `None` when `raw` does not start that way, or its authority holds
/// a `\` (which URL parsing may read as `/`).
pub fn host_part(raw: &str) -> Option<&str> {
    let colon = scheme_end(raw)?;
    let rest = &raw[colon + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('\\') {
        return None;
    }
    let host_port = authority.rsplit('@').next().unwrap_or("");
    Some(host_port.split(':').next().unwrap_or(""))
}

/// Where the scheme of `raw` ends when `raw` starts with `scheme://` (a
/// letter, then letters, digits, `+`, `.`, `-`): the offset of the `:`.
pub fn scheme_end(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let colon = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || b"+.-".contains(c)))?;
    raw[colon..].starts_with("://").then_some(colon)
}

/// The plain host of the URL `raw` ([`host_part`], then [`plain_host`]).
pub fn url_plain_host(raw: &str) -> Option<Cow<'_, str>> {
    host_part(raw).and_then(plain_host)
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8. A `%` that
/// does not start an escape stays as it is.
pub fn percent_decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_hosts_are_what_url_parsing_gives() {
        let hosts = [
            "mmbiz.qpic.cn",
            "MMBIZ.QPIC.CN",
            "a-b.example.com.",
            "p3-juejin.byteimg.com",
            "x.1e100.net",
            "127.0.0.1",
            "127.1",
            "0x7f.1",
            "a.0x7f",
            "1.a",
            "xn--fiqs8s.cn",
            "XN--fiqs8s.cn",
            "xn--a.cn",
            "bücher.de",
            "ＡＢＣ.com",
            "a%2eb.com",
            "[::1]",
            "a_b.com",
            "",
            ".",
            "a..b",
        ];
        for h in hosts {
            let parsed = match url::Host::parse(h) {
                Ok(p) => p.to_string(),
                Err(_) => h.to_ascii_lowercase(),
            };
            if let Some(plain) = plain_host(h) {
                assert_eq!(plain, parsed, "{h:?}");
            }
        }
        assert_eq!(
            plain_host("MMBIZ.qpic.cn").as_deref(),
            Some("mmbiz.qpic.cn")
        );
        assert!(plain_host("127.0.0.1").is_none());
    }
}
