//! What a run produces: per country and year, per stage, the value added and the value
//! captured, with the accounts, the upgrading window and what happened along the way.
//!
//! Numbers are rounded when the outcome is built ([`round`]), so that the same scenario gives
//! the same bytes on every machine.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::scenario::Year;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub scenario: String,
    pub timeline: TimelineOut,
    pub countries: IndexMap<String, CountryOutcome>,
    pub diagnostics: Vec<RunNote>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct TimelineOut {
    pub start: Year,
    pub end: Year,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CountryOutcome {
    pub years: IndexMap<Year, YearOutcome>,
    pub summary: Summary,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct YearOutcome {
    pub eci: f64,
    pub stages: IndexMap<String, StageOutcome>,
    pub linkages: Linkages,
    pub value_added_musd: f64,
    pub value_captured_musd: f64,
    /// `null` where nothing is added.
    pub capture_ratio: Option<f64>,
    /// ISDS awards charged this year.
    pub isds_award_musd: f64,
    pub accounts: Accounts,
    /// Custom outputs of `metric` rules.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub metrics: IndexMap<String, f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StageOutcome {
    pub feasible: bool,
    pub volume_kt: f64,
    pub value_added_musd: f64,
    pub value_captured_musd: f64,
    pub capture_ratio: Option<f64>,
    /// Capacity that stands idle because the stage is not feasible, kt/yr.
    pub idle_capacity_kt: f64,
    /// Upstream product that could be neither sold abroad nor processed at home, kt.
    pub stranded_kt: f64,
    /// Debt service owed on capacity built with debt, whether it runs or not.
    pub debt_service_musd: f64,
    /// Domestic ownership share of the stage.
    pub domestic_ownership: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Linkages {
    /// Value added by domestic suppliers of goods and services to the chain's stages.
    pub value_added_musd: f64,
}

/// The brief's Figure 4: three ways to count a country's copper.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Accounts {
    /// Mined in the country.
    pub production_kt: f64,
    /// Mined anywhere by owners from the country.
    pub controlled_kt: f64,
    /// The country's share of world final demand.
    pub consumption_kt: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub value_added_musd: f64,
    pub value_captured_musd: f64,
    pub capture_ratio: Option<f64>,
    /// First year each stage is feasible; `null` when never within the timeline.
    pub first_feasible_year: IndexMap<String, Option<Year>>,
    /// The year world demand peaks, if the scenario has a demand path.
    pub demand_peak_year: Option<Year>,
    /// True when the stage becomes feasible only after the demand peak, or never.
    pub outpaced: IndexMap<String, bool>,
}

/// Something the run wants the reader to know: a policy blocked by an agreement, ore left
/// stranded, world output scaled to the world balance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RunNote {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The years it applies to, as ranges `start..=end`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<(Year, Year)>,
    /// `file:line:column` of the scenario line it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Rounds to 3 decimals (kt, musd) and removes the sign of zero.
pub fn round(v: f64) -> f64 {
    round_to(v, 1e3)
}

/// Rounds ratios and indices to 4 decimals.
pub fn round_ratio(v: f64) -> f64 {
    round_to(v, 1e4)
}

fn round_to(v: f64, scale: f64) -> f64 {
    let r = (v * scale).round() / scale;
    if r == 0.0 || !r.is_finite() {
        0.0
    } else {
        r
    }
}

/// `captured / added`, or `None` where nothing is added.
pub fn ratio(captured: f64, added: f64) -> Option<f64> {
    (added.abs() > 1e-9).then(|| round_ratio(captured / added))
}
