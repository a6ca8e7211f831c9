//! `gvc complexity` on a generated 230 countries × 1 240 products × 20 years panel (the size
//! of the Atlas HS92 4-digit data), from the parsed CSV. py-ecomplexity takes 71.5 s on the
//! same panel on the development machine (`benches/complexity_vs_py.sh`).
//!
//! `cargo bench --bench complexity`

use criterion::{criterion_group, criterion_main, Criterion};
use gvc::complexity::{compute, read_panel, synthetic_panel, Columns, Options};

fn bench(c: &mut Criterion) {
    let csv = synthetic_panel(230, 1240, 20, 20_261_204);
    let panel = read_panel(&csv, &Columns::default(), None).unwrap();
    let mut group = c.benchmark_group("complexity");
    group.sample_size(10);
    group.bench_function("read 230×1240×20 CSV", |b| {
        b.iter(|| read_panel(&csv, &Columns::default(), None).unwrap())
    });
    group.bench_function("compute 230×1240×20", |b| {
        b.iter(|| compute(&panel, &Options::default()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
