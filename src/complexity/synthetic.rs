//! Synthetic trade panels for benchmarks and tests: a nested structure in which capable
//! countries export complex products, with noise. The same seed gives the same panel.

use std::fmt::Write;

/// A panel as CSV (`year,location,product,export_value`), years from 2000.
pub fn synthetic_panel(countries: usize, products: usize, years: usize, seed: u64) -> String {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let capability: Vec<f64> = (0..countries).map(|_| uniform()).collect();
    let complexity: Vec<f64> = (0..products).map(|_| uniform()).collect();
    let size: Vec<f64> = (0..countries).map(|_| (uniform() * 4.0).exp()).collect();
    let mut out = String::from("year,location,product,export_value\n");
    for y in 0..years {
        for (c, (cap, size)) in capability.iter().zip(&size).enumerate() {
            for (p, difficulty) in complexity.iter().enumerate() {
                // Exported when capability covers the product's complexity, give or take.
                let reach = cap - difficulty + 0.25 * (uniform() - 0.5);
                if reach < -0.1 || uniform() < 0.15 {
                    continue;
                }
                let value = size * (1.0 + reach) * (0.2 + uniform()) * 1e6;
                writeln!(out, "{},C{:03},P{:04},{:.2}", 2000 + y, c + 1, p + 1, value).unwrap();
            }
        }
    }
    out
}
