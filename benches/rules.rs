//! What a Rhai rule costs: per call, against a bare Rhai call and the built-in formula, and
//! for a whole baseline run.
//!
//! `cargo bench --bench rules`

use std::path::Path;
use std::sync::{Arc, Mutex};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use gvc::model::value::{stage_value, StageInputs};
use gvc::rules::{sandbox, Limits, RuleSet, StageView};
use gvc::scenario::{Hook, RuleAttachment, RuleScript};

const CAPTURE: &str = "fn capture(s) { s.value_added_musd * 0.5 }";

fn bench(c: &mut Criterion) {
    let inputs = StageInputs {
        volume_kt: 680.0,
        unit_value: 8321.0,
        input_share: 0.4,
        labour_share: 0.144,
        domestic_wage_share: 0.85,
        domestic_ownership: 0.08,
        royalty_rate: 0.085,
        tax_rate: 0.3,
        local_content: 0.2,
        supplier_va_share: 0.4,
        ..StageInputs::default()
    };
    c.bench_function("built-in capture formula", |b| {
        b.iter(|| stage_value(black_box(&inputs)))
    });

    // A bare Rhai call with a custom-type argument, as Rhai's own API makes it.
    let engine = sandbox(Limits::default(), Arc::new(Mutex::new(Vec::new())));
    let ast = engine.compile(CAPTURE).unwrap();
    let view = StageView {
        value_added_musd: 3394.968,
        ..StageView::default()
    };
    c.bench_function("bare Rhai call_fn with a view", |b| {
        b.iter(|| {
            let mut scope = rhai::Scope::new();
            let options = rhai::CallFnOptions::new().eval_ast(false);
            engine
                .call_fn_with_options::<f64>(
                    options,
                    &mut scope,
                    &ast,
                    "capture",
                    (rhai::Dynamic::from(black_box(&view).clone()),),
                )
                .unwrap()
        })
    });

    let mut s = gvc::check_file(Path::new("scenarios/baseline.gvc"))
        .unwrap()
        .scenario;
    c.bench_function("baseline run, built-in capture", |b| {
        b.iter(|| gvc::evaluate(&s).unwrap())
    });
    s.rules.push(RuleAttachment {
        hook: Hook::Capture,
        script: RuleScript {
            name: "bench.rhai".into(),
            code: CAPTURE.into(),
            offset: 0,
        },
        origin: s.origin,
    });
    let rules = RuleSet::compile(&s).unwrap();
    c.bench_function("gvc rule call (capture)", |b| {
        b.iter(|| rules.capture(black_box(&view)).unwrap().unwrap())
    });
    c.bench_function("baseline run, Rhai capture rule (1 430 calls)", |b| {
        b.iter(|| gvc::model::run(&s, &rules).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
