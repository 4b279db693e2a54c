//! Helpers shared by the integration tests.

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
