//! Economic and product complexity from trade data (`gvc complexity`): per year, RCA,
//! presence, diversity, ubiquity, ECI, PCI, proximity, density, COI and COG, with the
//! conventions of the Growth Lab's py-ecomplexity by default. Years run in parallel; each
//! year's result does not depend on the thread count.

mod compute;
mod eigen;
mod synthetic;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use compute::{year_measures, Convention, Options, YearError, YearMeasures};
pub use synthetic::synthetic_panel;

/// The columns of a trade table.
#[derive(Clone, Debug)]
pub struct Columns {
    pub year: String,
    pub location: String,
    pub product: String,
    pub value: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            year: "year".into(),
            location: "location".into(),
            product: "product".into(),
            value: "export_value".into(),
        }
    }
}

/// A problem with the input, with the 1-based line of the CSV file where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One year's exports: (location index, product index, value); repeated pairs are summed.
pub type Cells = Vec<(u32, u32, f64)>;

/// A trade panel: per year, exports by location and product. Names are stored once.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    pub locations: Vec<String>,
    pub products: Vec<String>,
    pub years: BTreeMap<String, Cells>,
}

/// Gives each name a number, the first time it is seen.
#[derive(Default)]
struct Names {
    index: std::collections::HashMap<Box<str>, u32>,
    names: Vec<String>,
}

impl Names {
    fn of(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.into(), i);
        self.names.push(name.to_string());
        i
    }
}

/// Reads a trade CSV. Every row must have a year, a location, a product and a finite,
/// non-negative number; rows of one (year, location, product) are summed.
pub fn read_panel(
    text: &str,
    columns: &Columns,
    only_year: Option<&str>,
) -> Result<Panel, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError {
            line: Some(1),
            message: format!("cannot read the header: {e}"),
        })?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| InputError {
            line: Some(1),
            message: format!(
                "no column `{name}`; the columns are {} (name yours with --year-column, --location-column, --product-column, --value-column)",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        })
    };
    let (cy, cl, cp, cv) = (
        find(&columns.year)?,
        find(&columns.location)?,
        find(&columns.product)?,
        find(&columns.value)?,
    );
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |byte: u64| newlines.partition_point(|&n| n <= byte as usize) + 1;
    let mut panel = Panel::default();
    let (mut locations, mut products) = (Names::default(), Names::default());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(InputError {
                    line: e.position().map(|p| line_of(p.byte())),
                    message: match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("the row has {len} fields where the header has {expected_len}")
                        }
                        _ => e.to_string(),
                    },
                })
            }
        }
        let line = record.position().map(|p| line_of(p.byte()));
        let field = |i: usize, what: &str| {
            let v = record.get(i).unwrap_or("").trim();
            if v.is_empty() {
                Err(InputError {
                    line,
                    message: format!("the {what} is empty"),
                })
            } else {
                Ok(v)
            }
        };
        let year = field(cy, "year")?;
        if only_year.is_some_and(|y| y != year) {
            continue;
        }
        let location = field(cl, "location")?;
        let product = field(cp, "product")?;
        let raw = field(cv, "value")?;
        let value: f64 = raw.parse().map_err(|_| InputError {
            line,
            message: format!("the value `{raw}` is not a number"),
        })?;
        if !value.is_finite() {
            return Err(InputError {
                line,
                message: format!("the value `{raw}` is not a finite number"),
            });
        }
        if value < 0.0 {
            return Err(InputError {
                line,
                message: format!("the value {raw} is negative: exports cannot be"),
            });
        }
        let cell = (locations.of(location), products.of(product), value);
        match panel.years.get_mut(year) {
            Some(cells) => cells.push(cell),
            None => {
                panel.years.insert(year.to_string(), vec![cell]);
            }
        }
    }
    panel.locations = locations.names;
    panel.products = products.names;
    if panel.years.is_empty() {
        return Err(InputError {
            line: None,
            message: match only_year {
                Some(y) => format!("no row for the year {y}"),
                None => "the table has no rows".into(),
            },
        });
    }
    Ok(panel)
}

/// A year's measures, or why it has none.
pub type YearResult = Result<YearMeasures, YearError>;

/// Computes every year of the panel, in parallel; results in year order.
pub fn compute(panel: &Panel, options: &Options) -> Vec<(String, YearResult)> {
    let years: Vec<(&String, &Cells)> = panel.years.iter().collect();
    years
        .par_iter()
        .map(|(year, cells)| {
            // This year's names, in sorted order, so that output rows are in a stable order.
            let mut seen_l = vec![false; panel.locations.len()];
            let mut seen_p = vec![false; panel.products.len()];
            for &(l, p, _) in cells.iter() {
                seen_l[l as usize] = true;
                seen_p[p as usize] = true;
            }
            let sorted = |names: &[String], seen: &[bool]| {
                let mut v: Vec<usize> = (0..names.len()).filter(|&i| seen[i]).collect();
                v.sort_by(|&a, &b| names[a].cmp(&names[b]));
                v
            };
            let ls = sorted(&panel.locations, &seen_l);
            let ps = sorted(&panel.products, &seen_p);
            let mut li = vec![0usize; panel.locations.len()];
            for (i, &l) in ls.iter().enumerate() {
                li[l] = i;
            }
            let mut pi = vec![0usize; panel.products.len()];
            for (i, &p) in ps.iter().enumerate() {
                pi[p] = i;
            }
            let np = ps.len();
            let mut exports = vec![0.0; ls.len() * np];
            for &(l, p, v) in cells.iter() {
                exports[li[l as usize] * np + pi[p as usize]] += v;
            }
            let locations: Vec<String> = ls.iter().map(|&l| panel.locations[l].clone()).collect();
            let products: Vec<String> = ps.iter().map(|&p| panel.products[p].clone()).collect();
            (
                (*year).clone(),
                year_measures(&locations, &products, &exports, options),
            )
        })
        .collect()
}

/// Which rows an output has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Level {
    /// One row per (year, location, product).
    #[default]
    Cp,
    /// One row per (year, location): diversity, ECI, COI.
    Country,
    /// One row per (year, product): ubiquity, PCI.
    Product,
}

/// Appends a number: whole numbers without a decimal point, others in their shortest
/// round-trip form (ryu); a value that is not defined stays empty.
fn push_number(out: &mut String, v: f64, buffer: &mut ryu::Buffer) {
    if !v.is_finite() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.push_str(itoa(v as i64, buffer));
    } else {
        out.push_str(buffer.format_finite(v));
    }
}

fn itoa(v: i64, buffer: &mut ryu::Buffer) -> &str {
    // ryu prints whole numbers as `3.0`: drop the `.0`.
    let text = buffer.format_finite(v as f64);
    text.strip_suffix(".0").unwrap_or(text)
}

/// The results as CSV. Numbers are written in full (shortest round-trip form); a value that
/// is not defined (ECI of a country with no advantage) is left empty.
pub fn to_csv(results: &[(String, YearResult)], level: Level) -> String {
    let mut out = String::new();
    let mut buffer = ryu::Buffer::new();
    out.push_str(match level {
        Level::Cp => "year,location,product,export_value,rca,mcp,diversity,ubiquity,eci,pci,density,coi,cog\n",
        Level::Country => "year,location,diversity,eci,coi\n",
        Level::Product => "year,product,ubiquity,pci\n",
    });
    for (year, result) in results {
        let Ok(m) = result else { continue };
        let np = m.products.len();
        let mut row = |out: &mut String, names: &[&str], numbers: &[f64]| {
            out.push_str(year);
            for name in names {
                out.push(',');
                out.push_str(&csv_text(name));
            }
            for &v in numbers {
                out.push(',');
                push_number(out, v, &mut buffer);
            }
            out.push('\n');
        };
        match level {
            Level::Cp => {
                for (c, l) in m.locations.iter().enumerate() {
                    for (p, pr) in m.products.iter().enumerate() {
                        let i = c * np + p;
                        let numbers = [
                            m.exports[i],
                            m.rca[i],
                            f64::from(m.mcp[i]),
                            m.diversity[c],
                            m.ubiquity[p],
                            m.eci[c],
                            m.pci[p],
                            m.density[i],
                            m.coi[c],
                            m.cog[i],
                        ];
                        row(&mut out, &[l, pr], &numbers);
                    }
                }
            }
            Level::Country => {
                for (c, l) in m.locations.iter().enumerate() {
                    row(&mut out, &[l], &[m.diversity[c], m.eci[c], m.coi[c]]);
                }
            }
            Level::Product => {
                for (p, pr) in m.products.iter().enumerate() {
                    row(&mut out, &[pr], &[m.ubiquity[p], m.pci[p]]);
                }
            }
        }
    }
    out
}

fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}
