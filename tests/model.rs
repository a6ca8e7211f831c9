//! The model end to end: every shipped scenario's outcome is a snapshot; the brief's Table 2
//! comes out of the baseline; each reform moves the numbers the way its comment says; the
//! invariants hold on random variations of the baseline.

use std::path::Path;

use gvc::diagnostic::render_plain;
use gvc::scenario::{Ownership, Path as TimePath, Provenance, Quantity, Scenario};
use gvc::source::Origin;
use gvc::Outcome;
use proptest::prelude::*;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap()
}

fn scenario(path: &str) -> Scenario {
    gvc::check_file(Path::new(path))
        .unwrap_or_else(|d| panic!("{}", render_plain(&d.0)))
        .scenario
}

fn run(path: &str) -> Outcome {
    gvc::evaluate(&scenario(path)).unwrap()
}

#[test]
fn every_scenario_outcome_is_a_snapshot() {
    insta::glob!("../scenarios", "{*.gvc,rules/*.gvc}", |path| {
        let s = scenario(relative(path).to_str().unwrap());
        insta::assert_snapshot!(gvc::report::to_table(&gvc::evaluate(&s).unwrap()));
    });
}

/// The brief's Table 2 and Figure 3: in 2025 the copper-reserve LMICs reach extraction and
/// processing only; Mexico, China and the USA reach every stage.
#[test]
fn baseline_feasibility_matches_the_brief() {
    let outcome = run("scenarios/baseline.gvc");
    let json: serde_json::Value = serde_json::from_str(&gvc::report::to_json(&outcome)).unwrap();
    let feasible = |country: &str, stage: &str| {
        json["countries"][country]["years"]["2025"]["stages"][stage]["feasible"]
            .as_bool()
            .unwrap_or_else(|| panic!("no feasible flag for {country} {stage}"))
    };
    for country in [
        "Chile",
        "Peru",
        "Zambia",
        "Kazakhstan",
        "Russia",
        "Australia",
    ] {
        assert!(
            feasible(country, "extraction") && feasible(country, "processing"),
            "{country}"
        );
        assert!(
            !feasible(country, "components") && !feasible(country, "products"),
            "{country}"
        );
    }
    for country in ["Mexico", "China", "USA"] {
        for stage in ["extraction", "processing", "components", "products"] {
            assert!(feasible(country, stage), "{country} {stage}");
        }
    }
}

/// The JSON has the design's shape and key names.
#[test]
fn json_has_the_designed_shape() {
    let outcome = run("scenarios/baseline.gvc");
    let json: serde_json::Value = serde_json::from_str(&gvc::report::to_json(&outcome)).unwrap();
    assert_eq!(json["scenario"], "baseline");
    assert_eq!(json["timeline"]["start"], 2025);
    assert_eq!(json["timeline"]["end"], 2050);
    let zambia = &json["countries"]["Zambia"];
    let year = &zambia["years"]["2025"];
    for key in [
        "eci",
        "stages",
        "linkages",
        "value_added_musd",
        "value_captured_musd",
        "capture_ratio",
        "accounts",
    ] {
        assert!(!year[key].is_null(), "years.2025.{key}");
    }
    let extraction = &year["stages"]["extraction"];
    for key in [
        "feasible",
        "volume_kt",
        "value_added_musd",
        "value_captured_musd",
        "capture_ratio",
    ] {
        assert!(!extraction[key].is_null(), "stages.extraction.{key}");
    }
    assert!(year["linkages"]["value_added_musd"].is_number());
    for key in ["production_kt", "controlled_kt", "consumption_kt"] {
        assert!(year["accounts"][key].is_number(), "accounts.{key}");
    }
    for key in [
        "value_added_musd",
        "value_captured_musd",
        "capture_ratio",
        "first_feasible_year",
        "outpaced",
    ] {
        assert!(!zambia["summary"][key].is_null(), "summary.{key}");
    }
    assert!(json["diagnostics"].is_array());
    // Keys in a stable order: the countries as declared, the years in order.
    let countries: Vec<&String> = json["countries"].as_object().unwrap().keys().collect();
    assert_eq!(countries.first().map(|s| s.as_str()), Some("Chile"));
    assert_eq!(countries.last().map(|s| s.as_str()), Some("ROW"));
}

/// Zambia's extraction in 2025, computed by hand in `src/model/value.rs`.
#[test]
fn zambia_extraction_by_hand() {
    let outcome = run("scenarios/baseline.gvc");
    let y = &outcome.countries["Zambia"].years[&2025];
    let e = &y.stages["extraction"];
    assert_eq!(e.volume_kt, 680.0);
    assert_eq!(e.value_added_musd, 3394.968);
    assert_eq!(e.value_captured_musd, 1759.847);
    // Processing: 170 kt × 85% = 144.5 kt at a margin of 9377 − 8321 usd/t, 60% bought in:
    // VA = 144.5 × 1056 / 1000 × 0.4 = 61.0368.
    let p = &y.stages["processing"];
    assert_eq!(p.volume_kt, 144.5);
    assert_eq!(p.value_added_musd, 61.037);
    // Accounts: Zambia mines 680 kt and owns 8% of it; no Zambian owner abroad.
    assert_eq!(y.accounts.production_kt, 680.0);
    assert_eq!(y.accounts.controlled_kt, 54.4);
    // 0.1% of world demand (27 353 kt in 2024, on its way up).
    assert!(y.accounts.consumption_kt > 27.0 && y.accounts.consumption_kt < 28.0);
}

/// Each reform moves Zambia's numbers in the direction its comment claims.
#[test]
fn reforms_move_the_numbers_as_claimed() {
    let base = run("scenarios/baseline.gvc");
    let zambia = |o: &Outcome, year: i32| {
        let y = &o.countries["Zambia"].years[&year];
        (y.value_added_musd, y.value_captured_musd)
    };
    let (base_added, base_captured) = zambia(&base, 2035);

    let ban = run("scenarios/zambia_export_ban.gvc");
    let (added, captured) = zambia(&ban, 2035);
    assert!(
        added < base_added && captured < base_captured,
        "export ban: both fall"
    );
    assert!(ban.countries["Zambia"].years[&2035].stages["extraction"].stranded_kt > 500.0);

    let stake = run("scenarios/zambia_state_stake.gvc");
    let (added, captured) = zambia(&stake, 2035);
    assert_eq!(added, base_added, "state stake: value added unchanged");
    assert!(captured > base_captured, "state stake: capture rises");

    let mill = run("scenarios/zambia_wire_mill.gvc");
    let (added, captured) = zambia(&mill, 2035);
    assert_eq!(added, base_added, "wire mill: nothing more is added");
    assert!(
        captured < base_captured,
        "wire mill: debt service lowers capture"
    );
    let components = &mill.countries["Zambia"].years[&2035].stages["components"];
    assert!(
        !components.feasible
            && components.idle_capacity_kt == 120.0
            && components.debt_service_musd > 0.0
    );

    let blocked = run("scenarios/zambia_ban_blocked.gvc");
    let volume =
        |year: i32| blocked.countries["Zambia"].years[&year].stages["extraction"].volume_kt;
    assert_eq!(volume(2031), 680.0, "blocked until the flexibility");
    assert!(volume(2032) < 680.0, "applies once the flexibility starts");
    assert!(blocked
        .diagnostics
        .iter()
        .any(|n| n.code == "policy_blocked" && n.years == [(2027, 2031)]));

    let race = run("scenarios/zambia_upgrading_race.gvc");
    let summary = &race.countries["Zambia"].summary;
    assert_eq!(summary.demand_peak_year, Some(2040));
    assert!(summary.first_feasible_year["components"].is_some_and(|y| y > 2040));
    assert!(summary.outpaced["components"]);
}

/// An export ban restricted by an agreement that settles by ISDS applies, and the award is
/// charged in the first year.
#[test]
fn isds_awards_are_charged_against_captured_value() {
    let text = std::fs::read_to_string("scenarios/zambia_ban_blocked.gvc")
        .unwrap()
        .replace(
            "restricts export_ban\n",
            "restricts export_ban isds award 5 years assumption\n",
        );
    let s = gvc::check_text(Path::new("scenarios/isds.gvc"), &text)
        .unwrap()
        .scenario;
    let outcome = gvc::evaluate(&s).unwrap();
    let y = &outcome.countries["Zambia"].years[&2027];
    assert!(y.isds_award_musd > 0.0);
    assert!(outcome.diagnostics.iter().any(|n| n.code == "isds_award"));
    assert_eq!(
        outcome.countries["Zambia"].years[&2028].isds_award_musd,
        0.0
    );
    // The ban applies from 2027 despite the treaty.
    assert!(y.stages["extraction"].volume_kt < 680.0);
}

#[test]
fn the_same_scenario_gives_the_same_bytes_on_any_thread() {
    let s = scenario("scenarios/zambia_ban_blocked.gvc");
    let first = gvc::report::to_json(&gvc::evaluate(&s).unwrap());
    let others: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| gvc::report::to_json(&gvc::evaluate(&s).unwrap())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for other in others {
        assert_eq!(first, other);
    }
    assert_eq!(
        gvc::report::to_csv(&gvc::evaluate(&s).unwrap()),
        gvc::report::to_csv(&gvc::evaluate(&s).unwrap())
    );
}

// ---------------------------------------------------------------------------------------------
// Invariants on random variations of the baseline

fn quantity(value: f64) -> Quantity {
    Quantity {
        value,
        provenance: Provenance::Assumption(None),
        origin: Origin::default(),
    }
}

/// A variation: per country a domestic share of extraction, a capacity factor and fiscal
/// terms; per stage a unit-value factor.
#[derive(Debug, Clone)]
struct Variation {
    countries: Vec<(f64, f64, f64, f64, f64)>,
    unit_values: Vec<f64>,
}

fn variation() -> impl Strategy<Value = Variation> {
    (
        prop::collection::vec(
            (
                0.0..=1.0f64,
                0.0..3.0f64,
                0.0..0.3f64,
                0.0..0.5f64,
                0.0..=1.0f64,
            ),
            11,
        ),
        prop::collection::vec(0.5..1.5f64, 5),
    )
        .prop_map(|(countries, unit_values)| Variation {
            countries,
            unit_values,
        })
}

fn apply(base: &Scenario, v: &Variation) -> Scenario {
    let mut s = base.clone();
    for (c, &(domestic, capacity, royalty, tax, utilisation)) in
        s.countries.values_mut().zip(&v.countries)
    {
        c.ownership.insert(
            "extraction".into(),
            Ownership {
                shares: [
                    ("domestic".to_string(), quantity(domestic)),
                    ("OTH".to_string(), quantity(1.0 - domestic)),
                ]
                .into_iter()
                .collect(),
                origin: Origin::default(),
            },
        );
        for p in c.capacity.values_mut() {
            p.base.value *= capacity;
        }
        c.royalty = Some(TimePath::constant(quantity(royalty)));
        c.corporate_tax = Some(TimePath::constant(quantity(tax)));
        c.utilisation = s
            .stages
            .keys()
            .map(|st| (st.clone(), TimePath::constant(quantity(utilisation))))
            .collect();
    }
    for (st, &f) in s.stages.values_mut().zip(&v.unit_values) {
        st.unit_value.base.value *= f;
    }
    s
}

fn base() -> Scenario {
    scenario("scenarios/zambia_ban_blocked.gvc")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn captured_never_exceeds_added(v in variation()) {
        let outcome = gvc::evaluate(&apply(&base(), &v)).unwrap();
        for (country, c) in &outcome.countries {
            for (year, y) in &c.years {
                prop_assert!(y.value_captured_musd <= y.value_added_musd + 1e-6, "{country} {year}");
                for (stage, st) in &y.stages {
                    prop_assert!(st.value_captured_musd <= st.value_added_musd + 1e-6, "{country} {year} {stage}");
                }
            }
        }
    }

    #[test]
    fn world_balance_holds(v in variation()) {
        let s = apply(&base(), &v);
        let outcome = gvc::evaluate(&s).unwrap();
        for year in s.timeline.years() {
            let total = |stage: &str| -> f64 {
                outcome.countries.values().map(|c| c.years[&year].stages[stage].volume_kt).sum()
            };
            let rounding = 1e-3 * outcome.countries.len() as f64;
            prop_assert!(total("processing") <= total("extraction") + total("recycling") + rounding, "{year}");
            prop_assert!(total("components") <= total("processing") + rounding, "{year}");
            prop_assert!(total("products") <= total("components") + rounding, "{year}");
        }
    }

    #[test]
    fn more_domestic_ownership_never_lowers_captured_value(v in variation(), country in 0usize..11, extra in 0.0..=1.0f64) {
        let base = apply(&base(), &v);
        let mut more = base.clone();
        let (_, c) = more.countries.get_index_mut(country).unwrap();
        let shares = &mut c.ownership.get_mut("extraction").unwrap().shares;
        let domestic = shares["domestic"].value;
        let raised = domestic + (1.0 - domestic) * extra;
        shares["domestic"].value = raised;
        shares["OTH"].value = 1.0 - raised;
        let name = more.countries.get_index(country).unwrap().0.clone();
        let before = gvc::evaluate(&base).unwrap();
        let after = gvc::evaluate(&more).unwrap();
        for (year, y) in &after.countries[&name].years {
            let was = before.countries[&name].years[year].value_captured_musd;
            prop_assert!(y.value_captured_musd >= was - 1e-6, "{name} {year}: {was} -> {}", y.value_captured_musd);
        }
    }
}

/// Two countries small enough to compute by hand: the world balance, a beneficiation rule,
/// an ISDS award, the accounts.
#[test]
fn two_countries_by_hand() {
    let text = r#"
scenario tiny { timeline 2025 to 2026 }
chain c {
  stage extraction { stage_pci -2 assumption unit_value 1000 usd/t assumption labour_share 0% assumption input_share 0% assumption }
  stage processing { stage_pci -1 assumption unit_value 1500 usd/t assumption labour_share 0% assumption input_share 0% assumption }
}
country A {
  eci 0 assumption
  mine_output 100 kt assumption
  capacity processing 300 kt assumption
  utilisation processing 100% assumption
  ownership extraction { domestic 50% assumption, B 50% assumption }
  corporate_tax 0% assumption
}
country B {
  eci -1.5 assumption
  mine_output 50 kt assumption
  capacity processing 100 kt assumption
  utilisation processing 100% assumption
  ownership extraction { domestic 60% assumption, A 40% assumption }
  corporate_tax 0% assumption
}
policy "Ban" in B from 2026 { export_ban extraction }
agreement "Treaty" parties A, B restricts export_ban isds award 2 years assumption
"#;
    let s = gvc::check_text(Path::new("tests/tiny.gvc"), text)
        .unwrap_or_else(|d| panic!("{}", render_plain(&d.0)))
        .scenario;
    let o = gvc::evaluate(&s).unwrap();
    let (a, b) = (&o.countries["A"].years, &o.countries["B"].years);
    // 2025. World extraction 150 kt; A could refine 300 kt, B's refinery is not feasible
    // (ECI -1.5 < PCI -1) and idles: A refines what the world mines, 150 kt.
    assert_eq!(a[&2025].stages["processing"].volume_kt, 150.0);
    assert_eq!(b[&2025].stages["processing"].idle_capacity_kt, 100.0);
    // A: extraction 100 kt × 1000 usd/t = 100 musd added, half owned abroad, no wages, no
    // tax: 50 captured. Processing 150 kt × 500 usd/t = 75 musd, all domestic.
    assert_eq!(
        (a[&2025].value_added_musd, a[&2025].value_captured_musd),
        (175.0, 125.0)
    );
    // B: 50 kt × 1000 usd/t = 50 musd added, 60% domestic: 30 captured.
    assert_eq!(
        (b[&2025].value_added_musd, b[&2025].value_captured_musd),
        (50.0, 30.0)
    );
    // Controlled production: A owns 50% of its mines and 40% of B's: 50 + 20 = 70 kt;
    // B 60% of its own and 50% of A's: 30 + 50 = 80 kt.
    assert_eq!(a[&2025].accounts.controlled_kt, 70.0);
    assert_eq!(b[&2025].accounts.controlled_kt, 80.0);
    // 2026. B bans concentrate exports but cannot refine: all 50 kt are stranded. The treaty
    // settles by ISDS: the ban applies and B owes 2 years × the 20 musd its foreign owner
    // (A, 40% of 50 musd) loses = 40 musd.
    assert_eq!(b[&2026].stages["extraction"].volume_kt, 0.0);
    assert_eq!(b[&2026].stages["extraction"].stranded_kt, 50.0);
    assert_eq!(b[&2026].isds_award_musd, 40.0);
    assert_eq!(
        (b[&2026].value_added_musd, b[&2026].value_captured_musd),
        (0.0, -40.0)
    );
    // A refines what is mined: 100 kt.
    assert_eq!(a[&2026].stages["processing"].volume_kt, 100.0);
    assert!(o
        .diagnostics
        .iter()
        .any(|n| n.code == "world_balance" && n.years == [(2025, 2026)]));
}

/// Magnitudes far beyond any economy give an error, not a table of zeros or a panic.
#[test]
fn overflowing_numbers_are_an_error() {
    let text = r#"
scenario extreme extends "baseline.gvc" { timeline 2025 to 2030 }
world {
  demand 1e-300 kt assumption -> 1e300 kt assumption exponential 2025..2030
  price_elasticity 50 assumption
}
"#;
    let s = gvc::check_text(Path::new("scenarios/extreme.gvc"), text)
        .unwrap()
        .scenario;
    let d = gvc::evaluate(&s).expect_err("an overflow is an error");
    assert_eq!(d.0[0].code, "gvc::overflow");
}
