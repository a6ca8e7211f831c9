//! The pest parser, and recovery from syntax errors: the file is read one top-level item at a
//! time, and after an error reading resumes at the next line that starts a declaration, so
//! that every broken item of a file is reported, not only the first.

use std::sync::{Arc, OnceLock};

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;

use super::ast::File;
use super::lower::Lower;
use crate::check::suggest::did_you_mean;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/gvc.pest"]
pub(super) struct GvcParser;

/// Words that start a top-level declaration; reading resumes at them after an error.
const ITEM_KEYWORDS: &[&str] = &[
    "scenario",
    "import",
    "owner",
    "chain",
    "country",
    "world",
    "policy",
    "agreement",
    "flexibility",
    "rule",
    "expect",
];

pub fn parse(file: &Arc<SourceFile>) -> (File, Diagnostics) {
    let text: &str = &file.text;
    let mut items = Vec::new();
    let mut errors = Diagnostics::default();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        if super::lower::is_trivia(rest) {
            break;
        }
        match GvcParser::parse(Rule::item_at, rest) {
            Ok(mut pairs) => {
                // item_at = { SOI ~ item }: its one child is the item.
                let item_at = pairs.next().expect("item_at matched");
                let end = item_at.as_span().end();
                let item = item_at.into_inner().next().expect("item_at holds an item");
                match (Lower { offset: pos }).item(item) {
                    Ok(item) => items.push(item),
                    Err(e) => errors.push(e.into_diagnostic(file)),
                }
                pos += end.max(1);
            }
            Err(e) => {
                let at = pos
                    + match e.location {
                        InputLocation::Pos(p) => p,
                        InputLocation::Span((s, _)) => s,
                    };
                errors.push(syntax_error(file, at, &e.variant));
                match resume_after(text, at) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
    (File { items }, errors)
}

/// The start of the first line after `at` that begins, in its first column, with a
/// declaration keyword.
fn resume_after(text: &str, at: usize) -> Option<usize> {
    let mut line_start = text[at..].find('\n')? + at + 1;
    loop {
        let line = &text[line_start..];
        let word_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        if ITEM_KEYWORDS.contains(&&line[..word_end]) {
            return Some(line_start);
        }
        line_start += line.find('\n')? + 1;
    }
}

fn syntax_error(file: &Arc<SourceFile>, at: usize, variant: &ErrorVariant<Rule>) -> Diagnostic {
    let text: &str = &file.text;
    let found = token_at(text, at);
    let span = Span::new(at, at + found.len());
    let mut expected: Vec<String> = match variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| describe(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    expected.retain(|e| seen.insert(e.clone()));
    let found_text = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", enumerate(&expected))
    };
    let mut d = Diagnostic::error("gvc::syntax", message)
        .in_file(file)
        .label(span, "not expected here");
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    if let Some(k) = did_you_mean(found, keywords.iter().copied()) {
        d = d.help(format!("did you mean `{k}`?"));
    } else if found.is_empty() {
        d = d.help("the file ends early: is a `}` or a value missing?");
    } else if expected.iter().any(|e| e == "a unit") && found.chars().all(|c| c.is_alphabetic()) {
        d = d.help(
            "units are kt, t, Mt, %, %/yr, /yr, usd/t, usd/lb, usd/tpa, usd, musd, busd, years",
        );
    }
    d
}

/// The word, number or symbol at `at`, for messages.
fn token_at(text: &str, at: usize) -> &str {
    let rest = &text[at.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return "";
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let len = if word(first) {
        rest.find(|c: char| !word(c)).unwrap_or(rest.len())
    } else if first == '"' {
        rest[1..].find('"').map_or(rest.len(), |i| i + 2)
    } else {
        first.len_utf8()
    };
    // A long string is quoted in part only.
    let token = &rest[..len];
    match token.char_indices().nth(40) {
        Some((i, _)) => &token[..i],
        None => token,
    }
}

fn enumerate(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a grammar rule is named in a message; `None` for rules a user never types.
fn describe(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    let described = match name.as_str() {
        "EOI" => "end of file",
        "ident" | "ident_list" => "a name",
        "string" => "a string",
        "number" | "literal" | "path" | "expected" => "a number",
        "lookup" => "a table lookup",
        "year" | "range" => "a year",
        "unit" => "a unit",
        "annotation" | "source" | "assumption" => "`source` or `assumption`",
        "hs_code" => "an HS code",
        "rhai_block" => "a ``` block",
        "comparison" => "a comparison (>=, <=, ==, !=, >, <)",
        "seg_to" | "seg_step" => "`->`",
        "share" | "owner_path" => "an owner",
        "share_split" => "`{`",
        "target" => "a value to check, such as `Zambia.capture_ratio[2040]`",
        other => return other.strip_prefix("k_").map(|k| format!("`{k}`")),
    };
    Some(described.to_string())
}

/// True for rules that only mark a keyword; lowering skips them.
pub(super) fn is_keyword(rule: Rule) -> bool {
    static KEYWORDS: OnceLock<Vec<bool>> = OnceLock::new();
    let keywords = KEYWORDS.get_or_init(|| {
        // Indexed by the rule's discriminant, whatever order `all_rules` lists them in.
        let all = Rule::all_rules();
        let mut keywords = vec![false; all.iter().map(|&r| r as usize + 1).max().unwrap_or(0)];
        for &r in all {
            keywords[r as usize] = format!("{r:?}").starts_with("k_");
        }
        keywords
    });
    keywords[rule as usize]
}
