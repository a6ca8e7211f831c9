//! `gvc diff`: what changed between two outcomes, value by value, for a terminal, a
//! pull-request comment (Markdown) or a tool (JSON).

use std::fmt::Write;

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::outcome::Outcome;
use crate::scenario::Year;

/// One value of an outcome, addressed as in the long CSV table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    pub country: String,
    /// `None` for summary values.
    pub year: Option<Year>,
    /// `None` for country-level values.
    pub stage: Option<String>,
    pub metric: String,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Bool(bool),
    /// No value: a ratio where nothing is added, a stage never feasible.
    None,
}

impl Value {
    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(*v),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            Value::Number(v) => format!("{v}"),
            Value::Bool(b) => b.to_string(),
            Value::None => String::new(),
        }
    }
}

/// Every value of an outcome, in a stable order: per country, its years (stages, then the
/// country's own values), then its summary.
pub fn flatten(o: &Outcome) -> Vec<Cell> {
    let mut out = Vec::new();
    for (country, c) in &o.countries {
        let mut push = |year: Option<Year>, stage: Option<&str>, metric: &str, value: Value| {
            out.push(Cell {
                country: country.clone(),
                year,
                stage: stage.map(str::to_string),
                metric: metric.to_string(),
                value,
            })
        };
        let n = Value::Number;
        let opt = |v: Option<f64>| v.map_or(Value::None, Value::Number);
        for (year, y) in &c.years {
            let year = Some(*year);
            for (stage, s) in &y.stages {
                let st = Some(stage.as_str());
                push(year, st, "feasible", Value::Bool(s.feasible));
                push(year, st, "volume_kt", n(s.volume_kt));
                push(year, st, "value_added_musd", n(s.value_added_musd));
                push(year, st, "value_captured_musd", n(s.value_captured_musd));
                push(year, st, "capture_ratio", opt(s.capture_ratio));
                push(year, st, "idle_capacity_kt", n(s.idle_capacity_kt));
                push(year, st, "stranded_kt", n(s.stranded_kt));
                push(year, st, "debt_service_musd", n(s.debt_service_musd));
                push(year, st, "domestic_ownership", n(s.domestic_ownership));
            }
            push(year, None, "eci", n(y.eci));
            push(
                year,
                None,
                "linkages_value_added_musd",
                n(y.linkages.value_added_musd),
            );
            push(year, None, "value_added_musd", n(y.value_added_musd));
            push(year, None, "value_captured_musd", n(y.value_captured_musd));
            push(year, None, "capture_ratio", opt(y.capture_ratio));
            push(year, None, "isds_award_musd", n(y.isds_award_musd));
            push(year, None, "production_kt", n(y.accounts.production_kt));
            push(year, None, "controlled_kt", n(y.accounts.controlled_kt));
            push(year, None, "consumption_kt", n(y.accounts.consumption_kt));
            for (name, v) in &y.metrics {
                push(year, None, &format!("metric:{name}"), n(*v));
            }
        }
        let s = &c.summary;
        push(None, None, "value_added_musd", n(s.value_added_musd));
        push(None, None, "value_captured_musd", n(s.value_captured_musd));
        push(None, None, "capture_ratio", opt(s.capture_ratio));
        for (stage, year) in &s.first_feasible_year {
            push(
                None,
                Some(stage),
                "first_feasible_year",
                year.map_or(Value::None, |y| n(f64::from(y))),
            );
        }
        for (stage, late) in &s.outpaced {
            push(None, Some(stage), "outpaced", Value::Bool(*late));
        }
    }
    out
}

/// When two numbers count as equal, and which years to compare.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Changes up to this much are ignored.
    pub tolerance: f64,
    /// Changes up to this share of the old value are ignored.
    pub relative_tolerance: f64,
    pub years: Option<(Year, Year)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub country: String,
    pub year: Option<Year>,
    pub stage: Option<String>,
    pub metric: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub change: Option<f64>,
    pub relative_change: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    /// Every country of either outcome.
    pub countries: Vec<String>,
    pub changes: Vec<Change>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn by_country(&self) -> IndexMap<&str, Vec<&Change>> {
        let mut out: IndexMap<&str, Vec<&Change>> = IndexMap::new();
        for c in &self.changes {
            out.entry(c.country.as_str()).or_default().push(c);
        }
        out
    }
}

type Key = (String, Option<Year>, Option<String>, String);

pub fn diff(old: &Outcome, new: &Outcome, options: &Options) -> Diff {
    let in_range = |year: Option<Year>| match (year, options.years) {
        (Some(y), Some((a, b))) => (a..=b).contains(&y),
        _ => true,
    };
    let key = |c: &Cell| -> Key { (c.country.clone(), c.year, c.stage.clone(), c.metric.clone()) };
    let old_cells: IndexMap<Key, Cell> = flatten(old).into_iter().map(|c| (key(&c), c)).collect();
    let new_cells: IndexMap<Key, Cell> = flatten(new).into_iter().map(|c| (key(&c), c)).collect();
    let mut changes = Vec::new();
    let equal = |a: &Value, b: &Value| match (a.number(), b.number()) {
        (Some(x), Some(y)) => {
            let d = (y - x).abs();
            d <= options.tolerance || d <= options.relative_tolerance * x.abs()
        }
        _ => a == b,
    };
    for (k, o) in &old_cells {
        if !in_range(o.year) {
            continue;
        }
        let n = new_cells.get(k);
        if n.is_some_and(|n| equal(&o.value, &n.value)) {
            continue;
        }
        let (change, relative_change) = match (o.value.number(), n.and_then(|n| n.value.number())) {
            (Some(a), Some(b)) => (
                Some(round(b - a)),
                (a != 0.0).then(|| round((b - a) / a.abs())),
            ),
            _ => (None, None),
        };
        changes.push(Change {
            country: o.country.clone(),
            year: o.year,
            stage: o.stage.clone(),
            metric: o.metric.clone(),
            old: Some(o.value.clone()),
            new: n.map(|n| n.value.clone()),
            change,
            relative_change,
        });
    }
    for (k, n) in &new_cells {
        if !old_cells.contains_key(k) && in_range(n.year) {
            changes.push(Change {
                country: n.country.clone(),
                year: n.year,
                stage: n.stage.clone(),
                metric: n.metric.clone(),
                old: None,
                new: Some(n.value.clone()),
                change: None,
                relative_change: None,
            });
        }
    }
    let mut countries: Vec<String> = old.countries.keys().cloned().collect();
    countries.extend(
        new.countries
            .keys()
            .filter(|k| !old.countries.contains_key(*k))
            .cloned(),
    );
    Diff {
        old: old.scenario.clone(),
        new: new.scenario.clone(),
        countries,
        changes,
    }
}

fn round(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn show(v: &Option<Value>) -> String {
    match v {
        None => "—".into(),
        Some(Value::None) => "none".into(),
        Some(v) => v.text(),
    }
}

fn show_change(c: &Change) -> (String, String) {
    let abs = c.change.map_or(String::new(), |d| format!("{d:+}"));
    let rel = c
        .relative_change
        .map_or(String::new(), |r| format!("{:+.1}%", r * 100.0));
    (abs, rel)
}

fn what(c: &Change) -> String {
    match (&c.year, &c.stage) {
        (Some(y), Some(s)) => format!("{y} {s} {}", c.metric),
        (Some(y), None) => format!("{y} {}", c.metric),
        (None, Some(s)) => format!("summary {s} {}", c.metric),
        (None, None) => format!("summary {}", c.metric),
    }
}

fn headline(d: &Diff) -> String {
    let changed = d.by_country().len();
    if d.is_empty() {
        format!("no value changed in {} countries", d.countries.len())
    } else {
        format!(
            "{} value{} changed in {changed} of {} countries",
            d.changes.len(),
            if d.changes.len() == 1 { "" } else { "s" },
            d.countries.len()
        )
    }
}

/// For a terminal: one line per changed value.
pub fn to_text(d: &Diff) -> String {
    let mut out = format!("{} → {}: {}\n", d.old, d.new, headline(d));
    for (country, changes) in d.by_country() {
        writeln!(out, "\n{country}").unwrap();
        for c in changes {
            let (abs, rel) = show_change(c);
            writeln!(
                out,
                "  {:<44} {:>14} → {:<14} {abs:>14} {rel:>8}",
                what(c),
                show(&c.old),
                show(&c.new)
            )
            .unwrap();
        }
    }
    out
}

/// For a pull-request comment: a summary line, per changed country its summary values in a
/// table and every other change in a folded table; unchanged countries in one line.
pub fn to_markdown(d: &Diff) -> String {
    let mut out = format!(
        "### gvc diff: `{}` → `{}`\n\n**{}.**\n",
        d.old,
        d.new,
        headline(d)
    );
    let by_country = d.by_country();
    for (country, changes) in &by_country {
        writeln!(out, "\n#### {country}\n").unwrap();
        let (summary, yearly): (Vec<&&Change>, Vec<&&Change>) =
            changes.iter().partition(|c| c.year.is_none());
        if !summary.is_empty() {
            out.push_str("| summary | old | new | change | % |\n|---|--:|--:|--:|--:|\n");
            for c in &summary {
                let (abs, rel) = show_change(c);
                let name = match &c.stage {
                    Some(s) => format!("{} {s}", c.metric),
                    None => c.metric.clone(),
                };
                writeln!(
                    out,
                    "| {name} | {} | {} | {abs} | {rel} |",
                    show(&c.old),
                    show(&c.new)
                )
                .unwrap();
            }
        }
        if !yearly.is_empty() {
            writeln!(
                out,
                "\n<details><summary>{} yearly value{} changed</summary>\n",
                yearly.len(),
                if yearly.len() == 1 { "" } else { "s" }
            )
            .unwrap();
            out.push_str("| year | stage | metric | old | new | change | % |\n|--:|---|---|--:|--:|--:|--:|\n");
            for c in &yearly {
                let (abs, rel) = show_change(c);
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {abs} | {rel} |",
                    c.year.map(|y| y.to_string()).unwrap_or_default(),
                    c.stage.as_deref().unwrap_or(""),
                    c.metric,
                    show(&c.old),
                    show(&c.new)
                )
                .unwrap();
            }
            out.push_str("\n</details>\n");
        }
    }
    let unchanged: Vec<&str> = d
        .countries
        .iter()
        .map(String::as_str)
        .filter(|c| !by_country.contains_key(c))
        .collect();
    if !unchanged.is_empty() && !d.is_empty() {
        writeln!(out, "\nUnchanged: {}.", unchanged.join(", ")).unwrap();
    }
    out
}

pub fn to_json(d: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(d).expect("a diff always serialises");
    text.push('\n');
    text
}
