//! The `gvc` command line: a thin layer over the library.
//!
//! Exit codes: 0 success, 1 an invalid scenario (or a file `fmt --check` would change),
//! 2 a usage error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gvc::diagnostic::render_plain;
use gvc::Diagnostic;

/// Prints a line to standard output; a closed pipe (`gvc … | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "gvc",
    version,
    about = "Value added versus value captured along critical-mineral value chains"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Table,
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ConventionArg {
    Py,
    Stata,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LevelArg {
    Cp,
    Country,
    Product,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario: value added and value captured per country and year
    Run {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Output format [default: table on a terminal, json otherwise]
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write to this file (atomically) instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run scenarios and check their `expect` statements; exit 1 when any fails
    Test {
        /// Scenario files or folders (searched for .gvc files with a scenario header)
        #[arg(value_name = "FILE|DIR", default_value = "scenarios")]
        paths: Vec<PathBuf>,
    },
    /// Compare two outcomes (scenario files or outcome JSON files); exit 1 when they differ
    Diff {
        #[arg(value_name = "A")]
        old: PathBuf,
        #[arg(value_name = "B")]
        new: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
        /// Ignore changes up to this much (in the value's own unit)
        #[arg(long, default_value_t = 0.0, value_name = "ABS")]
        tolerance: f64,
        /// Ignore changes up to this share of the old value, e.g. 0.01 or 1%
        #[arg(long, default_value = "0", value_name = "REL", value_parser = parse_share)]
        relative_tolerance: f64,
        /// Compare only these years: 2030 or 2030..2040
        #[arg(long, value_name = "YEARS", value_parser = parse_years)]
        years: Option<(i32, i32)>,
        /// Write to this file (atomically) instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Show how a number was computed: each input, the line it came from, the policy or
    /// agreement that changed it
    Explain {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(value_name = "COUNTRY")]
        country: String,
        #[arg(value_name = "YEAR")]
        year: i32,
        /// value_captured, value_added, capture_ratio, volume, feasible or eci
        #[arg(value_name = "METRIC")]
        metric: String,
        /// A stage, for a stage's number
        #[arg(long, value_name = "STAGE")]
        stage: Option<String>,
    },
    /// ECI, PCI, proximity, density, COI and COG from a trade CSV (year, location, product, value)
    Complexity {
        #[arg(value_name = "INPUT.csv")]
        input: PathBuf,
        /// Write to this file (atomically) instead of standard output
        #[arg(short, long, value_name = "OUT.csv")]
        output: Option<PathBuf>,
        /// Only this year
        #[arg(long, value_name = "Y")]
        year: Option<String>,
        /// RCA threshold for presence
        #[arg(long, default_value_t = 1.0)]
        threshold: f64,
        /// Proximity as a conditional probability instead of its symmetric minimum
        #[arg(long)]
        asymmetric: bool,
        /// Whose conventions: py-ecomplexity's (default) or the Stata package's
        #[arg(long, value_enum, default_value = "py")]
        convention: ConventionArg,
        /// Rows per (year, location, product), per country or per product
        #[arg(long, value_enum, default_value = "cp")]
        level: LevelArg,
        #[arg(long, default_value = "year")]
        year_column: String,
        #[arg(long, default_value = "location")]
        location_column: String,
        #[arg(long, default_value = "product")]
        product_column: String,
        #[arg(long, default_value = "export_value")]
        value_column: String,
    },
    /// List the assumptions a scenario's results rest on: numbers marked `assumption` and the
    /// model's defaults for what the scenario leaves unsaid
    Assumptions {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Parse and check scenario files; report every error of each
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// List the numbers that have neither a `source` nor an `assumption`
        #[arg(long)]
        unsourced: bool,
    },
    /// Rewrite scenario files in the canonical layout (comments are kept)
    Fmt {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 if a file is not formatted
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Complexity {
            input,
            output,
            year,
            threshold,
            asymmetric,
            convention,
            level,
            year_column,
            location_column,
            product_column,
            value_column,
        } => {
            let columns = gvc::complexity::Columns {
                year: year_column,
                location: location_column,
                product: product_column,
                value: value_column,
            };
            let options = gvc::complexity::Options {
                threshold,
                asymmetric,
                convention: match convention {
                    ConventionArg::Py => gvc::complexity::Convention::Py,
                    ConventionArg::Stata => gvc::complexity::Convention::Stata,
                },
            };
            let level = match level {
                LevelArg::Cp => gvc::complexity::Level::Cp,
                LevelArg::Country => gvc::complexity::Level::Country,
                LevelArg::Product => gvc::complexity::Level::Product,
            };
            complexity(
                &input,
                output.as_deref(),
                year.as_deref(),
                &columns,
                &options,
                level,
            )
        }
        Command::Explain {
            file,
            country,
            year,
            metric,
            stage,
        } => explain(&file, &country, year, &metric, stage.as_deref()),
        Command::Diff {
            old,
            new,
            format,
            tolerance,
            relative_tolerance,
            years,
            output,
        } => {
            let options = gvc::report::diff::Options {
                tolerance,
                relative_tolerance,
                years,
            };
            diff(&old, &new, format, &options, output.as_deref())
        }
        Command::Test { paths } => test(&paths),
        Command::Assumptions { file } => assumptions(&file),
        Command::Run {
            file,
            format,
            output,
        } => run(&file, format, output.as_deref()),
        Command::Check { files, unsourced } => {
            files.iter().filter(|f| !check(f, unsourced)).count() == 0
        }
        Command::Fmt { files, check } => files.iter().filter(|f| !fmt(f, check)).count() == 0,
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn report(diagnostics: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    if std::io::stderr().is_terminal() {
        let handler = miette::GraphicalReportHandler::new();
        for d in diagnostics {
            let mut out = String::new();
            let _ = handler.render_report(&mut out, d);
            let _ = write!(err, "{out}");
        }
    } else {
        let _ = write!(err, "{}", render_plain(diagnostics));
    }
}

fn run(path: &Path, format: Option<Format>, output: Option<&Path>) -> bool {
    let Some(checked) = load(path) else {
        return false;
    };
    let outcome = match gvc::evaluate(&checked.scenario) {
        Ok(o) => o,
        Err(diagnostics) => {
            report(&diagnostics.0);
            eprintln!("{}: the run failed", path.display());
            return false;
        }
    };
    let format = format.unwrap_or_else(|| {
        let by_extension = output.and_then(|o| o.extension()).and_then(|e| e.to_str());
        match by_extension {
            Some("csv") => Format::Csv,
            Some("txt") => Format::Table,
            Some(_) => Format::Json,
            None if std::io::stdout().is_terminal() => Format::Table,
            None => Format::Json,
        }
    });
    let text = match format {
        Format::Json => gvc::report::to_json(&outcome),
        Format::Table => gvc::report::to_table(&outcome),
        Format::Csv => gvc::report::to_csv(&outcome),
    };
    if !checked.unsourced.is_empty() {
        eprintln!(
            "note: {} numbers have neither a source nor an assumption (`gvc check --unsourced {}` lists them)",
            checked.unsourced.len(),
            path.display()
        );
    }
    emit(&text, output)
}

fn load(path: &Path) -> Option<gvc::Checked> {
    match gvc::check_file(path) {
        Ok(c) => Some(c),
        Err(diagnostics) => {
            report(&diagnostics.0);
            let n = diagnostics.error_count();
            eprintln!(
                "{}: {n} error{}",
                path.display(),
                if n == 1 { "" } else { "s" }
            );
            None
        }
    }
}

/// The whole source line of a number, for listings.
fn line_of(s: &gvc::Scenario, origin: gvc::source::Origin) -> String {
    let text = &s.sources.get(origin.file).text;
    let start = text[..origin.span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[origin.span.start..]
        .find('\n')
        .map_or(text.len(), |i| origin.span.start + i);
    text[start..end].trim().to_string()
}

fn assumptions(path: &Path) -> bool {
    let Some(checked) = load(path) else {
        return false;
    };
    let s = &checked.scenario;
    say!("Assumptions the results of {} rest on.", path.display());
    say!(
        "\nMarked `assumption` in the scenario ({}):",
        checked.assumptions.len()
    );
    for origin in &checked.assumptions {
        say!("  {}  {}", s.sources.describe(*origin), line_of(s, *origin));
    }
    let defaults = gvc::model::defaults::used(s);
    say!(
        "\nModel defaults for what the scenario leaves unsaid ({}):",
        defaults.len()
    );
    for d in &defaults {
        say!("  {d}");
    }
    if !checked.unsourced.is_empty() {
        say!(
            "\nNeither sourced nor marked ({}):",
            checked.unsourced.len()
        );
        for origin in &checked.unsourced {
            say!("  {}  {}", s.sources.describe(*origin), line_of(s, *origin));
        }
    }
    true
}

/// The scenario files under `paths`: files as given, folders searched in name order for `.gvc`
/// files that start a scenario (files with data only are imported by those).
fn scenario_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "gvc") && declares_scenario(&path) {
                out.push(path);
            }
        }
    }
    fn declares_scenario(path: &Path) -> bool {
        let Ok(text) = std::fs::read_to_string(path) else {
            return true;
        };
        let (file, _) = gvc::syntax::parse_str("", &text);
        file.items
            .iter()
            .any(|i| matches!(i.kind, gvc::syntax::ast::ItemKind::Scenario(_)))
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn parse_share(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(n) => (n, 0.01),
        None => (text, 1.0),
    };
    number
        .trim()
        .parse::<f64>()
        .map(|v| v * scale)
        .map_err(|_| format!("`{text}` is not a share: write 0.01 or 1%"))
}

fn parse_years(text: &str) -> Result<(i32, i32), String> {
    let year = |t: &str| {
        t.trim()
            .parse::<i32>()
            .map_err(|_| format!("`{t}` is not a year"))
    };
    match text.split_once("..") {
        Some((a, b)) => Ok((year(a)?, year(b)?)),
        None => year(text).map(|y| (y, y)),
    }
}

/// An outcome from a scenario file (checked and run) or from an outcome JSON file.
fn outcome_of(path: &Path) -> Option<gvc::Outcome> {
    if path.extension().is_some_and(|e| e == "json") {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return None;
            }
        };
        return match serde_json::from_str(&text) {
            Ok(o) => Some(o),
            Err(e) => {
                eprintln!("error: `{}` is not a gvc outcome: {e}", path.display());
                None
            }
        };
    }
    let checked = load(path)?;
    match gvc::evaluate(&checked.scenario) {
        Ok(o) => Some(o),
        Err(diagnostics) => {
            report(&diagnostics.0);
            eprintln!("{}: the run failed", path.display());
            None
        }
    }
}

/// Returns whether the outcomes are equal; `None` when one could not be read.
fn diff(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    options: &gvc::report::diff::Options,
    output: Option<&Path>,
) -> bool {
    let (Some(a), Some(b)) = (outcome_of(old), outcome_of(new)) else {
        std::process::exit(1);
    };
    let d = gvc::report::diff::diff(&a, &b, options);
    let text = match format {
        DiffFormat::Text => gvc::report::diff::to_text(&d),
        DiffFormat::Markdown => gvc::report::diff::to_markdown(&d),
        DiffFormat::Json => gvc::report::diff::to_json(&d),
    };
    emit(&text, output) && d.is_empty()
}

/// Writes a report to a file (atomically) or to standard output.
fn emit(text: &str, output: Option<&Path>) -> bool {
    match output {
        Some(o) => match gvc::report::write_atomically(o, text) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", o.display());
                false
            }
        },
        None => {
            // A closed pipe (`gvc … | head`) is not an error of the run.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            true
        }
    }
}

fn explain(path: &Path, country: &str, year: i32, metric: &str, stage: Option<&str>) -> bool {
    let Some(checked) = load(path) else {
        return false;
    };
    match gvc::report::explain::explain(&checked.scenario, country, year, metric, stage) {
        Ok(text) => emit(&text, None),
        Err(gvc::report::explain::ExplainError::Usage(message)) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
        Err(gvc::report::explain::ExplainError::Run(diagnostics)) => {
            report(&diagnostics.0);
            false
        }
    }
}

fn complexity(
    input: &Path,
    output: Option<&Path>,
    year: Option<&str>,
    columns: &gvc::complexity::Columns,
    options: &gvc::complexity::Options,
    level: gvc::complexity::Level,
) -> bool {
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", input.display());
            return false;
        }
    };
    let panel = match gvc::complexity::read_panel(&text, columns, year) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", input.display());
            return false;
        }
    };
    let results = gvc::complexity::compute(&panel, options);
    let mut ok = true;
    for (year, result) in &results {
        match result {
            Err(gvc::complexity::YearError::Degenerate(why)) => {
                eprintln!("error: {}: year {year}: {why}", input.display());
                ok = false;
            }
            Ok(m) => {
                let undefined = m.eci.iter().filter(|v| v.is_nan()).count();
                if undefined > 0 {
                    eprintln!(
                        "note: year {year}: {undefined} countries have no product with RCA at the threshold; their ECI and COI are left empty"
                    );
                }
            }
        }
    }
    if !ok {
        return false;
    }
    emit(&gvc::complexity::to_csv(&results, level), output)
}

fn test(paths: &[PathBuf]) -> bool {
    let (mut passed, mut failed) = (0, 0);
    for path in scenario_files(paths) {
        let Some(checked) = load(&path) else {
            failed += 1;
            continue;
        };
        let s = &checked.scenario;
        let outcome = match gvc::evaluate(s) {
            Ok(o) => o,
            Err(diagnostics) => {
                report(&diagnostics.0);
                eprintln!("{}: the run failed", path.display());
                failed += 1;
                continue;
            }
        };
        for e in &s.expectations {
            let result = gvc::report::expect::check(&outcome, e);
            let text = &s.sources.get(e.origin.file).text[e.origin.span.start..e.origin.span.end];
            let text = text.trim_start_matches("expect").trim();
            if result.passed {
                passed += 1;
                say!("ok   {}  {text}", s.sources.describe(e.origin));
            } else {
                failed += 1;
                say!("FAIL {}  {text}", s.sources.describe(e.origin));
                report(&[gvc::report::expect::failure(s, e, &result)]);
            }
        }
    }
    say!("{passed} passed, {failed} failed");
    failed == 0
}

fn check(path: &Path, list_unsourced: bool) -> bool {
    let Some(checked) = load(path) else {
        return false;
    };
    let s = &checked.scenario;
    say!(
        "ok: {} (scenario `{}`: {} stages, {} countries, {} policies, {} expectations; {} numbers without source or assumption)",
        path.display(),
        s.name,
        s.stages.len(),
        s.countries.len(),
        s.policies.len(),
        s.expectations.len(),
        checked.unsourced.len()
    );
    if list_unsourced {
        for origin in &checked.unsourced {
            say!("  {}  {}", s.sources.describe(*origin), line_of(s, *origin));
        }
    }
    true
}

fn fmt(path: &Path, check_only: bool) -> bool {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return false;
        }
    };
    let (file, errors) = gvc::syntax::parse_str(&path.display().to_string(), &text);
    if errors.has_errors() {
        report(&errors.0);
        eprintln!("{}: not formatted: it does not parse", path.display());
        return false;
    }
    let formatted = gvc::syntax::fmt::format(&file, &text);
    if formatted == text {
        return true;
    }
    if check_only {
        say!("would reformat {}", path.display());
        return false;
    }
    match gvc::report::write_atomically(path, &formatted) {
        Ok(()) => {
            say!("formatted {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            false
        }
    }
}
