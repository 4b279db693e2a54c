//! `mdscrub rules`: the list of rules, the presets, one rule explained, the
//! test run of every rule example, and the schema of rules files.

use std::io::{self, Write};

use anyhow::bail;

use mdscrub::config::{ActiveRule, RuleSet};

use crate::output::pipe;
use crate::settings::RulesView;
use crate::verdict::Verdict;

/// Shows what `view` asks for on standard output; a failed example is a
/// finding.
pub fn run(set: &RuleSet, view: &RulesView) -> anyhow::Result<Verdict> {
    let stdout = &mut io::BufWriter::new(pipe::stdout());
    let verdict = show(stdout, set, view)?;
    stdout.flush()?;
    Ok(verdict)
}

/// Prints the JSON schema of rules files.
pub fn schema() -> anyhow::Result<Verdict> {
    let stdout = &mut pipe::stdout();
    stdout.write_all(mdscrub::config::schema::to_json().as_bytes())?;
    stdout.flush()?;
    Ok(Verdict::default())
}

fn show(stdout: &mut impl Write, set: &RuleSet, view: &RulesView) -> anyhow::Result<Verdict> {
    match view {
        RulesView::Test => {
            let failed = test(stdout, set)?;
            return Ok(Verdict {
                found: failed,
                ..Verdict::default()
            });
        }
        RulesView::Explain(id) => {
            set.check_ids([id.as_str()]).map_err(anyhow::Error::msg)?;
            let Some((rule, on)) = set.find_rule(id) else {
                bail!("no rule `{id}` in {}", set.extra.file);
            };
            explain(stdout, set, rule, on)?;
        }
        RulesView::Presets => presets(stdout, set)?,
        RulesView::List => list(stdout, set)?,
    }
    Ok(Verdict::default())
}

/// One line per rule: id, kind, on/off, description; active rules first.
pub fn list(w: &mut impl Write, set: &RuleSet) -> io::Result<()> {
    let all = set
        .rules
        .iter()
        .map(|r| (r, "on"))
        .chain(set.extra.disabled.iter().map(|r| (r, "off")));
    for (r, state) in all {
        writeln!(
            w,
            "{:<28} {:<20} {:<3} {}",
            r.id, r.kind, state, r.description
        )?;
    }
    Ok(())
}

/// One line per preset: name, whether it runs, whether it is on by default,
/// how many rules it holds, and its description; its gate, when it has one,
/// on the next line.
pub fn presets(w: &mut impl Write, set: &RuleSet) -> io::Result<()> {
    if set.extra.presets.is_empty() {
        writeln!(w, "no presets in {}", set.extra.file)?;
    }
    let all: Vec<&ActiveRule> = set.rules.iter().chain(&set.extra.disabled).collect();
    for (name, def, chosen) in &set.extra.presets {
        let count = all
            .iter()
            .filter(|r| r.meta.preset.as_deref() == Some(name))
            .count();
        writeln!(
            w,
            "{:<16} {:<3} {:<7} {:>2} rules  {}",
            name,
            if *chosen { "on" } else { "off" },
            if def.default { "default" } else { "opt-in" },
            count,
            def.description
        )?;
        if let Some(gate) = &def.if_matches {
            writeln!(
                w,
                "{:<16} only on documents whose first lines match `{gate}`",
                ""
            )?;
        }
    }
    Ok(())
}

/// Everything about one rule: where it is defined, its settings as TOML, and
/// its examples.
pub fn explain(w: &mut impl Write, set: &RuleSet, r: &ActiveRule, on: bool) -> io::Result<()> {
    let file = &set.extra.file;
    writeln!(w, "id:          {}", r.id)?;
    let summary = mdscrub::rules::kind(r.kind).map_or("", |k| k.summary);
    writeln!(w, "kind:        {} ({summary})", r.kind)?;
    writeln!(w, "state:       {}", if on { "on" } else { "off" })?;
    if let Some(name) = &r.meta.preset {
        let preset = set.extra.presets.iter().find(|(n, _, _)| n == name);
        let how = match preset {
            Some((_, _, true)) => "runs in this set",
            Some((_, def, false)) if !def.default => {
                "opt-in: not picked by `presets = [...]`, so its rules are off"
            }
            Some(_) => "not picked by `presets = [...]`, so its rules are off",
            None => "",
        };
        writeln!(w, "preset:      {name} ({how})")?;
        if let Some((_, def, _)) = preset
            && let Some(gate) = &def.if_matches
        {
            writeln!(
                w,
                "gate:        only on documents whose first lines match `{gate}` (the preset's)"
            )?;
        }
    }
    if let Some(gate) = &r.meta.if_matches {
        writeln!(
            w,
            "gate:        only on documents whose first lines match `{gate}`"
        )?;
    }
    match r.meta.line {
        Some(line) => writeln!(w, "defined in:  {file}:{line}")?,
        None => writeln!(w, "defined in:  the embedded default rules")?,
    }
    writeln!(w, "description: {}", r.description)?;
    if r.meta.settings.is_empty() {
        writeln!(w, "settings:    (none)")?;
    } else {
        writeln!(w, "settings:")?;
        let toml = toml::to_string(&r.meta.settings).unwrap_or_default();
        for line in toml.lines() {
            writeln!(w, "  {line}")?;
        }
    }
    if r.meta.examples.is_empty() {
        writeln!(w, "examples:    (none)")?;
    }
    for (i, ex) in r.meta.examples.iter().enumerate() {
        writeln!(w, "example {}:", i + 1)?;
        if !ex.with.is_empty() {
            writeln!(w, "  with: {}", ex.with.join(", "))?;
        }
        block(w, "input", &ex.input)?;
        if ex.output == ex.input {
            writeln!(w, "  output: (unchanged)")?;
        } else {
            block(w, "output", &ex.output)?;
        }
    }
    Ok(())
}

/// A labelled text, indented, with line ends made visible when they matter.
fn block(w: &mut impl Write, label: &str, text: &str) -> io::Result<()> {
    writeln!(w, "  {label}:")?;
    for line in text.split_inclusive('\n') {
        let shown = line.trim_end_matches('\n').replace('\r', "␍");
        writeln!(w, "    │{shown}")?;
    }
    if !text.ends_with('\n') && !text.is_empty() {
        writeln!(w, "    (no final newline)")?;
    }
    Ok(())
}

/// Runs every example of the active rules; true when one failed.
pub fn test(w: &mut impl Write, set: &RuleSet) -> io::Result<bool> {
    let (run, failures) = set.test_examples();
    for f in &failures {
        match f.line {
            Some(line) => write!(w, "{}:{line}: ", set.extra.file)?,
            None => write!(w, "<default rules.toml>: ")?,
        }
        writeln!(w, "rule `{}`: example {} failed", f.rule, f.number)?;
        block(w, "input", &f.input)?;
        block(w, "expected", &f.expected)?;
        match &f.got {
            Ok(got) => block(w, "got", got)?,
            Err(e) => writeln!(w, "  error: {e}")?,
        }
    }
    let untested: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| r.meta.examples.is_empty())
        .map(|r| &*r.id)
        .collect();
    if !untested.is_empty() {
        writeln!(w, "rules without examples: {}", untested.join(", "))?;
    }
    writeln!(
        w,
        "rule examples: {run} run, {} ok, {} failed",
        run - failures.len(),
        failures.len()
    )?;
    Ok(!failures.is_empty())
}
