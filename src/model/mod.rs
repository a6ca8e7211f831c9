//! The value-chain model: a checked [`Scenario`] becomes an [`Outcome`] — per country and
//! year, the value each stage adds and the value the country captures.
//!
//! - `levers`: which policies are in force, blocked by an agreement, or applied under ISDS;
//! - `simulate`: feasibility, flows, world balance, beneficiation rules, year by year;
//! - `value`: the value-added and value-captured formulas;
//! - `outcome`: the result, rounded for stable output.

pub mod defaults;
mod levers;
pub mod outcome;
mod simulate;
pub mod value;

use std::collections::BTreeSet;

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::rules::RuleSet;
use crate::scenario::{Scenario, Year, DOMESTIC};
pub use levers::Standing;
use outcome::*;
pub use simulate::StageSim;
use simulate::{simulate, Disabled, NoteKey, Simulation};

/// Compiles the scenario's rules and runs the model over its timeline.
pub fn evaluate(s: &Scenario) -> Result<Outcome, Diagnostics> {
    let rules = RuleSet::compile(s)?;
    run(s, &rules).map_err(|d| Diagnostics(vec![*d]))
}

/// Runs the model with rules compiled once (for many runs of one scenario, or of variations
/// of it with the same rules).
pub fn run(s: &Scenario, rules: &RuleSet) -> Result<Outcome, Box<Diagnostic>> {
    let sim = simulate(s, &Disabled::new(), rules)?;
    finite(s, &sim)?;
    let awards = isds_awards(s, &sim, rules)?;
    let mut notes = notes(s, &sim);
    notes.extend(awards.notes);
    notes.extend(
        rules
            .take_output()
            .into_iter()
            .take(100)
            .map(|text| RunNote {
                code: "rule_print".into(),
                message: text,
                country: None,
                years: Vec::new(),
                at: None,
            }),
    );
    Ok(build(s, &sim, &awards.by_country, notes))
}

/// A run whose numbers overflow (a scenario's magnitudes far beyond any economy) is an error,
/// not a table of zeros.
fn finite(s: &Scenario, sim: &Simulation) -> Result<(), Box<Diagnostic>> {
    for (ci, years) in sim.countries.iter().enumerate() {
        for y in years {
            for (si, st) in y.stages.iter().enumerate() {
                let values = [
                    st.volume,
                    st.capacity,
                    st.value.value_added,
                    st.value.value_captured,
                    st.value.linkages,
                    y.eci,
                ];
                if values.iter().all(|v| v.is_finite()) {
                    continue;
                }
                let country = s.countries.get_index(ci).map_or("", |(k, _)| k.as_str());
                let stage = s.stages.get_index(si).map_or("", |(k, _)| k.as_str());
                let d = Diagnostic::error(
                    "gvc::overflow",
                    format!("the numbers of {country}, {stage}, {} are too large to compute", y.year),
                )
                .label_at(&s.sources, s.countries[ci].origin, "this country")
                .help("check the scenario's magnitudes and units: volumes are in kt, unit values in usd/t");
                return Err(Box::new(d));
            }
        }
    }
    Ok(())
}

/// One country in one year as the model computed it, stage by stage: what `gvc explain`
/// shows.
pub struct Trace {
    pub eci: f64,
    pub stages: IndexMap<String, StageSim>,
    pub isds_award: f64,
    /// World demand that year, if the scenario has a demand path.
    pub demand: Option<f64>,
}

/// Runs the scenario and returns the computation for one country and year; `None` when the
/// country or year is not in the scenario.
pub fn trace(s: &Scenario, country: &str, year: Year) -> Result<Option<Trace>, Diagnostics> {
    let rules = RuleSet::compile(s)?;
    let one = |d: Box<Diagnostic>| Diagnostics(vec![*d]);
    let sim = simulate(s, &Disabled::new(), &rules).map_err(one)?;
    let awards = isds_awards(s, &sim, &rules).map_err(one)?;
    let (Some(ci), true) = (s.countries.get_index_of(country), s.timeline.contains(year)) else {
        return Ok(None);
    };
    let yi = (year - s.timeline.start) as usize;
    let y = &sim.countries[ci][yi];
    Ok(Some(Trace {
        eci: y.eci,
        stages: s
            .stages
            .keys()
            .cloned()
            .zip(y.stages.iter().cloned())
            .collect(),
        isds_award: awards.by_country[ci][yi],
        demand: s.world.demand.as_ref().map(|d| d.at(year)),
    }))
}

/// The policy actions of a country that have started by `year`, in the order the model
/// applies them (later ones override earlier ones on the same lever), with their standing
/// under the agreements.
pub fn actions_in_force<'s>(
    s: &'s Scenario,
    country: &str,
    year: Year,
) -> Vec<(usize, &'s crate::scenario::Action, Standing)> {
    levers::actions_of(s, country)
        .into_iter()
        .filter(|p| p.from <= year)
        .map(|p| {
            (
                p.policy,
                p.action,
                levers::standing(s, country, p.action.kind.lever(), year),
            )
        })
        .collect()
}

struct Awards {
    /// Per country, per year of the timeline, musd.
    by_country: Vec<Vec<f64>>,
    notes: Vec<RunNote>,
}

/// An action applied under ISDS costs the country an award: N years of the foreign owners'
/// surplus lost in the first year it applies, against the same year without the actions that
/// ISDS let through. The award is charged in that year.
fn isds_awards(s: &Scenario, sim: &Simulation, rules: &RuleSet) -> Result<Awards, Box<Diagnostic>> {
    let mut by_country: Vec<Vec<f64>> = sim.countries.iter().map(|y| vec![0.0; y.len()]).collect();
    let mut notes = Vec::new();
    if sim.under_isds.is_empty() {
        return Ok(Awards { by_country, notes });
    }
    let disabled: Disabled = sim.under_isds.keys().copied().collect();
    let counterfactual = simulate(s, &disabled, rules)?;
    for (ci, years) in sim.countries.iter().enumerate() {
        let agreements: BTreeSet<usize> =
            years.iter().flat_map(|y| y.isds.iter().copied()).collect();
        for a in agreements {
            let Some(first) = years.iter().position(|y| y.isds.contains(&a)) else {
                continue;
            };
            let foreign = |y: &simulate::YearSim| -> f64 {
                y.stages.iter().map(|st| st.value.foreign_surplus).sum()
            };
            let lost =
                (foreign(&counterfactual.countries[ci][first]) - foreign(&years[first])).max(0.0);
            let agreement = &s.agreements[a];
            let n = agreement.isds_award_years.as_ref().map_or(0.0, |q| q.value);
            let award = n * lost;
            by_country[ci][first] += award;
            let country = s
                .countries
                .get_index(ci)
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            notes.push(RunNote {
                code: "isds_award".into(),
                message: format!(
                    "{country} applies a policy that \"{}\" restricts; under ISDS it owes an award of {} musd ({} years of the {} musd of yearly surplus its foreign owners lose)",
                    agreement.name,
                    round(award),
                    round(n),
                    round(lost)
                ),
                country: Some(country),
                years: vec![(years[first].year, years[first].year)],
                at: Some(s.sources.describe(agreement.origin)),
            });
        }
    }
    Ok(Awards { by_country, notes })
}

fn notes(s: &Scenario, sim: &Simulation) -> Vec<RunNote> {
    let country = |ci: usize| {
        s.countries
            .get_index(ci)
            .map(|(k, _)| k.clone())
            .unwrap_or_default()
    };
    let stage = |si: usize| {
        s.stages
            .get_index(si)
            .map(|(k, _)| k.clone())
            .unwrap_or_default()
    };
    let start = s.timeline.start;
    let mut out = Vec::new();
    for (key, years) in &sim.notes.entries {
        let years_list: Vec<Year> = years.iter().copied().collect();
        let max_over = |ci: usize, f: &dyn Fn(&simulate::YearSim) -> f64| {
            years_list
                .iter()
                .map(|&y| f(&sim.countries[ci][(y - start) as usize]))
                .fold(0.0, f64::max)
        };
        let (code, message, country_name, at) = match *key {
            NoteKey::Blocked(_, p, a, ag) => {
                let policy = &s.policies[p];
                let action = &policy.actions[a];
                let what = match action.kind.stage() {
                    Some(st) => format!("{} {st}", action.kind.keyword()),
                    None => action.kind.keyword().to_string(),
                };
                let lever = action.kind.lever().map_or("", |l| l.name());
                (
                    "policy_blocked",
                    format!(
                        "`{what}` of policy \"{}\" is blocked in {} by \"{}\": no flexibility covers `{lever}`",
                        policy.name,
                        policy.country,
                        s.agreements[ag].name
                    ),
                    Some(policy.country.clone()),
                    Some(s.sources.describe(action.origin)),
                )
            }
            NoteKey::Stranded(ci, si) => {
                let most = max_over(ci, &|y| y.stages[si].stranded);
                (
                    "stranded",
                    format!(
                        "{}: up to {} kt/yr of {} output can be neither exported nor processed at home",
                        country(ci),
                        round(most),
                        stage(si)
                    ),
                    Some(country(ci)),
                    None,
                )
            }
            NoteKey::Idle(ci, si) => {
                let most = max_over(ci, &|y| y.stages[si].idle_capacity);
                (
                    "idle_capacity",
                    format!(
                        "{}: up to {} kt/yr of {} capacity stands idle: ECI does not reach the stage's PCI ({})",
                        country(ci),
                        round(most),
                        stage(si),
                        round_ratio(s.stages[si].pci.value)
                    ),
                    Some(country(ci)),
                    None,
                )
            }
            NoteKey::WorldBalance(si) => (
                "world_balance",
                format!(
                    "world {} output would exceed its input; every country's {} volume is scaled down pro rata",
                    stage(si),
                    stage(si)
                ),
                None,
                None,
            ),
            NoteKey::ReservesExhausted(ci) => (
                "reserves_exhausted",
                format!("{}: mine output is limited by the remaining reserves", country(ci)),
                Some(country(ci)),
                None,
            ),
        };
        out.push(RunNote {
            code: code.into(),
            message,
            country: country_name,
            years: ranges(years),
            at,
        });
    }
    out
}

/// `{2027, 2028, 2029, 2031}` → `[(2027, 2029), (2031, 2031)]`
fn ranges(years: &BTreeSet<Year>) -> Vec<(Year, Year)> {
    let mut out: Vec<(Year, Year)> = Vec::new();
    for &y in years {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == y => *end = y,
            _ => out.push((y, y)),
        }
    }
    out
}

fn build(s: &Scenario, sim: &Simulation, awards: &[Vec<f64>], notes: Vec<RunNote>) -> Outcome {
    let stage_names: Vec<&String> = s.stages.keys().collect();
    let first_stage = s
        .stages
        .values()
        .position(|st| st.input.is_none() && st.feeds.is_none());
    // Controlled production: tonnes mined anywhere by owners from each country.
    let n_years = s.timeline.years().count();
    let mut controlled = vec![vec![0.0; n_years]; s.countries.len()];
    if let Some(e) = first_stage {
        for (k, years) in sim.countries.iter().enumerate() {
            for (yi, y) in years.iter().enumerate() {
                let st = &y.stages[e];
                for (owner, share) in &st.ownership {
                    let owner_country = if owner == DOMESTIC {
                        Some(k)
                    } else {
                        s.countries.get_index_of(owner)
                    };
                    if let Some(c) = owner_country {
                        controlled[c][yi] += st.volume * share;
                    }
                }
            }
        }
    }

    let mut countries = IndexMap::new();
    for (ci, (name, _)) in s.countries.iter().enumerate() {
        let mut years = IndexMap::new();
        let mut total_added = 0.0;
        let mut total_captured = 0.0;
        let mut first_feasible: IndexMap<String, Option<Year>> =
            stage_names.iter().map(|n| ((*n).clone(), None)).collect();
        for (yi, y) in sim.countries[ci].iter().enumerate() {
            let mut stages = IndexMap::new();
            let mut added = 0.0;
            let mut captured = 0.0;
            let mut linkages = 0.0;
            for (si, st) in y.stages.iter().enumerate() {
                if st.feasible {
                    first_feasible[si].get_or_insert(y.year);
                }
                added += st.value.value_added;
                captured += st.value.value_captured;
                linkages += st.value.linkages;
                stages.insert(
                    stage_names[si].clone(),
                    StageOutcome {
                        feasible: st.feasible,
                        volume_kt: round(st.volume),
                        value_added_musd: round(st.value.value_added),
                        value_captured_musd: round(st.value.value_captured),
                        capture_ratio: ratio(st.value.value_captured, st.value.value_added),
                        idle_capacity_kt: round(st.idle_capacity),
                        stranded_kt: round(st.stranded),
                        debt_service_musd: round(st.debt_service),
                        domestic_ownership: round_ratio(
                            st.ownership.get(DOMESTIC).copied().unwrap_or(0.0),
                        ),
                    },
                );
            }
            let award = awards[ci][yi];
            let value_added = added + linkages;
            let value_captured = captured + linkages - award;
            total_added += value_added;
            total_captured += value_captured;
            years.insert(
                y.year,
                YearOutcome {
                    eci: round_ratio(y.eci),
                    stages,
                    linkages: Linkages {
                        value_added_musd: round(linkages),
                    },
                    value_added_musd: round(value_added),
                    value_captured_musd: round(value_captured),
                    capture_ratio: ratio(value_captured, value_added),
                    isds_award_musd: round(award),
                    metrics: y
                        .metrics
                        .iter()
                        .map(|(k, v)| (k.clone(), round(*v)))
                        .collect(),
                    accounts: Accounts {
                        production_kt: round(first_stage.map_or(0.0, |e| y.stages[e].volume)),
                        controlled_kt: round(controlled[ci][yi]),
                        consumption_kt: round(y.consumption_kt),
                    },
                },
            );
        }
        let outpaced = first_feasible
            .iter()
            .map(|(stage, first)| {
                let late = match (first, sim.demand_peak) {
                    (None, _) => true,
                    (Some(f), Some(peak)) => *f > peak,
                    (Some(_), None) => false,
                };
                (stage.clone(), late)
            })
            .collect();
        countries.insert(
            name.clone(),
            CountryOutcome {
                years,
                summary: Summary {
                    value_added_musd: round(total_added),
                    value_captured_musd: round(total_captured),
                    capture_ratio: ratio(total_captured, total_added),
                    first_feasible_year: first_feasible,
                    demand_peak_year: sim.demand_peak,
                    outpaced,
                },
            },
        );
    }
    Outcome {
        scenario: s.name.clone(),
        timeline: TimelineOut {
            start: s.timeline.start,
            end: s.timeline.end,
        },
        countries,
        diagnostics: notes,
    }
}
