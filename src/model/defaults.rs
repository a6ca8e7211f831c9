//! The model's defaults: what it assumes where a scenario says nothing. Each is an
//! assumption, and `gvc run --assumptions` lists the ones a result rests on.

/// Share of capacity in use (`utilisation_default`).
pub const UTILISATION: f64 = 0.85;
/// Labour's share of a stage's value added (`labour_share`).
pub const LABOUR_SHARE: f64 = 0.25;
/// Share of a stage's margin spent on goods and services (`input_share`).
pub const INPUT_SHARE: f64 = 0.5;
/// Share of the wage bill paid to residents (`domestic_wage_share`).
pub const DOMESTIC_WAGE_SHARE: f64 = 1.0;
/// Tax on profit (`corporate_tax`).
pub const CORPORATE_TAX: f64 = 0.25;
/// Value added per dollar sold by domestic suppliers (`supplier_va_share`).
pub const SUPPLIER_VA_SHARE: f64 = 0.4;
/// PCI units a technology-transfer policy adds (`tech_transfer_bonus`).
pub const TECH_TRANSFER_BONUS: f64 = 0.5;
/// `ECI + bonus >= PCI - tolerance` (`feasibility_tolerance`).
pub const FEASIBILITY_TOLERANCE: f64 = 0.0;
/// Capital cost of new capacity, usd per tonne of yearly capacity (`capital_cost`).
pub const CAPITAL_COST: f64 = 5000.0;
/// Who owns what a fully domestic stage sells when a policy lowers the domestic share.
pub const UNATTRIBUTED_FOREIGN: &str = "foreign";

/// Every default with its statement and value, for listings.
pub const ALL: &[(&str, f64, &str)] = &[
    (
        "utilisation_default",
        UTILISATION,
        "share of capacity in use",
    ),
    (
        "labour_share",
        LABOUR_SHARE,
        "labour's share of a stage's value added",
    ),
    (
        "input_share",
        INPUT_SHARE,
        "share of a stage's margin spent on goods and services",
    ),
    (
        "domestic_wage_share",
        DOMESTIC_WAGE_SHARE,
        "share of the wage bill paid to residents",
    ),
    ("corporate_tax", CORPORATE_TAX, "tax on profit"),
    (
        "supplier_va_share",
        SUPPLIER_VA_SHARE,
        "value added per dollar sold by domestic suppliers",
    ),
    (
        "tech_transfer_bonus",
        TECH_TRANSFER_BONUS,
        "PCI units a technology transfer adds",
    ),
    (
        "feasibility_tolerance",
        FEASIBILITY_TOLERANCE,
        "ECI + bonus >= PCI - tolerance",
    ),
    (
        "capital_cost",
        CAPITAL_COST,
        "usd per tonne of yearly capacity",
    ),
];

/// The model defaults a scenario's results rest on: each slot the scenario leaves empty
/// where the model needs a value.
pub fn used(s: &crate::scenario::Scenario) -> Vec<String> {
    use crate::scenario::{ActionKind, Financing, DOMESTIC};
    let pct = |v: f64| format!("{}%", v * 100.0);
    let mut out = Vec::new();
    let w = &s.world;
    if w.feasibility_tolerance.is_none() {
        out.push(format!(
            "feasibility_tolerance {FEASIBILITY_TOLERANCE} (world)"
        ));
    }
    if w.supplier_va_share.is_none() {
        out.push(format!(
            "supplier_va_share {} (world)",
            pct(SUPPLIER_VA_SHARE)
        ));
    }
    let actions = || {
        s.policies
            .iter()
            .flat_map(|p| p.actions.iter().map(move |a| (p, a)))
    };
    if w.tech_transfer_bonus.is_none()
        && actions().any(|(_, a)| matches!(&a.kind, ActionKind::TechTransfer { bonus: None, .. }))
    {
        out.push(format!("tech_transfer_bonus {TECH_TRANSFER_BONUS} (world)"));
    }
    for st in s.stages.values() {
        if st.labour_share.is_none() {
            out.push(format!(
                "labour_share {} (stage `{}`)",
                pct(LABOUR_SHARE),
                st.name
            ));
        }
        if st.input_share.is_none() {
            out.push(format!(
                "input_share {} (stage `{}`)",
                pct(INPUT_SHARE),
                st.name
            ));
        }
        let borrows = actions().any(|(_, a)| {
            matches!(&a.kind, ActionKind::Build(b) if b.stage == st.name && matches!(b.financing, Financing::Debt { .. }))
        });
        if st.capital_cost.is_none() && borrows {
            out.push(format!(
                "capital_cost {CAPITAL_COST} usd/tpa (stage `{}`)",
                st.name
            ));
        }
    }
    for c in s.countries.values() {
        if c.corporate_tax.is_none() {
            out.push(format!(
                "corporate_tax {} (country `{}`)",
                pct(CORPORATE_TAX),
                c.name
            ));
        }
        if c.domestic_wage_share.is_none() {
            out.push(format!(
                "domestic_wage_share {} (country `{}`)",
                pct(DOMESTIC_WAGE_SHARE),
                c.name
            ));
        }
        for (i, st) in s.stages.values().enumerate() {
            let produces = if i == 0 {
                c.mine_output.is_some()
            } else {
                c.capacity.contains_key(&st.name)
            };
            if !produces {
                continue;
            }
            if !c.ownership.contains_key(&st.name) {
                out.push(format!(
                    "ownership {} {{ {DOMESTIC} 100% }} (country `{}`)",
                    st.name, c.name
                ));
            }
            if i > 0 && !c.utilisation.contains_key(&st.name) && w.utilisation_default.is_none() {
                out.push(format!(
                    "utilisation {} {} (country `{}`)",
                    st.name,
                    pct(UTILISATION),
                    c.name
                ));
            }
        }
    }
    out
}
