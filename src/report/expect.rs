//! `expect` statements checked against an outcome: `gvc test`.

use crate::diagnostic::Diagnostic;
use crate::model::outcome::Outcome;
use crate::scenario::{Expectation, ExpectedValue, Scenario, Year};
use crate::syntax::ast::Comparison;

/// An outcome value an expectation reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Actual {
    Number(f64),
    Bool(bool),
    /// A year that never comes within the timeline (`first_feasible_year` of a stage that
    /// never opens): later than any year.
    Never,
    /// No value (a capture ratio where nothing is added).
    Missing,
}

/// The result of one expectation.
#[derive(Clone, Debug)]
pub struct Checked {
    pub passed: bool,
    /// The first year that failed (or the last one checked), and its value.
    pub year: Option<Year>,
    pub actual: Actual,
}

/// Reads `subject` (`[country, …]`) for `year` from the outcome; `None` when the outcome does
/// not have it.
pub fn actual(outcome: &Outcome, subject: &[String], year: Option<Year>) -> Option<Actual> {
    let country = outcome.countries.get(subject.first()?)?;
    let bare = |s: &str| -> String {
        s.strip_suffix("_musd")
            .or_else(|| s.strip_suffix("_kt"))
            .unwrap_or(s)
            .to_string()
    };
    let parts: Vec<String> = subject[1..].iter().map(|s| bare(s)).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let number = |v: f64| Some(Actual::Number(v));
    let ratio = |v: Option<f64>| Some(v.map_or(Actual::Missing, Actual::Number));
    if parts.first() == Some(&"summary") {
        let s = &country.summary;
        return match parts.get(1..)? {
            ["value_added"] => number(s.value_added_musd),
            ["value_captured"] => number(s.value_captured_musd),
            ["capture_ratio"] => ratio(s.capture_ratio),
            ["first_feasible_year", stage] => Some(
                s.first_feasible_year
                    .get(*stage)?
                    .map_or(Actual::Never, |y| Actual::Number(f64::from(y))),
            ),
            ["outpaced", stage] => Some(Actual::Bool(*s.outpaced.get(*stage)?)),
            _ => None,
        };
    }
    let y = country.years.get(&year?)?;
    if let [_, metric, name] = subject {
        if metric == "metrics" {
            return number(*y.metrics.get(name)?);
        }
    }
    match parts.as_slice() {
        ["eci"] => number(y.eci),
        ["value_added"] => number(y.value_added_musd),
        ["value_captured"] => number(y.value_captured_musd),
        ["capture_ratio"] => ratio(y.capture_ratio),
        ["linkages", "value_added"] => number(y.linkages.value_added_musd),
        ["accounts", "production"] => number(y.accounts.production_kt),
        ["accounts", "controlled"] => number(y.accounts.controlled_kt),
        ["accounts", "consumption"] => number(y.accounts.consumption_kt),
        [stage, metric] => {
            let st = y.stages.get(*stage)?;
            match *metric {
                "feasible" => Some(Actual::Bool(st.feasible)),
                "volume" => number(st.volume_kt),
                "value_added" => number(st.value_added_musd),
                "value_captured" => number(st.value_captured_musd),
                "capture_ratio" => ratio(st.capture_ratio),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Outputs are rounded to 3 decimals: equality allows for that.
const ROUNDING: f64 = 1e-6;

fn holds(comparison: Comparison, actual: Actual, expected: &ExpectedValue, within: f64) -> bool {
    let tol = within.max(ROUNDING);
    match (actual, expected) {
        (Actual::Bool(a), ExpectedValue::Bool(e)) => match comparison {
            Comparison::Eq => a == *e,
            Comparison::Ne => a != *e,
            _ => false,
        },
        (Actual::Number(a), ExpectedValue::Number(e)) => {
            let e = e.value;
            match comparison {
                Comparison::Ge => a >= e - tol,
                Comparison::Le => a <= e + tol,
                Comparison::Gt => a > e - within,
                Comparison::Lt => a < e + within,
                Comparison::Eq => (a - e).abs() <= tol,
                Comparison::Ne => (a - e).abs() > tol,
            }
        }
        // Never is later than any year.
        (Actual::Never, ExpectedValue::Number(_)) => {
            matches!(comparison, Comparison::Gt | Comparison::Ge | Comparison::Ne)
        }
        _ => false,
    }
}

/// Checks one expectation; every year of its range must hold.
pub fn check(outcome: &Outcome, e: &Expectation) -> Checked {
    let within = e.within.as_ref().map_or(0.0, |q| q.value);
    let years: Vec<Option<Year>> = match e.years {
        Some((from, to)) => (from..=to).map(Some).collect(),
        None => vec![None],
    };
    let mut last = Checked {
        passed: true,
        year: None,
        actual: Actual::Missing,
    };
    for year in years {
        let actual = actual(outcome, &e.subject, year).unwrap_or(Actual::Missing);
        let passed = holds(e.comparison, actual, &e.expected, within);
        last = Checked {
            passed,
            year,
            actual,
        };
        if !passed {
            break;
        }
    }
    last
}

/// How a value of this subject is written, in the unit the subject is read in.
pub fn show(subject: &[String], actual: Actual) -> String {
    let last = subject.last().map(String::as_str).unwrap_or("");
    let is_share = subject.iter().any(|s| s == "capture_ratio");
    match actual {
        Actual::Bool(b) => b.to_string(),
        Actual::Never => "never".into(),
        Actual::Missing => "no value".into(),
        Actual::Number(v) if is_share => format!("{}%", trim(v * 100.0)),
        Actual::Number(v)
            if last.starts_with("value_") || subject.iter().any(|s| s == "linkages") =>
        {
            format!("{} musd", trim(v))
        }
        Actual::Number(v)
            if last.starts_with("volume") || subject.iter().any(|s| s == "accounts") =>
        {
            format!("{} kt", trim(v))
        }
        Actual::Number(v) => trim(v),
    }
}

fn trim(v: f64) -> String {
    crate::diagnostic::plain_number(v, 3)
}

/// A failed expectation as a diagnostic at its `expect` line.
pub fn failure(s: &Scenario, e: &Expectation, c: &Checked) -> Diagnostic {
    let subject = e.subject.join(".");
    let at = c.year.map(|y| format!(" in {y}")).unwrap_or_default();
    let text = s
        .sources
        .get(e.origin.file)
        .text
        .get(e.origin.span.start..e.origin.span.end)
        .unwrap_or("");
    let mut d = Diagnostic::error(
        "gvc::expectation_failed",
        format!(
            "expectation failed: {subject} is {}{at}",
            show(&e.subject, c.actual)
        ),
    )
    .label_at(
        &s.sources,
        e.origin,
        format!("expected: {}", text.trim_start_matches("expect ").trim()),
    );
    if let Some(m) = &e.message {
        d = d.help(m.clone());
    }
    d
}
