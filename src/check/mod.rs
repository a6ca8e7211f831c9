//! Checks: the parsed files of a scenario become a [`Scenario`](crate::Scenario), or every
//! problem found is reported at once — unknown names with "did you mean", duplicates, shares
//! that do not sum to 100%, years outside the timeline, conflicting policies, unit mismatches,
//! import and `extends` cycles, missing files.

mod load;
pub mod metrics;
mod resolve;
pub mod suggest;
pub mod tables;
pub mod units;

use std::path::Path;

use crate::diagnostic::Diagnostics;
use crate::scenario::Scenario;
use crate::source::Origin;

/// A checked scenario, and where its data numbers stand without a source.
pub struct Checked {
    pub scenario: Scenario,
    /// Numbers with neither a source nor an assumption.
    pub unsourced: Vec<Origin>,
    /// Numbers marked `assumption`.
    pub assumptions: Vec<Origin>,
}

/// Loads and checks the scenario in the file at `path`.
pub fn check_file(path: &Path) -> Result<Checked, Diagnostics> {
    let mut loader = load::Loader::new();
    let layers = loader.load(path);
    finish(loader, layers)
}

/// Checks a scenario given as text; imports and `extends` are read relative to `path`.
pub fn check_text(path: &Path, text: &str) -> Result<Checked, Diagnostics> {
    let mut loader = load::Loader::new();
    let layers = loader.load_text(path, text);
    finish(loader, layers)
}

fn finish(loader: load::Loader, layers: Vec<load::Layer>) -> Result<Checked, Diagnostics> {
    let mut diagnostics = loader.diagnostics;
    if layers.is_empty() {
        return Err(diagnostics);
    }
    // After a file failed to load or parse, names it declared are missing: do not report
    // what follows from that.
    let incomplete = loader.syntax_errors || diagnostics.has_errors();
    let (scenario, found, numbers) = resolve::resolve(&loader.sources, &layers, incomplete);
    diagnostics.extend(found);
    diagnostics.sort();
    match scenario {
        Some(scenario) if !diagnostics.has_errors() => Ok(Checked {
            scenario,
            unsourced: numbers.unsourced,
            assumptions: numbers.assumptions,
        }),
        _ => Err(diagnostics),
    }
}
