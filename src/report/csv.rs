//! The outcome as a long table — `scenario,country,year,stage,metric,value` — for pandas and R.
//! Country-level rows leave `stage` empty; summary rows leave `year` empty.

use crate::model::outcome::Outcome;

pub fn to_csv(outcome: &Outcome) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["scenario", "country", "year", "stage", "metric", "value"]);
    let mut row = |country: &str, year: &str, stage: &str, metric: &str, value: String| {
        // Writing into memory cannot fail.
        let _ = w.write_record([
            outcome.scenario.as_str(),
            country,
            year,
            stage,
            metric,
            &value,
        ]);
    };
    let num = |v: f64| format!("{v}");
    let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    for (country, c) in &outcome.countries {
        for (year, y) in &c.years {
            let year = year.to_string();
            for (stage, s) in &y.stages {
                row(country, &year, stage, "feasible", s.feasible.to_string());
                row(country, &year, stage, "volume_kt", num(s.volume_kt));
                row(
                    country,
                    &year,
                    stage,
                    "value_added_musd",
                    num(s.value_added_musd),
                );
                row(
                    country,
                    &year,
                    stage,
                    "value_captured_musd",
                    num(s.value_captured_musd),
                );
                row(country, &year, stage, "capture_ratio", opt(s.capture_ratio));
                row(
                    country,
                    &year,
                    stage,
                    "idle_capacity_kt",
                    num(s.idle_capacity_kt),
                );
                row(country, &year, stage, "stranded_kt", num(s.stranded_kt));
                row(
                    country,
                    &year,
                    stage,
                    "debt_service_musd",
                    num(s.debt_service_musd),
                );
                row(
                    country,
                    &year,
                    stage,
                    "domestic_ownership",
                    num(s.domestic_ownership),
                );
            }
            row(country, &year, "", "eci", num(y.eci));
            row(
                country,
                &year,
                "",
                "linkages_value_added_musd",
                num(y.linkages.value_added_musd),
            );
            row(
                country,
                &year,
                "",
                "value_added_musd",
                num(y.value_added_musd),
            );
            row(
                country,
                &year,
                "",
                "value_captured_musd",
                num(y.value_captured_musd),
            );
            row(country, &year, "", "capture_ratio", opt(y.capture_ratio));
            row(
                country,
                &year,
                "",
                "isds_award_musd",
                num(y.isds_award_musd),
            );
            row(
                country,
                &year,
                "",
                "production_kt",
                num(y.accounts.production_kt),
            );
            row(
                country,
                &year,
                "",
                "controlled_kt",
                num(y.accounts.controlled_kt),
            );
            row(
                country,
                &year,
                "",
                "consumption_kt",
                num(y.accounts.consumption_kt),
            );
        }
        let s = &c.summary;
        row(country, "", "", "value_added_musd", num(s.value_added_musd));
        row(
            country,
            "",
            "",
            "value_captured_musd",
            num(s.value_captured_musd),
        );
        row(country, "", "", "capture_ratio", opt(s.capture_ratio));
        for (stage, year) in &s.first_feasible_year {
            row(
                country,
                "",
                stage,
                "first_feasible_year",
                year.map(|y| y.to_string()).unwrap_or_default(),
            );
        }
        for (stage, late) in &s.outpaced {
            row(country, "", stage, "outpaced", late.to_string());
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
