//! The outcome as a long table — `scenario,country,year,stage,metric,value` — for pandas and R.
//! Country-level rows leave `stage` empty; summary rows leave `year` empty.

use super::diff::flatten;
use crate::model::outcome::Outcome;

pub fn to_csv(outcome: &Outcome) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = w.write_record(["scenario", "country", "year", "stage", "metric", "value"]);
    for cell in flatten(outcome) {
        let year = cell.year.map(|y| y.to_string()).unwrap_or_default();
        let _ = w.write_record([
            outcome.scenario.as_str(),
            &cell.country,
            &year,
            cell.stage.as_deref().unwrap_or(""),
            &cell.metric,
            &cell.value.text(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
