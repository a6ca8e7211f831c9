//! gvc: a scenario language and engine for critical-mineral value chains.
//!
//! A scenario file (`.gvc`) declares a chain of stages, countries, policies, agreements and
//! expectations. The pipeline, one module a step:
//!
//! | step | module | what it does |
//! |---|---|---|
//! | syntax | [`syntax`] | text → typed syntax tree (pest), and back (`gvc fmt`) |
//! | checks | [`check`] | names, units, shares, years, imports → [`Scenario`] or every error |
//!
//! ```no_run
//! let checked = gvc::check_file("scenarios/baseline.gvc".as_ref()).expect("a valid scenario");
//! println!("{} countries", checked.scenario.countries.len());
//! ```

pub mod check;
pub mod diagnostic;
pub mod scenario;
pub mod source;
pub mod syntax;

pub use check::{check_file, check_text, Checked};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use scenario::Scenario;
