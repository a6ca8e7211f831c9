//! gvc: a scenario language and engine for critical-mineral value chains.
//!
//! A scenario file (`.gvc`) declares a chain of stages, countries, policies, agreements and
//! expectations. The pipeline, one module a step:
//!
//! | step | module | what it does |
//! |---|---|---|
//! | syntax | [`syntax`] | text → typed syntax tree (pest), and back (`gvc fmt`) |
//! | checks | [`check`] | names, units, shares, years, imports → [`Scenario`] or every error |
//! | model | [`model`] | feasibility, flows, value added and captured per country and year → [`Outcome`] |
//! | rules | [`rules`] | the Rhai host: sandbox, views, compiled hooks |
//! | complexity | [`complexity`] | ECI, PCI, density, COI, COG from trade data |
//! | reports | [`report`] | outcome → JSON, table, CSV |
//!
//! ```no_run
//! let checked = gvc::check_file("scenarios/baseline.gvc".as_ref()).expect("a valid scenario");
//! let outcome = gvc::evaluate(&checked.scenario).expect("rules that run");
//! let zambia = &outcome.countries["Zambia"].years[&2030];
//! println!("Zambia 2030: added {} musd, captured {} musd", zambia.value_added_musd, zambia.value_captured_musd);
//! ```

pub mod check;
pub mod complexity;
pub mod diagnostic;
pub mod model;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod source;
pub mod syntax;

pub use check::{check_file, check_text, Checked};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::evaluate;
pub use model::outcome::Outcome;
pub use scenario::Scenario;
