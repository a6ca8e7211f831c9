//! Embedding gvc: check the baseline once, run it, and read the outcome from Rust.
//!
//! `cargo run --example embed`

use gvc::diagnostic::render_plain;

fn main() {
    let checked = match gvc::check_file("scenarios/baseline.gvc".as_ref()) {
        Ok(checked) => checked,
        Err(diagnostics) => {
            eprint!("{}", render_plain(&diagnostics.0));
            std::process::exit(1);
        }
    };
    // A checked scenario is plain data: run it as often as you like, on any thread.
    let outcome = gvc::evaluate(&checked.scenario).unwrap();
    println!(
        "{:<12} {:>12} {:>12} {:>7}",
        "2030", "added musd", "captured", "ratio"
    );
    for (country, c) in &outcome.countries {
        let y = &c.years[&2030];
        println!(
            "{country:<12} {:>12.1} {:>12.1} {:>7.3}",
            y.value_added_musd,
            y.value_captured_musd,
            y.capture_ratio.unwrap_or(0.0)
        );
    }
    for note in &outcome.diagnostics {
        println!("note: {}", note.message);
    }
}
