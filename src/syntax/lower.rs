//! Lowering: pest pairs become the owned, typed syntax tree. This is the only place that sees
//! pest's types.

use std::sync::Arc;

use super::ast::*;
use super::parser::{is_keyword, Rule};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

type Pair<'i> = pest::iterators::Pair<'i, Rule>;

/// Lowers pairs parsed from the text that starts at `offset` in its file.
pub(super) struct Lower {
    pub offset: usize,
}

/// A construct that parsed but cannot stand: a number too large, a year out of range.
pub(super) struct LowerError {
    span: Span,
    message: String,
    help: &'static str,
}

impl LowerError {
    pub(super) fn into_diagnostic(self, file: &Arc<SourceFile>) -> Diagnostic {
        Diagnostic::error("gvc::syntax", self.message)
            .in_file(file)
            .label(self.span, "here")
            .help(self.help)
    }
}

type Result<T> = std::result::Result<T, LowerError>;

/// The children of a pair, without keyword tokens.
fn parts(pair: Pair<'_>) -> impl Iterator<Item = Pair<'_>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

/// Takes the next child; the grammar guarantees it is there.
fn next<'i>(it: &mut impl Iterator<Item = Pair<'i>>) -> Pair<'i> {
    it.next().expect("the grammar guarantees this child")
}

/// Takes the next child if it is of rule `rule`.
fn next_if<'i, I: Iterator<Item = Pair<'i>>>(
    it: &mut std::iter::Peekable<I>,
    rule: Rule,
) -> Option<Pair<'i>> {
    it.next_if(|p| p.as_rule() == rule)
}

impl Lower {
    fn span(&self, pair: &Pair<'_>) -> Span {
        Span::new(
            self.offset + pair.as_span().start(),
            self.offset + trimmed_end(pair),
        )
    }

    pub(super) fn item(&self, pair: Pair<'_>) -> Result<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::scenario => ItemKind::Scenario(self.scenario(pair)?),
            Rule::import_gvc => ItemKind::Import(self.string(next(&mut parts(pair)))),
            Rule::import_csv => {
                let mut it = parts(pair).peekable();
                let path = self.string(next(&mut it));
                let alias = self.ident(next(&mut it));
                let key = match next_if(&mut it, Rule::ident_list) {
                    Some(list) => self.ident_list(list),
                    None => Vec::new(),
                };
                ItemKind::ImportCsv(ImportCsv { path, alias, key })
            }
            Rule::owner_decl => {
                let mut it = parts(pair);
                let name = self.ident(next(&mut it));
                let label = it.next().map(|p| self.string(p));
                ItemKind::Owner(OwnerDecl { name, label })
            }
            Rule::chain => {
                let mut it = parts(pair);
                let name = self.ident(next(&mut it));
                let stages = it.map(|p| self.stage(p)).collect::<Result<_>>()?;
                ItemKind::Chain(Chain { name, stages })
            }
            Rule::country => {
                let mut it = parts(pair).peekable();
                let name = self.ident(next(&mut it));
                let label = next_if(&mut it, Rule::string).map(|p| self.string(p));
                let statements = it.map(|p| self.country_stmt(p)).collect::<Result<_>>()?;
                ItemKind::Country(Country {
                    name,
                    label,
                    statements,
                })
            }
            Rule::world => {
                let statements = parts(pair)
                    .map(|p| {
                        let span = self.span(&p);
                        let kind = match p.as_rule() {
                            Rule::demand_stmt => WorldStmt::Demand(self.path(next(&mut parts(p)))?),
                            _ => {
                                let mut it = p.into_inner();
                                let setting = next(&mut it);
                                let name = Ident {
                                    name: setting.as_str().to_string(),
                                    span: self.span(&setting),
                                };
                                WorldStmt::Setting(name, self.number(next(&mut it))?)
                            }
                        };
                        Ok(Statement { kind, span })
                    })
                    .collect::<Result<_>>()?;
                ItemKind::World(World { statements })
            }
            Rule::policy => {
                let mut it = parts(pair);
                let name = self.string(next(&mut it));
                let country = self.ident(next(&mut it));
                let from = self.year(next(&mut it))?;
                let statements = it.map(|p| self.country_stmt(p)).collect::<Result<_>>()?;
                ItemKind::Policy(Policy {
                    name,
                    country,
                    from,
                    statements,
                })
            }
            Rule::agreement => {
                let mut it = parts(pair);
                let name = self.string(next(&mut it));
                let parties = self.ident_list(next(&mut it));
                let restricts = self.ident_list(next(&mut it));
                let isds_award = match it.next() {
                    Some(isds) => Some(self.number(next(&mut parts(isds)))?),
                    None => None,
                };
                ItemKind::Agreement(Agreement {
                    name,
                    parties,
                    restricts,
                    isds_award,
                })
            }
            Rule::flexibility => {
                let mut it = parts(pair);
                let name = self.string(next(&mut it));
                let levers = self.ident_list(next(&mut it));
                let country = self.ident(next(&mut it));
                let from = self.year(next(&mut it))?;
                let under = it.next().map(|u| self.string(next(&mut parts(u))));
                ItemKind::Flexibility(Flexibility {
                    name,
                    levers,
                    country,
                    from,
                    under,
                })
            }
            Rule::rule_decl => {
                let mut it = parts(pair);
                let hook = next(&mut it);
                let inner = next(&mut parts(hook));
                let hook = match inner.as_rule() {
                    Rule::metric_hook => Hook::Metric(self.ident(next(&mut parts(inner)))),
                    _ => Hook::Named(self.ident(inner)),
                };
                let script = next(&mut it);
                let script = match script.as_rule() {
                    Rule::rhai_block => {
                        let body = next(&mut script.into_inner());
                        Script::Inline {
                            code: body.as_str().to_string(),
                            span: self.span(&body),
                        }
                    }
                    _ => Script::File(self.string(script)),
                };
                ItemKind::Rule(super::ast::Rule { hook, script })
            }
            Rule::expect => ItemKind::Expect(self.expect(pair)?),
            other => unreachable!("not an item: {other:?}"),
        };
        Ok(Item { kind, span })
    }

    fn scenario(&self, pair: Pair<'_>) -> Result<ScenarioHeader> {
        let mut it = parts(pair).peekable();
        let name = self.ident(next(&mut it));
        let extends = next_if(&mut it, Rule::extends).map(|e| {
            let target = next(&mut parts(e));
            match target.as_rule() {
                Rule::string => Extends::Path(self.string(target)),
                _ => Extends::Name(self.ident(target)),
            }
        });
        let statements = it
            .map(|p| {
                let span = self.span(&p);
                let kind = match p.as_rule() {
                    Rule::title_stmt => HeaderStmt::Title(self.string(next(&mut parts(p)))),
                    Rule::description_stmt => {
                        HeaderStmt::Description(self.string(next(&mut parts(p))))
                    }
                    _ => {
                        let mut years = parts(p);
                        let start = self.year(next(&mut years))?;
                        let end = self.year(next(&mut years))?;
                        HeaderStmt::Timeline { start, end }
                    }
                };
                Ok(Statement { kind, span })
            })
            .collect::<Result<_>>()?;
        Ok(ScenarioHeader {
            name,
            extends,
            statements,
        })
    }

    fn stage(&self, pair: Pair<'_>) -> Result<Stage> {
        let span = self.span(&pair);
        let mut it = parts(pair).peekable();
        let name = self.ident(next(&mut it));
        let feeds = next_if(&mut it, Rule::feeds).map(|f| self.ident(next(&mut parts(f))));
        let statements = it
            .map(|p| {
                let span = self.span(&p);
                let rule = p.as_rule();
                let mut it = parts(p).peekable();
                let kind = match rule {
                    Rule::product_stmt => {
                        let hs_code = self.ident(next(&mut it));
                        let label = next_if(&mut it, Rule::string).map(|s| self.string(s));
                        let pci = match it.next() {
                            Some(clause) => Some(self.dated_number(clause)?),
                            None => None,
                        };
                        StageStmt::Product {
                            hs_code,
                            label,
                            pci,
                        }
                    }
                    Rule::stage_pci_stmt => {
                        let mut year = None;
                        let number = self.number(next(&mut it))?;
                        if let Some(y) = it.next() {
                            year = Some(self.year(y)?);
                        }
                        StageStmt::StagePci(number, year)
                    }
                    Rule::unit_value_stmt => StageStmt::UnitValue(self.path(next(&mut it))?),
                    Rule::labour_share_stmt => StageStmt::LabourShare(self.path(next(&mut it))?),
                    Rule::input_share_stmt => StageStmt::InputShare(self.path(next(&mut it))?),
                    _ => StageStmt::CapitalCost(self.number(next(&mut it))?),
                };
                Ok(Statement { kind, span })
            })
            .collect::<Result<_>>()?;
        Ok(Stage {
            name,
            feeds,
            statements,
            span,
        })
    }

    /// `pci_clause`: a number and an optional `at YEAR`.
    fn dated_number(&self, pair: Pair<'_>) -> Result<(Number, Option<Year>)> {
        let mut it = parts(pair);
        let number = self.number(next(&mut it))?;
        let year = match it.next() {
            Some(y) => Some(self.year(y)?),
            None => None,
        };
        Ok((number, year))
    }

    fn country_stmt(&self, pair: Pair<'_>) -> Result<Statement<CountryStmt>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = parts(pair).peekable();
        let kind = match rule {
            Rule::eci_stmt => CountryStmt::Eci(self.path(next(&mut it))?),
            Rule::reserves_stmt => CountryStmt::Reserves(self.number(next(&mut it))?),
            Rule::mine_output_stmt => CountryStmt::MineOutput(self.path(next(&mut it))?),
            Rule::capacity_stmt => {
                CountryStmt::Capacity(self.ident(next(&mut it)), self.path(next(&mut it))?)
            }
            Rule::utilisation_stmt => {
                CountryStmt::Utilisation(self.ident(next(&mut it)), self.path(next(&mut it))?)
            }
            Rule::ownership_stmt => {
                let stage = self.ident(next(&mut it));
                let spec = next(&mut it);
                let spec = match spec.as_rule() {
                    Rule::share_split => OwnershipSpec::Split(
                        parts(spec)
                            .map(|share| {
                                let span = self.span(&share);
                                let mut it = parts(share);
                                Ok(Share {
                                    owner: self.ident(next(&mut it)),
                                    share: self.number(next(&mut it))?,
                                    span,
                                })
                            })
                            .collect::<Result<_>>()?,
                    ),
                    _ => {
                        let mut it = parts(spec);
                        OwnershipSpec::Owner(self.ident(next(&mut it)), self.path(next(&mut it))?)
                    }
                };
                CountryStmt::Ownership(stage, spec)
            }
            Rule::royalty_stmt => CountryStmt::Royalty(self.path(next(&mut it))?),
            Rule::corporate_tax_stmt => CountryStmt::CorporateTax(self.path(next(&mut it))?),
            Rule::wage_stmt => CountryStmt::DomesticWageShare(self.path(next(&mut it))?),
            Rule::local_content_stmt => {
                CountryStmt::LocalContent(self.ident(next(&mut it)), self.path(next(&mut it))?)
            }
            Rule::consumption_stmt => CountryStmt::ConsumptionShare(self.path(next(&mut it))?),
            Rule::density_stmt => {
                CountryStmt::Density(self.ident(next(&mut it)), self.path(next(&mut it))?)
            }
            Rule::export_ban_stmt => CountryStmt::ExportBan(self.ident(next(&mut it))),
            Rule::local_processing_stmt => {
                CountryStmt::LocalProcessing(self.ident(next(&mut it)), self.path(next(&mut it))?)
            }
            Rule::build_stmt => {
                let stage = self.ident(next(&mut it));
                let amount = self.number(next(&mut it))?;
                let over = self.range(next(&mut it))?;
                let financing = match it.next() {
                    Some(f) => {
                        let inner = next(&mut parts(f));
                        Some(match inner.as_rule() {
                            Rule::debt => {
                                let mut it = parts(inner);
                                Financing::Debt {
                                    rate: self.number(next(&mut it))?,
                                    years: self.number(next(&mut it))?,
                                }
                            }
                            Rule::grant => Financing::Grant,
                            _ => Financing::Equity(self.ident(next(&mut parts(inner)))),
                        })
                    }
                    None => None,
                };
                CountryStmt::Build(Build {
                    stage,
                    amount,
                    over,
                    financing,
                })
            }
            Rule::tech_transfer_stmt => {
                let stage = self.ident(next(&mut it));
                let bonus = match next_if(&mut it, Rule::bonus) {
                    Some(b) => Some(self.number(next(&mut parts(b)))?),
                    None => None,
                };
                let eci_growth = match next_if(&mut it, Rule::eci_growth) {
                    Some(g) => Some(self.number(next(&mut parts(g)))?),
                    None => None,
                };
                CountryStmt::TechTransfer {
                    stage,
                    bonus,
                    eci_growth,
                }
            }
            other => unreachable!("not a country statement: {other:?}"),
        };
        Ok(Statement { kind, span })
    }

    fn expect(&self, pair: Pair<'_>) -> Result<Expect> {
        let mut it = parts(pair).peekable();
        let target = next(&mut it);
        let target_span = self.span(&target);
        let mut target_parts = Vec::new();
        let mut years = None;
        for p in target.into_inner() {
            match p.as_rule() {
                Rule::ident => target_parts.push(self.ident(p)),
                _ => {
                    let span = self.span(&p);
                    let mut ys = p.into_inner();
                    let from = self.year(next(&mut ys))?;
                    let to = match ys.next() {
                        Some(y) => self.year(y)?,
                        None => from,
                    };
                    years = Some(YearRange { from, to, span });
                }
            }
        }
        let comparison = match next(&mut it).as_str() {
            ">=" => Comparison::Ge,
            "<=" => Comparison::Le,
            "==" => Comparison::Eq,
            "!=" => Comparison::Ne,
            ">" => Comparison::Gt,
            _ => Comparison::Lt,
        };
        let expected = next(&mut it);
        let expected_span = self.span(&expected);
        let value = next(&mut expected.into_inner());
        let expected = match value.as_rule() {
            Rule::k_true => Expected::Bool(true, expected_span),
            Rule::k_false => Expected::Bool(false, expected_span),
            _ => Expected::Number(self.number(value)?),
        };
        let within = match next_if(&mut it, Rule::within) {
            Some(w) => Some(self.number(next(&mut parts(w)))?),
            None => None,
        };
        let message = it.next().map(|m| self.string(m));
        Ok(Expect {
            target: Target {
                parts: target_parts,
                years,
                span: target_span,
            },
            comparison,
            expected,
            within,
            message,
        })
    }

    fn path(&self, pair: Pair<'_>) -> Result<Path> {
        let span = self.span(&pair);
        let mut it = parts(pair).peekable();
        let base = self.number(next(&mut it))?;
        let base_year = match next_if(&mut it, Rule::year) {
            Some(y) => Some(self.year(y)?),
            None => None,
        };
        let segments = it
            .map(|seg| {
                let rule = seg.as_rule();
                let mut it = parts(seg);
                Ok(match rule {
                    Rule::seg_to => {
                        let target = self.number(next(&mut it))?;
                        let shape = match next(&mut it).as_str() {
                            "linear" => Shape::Linear,
                            "logistic" => Shape::Logistic,
                            _ => Shape::Exponential,
                        };
                        let range = self.range(next(&mut it))?;
                        Segment::To {
                            target,
                            shape,
                            range,
                        }
                    }
                    Rule::seg_step => Segment::Step {
                        target: self.number(next(&mut it))?,
                        year: self.year(next(&mut it))?,
                    },
                    _ => Segment::Growth {
                        rate: self.number(next(&mut it))?,
                        range: self.range(next(&mut it))?,
                    },
                })
            })
            .collect::<Result<_>>()?;
        Ok(Path {
            base,
            base_year,
            segments,
            span,
        })
    }

    fn number(&self, pair: Pair<'_>) -> Result<Number> {
        let span = self.span(&pair);
        let mut it = pair.into_inner().peekable();
        let value = next(&mut it);
        let value = match value.as_rule() {
            Rule::literal => self.literal(value)?,
            _ => {
                let span = self.span(&value);
                let mut it = value.into_inner().peekable();
                let table = self.ident(next(&mut it));
                let mut keys = Vec::new();
                while let Some(key) = next_if(&mut it, Rule::key) {
                    let inner = next(&mut key.into_inner());
                    keys.push(match inner.as_rule() {
                        Rule::string => {
                            let s = self.string(inner);
                            Key {
                                text: s.value,
                                quoted: true,
                                span: s.span,
                            }
                        }
                        _ => Key {
                            text: inner.as_str().to_string(),
                            quoted: false,
                            span: self.span(&inner),
                        },
                    });
                }
                let column = self.ident(next(&mut it));
                NumberValue::Lookup(Lookup {
                    table,
                    keys,
                    column,
                    span,
                })
            }
        };
        let unit = next_if(&mut it, Rule::unit).map(|u| {
            let unit = Unit::parse(u.as_str()).expect("the grammar lists every unit");
            (unit, self.span(&u))
        });
        let annotation = it.next().map(|a| {
            let inner = next(&mut a.into_inner());
            match inner.as_rule() {
                Rule::source => Annotation::Source(self.string(next(&mut parts(inner)))),
                _ => Annotation::Assumption(parts(inner).next().map(|s| self.string(s))),
            }
        });
        Ok(Number {
            value,
            unit,
            annotation,
            span,
        })
    }

    fn literal(&self, pair: Pair<'_>) -> Result<NumberValue> {
        let text = pair.as_str().to_string();
        let span = self.span(&pair);
        let value: f64 = text.replace('_', "").parse().unwrap_or(f64::INFINITY);
        if !value.is_finite() {
            return Err(LowerError {
                span,
                message: format!("`{text}` is too large a number"),
                help: "numbers must fit in a 64-bit float",
            });
        }
        Ok(NumberValue::Literal { text, value, span })
    }

    fn year(&self, pair: Pair<'_>) -> Result<Year> {
        let span = self.span(&pair);
        match pair.as_str().parse::<i32>() {
            Ok(value) if (1000..=9999).contains(&value) => Ok(Year { value, span }),
            _ => Err(LowerError {
                span,
                message: format!("`{}` is not a year", pair.as_str()),
                help: "write a year with four digits, such as 2030",
            }),
        }
    }

    fn range(&self, pair: Pair<'_>) -> Result<YearRange> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        Ok(YearRange {
            from: self.year(next(&mut it))?,
            to: self.year(next(&mut it))?,
            span,
        })
    }

    fn ident(&self, pair: Pair<'_>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn ident_list(&self, pair: Pair<'_>) -> Vec<Ident> {
        pair.into_inner().map(|p| self.ident(p)).collect()
    }

    fn string(&self, pair: Pair<'_>) -> Str {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        Str {
            value: unescape(raw),
            span,
        }
    }
}

/// Where a pair really ends. pest lets a rule that ends in an optional part (`assumption`
/// without its string) take the white space and comments after it; a span must not.
fn trimmed_end(pair: &Pair<'_>) -> usize {
    let end = pair.as_span().end();
    if !pair
        .as_str()
        .ends_with(|c: char| c.is_ascii_whitespace() || c == '/')
    {
        return end;
    }
    match pair.clone().into_inner().last() {
        Some(last) => {
            let last_end = trimmed_end(&last);
            if is_trivia(&pair.get_input()[last_end..end]) {
                last_end
            } else {
                end
            }
        }
        None => end,
    }
}

/// True when `text` is only white space and comments.
pub(super) fn is_trivia(mut text: &str) -> bool {
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return true;
        }
        if let Some(rest) = text.strip_prefix("//") {
            text = rest.find('\n').map_or("", |i| &rest[i..]);
        } else if let Some(rest) = text.strip_prefix("/*") {
            match rest.find("*/") {
                Some(i) => text = &rest[i + 2..],
                None => return false,
            }
        } else {
            return false;
        }
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Writes a string literal that reads back as `value`.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
