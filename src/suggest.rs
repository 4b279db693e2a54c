//! "Did you mean …?": the known name nearest a misspelt one, for rule ids in
//! flags, config files and suppression comments.

/// The name of `known` nearest `word`, when it is near enough to be what
/// was meant: a normalised Damerau-Levenshtein similarity of at least 0.7
/// (a typo or two in an id, not a shared prefix such as `drop-`).
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .filter(|k| *k != word)
        .map(|k| (strsim::normalized_damerau_levenshtein(word, k), k))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// ` (did you mean `x`?)` when a known name is near `word`, else nothing.
pub fn hint<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_far_ones_not() {
        let ids = ["follow-prompt", "utm-params", "end-marker"];
        assert_eq!(nearest("folow-prompt", ids), Some("follow-prompt"));
        assert_eq!(nearest("follow-promt", ids), Some("follow-prompt"));
        assert_eq!(nearest("utm-param", ids), Some("utm-params"));
        assert_eq!(nearest("zzz", ids), None);
        assert_eq!(
            nearest("drop-everything", ["drop-line", "drop-block"]),
            None
        );
        assert_eq!(
            hint("end-marke", ids),
            " (did you mean `end-marker`?)".to_string()
        );
        assert_eq!(hint("qqqq", ids), "");
    }
}
