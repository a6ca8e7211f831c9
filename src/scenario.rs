//! A checked scenario: every name resolved, every number converted to the model's units and
//! carrying where it came from. This is what the checks hand to the model.
//!
//! Units: volumes in kt of copper content per year, unit values in USD per tonne, money in
//! USD million, shares as fractions in [0, 1], rates per year as fractions, years as integers.

use indexmap::IndexMap;

use crate::source::{Origin, Sources};

pub type Year = i32;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub timeline: Timeline,
    /// The scenario this one derives from, by name, if any.
    pub extends: Option<String>,
    pub chain: String,
    /// The stages in chain order.
    pub stages: IndexMap<String, Stage>,
    pub owners: IndexMap<String, Owner>,
    pub countries: IndexMap<String, Country>,
    pub world: World,
    pub policies: Vec<Policy>,
    pub agreements: Vec<Agreement>,
    pub flexibilities: Vec<Flexibility>,
    pub rules: Vec<RuleAttachment>,
    pub expectations: Vec<Expectation>,
    pub sources: Sources,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub start: Year,
    pub end: Year,
}

impl Timeline {
    pub fn contains(&self, year: Year) -> bool {
        (self.start..=self.end).contains(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = Year> {
        self.start..=self.end
    }
}

/// A number and where it came from.
#[derive(Clone, Debug)]
pub struct Quantity {
    /// In the model's unit for its slot.
    pub value: f64,
    pub provenance: Provenance,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Provenance {
    /// `source "…"`
    Source(String),
    /// `assumption` or `assumption "why"`
    Assumption(Option<String>),
    /// A cell of an imported CSV table; `source` is the row's own `source` column, if any.
    Table {
        file: String,
        line: usize,
        source: Option<String>,
    },
    /// Neither a source nor an assumption: `gvc run` lists these.
    Unstated,
}

/// A quantity over time: a base value and the segments that change it.
#[derive(Clone, Debug)]
pub struct Path {
    pub base: Quantity,
    /// The year the base value was observed, if said.
    pub base_year: Option<Year>,
    pub segments: Vec<Segment>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Segment {
    pub shape: Shape,
    pub from: Year,
    pub to: Year,
    /// The value reached at `to`; for `Growth`, the rate per year.
    pub value: Quantity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Linear,
    Logistic,
    Exponential,
    Step,
    Growth,
}

impl Path {
    pub fn constant(value: Quantity) -> Path {
        Path {
            origin: value.origin,
            base: value,
            base_year: None,
            segments: Vec::new(),
        }
    }

    /// The value in `year`. Before a segment starts the value holds; within it the value
    /// moves along the segment's shape; after it the value holds at the segment's end.
    pub fn at(&self, year: Year) -> f64 {
        let mut value = self.base.value;
        for seg in &self.segments {
            if year < seg.from {
                return value;
            }
            let t = year.min(seg.to);
            let span = f64::from(seg.to - seg.from);
            let x = if span > 0.0 {
                f64::from(t - seg.from) / span
            } else {
                1.0
            };
            let target = seg.value.value;
            value = match seg.shape {
                Shape::Linear => value + (target - value) * x,
                Shape::Logistic => value + (target - value) * logistic(x),
                Shape::Exponential if value > 0.0 && target > 0.0 => {
                    value * (target / value).powf(x)
                }
                Shape::Exponential => value + (target - value) * x,
                Shape::Step => target,
                Shape::Growth => value * (1.0 + target).powi(t - seg.from),
            };
            if year <= seg.to {
                return value;
            }
        }
        value
    }
}

/// An S-curve from (0, 0) to (1, 1), steepest in the middle.
fn logistic(x: f64) -> f64 {
    const STEEPNESS: f64 = 10.0;
    let f = |x: f64| 1.0 / (1.0 + (-STEEPNESS * (x - 0.5)).exp());
    (f(x) - f(0.0)) / (f(1.0) - f(0.0))
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    /// The stage whose output this one takes; `None` for the first stage (extraction).
    pub input: Option<String>,
    /// For a recycling stage: the stage its output goes into.
    pub feeds: Option<String>,
    pub products: Vec<Product>,
    /// The stage's PCI: declared with `stage_pci`, or the mean of its products'.
    pub pci: Quantity,
    pub pci_year: Option<Year>,
    pub unit_value: Path,
    pub labour_share: Option<Path>,
    pub input_share: Option<Path>,
    pub capital_cost: Option<Quantity>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Product {
    pub hs_code: String,
    pub label: Option<String>,
    pub pci: Option<Quantity>,
    pub pci_year: Option<Year>,
}

/// An owner of capital that is not a modelled country: `owner CAN "Canadian companies"`.
#[derive(Clone, Debug)]
pub struct Owner {
    pub name: String,
    pub label: Option<String>,
    pub origin: Origin,
}

/// The owner name that means "owned at home".
pub const DOMESTIC: &str = "domestic";

#[derive(Clone, Debug)]
pub struct Country {
    pub name: String,
    pub label: Option<String>,
    pub eci: Path,
    pub reserves: Option<Quantity>,
    pub mine_output: Option<Path>,
    pub capacity: IndexMap<String, Path>,
    pub utilisation: IndexMap<String, Path>,
    pub ownership: IndexMap<String, Ownership>,
    pub royalty: Option<Path>,
    pub corporate_tax: Option<Path>,
    pub domestic_wage_share: Option<Path>,
    pub local_content: IndexMap<String, Path>,
    pub consumption_share: Option<Path>,
    /// Product-space density around each stage (for the density feasibility rule).
    pub density: IndexMap<String, Path>,
    pub origin: Origin,
}

/// Who owns a stage in a country: owner → share, the shares summing to one.
#[derive(Clone, Debug)]
pub struct Ownership {
    pub shares: IndexMap<String, Quantity>,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct World {
    /// World demand for refined copper, kt/yr.
    pub demand: Option<Path>,
    pub price_elasticity: Option<Quantity>,
    pub feasibility_tolerance: Option<Quantity>,
    pub tech_transfer_bonus: Option<Quantity>,
    pub supplier_va_share: Option<Quantity>,
    pub utilisation_default: Option<Quantity>,
    /// How far mine output and capacities follow world demand: 0 not at all, 1 in
    /// proportion (each country keeps its share of world supply).
    pub supply_follows_demand: Option<Quantity>,
    /// Limits of the sandbox that runs Rhai rules (see `rules::Limits`).
    pub rule_operations: Option<Quantity>,
    pub rule_call_depth: Option<Quantity>,
    pub rule_expression_depth: Option<Quantity>,
    pub rule_string_size: Option<Quantity>,
    pub rule_array_size: Option<Quantity>,
    pub rule_map_size: Option<Quantity>,
    pub rule_variables: Option<Quantity>,
    /// With it, a stage whose density a country declares is feasible when that density
    /// reaches the threshold (instead of ECI + bonus ≥ PCI − tolerance).
    pub density_threshold: Option<Quantity>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub country: String,
    pub from: Year,
    pub actions: Vec<Action>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Action {
    pub kind: ActionKind,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub enum ActionKind {
    /// No export of this stage's output: all of it is processed at home.
    ExportBan {
        stage: String,
    },
    /// A share of the upstream product must be processed at home by this stage.
    LocalProcessing {
        stage: String,
        share: Path,
    },
    /// The share of a stage's purchases bought from domestic suppliers.
    LocalContent {
        stage: String,
        share: Path,
    },
    Build(Build),
    Ownership {
        stage: String,
        change: OwnershipChange,
    },
    Eci(Path),
    TechTransfer {
        stage: String,
        bonus: Option<Quantity>,
        eci_growth: Option<Quantity>,
    },
    Royalty(Path),
    CorporateTax(Path),
}

impl ActionKind {
    /// The lever an agreement may restrict, if any.
    pub fn lever(&self) -> Option<Lever> {
        Some(match self {
            ActionKind::ExportBan { .. } => Lever::ExportBan,
            ActionKind::LocalProcessing { .. } => Lever::LocalProcessing,
            ActionKind::LocalContent { .. } => Lever::LocalContent,
            ActionKind::Ownership { .. } => Lever::OwnershipChange,
            ActionKind::TechTransfer { .. } => Lever::TechTransfer,
            ActionKind::Royalty(_) => Lever::RoyaltyChange,
            ActionKind::Build(_) | ActionKind::Eci(_) | ActionKind::CorporateTax(_) => return None,
        })
    }

    /// The stage the action is about, if any.
    pub fn stage(&self) -> Option<&str> {
        match self {
            ActionKind::ExportBan { stage }
            | ActionKind::LocalProcessing { stage, .. }
            | ActionKind::LocalContent { stage, .. }
            | ActionKind::Ownership { stage, .. }
            | ActionKind::TechTransfer { stage, .. } => Some(stage),
            ActionKind::Build(b) => Some(&b.stage),
            ActionKind::Eci(_) | ActionKind::Royalty(_) | ActionKind::CorporateTax(_) => None,
        }
    }

    /// The statement keyword, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ActionKind::ExportBan { .. } => "export_ban",
            ActionKind::LocalProcessing { .. } => "local_processing",
            ActionKind::LocalContent { .. } => "local_content",
            ActionKind::Build(_) => "build",
            ActionKind::Ownership { .. } => "ownership",
            ActionKind::Eci(_) => "eci",
            ActionKind::TechTransfer { .. } => "tech_transfer",
            ActionKind::Royalty(_) => "royalty",
            ActionKind::CorporateTax(_) => "corporate_tax",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Build {
    pub stage: String,
    /// New capacity, kt/yr, added evenly over `from..=to`.
    pub amount: Quantity,
    pub from: Year,
    pub to: Year,
    pub financing: Financing,
}

#[derive(Clone, Debug)]
pub enum Financing {
    /// Paid from domestic funds; nothing is owed.
    Equity {
        owner: String,
    },
    Debt {
        rate: Quantity,
        years: Quantity,
    },
    Grant,
}

#[derive(Clone, Debug)]
pub enum OwnershipChange {
    /// A new split from the policy's year.
    Split(Ownership),
    /// One owner's share follows a path; the other owners keep their proportions.
    Owner { owner: String, share: Path },
}

/// A policy lever that trade and investment agreements may restrict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lever {
    LocalContent,
    LocalProcessing,
    ExportBan,
    TechTransfer,
    RoyaltyChange,
    OwnershipChange,
}

impl Lever {
    pub const ALL: [Lever; 6] = [
        Lever::LocalContent,
        Lever::LocalProcessing,
        Lever::ExportBan,
        Lever::TechTransfer,
        Lever::RoyaltyChange,
        Lever::OwnershipChange,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Lever::LocalContent => "local_content",
            Lever::LocalProcessing => "local_processing",
            Lever::ExportBan => "export_ban",
            Lever::TechTransfer => "tech_transfer",
            Lever::RoyaltyChange => "royalty_change",
            Lever::OwnershipChange => "ownership_change",
        }
    }

    pub fn parse(name: &str) -> Option<Lever> {
        Lever::ALL.into_iter().find(|l| l.name() == name)
    }
}

#[derive(Clone, Debug)]
pub struct Agreement {
    pub name: String,
    pub parties: Vec<String>,
    pub restricts: Vec<Lever>,
    /// `isds award N years`: restricted policies apply, and an award of N years of the
    /// foreign owners' lost surplus is charged.
    pub isds_award_years: Option<Quantity>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Flexibility {
    pub name: String,
    pub levers: Vec<Lever>,
    pub country: String,
    pub from: Year,
    /// The agreement it belongs to; `None` covers every agreement.
    pub under: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hook {
    Feasible,
    Capture,
    UnitValue,
    Eci,
    OnYear,
    Metric(String),
}

impl Hook {
    pub const NAMED: [&'static str; 5] = ["feasible", "capture", "unit_value", "eci", "on_year"];

    pub fn parse(name: &str) -> Option<Hook> {
        Some(match name {
            "feasible" => Hook::Feasible,
            "capture" => Hook::Capture,
            "unit_value" => Hook::UnitValue,
            "eci" => Hook::Eci,
            "on_year" => Hook::OnYear,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct RuleAttachment {
    pub hook: Hook,
    pub script: RuleScript,
    /// The `rule` line that attached it.
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct RuleScript {
    /// The script file's name, or the scenario's for an inline block.
    pub name: String,
    pub code: String,
    /// Where the code starts in its file (0 for a script file).
    pub offset: usize,
}

#[derive(Clone, Debug)]
pub struct Expectation {
    /// `Zambia.extraction.value_added` → ["Zambia", "extraction", "value_added"].
    pub subject: Vec<String>,
    pub years: Option<(Year, Year)>,
    pub comparison: crate::syntax::ast::Comparison,
    pub expected: ExpectedValue,
    pub within: Option<Quantity>,
    pub message: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub enum ExpectedValue {
    Bool(bool),
    Number(Quantity),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(value: f64) -> Quantity {
        Quantity {
            value,
            provenance: Provenance::Unstated,
            origin: Origin::default(),
        }
    }

    fn path(base: f64, segments: &[(Shape, Year, Year, f64)]) -> Path {
        Path {
            base: q(base),
            base_year: None,
            segments: segments
                .iter()
                .map(|&(shape, from, to, v)| Segment {
                    shape,
                    from,
                    to,
                    value: q(v),
                })
                .collect(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn linear_segment_moves_evenly_and_then_holds() {
        let p = path(0.2, &[(Shape::Linear, 2027, 2035, 0.4)]);
        assert_eq!(p.at(2020), 0.2);
        assert_eq!(p.at(2027), 0.2);
        assert!((p.at(2031) - 0.3).abs() < 1e-12);
        assert!((p.at(2035) - 0.4).abs() < 1e-12);
        assert!((p.at(2050) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn logistic_segment_is_symmetric_around_its_middle() {
        let p = path(-0.745, &[(Shape::Logistic, 2025, 2045, -0.3)]);
        assert!((p.at(2025) + 0.745).abs() < 1e-12);
        assert!((p.at(2035) - (-0.745 + 0.445 / 2.0)).abs() < 1e-12);
        assert!((p.at(2045) + 0.3).abs() < 1e-12);
        // slow at the ends, fast in the middle
        assert!(p.at(2027) - p.at(2025) < p.at(2036) - p.at(2034));
    }

    #[test]
    fn growth_and_step_segments() {
        let p = path(
            100.0,
            &[
                (Shape::Growth, 2025, 2027, 0.1),
                (Shape::Step, 2030, 2030, 50.0),
            ],
        );
        assert!((p.at(2026) - 110.0).abs() < 1e-9);
        assert!((p.at(2027) - 121.0).abs() < 1e-9);
        assert!((p.at(2029) - 121.0).abs() < 1e-9);
        assert_eq!(p.at(2030), 50.0);
    }

    #[test]
    fn exponential_segment_grows_by_a_constant_factor() {
        let p = path(100.0, &[(Shape::Exponential, 2020, 2022, 400.0)]);
        assert!((p.at(2021) - 200.0).abs() < 1e-9);
    }
}
