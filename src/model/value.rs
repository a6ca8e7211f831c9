//! Value added, linkages and value captured for one stage in one country and year: the
//! formulas of the design's model, as pure functions.
//!
//! Money in USD million, volumes in kt, unit values in usd/t: `kt × usd/t / 1000 = musd`.

/// Everything the formulas need about one stage in one country and year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageInputs {
    pub volume_kt: f64,
    /// Value of a tonne of the stage's output, usd/t.
    pub unit_value: f64,
    /// Value of a tonne of its input (the previous stage's output); 0 for the first stage.
    pub input_unit_value: f64,
    /// ι: share of the margin spent on goods and services.
    pub input_share: f64,
    /// λ: labour's share of value added.
    pub labour_share: f64,
    /// w: share of the wage bill paid to residents.
    pub domestic_wage_share: f64,
    /// d: domestic ownership share.
    pub domestic_ownership: f64,
    /// Royalty on revenue; only extraction pays one.
    pub royalty_rate: f64,
    pub tax_rate: f64,
    /// Share of purchases bought from domestic suppliers.
    pub local_content: f64,
    /// Value added per dollar sold by domestic suppliers.
    pub supplier_va_share: f64,
    /// Owed on debt-financed capacity, whether it runs or not.
    pub debt_service: f64,
}

/// The stage's accounts, musd.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageValue {
    pub revenue: f64,
    pub margin: f64,
    pub value_added: f64,
    /// Domestic suppliers' value added: counted as domestic value added, captured in full.
    pub linkages: f64,
    pub gross_operating_surplus: f64,
    pub foreign_surplus: f64,
    pub royalty: f64,
    pub tax: f64,
    pub value_captured: f64,
}

pub fn stage_value(i: &StageInputs) -> StageValue {
    let revenue = i.volume_kt * i.unit_value / 1000.0;
    let margin = i.volume_kt * (i.unit_value - i.input_unit_value) / 1000.0;
    let value_added = (1.0 - i.input_share) * margin;
    let purchases = i.input_share * margin;
    let linkages = (purchases * i.local_content * i.supplier_va_share).max(0.0);
    let gos = (1.0 - i.labour_share) * value_added;
    let d = i.domestic_ownership;
    let foreign_surplus = (1.0 - d) * gos;
    let royalty = foreign_surplus
        .min(i.royalty_rate * revenue * (1.0 - d))
        .max(0.0);
    let tax = (i.tax_rate * (foreign_surplus - royalty)).max(0.0);
    let formula = i.labour_share * i.domestic_wage_share * value_added + d * gos + royalty + tax
        - i.debt_service;
    // With a negative margin (a unit value below its input's) the formula could exceed the
    // loss; a country never captures more than it adds.
    let value_captured = formula.min(value_added - i.debt_service);
    StageValue {
        revenue,
        margin,
        value_added,
        linkages,
        gross_operating_surplus: gos,
        foreign_surplus,
        royalty,
        tax,
        value_captured,
    }
}

/// The yearly payment on a loan of `principal` at `rate` over `years` (an annuity).
pub fn annuity(principal: f64, rate: f64, years: f64) -> f64 {
    if years <= 0.0 {
        return principal;
    }
    if rate.abs() < 1e-12 {
        return principal / years;
    }
    principal * rate / (1.0 - (1.0 + rate).powf(-years))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} != {b}");
    }

    /// Zambia's extraction in the baseline, computed by hand:
    /// revenue = 680 × 8321 / 1000 = 5658.28; margin = 5658.28 (no input);
    /// VA = 0.6 × 5658.28 = 3394.968; purchases = 2263.312;
    /// linkages = 2263.312 × 0.2 × 0.4 = 181.06496;
    /// GOS = 0.856 × 3394.968 = 2906.092608; F = 0.92 × GOS = 2673.60519936;
    /// R = min(F, 0.085 × 5658.28 × 0.92) = min(F, 442.477496) = 442.477496;
    /// T = 0.3 × (F − R) = 669.33831101;
    /// VC = 0.144 × 0.85 × 3394.968 + 0.08 × 2906.092608 + R + T
    ///    = 415.5440832 + 232.48740864 + 442.477496 + 669.338311008 = 1759.847298848.
    #[test]
    fn extraction_by_hand() {
        let v = stage_value(&StageInputs {
            volume_kt: 680.0,
            unit_value: 8321.0,
            input_unit_value: 0.0,
            input_share: 0.4,
            labour_share: 0.144,
            domestic_wage_share: 0.85,
            domestic_ownership: 0.08,
            royalty_rate: 0.085,
            tax_rate: 0.3,
            local_content: 0.2,
            supplier_va_share: 0.4,
            debt_service: 0.0,
        });
        close(v.revenue, 5658.28);
        close(v.value_added, 3394.968);
        close(v.linkages, 181.06496);
        close(v.gross_operating_surplus, 2906.092608);
        close(v.foreign_surplus, 2673.60519936);
        close(v.royalty, 442.477496);
        close(v.tax, 669.33831101);
        close(v.value_captured, 1759.847298848);
    }

    /// A refinery processing 144.5 kt: margin = 144.5 × (9377 − 8321) / 1000 = 152.592;
    /// VA = 0.4 × 152.592 = 61.0368; GOS = 0.8 × VA = 48.82944; d = 0.1, so
    /// F = 43.946496; no royalty downstream; T = 0.3 × F = 13.1839488;
    /// VC = 0.2 × 0.85 × 61.0368 + 0.1 × 48.82944 + 13.1839488 − 20 (debt service)
    ///    = 10.376256 + 4.882944 + 13.1839488 − 20 = 8.4431488.
    #[test]
    fn processing_with_debt_service_by_hand() {
        let v = stage_value(&StageInputs {
            volume_kt: 144.5,
            unit_value: 9377.0,
            input_unit_value: 8321.0,
            input_share: 0.6,
            labour_share: 0.2,
            domestic_wage_share: 0.85,
            domestic_ownership: 0.1,
            royalty_rate: 0.0,
            tax_rate: 0.3,
            local_content: 0.0,
            supplier_va_share: 0.4,
            debt_service: 20.0,
        });
        close(v.margin, 152.592);
        close(v.value_added, 61.0368);
        close(v.value_captured, 8.4431488);
        assert_eq!(v.linkages, 0.0);
    }

    /// Idle capacity: nothing is added, the debt is still owed.
    #[test]
    fn idle_capacity_still_owes_its_debt() {
        let v = stage_value(&StageInputs {
            debt_service: 12.5,
            ..StageInputs::default()
        });
        assert_eq!(v.value_added, 0.0);
        assert_eq!(v.value_captured, -12.5);
    }

    /// Fully domestic: everything but foreign wages stays home.
    #[test]
    fn fully_domestic_capture_is_value_added_less_foreign_wages() {
        let v = stage_value(&StageInputs {
            volume_kt: 100.0,
            unit_value: 10_000.0,
            input_share: 0.5,
            labour_share: 0.3,
            domestic_wage_share: 0.9,
            domestic_ownership: 1.0,
            royalty_rate: 0.05,
            tax_rate: 0.25,
            ..StageInputs::default()
        });
        // VA = 500; VC = 0.3 × 0.9 × 500 + 1 × 350 = 485
        close(v.value_added, 500.0);
        close(v.value_captured, 485.0);
        assert_eq!(v.royalty, 0.0);
    }

    /// 100 musd at 7% over 15 years: 100 × 0.07 / (1 − 1.07^−15) = 10.979462.
    #[test]
    fn annuity_by_hand() {
        assert!((annuity(100.0, 0.07, 15.0) - 10.979_462).abs() < 1e-6);
        assert_eq!(annuity(100.0, 0.0, 4.0), 25.0);
    }
}
