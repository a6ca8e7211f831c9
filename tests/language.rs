//! The language end to end: shipped scenarios check and are formatted; `gvc fmt` keeps the
//! meaning of any file and is idempotent; no input, however mangled, makes gvc panic.

use std::fmt::Write;
use std::path::Path;

use gvc::diagnostic::render_plain;
use gvc::scenario::{Path as TimePath, Provenance, Quantity, Scenario};
use gvc::syntax::{fmt::format, parse_str};
use proptest::prelude::*;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap()
}

/// The checked numbers of a scenario, one fact a line, for review.
fn describe(s: &Scenario) -> String {
    let mut out = String::new();
    let q = |q: &Quantity| {
        let from = match &q.provenance {
            Provenance::Source(_) => "source",
            Provenance::Assumption(_) => "assumption",
            Provenance::Table { .. } => "table",
            Provenance::Unstated => "unstated",
        };
        format!("{} ({from})", round(q.value))
    };
    let p = |p: &TimePath| {
        let mut text = q(&p.base);
        for seg in &p.segments {
            write!(
                text,
                " -> {} {:?} {}..{}",
                round(seg.value.value),
                seg.shape,
                seg.from,
                seg.to
            )
            .unwrap();
        }
        text
    };
    writeln!(
        out,
        "scenario {} ({}..{})",
        s.name, s.timeline.start, s.timeline.end
    )
    .unwrap();
    for stage in s.stages.values() {
        writeln!(
            out,
            "stage {}: input {:?}, feeds {:?}, pci {} at {:?}, unit value {}",
            stage.name,
            stage.input,
            stage.feeds,
            q(&stage.pci),
            stage.pci_year,
            p(&stage.unit_value)
        )
        .unwrap();
    }
    for c in s.countries.values() {
        writeln!(out, "country {}: eci {}", c.name, p(&c.eci)).unwrap();
        if let Some(r) = &c.reserves {
            writeln!(out, "  reserves {}", q(r)).unwrap();
        }
        if let Some(m) = &c.mine_output {
            writeln!(out, "  mine_output {}", p(m)).unwrap();
        }
        for (stage, cap) in &c.capacity {
            writeln!(out, "  capacity {stage} {}", p(cap)).unwrap();
        }
        for (stage, o) in &c.ownership {
            let shares: Vec<String> = o
                .shares
                .iter()
                .map(|(k, v)| format!("{k} {}", round(v.value)))
                .collect();
            writeln!(out, "  ownership {stage}: {}", shares.join(", ")).unwrap();
        }
    }
    for policy in &s.policies {
        let actions: Vec<&str> = policy.actions.iter().map(|a| a.kind.keyword()).collect();
        writeln!(
            out,
            "policy {:?} in {} from {}: {}",
            policy.name,
            policy.country,
            policy.from,
            actions.join(", ")
        )
        .unwrap();
    }
    if let Some(d) = &s.world.demand {
        writeln!(out, "world demand {}", p(d)).unwrap();
    }
    out
}

fn round(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r}")
    }
}

/// Checks a file that must be valid, fully sourced and formatted; returns its scenario.
fn valid_and_formatted(path: &Path) -> Scenario {
    let checked = gvc::check_file(path).unwrap_or_else(|d| panic!("{}", render_plain(&d.0)));
    assert!(
        checked.unsourced.is_empty(),
        "every number of {} has a source or is an assumption",
        path.display()
    );
    let text = std::fs::read_to_string(path).unwrap();
    let (file, errors) = parse_str("x", &text);
    assert!(!errors.has_errors());
    assert_eq!(
        format(&file, &text),
        text,
        "{} is not formatted",
        path.display()
    );
    checked.scenario
}

#[test]
fn shipped_scenarios_check_and_are_formatted() {
    insta::glob!("../scenarios", "{*.gvc,rules/*.gvc}", |path| {
        insta::assert_snapshot!(describe(&valid_and_formatted(relative(path))));
    });
}

#[test]
fn valid_inputs_check_and_are_formatted() {
    insta::glob!("valid/*.gvc", |path| {
        insta::assert_snapshot!(describe(&valid_and_formatted(relative(path))));
    });
}

/// A derived scenario amends its base: statements it repeats replace the base's one by one.
#[test]
fn extends_amends_the_base_scenario() {
    let base = gvc::check_file(Path::new("scenarios/baseline.gvc"))
        .unwrap()
        .scenario;
    let reform = gvc::check_file(Path::new("tests/valid/every_construct.gvc"))
        .unwrap()
        .scenario;
    assert_eq!(reform.name, "every_construct");
    assert_eq!(reform.extends.as_deref(), Some("baseline"));
    assert_eq!((reform.timeline.start, reform.timeline.end), (2025, 2045));
    let (old, new) = (&base.countries["Zambia"], &reform.countries["Zambia"]);
    assert_eq!(old.royalty.as_ref().unwrap().base.value, 0.085);
    assert_eq!(new.royalty.as_ref().unwrap().base.value, 0.1);
    assert_eq!(
        new.reserves.as_ref().unwrap().value,
        old.reserves.as_ref().unwrap().value
    );
    assert_eq!(
        new.ownership["extraction"].shares.len(),
        old.ownership["extraction"].shares.len()
    );
    // The chain: processing's unit value now rises; its PCI is the base's.
    let processing = &reform.stages["processing"];
    assert_eq!(processing.unit_value.segments.len(), 1);
    assert_eq!(processing.pci.value, base.stages["processing"].pci.value);
    // Unit conversions: 3.3 Mt and 2 500 000 t are kt.
    let drc = &reform.countries["DRC"];
    assert!((drc.mine_output.as_ref().unwrap().base.value - 3300.0).abs() < 1e-9);
    assert!((drc.capacity["processing"].base.value - 2500.0).abs() < 1e-9);
    assert_eq!(reform.policies.len(), 2);
    assert_eq!(reform.expectations.len(), 8);
    assert_eq!(base.expectations.len(), 0);
}

#[test]
fn imported_scenario_files_are_formatted() {
    for entry in std::fs::read_dir("scenarios/copper").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let (file, errors) = parse_str("x", &text);
        assert!(!errors.has_errors());
        assert_eq!(
            format(&file, &text),
            text,
            "{} is not formatted",
            path.display()
        );
    }
}

#[test]
fn the_baseline_reads_its_numbers_from_the_data() {
    let s = gvc::check_file(Path::new("scenarios/baseline.gvc"))
        .unwrap()
        .scenario;
    // Atlas PCI 2022, mean of the stage's products.
    assert_eq!(s.stages["extraction"].pci.value, -2.225);
    assert!((s.stages["components"].pci.value - (-0.138 + 0.111) / 2.0).abs() < 1e-12);
    assert!((s.stages["products"].pci.value - (-0.426 + 0.788 + 0.802) / 3.0).abs() < 1e-12);
    // USGS 2024, through the table, with the row's own source.
    let zambia = &s.countries["Zambia"];
    assert_eq!(zambia.reserves.as_ref().unwrap().value, 21000.0);
    assert!(matches!(
        &zambia.mine_output.as_ref().unwrap().base.provenance,
        Provenance::Table { line, source: Some(_), .. } if *line == 24
    ));
    // World totals close to the USGS figures.
    let mine: f64 = s
        .countries
        .values()
        .filter_map(|c| c.mine_output.as_ref())
        .map(|p| p.base.value)
        .sum();
    let refinery: f64 = s
        .countries
        .values()
        .filter_map(|c| c.capacity.get("processing"))
        .map(|p| p.base.value)
        .sum();
    assert_eq!((mine, refinery), (23000.0, 27000.0));
    let consumption: f64 = s
        .countries
        .values()
        .filter_map(|c| c.consumption_share.as_ref())
        .map(|p| p.base.value)
        .sum();
    assert!((consumption - 1.0).abs() < 1e-9);
}

// ---------------------------------------------------------------------------------------------
// `gvc fmt` keeps the meaning: random files in random layouts

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Zambia",
        "Chile",
        "CAN",
        "domestic",
        "extraction",
        "processing",
        "x_1",
    ])
    .prop_map(str::to_string)
}

fn string() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        r#""""#,
        r#""a title""#,
        r#""with \"quotes\" and // no comment""#,
        r#""ünïcode €""#,
    ])
    .prop_map(str::to_string)
}

fn year() -> impl Strategy<Value = String> {
    (2020i32..2060).prop_map(|y| y.to_string())
}

fn number() -> impl Strategy<Value = Vec<String>> {
    let literal = prop::sample::select(vec!["0", "-0.745", "20", "1_000", "3.5e2", "+7"]);
    let unit = prop::option::of(prop::sample::select(vec![
        "kt", "%", "%/yr", "usd/t", "musd", "years", "/yr",
    ]));
    let annotation = prop::option::of(prop::sample::select(vec![
        "source \"USGS\"",
        "assumption",
        "assumption \"why\"",
    ]));
    let lookup = prop::sample::select(vec![
        "atlas[2603, 2022].pci",
        "t[\"United States\", x].value",
    ]);
    (prop::bool::weighted(0.8), literal, lookup, unit, annotation).prop_map(|(lit, l, k, u, a)| {
        let mut v = vec![if lit { l.to_string() } else { k.to_string() }];
        v.extend(u.map(str::to_string));
        if let Some(a) = a {
            v.extend(a.splitn(2, ' ').map(str::to_string));
        }
        v
    })
}

fn path() -> impl Strategy<Value = Vec<String>> {
    let segment = prop_oneof![
        (
            number(),
            prop::sample::select(vec!["linear", "logistic", "exponential"]),
            year(),
            year()
        )
            .prop_map(|(n, s, a, b)| [
                vec!["->".to_string()],
                n,
                vec![s.to_string(), format!("{a}..{b}")]
            ]
            .concat()),
        (number(), year())
            .prop_map(|(n, y)| [vec!["->".to_string()], n, vec!["step".into(), y]].concat()),
        (number(), year(), year()).prop_map(|(n, a, b)| [
            vec!["growth".to_string()],
            n,
            vec![format!("{a}..{b}")]
        ]
        .concat()),
    ];
    (
        number(),
        prop::option::of(year()),
        prop::collection::vec(segment, 0..3),
    )
        .prop_map(|(n, at, segs)| {
            let mut v = n;
            if let Some(y) = at {
                v.extend(["at".to_string(), y]);
            }
            v.extend(segs.into_iter().flatten());
            v
        })
}

fn country_statement() -> impl Strategy<Value = Vec<String>> {
    let kw = |k: &'static str| vec![k.to_string()];
    prop_oneof![
        path().prop_map(move |p| [kw("eci"), p].concat()),
        number().prop_map(move |n| [kw("reserves"), n].concat()),
        (name(), path()).prop_map(move |(s, p)| [kw("capacity"), vec![s], p].concat()),
        (
            name(),
            prop::collection::vec((name(), number()), 0..3),
            any::<bool>()
        )
            .prop_map(move |(s, shares, commas)| {
                let mut v = [kw("ownership"), vec![s, "{".into()]].concat();
                for (o, n) in shares {
                    v.push(o);
                    v.extend(n);
                    if commas {
                        v.push(",".into());
                    }
                }
                v.push("}".into());
                v
            }),
        (name(), name(), path())
            .prop_map(move |(s, o, p)| [kw("ownership"), vec![s, o], p].concat()),
        path().prop_map(move |p| [kw("royalty"), p].concat()),
    ]
}

fn policy_statement() -> impl Strategy<Value = Vec<String>> {
    let kw = |k: &'static str| vec![k.to_string()];
    prop_oneof![
        name().prop_map(move |s| [kw("export_ban"), vec![s]].concat()),
        (name(), path()).prop_map(move |(s, p)| [kw("local_processing"), vec![s], p].concat()),
        (name(), number(), year(), year(), number(), number()).prop_map(
            move |(s, n, a, b, r, y)| {
                [
                    kw("build"),
                    vec![s],
                    n,
                    vec![
                        "over".into(),
                        format!("{a}..{b}"),
                        "financed".into(),
                        "by".into(),
                        "debt".into(),
                    ],
                    r,
                    y,
                ]
                .concat()
            }
        ),
        (
            name(),
            prop::option::of(number()),
            prop::option::of(number())
        )
            .prop_map(move |(s, b, g)| {
                let mut v = [kw("tech_transfer"), vec![s]].concat();
                if let Some(b) = b {
                    v.push("bonus".into());
                    v.extend(b);
                }
                if let Some(g) = g {
                    v.push("eci_growth".into());
                    v.extend(g);
                }
                v
            }),
        path().prop_map(move |p| [kw("eci"), p].concat()),
        (name(), name(), path())
            .prop_map(move |(s, o, p)| [kw("ownership"), vec![s, o], p].concat()),
        path().prop_map(move |p| [kw("royalty"), p].concat()),
    ]
}

fn item() -> impl Strategy<Value = Vec<String>> {
    let kw = |k: &'static str| vec![k.to_string()];
    prop_oneof![
        (name(), prop::option::of(name()), string(), year(), year()).prop_map(
            move |(n, e, t, a, b)| {
                let mut v = [kw("scenario"), vec![n]].concat();
                if let Some(e) = e {
                    v.extend(["extends".to_string(), e]);
                }
                v.extend([
                    "{".into(),
                    "title".into(),
                    t,
                    "timeline".into(),
                    a,
                    "to".into(),
                    b,
                    "}".into(),
                ]);
                v
            }
        ),
        string().prop_map(move |s| [kw("import"), vec![s]].concat()),
        (string(), name()).prop_map(move |(s, n)| [
            kw("import"),
            vec![
                "csv".into(),
                s,
                "as".into(),
                n,
                "key".into(),
                "a".into(),
                ",".into(),
                "b".into()
            ]
        ]
        .concat()),
        (name(), prop::option::of(string())).prop_map(move |(n, s)| [
            kw("owner"),
            vec![n],
            s.into_iter().collect()
        ]
        .concat()),
        (name(), prop::collection::vec(country_statement(), 0..4)).prop_map(move |(n, st)| {
            [
                kw("country"),
                vec![n, "{".into()],
                st.concat(),
                vec!["}".into()],
            ]
            .concat()
        }),
        (
            string(),
            name(),
            year(),
            prop::collection::vec(policy_statement(), 0..4)
        )
            .prop_map(move |(s, n, y, st)| {
                [
                    kw("policy"),
                    vec![s, "in".into(), n, "from".into(), y, "{".into()],
                    st.concat(),
                    vec!["}".into()],
                ]
                .concat()
            }),
        (name(), prop::collection::vec((name(), path()), 0..3)).prop_map(move |(c, stages)| {
            let mut v = [kw("chain"), vec![c, "{".into()]].concat();
            for (s, p) in stages {
                v.extend([
                    "stage".to_string(),
                    s,
                    "{".into(),
                    "product".into(),
                    "2603".into(),
                    "\"ore\"".into(),
                    "pci".into(),
                    "-2.2".into(),
                    "at".into(),
                    "2022".into(),
                    "unit_value".into(),
                ]);
                v.extend(p);
                v.push("}".into());
            }
            v.push("}".into());
            v
        }),
        (string(), name(), name(), prop::option::of(number())).prop_map(move |(s, a, b, isds)| {
            let mut v = [
                kw("agreement"),
                vec![
                    s,
                    "parties".into(),
                    a,
                    ",".into(),
                    b,
                    "restricts".into(),
                    "export_ban".into(),
                ],
            ]
            .concat();
            if let Some(n) = isds {
                v.extend(["isds".to_string(), "award".into()]);
                v.extend(n);
            }
            v
        }),
        (string(), name(), year(), prop::option::of(string())).prop_map(move |(s, c, y, u)| {
            let mut v = [
                kw("flexibility"),
                vec![
                    s,
                    "for".into(),
                    "export_ban".into(),
                    "in".into(),
                    c,
                    "from".into(),
                    y,
                ],
            ]
            .concat();
            if let Some(u) = u {
                v.extend(["under".to_string(), u]);
            }
            v
        }),
        prop::sample::select(vec![
            "rule capture = script \"rules/c.rhai\"",
            "rule metric share = script ```let x = \"}\"; // kept\n x```"
        ])
        .prop_map(|r| vec![r.to_string()]),
        (
            name(),
            prop::option::of((year(), prop::option::of(year()))),
            number(),
            prop::option::of(number()),
            prop::option::of(string())
        )
            .prop_map(move |(c, years, n, w, m)| {
                let mut target = format!("{c}.capture_ratio");
                if let Some((a, b)) = years {
                    match b {
                        Some(b) => write!(target, "[{a}..{b}]").unwrap(),
                        None => write!(target, "[{a}]").unwrap(),
                    }
                }
                let mut v = [kw("expect"), vec![target, ">=".into()], n].concat();
                if let Some(w) = w {
                    v.push("within".into());
                    v.extend(w);
                }
                v.extend(m);
                v
            }),
    ]
}

/// What may stand between two tokens: white space, comments, blank lines.
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        " ",
        " ",
        "\n",
        "  \n\t",
        "\n\n\n",
        " /* a comment */ ",
        " // to the end of the line\n",
    ])
}

fn layout(tokens: Vec<String>, seps: Vec<&'static str>) -> String {
    let mut text = String::new();
    for (i, t) in tokens.iter().enumerate() {
        text.push_str(seps.get(i % seps.len().max(1)).copied().unwrap_or(" "));
        text.push_str(t);
    }
    text.push('\n');
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fmt_keeps_the_meaning_and_is_idempotent(
        items in prop::collection::vec(item(), 1..6),
        seps in prop::collection::vec(separator(), 1..40),
    ) {
        let text = layout(items.concat(), seps);
        let (before, errors) = parse_str("x.gvc", &text);
        prop_assert!(!errors.has_errors(), "generated text must parse:\n{text}\n{}", render_plain(&errors.0));
        let once = format(&before, &text);
        let (after, errors) = parse_str("x.gvc", &once);
        prop_assert!(!errors.has_errors(), "formatted text must parse:\n{once}\n{}", render_plain(&errors.0));
        prop_assert_eq!(&before, &after, "fmt changed the meaning:\n{}\n---\n{}", text, once);
        let twice = format(&after, &once);
        prop_assert_eq!(&once, &twice, "fmt is not idempotent");
        // Every comment survives.
        prop_assert_eq!(text.matches("a comment").count(), once.matches("a comment").count());
        prop_assert_eq!(text.matches("to the end of the line").count(), once.matches("to the end of the line").count());
    }

    #[test]
    fn no_text_makes_the_parser_panic(text in "\\PC{0,200}") {
        let _ = parse_str("x.gvc", &text);
    }

    #[test]
    fn no_token_soup_makes_the_parser_panic(
        tokens in prop::collection::vec(prop::sample::select(vec![
            "scenario", "country", "policy", "{", "}", "\"s\"", "2030", "2027..2035", "20%", "->",
            "linear", "eci", "ownership", "domestic", "[", "]", ".", "expect", ">=", "```", "/*", "//", "\n",
            "import", "csv", "as", "at", "source", "assumption", "rule", "=", "script", "-0.5", "kt",
        ]), 0..60),
    ) {
        let _ = parse_str("x.gvc", &tokens.join(" "));
    }
}

// ---------------------------------------------------------------------------------------------
// Mangled copies of the baseline: errors, never a panic

fn baseline() -> String {
    std::fs::read_to_string("scenarios/baseline.gvc").unwrap()
}

/// Checks a mangled copy and, when it still checks, runs it and writes every report: no step
/// may panic, whatever the copy says.
fn check_copy(text: &str) -> Result<gvc::Checked, gvc::Diagnostics> {
    let checked = gvc::check_text(Path::new("scenarios/mangled.gvc"), text)?;
    if let Ok(outcome) = gvc::evaluate(&checked.scenario) {
        let _ = gvc::report::to_json(&outcome);
        let _ = gvc::report::to_table(&outcome);
        let _ = gvc::report::to_csv(&outcome);
    }
    Ok(checked)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn deleted_characters_give_errors_not_panics(start in 0usize..20_000, len in 1usize..40) {
        let text = baseline();
        let start = start % text.len();
        let mut end = (start + len).min(text.len());
        let start = (0..=start).rev().find(|&i| text.is_char_boundary(i)).unwrap();
        while !text.is_char_boundary(end) { end += 1; }
        let mangled = format!("{}{}", &text[..start], &text[end..]);
        if let Err(d) = check_copy(&mangled) {
            prop_assert!(d.has_errors());
            prop_assert!(d.iter().all(|d| d.location().is_some() || d.code == "gvc::missing_file"));
        }
    }

    #[test]
    fn truncated_files_give_errors_not_panics(cut in 0usize..20_000) {
        let text = baseline();
        let mut cut = cut % text.len();
        while !text.is_char_boundary(cut) { cut -= 1; }
        let _ = check_copy(&text[..cut]);
    }

    #[test]
    fn duplicated_lines_give_errors_not_panics(line in 0usize..400, times in 1usize..3) {
        let text = baseline();
        let lines: Vec<&str> = text.lines().collect();
        let line = line % lines.len();
        let mut mangled: Vec<&str> = lines[..=line].to_vec();
        for _ in 0..times { mangled.push(lines[line]); }
        mangled.extend(&lines[line + 1..]);
        let _ = check_copy(&mangled.join("\n"));
    }
}

#[test]
fn a_duplicated_statement_line_is_an_error() {
    let text = baseline().replacen(
        "  reserves usgs[reserves, Chile].value kt\n",
        "  reserves usgs[reserves, Chile].value kt\n  reserves usgs[reserves, Chile].value kt\n",
        1,
    );
    let d = check_copy(&text).err().expect("rejected");
    assert_eq!(
        d.0[0].message,
        "`reserves` is declared twice in country `Chile`"
    );
}

#[test]
fn a_truncated_baseline_is_an_error() {
    let text = baseline();
    let d = check_copy(&text[..text.len() / 2]).err().expect("rejected");
    assert!(d.0.iter().any(|d| d.code == "gvc::syntax"));
}
