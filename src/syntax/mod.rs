//! Syntax: text → typed syntax tree (pest grammar in `grammar/gvc.pest`), and back to text
//! (`gvc fmt`).

pub mod ast;
mod comments;
pub mod fmt;
mod lower;
mod parser;

use std::sync::Arc;

use crate::diagnostic::Diagnostics;
use crate::source::SourceFile;

pub use lower::escape;

/// Parses one file. The tree holds every item that parsed; the diagnostics every item that
/// did not.
pub fn parse(file: &Arc<SourceFile>) -> (ast::File, Diagnostics) {
    parser::parse(file)
}

/// Parses a text that is not a file on disk (tests, benchmarks, embedding).
pub fn parse_str(name: &str, text: &str) -> (ast::File, Diagnostics) {
    let file = Arc::new(SourceFile {
        name: name.to_string(),
        path: name.into(),
        text: text.into(),
    });
    parser::parse(&file)
}
