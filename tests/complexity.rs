//! ECI, PCI, density, COI and COG against py-ecomplexity 0.5.3's own numbers on a 30 × 60
//! synthetic panel (`tests/fixtures/complexity/`, copied from the team's reference folder;
//! its README says how they were made).

use std::collections::HashMap;

use gvc::complexity::{compute, read_panel, Columns, Options};

const DIR: &str = "tests/fixtures/complexity";

/// The nine measures of one (country, product) cell, by py-ecomplexity's column names.
fn cell_measures(
    m: &gvc::complexity::YearMeasures,
    c: usize,
    p: usize,
) -> [(&'static str, f64); 9] {
    let i = c * m.products.len() + p;
    [
        ("rca", m.rca[i]),
        ("mcp", f64::from(m.mcp[i])),
        ("diversity", m.diversity[c]),
        ("ubiquity", m.ubiquity[p]),
        ("eci", m.eci[c]),
        ("pci", m.pci[p]),
        ("density", m.density[i]),
        ("coi", m.coi[c]),
        ("cog", m.cog[i]),
    ]
}

fn columns() -> Columns {
    Columns {
        year: "year".into(),
        location: "loc".into(),
        product: "prod".into(),
        value: "export_val".into(),
    }
}

#[test]
fn every_number_matches_py_ecomplexity() {
    let text = std::fs::read_to_string(format!("{DIR}/synthetic_trade_30x60_2022.csv")).unwrap();
    let panel = read_panel(&text, &columns(), None).unwrap();
    let results = compute(&panel, &Options::default());
    let (_, result) = &results[0];
    let m = result.as_ref().unwrap();
    let loc: HashMap<&str, usize> = m
        .locations
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let prod: HashMap<&str, usize> = m
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let np = m.products.len();
    let mut worst: HashMap<&str, f64> = HashMap::new();
    let cells = rows("ecomplexity_out_cp_30x60.csv");
    assert_eq!(cells.len(), m.locations.len() * np);
    for row in &cells {
        let (c, p) = (loc[row["loc"].as_str()], prod[row["prod"].as_str()]);
        for (name, value) in cell_measures(m, c, p) {
            let expected: f64 = row[name].parse().unwrap();
            let diff = (value - expected).abs();
            let w = worst.entry(name).or_insert(0.0);
            *w = w.max(diff);
        }
    }
    for (name, diff) in &worst {
        assert!(*diff < 1e-9, "{name} differs from py-ecomplexity by {diff}");
    }
    assert!((m.eigenvalue - 0.3610357991644787).abs() < 1e-12);
    // The proximity edge list, every pair.
    let mut proximity = 0.0f64;
    let pairs = rows("ecomplexity_proximity_30x60.csv");
    assert_eq!(pairs.len(), np * np);
    for row in pairs {
        let (a, b) = (prod[row["prod_1"].as_str()], prod[row["prod_2"].as_str()]);
        let theirs: f64 = row["proximity"].parse().unwrap();
        proximity = proximity.max((m.proximity[a * np + b] - theirs).abs());
    }
    assert!(proximity < 1e-9, "proximity differs by {proximity}");
    // The per-country and per-product extracts.
    for row in rows("ecomplexity_out_eci_30x60.csv") {
        let c = loc[row["loc"].as_str()];
        assert!((m.eci[c] - row["eci"].parse::<f64>().unwrap()).abs() < 1e-9);
        assert!((m.coi[c] - row["coi"].parse::<f64>().unwrap()).abs() < 1e-9);
    }
    for row in rows("ecomplexity_out_pci_30x60.csv") {
        let p = prod[row["prod"].as_str()];
        assert!((m.pci[p] - row["pci"].parse::<f64>().unwrap()).abs() < 1e-9);
    }
}

/// Reads a reference CSV into rows keyed by column name.
fn rows(file: &str) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(format!("{DIR}/{file}")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn run(file: &str, threshold: f64) -> Vec<(String, gvc::complexity::YearResult)> {
    let text = std::fs::read_to_string(format!("{DIR}/{file}")).unwrap();
    let panel = read_panel(&text, &Columns::default(), None).unwrap();
    compute(
        &panel,
        &Options {
            threshold,
            ..Options::default()
        },
    )
}

fn worst(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

/// Panels made by `examples/trade_panel.rs` that gvc was never tuned on, with
/// py-ecomplexity's answers (`benches/py_ecomplexity.py`): two years, 40 × 120.
/// The measures of `year`, and where a name stands among them.
fn year<'a>(
    results: &'a [(String, gvc::complexity::YearResult)],
    year: &str,
) -> &'a gvc::complexity::YearMeasures {
    results
        .iter()
        .find(|(y, _)| y == year)
        .unwrap()
        .1
        .as_ref()
        .unwrap()
}

fn index(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap()
}

#[test]
fn unseen_panel_matches_py_ecomplexity() {
    let results = run("unseen_40x120.csv", 1.0);
    let (mut eci, mut pci) = (Vec::new(), Vec::new());
    for row in rows("ref_40x120_t1_country.csv") {
        let m = year(&results, &row["year"]);
        let c = index(&m.locations, &row["location"]);
        eci.push((m.eci[c], row["eci"].parse().unwrap()));
        eci.push((m.coi[c], row["coi"].parse().unwrap()));
    }
    for row in rows("ref_40x120_t1_product.csv") {
        let m = year(&results, &row["year"]);
        let p = index(&m.products, &row["product"]);
        pci.push((m.pci[p], row["pci"].parse().unwrap()));
    }
    assert!(worst(eci.into_iter()) < 1e-9);
    assert!(worst(pci.into_iter()) < 1e-9);
}

/// The same panel with an RCA threshold of 1.5: every number of every cell.
#[test]
fn another_threshold_matches_py_ecomplexity() {
    let results = run("unseen_40x120.csv", 1.5);
    let mut diffs: HashMap<&str, f64> = HashMap::new();
    for row in rows("ref_40x120_t1.5_cp.csv") {
        let m = year(&results, &row["year"]);
        let c = index(&m.locations, &row["location"]);
        let p = index(&m.products, &row["product"]);
        for (name, ours) in cell_measures(m, c, p) {
            let theirs: f64 = row[name].parse().unwrap();
            let d = diffs.entry(name).or_insert(0.0);
            *d = d.max((ours - theirs).abs());
        }
    }
    for (name, d) in diffs {
        assert!(d < 1e-9, "{name} differs by {d}");
    }
}

/// 500 products: the Lanczos solver, not the dense one, finds the eigenvector.
#[test]
fn a_large_product_space_matches_py_ecomplexity() {
    let results = run("unseen_30x500.csv", 1.0);
    let m = results[0].1.as_ref().unwrap();
    assert!(m.products.len() > 400);
    let eci = rows("ref_30x500_t1_country.csv").into_iter().map(|row| {
        (
            m.eci[index(&m.locations, &row["location"])],
            row["eci"].parse::<f64>().unwrap(),
        )
    });
    assert!(worst(eci) < 1e-9);
    let pci = rows("ref_30x500_t1_product.csv").into_iter().map(|row| {
        (
            m.pci[index(&m.products, &row["product"])],
            row["pci"].parse::<f64>().unwrap(),
        )
    });
    assert!(worst(pci) < 1e-9);
}

fn error_of(text: &str) -> String {
    match read_panel(text, &Columns::default(), None) {
        Ok(_) => panic!("must be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_is_rejected_with_its_line() {
    let head = "year,location,product,export_value\n";
    for (rows, message) in [
        (
            "2022,A,P1,10\n2022,B,P1\n",
            "line 3: the row has 3 fields where the header has 4",
        ),
        (
            "2022,A,P1,-5\n",
            "line 2: the value -5 is negative: exports cannot be",
        ),
        ("2022,A,P1,ten\n", "line 2: the value `ten` is not a number"),
        (
            "2022,A,P1,NaN\n",
            "line 2: the value `NaN` is not a finite number",
        ),
        ("2022,,P1,3\n", "line 2: the location is empty"),
        ("", "the table has no rows"),
    ] {
        assert_eq!(error_of(&format!("{head}{rows}")), message);
    }
    assert!(error_of("year,loc,product,value\n").contains("no column `location`"));
}

#[test]
fn countries_and_products_without_trade_are_dropped_and_degenerate_years_refused() {
    let text = std::fs::read_to_string(format!("{DIR}/unseen_40x120.csv")).unwrap();
    let padded = format!("{text}2000,ZZZ,P0001,0\n2000,C001,PZZZ,0\n");
    let plain = compute(
        &read_panel(&text, &Columns::default(), None).unwrap(),
        &Options::default(),
    );
    let with_zeros = compute(
        &read_panel(&padded, &Columns::default(), None).unwrap(),
        &Options::default(),
    );
    let level = gvc::complexity::Level::Cp;
    // A country and a product with no trade are dropped: the result is as without them.
    assert_eq!(
        gvc::complexity::to_csv(&plain, level),
        gvc::complexity::to_csv(&with_zeros, level)
    );
    // One country and one product: no complexity.
    let tiny = "year,location,product,export_value\n2023,A,P1,10\n";
    let results = compute(
        &read_panel(tiny, &Columns::default(), None).unwrap(),
        &Options::default(),
    );
    assert!(matches!(
        results[0].1,
        Err(gvc::complexity::YearError::Degenerate(_))
    ));
    // Two countries with nothing in common: the network falls apart.
    let apart = "year,location,product,export_value\n2023,A,P1,10\n2023,B,P2,10\n";
    let results = compute(
        &read_panel(apart, &Columns::default(), None).unwrap(),
        &Options::default(),
    );
    assert!(
        matches!(&results[0].1, Err(gvc::complexity::YearError::Degenerate(why)) if why.contains("falls apart"))
    );
    // A threshold no one reaches.
    let results = compute(
        &read_panel(&text, &Columns::default(), None).unwrap(),
        &Options {
            threshold: 1e9,
            ..Options::default()
        },
    );
    assert!(results
        .iter()
        .all(|(_, r)| matches!(r, Err(gvc::complexity::YearError::Degenerate(_)))));
}

/// Results do not depend on the thread count.
#[test]
fn the_same_panel_gives_the_same_bytes_on_any_thread_count() {
    let text = std::fs::read_to_string(format!("{DIR}/unseen_40x120.csv")).unwrap();
    let panel = read_panel(&text, &Columns::default(), None).unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let a = one.install(|| {
        gvc::complexity::to_csv(
            &compute(&panel, &Options::default()),
            gvc::complexity::Level::Cp,
        )
    });
    let b = two.install(|| {
        gvc::complexity::to_csv(
            &compute(&panel, &Options::default()),
            gvc::complexity::Level::Cp,
        )
    });
    assert_eq!(a, b);
}

/// The Stata convention: strict `RCA > 1`, proximity diagonal 0, and the sample standard
/// deviation over the country × product rows — so, where no RCA is exactly 1, ECI is
/// py-ecomplexity's scaled by √((CP − 1)/CP).
#[test]
fn the_stata_convention_differs_as_documented() {
    let text = std::fs::read_to_string(format!("{DIR}/synthetic_trade_30x60_2022.csv")).unwrap();
    let panel = read_panel(&text, &columns(), None).unwrap();
    let py = compute(&panel, &Options::default());
    let stata = compute(
        &panel,
        &Options {
            convention: gvc::complexity::Convention::Stata,
            ..Options::default()
        },
    );
    let (py, stata) = (py[0].1.as_ref().unwrap(), stata[0].1.as_ref().unwrap());
    let (nc, np) = (py.locations.len(), py.products.len());
    assert_eq!(py.mcp, stata.mcp, "no RCA is exactly 1 in this panel");
    let scale = (((nc * np) as f64 - 1.0) / (nc * np) as f64).sqrt();
    for (a, b) in py.eci.iter().zip(&stata.eci) {
        assert!((a * scale - b).abs() < 1e-12);
    }
    for p in 0..np {
        assert_eq!(py.proximity[p * np + p], 1.0);
        assert_eq!(stata.proximity[p * np + p], 0.0);
    }
    // An RCA of exactly 1 counts as presence for py-ecomplexity and not for Stata.
    let even =
        "year,location,product,export_value\n2022,A,P1,1\n2022,A,P2,1\n2022,B,P1,1\n2022,B,P2,1\n";
    let panel = read_panel(even, &Columns::default(), None).unwrap();
    let py = compute(&panel, &Options::default());
    let stata = compute(
        &panel,
        &Options {
            convention: gvc::complexity::Convention::Stata,
            ..Options::default()
        },
    );
    assert!(
        matches!(&stata[0].1, Err(gvc::complexity::YearError::Degenerate(why)) if why.contains("have an RCA >"))
    );
    assert!(
        !matches!(&py[0].1, Err(gvc::complexity::YearError::Degenerate(why)) if why.contains("have an RCA"))
    );
}
