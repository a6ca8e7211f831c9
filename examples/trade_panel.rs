//! Writes a synthetic trade panel as CSV (year, location, product, export_value): capable
//! countries export complex products, with noise. Deterministic for a given seed. For
//! benchmarks and tests on data gvc has never seen.
//!
//! `cargo run --release --example trade_panel -- COUNTRIES PRODUCTS YEARS [SEED] > panel.csv`

use std::io::Write;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let [countries, products, years, rest @ ..] = args.as_slice() else {
        eprintln!("usage: trade_panel COUNTRIES PRODUCTS YEARS [SEED]");
        std::process::exit(2);
    };
    let seed = rest.first().copied().unwrap_or(20_261_204);
    let csv = gvc::complexity::synthetic_panel(
        *countries as usize,
        *products as usize,
        *years as usize,
        seed,
    );
    let _ = std::io::stdout().lock().write_all(csv.as_bytes());
}
