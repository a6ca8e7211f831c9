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

#[derive(Subcommand)]
enum Command {
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

fn check(path: &Path, list_unsourced: bool) -> bool {
    match gvc::check_file(path) {
        Ok(checked) => {
            let s = &checked.scenario;
            println!(
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
                    let file = s.sources.get(origin.file);
                    let text = &file.text[origin.span.start..origin.span.end];
                    println!("  {}: `{text}`", s.sources.describe(*origin));
                }
            }
            true
        }
        Err(diagnostics) => {
            report(&diagnostics.0);
            let n = diagnostics.error_count();
            eprintln!(
                "{}: {n} error{}",
                path.display(),
                if n == 1 { "" } else { "s" }
            );
            false
        }
    }
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
        println!("would reformat {}", path.display());
        return false;
    }
    match write_atomically(path, &formatted) {
        Ok(()) => {
            println!("formatted {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            false
        }
    }
}

/// Writes beside the target, then renames: a failed write never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".gvc-tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
