//! The outcome as a table for an 80-column terminal: a line per country for the whole
//! timeline, then each country every five years, then the notes.

use std::fmt::Write;

use crate::model::outcome::{CountryOutcome, Outcome};

pub fn to_table(outcome: &Outcome) -> String {
    let mut out = String::new();
    let t = outcome.timeline;
    let stages: Vec<&String> = outcome
        .countries
        .values()
        .next()
        .map(|c| c.summary.first_feasible_year.keys().collect())
        .unwrap_or_default();
    let short = |s: &str| s.chars().take(4).collect::<String>();
    writeln!(
        out,
        "scenario {} ({}..{})",
        outcome.scenario, t.start, t.end
    )
    .unwrap();
    if let Some(peak) = outcome
        .countries
        .values()
        .find_map(|c| c.summary.demand_peak_year)
    {
        writeln!(out, "world demand peaks in {peak}").unwrap();
    }
    writeln!(out).unwrap();
    let mut header = format!(
        "{:<12} {:>12} {:>11} {:>6}  first feasible year",
        "", "value added", "captured", "ratio"
    );
    let mut units = format!("{:<12} {:>12} {:>11} {:>6} ", "country", "musd", "musd", "");
    for s in &stages {
        write!(units, " {:>5}", short(s)).unwrap();
    }
    header.truncate(header.trim_end().len());
    writeln!(out, "{header}\n{units}").unwrap();
    for (name, c) in &outcome.countries {
        let s = &c.summary;
        let mut line = format!(
            "{:<12} {:>12.1} {:>11.1} {:>6}",
            clip(name, 12),
            s.value_added_musd,
            s.value_captured_musd,
            ratio(s.capture_ratio)
        );
        line.push(' ');
        for stage in &stages {
            let year = s.first_feasible_year.get(*stage).copied().flatten();
            let late = s.outpaced.get(*stage).copied().unwrap_or(false);
            let cell = match year {
                Some(y) if late => format!("{y}*"),
                Some(y) => y.to_string(),
                None => "-".into(),
            };
            write!(line, " {cell:>5}").unwrap();
        }
        writeln!(out, "{line}").unwrap();
    }
    writeln!(
        out,
        "(* feasible only after the demand peak; - never within the timeline)"
    )
    .unwrap();

    let initials: String = stages
        .iter()
        .filter_map(|s| s.chars().next())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    for (name, c) in &outcome.countries {
        writeln!(out).unwrap();
        country_rows(&mut out, name, c, &initials, t.start, t.end);
    }
    if !outcome.diagnostics.is_empty() {
        writeln!(out, "\nnotes").unwrap();
        for n in &outcome.diagnostics {
            let years: Vec<String> = n
                .years
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}..{b}")
                    }
                })
                .collect();
            let years = if years.is_empty() {
                String::new()
            } else {
                format!(" [{}]", years.join(", "))
            };
            out.push_str(&wrap(&format!("{}{years}", n.message), 80, "- ", "  "));
        }
    }
    out
}

fn country_rows(
    out: &mut String,
    name: &str,
    c: &CountryOutcome,
    initials: &str,
    start: i32,
    end: i32,
) {
    writeln!(out, "{name}").unwrap();
    writeln!(
        out,
        "  {:>4} {:>7} {:<7} {:>11} {:>11} {:>6} {:>9} {:>9}",
        "year", "ECI", "open", "added musd", "capt. musd", "ratio", "mined kt", "ctrl kt"
    )
    .unwrap();
    for (year, y) in &c.years {
        if *year != start && *year != end && (*year - start) % 5 != 0 {
            continue;
        }
        let open: String = y
            .stages
            .values()
            .zip(initials.chars())
            .map(|(s, i)| if s.feasible { i } else { '.' })
            .collect();
        writeln!(
            out,
            "  {:>4} {:>7.3} {:<7} {:>11.1} {:>11.1} {:>6} {:>9.1} {:>9.1}",
            year,
            y.eci,
            open,
            y.value_added_musd,
            y.value_captured_musd,
            ratio(y.capture_ratio),
            y.accounts.production_kt,
            y.accounts.controlled_kt
        )
        .unwrap();
    }
    let metrics: Vec<&String> = c
        .years
        .values()
        .next()
        .map(|y| y.metrics.keys().collect())
        .unwrap_or_default();
    for name in metrics {
        let values: Vec<String> = c
            .years
            .iter()
            .filter(|(year, _)| **year == start || **year == end || (**year - start) % 5 == 0)
            .map(|(_, y)| y.metrics.get(name).map_or("-".into(), |v| format!("{v}")))
            .collect();
        out.push_str(&wrap(
            &format!("metric {name}: {}", values.join(" ")),
            80,
            "  ",
            "    ",
        ));
    }
}

/// Wraps text at `width` columns: the first line after `first`, the others after `rest`.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn ratio(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{r:.3}"))
}

fn clip(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}
