//! Embedding gvc: load and check a scenario from Rust, then read its checked numbers.
//!
//! `cargo run --example check -- scenarios/baseline.gvc`

use gvc::diagnostic::render_plain;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/baseline.gvc".into());
    match gvc::check_file(path.as_ref()) {
        Ok(checked) => {
            let s = &checked.scenario;
            println!("{}: {} to {}", s.name, s.timeline.start, s.timeline.end);
            for stage in s.stages.values() {
                println!("  stage {:<11} PCI {:>7.3}", stage.name, stage.pci.value);
            }
            for country in s.countries.values() {
                // Feasible stages in the first year: ECI at least the stage's PCI.
                let eci = country.eci.at(s.timeline.start);
                let open: Vec<&str> = s
                    .stages
                    .values()
                    .filter(|st| eci >= st.pci.value)
                    .map(|st| st.name.as_str())
                    .collect();
                println!(
                    "  {:<11} ECI {eci:>7.3}  reaches {}",
                    country.name,
                    open.join(", ")
                );
            }
        }
        Err(diagnostics) => {
            eprint!("{}", render_plain(&diagnostics.0));
            std::process::exit(1);
        }
    }
}
