//! Rhai rules: hostile scripts end quickly with a diagnostic that points into the script;
//! a rule written to equal the built-in formula gives the same numbers; `print` goes to the
//! run's notes.

use std::path::Path;

use gvc::diagnostic::render_plain;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap()
}

/// Every file in `tests/rule_errors/` checks, but its rule fails to compile or to run.
#[test]
fn hostile_and_broken_rules_are_diagnosed() {
    insta::glob!("rule_errors/*.gvc", |path| {
        let path = relative(path);
        let checked = gvc::check_file(path).unwrap_or_else(|d| panic!("{}", render_plain(&d.0)));
        let diagnostics = match gvc::evaluate(&checked.scenario) {
            Ok(_) => panic!("{} must fail", path.display()),
            Err(d) => d,
        };
        insta::assert_snapshot!(render_plain(&diagnostics.0));
    });
}

fn run_with(rule: &str) -> Result<gvc::Outcome, gvc::Diagnostics> {
    let text = format!(
        "scenario t extends \"../scenarios/baseline.gvc\" {{ timeline 2025 to 2027 }}\n{rule}\n"
    );
    let s = gvc::check_text(Path::new("tests/t.gvc"), &text)
        .unwrap_or_else(|d| panic!("{}", render_plain(&d.0)))
        .scenario;
    gvc::evaluate(&s)
}

fn message(result: Result<gvc::Outcome, gvc::Diagnostics>) -> String {
    match result {
        Ok(_) => panic!("the rule must fail"),
        Err(d) => d.0[0].message.clone(),
    }
}

#[test]
fn an_endless_loop_stops_at_the_operation_limit() {
    let m = message(run_with("rule capture = script ```loop { }```"));
    assert!(m.contains("ran out of operations"), "{m}");
}

#[test]
fn the_operation_limit_can_be_set_per_scenario() {
    // 1 000 operations are too few for a loop of 10 000 steps, which the default allows.
    let rule = "rule metric steps = script ```let n = 0; for i in 0..10000 { n += 1; } n```";
    assert!(run_with(rule).is_ok());
    let m = message(run_with(&format!(
        "world {{ rule_operations 1000 assumption }}\n{rule}"
    )));
    assert!(m.contains("ran out of operations"), "{m}");
}

#[test]
fn runaway_recursion_stops_at_the_call_depth() {
    let m = message(run_with(
        "rule eci = script ```fn eci(state) { eci(state) }```",
    ));
    assert!(m.contains("calls itself too deeply"), "{m}");
}

#[test]
fn string_doubling_and_array_growth_stop_at_the_size_limits() {
    let m = message(run_with(
        "rule metric m = script ```let s = \"x\"; loop { s += s; }```",
    ));
    assert!(m.contains("too large"), "{m}");
    let m = message(run_with(
        "rule metric m = script ```let a = []; loop { a.push(1); }```",
    ));
    assert!(m.contains("too large"), "{m}");
}

/// A map that grows without end stops too: at the map-size or at the operation limit.
#[test]
fn map_growth_stops() {
    let m = message(run_with(
        "rule metric m = script ```let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }```",
    ));
    assert!(
        m.contains("too large") || m.contains("ran out of operations"),
        "{m}"
    );
}

#[test]
fn import_eval_and_the_clock_are_refused() {
    for rule in [
        "rule capture = script ```import \"os\" as os; 1.0```",
        "rule capture = script ```eval(\"1.0\")```",
        "rule metric t = script ```timestamp()```",
    ] {
        assert!(run_with(rule).is_err(), "{rule}");
    }
}

#[test]
fn print_goes_to_the_notes_not_to_stdout() {
    let o = run_with("rule metric m = script ```if state.country == \"Zambia\" && state.year == 2025 { print(\"hello from Zambia\"); } 1.0```").unwrap();
    let notes: Vec<&str> = o
        .diagnostics
        .iter()
        .filter(|n| n.code == "rule_print")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(notes, ["hello from Zambia"]);
}

/// A `capture` rule that restates the built-in formula gives the built-in numbers.
#[test]
fn a_rule_equal_to_the_built_in_formula_gives_the_same_numbers() {
    let base = gvc::check_file(Path::new("scenarios/zambia_wire_mill.gvc"))
        .unwrap()
        .scenario;
    let builtin = gvc::evaluate(&base).unwrap();
    let script = std::fs::read_to_string("scenarios/rules/profit_shifting.rhai")
        .unwrap()
        .replace("let shifted = 0.2;", "let shifted = 0.0;");
    let mut with_rule = base.clone();
    with_rule.rules.push(gvc::scenario::RuleAttachment {
        hook: gvc::scenario::Hook::Capture,
        script: gvc::scenario::RuleScript {
            name: "builtin.rhai".into(),
            code: script,
            offset: 0,
        },
        origin: base.origin,
    });
    let ruled = gvc::evaluate(&with_rule).unwrap();
    assert_eq!(gvc::report::to_json(&builtin), gvc::report::to_json(&ruled));
}

#[test]
fn inline_bodies_and_functions_both_work() {
    let body = run_with("rule metric one = script ```1.0```").unwrap();
    let func = run_with("rule metric one = script ```fn metric(state) { 1.0 }```").unwrap();
    assert_eq!(body.countries["Zambia"].years[&2025].metrics["one"], 1.0);
    assert_eq!(gvc::report::to_json(&body), gvc::report::to_json(&func));
}

#[test]
fn on_year_can_take_a_stake_while_prices_are_high() {
    let rule = "world { price_elasticity 1.5 assumption }\nrule on_year = script ```\nif state.country == \"Zambia\" && state.price(\"processing\") > 12000.0 {\n  [#{ set: \"ownership\", stage: \"extraction\", value: 0.51 }]\n} else {\n  []\n}\n```";
    let text = format!("scenario t extends \"../scenarios/baseline.gvc\" {{ }}\n{rule}\n");
    let s = gvc::check_text(Path::new("tests/t.gvc"), &text)
        .unwrap()
        .scenario;
    let o = gvc::evaluate(&s).unwrap();
    let share =
        |year: i32| o.countries["Zambia"].years[&year].stages["extraction"].domestic_ownership;
    assert_eq!(share(2025), 0.08);
    assert_eq!(share(2040), 0.51);
}

/// One compiled rule set serves every thread of a sweep.
#[test]
fn a_rule_set_runs_on_many_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<gvc::rules::RuleSet>();
    let s = gvc::check_file(Path::new("scenarios/rules/profit_shifting.gvc"))
        .unwrap()
        .scenario;
    let rules = gvc::rules::RuleSet::compile(&s).unwrap();
    let one = gvc::report::to_json(&gvc::model::run(&s, &rules).unwrap());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| gvc::report::to_json(&gvc::model::run(&s, &rules).unwrap())))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), one);
        }
    });
}
