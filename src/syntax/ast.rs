//! The typed syntax tree of one `.gvc` file, as written: names are not resolved yet and
//! numbers keep the text and unit they were written with. Every node carries its span.

// Syntax trees are built once and read; boxing the large variants would buy nothing.
#![allow(clippy::large_enum_variant)]

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    /// The string's value, escapes resolved.
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Year {
    pub value: i32,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearRange {
    pub from: Year,
    pub to: Year,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Scenario(ScenarioHeader),
    Import(Str),
    ImportCsv(ImportCsv),
    Owner(OwnerDecl),
    Chain(Chain),
    Country(Country),
    World(World),
    Policy(Policy),
    Agreement(Agreement),
    Flexibility(Flexibility),
    Rule(Rule),
    Expect(Expect),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioHeader {
    pub name: Ident,
    pub extends: Option<Extends>,
    pub statements: Vec<Statement<HeaderStmt>>,
}

/// The scenario a file derives from: a name (the file `NAME.gvc` beside this one) or a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Extends {
    Name(Ident),
    Path(Str),
}

#[derive(Clone, Debug, PartialEq)]
pub enum HeaderStmt {
    Title(Str),
    Description(Str),
    Timeline { start: Year, end: Year },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportCsv {
    pub path: Str,
    pub alias: Ident,
    pub key: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OwnerDecl {
    pub name: Ident,
    pub label: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub name: Ident,
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: Ident,
    /// Set for a recycling stage: the stage its output goes into.
    pub feeds: Option<Ident>,
    pub statements: Vec<Statement<StageStmt>>,
    pub span: Span,
}

/// A statement and the span of all of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement<T> {
    pub kind: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StageStmt {
    Product {
        hs_code: Ident,
        label: Option<Str>,
        pci: Option<(Number, Option<Year>)>,
    },
    StagePci(Number, Option<Year>),
    UnitValue(Path),
    LabourShare(Path),
    InputShare(Path),
    CapitalCost(Number),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Country {
    pub name: Ident,
    pub label: Option<Str>,
    pub statements: Vec<Statement<CountryStmt>>,
}

/// A statement about a country: in its declaration or, for the levers, in a policy.
#[derive(Clone, Debug, PartialEq)]
pub enum CountryStmt {
    Eci(Path),
    Reserves(Number),
    MineOutput(Path),
    Capacity(Ident, Path),
    Utilisation(Ident, Path),
    Ownership(Ident, OwnershipSpec),
    Royalty(Path),
    CorporateTax(Path),
    DomesticWageShare(Path),
    LocalContent(Ident, Path),
    ConsumptionShare(Path),
    /// The country's product-space density around a stage, from a complexity output.
    Density(Ident, Path),
    // Policy levers
    ExportBan(Ident),
    LocalProcessing(Ident, Path),
    Build(Build),
    TechTransfer {
        stage: Ident,
        bonus: Option<Number>,
        eci_growth: Option<Number>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum OwnershipSpec {
    /// Every owner and its share: `{ domestic 20%, CAN 80% }`.
    Split(Vec<Share>),
    /// One owner's share as a path; the others keep their proportions.
    Owner(Ident, Path),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub owner: Ident,
    pub share: Number,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    pub stage: Ident,
    pub amount: Number,
    pub over: YearRange,
    pub financing: Option<Financing>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Financing {
    Debt { rate: Number, years: Number },
    Grant,
    Equity(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub statements: Vec<Statement<WorldStmt>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WorldStmt {
    Demand(Path),
    Setting(Ident, Number),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: Str,
    pub country: Ident,
    pub from: Year,
    pub statements: Vec<Statement<CountryStmt>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    pub name: Str,
    pub parties: Vec<Ident>,
    pub restricts: Vec<Ident>,
    /// `isds award N years`: restricted policies apply, and an award is charged.
    pub isds_award: Option<Number>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flexibility {
    pub name: Str,
    pub levers: Vec<Ident>,
    pub country: Ident,
    pub from: Year,
    pub under: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub hook: Hook,
    pub script: Script,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Hook {
    Named(Ident),
    Metric(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Script {
    File(Str),
    /// An inline block: the text between the fences, and where it starts in the file.
    Inline {
        code: String,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub target: Target,
    pub comparison: Comparison,
    pub expected: Expected,
    pub within: Option<Number>,
    pub message: Option<Str>,
}

/// `Zambia.extraction.value_added[2030..2040]`
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub parts: Vec<Ident>,
    pub years: Option<YearRange>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Ge,
    Le,
    Eq,
    Ne,
    Gt,
    Lt,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Ge => ">=",
            Comparison::Le => "<=",
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
            Comparison::Gt => ">",
            Comparison::Lt => "<",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Bool(bool, Span),
    Number(Number),
}

/// A number as written: a literal or a CSV lookup, a unit, a source or assumption.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: NumberValue,
    pub unit: Option<(Unit, Span)>,
    pub annotation: Option<Annotation>,
    pub span: Span,
}

impl Number {
    /// The value and its unit, without the annotation: what a label points at.
    pub fn value_span(&self) -> Span {
        match self.unit {
            Some((_, unit)) => self.value.span().join(unit),
            None => self.value.span(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NumberValue {
    Literal {
        text: String,
        value: f64,
        span: Span,
    },
    Lookup(Lookup),
}

impl NumberValue {
    pub fn span(&self) -> Span {
        match self {
            NumberValue::Literal { span, .. } => *span,
            NumberValue::Lookup(l) => l.span,
        }
    }
}

/// `atlas[7403, 2022].pci`: the `pci` cell of the row of table `atlas` whose key columns
/// hold 7403 and 2022.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    pub table: Ident,
    pub keys: Vec<Key>,
    pub column: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as written, without quotes.
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Annotation {
    Source(Str),
    Assumption(Option<Str>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Kt,
    Mt,
    Tonne,
    Percent,
    PercentPerYear,
    PerYear,
    UsdPerTonne,
    UsdPerPound,
    UsdPerTpa,
    Usd,
    Musd,
    Busd,
    Years,
}

impl Unit {
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text {
            "kt" => Unit::Kt,
            "Mt" => Unit::Mt,
            "t" => Unit::Tonne,
            "%" => Unit::Percent,
            "%/yr" => Unit::PercentPerYear,
            "/yr" => Unit::PerYear,
            "usd/t" => Unit::UsdPerTonne,
            "usd/lb" => Unit::UsdPerPound,
            "usd/tpa" => Unit::UsdPerTpa,
            "usd" => Unit::Usd,
            "musd" => Unit::Musd,
            "busd" => Unit::Busd,
            "years" | "year" => Unit::Years,
            _ => return None,
        })
    }

    pub fn text(self) -> &'static str {
        match self {
            Unit::Kt => "kt",
            Unit::Mt => "Mt",
            Unit::Tonne => "t",
            Unit::Percent => "%",
            Unit::PercentPerYear => "%/yr",
            Unit::PerYear => "/yr",
            Unit::UsdPerTonne => "usd/t",
            Unit::UsdPerPound => "usd/lb",
            Unit::UsdPerTpa => "usd/tpa",
            Unit::Usd => "usd",
            Unit::Musd => "musd",
            Unit::Busd => "busd",
            Unit::Years => "years",
        }
    }

    /// Written right after the number, without a space: `20%`, `3%/yr`.
    pub fn is_suffix(self) -> bool {
        matches!(self, Unit::Percent | Unit::PercentPerYear | Unit::PerYear)
    }
}

/// A time path: a base value (optionally dated) and segments that change it.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub base: Number,
    pub base_year: Option<Year>,
    pub segments: Vec<Segment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `-> 40% linear 2027..2035`
    To {
        target: Number,
        shape: Shape,
        range: YearRange,
    },
    /// `-> 40% step 2030`
    Step { target: Number, year: Year },
    /// `growth 2%/yr 2025..2040`
    Growth { rate: Number, range: YearRange },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Linear,
    Logistic,
    Exponential,
}

impl Shape {
    pub fn text(self) -> &'static str {
        match self {
            Shape::Linear => "linear",
            Shape::Logistic => "logistic",
            Shape::Exponential => "exponential",
        }
    }
}
