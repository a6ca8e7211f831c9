//! `gvc explain`: the computation behind one number, as a tree. Each input shows its value,
//! the `file:line` it came from, and the policy, agreement, flexibility or rule that changed it.

use std::fmt::Write;

use crate::model::{actions_in_force, trace, StageSim, Standing, Trace};
use crate::scenario::{
    Action, ActionKind, Financing, Hook, OwnershipChange, Path, Provenance, Quantity, Scenario,
    Year, DOMESTIC,
};
use crate::source::Origin;
use crate::Diagnostics;

/// What `explain` can trace.
pub const METRICS: [&str; 6] = [
    "value_captured",
    "value_added",
    "capture_ratio",
    "volume",
    "feasible",
    "eci",
];

pub enum ExplainError {
    /// The question names something the scenario does not have.
    Usage(String),
    Run(Diagnostics),
}

struct Node {
    label: String,
    children: Vec<Node>,
}

fn node(label: impl Into<String>) -> Node {
    Node {
        label: label.into(),
        children: Vec::new(),
    }
}

impl Node {
    fn with(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    fn render(&self, out: &mut String, prefix: &str, last: bool, root: bool) {
        if root {
            writeln!(out, "{}", self.label).unwrap();
        } else {
            writeln!(
                out,
                "{prefix}{}{}",
                if last { "└─ " } else { "├─ " },
                self.label
            )
            .unwrap();
        }
        let child_prefix = if root {
            String::new()
        } else {
            format!("{prefix}{}", if last { "   " } else { "│  " })
        };
        for (i, c) in self.children.iter().enumerate() {
            c.render(out, &child_prefix, i + 1 == self.children.len(), false);
        }
    }
}

fn num(v: f64) -> String {
    crate::diagnostic::plain_number(v, 3)
}

fn pct(v: f64) -> String {
    format!("{}%", num(v * 100.0))
}

struct Ctx<'s> {
    s: &'s Scenario,
    country: &'s str,
    year: Year,
    trace: Trace,
    actions: Vec<(usize, &'s Action, Standing)>,
}

impl<'s> Ctx<'s> {
    fn at(&self, origin: Origin) -> String {
        self.s.sources.describe(origin)
    }

    fn provenance(&self, q: &Quantity) -> String {
        let where_ = self.at(q.origin);
        match &q.provenance {
            Provenance::Source(src) => format!("{where_}, source \"{src}\""),
            Provenance::Assumption(None) => format!("{where_}, assumption"),
            Provenance::Assumption(Some(why)) => format!("{where_}, assumption \"{why}\""),
            Provenance::Table { file, line, source } => match source {
                Some(src) => format!("{where_}, from {file} line {line} (source \"{src}\")"),
                None => format!("{where_}, from {file} line {line}"),
            },
            Provenance::Unstated => format!("{where_}, no source"),
        }
    }

    fn path(&self, p: &Path) -> String {
        if p.segments.is_empty() {
            self.provenance(&p.base)
        } else {
            format!(
                "path at {} (base: {})",
                self.at(p.origin),
                self.provenance(&p.base)
            )
        }
    }

    fn policy(&self, index: usize, action: &Action, standing: Standing) -> String {
        let p = &self.s.policies[index];
        let mut text = format!(
            "policy \"{}\" from {} ({})",
            p.name,
            p.from,
            self.at(action.origin)
        );
        if let Standing::UnderIsds(a) = standing {
            let a = &self.s.agreements[a];
            write!(
                text,
                ", applied under ISDS of \"{}\" ({})",
                a.name,
                self.at(a.origin)
            )
            .unwrap();
        }
        text
    }

    /// The last action in force (not blocked) that matches.
    fn last(&self, matches: impl Fn(&ActionKind) -> bool) -> Option<(usize, &'s Action, Standing)> {
        self.actions
            .iter()
            .rev()
            .find(|(_, a, st)| !matches!(st, Standing::Blocked(_)) && matches(&a.kind))
            .copied()
    }

    fn rule_note(&self, hook: &Hook) -> Option<Node> {
        let r = self.s.rules.iter().find(|r| &r.hook == hook)?;
        Some(node(format!(
            "replaced by the Rhai rule `{}` ({})",
            hook_text(hook),
            self.at(r.origin)
        )))
    }

    fn stage(&self, name: &str) -> &StageSim {
        &self.trace.stages[name]
    }

    // -----------------------------------------------------------------------------------------

    fn eci(&self) -> Node {
        let c = &self.s.countries[self.country];
        let mut n = node(format!("ECI = {}", num(self.trace.eci)));
        match self.last(|k| matches!(k, ActionKind::Eci(_))) {
            Some((i, a, st)) => {
                n = n.with(node(format!("set by {}", self.policy(i, a, st))));
            }
            None => n = n.with(node(format!("eci {}", self.path(&c.eci)))),
        }
        for (i, a, st) in &self.actions {
            if let ActionKind::TechTransfer {
                eci_growth: Some(g),
                ..
            } = &a.kind
            {
                if !matches!(st, Standing::Blocked(_)) {
                    n = n.with(node(format!(
                        "plus {}/yr since {} from {}",
                        num(g.value),
                        self.s.policies[*i].from,
                        self.policy(*i, a, *st)
                    )));
                }
            }
        }
        if let Some(r) = self.rule_note(&Hook::Eci) {
            n = n.with(r);
        }
        n
    }

    fn feasible(&self, stage: &str) -> Node {
        let st = self.stage(stage);
        let decl = &self.s.stages[stage];
        let c = &self.s.countries[self.country];
        if let (Some(threshold), Some(density)) =
            (&self.s.world.density_threshold, c.density.get(stage))
        {
            let d = density.at(self.year);
            return node(format!(
                "feasible = {}: density {} {} threshold {} (the density rule)",
                st.feasible,
                num(d),
                if d >= threshold.value { "≥" } else { "<" },
                num(threshold.value)
            ))
            .with(node(format!(
                "density around {stage} ({})",
                self.path(density)
            )))
            .with(node(format!(
                "density_threshold ({})",
                self.provenance(threshold)
            )));
        }
        let mut n = node(format!(
            "feasible = {}: ECI {} + bonus {} {} PCI {} − tolerance {}",
            st.feasible,
            num(self.trace.eci),
            num(st.bonus),
            if self.trace.eci + st.bonus >= decl.pci.value - st.tolerance {
                "≥"
            } else {
                "<"
            },
            num(decl.pci.value),
            num(st.tolerance)
        ));
        n = n.with(self.eci());
        let mut pci = node(format!(
            "PCI of {stage} = {} ({})",
            num(decl.pci.value),
            self.provenance(&decl.pci)
        ));
        for p in &decl.products {
            if let Some(q) = &p.pci {
                pci = pci.with(node(format!(
                    "HS {} {}: {} ({})",
                    p.hs_code,
                    p.label.as_deref().unwrap_or(""),
                    num(q.value),
                    self.provenance(q)
                )));
            }
        }
        n = n.with(pci);
        match self.last(|k| matches!(k, ActionKind::TechTransfer { stage: s, .. } if s == stage)) {
            Some((i, a, s)) => {
                n = n.with(node(format!(
                    "bonus {} from {}",
                    num(st.bonus),
                    self.policy(i, a, s)
                )))
            }
            None => n = n.with(node("bonus 0: no technology transfer for this stage")),
        }
        n = n.with(match &self.s.world.feasibility_tolerance {
            Some(q) => node(format!(
                "tolerance {} ({})",
                num(q.value),
                self.provenance(q)
            )),
            None => node(format!("tolerance {} (model default)", num(st.tolerance))),
        });
        if let Some(r) = self.rule_note(&Hook::Feasible) {
            n = n.with(r);
        }
        n
    }

    fn volume(&self, stage: &str) -> Node {
        let st = self.stage(stage);
        let c = &self.s.countries[self.country];
        let decl = &self.s.stages[stage];
        let first = decl.input.is_none() && decl.feeds.is_none();
        let mut n = if first {
            let mut n = node(format!("volume = {} kt", num(st.volume)));
            n = n.with(match &c.mine_output {
                Some(p) => node(format!(
                    "mine_output {} kt ({})",
                    num(p.at(self.year)),
                    self.path(p)
                )),
                None => node("no mine output declared"),
            });
            if let Some(r) = &c.reserves {
                n = n.with(node(format!(
                    "never more than the remaining reserves of {} kt at start ({})",
                    num(r.value),
                    self.provenance(r)
                )));
            }
            n
        } else {
            let mut n = node(format!(
                "volume = {} kt = utilisation {} × capacity {} kt{}",
                num(st.volume),
                pct(st.utilisation),
                num(st.capacity),
                if st.feasible {
                    ""
                } else {
                    " — but the stage is not feasible: 0"
                }
            ));
            if let Some(p) = c.capacity.get(stage) {
                n = n.with(node(format!(
                    "capacity {} kt ({})",
                    num(p.at(self.year)),
                    self.path(p)
                )));
            }
            for (i, a, s) in &self.actions {
                if let ActionKind::Build(b) = &a.kind {
                    if b.stage == stage {
                        let financing = match &b.financing {
                            Financing::Debt { rate, years } => format!(
                                "debt at {} over {} years",
                                pct(rate.value),
                                num(years.value)
                            ),
                            Financing::Grant => "a grant".into(),
                            Financing::Equity { owner } => format!("equity of {owner}"),
                        };
                        n = n.with(node(format!(
                            "+ {} kt built over {}..{} with {financing}, {}",
                            num(b.amount.value),
                            b.from,
                            b.to,
                            self.policy(*i, a, *s)
                        )));
                    }
                }
            }
            n = n.with(
                match (c.utilisation.get(stage), &self.s.world.utilisation_default) {
                    (Some(p), _) => node(format!("utilisation ({})", self.path(p))),
                    (None, Some(q)) => {
                        node(format!("utilisation_default ({})", self.provenance(q)))
                    }
                    (None, None) => node("utilisation: model default"),
                },
            );
            n
        };
        if st.stranded > 0.0 {
            let mut limit = node(format!(
                "{} kt stranded: the next stage must process it at home and cannot",
                num(st.stranded)
            ));
            for (i, a, s) in &self.actions {
                let binds = match &a.kind {
                    ActionKind::ExportBan { stage: banned } => banned == stage,
                    ActionKind::LocalProcessing { stage: s2, .. } => {
                        self.s.stages[s2.as_str()].input.as_deref() == Some(stage)
                    }
                    _ => false,
                };
                if binds && !matches!(s, Standing::Blocked(_)) {
                    limit = limit.with(node(format!(
                        "{} {}, {}",
                        a.kind.keyword(),
                        a.kind.stage().unwrap_or(""),
                        self.policy(*i, a, *s)
                    )));
                }
            }
            n = n.with(limit);
        }
        n.with(self.feasible(stage))
    }

    fn value_added(&self, stage: &str) -> Node {
        let st = self.stage(stage);
        let decl = &self.s.stages[stage];
        let i = &st.inputs;
        let mut margin = node(format!(
            "margin = volume × (unit value − input unit value) = {} musd",
            num(st.value.margin)
        ));
        margin = margin.with(self.volume(stage));
        let mut uv = node(format!(
            "unit value {} usd/t ({})",
            num(i.unit_value),
            self.path(&decl.unit_value)
        ));
        if let Some(r) = self.rule_note(&Hook::UnitValue) {
            uv = uv.with(r);
        }
        margin = margin.with(uv);
        margin = margin.with(match &decl.input {
            Some(input) => node(format!(
                "input unit value {} usd/t (the {input} stage's)",
                num(i.input_unit_value)
            )),
            None => node("input unit value 0: the first stage buys no copper"),
        });
        node(format!(
            "value added = (1 − input share) × margin = {} musd",
            num(st.value.value_added)
        ))
        .with(match &decl.input_share {
            Some(p) => node(format!(
                "input share {} ({})",
                pct(i.input_share),
                self.path(p)
            )),
            None => node(format!(
                "input share {} (model default)",
                pct(i.input_share)
            )),
        })
        .with(margin)
    }

    fn ownership(&self, stage: &str) -> Node {
        let st = self.stage(stage);
        let c = &self.s.countries[self.country];
        let d = st.ownership.get(DOMESTIC).copied().unwrap_or(0.0);
        let mut n = node(format!("domestic ownership d = {}", pct(d)));
        match self.last(|k| matches!(k, ActionKind::Ownership { stage: s, .. } if s == stage)) {
            Some((i, a, s)) => {
                let how = match &a.kind {
                    ActionKind::Ownership {
                        change: OwnershipChange::Owner { owner, .. },
                        ..
                    } => format!("{owner}'s share on a path"),
                    _ => "a new split".into(),
                };
                n = n.with(node(format!("{how}, {}", self.policy(i, a, s))));
            }
            None => {
                n = n.with(match c.ownership.get(stage) {
                    Some(o) => node(format!("ownership split ({})", self.at(o.origin))),
                    None => node("no split declared: domestic 100% (model default)"),
                });
            }
        }
        if self
            .actions
            .iter()
            .any(|(_, a, _)| matches!(&a.kind, ActionKind::Build(b) if b.stage == stage))
        {
            n = n.with(node(
                "new capacity belongs to whoever financed it, weighted by capacity",
            ));
        }
        if self.s.rules.iter().any(|r| r.hook == Hook::OnYear) {
            n = n.with(node("an `on_year` rule may change it this year"));
        }
        n
    }

    fn lever(
        &self,
        label: &str,
        value: f64,
        declared: Option<&Path>,
        is: impl Fn(&ActionKind) -> bool,
        default: &str,
    ) -> Node {
        let mut n = node(format!("{label} = {}", pct(value)));
        n = n.with(match self.last(is) {
            Some((i, a, s)) => node(format!("set by {}", self.policy(i, a, s))),
            None => match declared {
                Some(p) => node(self.path(p)),
                None => node(default.to_string()),
            },
        });
        n
    }

    fn value_captured(&self, stage: &str) -> Node {
        let st = self.stage(stage);
        let c = &self.s.countries[self.country];
        let decl = &self.s.stages[stage];
        let i = &st.inputs;
        let v = &st.value;
        let va = v.value_added;
        let gos = v.gross_operating_surplus;
        let d = i.domestic_ownership;
        let mut root = node(format!(
            "value captured = λ·w·VA + d·GOS + R + T − debt service = {} musd",
            num(v.value_captured)
        ));
        if let Some(r) = self.rule_note(&Hook::Capture) {
            root = root.with(r);
        }
        let labour = node(format!(
            "labour income kept at home λ·w·VA = {} musd",
            num(i.labour_share * i.domestic_wage_share * va)
        ))
        .with(match &decl.labour_share {
            Some(p) => node(format!(
                "labour share λ = {} ({})",
                pct(i.labour_share),
                self.path(p)
            )),
            None => node(format!(
                "labour share λ = {} (model default)",
                pct(i.labour_share)
            )),
        })
        .with(match &c.domestic_wage_share {
            Some(p) => node(format!(
                "domestic wage share w = {} ({})",
                pct(i.domestic_wage_share),
                self.path(p)
            )),
            None => node(format!(
                "domestic wage share w = {} (model default)",
                pct(i.domestic_wage_share)
            )),
        })
        .with(self.value_added(stage));
        let owners = node(format!(
            "domestic owners' surplus d·GOS = {} musd",
            num(d * gos)
        ))
        .with(self.ownership(stage))
        .with(node(format!(
            "gross operating surplus GOS = (1 − λ)·VA = {} musd",
            num(gos)
        )));
        let foreign = node(format!(
            "foreign surplus F = (1 − d)·GOS = {} musd",
            num(v.foreign_surplus)
        ));
        let royalty = if i.royalty_rate > 0.0 {
            node(format!(
                "royalty R = min(F, rate × revenue × (1 − d)) = {} musd",
                num(v.royalty)
            ))
            .with(self.lever(
                "royalty rate",
                i.royalty_rate,
                c.royalty.as_ref(),
                |k| matches!(k, ActionKind::Royalty(_)),
                "no royalty declared: 0",
            ))
            .with(node(format!(
                "revenue = volume × unit value = {} musd",
                num(v.revenue)
            )))
        } else {
            node("royalty R = 0 (only the first stage pays a royalty, at the rate in force)")
        };
        let tax = node(format!(
            "tax on foreign profit T = tax × (F − R) = {} musd",
            num(v.tax)
        ))
        .with(self.lever(
            "corporate tax",
            i.tax_rate,
            c.corporate_tax.as_ref(),
            |k| matches!(k, ActionKind::CorporateTax(_)),
            "no tax declared: model default",
        ))
        .with(foreign);
        let mut debt = node(format!("debt service = {} musd", num(i.debt_service)));
        for (pi, a, s) in &self.actions {
            if let ActionKind::Build(b) = &a.kind {
                if b.stage == stage && matches!(b.financing, Financing::Debt { .. }) {
                    debt = debt.with(node(format!(
                        "owed on {} kt built with debt, {}; owed whether the capacity runs or not",
                        num(b.amount.value),
                        self.policy(*pi, a, *s)
                    )));
                }
            }
        }
        root.with(labour)
            .with(owners)
            .with(royalty)
            .with(tax)
            .with(debt)
    }

    fn country_total(&self, metric: &str) -> Node {
        let added: f64 = self
            .trace
            .stages
            .values()
            .map(|s| s.value.value_added + s.value.linkages)
            .sum();
        let linkages: f64 = self.trace.stages.values().map(|s| s.value.linkages).sum();
        let captured: f64 = self
            .trace
            .stages
            .values()
            .map(|s| s.value.value_captured)
            .sum::<f64>()
            + linkages
            - self.trace.isds_award;
        let per_stage = |captured_side: bool| {
            let mut children = Vec::new();
            for (name, s) in &self.trace.stages {
                let v = if captured_side {
                    s.value.value_captured
                } else {
                    s.value.value_added
                };
                children.push(node(format!(
                    "{name}: {} musd (explain with --stage {name})",
                    num(v)
                )));
            }
            children
        };
        let mut link = node(format!(
            "linkages: domestic suppliers' value added = {} musd",
            num(linkages)
        ));
        for (name, s) in &self.trace.stages {
            if s.value.linkages > 0.0 {
                let c = &self.s.countries[self.country];
                let src = match self
                    .last(|k| matches!(k, ActionKind::LocalContent { stage: st, .. } if st == name))
                {
                    Some((i, a, st)) => format!("set by {}", self.policy(i, a, st)),
                    None => c
                        .local_content
                        .get(name)
                        .map_or("".into(), |p| self.path(p)),
                };
                link = link.with(node(format!(
                    "{name}: {} musd, local content {} ({src})",
                    num(s.value.linkages),
                    pct(s.inputs.local_content)
                )));
            }
        }
        let mut award = node(format!("ISDS award = {} musd", num(self.trace.isds_award)));
        for a in &self.s.agreements {
            if self.trace.isds_award > 0.0
                && a.isds_award_years.is_some()
                && a.parties.iter().any(|p| p == self.country)
            {
                award = award.with(node(format!("\"{}\" ({})", a.name, self.at(a.origin))));
            }
        }
        match metric {
            "value_added" => {
                let mut n = node(format!(
                    "value added = Σ stages + linkages = {} musd",
                    num(added)
                ));
                n.children = per_stage(false);
                n.with(link)
            }
            "value_captured" => {
                let mut n = node(format!(
                    "value captured = Σ stages + linkages − ISDS award = {} musd",
                    num(captured)
                ));
                n.children = per_stage(true);
                n.with(link).with(award)
            }
            _ => node(format!(
                "capture ratio = value captured / value added = {}",
                if added.abs() > 1e-9 {
                    pct(captured / added)
                } else {
                    "none".into()
                }
            ))
            .with(node(format!("value captured = {} musd", num(captured))))
            .with(node(format!("value added = {} musd", num(added)))),
        }
    }

    fn blocked(&self) -> Option<Node> {
        let blocked: Vec<&(usize, &Action, Standing)> = self
            .actions
            .iter()
            .filter(|(_, _, s)| matches!(s, Standing::Blocked(_)))
            .collect();
        if blocked.is_empty() {
            return None;
        }
        let mut n = node(format!("blocked by agreements in {}", self.year));
        for (i, a, s) in blocked {
            let Standing::Blocked(ag) = s else { continue };
            let agreement = &self.s.agreements[*ag];
            let mut b = node(format!(
                "`{} {}` of policy \"{}\" ({}) is blocked by \"{}\" ({})",
                a.kind.keyword(),
                a.kind.stage().unwrap_or(""),
                self.s.policies[*i].name,
                self.at(a.origin),
                agreement.name,
                self.at(agreement.origin)
            ));
            for f in &self.s.flexibilities {
                if f.country == self.country
                    && a.kind.lever().is_some_and(|l| f.levers.contains(&l))
                {
                    b = b.with(node(format!(
                        "flexibility \"{}\" opens it from {} ({})",
                        f.name,
                        f.from,
                        self.at(f.origin)
                    )));
                }
            }
            n = n.with(b);
        }
        Some(n)
    }
}

fn hook_text(hook: &Hook) -> String {
    match hook {
        Hook::Feasible => "feasible".into(),
        Hook::Capture => "capture".into(),
        Hook::UnitValue => "unit_value".into(),
        Hook::Eci => "eci".into(),
        Hook::OnYear => "on_year".into(),
        Hook::Metric(m) => format!("metric {m}"),
    }
}

/// The computation of `metric` for a country and year (and stage), as an indented tree.
pub fn explain(
    s: &Scenario,
    country: &str,
    year: Year,
    metric: &str,
    stage: Option<&str>,
) -> Result<String, ExplainError> {
    let metric = metric
        .strip_suffix("_musd")
        .or_else(|| metric.strip_suffix("_kt"))
        .unwrap_or(metric);
    if !s.countries.contains_key(country) {
        let hint =
            crate::check::suggest::did_you_mean(country, s.countries.keys().map(String::as_str))
                .map(|c| format!(": did you mean `{c}`?"))
                .unwrap_or_default();
        return Err(ExplainError::Usage(format!(
            "no country `{country}` in scenario `{}`{hint}",
            s.name
        )));
    }
    if !s.timeline.contains(year) {
        return Err(ExplainError::Usage(format!(
            "{year} is outside the timeline {} to {}",
            s.timeline.start, s.timeline.end
        )));
    }
    if !METRICS.contains(&metric) {
        return Err(ExplainError::Usage(format!(
            "cannot explain `{metric}`: one of {}",
            METRICS.join(", ")
        )));
    }
    if let Some(st) = stage {
        if !s.stages.contains_key(st) {
            let hint = crate::check::suggest::did_you_mean(st, s.stages.keys().map(String::as_str))
                .map(|c| format!(": did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(ExplainError::Usage(format!("no stage `{st}`{hint}")));
        }
    }
    let needs_stage = matches!(metric, "volume" | "feasible");
    if needs_stage && stage.is_none() {
        return Err(ExplainError::Usage(format!(
            "`{metric}` is a stage's: add --stage STAGE"
        )));
    }
    let trace = trace(s, country, year)
        .map_err(ExplainError::Run)?
        .ok_or_else(|| ExplainError::Usage("no such country or year".into()))?;
    let ctx = Ctx {
        s,
        country,
        year,
        trace,
        actions: actions_in_force(s, country, year),
    };
    let mut root = match (metric, stage) {
        ("eci", _) => ctx.eci(),
        ("feasible", Some(st)) => ctx.feasible(st),
        ("volume", Some(st)) => ctx.volume(st),
        ("value_added", Some(st)) => ctx.value_added(st),
        ("value_captured", Some(st)) => ctx.value_captured(st),
        ("capture_ratio", Some(st)) => {
            let v = &ctx.stage(st).value;
            node(format!(
                "capture ratio = value captured / value added = {}",
                if v.value_added.abs() > 1e-9 {
                    pct(v.value_captured / v.value_added)
                } else {
                    "none".into()
                }
            ))
            .with(ctx.value_captured(st))
        }
        (m, _) => ctx.country_total(m),
    };
    if let Some(b) = ctx.blocked() {
        root = root.with(b);
    }
    let title = match stage {
        Some(st) => format!("{country}, {st}, {year}: {metric}"),
        None => format!("{country}, {year}: {metric}"),
    };
    let mut out = format!("{title} (scenario `{}`)\n", s.name);
    root.render(&mut out, "", true, true);
    Ok(out)
}
