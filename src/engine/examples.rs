//! Running the examples of a rules file (`[[rule.example]]`): each through
//! [`clean_text`], with the rule, the rules it names and the tidy-up rules.

use super::clean_text;
use crate::config::{ExampleFailure, RuleSet};

impl RuleSet {
    /// Runs every example of the active rules; returns the count run and the
    /// failures.
    pub fn test_examples(&self) -> (usize, Vec<ExampleFailure>) {
        let mut run = 0;
        let mut failures = Vec::new();
        for r in &self.rules {
            for (i, ex) in r.meta.examples.iter().enumerate() {
                run += 1;
                let got = self
                    .example_set(r, &ex.with)
                    .and_then(|set| clean_text(&ex.input, &set, true).map_err(|e| e.to_string()))
                    .map(|c| c.output);
                if got.as_deref() != Ok(ex.output.as_str()) {
                    failures.push(ExampleFailure {
                        rule: r.id.to_string(),
                        line: r.meta.line,
                        number: i + 1,
                        input: ex.input.clone(),
                        expected: ex.output.clone(),
                        got,
                    });
                }
            }
        }
        (run, failures)
    }
}
