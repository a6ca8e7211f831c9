//! The outcomes an `expect` can name, mirroring the JSON output: `Zambia.capture_ratio[2040]`
//! is `countries.Zambia.years.2040.capture_ratio`.

use super::units::Dimension;
use crate::syntax::ast::Ident;

/// What a valid subject measures.
pub struct Metric {
    /// True when the outcome has a value every year (and so needs a year).
    pub yearly: bool,
    /// `None` for true/false outcomes.
    pub dimension: Option<Dimension>,
}

/// What was expected where a subject went wrong.
pub enum Expected {
    CountryOutcome,
    StageOutcome,
    SummaryOutcome,
    Linkages,
    Account,
    Metric,
    Stage,
    End,
}

const COUNTRY: &[&str] = &[
    "eci",
    "value_added",
    "value_captured",
    "capture_ratio",
    "linkages",
    "accounts",
    "summary",
];
const STAGE: &[&str] = &[
    "feasible",
    "volume",
    "value_added",
    "value_captured",
    "capture_ratio",
];
const SUMMARY: &[&str] = &[
    "value_added",
    "value_captured",
    "capture_ratio",
    "first_feasible_year",
    "outpaced",
];
const ACCOUNTS: &[&str] = &["production", "controlled", "consumption"];

impl Expected {
    pub fn describe(&self) -> &'static str {
        match self {
            Expected::CountryOutcome => "a stage or a country outcome",
            Expected::StageOutcome => "a stage outcome",
            Expected::SummaryOutcome => "a summary outcome",
            Expected::Linkages => "`value_added`",
            Expected::Account => "an account",
            Expected::Metric => "the name of a `metric` rule",
            Expected::Stage => "a stage",
            Expected::End => "the end of the subject",
        }
    }

    pub fn options(&self, stages: &[String]) -> Vec<String> {
        let list: &[&str] = match self {
            Expected::CountryOutcome => {
                let mut v: Vec<String> = COUNTRY.iter().map(|s| s.to_string()).collect();
                v.extend(stages.iter().cloned());
                return v;
            }
            Expected::StageOutcome => STAGE,
            Expected::SummaryOutcome => SUMMARY,
            Expected::Linkages => &["value_added"],
            Expected::Account => ACCOUNTS,
            Expected::Metric => &[],
            Expected::Stage => return stages.to_vec(),
            Expected::End => &[],
        };
        list.iter().map(|s| s.to_string()).collect()
    }
}

/// The JSON names carry units (`value_added_musd`, `volume_kt`); both spellings are accepted.
fn bare(name: &str) -> &str {
    name.strip_suffix("_musd")
        .or_else(|| name.strip_suffix("_kt"))
        .unwrap_or(name)
}

/// Classifies a subject (its first part, the country, is checked elsewhere), or says at which
/// part it goes wrong and what was expected there.
pub fn classify(parts: &[Ident], stages: &[String]) -> Result<Metric, (usize, Expected)> {
    let part = |i: usize| parts.get(i).map(|p| bare(&p.name));
    let end = |i: usize, m: Metric| {
        if parts.len() > i {
            Err((i, Expected::End))
        } else {
            Ok(m)
        }
    };
    let yearly = |dimension| Metric {
        yearly: true,
        dimension,
    };
    match part(1) {
        Some("eci") => end(2, yearly(Some(Dimension::Index))),
        Some("value_added" | "value_captured") => end(2, yearly(Some(Dimension::Money))),
        Some("capture_ratio") => end(2, yearly(Some(Dimension::Share))),
        Some("linkages") => match part(2) {
            Some("value_added") => end(3, yearly(Some(Dimension::Money))),
            _ => Err((2, Expected::Linkages)),
        },
        // A `metric` rule's output: any name, a plain number.
        Some("metrics") => match part(2) {
            Some(_) => end(3, yearly(Some(Dimension::Index))),
            None => Err((2, Expected::Metric)),
        },
        Some("accounts") => match part(2) {
            Some(a) if ACCOUNTS.contains(&a) => end(3, yearly(Some(Dimension::Mass))),
            _ => Err((2, Expected::Account)),
        },
        Some("summary") => {
            let once = |dimension| Metric {
                yearly: false,
                dimension,
            };
            match part(2) {
                Some("value_added" | "value_captured") => end(3, once(Some(Dimension::Money))),
                Some("capture_ratio") => end(3, once(Some(Dimension::Share))),
                Some(s @ ("first_feasible_year" | "outpaced")) => match part(3) {
                    Some(stage) if stages.iter().any(|x| x == stage) => end(
                        4,
                        once(if s == "outpaced" {
                            None
                        } else {
                            Some(Dimension::Index)
                        }),
                    ),
                    _ => Err((3, Expected::Stage)),
                },
                _ => Err((2, Expected::SummaryOutcome)),
            }
        }
        Some(stage) if stages.iter().any(|s| s == stage) => match part(2) {
            Some("feasible") => end(3, yearly(None)),
            Some("volume") => end(3, yearly(Some(Dimension::Mass))),
            Some("value_added" | "value_captured") => end(3, yearly(Some(Dimension::Money))),
            Some("capture_ratio") => end(3, yearly(Some(Dimension::Share))),
            _ => Err((2, Expected::StageOutcome)),
        },
        _ => Err((1, Expected::CountryOutcome)),
    }
}
