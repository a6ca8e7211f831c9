//! User-facing errors: every one names its file, labels the exact span and, where a fix is
//! likely, says it in `help`.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::source::{Origin, SourceFile, Sources, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// A note that goes with another diagnostic: where the other half of a duplicate is.
    Advice,
}

/// One message about a scenario.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// A stable code, `gvc::<kind>`, for documentation and tests.
    pub code: &'static str,
    pub message: String,
    pub severity: Severity,
    pub file: Option<Arc<SourceFile>>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Labels in other files (a duplicate declared in an import, say).
    pub related: Vec<Diagnostic>,
    source: Option<NamedSource<Arc<str>>>,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
    pub primary: bool,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            severity: Severity::Error,
            file: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
            source: None,
        }
    }

    /// A note that goes with another diagnostic, such as the line that attached a rule.
    pub fn note(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Advice,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: &Arc<SourceFile>) -> Self {
        self.source = Some(file.named_source());
        self.file = Some(file.clone());
        self
    }

    /// The primary label: the place the message is about.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: Some(text.into()).filter(|t: &String| !t.is_empty()),
            primary: self.labels.is_empty(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, related: Diagnostic) -> Self {
        self.related.push(related);
        self
    }

    /// A label in whatever file `origin` is in: on this diagnostic when it is the same
    /// file, as a related note otherwise.
    pub fn label_at(self, sources: &Sources, origin: Origin, text: impl Into<String>) -> Self {
        let file = sources.get(origin.file);
        match &self.file {
            None => self.in_file(file).label(origin.span, text),
            Some(f) if Arc::ptr_eq(f, file) => self.label(origin.span, text),
            Some(_) => {
                let note = Diagnostic {
                    severity: Severity::Advice,
                    ..Diagnostic::error(self.code, "declared here")
                };
                self.with_related(note.in_file(file).label(origin.span, text))
            }
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` of the primary label, if there is one.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let label = self.labels.first()?;
        let (line, col) = file.line_col(label.span.start);
        Some(format!("{}:{line}:{col}", file.name))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|l| {
            if l.primary {
                LabeledSpan::new_primary_with_span(l.text.clone(), l.span)
            } else {
                LabeledSpan::new_with_span(l.text.clone(), l.span)
            }
        })))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

/// A number for people to read: at most `places` decimals, no trailing zeros, no `-0`.
pub fn plain_number(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Every diagnostic of a failed load, in file order.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Sorts by file, then position, keeping the order of equal places; messages about the
    /// same place are kept once.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| {
            (
                d.file.as_ref().map(|f| f.name.clone()),
                d.labels.first().map(|l| l.span.start),
            )
        });
        self.0.dedup_by(|a, b| {
            a.message == b.message
                && a.labels.first().map(|l| l.span.start) == b.labels.first().map(|l| l.span.start)
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.error_count();
        write!(f, "{n} error{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.0.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

/// Renders diagnostics as plain text with a fixed theme and width, the same on every machine:
/// for snapshots and for output that is not a terminal.
pub fn render_plain(diagnostics: &[Diagnostic]) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut out, d);
    }
    out
}
