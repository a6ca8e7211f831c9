//! The yearly simulation: policies in force, feasibility, flows (reserves, capacity, world
//! balance, beneficiation rules), then value added and value captured per stage.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::defaults;
use super::levers::{actions_of, standing, Placed, Standing};
use super::value::{annuity, stage_value, StageInputs, StageValue};
use crate::diagnostic::Diagnostic;
use crate::rules::{CountryView, RuleSet, StageView};
use crate::scenario::{ActionKind, Financing, Hook, OwnershipChange, Scenario, Year, DOMESTIC};

/// Which actions to leave out (for the ISDS counterfactual): (policy, action) indices.
pub type Disabled = BTreeSet<(usize, usize)>;

pub struct Simulation {
    pub countries: Vec<Vec<YearSim>>,
    pub demand_peak: Option<Year>,
    pub notes: Notes,
    /// Actions applied under ISDS: (policy, action) → agreement.
    pub under_isds: BTreeMap<(usize, usize), usize>,
}

pub struct YearSim {
    pub year: Year,
    pub eci: f64,
    pub stages: Vec<StageSim>,
    pub consumption_kt: f64,
    /// Agreements under which some action applied this year through ISDS.
    pub isds: BTreeSet<usize>,
    /// Custom outputs of `metric` rules, in declaration order.
    pub metrics: IndexMap<String, f64>,
}

impl YearSim {
    /// Value added and captured by the stages and their domestic suppliers (before any ISDS
    /// award).
    pub fn totals(&self) -> (f64, f64) {
        self.stages.iter().fold((0.0, 0.0), |(a, c), st| {
            (
                a + st.value.value_added + st.value.linkages,
                c + st.value.value_captured + st.value.linkages,
            )
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct StageSim {
    pub feasible: bool,
    pub capacity: f64,
    pub volume: f64,
    pub idle_capacity: f64,
    pub stranded: f64,
    pub debt_service: f64,
    pub ownership: IndexMap<String, f64>,
    pub value: StageValue,
    /// What the value formulas were given, and the feasibility facts: for `gvc explain`.
    pub inputs: StageInputs,
    pub bonus: f64,
    pub tolerance: f64,
    pub utilisation: f64,
}

/// Notes collected over the years, keyed so that each says its years once.
#[derive(Default)]
pub struct Notes {
    pub entries: BTreeMap<NoteKey, BTreeSet<Year>>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKey {
    /// (country, policy, action, agreement)
    Blocked(usize, usize, usize, usize),
    /// (country, stage)
    Stranded(usize, usize),
    /// (country, stage)
    Idle(usize, usize),
    /// stage
    WorldBalance(usize),
    /// country
    ReservesExhausted(usize),
}

impl Notes {
    fn add(&mut self, key: NoteKey, year: Year) {
        self.entries.entry(key).or_default().insert(year);
    }
}

/// What is in force in one country and year.
struct InForce {
    eci: f64,
    bonus: Vec<f64>,
    local_processing: Vec<f64>,
    local_content: Vec<f64>,
    ownership: Vec<IndexMap<String, f64>>,
    royalty: f64,
    tax: f64,
    /// Capacity added by builds, by stage: (owner, kt/yr).
    built: Vec<Vec<(String, f64)>>,
    debt_service: Vec<f64>,
    isds: BTreeSet<usize>,
}

pub fn simulate(
    s: &Scenario,
    disabled: &Disabled,
    rules: &RuleSet,
) -> Result<Simulation, Box<Diagnostic>> {
    let stages: Vec<&crate::scenario::Stage> = s.stages.values().collect();
    let stage_index = |name: &str| s.stages.get_index_of(name);
    let inputs: Vec<Option<usize>> = stages
        .iter()
        .map(|st| st.input.as_deref().and_then(stage_index))
        .collect();
    let feeds: Vec<Option<usize>> = stages
        .iter()
        .map(|st| st.feeds.as_deref().and_then(stage_index))
        .collect();
    let first = |i: usize| inputs[i].is_none() && feeds[i].is_none();
    let setting = |q: &Option<crate::scenario::Quantity>, default: f64| {
        q.as_ref().map_or(default, |q| q.value)
    };
    let w = &s.world;
    let tolerance = setting(&w.feasibility_tolerance, defaults::FEASIBILITY_TOLERANCE);
    let default_bonus = setting(&w.tech_transfer_bonus, defaults::TECH_TRANSFER_BONUS);
    let supplier_va_share = setting(&w.supplier_va_share, defaults::SUPPLIER_VA_SHARE);
    let utilisation_default = setting(&w.utilisation_default, defaults::UTILISATION);
    let elasticity = setting(&w.price_elasticity, 0.0);
    let base_demand = s.world.demand.as_ref().map(|d| d.at(s.timeline.start));
    let follows = setting(&w.supply_follows_demand, 0.0);

    let countries: Vec<&crate::scenario::Country> = s.countries.values().collect();
    let actions: Vec<Vec<Placed<'_>>> = countries.iter().map(|c| actions_of(s, &c.name)).collect();
    let mut remaining: Vec<f64> = countries
        .iter()
        .map(|c| c.reserves.as_ref().map_or(f64::INFINITY, |r| r.value))
        .collect();
    let mut notes = Notes::default();
    let mut under_isds = BTreeMap::new();
    let mut out: Vec<Vec<YearSim>> = countries.iter().map(|_| Vec::new()).collect();

    for year in s.timeline.years() {
        let demand = s.world.demand.as_ref().map(|d| d.at(year));
        let price_factor = match (demand, base_demand) {
            (Some(d), Some(b)) if elasticity != 0.0 && b > 0.0 => (d / b).powf(elasticity),
            _ => 1.0,
        };
        let mut unit_values: Vec<f64> = stages
            .iter()
            .map(|st| st.unit_value.at(year) * price_factor)
            .collect();
        if rules.has(&Hook::UnitValue) {
            for (si, st) in stages.iter().enumerate() {
                let view = StageView {
                    stage: st.name.as_str().into(),
                    year: year.into(),
                    pci: st.pci.value,
                    unit_value: unit_values[si],
                    input_unit_value: inputs[si].map_or(0.0, |i| unit_values[i]),
                    ..StageView::default()
                };
                if let Some(v) = rules.unit_value(&view) {
                    unit_values[si] = v?;
                }
            }
        }
        // Supply tied to demand: each country keeps its share of world supply.
        let supply_factor = match (demand, base_demand) {
            (Some(d), Some(b)) if follows != 0.0 && b > 0.0 => 1.0 + follows * (d / b - 1.0),
            _ => 1.0,
        };

        // 1. What is in force, feasibility and volumes before the constraints.
        let mut sims: Vec<YearSim> = Vec::with_capacity(countries.len());
        let mut in_force: Vec<InForce> = Vec::with_capacity(countries.len());
        for (ci, c) in countries.iter().enumerate() {
            let mut f = resolve(
                s,
                ci,
                &actions[ci],
                year,
                disabled,
                default_bonus,
                &mut notes,
                &mut under_isds,
            );
            if rules.has(&Hook::Eci) || rules.has(&Hook::OnYear) {
                let view = country_view(s, c, year, &f, &unit_values, out[ci].last());
                if let Some(eci) = rules.eci(&view) {
                    f.eci = eci?;
                }
                if let Some(actions) = rules.on_year(&view) {
                    apply_year_actions(s, &mut f, &actions?);
                }
            }
            let mut stage_sims = Vec::with_capacity(stages.len());
            for (si, st) in stages.iter().enumerate() {
                // Conditions of production: ECI against PCI, or, where the scenario gives the
                // country's product-space density around the stage, density against a threshold.
                let mut feasible = match (&s.world.density_threshold, c.density.get(&st.name)) {
                    (Some(threshold), Some(density)) => density.at(year) >= threshold.value,
                    _ => f.eci + f.bonus[si] >= st.pci.value - tolerance,
                };
                if rules.has(&Hook::Feasible) {
                    let view = StageView {
                        country: c.name.as_str().into(),
                        stage: st.name.as_str().into(),
                        year: year.into(),
                        eci: f.eci,
                        pci: st.pci.value,
                        bonus: f.bonus[si],
                        tolerance,
                        feasible,
                        ..StageView::default()
                    };
                    if let Some(answer) = rules.feasible(&view) {
                        feasible = answer?;
                    }
                }
                let mut sim = StageSim {
                    feasible,
                    ownership: f.ownership[si].clone(),
                    debt_service: f.debt_service[si],
                    bonus: f.bonus[si],
                    tolerance,
                    ..StageSim::default()
                };
                if first(si) {
                    let output =
                        c.mine_output.as_ref().map_or(0.0, |p| p.at(year)).max(0.0) * supply_factor;
                    if output > remaining[ci] {
                        notes.add(NoteKey::ReservesExhausted(ci), year);
                    }
                    sim.volume = if feasible {
                        output.min(remaining[ci])
                    } else {
                        0.0
                    };
                } else {
                    let base = c
                        .capacity
                        .get(&st.name)
                        .map_or(0.0, |p| p.at(year))
                        .max(0.0)
                        * supply_factor;
                    let built: f64 = f.built[si].iter().map(|(_, kt)| kt).sum();
                    sim.capacity = base + built;
                    if built > 0.0 && sim.capacity > 0.0 {
                        sim.ownership = blend(&f.ownership[si], base, &f.built[si]);
                    }
                    let utilisation = c
                        .utilisation
                        .get(&st.name)
                        .map_or(utilisation_default, |p| p.at(year))
                        .clamp(0.0, 1.0);
                    sim.utilisation = utilisation;
                    if feasible {
                        sim.volume = utilisation * sim.capacity;
                    } else {
                        sim.idle_capacity = sim.capacity;
                        if sim.capacity > 0.0 {
                            notes.add(NoteKey::Idle(ci, si), year);
                        }
                    }
                }
                stage_sims.push(sim);
            }
            sims.push(YearSim {
                year,
                eci: f.eci,
                stages: stage_sims,
                consumption_kt: 0.0,
                isds: f.isds.clone(),
                metrics: IndexMap::new(),
            });
            in_force.push(f);
        }

        // 2. Beneficiation rules (per country) and the world balance (for the world), until
        // neither changes anything.
        for _ in 0..8 {
            let mut changed = false;
            for (ci, f) in in_force.iter().enumerate() {
                for (si, &x) in f.local_processing.iter().enumerate() {
                    let Some(input) = inputs[si] else { continue };
                    if x <= 0.0 {
                        continue;
                    }
                    let limit = sims[ci].stages[si].volume / x;
                    let upstream = &mut sims[ci].stages[input];
                    if upstream.volume > limit + 1e-9 {
                        upstream.stranded += upstream.volume - limit;
                        upstream.volume = limit;
                        notes.add(NoteKey::Stranded(ci, input), year);
                        changed = true;
                    }
                }
            }
            for (si, input) in inputs.iter().enumerate() {
                let Some(input) = *input else { continue };
                let mut supply: f64 = sims.iter().map(|y| y.stages[input].volume).sum();
                for (r, fed) in feeds.iter().enumerate() {
                    if *fed == Some(si) {
                        supply += sims.iter().map(|y| y.stages[r].volume).sum::<f64>();
                    }
                }
                let total: f64 = sims.iter().map(|y| y.stages[si].volume).sum();
                if total > supply * (1.0 + 1e-12) + 1e-9 {
                    let factor = if total > 0.0 { supply / total } else { 0.0 };
                    for y in sims.iter_mut() {
                        y.stages[si].volume *= factor;
                    }
                    notes.add(NoteKey::WorldBalance(si), year);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        // 3. Reserves, value added and value captured, consumption.
        let final_demand = demand.unwrap_or_else(|| {
            let last = stages.len().saturating_sub(1);
            sims.iter()
                .map(|y| y.stages.get(last).map_or(0.0, |st| st.volume))
                .sum()
        });
        for (ci, c) in countries.iter().enumerate() {
            let f = &in_force[ci];
            let sim = &mut sims[ci];
            let sim_eci = sim.eci;
            for (si, st) in stages.iter().enumerate() {
                if first(si) {
                    remaining[ci] = (remaining[ci] - sim.stages[si].volume).max(0.0);
                }
                let stage = &mut sim.stages[si];
                let stage_inputs = StageInputs {
                    volume_kt: stage.volume,
                    unit_value: unit_values[si],
                    input_unit_value: inputs[si].map_or(0.0, |i| unit_values[i]),
                    input_share: st
                        .input_share
                        .as_ref()
                        .map_or(defaults::INPUT_SHARE, |p| p.at(year)),
                    labour_share: st
                        .labour_share
                        .as_ref()
                        .map_or(defaults::LABOUR_SHARE, |p| p.at(year)),
                    domestic_wage_share: c
                        .domestic_wage_share
                        .as_ref()
                        .map_or(defaults::DOMESTIC_WAGE_SHARE, |p| p.at(year)),
                    domestic_ownership: stage.ownership.get(DOMESTIC).copied().unwrap_or(0.0),
                    royalty_rate: if first(si) { f.royalty } else { 0.0 },
                    tax_rate: f.tax,
                    local_content: f.local_content[si],
                    supplier_va_share,
                    debt_service: stage.debt_service,
                };
                stage.value = stage_value(&stage_inputs);
                stage.inputs = stage_inputs;
                if rules.has(&Hook::Capture) {
                    let view = stage_view(c, st, year, sim_eci, stage, &stage_inputs);
                    if let Some(captured) = rules.capture(&view) {
                        stage.value.value_captured = captured?;
                    }
                }
            }
            sim.consumption_kt =
                c.consumption_share.as_ref().map_or(0.0, |p| p.at(year)) * final_demand;
            if rules.metrics().next().is_some() {
                let mut view = country_view(s, c, year, f, &unit_values, out[ci].last());
                let (added, captured) = sim.totals();
                view.value_added_musd = added;
                view.value_captured_musd = captured;
                view.capture_ratio = ratio_dynamic(captured, added);
                view.volumes = s
                    .stages
                    .keys()
                    .zip(&sim.stages)
                    .map(|(k, st)| (k.as_str().into(), st.volume.into()))
                    .collect();
                let names: Vec<String> = rules.metrics().map(str::to_string).collect();
                for name in names {
                    if let Some(v) = rules.metric(&name, &view) {
                        sim.metrics.insert(name, v?);
                    }
                }
            }
        }
        for (ci, y) in sims.into_iter().enumerate() {
            out[ci].push(y);
        }
    }

    let demand_peak = s.world.demand.as_ref().map(|d| {
        let mut peak = s.timeline.start;
        for year in s.timeline.years() {
            if d.at(year) > d.at(peak) + 1e-9 {
                peak = year;
            }
        }
        peak
    });
    Ok(Simulation {
        countries: out,
        demand_peak,
        notes,
        under_isds,
    })
}

fn ratio_dynamic(captured: f64, added: f64) -> rhai::Dynamic {
    if added.abs() > 1e-9 {
        (captured / added).into()
    } else {
        rhai::Dynamic::UNIT
    }
}

/// What a country-level rule sees: this year's levers and prices, last year's results.
fn country_view(
    s: &Scenario,
    c: &crate::scenario::Country,
    year: Year,
    f: &InForce,
    unit_values: &[f64],
    previous: Option<&YearSim>,
) -> CountryView {
    let mut view = CountryView {
        country: c.name.as_str().into(),
        year: year.into(),
        eci: f.eci,
        royalty: f.royalty,
        corporate_tax: f.tax,
        prices: s
            .stages
            .keys()
            .zip(unit_values)
            .map(|(k, v)| (k.as_str().into(), (*v).into()))
            .collect(),
        domestic_ownership: s
            .stages
            .keys()
            .zip(&f.ownership)
            .map(|(k, o)| {
                (
                    k.as_str().into(),
                    o.get(DOMESTIC).copied().unwrap_or(0.0).into(),
                )
            })
            .collect(),
        capture_ratio: rhai::Dynamic::UNIT,
        ..CountryView::default()
    };
    if let Some(p) = previous {
        let (added, captured) = p.totals();
        view.previous = [
            ("value_added_musd".into(), added.into()),
            ("value_captured_musd".into(), captured.into()),
            ("capture_ratio".into(), ratio_dynamic(captured, added)),
        ]
        .into_iter()
        .collect();
        view.volumes = s
            .stages
            .keys()
            .zip(&p.stages)
            .map(|(k, st)| (k.as_str().into(), st.volume.into()))
            .collect();
    }
    view
}

/// What a stage-level rule sees once the stage's value is known.
fn stage_view(
    c: &crate::scenario::Country,
    st: &crate::scenario::Stage,
    year: Year,
    eci: f64,
    stage: &StageSim,
    i: &StageInputs,
) -> StageView {
    StageView {
        country: c.name.as_str().into(),
        stage: st.name.as_str().into(),
        year: year.into(),
        eci,
        pci: st.pci.value,
        bonus: 0.0,
        tolerance: 0.0,
        feasible: stage.feasible,
        volume_kt: stage.volume,
        capacity_kt: stage.capacity,
        unit_value: i.unit_value,
        input_unit_value: i.input_unit_value,
        input_share: i.input_share,
        labour_share: i.labour_share,
        domestic_wage_share: i.domestic_wage_share,
        domestic_ownership: i.domestic_ownership,
        royalty_rate: i.royalty_rate,
        tax_rate: i.tax_rate,
        local_content: i.local_content,
        debt_service_musd: i.debt_service,
        revenue_musd: stage.value.revenue,
        margin_musd: stage.value.margin,
        value_added_musd: stage.value.value_added,
        value_captured_musd: stage.value.value_captured,
    }
}

/// Applies what an `on_year` rule decided for this year.
fn apply_year_actions(s: &Scenario, f: &mut InForce, actions: &[crate::rules::YearAction]) {
    for a in actions {
        let stage = a
            .stage
            .as_deref()
            .and_then(|st| s.stages.get_index_of(st))
            .unwrap_or(0);
        let v = a.value.clamp(0.0, 1.0);
        match a.set.as_str() {
            "royalty" => f.royalty = v,
            "corporate_tax" => f.tax = v,
            "ownership" => set_share(&mut f.ownership[stage], DOMESTIC, v),
            "local_content" => f.local_content[stage] = v,
            _ => f.local_processing[stage] = v,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve(
    s: &Scenario,
    ci: usize,
    actions: &[Placed<'_>],
    year: Year,
    disabled: &Disabled,
    default_bonus: f64,
    notes: &mut Notes,
    under_isds: &mut BTreeMap<(usize, usize), usize>,
) -> InForce {
    let c = &s.countries[ci];
    let n = s.stages.len();
    let at = |p: Option<&crate::scenario::Path>, default: f64| p.map_or(default, |p| p.at(year));
    let mut f = InForce {
        eci: c.eci.at(year),
        bonus: vec![0.0; n],
        local_processing: vec![0.0; n],
        local_content: s
            .stages
            .keys()
            .map(|st| at(c.local_content.get(st), 0.0))
            .collect(),
        ownership: s
            .stages
            .keys()
            .map(|st| match c.ownership.get(st) {
                Some(o) => o.shares.iter().map(|(k, q)| (k.clone(), q.value)).collect(),
                None => IndexMap::from([(DOMESTIC.to_string(), 1.0)]),
            })
            .collect(),
        royalty: at(c.royalty.as_ref(), 0.0),
        tax: at(c.corporate_tax.as_ref(), defaults::CORPORATE_TAX),
        built: vec![Vec::new(); n],
        debt_service: vec![0.0; n],
        isds: BTreeSet::new(),
    };
    let mut eci_growth = 0.0;
    for placed in actions {
        if placed.from > year || disabled.contains(&(placed.policy, placed.index)) {
            continue;
        }
        let kind = &placed.action.kind;
        match standing(s, &c.name, kind.lever(), year) {
            Standing::Blocked(a) => {
                notes.add(NoteKey::Blocked(ci, placed.policy, placed.index, a), year);
                continue;
            }
            Standing::UnderIsds(a) => {
                f.isds.insert(a);
                under_isds.insert((placed.policy, placed.index), a);
            }
            Standing::Applies => {}
        }
        let stage = kind.stage().and_then(|st| s.stages.get_index_of(st));
        match kind {
            ActionKind::ExportBan { stage: banned } => {
                for (i, st) in s.stages.values().enumerate() {
                    if st.input.as_deref() == Some(banned.as_str()) {
                        f.local_processing[i] = 1.0;
                    }
                }
            }
            ActionKind::LocalProcessing { share, .. } => {
                if let Some(i) = stage {
                    f.local_processing[i] = share.at(year).clamp(0.0, 1.0);
                }
            }
            ActionKind::LocalContent { share, .. } => {
                if let Some(i) = stage {
                    f.local_content[i] = share.at(year).clamp(0.0, 1.0);
                }
            }
            ActionKind::Build(b) => {
                let Some(i) = stage else { continue };
                let years = f64::from(b.to - b.from + 1);
                let done = f64::from((year - b.from + 1).clamp(0, b.to - b.from + 1));
                let owner = match &b.financing {
                    Financing::Equity { owner } => owner.clone(),
                    Financing::Debt { .. } | Financing::Grant => DOMESTIC.to_string(),
                };
                f.built[i].push((owner, b.amount.value * done / years));
                if let Financing::Debt { rate, years: term } = &b.financing {
                    let capital_cost = s.stages[i]
                        .capital_cost
                        .as_ref()
                        .map_or(defaults::CAPITAL_COST, |q| q.value);
                    // Each year's tranche is borrowed that year and repaid from the next.
                    let tranche = b.amount.value / years * capital_cost / 1000.0;
                    let payment = annuity(tranche, rate.value, term.value);
                    let owing = (b.from..=b.to)
                        .filter(|&y| y < year && f64::from(year - y) <= term.value)
                        .count();
                    f.debt_service[i] += payment * owing as f64;
                }
            }
            ActionKind::Ownership { change, .. } => {
                let Some(i) = stage else { continue };
                match change {
                    OwnershipChange::Split(split) => {
                        f.ownership[i] = split
                            .shares
                            .iter()
                            .map(|(k, q)| (k.clone(), q.value))
                            .collect();
                    }
                    OwnershipChange::Owner { owner, share } => {
                        set_share(&mut f.ownership[i], owner, share.at(year).clamp(0.0, 1.0));
                    }
                }
            }
            ActionKind::Eci(path) => f.eci = path.at(year),
            ActionKind::TechTransfer {
                bonus,
                eci_growth: growth,
                ..
            } => {
                if let Some(i) = stage {
                    f.bonus[i] = bonus.as_ref().map_or(default_bonus, |q| q.value);
                }
                if let Some(g) = growth {
                    eci_growth += g.value * f64::from(year - placed.from);
                }
            }
            ActionKind::Royalty(p) => f.royalty = p.at(year).clamp(0.0, 1.0),
            ActionKind::CorporateTax(p) => f.tax = p.at(year).clamp(0.0, 1.0),
        }
    }
    f.eci += eci_growth;
    f
}

/// Sets one owner's share; the others keep their proportions of the rest.
fn set_share(shares: &mut IndexMap<String, f64>, owner: &str, share: f64) {
    let others: f64 = shares
        .iter()
        .filter(|(k, _)| *k != owner)
        .map(|(_, v)| v)
        .sum();
    if others > 0.0 {
        let scale = (1.0 - share) / others;
        for (k, v) in shares.iter_mut() {
            if k != owner {
                *v *= scale;
            }
        }
    } else if share < 1.0 {
        // The owner held everything: the rest goes to foreign owners if it was domestic,
        // and home otherwise.
        let rest = if owner == DOMESTIC {
            defaults::UNATTRIBUTED_FOREIGN
        } else {
            DOMESTIC
        };
        shares.insert(rest.to_string(), 1.0 - share);
    }
    shares.insert(owner.to_string(), share);
}

/// Ownership of a stage whose capacity is partly new: old capacity keeps its split, new
/// capacity belongs to whoever financed it.
fn blend(
    shares: &IndexMap<String, f64>,
    base: f64,
    built: &[(String, f64)],
) -> IndexMap<String, f64> {
    let total = base + built.iter().map(|(_, kt)| kt).sum::<f64>();
    let mut out: IndexMap<String, f64> = shares
        .iter()
        .map(|(k, v)| (k.clone(), v * base / total))
        .collect();
    for (owner, kt) in built {
        *out.entry(owner.clone()).or_insert(0.0) += kt / total;
    }
    out
}
