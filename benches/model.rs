//! Evaluation speed: the baseline, and a generated 200-country, 26-year scenario.
//!
//! `cargo bench --bench model`

use std::fmt::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

/// 200 countries on the baseline's chain, each with a policy that builds, bans and shifts
/// ownership, and an agreement with a flexibility for every tenth.
fn generated(countries: usize) -> String {
    let mut text = String::from(
        "scenario generated {\n  timeline 2025 to 2050\n}\n\nimport \"copper/chain.gvc\"\n\nworld {\n  demand 27353 kt assumption at 2024 -> 36000 kt assumption logistic 2025..2040\n}\n\n",
    );
    for i in 0..countries {
        let eci = (i % 300) as f64 / 100.0 - 1.5;
        write!(
            text,
            "country C{i} {{\n  eci {eci} assumption -> {} assumption logistic 2025..2050\n  reserves {} kt assumption\n  mine_output {} kt assumption\n  capacity processing {} kt assumption\n  capacity components {} kt assumption\n  capacity products {} kt assumption\n  capacity recycling {} kt assumption\n  ownership extraction {{\n    domestic 30% assumption\n    CAN 70% assumption\n  }}\n  royalty 5% assumption\n  corporate_tax 30% assumption\n  local_content extraction 20% assumption\n  consumption_share 0.5% assumption\n}}\n\npolicy \"Push {i}\" in C{i} from 2030 {{\n  export_ban extraction\n  build processing 50 kt assumption over 2030..2033 financed by debt 7% assumption 15 years assumption\n  ownership extraction domestic 30% assumption -> 50% assumption linear 2030..2040\n  tech_transfer components bonus 0.3 assumption\n}}\n\n",
            eci + 0.5,
            20000 + i * 10,
            100 + i % 50,
            80 + i % 30,
            40 + i % 20,
            30 + i % 10,
            10 + i % 5,
        )
        .unwrap();
        if i % 10 == 0 {
            writeln!(
                text,
                "agreement \"Treaty {i}\" parties C{i}, CAN restricts export_ban\nflexibility \"Clause {i}\" for export_ban in C{i} from 2035\n"
            )
            .unwrap();
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let baseline = gvc::check_file(Path::new("scenarios/baseline.gvc"))
        .unwrap()
        .scenario;
    c.bench_function("evaluate baseline (11 countries, 26 years)", |b| {
        b.iter(|| gvc::evaluate(&baseline).unwrap())
    });
    let text = generated(200);
    // Checked as if it stood in scenarios/, so that it can import the chain.
    let big = gvc::check_text(Path::new("scenarios/generated.gvc"), &text)
        .unwrap()
        .scenario;
    c.bench_function("evaluate generated (200 countries, 26 years)", |b| {
        b.iter(|| gvc::evaluate(&big).unwrap())
    });
    c.bench_function("check + evaluate + JSON, generated (200 countries)", |b| {
        b.iter(|| {
            let s = gvc::check_text(Path::new("scenarios/generated.gvc"), &text)
                .unwrap()
                .scenario;
            gvc::report::to_json(&gvc::evaluate(&s).unwrap())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
