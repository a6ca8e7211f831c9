//! Parsing and checking speed on a generated multi-megabyte scenario.
//!
//! `cargo bench --bench parse` — criterion reports throughput in MiB/s.

use std::fmt::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A valid scenario with `countries` countries, each with a policy: about 1.2 kB a country.
pub fn generated_scenario(countries: usize) -> String {
    let mut text = String::from(
        "scenario generated {\n  title \"generated for benchmarks\"\n  timeline 2025 to 2050\n}\n\n",
    );
    text.push_str(
        "chain copper {\n  stage extraction {\n    product 2603 \"ore\" pci -2.225 source \"Atlas\" at 2022\n    unit_value 8321 usd/t assumption\n  }\n  stage processing {\n    product 7403 \"cathode\" pci -1.726 source \"Atlas\" at 2022\n    unit_value 9377 usd/t assumption\n  }\n}\n\nowner FOREIGN \"foreign owners\"\n\n",
    );
    for i in 0..countries {
        let eci = (i % 300) as f64 / 100.0 - 1.5;
        write!(
            text,
            "// country number {i}\ncountry C{i} \"Country {i}\" {{\n  eci {eci} source \"generated\" at 2022 -> {} assumption logistic 2025..2050\n  reserves {} kt source \"generated\"\n  mine_output {} kt source \"generated\" at 2024 growth 2%/yr assumption 2025..2040\n  capacity processing {} kt assumption\n  ownership extraction {{\n    domestic 30% assumption\n    FOREIGN 70% assumption\n  }}\n  royalty 5% assumption\n  corporate_tax 30% assumption\n  domestic_wage_share 90% assumption\n  local_content extraction 20% assumption\n  consumption_share 0.1% assumption\n}}\n\npolicy \"Push {i}\" in C{i} from 2030 {{\n  local_content extraction 20% assumption -> 40% assumption linear 2030..2035\n  build processing 100 kt over 2030..2033 financed by debt 7% assumption 15 years assumption\n  ownership extraction domestic 30% assumption -> 50% assumption linear 2030..2040\n}}\n\n",
            eci + 0.5,
            1000 + i,
            100 + i % 50,
            50 + i % 30,
        )
        .unwrap();
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = generated_scenario(4000);
    let mut group = c.benchmark_group("language");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function(format!("parse {:.1} MB", text.len() as f64 / 1e6), |b| {
        b.iter(|| gvc::syntax::parse_str("generated.gvc", &text))
    });
    group.bench_function(
        format!("parse + check {:.1} MB", text.len() as f64 / 1e6),
        |b| {
            b.iter(|| {
                gvc::check_text(Path::new("generated.gvc"), &text)
                    .map(|_| ())
                    .unwrap()
            })
        },
    );
    let (file, _) = gvc::syntax::parse_str("generated.gvc", &text);
    group.bench_function(format!("fmt {:.1} MB", text.len() as f64 / 1e6), |b| {
        b.iter(|| gvc::syntax::fmt::format(&file, &text))
    });
    group.finish();

    let baseline = std::fs::read_to_string("scenarios/baseline.gvc").unwrap();
    c.bench_function("check scenarios/baseline.gvc (with imports)", |b| {
        b.iter(|| {
            gvc::check_text(Path::new("scenarios/baseline.gvc"), &baseline)
                .map(|_| ())
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
