//! Units: what each value means, the units a user may write for it, and the conversion to
//! the model's unit.

use crate::syntax::ast::Unit;

/// What a number measures. Each slot of the language takes one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// kt of copper content (per year, for flows).
    Mass,
    /// A fraction, written in %.
    Share,
    /// A growth rate, written in %/yr.
    Rate,
    /// USD per tonne of copper content.
    Price,
    /// USD million.
    Money,
    /// USD per tonne of yearly capacity.
    CapitalCost,
    /// A number of years.
    Duration,
    /// A plain number: ECI, PCI, elasticities.
    Index,
    /// A plain number per year: ECI growth.
    IndexRate,
}

impl Dimension {
    pub fn describe(self) -> &'static str {
        match self {
            Dimension::Mass => "a mass (kt, t or Mt)",
            Dimension::Share => "a share (%)",
            Dimension::Rate => "a rate (%/yr)",
            Dimension::Price => "a unit value (usd/t or usd/lb)",
            Dimension::Money => "an amount of money (musd, busd or usd)",
            Dimension::CapitalCost => "a capital cost (usd/tpa)",
            Dimension::Duration => "a number of years (years)",
            Dimension::Index => "a plain number",
            Dimension::IndexRate => "a plain number per year (/yr)",
        }
    }

    /// The unit to suggest when a number has none.
    pub fn usual_unit(self) -> Option<&'static str> {
        Some(match self {
            Dimension::Mass => "kt",
            Dimension::Share => "%",
            Dimension::Rate => "%/yr",
            Dimension::Price => "usd/t",
            Dimension::Money => "musd",
            Dimension::CapitalCost => "usd/tpa",
            Dimension::Duration => "years",
            Dimension::IndexRate => "/yr",
            Dimension::Index => return None,
        })
    }

    /// The factor that turns a number written in `unit` into the model's unit, or `None`
    /// when the unit does not measure this dimension. A plain number needs no unit.
    pub fn factor(self, unit: Option<Unit>) -> Option<f64> {
        use Unit::*;
        Some(match (self, unit) {
            (Dimension::Index, None) => 1.0,
            (Dimension::Mass, Some(Kt)) => 1.0,
            (Dimension::Mass, Some(Tonne)) => 1e-3,
            (Dimension::Mass, Some(Mt)) => 1e3,
            (Dimension::Share, Some(Percent)) => 0.01,
            (Dimension::Rate, Some(PercentPerYear)) => 0.01,
            (Dimension::Price, Some(UsdPerTonne)) => 1.0,
            // 1 t = 2204.62262185 lb
            (Dimension::Price, Some(UsdPerPound)) => 2_204.622_621_85,
            (Dimension::Money, Some(Musd)) => 1.0,
            (Dimension::Money, Some(Busd)) => 1e3,
            (Dimension::Money, Some(Usd)) => 1e-6,
            (Dimension::CapitalCost, Some(UsdPerTpa)) => 1.0,
            (Dimension::Duration, Some(Years)) => 1.0,
            (Dimension::IndexRate, Some(PerYear)) => 1.0,
            _ => return None,
        })
    }
}
