//! Times `gvc complexity`'s phases on a trade CSV: reading, computing, writing CSV.
//! Used by `benches/complexity_vs_py.sh`.
//!
//! `cargo run --release --example complexity_timing -- panel.csv`

use std::time::Instant;

use gvc::complexity::{compute, read_panel, to_csv, Columns, Level, Options};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: complexity_timing PANEL.csv");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("a readable CSV");
    let t = Instant::now();
    let panel = read_panel(&text, &Columns::default(), None).expect("a valid panel");
    println!("  read    {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let results = compute(&panel, &Options::default());
    println!(
        "  compute {:>8.3} s ({} years, {} threads)",
        t.elapsed().as_secs_f64(),
        results.len(),
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let csv = to_csv(&results, Level::Cp);
    println!(
        "  csv     {:>8.3} s ({} MB)",
        t.elapsed().as_secs_f64(),
        csv.len() / 1_000_000
    );
}
