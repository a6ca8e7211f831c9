//! Conditions of exchange: which policy actions are in force in a country and year, and
//! under what terms — applied, blocked by an agreement, or applied under ISDS.

use crate::scenario::{Action, Agreement, Lever, Policy, Scenario, Year};

/// Whether an action takes effect in a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// In force, no agreement in the way (or a flexibility covers it).
    Applies,
    /// Restricted by the agreement (index into `Scenario::agreements`) with no flexibility.
    Blocked(usize),
    /// Restricted, but the agreement settles disputes by ISDS: it applies and an award is
    /// charged.
    UnderIsds(usize),
}

/// A policy's action, with its policy, in the order the model applies them.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'s> {
    /// Index into `Scenario::policies`.
    pub policy: usize,
    /// Index of the action in its policy.
    pub index: usize,
    pub action: &'s Action,
    pub from: Year,
}

/// The actions of a country's policies, sorted so that later policies override earlier
/// ones: by start year, then declaration order.
pub fn actions_of<'s>(scenario: &'s Scenario, country: &str) -> Vec<Placed<'s>> {
    let mut out: Vec<Placed<'s>> = scenario
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.country == country)
        .flat_map(|(i, p): (usize, &'s Policy)| {
            p.actions
                .iter()
                .enumerate()
                .map(move |(index, action)| Placed {
                    policy: i,
                    index,
                    action,
                    from: p.from,
                })
        })
        .collect();
    out.sort_by_key(|a| (a.from, a.policy));
    out
}

/// The standing of an action in a country and year (the action has started).
pub fn standing(scenario: &Scenario, country: &str, lever: Option<Lever>, year: Year) -> Standing {
    let Some(lever) = lever else {
        return Standing::Applies;
    };
    let mut isds = None;
    for (i, agreement) in scenario.agreements.iter().enumerate() {
        if !binds(agreement, country, lever) || covered(scenario, agreement, country, lever, year) {
            continue;
        }
        if agreement.isds_award_years.is_none() {
            return Standing::Blocked(i);
        }
        isds.get_or_insert(i);
    }
    match isds {
        Some(i) => Standing::UnderIsds(i),
        None => Standing::Applies,
    }
}

fn binds(agreement: &Agreement, country: &str, lever: Lever) -> bool {
    agreement.parties.iter().any(|p| p == country) && agreement.restricts.contains(&lever)
}

/// A flexibility for the lever in the country, started by `year`, under this agreement or
/// under all.
fn covered(
    scenario: &Scenario,
    agreement: &Agreement,
    country: &str,
    lever: Lever,
    year: Year,
) -> bool {
    scenario.flexibilities.iter().any(|f| {
        f.country == country
            && f.from <= year
            && f.levers.contains(&lever)
            && f.under.as_ref().is_none_or(|u| *u == agreement.name)
    })
}
