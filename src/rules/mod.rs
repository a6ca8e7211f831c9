//! The Rhai host: custom rules that replace named parts of the model.
//!
//! Each `rule HOOK = script …` is compiled once, when a run starts, in a sandboxed engine
//! (`Engine::new_raw` with only the arithmetic, logic, string, array and map packages; no
//! `import`, no `eval`, no clock, no file or network access; limits on operations, call depth,
//! expression depth, sizes and variables). The model calls the hook's function with a
//! read-only view ([`view`]) and reads back a typed answer. Script errors become diagnostics
//! that point into the script and name the scenario line that attached it.

pub mod view;

use std::sync::{Arc, Mutex};

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LanguageCorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Position, Scope, AST};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::scenario::{Hook, Quantity, RuleAttachment, Scenario};
use crate::source::{Origin, SourceFile, Span};
pub use view::{CountryView, StageView};

/// The sandbox's limits. Each can be set per scenario in the `world` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations per call (`rule_operations`).
    pub operations: u64,
    /// Nested function calls (`rule_call_depth`).
    pub call_depth: usize,
    /// Nesting of expressions (`rule_expression_depth`).
    pub expression_depth: usize,
    /// Characters in a string (`rule_string_size`).
    pub string_size: usize,
    /// Items in an array (`rule_array_size`).
    pub array_size: usize,
    /// Entries in a map (`rule_map_size`).
    pub map_size: usize,
    /// Variables in scope (`rule_variables`).
    pub variables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            operations: 1_000_000,
            call_depth: 32,
            expression_depth: 64,
            string_size: 10_000,
            array_size: 10_000,
            map_size: 1_000,
            variables: 256,
        }
    }
}

impl Limits {
    /// The defaults, with the scenario's `rule_*` settings applied.
    pub fn of(s: &Scenario) -> Limits {
        let d = Limits::default();
        let w = &s.world;
        let n = |q: &Option<Quantity>, default: usize| {
            q.as_ref().map_or(default, |q| q.value.max(0.0) as usize)
        };
        Limits {
            operations: w
                .rule_operations
                .as_ref()
                .map_or(d.operations, |q| q.value.max(0.0) as u64),
            call_depth: n(&w.rule_call_depth, d.call_depth),
            expression_depth: n(&w.rule_expression_depth, d.expression_depth),
            string_size: n(&w.rule_string_size, d.string_size),
            array_size: n(&w.rule_array_size, d.array_size),
            map_size: n(&w.rule_map_size, d.map_size),
            variables: n(&w.rule_variables, d.variables),
        }
    }
}

/// The sandboxed engine with gvc's views registered.
pub fn sandbox(limits: Limits, output: Arc<Mutex<Vec<String>>>) -> Engine {
    let mut engine = Engine::new_raw();
    for package in [
        LanguageCorePackage::new().as_shared_module(),
        ArithmeticPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    engine
        .set_max_operations(limits.operations)
        .set_max_call_levels(limits.call_depth)
        .set_max_expr_depths(limits.expression_depth, limits.expression_depth)
        .set_max_string_size(limits.string_size)
        .set_max_array_size(limits.array_size)
        .set_max_map_size(limits.map_size)
        .set_max_variables(limits.variables)
        .set_max_modules(0);
    engine.disable_symbol("eval");
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    let print_out = output.clone();
    engine.on_print(move |text| {
        if let Ok(mut out) = print_out.lock() {
            out.push(text.to_string());
        }
    });
    engine.on_debug(move |text, _, _| {
        if let Ok(mut out) = output.lock() {
            out.push(text.to_string());
        }
    });
    view::register(&mut engine);
    engine
}

/// A compiled rule: the script's AST and the function the hook calls.
struct Compiled {
    hook: Hook,
    ast: AST,
    function: String,
    script: ScriptText,
    /// The `rule` line that attached it, and its file.
    origin: Origin,
    attached_in: Arc<SourceFile>,
}

/// Where a script's text stands, to turn Rhai positions into spans.
#[derive(Clone)]
struct ScriptText {
    file: Arc<SourceFile>,
    /// Where the code starts in `file`.
    offset: usize,
    /// Characters gvc put before the code on its first line (an inline body wrapped in a
    /// function).
    prefix: usize,
}

/// The rules of a scenario, compiled once and ready to call.
pub struct RuleSet {
    engine: Engine,
    rules: Vec<Compiled>,
    output: Arc<Mutex<Vec<String>>>,
}

impl RuleSet {
    /// Compiles every rule of the scenario; all errors at once.
    pub fn compile(s: &Scenario) -> Result<RuleSet, Diagnostics> {
        let output = Arc::new(Mutex::new(Vec::new()));
        let engine = sandbox(Limits::of(s), output.clone());
        let mut rules = Vec::new();
        let mut errors = Diagnostics::default();
        for attachment in &s.rules {
            match compile_one(&engine, s, attachment) {
                Ok(c) => rules.push(c),
                Err(d) => errors.push(*d),
            }
        }
        if errors.has_errors() {
            return Err(errors);
        }
        Ok(RuleSet {
            engine,
            rules,
            output,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn has(&self, hook: &Hook) -> bool {
        self.rules.iter().any(|r| &r.hook == hook)
    }

    /// The `metric` rules' names, in declaration order.
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().filter_map(|r| match &r.hook {
            Hook::Metric(name) => Some(name.as_str()),
            _ => None,
        })
    }

    fn rule(&self, hook: &Hook) -> Option<&Compiled> {
        self.rules.iter().find(|r| &r.hook == hook)
    }

    fn call(&self, rule: &Compiled, arg: Dynamic) -> Result<Dynamic, Box<Diagnostic>> {
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let mut scope = Scope::new();
        self.engine
            .call_fn_with_options::<Dynamic>(options, &mut scope, &rule.ast, &rule.function, (arg,))
            .map_err(|e| Box::new(runtime_error(rule, &e)))
    }

    /// `feasible`: replaces the conditions-of-production test. `None` without the rule.
    pub fn feasible(&self, view: &StageView) -> Option<Result<bool, Box<Diagnostic>>> {
        let rule = self.rule(&Hook::Feasible)?;
        Some(self.call(rule, Dynamic::from(view.clone())).and_then(|v| {
            v.as_bool()
                .map_err(|t| Box::new(wrong_type(rule, t, "true or false")))
        }))
    }

    /// `capture`: replaces the value-captured formula for a stage (musd).
    pub fn capture(&self, view: &StageView) -> Option<Result<f64, Box<Diagnostic>>> {
        self.number(&Hook::Capture, Dynamic::from(view.clone()))
    }

    /// `unit_value`: a price rule for a stage and year (usd/t).
    pub fn unit_value(&self, view: &StageView) -> Option<Result<f64, Box<Diagnostic>>> {
        self.number(&Hook::UnitValue, Dynamic::from(view.clone()))
    }

    /// `eci`: a growth rule for a country's ECI.
    pub fn eci(&self, view: &CountryView) -> Option<Result<f64, Box<Diagnostic>>> {
        self.number(&Hook::Eci, Dynamic::from(view.clone()))
    }

    /// A custom output for a country and year.
    pub fn metric(&self, name: &str, view: &CountryView) -> Option<Result<f64, Box<Diagnostic>>> {
        self.number(&Hook::Metric(name.to_string()), Dynamic::from(view.clone()))
    }

    /// `on_year`: state-dependent policy for a country and year: the actions to take.
    pub fn on_year(&self, view: &CountryView) -> Option<Result<Vec<YearAction>, Box<Diagnostic>>> {
        let rule = self.rule(&Hook::OnYear)?;
        Some(
            self.call(rule, Dynamic::from(view.clone()))
                .and_then(|v| actions(rule, v)),
        )
    }

    fn number(&self, hook: &Hook, arg: Dynamic) -> Option<Result<f64, Box<Diagnostic>>> {
        let rule = self.rule(hook)?;
        Some(self.call(rule, arg).and_then(|v| {
            let n = v
                .as_float()
                .or_else(|_| v.as_int().map(|i| i as f64))
                .map_err(|t| Box::new(wrong_type(rule, t, "a number")))?;
            if n.is_finite() {
                Ok(n)
            } else {
                Err(Box::new(wrong_type(
                    rule,
                    "a number that is not finite",
                    "a finite number",
                )))
            }
        }))
    }

    /// What rules printed (`print`, `debug`) since the last call, for the run's notes.
    pub fn take_output(&self) -> Vec<String> {
        self.output
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default()
    }
}

/// An action an `on_year` rule takes: `#{ set: "royalty", value: 0.15 }`, or with a stage:
/// `#{ set: "ownership", stage: "extraction", value: 0.5 }` (the domestic share).
#[derive(Clone, Debug, PartialEq)]
pub struct YearAction {
    pub set: String,
    pub stage: Option<String>,
    pub value: f64,
}

/// The levers an `on_year` action may set.
pub const SETTABLE: [&str; 5] = [
    "royalty",
    "corporate_tax",
    "ownership",
    "local_content",
    "local_processing",
];

fn actions(rule: &Compiled, value: Dynamic) -> Result<Vec<YearAction>, Box<Diagnostic>> {
    let expected = "an array of actions such as #{ set: \"royalty\", value: 0.15 }";
    if value.is_unit() {
        return Ok(Vec::new());
    }
    let array = value
        .into_array()
        .map_err(|t| Box::new(wrong_type(rule, t, expected)))?;
    let mut out = Vec::new();
    for item in array {
        let map = item
            .try_cast::<rhai::Map>()
            .ok_or_else(|| Box::new(wrong_type(rule, "an item that is not a map", expected)))?;
        let set = map
            .get("set")
            .and_then(|d| d.clone().into_string().ok())
            .ok_or_else(|| Box::new(wrong_type(rule, "an action without `set`", expected)))?;
        if !SETTABLE.contains(&set.as_str()) {
            return Err(Box::new(wrong_type(
                rule,
                &format!("`set: \"{set}\"`"),
                &format!("one of {}", SETTABLE.join(", ")),
            )));
        }
        let value = map
            .get("value")
            .and_then(|d| {
                d.as_float()
                    .ok()
                    .or_else(|| d.as_int().ok().map(|i| i as f64))
            })
            .ok_or_else(|| {
                Box::new(wrong_type(
                    rule,
                    "an action without a numeric `value`",
                    expected,
                ))
            })?;
        let stage = map.get("stage").and_then(|d| d.clone().into_string().ok());
        out.push(YearAction { set, stage, value });
    }
    Ok(out)
}

fn hook_function(hook: &Hook) -> &'static str {
    match hook {
        Hook::Feasible => "feasible",
        Hook::Capture => "capture",
        Hook::UnitValue => "unit_value",
        Hook::Eci => "eci",
        Hook::OnYear => "on_year",
        Hook::Metric(_) => "metric",
    }
}

fn compile_one(
    engine: &Engine,
    s: &Scenario,
    a: &RuleAttachment,
) -> Result<Compiled, Box<Diagnostic>> {
    let function = hook_function(&a.hook).to_string();
    let file = if a.script.offset == 0 && a.script.name != s.sources.get(a.origin.file).name {
        Arc::new(SourceFile {
            name: a.script.name.clone(),
            path: a.script.name.clone().into(),
            text: a.script.code.clone().into(),
        })
    } else {
        s.sources.get(a.origin.file).clone()
    };
    let mut script = ScriptText {
        file,
        offset: a.script.offset,
        prefix: 0,
    };
    let defines = |ast: &AST| {
        ast.iter_functions()
            .any(|f| f.name == function && f.params.len() == 1)
    };
    let ast = match engine.compile(&a.script.code) {
        Ok(ast) if !defines(&ast) => {
            // A body without `fn HOOK(state) { … }` around it: wrap it, on the same line, so
            // that line numbers stay the script's.
            let prefix = format!("fn {function}(state) {{ ");
            script.prefix = prefix.chars().count();
            engine.compile(format!("{prefix}{}\n}}", a.script.code))
        }
        other => other,
    };
    let ast = ast.map_err(|e| {
        let position = e.position();
        let message = format!(
            "the `{}` rule does not compile: {}",
            hook_name(&a.hook),
            e.0
        );
        located(&script, position, message, s, a.origin).help(format!(
            "a rule defines `fn {function}(state) {{ … }}`, or is the body of that function"
        ))
    })?;
    Ok(Compiled {
        hook: a.hook.clone(),
        ast,
        function,
        script,
        origin: a.origin,
        attached_in: s.sources.get(a.origin.file).clone(),
    })
}

fn hook_name(hook: &Hook) -> String {
    match hook {
        Hook::Metric(name) => format!("metric {name}"),
        other => hook_function(other).to_string(),
    }
}

/// A diagnostic at a Rhai position in a script, with a note at the `rule` line.
fn located(
    script: &ScriptText,
    position: Position,
    message: String,
    s: &Scenario,
    origin: Origin,
) -> Diagnostic {
    let span = span_of(script, position);
    let attached_in = s.sources.get(origin.file);
    let attached = Diagnostic::note("gvc::rule", "attached here")
        .in_file(attached_in)
        .label(first_line(attached_in, origin.span), "this rule");
    let mut d = Diagnostic::error("gvc::rule", message).in_file(&script.file);
    d = match span {
        Some(span) => d.label(span, "here"),
        None => d.label(Span::new(script.offset, script.offset), "in this script"),
    };
    if Arc::ptr_eq(&script.file, attached_in) {
        d.label(
            first_line(attached_in, origin.span),
            "attached by this rule",
        )
    } else {
        d.with_related(attached)
    }
}

/// The byte span of a Rhai position (1-based line and column) in the script's file.
fn span_of(script: &ScriptText, position: Position) -> Option<Span> {
    let line = position.line()?;
    let column = position.position().unwrap_or(1);
    let text: &str = &script.file.text;
    let code = &text[script.offset.min(text.len())..];
    let mut start = 0;
    for _ in 1..line {
        start += code[start..].find('\n')? + 1;
    }
    let column = if line == 1 {
        column.saturating_sub(script.prefix)
    } else {
        column
    };
    let line_text = &code[start..code[start..].find('\n').map_or(code.len(), |i| start + i)];
    let byte = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    let at = script.offset + start + byte;
    let len = line_text[byte..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(line_text.len() - byte)
        .max(1)
        .min(line_text.len().saturating_sub(byte).max(1));
    Some(Span::new(at, (at + len).min(text.len())))
}

fn runtime_error(rule: &Compiled, e: &EvalAltResult) -> Diagnostic {
    let (message, help) = match e {
        EvalAltResult::ErrorTooManyOperations(_) => (
            "the rule ran out of operations (an endless loop?)".to_string(),
            "raise `rule_operations` in the world block if the rule really needs more",
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            "the rule calls itself too deeply".to_string(),
            "raise `rule_call_depth` in the world block if the recursion is meant",
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => (
            format!("the rule's data grew too large: {what}"),
            "rules work on small values; raise `rule_string_size`, `rule_array_size` or `rule_map_size` if needed",
        ),
        EvalAltResult::ErrorTooManyVariables(_) => (
            "the rule declares too many variables".to_string(),
            "raise `rule_variables` in the world block if needed",
        ),
        other => (
            format!("the rule failed: {}", without_position(&other.to_string())),
            "fix the script; the model calls it with a read-only view (docs/rules.md)",
        ),
    };
    let position = innermost_position(e);
    let mut d = Diagnostic::error(
        "gvc::rule",
        format!("{} (rule `{}`)", message, hook_name(&rule.hook)),
    );
    d = d.in_file(&rule.script.file);
    d = match span_of(&rule.script, position) {
        Some(span) => d.label(span, "here"),
        None => d.label(
            Span::new(rule.script.offset, rule.script.offset),
            "in this script",
        ),
    };
    let attached = first_line(&rule.attached_in, rule.origin.span);
    if Arc::ptr_eq(&rule.script.file, &rule.attached_in) {
        return d.label(attached, "attached by this rule").help(help);
    }
    d.help(help).with_related(
        Diagnostic::note("gvc::rule", "attached here")
            .in_file(&rule.attached_in)
            .label(attached, "this rule"),
    )
}

/// Rhai wraps errors raised inside functions; the innermost position is the useful one.
fn innermost_position(e: &EvalAltResult) -> Position {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) => {
            let p = innermost_position(inner);
            if p.is_none() {
                *pos
            } else {
                p
            }
        }
        other => other.position(),
    }
}

/// Rhai's message without its own `(line N, position M)`: the label shows the place.
fn without_position(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    match first.rfind(" (line ") {
        Some(i) if first.ends_with(')') => first[..i].to_string(),
        _ => first.to_string(),
    }
}

/// The first line of a span: where a `rule` declaration names its hook.
fn first_line(file: &SourceFile, span: Span) -> Span {
    let text = file.text.get(span.start..span.end).unwrap_or("");
    let end = text.find('\n').map_or(span.end, |i| span.start + i);
    Span::new(span.start, end)
}

fn wrong_type(rule: &Compiled, found: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        "gvc::rule",
        format!(
            "the `{}` rule returned {found}, not {expected}",
            hook_name(&rule.hook)
        ),
    )
    .in_file(&rule.script.file)
    .label(
        Span::new(rule.script.offset, rule.script.offset),
        "this script",
    )
    .help(format!("`{}` must return {expected}", rule.function))
}
