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
    let checked = match gvc::check_file(path) {
        Ok(c) => c,
        Err(diagnostics) => {
            report(&diagnostics.0);
            let n = diagnostics.error_count();
            eprintln!(
                "{}: {n} error{}",
                path.display(),
                if n == 1 { "" } else { "s" }
            );
            return false;
        }
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
    match output {
        Some(o) => match gvc::report::write_atomically(o, &text) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", o.display());
                false
            }
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`gvc run … | head`) is not an error of the run.
            let _ = stdout.write_all(text.as_bytes());
            true
        }
    }
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
