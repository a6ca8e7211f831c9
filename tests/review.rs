//! Reviewing outcomes: `gvc test` on passing and failing expectations, Markdown diffs between
//! the baseline and each reform, `gvc explain` traces; the command line's exit codes.

use std::path::Path;
use std::process::Command;

use gvc::report::diff::{diff, to_markdown, Options};

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap()
}

fn gvc(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gvc"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn run(path: &str) -> gvc::Outcome {
    let s = gvc::check_file(Path::new(path)).unwrap().scenario;
    gvc::evaluate(&s).unwrap()
}

#[test]
fn gvc_test_passes_on_holding_expectations() {
    let (code, out) = gvc(&["test", "tests/expect/passing.gvc"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        6,
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("6 passed, 0 failed"));
}

#[test]
fn gvc_test_shows_failures_against_actual_values() {
    let (code, out) = gvc(&["test", "tests/expect/failing.gvc"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn every_shipped_scenario_passes_its_expectations() {
    let (code, out) = gvc(&["test", "scenarios"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.ends_with(" passed, 0 failed")),
        "{out}"
    );
}

#[test]
fn markdown_diff_of_the_baseline_and_each_reform() {
    let base = run("scenarios/baseline.gvc");
    insta::glob!("../scenarios", "zambia_*.gvc", |path| {
        let reform = run(relative(path).to_str().unwrap());
        insta::assert_snapshot!(to_markdown(&diff(&base, &reform, &Options::default())));
    });
}

#[test]
fn diff_tolerances_and_years() {
    let base = run("scenarios/baseline.gvc");
    let stake = run("scenarios/zambia_state_stake.gvc");
    let all = diff(&base, &stake, &Options::default());
    let early = diff(
        &base,
        &stake,
        &Options {
            years: Some((2025, 2027)),
            ..Options::default()
        },
    );
    // Nothing changes before the stake starts to rise in 2028; the summary still differs.
    assert!(early.changes.iter().all(|c| c.year.is_none()));
    assert!(early.changes.len() < all.changes.len());
    let loose = diff(
        &base,
        &stake,
        &Options {
            relative_tolerance: 10.0,
            ..Options::default()
        },
    );
    assert!(
        loose.is_empty(),
        "a tenfold relative tolerance hides every change"
    );
}

#[test]
fn diff_exit_codes_and_json_inputs() {
    let (code, out) = gvc(&["diff", "scenarios/baseline.gvc", "scenarios/baseline.gvc"]);
    assert_eq!(code, 0, "{out}");
    let (code, _) = gvc(&[
        "diff",
        "scenarios/baseline.gvc",
        "scenarios/zambia_export_ban.gvc",
    ]);
    assert_eq!(code, 1);
    let dir = std::env::temp_dir().join(format!("gvc-review-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("baseline.json");
    let (code, _) = gvc(&[
        "run",
        "scenarios/baseline.gvc",
        "--format",
        "json",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (code, out) = gvc(&["diff", json.to_str().unwrap(), "scenarios/baseline.gvc"]);
    assert_eq!(
        code, 0,
        "an outcome read back from JSON equals the run: {out}"
    );
    let (code, out) = gvc(&[
        "diff",
        json.to_str().unwrap(),
        "scenarios/zambia_state_stake.gvc",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(parsed["changes"].as_array().is_some_and(|c| !c.is_empty()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_traces_captured_value_to_the_scenario_lines() {
    let cases: &[(&str, &[&str])] = &[
        (
            "state_stake_extraction",
            &[
                "scenarios/zambia_state_stake.gvc",
                "Zambia",
                "2030",
                "value_captured",
                "--stage",
                "extraction",
            ],
        ),
        (
            "ban_blocked_country",
            &[
                "scenarios/zambia_ban_blocked.gvc",
                "Zambia",
                "2028",
                "value_captured",
            ],
        ),
        (
            "wire_mill_components",
            &[
                "scenarios/zambia_wire_mill.gvc",
                "Zambia",
                "2030",
                "value_captured",
                "--stage",
                "components",
            ],
        ),
        (
            "upgrading_race_feasible",
            &[
                "scenarios/zambia_upgrading_race.gvc",
                "Zambia",
                "2041",
                "feasible",
                "--stage",
                "components",
            ],
        ),
    ];
    for (name, args) in cases {
        let mut all = vec!["explain"];
        all.extend_from_slice(args);
        let (code, out) = gvc(&all);
        assert_eq!(code, 0, "{out}");
        insta::assert_snapshot!(*name, out);
    }
}

#[test]
fn explain_answers_a_wrong_question_with_a_usage_error() {
    let (code, out) = gvc(&[
        "explain",
        "scenarios/baseline.gvc",
        "Zambai",
        "2030",
        "value_captured",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("did you mean `Zambia`?"), "{out}");
    let (code, _) = gvc(&[
        "explain",
        "scenarios/baseline.gvc",
        "Zambia",
        "2070",
        "value_captured",
    ]);
    assert_eq!(code, 2);
}
