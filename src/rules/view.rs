//! What a rule sees: read-only views of the model's state, registered with Rhai as custom
//! types with getters. A rule cannot change them; `on_year` returns actions instead.

use rhai::{Dynamic, Engine, ImmutableString, Map};

/// One stage in one country and year.
#[derive(Clone, Debug, Default)]
pub struct StageView {
    pub country: ImmutableString,
    pub stage: ImmutableString,
    pub year: i64,
    pub eci: f64,
    pub pci: f64,
    pub bonus: f64,
    pub tolerance: f64,
    /// The built-in feasibility test's answer.
    pub feasible: bool,
    pub volume_kt: f64,
    pub capacity_kt: f64,
    pub unit_value: f64,
    pub input_unit_value: f64,
    pub input_share: f64,
    pub labour_share: f64,
    pub domestic_wage_share: f64,
    pub domestic_ownership: f64,
    pub royalty_rate: f64,
    pub tax_rate: f64,
    pub local_content: f64,
    pub debt_service_musd: f64,
    pub revenue_musd: f64,
    pub margin_musd: f64,
    pub value_added_musd: f64,
    /// The built-in formula's captured value.
    pub value_captured_musd: f64,
}

/// One country in one year.
#[derive(Clone, Debug, Default)]
pub struct CountryView {
    pub country: ImmutableString,
    pub year: i64,
    pub eci: f64,
    pub royalty: f64,
    pub corporate_tax: f64,
    /// Unit value of each stage's output this year, usd/t.
    pub prices: Map,
    /// Each stage's volume, kt (for `metric`: this year's; before it, last year's).
    pub volumes: Map,
    /// Each stage's domestic ownership share.
    pub domestic_ownership: Map,
    pub value_added_musd: f64,
    pub value_captured_musd: f64,
    /// `()` where nothing is added.
    pub capture_ratio: Dynamic,
    /// Last year's `value_added_musd`, `value_captured_musd` and `capture_ratio`; empty in
    /// the first year.
    pub previous: Map,
}

impl CountryView {
    /// `state.price("processing")`: a stage's unit value, or 0 for an unknown stage.
    fn price(&mut self, stage: &str) -> f64 {
        self.prices
            .get(stage)
            .and_then(|d| d.as_float().ok())
            .unwrap_or(0.0)
    }
}

macro_rules! getters {
    ($engine:ident, $ty:ty, $($field:ident),* $(,)?) => {
        $( $engine.register_get(stringify!($field), |v: &mut $ty| v.$field.clone()); )*
    };
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<StageView>("StageView");
    getters!(
        engine,
        StageView,
        country,
        stage,
        year,
        eci,
        pci,
        bonus,
        tolerance,
        feasible,
        volume_kt,
        capacity_kt,
        unit_value,
        input_unit_value,
        input_share,
        labour_share,
        domestic_wage_share,
        domestic_ownership,
        royalty_rate,
        tax_rate,
        local_content,
        debt_service_musd,
        revenue_musd,
        margin_musd,
        value_added_musd,
        value_captured_musd,
    );
    engine.register_type_with_name::<CountryView>("CountryView");
    getters!(
        engine,
        CountryView,
        country,
        year,
        eci,
        royalty,
        corporate_tax,
        prices,
        volumes,
        domestic_ownership,
        value_added_musd,
        value_captured_musd,
        capture_ratio,
        previous,
    );
    engine.register_fn("price", CountryView::price);
}
