//! Resolution: the layers of a scenario become one [`Scenario`]. Names are resolved, numbers
//! converted to the model's units, and every problem is reported, not only the first.
//!
//! Within one layer (a scenario file and its imports) a name may be declared once. A layer
//! that extends another amends it: a country or stage declared again has its statements
//! replaced one by one, a policy, agreement, flexibility or rule of the same name replaces
//! the earlier one, and the header's title and timeline win. Expectations are not inherited:
//! each scenario states its own.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::load::{ImportedTable, Layer};
use super::suggest::did_you_mean;
use super::tables::LookupError;
use super::units::Dimension;
use crate::diagnostic::{plain_number, Diagnostic, Diagnostics};
use crate::scenario::*;
use crate::source::{FileId, Origin, Sources, Span};
use crate::syntax::ast;

/// A lever in a country from a year: (country, statement, stage, year).
type LeverKey = (String, &'static str, Option<String>, Year);

/// Where a declaration was written: its layer (0 = the base scenario) and file.
#[derive(Clone, Copy)]
struct At {
    layer: usize,
    file: FileId,
}

impl At {
    fn origin(self, span: Span) -> Origin {
        Origin {
            file: self.file,
            span,
        }
    }
}

/// A statement with the place it was written.
struct Placed<'a, T> {
    at: At,
    stmt: &'a ast::Statement<T>,
}

struct StageDecl<'a> {
    name: &'a ast::Ident,
    at: At,
    feeds: Option<(&'a ast::Ident, At)>,
    statements: Vec<Placed<'a, ast::StageStmt>>,
}

struct CountryDecl<'a> {
    name: &'a ast::Ident,
    at: At,
    label: Option<&'a ast::Str>,
    statements: Vec<Placed<'a, ast::CountryStmt>>,
}

/// A named declaration that a later layer may replace.
struct Named<'a, T> {
    at: At,
    span: Span,
    decl: &'a T,
}

pub struct Resolver<'a> {
    sources: &'a Sources,
    layers: &'a [Layer],
    diagnostics: Diagnostics,
    /// When some file did not parse, unknown names are likely its fault: not reported.
    quiet_unknown_names: bool,
    timeline: Option<(Timeline, Origin)>,
    /// The timeline in force in each layer: a base scenario's years are checked against its
    /// own timeline, so that a reform may shorten the horizon.
    layer_timelines: Vec<Option<(Timeline, Origin)>>,
    unsourced: Vec<Origin>,
    assumptions: Vec<Origin>,
    stage_names: Vec<String>,
    country_names: Vec<String>,
    owner_names: Vec<String>,
}

/// Where the scenario's data numbers stand without a source.
pub struct Numbers {
    pub unsourced: Vec<Origin>,
    pub assumptions: Vec<Origin>,
}

pub fn resolve(
    sources: &Sources,
    layers: &[Layer],
    incomplete: bool,
) -> (Option<Scenario>, Diagnostics, Numbers) {
    let mut r = Resolver {
        sources,
        layers,
        diagnostics: Diagnostics::default(),
        quiet_unknown_names: incomplete,
        timeline: None,
        layer_timelines: vec![None; layers.len()],
        unsourced: Vec::new(),
        assumptions: Vec::new(),
        stage_names: Vec::new(),
        country_names: Vec::new(),
        owner_names: Vec::new(),
    };
    let scenario = r.scenario();
    let numbers = Numbers {
        unsourced: r.unsourced,
        assumptions: r.assumptions,
    };
    (scenario, r.diagnostics, numbers)
}

impl<'a> Resolver<'a> {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// A diagnostic with its primary label at `origin`.
    fn at(&self, code: &'static str, message: String, origin: Origin, label: &str) -> Diagnostic {
        Diagnostic::error(code, message).label_at(self.sources, origin, label)
    }

    fn items(&self) -> impl Iterator<Item = (At, &'a ast::Item)> + 'a {
        let layers = self.layers;
        layers.iter().enumerate().flat_map(|(layer, l)| {
            l.files.iter().flat_map(move |(file, f)| {
                f.items
                    .iter()
                    .map(move |item| (At { layer, file: *file }, item))
            })
        })
    }

    fn duplicate(&mut self, what: &str, name: &str, again: Origin, first: Origin) {
        let d = self
            .at(
                "gvc::duplicate",
                format!("{what} `{name}` is declared twice"),
                again,
                "declared again here",
            )
            .label_at(self.sources, first, "first declared here")
            .help("remove one of them, or give them different names");
        self.error(d);
    }

    fn unknown(
        &mut self,
        what: &str,
        name: &ast::Ident,
        at: At,
        known: &[String],
        extra_help: &str,
    ) {
        if self.quiet_unknown_names {
            return;
        }
        let mut d = self.at(
            "gvc::unknown_name",
            format!("unknown {what} `{}`", name.name),
            at.origin(name.span),
            &format!("no {what} has this name"),
        );
        d = match did_you_mean(&name.name, known.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if known.is_empty() => d.help(format!("no {what} is declared{extra_help}")),
            None => {
                let mut list: Vec<&str> = known.iter().map(String::as_str).take(12).collect();
                if known.len() > 12 {
                    list.push("…");
                }
                d.help(format!("known: {}{extra_help}", list.join(", ")))
            }
        };
        self.error(d);
    }

    // -----------------------------------------------------------------------------------------
    // The whole scenario

    fn scenario(&mut self) -> Option<Scenario> {
        let header = self.header();
        let owners = self.owners();
        self.owner_names = owners.keys().cloned().collect();
        let (chain, stage_decls) = self.chain();
        self.stage_names = stage_decls.keys().cloned().collect();
        let country_decls = self.country_decls();
        self.country_names = country_decls.keys().cloned().collect();
        for (name, owner) in &owners {
            if let Some(c) = country_decls.get(name) {
                let (o, c) = (owner.origin, c.at.origin(c.name.span));
                self.duplicate("owner", name, o, c);
            }
        }

        let stages = self.stages(stage_decls);
        let countries = self.countries(country_decls);
        let world = self.world();
        let policies = self.policies();
        let agreements = self.agreements();
        let flexibilities = self.flexibilities(&agreements);
        let rules = self.rules();
        let expectations = self.expectations();

        let (name, title, description, extends, origin) = header?;
        let (timeline, _) = self.timeline?;
        if self.diagnostics.has_errors() {
            return None;
        }
        Some(Scenario {
            name,
            title,
            description,
            timeline,
            extends,
            chain: chain.unwrap_or_default(),
            stages,
            owners,
            countries,
            world,
            policies,
            agreements,
            flexibilities,
            rules,
            expectations,
            sources: self.sources.clone(),
            origin,
        })
    }

    /// Name, title, description, extended scenario and origin; sets the timeline.
    #[allow(clippy::type_complexity)]
    fn header(
        &mut self,
    ) -> Option<(
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Origin,
    )> {
        let mut headers: Vec<(At, &'a ast::Item, &'a ast::ScenarioHeader)> = Vec::new();
        for (at, item) in self.items() {
            if let ast::ItemKind::Scenario(h) = &item.kind {
                let root = self.layers[at.layer].root();
                if at.file != root {
                    let d = self
                        .at(
                            "gvc::header_in_import",
                            "an imported file cannot declare a scenario".into(),
                            at.origin(h.name.span),
                            "imported files hold data and policies only",
                        )
                        .help("to build on another scenario, write `scenario NAME extends OTHER { … }` instead of importing it");
                    self.error(d);
                    continue;
                }
                if let Some((first, _, fh)) = headers.iter().find(|(a, _, _)| a.layer == at.layer) {
                    let first = first.origin(fh.name.span);
                    self.duplicate("scenario", &h.name.name, at.origin(h.name.span), first);
                    continue;
                }
                headers.push((at, item, h));
            }
        }
        // Every layer's root file must have a header: it is a scenario.
        for (layer, l) in self.layers.iter().enumerate() {
            if !self.quiet_unknown_names && !headers.iter().any(|(a, _, _)| a.layer == layer) {
                let file = self.sources.get(l.root()).clone();
                let d = Diagnostic::error(
                    "gvc::no_header",
                    format!("`{}` has no scenario header", file.name),
                )
                .in_file(&file)
                .label(Span::new(0, 0), "a scenario file starts with its header")
                .help("start the file with `scenario NAME { title \"…\" timeline 2025 to 2050 }`; a file of data only is imported by a scenario");
                self.error(d);
            }
        }
        let mut title = None;
        let mut description = None;
        for (at, _, h) in &headers {
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for s in &h.statements {
                let key = match &s.kind {
                    ast::HeaderStmt::Title(t) => {
                        title = Some(t.value.clone());
                        "title"
                    }
                    ast::HeaderStmt::Description(t) => {
                        description = Some(t.value.clone());
                        "description"
                    }
                    ast::HeaderStmt::Timeline { start, end } => {
                        if start.value > end.value {
                            let d = self
                                .at(
                                    "gvc::bad_timeline",
                                    format!(
                                        "the timeline ends ({}) before it starts ({})",
                                        end.value, start.value
                                    ),
                                    at.origin(s.span),
                                    "starts after it ends",
                                )
                                .help(format!("write `timeline {} to {}`", end.value, start.value));
                            self.error(d);
                        } else {
                            self.timeline = Some((
                                Timeline {
                                    start: start.value,
                                    end: end.value,
                                },
                                at.origin(s.span),
                            ));
                        }
                        "timeline"
                    }
                };
                if let Some(first) = seen.insert(key, s.span) {
                    self.duplicate("header statement", key, at.origin(s.span), at.origin(first));
                }
            }
            self.layer_timelines[at.layer] = self.timeline;
        }
        for layer in 1..self.layer_timelines.len() {
            if self.layer_timelines[layer].is_none() {
                self.layer_timelines[layer] = self.layer_timelines[layer - 1];
            }
        }
        let (at, item, last) = headers.last()?;
        if self.timeline.is_none() && !self.diagnostics.has_errors() {
            let d = self
                .at(
                    "gvc::no_timeline",
                    format!("scenario `{}` has no timeline", last.name.name),
                    at.origin(last.name.span),
                    "the years to simulate are not said",
                )
                .help("add `timeline 2025 to 2050` to the header");
            self.error(d);
        }
        let extends = headers
            .len()
            .checked_sub(2)
            .map(|i| headers[i].2.name.name.clone());
        Some((
            last.name.name.clone(),
            title,
            description,
            extends,
            at.origin(item.span),
        ))
    }

    fn owners(&mut self) -> IndexMap<String, Owner> {
        let mut owners: IndexMap<String, (At, Owner)> = IndexMap::new();
        for (at, item) in self.items() {
            if let ast::ItemKind::Owner(o) = &item.kind {
                if o.name.name == DOMESTIC {
                    let d = self
                        .at(
                            "gvc::reserved_name",
                            "`domestic` is not an owner to declare".into(),
                            at.origin(o.name.span),
                            "always means \"owned at home\"",
                        )
                        .help("remove this line: every country's ownership can name `domestic`");
                    self.error(d);
                    continue;
                }
                let owner = Owner {
                    name: o.name.name.clone(),
                    label: o.label.as_ref().map(|l| l.value.clone()),
                    origin: at.origin(o.name.span),
                };
                match owners.get(&o.name.name) {
                    Some((first, fo)) if first.layer == at.layer => {
                        let first = fo.origin;
                        self.duplicate("owner", &o.name.name, owner.origin, first);
                    }
                    _ => {
                        owners.insert(o.name.name.clone(), (at, owner));
                    }
                }
            }
        }
        owners.into_iter().map(|(k, (_, o))| (k, o)).collect()
    }

    // -----------------------------------------------------------------------------------------
    // The chain

    fn chain(&mut self) -> (Option<String>, IndexMap<String, StageDecl<'a>>) {
        let mut chain: Option<(&'a ast::Ident, At)> = None;
        let mut stages: IndexMap<String, StageDecl<'a>> = IndexMap::new();
        for (at, item) in self.items() {
            let ast::ItemKind::Chain(c) = &item.kind else {
                continue;
            };
            if let Some((first, first_at)) = chain {
                if first_at.layer == at.layer || first.name != c.name.name {
                    let d = self
                        .at(
                            "gvc::second_chain",
                            format!("a scenario has one chain; `{}` is a second", c.name.name),
                            at.origin(c.name.span),
                            "second chain",
                        )
                        .label_at(self.sources, first_at.origin(first.span), "the chain")
                        .help(if first_at.layer == at.layer {
                            "put every stage in one `chain` block"
                        } else {
                            "to change stages of the scenario this one extends, repeat its chain's name"
                        });
                    self.error(d);
                    continue;
                }
            } else {
                chain = Some((&c.name, at));
            }
            for stage in &c.stages {
                let placed = stage.statements.iter().map(|stmt| Placed { at, stmt });
                match stages.get_mut(&stage.name.name) {
                    Some(decl) if decl.at.layer == at.layer => {
                        let first = decl.at.origin(decl.name.span);
                        self.duplicate(
                            "stage",
                            &stage.name.name,
                            at.origin(stage.name.span),
                            first,
                        );
                    }
                    Some(decl) => {
                        if stage.feeds.is_some() {
                            decl.feeds = stage.feeds.as_ref().map(|f| (f, at));
                        }
                        decl.statements.extend(placed);
                    }
                    None => {
                        stages.insert(
                            stage.name.name.clone(),
                            StageDecl {
                                name: &stage.name,
                                at,
                                feeds: stage.feeds.as_ref().map(|f| (f, at)),
                                statements: placed.collect(),
                            },
                        );
                    }
                }
            }
        }
        if chain.is_none()
            && !self.layers.is_empty()
            && !self.quiet_unknown_names
            && !self.diagnostics.has_errors()
        {
            let root = self.layers[self.layers.len() - 1].root();
            let file = self.sources.get(root).clone();
            let d = Diagnostic::error("gvc::no_chain", "the scenario declares no chain")
                .in_file(&file)
                .label(Span::new(0, 0), "no `chain` block in this scenario or its imports")
                .help("declare the stages: `chain copper { stage extraction { … } … }`, or import a file that does");
            self.error(d);
        }
        (chain.map(|(c, _)| c.name.clone()), stages)
    }

    fn stages(&mut self, decls: IndexMap<String, StageDecl<'a>>) -> IndexMap<String, Stage> {
        let mut stages = IndexMap::new();
        let mut previous: Option<String> = None;
        for (name, decl) in decls {
            let origin = decl.at.origin(decl.name.span);
            let feeds = decl.feeds.and_then(|(f, at)| {
                if self.stage_names.contains(&f.name) && f.name != name {
                    Some(f.name.clone())
                } else {
                    let known = self.stage_names.clone();
                    self.unknown("stage", f, at, &known, "");
                    None
                }
            });
            let statements =
                self.effective(decl.statements, &format!("stage `{name}`"), stage_slot);
            // A value that was written but failed has been reported already.
            let pci_written = statements.iter().any(|p| match &p.stmt.kind {
                ast::StageStmt::StagePci(..) => true,
                ast::StageStmt::Product { pci, .. } => pci.is_some(),
                _ => false,
            });
            let unit_value_written = statements
                .iter()
                .any(|p| matches!(p.stmt.kind, ast::StageStmt::UnitValue(_)));
            let mut products: Vec<Product> = Vec::new();
            let mut product_spans: HashMap<String, Origin> = HashMap::new();
            let mut stage_pci = None;
            let mut unit_value = None;
            let mut labour_share = None;
            let mut input_share = None;
            let mut capital_cost = None;
            for Placed { at, stmt } in statements {
                match &stmt.kind {
                    ast::StageStmt::Product {
                        hs_code,
                        label,
                        pci,
                    } => {
                        let o = at.origin(hs_code.span);
                        if let Some(first) = product_spans.insert(hs_code.name.clone(), o) {
                            self.duplicate("product", &hs_code.name, o, first);
                            continue;
                        }
                        let (pci, pci_year) = match pci {
                            Some((n, y)) => {
                                (self.quantity(n, Dimension::Index, at), y.map(|y| y.value))
                            }
                            None => (None, None),
                        };
                        products.push(Product {
                            hs_code: hs_code.name.clone(),
                            label: label.as_ref().map(|l| l.value.clone()),
                            pci,
                            pci_year,
                        });
                    }
                    ast::StageStmt::StagePci(n, y) => {
                        stage_pci = self
                            .quantity(n, Dimension::Index, at)
                            .map(|q| (q, y.map(|y| y.value)));
                    }
                    ast::StageStmt::UnitValue(p) => unit_value = self.path(p, Dimension::Price, at),
                    ast::StageStmt::LabourShare(p) => {
                        labour_share = self.path(p, Dimension::Share, at)
                    }
                    ast::StageStmt::InputShare(p) => {
                        input_share = self.path(p, Dimension::Share, at)
                    }
                    ast::StageStmt::CapitalCost(n) => {
                        capital_cost = self.quantity(n, Dimension::CapitalCost, at)
                    }
                }
            }
            let pci = match stage_pci {
                Some((q, year)) => Some((q, year)),
                None if !products.is_empty() && products.iter().all(|p| p.pci.is_some()) => {
                    let values: Vec<f64> = products
                        .iter()
                        .filter_map(|p| p.pci.as_ref().map(|q| q.value))
                        .collect();
                    let mean = values.iter().sum::<f64>() / values.len() as f64;
                    let year = products.iter().find_map(|p| p.pci_year);
                    Some((
                        Quantity {
                            value: mean,
                            provenance: Provenance::Source(format!(
                                "mean of the PCI of products {}",
                                products
                                    .iter()
                                    .map(|p| p.hs_code.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                            origin,
                        },
                        year,
                    ))
                }
                None => {
                    if !pci_written {
                        let d = self
                            .at(
                                "gvc::missing",
                                format!("stage `{name}` has no PCI"),
                                origin,
                                "its product complexity is not said",
                            )
                            .help("give each product its PCI (`product 7403 \"Refined copper\" pci -1.726 at 2022`) or the stage one (`stage_pci -1.7 at 2022`)");
                        self.error(d);
                    }
                    None
                }
            };
            if unit_value.is_none() && !unit_value_written {
                let d = self
                    .at(
                        "gvc::missing",
                        format!("stage `{name}` has no unit value"),
                        origin,
                        "the value of a tonne of its output is not said",
                    )
                    .help("add `unit_value 9149 usd/t source \"…\"` (or `assumption`)");
                self.error(d);
            }
            let input = if feeds.is_some() {
                None
            } else {
                previous.clone()
            };
            if feeds.is_none() {
                previous = Some(name.clone());
            }
            if let (Some((pci, pci_year)), Some(unit_value)) = (pci, unit_value) {
                stages.insert(
                    name.clone(),
                    Stage {
                        name,
                        input,
                        feeds,
                        products,
                        pci,
                        pci_year,
                        unit_value,
                        labour_share,
                        input_share,
                        capital_cost,
                        origin,
                    },
                );
            }
        }
        stages
    }

    // -----------------------------------------------------------------------------------------
    // Countries

    fn country_decls(&mut self) -> IndexMap<String, CountryDecl<'a>> {
        let mut countries: IndexMap<String, CountryDecl<'a>> = IndexMap::new();
        for (at, item) in self.items() {
            let ast::ItemKind::Country(c) = &item.kind else {
                continue;
            };
            let placed = c.statements.iter().map(|stmt| Placed { at, stmt });
            match countries.get_mut(&c.name.name) {
                Some(decl) if decl.at.layer == at.layer => {
                    let first = decl.at.origin(decl.name.span);
                    self.duplicate("country", &c.name.name, at.origin(c.name.span), first);
                }
                Some(decl) => {
                    if c.label.is_some() {
                        decl.label = c.label.as_ref();
                    }
                    decl.statements.extend(placed);
                }
                None => {
                    countries.insert(
                        c.name.name.clone(),
                        CountryDecl {
                            name: &c.name,
                            at,
                            label: c.label.as_ref(),
                            statements: placed.collect(),
                        },
                    );
                }
            }
        }
        countries
    }

    fn countries(&mut self, decls: IndexMap<String, CountryDecl<'a>>) -> IndexMap<String, Country> {
        let mut countries = IndexMap::new();
        for (name, decl) in decls {
            let origin = decl.at.origin(decl.name.span);
            let statements =
                self.effective(decl.statements, &format!("country `{name}`"), country_slot);
            let eci_written = statements
                .iter()
                .any(|p| matches!(p.stmt.kind, ast::CountryStmt::Eci(_)));
            let mut eci = None;
            let mut country = Country {
                name: name.clone(),
                label: decl.label.map(|l| l.value.clone()),
                eci: Path::constant(Quantity {
                    value: 0.0,
                    provenance: Provenance::Unstated,
                    origin,
                }),
                reserves: None,
                mine_output: None,
                capacity: IndexMap::new(),
                utilisation: IndexMap::new(),
                ownership: IndexMap::new(),
                royalty: None,
                corporate_tax: None,
                domestic_wage_share: None,
                local_content: IndexMap::new(),
                consumption_share: None,
                density: IndexMap::new(),
                origin,
            };
            for Placed { at, stmt } in statements {
                use ast::CountryStmt as S;
                match &stmt.kind {
                    S::Eci(p) => eci = self.path(p, Dimension::Index, at),
                    S::Reserves(n) => country.reserves = self.quantity(n, Dimension::Mass, at),
                    S::MineOutput(p) => country.mine_output = self.path(p, Dimension::Mass, at),
                    S::Capacity(stage, p) => {
                        if self.stage(stage, at) {
                            if self.is_first_stage(&stage.name) {
                                let d = self
                                    .at(
                                        "gvc::capacity_of_extraction",
                                        format!(
                                            "the capacity of `{}` is the mine output",
                                            stage.name
                                        ),
                                        at.origin(stage.span),
                                        "the first stage has no separate capacity",
                                    )
                                    .help("write `mine_output …` instead");
                                self.error(d);
                            } else if let Some(p) = self.path(p, Dimension::Mass, at) {
                                country.capacity.insert(stage.name.clone(), p);
                            }
                        }
                    }
                    S::Utilisation(stage, p) => {
                        if self.stage(stage, at) {
                            if let Some(p) = self.path(p, Dimension::Share, at) {
                                country.utilisation.insert(stage.name.clone(), p);
                            }
                        }
                    }
                    S::Ownership(stage, spec) => {
                        if !self.stage(stage, at) {
                            continue;
                        }
                        match spec {
                            ast::OwnershipSpec::Split(shares) => {
                                if let Some(o) =
                                    self.split(shares, &stage.name, &name, at, stmt.span)
                                {
                                    country.ownership.insert(stage.name.clone(), o);
                                }
                            }
                            ast::OwnershipSpec::Owner(owner, _) => {
                                let d = self
                                    .at(
                                        "gvc::partial_ownership",
                                        format!("the ownership of `{}` in `{name}` names one owner only", stage.name),
                                        at.origin(owner.span),
                                        "who owns the rest?",
                                    )
                                    .help(format!(
                                        "list every owner: `ownership {} {{ domestic 30%, CAN 70% }}`; a policy may shift one owner's share",
                                        stage.name
                                    ));
                                self.error(d);
                            }
                        }
                    }
                    S::Royalty(p) => country.royalty = self.path(p, Dimension::Share, at),
                    S::CorporateTax(p) => {
                        country.corporate_tax = self.path(p, Dimension::Share, at)
                    }
                    S::DomesticWageShare(p) => {
                        country.domestic_wage_share = self.path(p, Dimension::Share, at)
                    }
                    S::LocalContent(stage, p) => {
                        if self.stage(stage, at) {
                            if let Some(p) = self.path(p, Dimension::Share, at) {
                                country.local_content.insert(stage.name.clone(), p);
                            }
                        }
                    }
                    S::ConsumptionShare(p) => {
                        country.consumption_share = self.path(p, Dimension::Share, at)
                    }
                    S::Density(stage, p) => {
                        if self.stage(stage, at) {
                            if let Some(p) = self.path(p, Dimension::Index, at) {
                                country.density.insert(stage.name.clone(), p);
                            }
                        }
                    }
                    S::ExportBan(_)
                    | S::LocalProcessing(..)
                    | S::Build(_)
                    | S::TechTransfer { .. } => {
                        unreachable!("the grammar keeps policy levers out of country blocks")
                    }
                }
            }
            match eci {
                Some(eci) => country.eci = eci,
                None if eci_written => {}
                None => {
                    let d = self
                        .at(
                            "gvc::missing",
                            format!("country `{name}` has no ECI"),
                            origin,
                            "its economic complexity is not said",
                        )
                        .help("add `eci -0.745 source \"…\" at 2022`");
                    self.error(d);
                }
            }
            countries.insert(name, country);
        }
        countries
    }

    fn is_first_stage(&self, name: &str) -> bool {
        self.stage_names.first().is_some_and(|f| f == name)
    }

    /// Checks a stage name; reports it when unknown.
    fn stage(&mut self, name: &ast::Ident, at: At) -> bool {
        if self.stage_names.contains(&name.name) {
            return true;
        }
        let known = self.stage_names.clone();
        self.unknown("stage", name, at, &known, "");
        false
    }

    fn country(&mut self, name: &ast::Ident, at: At) -> bool {
        if self.country_names.contains(&name.name) {
            return true;
        }
        let known = self.country_names.clone();
        self.unknown("country", name, at, &known, "");
        false
    }

    /// Checks an owner: `domestic`, a declared owner or a country.
    fn owner(&mut self, name: &ast::Ident, at: At) -> bool {
        if name.name == DOMESTIC
            || self.owner_names.contains(&name.name)
            || self.country_names.contains(&name.name)
        {
            return true;
        }
        let mut known = vec![DOMESTIC.to_string()];
        known.extend(self.owner_names.iter().cloned());
        known.extend(self.country_names.iter().cloned());
        self.unknown(
            "owner",
            name,
            at,
            &known,
            "; declare it with `owner NAME \"description\"`",
        );
        false
    }

    fn split(
        &mut self,
        shares: &[ast::Share],
        stage: &str,
        country: &str,
        at: At,
        span: Span,
    ) -> Option<Ownership> {
        let mut out: IndexMap<String, Quantity> = IndexMap::new();
        let mut ok = true;
        let mut spans: HashMap<&str, Span> = HashMap::new();
        for s in shares {
            if let Some(first) = spans.insert(&s.owner.name, s.owner.span) {
                self.duplicate(
                    "owner",
                    &s.owner.name,
                    at.origin(s.owner.span),
                    at.origin(first),
                );
                ok = false;
                continue;
            }
            ok &= self.owner(&s.owner, at);
            match self.quantity(&s.share, Dimension::Share, at) {
                Some(q) => {
                    out.insert(s.owner.name.clone(), q);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if shares.is_empty() {
            let d = self
                .at(
                    "gvc::empty_ownership",
                    format!("the ownership of `{stage}` in `{country}` lists no owner"),
                    at.origin(span),
                    "empty",
                )
                .help("list every owner and its share: `{ domestic 30%, CAN 70% }`");
            self.error(d);
            return None;
        }
        let sum: f64 = out.values().map(|q| q.value).sum();
        if (sum - 1.0).abs() > 1e-6 {
            let gap = (1.0 - sum) * 100.0;
            let mut d = Diagnostic::error(
                "gvc::shares_sum",
                format!(
                    "the ownership of `{stage}` in `{country}` sums to {}%, not 100%",
                    plain_number(sum * 100.0, 4)
                ),
            );
            for s in shares {
                d = d.label_at(
                    self.sources,
                    at.origin(s.share.value_span()),
                    percent(&s.share),
                );
            }
            d = d.help(if gap > 0.0 {
                format!(
                    "{}% is missing: the shares of all owners must add up to 100%",
                    plain_number(gap, 4)
                )
            } else {
                format!(
                    "{}% too much: the shares of all owners must add up to 100%",
                    plain_number(-gap, 4)
                )
            });
            self.error(d);
            return None;
        }
        Some(Ownership {
            shares: out,
            origin: at.origin(span),
        })
    }

    // -----------------------------------------------------------------------------------------
    // The world

    fn world(&mut self) -> World {
        let mut statements = Vec::new();
        for (at, item) in self.items() {
            if let ast::ItemKind::World(w) = &item.kind {
                statements.extend(w.statements.iter().map(|stmt| Placed { at, stmt }));
            }
        }
        let statements = self.effective(statements, "the world", |s| match s {
            ast::WorldStmt::Demand(_) => "demand".to_string(),
            ast::WorldStmt::Setting(name, _) => name.name.clone(),
        });
        let mut world = World::default();
        for Placed { at, stmt } in statements {
            match &stmt.kind {
                ast::WorldStmt::Demand(p) => world.demand = self.path(p, Dimension::Mass, at),
                ast::WorldStmt::Setting(name, n) => {
                    let (slot, dim) = match name.name.as_str() {
                        "price_elasticity" => (&mut world.price_elasticity, Dimension::Index),
                        "feasibility_tolerance" => {
                            (&mut world.feasibility_tolerance, Dimension::Index)
                        }
                        "tech_transfer_bonus" => (&mut world.tech_transfer_bonus, Dimension::Index),
                        "supplier_va_share" => (&mut world.supplier_va_share, Dimension::Share),
                        "utilisation_default" => (&mut world.utilisation_default, Dimension::Share),
                        "supply_follows_demand" => {
                            (&mut world.supply_follows_demand, Dimension::Share)
                        }
                        "rule_operations" => (&mut world.rule_operations, Dimension::Index),
                        "rule_call_depth" => (&mut world.rule_call_depth, Dimension::Index),
                        "rule_expression_depth" => {
                            (&mut world.rule_expression_depth, Dimension::Index)
                        }
                        "rule_string_size" => (&mut world.rule_string_size, Dimension::Index),
                        "rule_array_size" => (&mut world.rule_array_size, Dimension::Index),
                        "rule_map_size" => (&mut world.rule_map_size, Dimension::Index),
                        "rule_variables" => (&mut world.rule_variables, Dimension::Index),
                        _ => (&mut world.density_threshold, Dimension::Index),
                    };
                    *slot = self.quantity(n, dim, at);
                }
            }
        }
        world
    }

    // -----------------------------------------------------------------------------------------
    // Policies, agreements, flexibilities

    /// Declarations of one kind by name: a later layer replaces, the same layer may not.
    fn named<T>(
        &mut self,
        what: &str,
        pick: impl Fn(&'a ast::ItemKind) -> Option<(&'a T, &'a ast::Str)>,
    ) -> Vec<Named<'a, T>> {
        let mut out: IndexMap<String, Named<'a, T>> = IndexMap::new();
        for (at, item) in self.items() {
            let Some((decl, name)) = pick(&item.kind) else {
                continue;
            };
            match out.get(&name.value) {
                Some(first) if first.at.layer == at.layer => {
                    let first = first.at.origin(first.span);
                    self.duplicate(what, &name.value, at.origin(name.span), first);
                }
                _ => {
                    out.insert(
                        name.value.clone(),
                        Named {
                            at,
                            span: name.span,
                            decl,
                        },
                    );
                }
            }
        }
        out.into_values().collect()
    }

    fn policies(&mut self) -> Vec<Policy> {
        let decls = self.named("policy", |k| match k {
            ast::ItemKind::Policy(p) => Some((p, &p.name)),
            _ => None,
        });
        let mut policies = Vec::new();
        // (country, statement, stage, year) → the policy that set it first.
        let mut levers: HashMap<LeverKey, (String, Origin)> = HashMap::new();
        for Named { at, decl: p, .. } in decls {
            let country_ok = self.country(&p.country, at);
            self.year_in_timeline(p.from, at);
            let mut actions = Vec::new();
            let mut seen: HashMap<(&'static str, Option<String>), Span> = HashMap::new();
            for stmt in &p.statements {
                let Some(kind) = self.action(&stmt.kind, at, &p.country.name) else {
                    continue;
                };
                let origin = at.origin(stmt.span);
                let key = (kind.keyword(), kind.stage().map(str::to_string));
                if let Some(first) = seen.insert(key.clone(), stmt.span) {
                    let what = match &key.1 {
                        Some(s) => format!("`{} {s}`", key.0),
                        None => format!("`{}`", key.0),
                    };
                    let d = self
                        .at(
                            "gvc::duplicate",
                            format!("{what} appears twice in policy \"{}\"", p.name.value),
                            origin,
                            "again here",
                        )
                        .label_at(self.sources, at.origin(first), "first here")
                        .help("a policy sets each lever once; combine the two into one path");
                    self.error(d);
                    continue;
                }
                if kind.keyword() != "build" {
                    let lever_key = (p.country.name.clone(), key.0, key.1.clone(), p.from.value);
                    if let Some((other, first)) = levers.get(&lever_key) {
                        let what = match &key.1 {
                            Some(s) => format!("`{} {s}`", key.0),
                            None => format!("`{}`", key.0),
                        };
                        let d = self
                            .at(
                                "gvc::conflicting_policies",
                                format!(
                                    "policies \"{other}\" and \"{}\" both set {what} in `{}` from {}",
                                    p.name.value, p.country.name, p.from.value
                                ),
                                origin,
                                "set here",
                            )
                            .label_at(self.sources, *first, "and here")
                            .help("one lever takes one value in a year: merge the two policies, or start one in another year");
                        self.error(d);
                    } else {
                        levers.insert(lever_key, (p.name.value.clone(), origin));
                    }
                }
                actions.push(Action { kind, origin });
            }
            if country_ok {
                policies.push(Policy {
                    name: p.name.value.clone(),
                    country: p.country.name.clone(),
                    from: p.from.value,
                    actions,
                    origin: at.origin(p.name.span),
                });
            }
        }
        policies
    }

    fn action(&mut self, stmt: &ast::CountryStmt, at: At, country: &str) -> Option<ActionKind> {
        use ast::CountryStmt as S;
        Some(match stmt {
            S::ExportBan(stage) => {
                if !self.stage(stage, at) {
                    return None;
                }
                ActionKind::ExportBan {
                    stage: stage.name.clone(),
                }
            }
            S::LocalProcessing(stage, p) => {
                let ok = self.stage(stage, at);
                let share = self.path(p, Dimension::Share, at)?;
                if !ok {
                    return None;
                }
                if self.is_first_stage(&stage.name) {
                    let d = self
                        .at(
                            "gvc::local_processing_of_extraction",
                            format!("`{}` has no upstream product to process at home", stage.name),
                            at.origin(stage.span),
                            "the first stage",
                        )
                        .help("name the stage that must do the processing, e.g. `local_processing processing 60%`");
                    self.error(d);
                    return None;
                }
                ActionKind::LocalProcessing {
                    stage: stage.name.clone(),
                    share,
                }
            }
            S::LocalContent(stage, p) => {
                let ok = self.stage(stage, at);
                let share = self.path(p, Dimension::Share, at)?;
                ok.then(|| ActionKind::LocalContent {
                    stage: stage.name.clone(),
                    share,
                })?
            }
            S::Build(b) => {
                let ok = self.stage(&b.stage, at);
                let amount = self.quantity(&b.amount, Dimension::Mass, at);
                self.range_in_timeline(&b.over, at);
                let financing = match &b.financing {
                    None => Financing::Equity {
                        owner: DOMESTIC.to_string(),
                    },
                    Some(ast::Financing::Grant) => Financing::Grant,
                    Some(ast::Financing::Equity(owner)) => {
                        if !self.owner(owner, at) {
                            return None;
                        }
                        Financing::Equity {
                            owner: owner.name.clone(),
                        }
                    }
                    Some(ast::Financing::Debt { rate, years }) => {
                        let rate = self.quantity(rate, Dimension::Share, at);
                        let years = self.quantity(years, Dimension::Duration, at);
                        Financing::Debt {
                            rate: rate?,
                            years: years?,
                        }
                    }
                };
                if ok && self.is_first_stage(&b.stage.name) {
                    let d = self
                        .at(
                            "gvc::capacity_of_extraction",
                            format!(
                                "`build` adds capacity to a downstream stage, not to `{}`",
                                b.stage.name
                            ),
                            at.origin(b.stage.span),
                            "the first stage",
                        )
                        .help("change the mine output with a policy on `mine_output` data instead");
                    self.error(d);
                    return None;
                }
                if !ok {
                    return None;
                }
                ActionKind::Build(Build {
                    stage: b.stage.name.clone(),
                    amount: amount?,
                    from: b.over.from.value,
                    to: b.over.to.value,
                    financing,
                })
            }
            S::Ownership(stage, spec) => {
                if !self.stage(stage, at) {
                    return None;
                }
                let change = match spec {
                    ast::OwnershipSpec::Split(shares) => OwnershipChange::Split(self.split(
                        shares,
                        &stage.name,
                        country,
                        at,
                        stage.span,
                    )?),
                    ast::OwnershipSpec::Owner(owner, p) => {
                        let ok = self.owner(owner, at);
                        let share = self.path(p, Dimension::Share, at)?;
                        if !ok {
                            return None;
                        }
                        OwnershipChange::Owner {
                            owner: owner.name.clone(),
                            share,
                        }
                    }
                };
                ActionKind::Ownership {
                    stage: stage.name.clone(),
                    change,
                }
            }
            S::Eci(p) => ActionKind::Eci(self.path(p, Dimension::Index, at)?),
            S::TechTransfer {
                stage,
                bonus,
                eci_growth,
            } => {
                let ok = self.stage(stage, at);
                let bonus = match bonus {
                    Some(b) => Some(self.quantity(b, Dimension::Index, at)?),
                    None => None,
                };
                let eci_growth = match eci_growth {
                    Some(g) => Some(self.quantity(g, Dimension::IndexRate, at)?),
                    None => None,
                };
                ok.then(|| ActionKind::TechTransfer {
                    stage: stage.name.clone(),
                    bonus,
                    eci_growth,
                })?
            }
            S::Royalty(p) => ActionKind::Royalty(self.path(p, Dimension::Share, at)?),
            S::CorporateTax(p) => ActionKind::CorporateTax(self.path(p, Dimension::Share, at)?),
            S::Reserves(_)
            | S::MineOutput(_)
            | S::Capacity(..)
            | S::Utilisation(..)
            | S::DomesticWageShare(_)
            | S::ConsumptionShare(_)
            | S::Density(..) => {
                unreachable!("the grammar keeps country data out of policies")
            }
        })
    }

    fn levers(&mut self, names: &[ast::Ident], at: At) -> Vec<Lever> {
        let known: Vec<String> = Lever::ALL.iter().map(|l| l.name().to_string()).collect();
        names
            .iter()
            .filter_map(|n| {
                let lever = Lever::parse(&n.name);
                if lever.is_none() {
                    let was_quiet = std::mem::replace(&mut self.quiet_unknown_names, false);
                    self.unknown("lever", n, at, &known, "");
                    self.quiet_unknown_names = was_quiet;
                }
                lever
            })
            .collect()
    }

    fn agreements(&mut self) -> Vec<Agreement> {
        let decls = self.named("agreement", |k| match k {
            ast::ItemKind::Agreement(a) => Some((a, &a.name)),
            _ => None,
        });
        let mut agreements = Vec::new();
        for Named { at, decl: a, span } in decls {
            let mut parties = Vec::new();
            for p in &a.parties {
                if self.country_names.contains(&p.name) || self.owner_names.contains(&p.name) {
                    parties.push(p.name.clone());
                } else {
                    let mut known = self.country_names.clone();
                    known.extend(self.owner_names.iter().cloned());
                    self.unknown(
                        "party",
                        p,
                        at,
                        &known,
                        "; a party is a country or an owner (`owner GBR \"United Kingdom\"`)",
                    );
                }
            }
            let restricts = self.levers(&a.restricts, at);
            let isds_award_years = a
                .isds_award
                .as_ref()
                .and_then(|n| self.quantity(n, Dimension::Duration, at));
            agreements.push(Agreement {
                name: a.name.value.clone(),
                parties,
                restricts,
                isds_award_years,
                origin: at.origin(span),
            });
        }
        agreements
    }

    fn flexibilities(&mut self, agreements: &[Agreement]) -> Vec<Flexibility> {
        let decls = self.named("flexibility", |k| match k {
            ast::ItemKind::Flexibility(f) => Some((f, &f.name)),
            _ => None,
        });
        let names: Vec<String> = agreements.iter().map(|a| a.name.clone()).collect();
        let mut out = Vec::new();
        for Named { at, decl: f, span } in decls {
            let levers = self.levers(&f.levers, at);
            let country_ok = self.country(&f.country, at);
            self.year_in_timeline(f.from, at);
            if let Some(under) = &f.under {
                if !names.contains(&under.value) && !self.quiet_unknown_names {
                    let mut d = self.at(
                        "gvc::unknown_name",
                        format!("unknown agreement \"{}\"", under.value),
                        at.origin(under.span),
                        "no agreement has this name",
                    );
                    if let Some(s) = did_you_mean(&under.value, names.iter().map(String::as_str)) {
                        d = d.help(format!("did you mean \"{s}\"?"));
                    }
                    self.error(d);
                }
            }
            if country_ok {
                out.push(Flexibility {
                    name: f.name.value.clone(),
                    levers,
                    country: f.country.name.clone(),
                    from: f.from.value,
                    under: f.under.as_ref().map(|u| u.value.clone()),
                    origin: at.origin(span),
                });
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Rules and expectations

    fn rules(&mut self) -> Vec<RuleAttachment> {
        let mut rules: IndexMap<String, (At, RuleAttachment)> = IndexMap::new();
        for (at, item) in self.items() {
            let ast::ItemKind::Rule(rule) = &item.kind else {
                continue;
            };
            let (hook, name) = match &rule.hook {
                ast::Hook::Metric(n) => (Hook::Metric(n.name.clone()), n),
                ast::Hook::Named(n) => match Hook::parse(&n.name) {
                    Some(h) => (h, n),
                    None => {
                        let mut known: Vec<String> =
                            Hook::NAMED.iter().map(|s| s.to_string()).collect();
                        known.push("metric".into());
                        let was_quiet = std::mem::replace(&mut self.quiet_unknown_names, false);
                        self.unknown("rule hook", n, at, &known, "");
                        self.quiet_unknown_names = was_quiet;
                        continue;
                    }
                },
            };
            let file = self.sources.get(at.file).clone();
            let script = match &rule.script {
                ast::Script::Inline { code, span } => RuleScript {
                    name: file.name.clone(),
                    code: code.clone(),
                    offset: span.start,
                },
                ast::Script::File(path) => {
                    let dir = file
                        .path
                        .parent()
                        .map(std::path::Path::to_path_buf)
                        .unwrap_or_default();
                    match std::fs::read_to_string(dir.join(&path.value)) {
                        Ok(code) => RuleScript {
                            name: super::load::display_join(&file.name, &path.value),
                            code,
                            offset: 0,
                        },
                        Err(_) => {
                            let d = self
                                .at(
                                    "gvc::missing_file",
                                    format!("cannot read the script `{}`", path.value),
                                    at.origin(path.span),
                                    "no such file",
                                )
                                .help("script paths are relative to the scenario file that attaches them");
                            self.error(d);
                            continue;
                        }
                    }
                }
            };
            let key = match &hook {
                Hook::Metric(m) => format!("metric {m}"),
                _ => name.name.clone(),
            };
            let attachment = RuleAttachment {
                hook,
                script,
                origin: at.origin(item.span),
            };
            match rules.get(&key) {
                Some((first, r)) if first.layer == at.layer => {
                    let first = r.origin;
                    self.duplicate("rule", &key, attachment.origin, first);
                }
                _ => {
                    rules.insert(key, (at, attachment));
                }
            }
        }
        rules.into_values().map(|(_, r)| r).collect()
    }

    fn expectations(&mut self) -> Vec<Expectation> {
        let last = self.layers.len().saturating_sub(1);
        let mut out = Vec::new();
        for (at, item) in self.items() {
            let ast::ItemKind::Expect(e) = &item.kind else {
                continue;
            };
            if at.layer != last {
                continue;
            }
            // The numbers of an expectation are thresholds, not data: they need no source.
            let (unsourced, assumptions) = (self.unsourced.len(), self.assumptions.len());
            if let Some(x) = self.expectation(e, at, item.span) {
                out.push(x);
            }
            self.unsourced.truncate(unsourced);
            self.assumptions.truncate(assumptions);
        }
        out
    }

    fn expectation(&mut self, e: &ast::Expect, at: At, span: Span) -> Option<Expectation> {
        let parts = &e.target.parts;
        if !self.country(&parts[0], at) {
            return None;
        }
        let metric = super::metrics::classify(parts, &self.stage_names);
        let metric = match metric {
            Ok(m) => m,
            Err((i, expected)) => {
                let (span, found) = match parts.get(i) {
                    Some(p) => (p.span, format!("`{}`", p.name)),
                    None => (e.target.span, "nothing".to_string()),
                };
                let mut d = self.at(
                    "gvc::unknown_metric",
                    format!("expected {} here, found {found}", expected.describe()),
                    at.origin(span),
                    "not an outcome gvc computes",
                );
                let wrong = parts.get(i).map_or("", |p| p.name.as_str());
                let options = expected.options(&self.stage_names);
                d = match did_you_mean(wrong, options.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("one of: {}", options.join(", "))),
                };
                self.error(d);
                return None;
            }
        };
        match (&e.target.years, metric.yearly) {
            (None, true) => {
                let d = self
                    .at(
                        "gvc::missing_year",
                        "which year? this outcome has a value every year".into(),
                        at.origin(e.target.span),
                        "no year",
                    )
                    .help(format!(
                        "add a year or a range: `{}[2040]` or `{}[2030..2050]`",
                        target_text(parts),
                        target_text(parts)
                    ));
                self.error(d);
                return None;
            }
            (Some(r), false) => {
                let d = self
                    .at(
                        "gvc::unexpected_year",
                        "this outcome is one value for the whole timeline".into(),
                        at.origin(r.span),
                        "no year here",
                    )
                    .help("remove the brackets");
                self.error(d);
                return None;
            }
            (Some(r), true) => {
                self.range_in_timeline(r, at);
            }
            (None, false) => {}
        }
        let expected = match (&e.expected, metric.dimension) {
            (ast::Expected::Bool(b, _), None) => ExpectedValue::Bool(*b),
            (ast::Expected::Number(n), Some(dim)) => {
                ExpectedValue::Number(self.quantity(n, dim, at)?)
            }
            (ast::Expected::Bool(_, s), Some(dim)) => {
                let d = self.at(
                    "gvc::unit_mismatch",
                    format!("this outcome is {}, not true or false", dim.describe()),
                    at.origin(*s),
                    "a number is expected",
                );
                self.error(d);
                return None;
            }
            (ast::Expected::Number(n), None) => {
                let d = self
                    .at(
                        "gvc::unit_mismatch",
                        "this outcome is true or false".into(),
                        at.origin(n.span),
                        "not a number",
                    )
                    .help("compare it with `true` or `false`");
                self.error(d);
                return None;
            }
        };
        let within = match (&e.within, metric.dimension) {
            (Some(w), Some(dim)) => Some(self.quantity(w, dim, at)?),
            (Some(w), None) => {
                let d = self.at(
                    "gvc::unit_mismatch",
                    "a tolerance needs a number to compare".into(),
                    at.origin(w.span),
                    "not for true or false",
                );
                self.error(d);
                return None;
            }
            (None, _) => None,
        };
        Some(Expectation {
            subject: parts.iter().map(|p| p.name.clone()).collect(),
            years: e.target.years.map(|r| (r.from.value, r.to.value)),
            comparison: e.comparison,
            expected,
            within,
            message: e.message.as_ref().map(|m| m.value.clone()),
            origin: at.origin(span),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Statements that a later layer replaces one by one

    /// The statements in force: a later layer's statement replaces an earlier one in the same
    /// slot; two in the same slot of one layer are an error.
    fn effective<T>(
        &mut self,
        statements: Vec<Placed<'a, T>>,
        owner: &str,
        slot: impl Fn(&T) -> String,
    ) -> Vec<Placed<'a, T>> {
        let mut by_slot: IndexMap<String, Placed<'a, T>> = IndexMap::new();
        for placed in statements {
            let key = slot(&placed.stmt.kind);
            match by_slot.get(&key) {
                Some(first) if first.at.layer == placed.at.layer => {
                    let d = self
                        .at(
                            "gvc::duplicate",
                            format!("`{key}` is declared twice in {owner}"),
                            placed.at.origin(placed.stmt.span),
                            "declared again here",
                        )
                        .label_at(self.sources, first.at.origin(first.stmt.span), "first declared here")
                        .help("keep one of them; to change a value over time, use a path such as `20% -> 40% linear 2027..2035`");
                    self.error(d);
                }
                _ => {
                    by_slot.insert(key, placed);
                }
            }
        }
        by_slot.into_values().collect()
    }

    // -----------------------------------------------------------------------------------------
    // Numbers, paths, years

    fn quantity(&mut self, n: &ast::Number, dim: Dimension, at: At) -> Option<Quantity> {
        let (raw, provenance) = match &n.value {
            ast::NumberValue::Literal { value, .. } => (*value, None),
            ast::NumberValue::Lookup(l) => self.lookup(l, at)?,
        };
        let unit = n.unit.map(|(u, _)| u);
        let Some(factor) = dim.factor(unit) else {
            let d = match n.unit {
                None => {
                    let written = match &n.value {
                        ast::NumberValue::Literal { text, .. } => text.clone(),
                        ast::NumberValue::Lookup(_) => "this lookup".into(),
                    };
                    let unit = dim.usual_unit().unwrap_or("");
                    let sep = if unit.starts_with(['%', '/']) {
                        ""
                    } else {
                        " "
                    };
                    // `0.05` for a share most likely means 5%.
                    let suggested = match dim {
                        Dimension::Share | Dimension::Rate if raw > 0.0 && raw < 1.0 => {
                            plain_number(raw * 100.0, 4)
                        }
                        _ => written.clone(),
                    };
                    self.at(
                        "gvc::missing_unit",
                        format!("`{written}` has no unit"),
                        at.origin(n.value.span()),
                        &format!("expected {}", dim.describe()),
                    )
                    .help(format!("write `{suggested}{sep}{unit}`"))
                }
                Some((u, span)) => {
                    let mut d = self.at(
                        "gvc::unit_mismatch",
                        format!("`{}` is not a unit of {}", u.text(), dim.describe()),
                        at.origin(span),
                        &format!("expected {}", dim.describe()),
                    );
                    d = match dim.usual_unit() {
                        Some(usual) => d.help(format!("write the value in {usual}")),
                        None => d.help("remove the unit: this is a plain number"),
                    };
                    d
                }
            };
            self.error(d);
            return None;
        };
        let value = raw * factor;
        let problem = match dim {
            Dimension::Share if !(0.0..=1.0).contains(&value) => {
                Some("a share is between 0% and 100%")
            }
            Dimension::Mass
            | Dimension::Price
            | Dimension::Money
            | Dimension::CapitalCost
            | Dimension::Duration
                if value < 0.0 =>
            {
                Some("this cannot be negative")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            let d = self
                .at(
                    "gvc::out_of_range",
                    problem.to_string(),
                    at.origin(n.value_span()),
                    "out of range",
                )
                .help(match dim {
                    Dimension::Share => "write a share from 0% to 100%",
                    _ => "write a value of zero or more",
                });
            self.error(d);
            return None;
        }
        let provenance = match (&n.annotation, provenance) {
            (Some(ast::Annotation::Source(s)), _) => Provenance::Source(s.value.clone()),
            (Some(ast::Annotation::Assumption(why)), _) => {
                self.assumptions.push(at.origin(n.span));
                Provenance::Assumption(why.as_ref().map(|w| w.value.clone()))
            }
            (None, Some(p)) => p,
            (None, None) => {
                self.unsourced.push(at.origin(n.span));
                Provenance::Unstated
            }
        };
        Some(Quantity {
            value,
            provenance,
            origin: at.origin(n.span),
        })
    }

    fn lookup(&mut self, l: &ast::Lookup, at: At) -> Option<(f64, Option<Provenance>)> {
        let tables = &self.layers[at.layer].tables;
        let Some(ImportedTable { table, .. }) = tables.get(&l.table.name) else {
            let known: Vec<String> = tables.keys().cloned().collect();
            let was_quiet = std::mem::replace(&mut self.quiet_unknown_names, false);
            self.unknown(
                "table",
                &l.table,
                at,
                &known,
                "; import one with `import csv \"FILE.csv\" as NAME`",
            );
            self.quiet_unknown_names = was_quiet;
            return None;
        };
        let table = table.clone();
        let Some(column) = table.column(&l.column.name) else {
            let mut d = self.at(
                "gvc::unknown_column",
                format!("`{}` has no column `{}`", table.name, l.column.name),
                at.origin(l.column.span),
                "not a column of the table",
            );
            d = match did_you_mean(&l.column.name, table.headers.iter().map(String::as_str)) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("its columns are {}", table.headers.join(", "))),
            };
            self.error(d);
            return None;
        };
        let keys: Vec<&str> = l.keys.iter().map(|k| k.text.as_str()).collect();
        let describe_keys = || {
            table
                .key_names()
                .iter()
                .zip(&keys)
                .map(|(c, k)| format!("{c} = {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cell = match table.lookup(&keys, column) {
            Ok(cell) => cell,
            Err(e) => {
                let (message, help) = match e {
                    LookupError::KeyCount { expected } => (
                        format!(
                            "`{}` is looked up by {expected} key{} ({}), not {}",
                            l.table.name,
                            if expected == 1 { "" } else { "s" },
                            table.key_names().join(", "),
                            keys.len()
                        ),
                        "give one key per key column, in order".to_string(),
                    ),
                    LookupError::NoRow => (
                        format!("no row of `{}` has {}", table.name, describe_keys()),
                        "check the keys against the file".to_string(),
                    ),
                    LookupError::SeveralRows(lines) => (
                        format!(
                            "{} rows of `{}` have {}",
                            lines.len(),
                            table.name,
                            describe_keys()
                        ),
                        format!(
                            "lines {}{}; name more key columns with `key` in the import",
                            lines
                                .iter()
                                .take(5)
                                .map(|l| l.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                            if lines.len() > 5 { ", …" } else { "" }
                        ),
                    ),
                };
                let d = self
                    .at("gvc::lookup", message, at.origin(l.span), "this lookup")
                    .help(help);
                self.error(d);
                return None;
            }
        };
        let value = match cell.text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                let d = self
                    .at(
                        "gvc::lookup",
                        format!(
                            "`{}` line {}, column `{}` holds `{}`, not a number",
                            table.name, cell.line, l.column.name, cell.text
                        ),
                        at.origin(l.span),
                        "this lookup",
                    )
                    .help("look up a column of numbers");
                self.error(d);
                return None;
            }
        };
        let provenance = Provenance::Table {
            file: table.name.clone(),
            line: cell.line,
            source: cell.source.map(str::to_string),
        };
        Some((value, Some(provenance)))
    }

    fn path(&mut self, p: &ast::Path, dim: Dimension, at: At) -> Option<Path> {
        let base = self.quantity(&p.base, dim, at);
        let mut segments = Vec::new();
        let mut ok = base.is_some();
        let mut previous_end: Option<(Year, Span)> = None;
        for seg in &p.segments {
            let (shape, from, to, value, span) = match seg {
                ast::Segment::To {
                    target,
                    shape,
                    range,
                } => {
                    let shape = match shape {
                        ast::Shape::Linear => Shape::Linear,
                        ast::Shape::Logistic => Shape::Logistic,
                        ast::Shape::Exponential => Shape::Exponential,
                    };
                    ok &= self.range_in_timeline(range, at);
                    (
                        shape,
                        range.from,
                        range.to,
                        self.quantity(target, dim, at),
                        range.span,
                    )
                }
                ast::Segment::Step { target, year } => {
                    ok &= self.year_in_timeline(*year, at);
                    (
                        Shape::Step,
                        *year,
                        *year,
                        self.quantity(target, dim, at),
                        year.span,
                    )
                }
                ast::Segment::Growth { rate, range } => {
                    ok &= self.range_in_timeline(range, at);
                    (
                        Shape::Growth,
                        range.from,
                        range.to,
                        self.quantity(rate, Dimension::Rate, at),
                        range.span,
                    )
                }
            };
            if let Some((end, end_span)) = previous_end {
                if from.value < end {
                    let d = self
                        .at(
                            "gvc::overlapping_segments",
                            format!(
                                "this segment starts in {}, before the previous one ends in {end}",
                                from.value
                            ),
                            at.origin(span),
                            "overlaps",
                        )
                        .label_at(self.sources, at.origin(end_span), "previous segment")
                        .help("segments of a path follow each other in time");
                    self.error(d);
                    ok = false;
                }
            }
            previous_end = Some((to.value, span));
            match value {
                Some(value) => segments.push(Segment {
                    shape,
                    from: from.value,
                    to: to.value,
                    value,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some(Path {
            base: base?,
            base_year: p.base_year.map(|y| y.value),
            segments,
            origin: at.origin(p.span),
        })
    }

    fn year_in_timeline(&mut self, year: ast::Year, at: At) -> bool {
        let in_force = self.layer_timelines.get(at.layer).copied().flatten();
        let Some((timeline, origin)) = in_force.or(self.timeline) else {
            return true;
        };
        if timeline.contains(year.value) {
            return true;
        }
        let d = self
            .at(
                "gvc::year_outside_timeline",
                format!(
                    "{} is outside the timeline {} to {}",
                    year.value, timeline.start, timeline.end
                ),
                at.origin(year.span),
                "outside the timeline",
            )
            .label_at(self.sources, origin, "the timeline")
            .help(format!(
                "use a year from {} to {}, or extend the timeline",
                timeline.start, timeline.end
            ));
        self.error(d);
        false
    }

    fn range_in_timeline(&mut self, range: &ast::YearRange, at: At) -> bool {
        if range.from.value > range.to.value {
            let d = self
                .at(
                    "gvc::bad_range",
                    format!(
                        "the range ends ({}) before it starts ({})",
                        range.to.value, range.from.value
                    ),
                    at.origin(range.span),
                    "backwards",
                )
                .help(format!("write `{}..{}`", range.to.value, range.from.value));
            self.error(d);
            return false;
        }
        let a = self.year_in_timeline(range.from, at);
        let b = self.year_in_timeline(range.to, at);
        a && b
    }
}

fn stage_slot(s: &ast::StageStmt) -> String {
    match s {
        ast::StageStmt::Product { hs_code, .. } => format!("product {}", hs_code.name),
        ast::StageStmt::StagePci(..) => "stage_pci".into(),
        ast::StageStmt::UnitValue(_) => "unit_value".into(),
        ast::StageStmt::LabourShare(_) => "labour_share".into(),
        ast::StageStmt::InputShare(_) => "input_share".into(),
        ast::StageStmt::CapitalCost(_) => "capital_cost".into(),
    }
}

fn country_slot(s: &ast::CountryStmt) -> String {
    use ast::CountryStmt as S;
    match s {
        S::Eci(_) => "eci".into(),
        S::Reserves(_) => "reserves".into(),
        S::MineOutput(_) => "mine_output".into(),
        S::Capacity(st, _) => format!("capacity {}", st.name),
        S::Utilisation(st, _) => format!("utilisation {}", st.name),
        S::Ownership(st, _) => format!("ownership {}", st.name),
        S::Royalty(_) => "royalty".into(),
        S::CorporateTax(_) => "corporate_tax".into(),
        S::DomesticWageShare(_) => "domestic_wage_share".into(),
        S::LocalContent(st, _) => format!("local_content {}", st.name),
        S::ConsumptionShare(_) => "consumption_share".into(),
        S::Density(st, _) => format!("density {}", st.name),
        S::ExportBan(st) => format!("export_ban {}", st.name),
        S::LocalProcessing(st, _) => format!("local_processing {}", st.name),
        S::Build(b) => format!("build {}", b.stage.name),
        S::TechTransfer { stage, .. } => format!("tech_transfer {}", stage.name),
    }
}

/// A share as written, for labels: `20%`.
fn percent(n: &ast::Number) -> String {
    let mut n = n.clone();
    n.annotation = None;
    crate::syntax::fmt::number(&n)
}

fn target_text(parts: &[ast::Ident]) -> String {
    parts
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}
