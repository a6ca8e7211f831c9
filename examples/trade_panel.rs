//! Writes a synthetic trade panel as CSV (year, location, product, export_value): a nested
//! structure in which capable countries export complex products, with year-to-year noise.
//! Deterministic for a given seed. For benchmarks and tests on data gvc has never seen.
//!
//! `cargo run --release --example trade_panel -- COUNTRIES PRODUCTS YEARS [SEED] > panel.csv`

use std::io::Write;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("whole numbers"))
        .collect();
    let (countries, products, years) = match args.as_slice() {
        [c, p, y, ..] => (*c as usize, *p as usize, *y as usize),
        _ => {
            eprintln!("usage: trade_panel COUNTRIES PRODUCTS YEARS [SEED]");
            std::process::exit(2);
        }
    };
    let mut state = args.get(3).copied().unwrap_or(20_261_204);
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let capability: Vec<f64> = (0..countries).map(|_| uniform()).collect();
    let complexity: Vec<f64> = (0..products).map(|_| uniform()).collect();
    let size: Vec<f64> = (0..countries).map(|_| (uniform() * 4.0).exp()).collect();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    writeln!(out, "year,location,product,export_value").unwrap();
    for y in 0..years {
        for c in 0..countries {
            for (p, difficulty) in complexity.iter().enumerate() {
                // Exported when capability covers the product's complexity, give or take.
                let reach = capability[c] - difficulty + 0.25 * (uniform() - 0.5);
                if reach < -0.1 || uniform() < 0.15 {
                    continue;
                }
                let value = size[c] * (1.0 + reach) * (0.2 + uniform()) * 1e6;
                writeln!(out, "{},C{:03},P{:04},{:.2}", 2000 + y, c + 1, p + 1, value).unwrap();
            }
        }
    }
}
