//! Embedding gvc with a custom rule from Rust: the baseline, plus a Rhai `capture` rule that
//! lets foreign owners shift a fifth of their surplus abroad, run side by side.
//!
//! `cargo run --example custom_rule`

use gvc::scenario::{Hook, RuleAttachment, RuleScript};

const RULE: &str = r#"
fn capture(s) {
    let gos = (1.0 - s.labour_share) * s.value_added_musd;
    let foreign = (1.0 - s.domestic_ownership) * gos;
    let royalty = s.royalty_rate * s.revenue_musd * (1.0 - s.domestic_ownership);
    if royalty > foreign { royalty = foreign; }
    let tax = s.tax_rate * 0.8 * (foreign - royalty);
    s.labour_share * s.domestic_wage_share * s.value_added_musd
        + s.domestic_ownership * gos + royalty + tax - s.debt_service_musd
}
"#;

fn main() {
    let base = match gvc::check_file("scenarios/baseline.gvc".as_ref()) {
        Ok(c) => c.scenario,
        Err(d) => {
            eprint!("{}", gvc::diagnostic::render_plain(&d.0));
            std::process::exit(1);
        }
    };
    let mut shifted = base.clone();
    shifted.rules.push(RuleAttachment {
        hook: Hook::Capture,
        script: RuleScript {
            name: "profit_shifting (from Rust)".into(),
            code: RULE.into(),
            offset: 0,
        },
        origin: base.origin,
    });
    let run = |s: &gvc::Scenario| match gvc::evaluate(s) {
        Ok(o) => o,
        Err(d) => {
            eprint!("{}", gvc::diagnostic::render_plain(&d.0));
            std::process::exit(1);
        }
    };
    let (before, after) = (run(&base), run(&shifted));
    println!(
        "{:<12} {:>14} {:>14}",
        "2030", "captured musd", "with shifting"
    );
    for (country, c) in &before.countries {
        let was = c.years[&2030].value_captured_musd;
        let now = after.countries[country].years[&2030].value_captured_musd;
        println!("{country:<12} {was:>14.1} {now:>14.1}");
    }
}
