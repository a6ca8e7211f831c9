//! `gvc fmt`: the canonical layout of a file. Two-space indents, one statement per line, one
//! space between words, units and annotations written one way; comments and single blank
//! lines are kept. Formatting never changes what a file means (the round-trip tests check
//! that the syntax tree is unchanged) and is idempotent.

use std::fmt::Write;

use super::ast::*;
use super::comments::comments;
use super::lower::escape;
use crate::source::Span;

/// Formats a file that parsed into `file`; `text` is its source, for comments and blank lines.
pub fn format(file: &File, text: &str) -> String {
    let mut p = Printer {
        text,
        comments: comments(text),
        next_comment: 0,
        out: String::with_capacity(text.len() + text.len() / 8),
        indent: 0,
        last_end: 0,
    };
    for item in &file.items {
        p.item(item);
    }
    p.leading(text.len());
    p.out
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Span>,
    next_comment: usize,
    out: String,
    indent: usize,
    /// Where the last thing written ended in the source.
    last_end: usize,
}

impl Printer<'_> {
    /// Writes every comment that starts before `pos`, each on its own line.
    fn leading(&mut self, pos: usize) {
        while let Some(&c) = self.comments.get(self.next_comment) {
            if c.start >= pos {
                break;
            }
            self.next_comment += 1;
            self.blank_line_before(c.start);
            self.write_indent();
            self.out.push_str(self.text[c.start..c.end].trim_end());
            self.out.push('\n');
            self.last_end = self.last_end.max(c.end);
        }
    }

    /// Keeps one blank line where the source had one or more, except first in a block.
    fn blank_line_before(&mut self, pos: usize) {
        if self.out.is_empty() || self.out.ends_with("{\n") || self.out.ends_with("\n\n") {
            return;
        }
        let gap = self.text.get(self.last_end..pos).unwrap_or("");
        if gap.matches('\n').count() >= 2 {
            self.out.push('\n');
        }
    }

    fn write_indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// Writes comments that follow `end` on the same source line.
    fn trailing(&mut self, end: usize) {
        self.last_end = self.last_end.max(end);
        while let Some(&c) = self.comments.get(self.next_comment) {
            // Only white space on the same line may stand between the node and its comment.
            let between = self.text.get(self.last_end..c.start).unwrap_or("\n");
            if c.start < self.last_end || between.contains('\n') || !between.trim().is_empty() {
                break;
            }
            self.next_comment += 1;
            self.out.push(' ');
            self.out.push_str(self.text[c.start..c.end].trim_end());
            self.last_end = c.end;
        }
        self.out.push('\n');
    }

    /// One line for a node that starts at `span.start` and ends at `span.end`.
    fn line(&mut self, span: Span, text: &str) {
        self.leading(span.start);
        self.blank_line_before(span.start);
        self.write_indent();
        self.out.push_str(text);
        self.trailing(span.end);
    }

    /// Opens a block: `header {`.
    fn open(&mut self, start: usize, header: &str) {
        self.leading(start);
        self.blank_line_before(start);
        self.write_indent();
        self.out.push_str(header);
        self.out.push_str(" {\n");
        self.last_end = start;
        self.indent += 1;
    }

    /// Closes the block that ends (with its `}`) at `end`.
    fn close(&mut self, end: usize) {
        self.leading(end.saturating_sub(1));
        self.indent -= 1;
        self.write_indent();
        self.out.push('}');
        self.trailing(end);
    }

    fn item(&mut self, item: &Item) {
        let span = item.span;
        match &item.kind {
            ItemKind::Scenario(h) => {
                let mut header = format!("scenario {}", h.name.name);
                match &h.extends {
                    Some(Extends::Name(n)) => write!(header, " extends {}", n.name).unwrap(),
                    Some(Extends::Path(p)) => {
                        write!(header, " extends {}", escape(&p.value)).unwrap()
                    }
                    None => {}
                }
                self.open(span.start, &header);
                for s in &h.statements {
                    let text = match &s.kind {
                        HeaderStmt::Title(t) => format!("title {}", escape(&t.value)),
                        HeaderStmt::Description(d) => format!("description {}", escape(&d.value)),
                        HeaderStmt::Timeline { start, end } => {
                            format!("timeline {} to {}", start.value, end.value)
                        }
                    };
                    self.line(s.span, &text);
                }
                self.close(span.end);
            }
            ItemKind::Import(path) => self.line(span, &format!("import {}", escape(&path.value))),
            ItemKind::ImportCsv(i) => {
                let mut text = format!("import csv {} as {}", escape(&i.path.value), i.alias.name);
                if !i.key.is_empty() {
                    write!(text, " key {}", names(&i.key)).unwrap();
                }
                self.line(span, &text);
            }
            ItemKind::Owner(o) => {
                let mut text = format!("owner {}", o.name.name);
                if let Some(label) = &o.label {
                    write!(text, " {}", escape(&label.value)).unwrap();
                }
                self.line(span, &text);
            }
            ItemKind::Chain(c) => {
                self.open(span.start, &format!("chain {}", c.name.name));
                for stage in &c.stages {
                    self.stage(stage);
                }
                self.close(span.end);
            }
            ItemKind::Country(c) => {
                let mut header = format!("country {}", c.name.name);
                if let Some(label) = &c.label {
                    write!(header, " {}", escape(&label.value)).unwrap();
                }
                self.open(span.start, &header);
                for s in &c.statements {
                    self.country_stmt(s);
                }
                self.close(span.end);
            }
            ItemKind::World(w) => {
                self.open(span.start, "world");
                for s in &w.statements {
                    let text = match &s.kind {
                        WorldStmt::Demand(p) => format!("demand {}", path(p)),
                        WorldStmt::Setting(name, n) => format!("{} {}", name.name, number(n)),
                    };
                    self.line(s.span, &text);
                }
                self.close(span.end);
            }
            ItemKind::Policy(p) => {
                let header = format!(
                    "policy {} in {} from {}",
                    escape(&p.name.value),
                    p.country.name,
                    p.from.value
                );
                self.open(span.start, &header);
                for s in &p.statements {
                    self.country_stmt(s);
                }
                self.close(span.end);
            }
            ItemKind::Agreement(a) => {
                let mut text = format!(
                    "agreement {} parties {} restricts {}",
                    escape(&a.name.value),
                    names(&a.parties),
                    names(&a.restricts)
                );
                if let Some(n) = &a.isds_award {
                    write!(text, " isds award {}", number(n)).unwrap();
                }
                self.line(span, &text);
            }
            ItemKind::Flexibility(f) => {
                let mut text = format!(
                    "flexibility {} for {} in {} from {}",
                    escape(&f.name.value),
                    names(&f.levers),
                    f.country.name,
                    f.from.value
                );
                if let Some(u) = &f.under {
                    write!(text, " under {}", escape(&u.value)).unwrap();
                }
                self.line(span, &text);
            }
            ItemKind::Rule(r) => {
                let hook = match &r.hook {
                    Hook::Named(n) => n.name.clone(),
                    Hook::Metric(n) => format!("metric {}", n.name),
                };
                let script = match &r.script {
                    Script::File(f) => escape(&f.value),
                    // The script is kept byte for byte: it is Rhai, not gvc.
                    Script::Inline { code, .. } => format!("```{code}```"),
                };
                self.line(span, &format!("rule {hook} = script {script}"));
            }
            ItemKind::Expect(e) => {
                let mut text = format!("expect {}", target(&e.target));
                write!(text, " {} ", e.comparison.symbol()).unwrap();
                match &e.expected {
                    Expected::Bool(b, _) => write!(text, "{b}").unwrap(),
                    Expected::Number(n) => text.push_str(&number(n)),
                }
                if let Some(w) = &e.within {
                    write!(text, " within {}", number(w)).unwrap();
                }
                if let Some(m) = &e.message {
                    write!(text, " {}", escape(&m.value)).unwrap();
                }
                self.line(span, &text);
            }
        }
    }

    fn stage(&mut self, stage: &Stage) {
        let mut header = format!("stage {}", stage.name.name);
        if let Some(f) = &stage.feeds {
            write!(header, " feeds {}", f.name).unwrap();
        }
        self.open(stage.span.start, &header);
        for s in &stage.statements {
            let text = match &s.kind {
                StageStmt::Product {
                    hs_code,
                    label,
                    pci,
                } => {
                    let mut text = format!("product {}", hs_code.name);
                    if let Some(l) = label {
                        write!(text, " {}", escape(&l.value)).unwrap();
                    }
                    if let Some((n, y)) = pci {
                        write!(text, " pci {}", dated(n, y)).unwrap();
                    }
                    text
                }
                StageStmt::StagePci(n, y) => format!("stage_pci {}", dated(n, y)),
                StageStmt::UnitValue(p) => format!("unit_value {}", path(p)),
                StageStmt::LabourShare(p) => format!("labour_share {}", path(p)),
                StageStmt::InputShare(p) => format!("input_share {}", path(p)),
                StageStmt::CapitalCost(n) => format!("capital_cost {}", number(n)),
            };
            self.line(s.span, &text);
        }
        self.close(stage.span.end);
    }

    fn country_stmt(&mut self, s: &Statement<CountryStmt>) {
        let text = match &s.kind {
            CountryStmt::Eci(p) => format!("eci {}", path(p)),
            CountryStmt::Reserves(n) => format!("reserves {}", number(n)),
            CountryStmt::MineOutput(p) => format!("mine_output {}", path(p)),
            CountryStmt::Capacity(st, p) => format!("capacity {} {}", st.name, path(p)),
            CountryStmt::Utilisation(st, p) => format!("utilisation {} {}", st.name, path(p)),
            CountryStmt::Ownership(st, OwnershipSpec::Owner(o, p)) => {
                format!("ownership {} {} {}", st.name, o.name, path(p))
            }
            CountryStmt::Ownership(st, OwnershipSpec::Split(shares)) => {
                self.open(s.span.start, &format!("ownership {}", st.name));
                for share in shares {
                    let text = format!("{} {}", share.owner.name, number(&share.share));
                    self.line(share.span, &text);
                }
                self.close(s.span.end);
                return;
            }
            CountryStmt::Royalty(p) => format!("royalty {}", path(p)),
            CountryStmt::CorporateTax(p) => format!("corporate_tax {}", path(p)),
            CountryStmt::DomesticWageShare(p) => format!("domestic_wage_share {}", path(p)),
            CountryStmt::LocalContent(st, p) => format!("local_content {} {}", st.name, path(p)),
            CountryStmt::ConsumptionShare(p) => format!("consumption_share {}", path(p)),
            CountryStmt::Density(st, p) => format!("density {} {}", st.name, path(p)),
            CountryStmt::ExportBan(st) => format!("export_ban {}", st.name),
            CountryStmt::LocalProcessing(st, p) => {
                format!("local_processing {} {}", st.name, path(p))
            }
            CountryStmt::Build(b) => {
                let mut text = format!(
                    "build {} {} over {}",
                    b.stage.name,
                    number(&b.amount),
                    range(&b.over)
                );
                match &b.financing {
                    Some(Financing::Debt { rate, years }) => {
                        write!(text, " financed by debt {} {}", number(rate), number(years))
                            .unwrap()
                    }
                    Some(Financing::Grant) => text.push_str(" financed by grant"),
                    Some(Financing::Equity(o)) => {
                        write!(text, " financed by equity {}", o.name).unwrap()
                    }
                    None => {}
                }
                text
            }
            CountryStmt::TechTransfer {
                stage,
                bonus,
                eci_growth,
            } => {
                let mut text = format!("tech_transfer {}", stage.name);
                if let Some(b) = bonus {
                    write!(text, " bonus {}", number(b)).unwrap();
                }
                if let Some(g) = eci_growth {
                    write!(text, " eci_growth {}", number(g)).unwrap();
                }
                text
            }
        };
        self.line(s.span, &text);
    }
}

fn names(list: &[Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn range(r: &YearRange) -> String {
    format!("{}..{}", r.from.value, r.to.value)
}

fn target(t: &Target) -> String {
    let mut text = t
        .parts
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(".");
    if let Some(years) = &t.years {
        if years.from.value == years.to.value {
            write!(text, "[{}]", years.from.value).unwrap();
        } else {
            write!(text, "[{}]", range(years)).unwrap();
        }
    }
    text
}

fn dated(n: &Number, year: &Option<Year>) -> String {
    match year {
        Some(y) => format!("{} at {}", number(n), y.value),
        None => number(n),
    }
}

/// A number as the canonical text: its value as written, its unit, its annotation.
pub fn number(n: &Number) -> String {
    let mut text = match &n.value {
        NumberValue::Literal { text, .. } => text.clone(),
        NumberValue::Lookup(l) => {
            let keys: Vec<String> = l
                .keys
                .iter()
                .map(|k| {
                    if k.quoted {
                        escape(&k.text)
                    } else {
                        k.text.clone()
                    }
                })
                .collect();
            format!("{}[{}].{}", l.table.name, keys.join(", "), l.column.name)
        }
    };
    if let Some((unit, _)) = n.unit {
        if !unit.is_suffix() {
            text.push(' ');
        }
        text.push_str(unit.text());
    }
    match &n.annotation {
        Some(Annotation::Source(s)) => write!(text, " source {}", escape(&s.value)).unwrap(),
        Some(Annotation::Assumption(None)) => text.push_str(" assumption"),
        Some(Annotation::Assumption(Some(s))) => {
            write!(text, " assumption {}", escape(&s.value)).unwrap()
        }
        None => {}
    }
    text
}

pub fn path(p: &Path) -> String {
    let mut text = dated(&p.base, &p.base_year);
    for seg in &p.segments {
        match seg {
            Segment::To {
                target,
                shape,
                range: r,
            } => write!(text, " -> {} {} {}", number(target), shape.text(), range(r)).unwrap(),
            Segment::Step { target, year } => {
                write!(text, " -> {} step {}", number(target), year.value).unwrap()
            }
            Segment::Growth { rate, range: r } => {
                write!(text, " growth {} {}", number(rate), range(r)).unwrap()
            }
        }
    }
    text
}
