//! Loading: reads a scenario file, the files it imports and the scenarios it extends,
//! reporting missing files and cycles at the line that named them.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use super::suggest::did_you_mean;
use super::tables::Table;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, Origin, Sources};
use crate::syntax::{self, ast};

/// One scenario file and everything it imports: the unit in which names must be unique. A
/// scenario that `extends` another is a layer on top of the other's layers.
pub struct Layer {
    /// The scenario file first, then the `.gvc` files it imports.
    pub files: Vec<(FileId, ast::File)>,
    /// Imported CSV tables by alias.
    pub tables: IndexMap<String, ImportedTable>,
}

pub struct ImportedTable {
    pub table: Arc<Table>,
    pub origin: Origin,
}

impl Layer {
    pub fn root(&self) -> FileId {
        self.files[0].0
    }
}

pub struct Loader {
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    /// True when a file failed to parse: names it declared may be missing.
    pub syntax_errors: bool,
}

/// How a file is reached: the path to read and the name to show.
struct Request {
    path: PathBuf,
    name: String,
    via: Option<Origin>,
}

impl Loader {
    pub fn new() -> Self {
        Loader {
            sources: Sources::default(),
            diagnostics: Diagnostics::default(),
            syntax_errors: false,
        }
    }

    /// Loads a scenario from disk and the scenarios it extends: the base layer first.
    pub fn load(&mut self, path: &Path) -> Vec<Layer> {
        let name = path.display().to_string();
        self.load_chain(
            Request {
                path: path.to_path_buf(),
                name,
                via: None,
            },
            None,
        )
    }

    /// Loads a scenario whose text is given; its imports are read relative to `path`.
    pub fn load_text(&mut self, path: &Path, text: &str) -> Vec<Layer> {
        let name = path.display().to_string();
        let id = self.sources.add(name.clone(), path.to_path_buf(), text);
        self.load_chain(
            Request {
                path: path.to_path_buf(),
                name,
                via: None,
            },
            Some(id),
        )
    }

    fn load_chain(&mut self, first: Request, preloaded: Option<FileId>) -> Vec<Layer> {
        let mut layers = Vec::new();
        let mut scenarios: Vec<PathBuf> = Vec::new();
        let mut next = Some(first);
        let mut preloaded = preloaded;
        while let Some(request) = next.take() {
            let key = canonical(&request.path);
            if let Some(at) = scenarios.iter().position(|p| *p == key) {
                let via = request
                    .via
                    .expect("only an extends clause can repeat a scenario");
                let names: Vec<String> = scenarios[at..]
                    .iter()
                    .chain(std::iter::once(&key))
                    .map(|p| file_name(p))
                    .collect();
                self.diagnostics.push(
                    Diagnostic::error(
                        "gvc::extends_cycle",
                        "scenarios extend each other in a cycle",
                    )
                    .label_at(&self.sources, via, format!("cycle: {}", names.join(" → ")))
                    .help("a scenario can extend another only if that one does not extend it back"),
                );
                break;
            }
            scenarios.push(key.clone());
            let id = match preloaded.take() {
                Some(id) => id,
                None => match self.read(&request) {
                    Some(id) => id,
                    None => break,
                },
            };
            let mut layer = Layer {
                files: Vec::new(),
                tables: IndexMap::new(),
            };
            self.add_file(id, &mut layer, &mut vec![key]);
            next = self.extends_of(&layer);
            layers.push(layer);
        }
        layers.reverse();
        layers
    }

    /// The scenario that the layer's root file extends, if any.
    fn extends_of(&self, layer: &Layer) -> Option<Request> {
        let (id, file) = &layer.files[0];
        let dir = parent_dir(&self.sources.get(*id).path);
        file.items.iter().find_map(|item| match &item.kind {
            ast::ItemKind::Scenario(h) => {
                let (relative, span) = match h.extends.as_ref()? {
                    ast::Extends::Name(n) => (format!("{}.gvc", n.name), n.span),
                    ast::Extends::Path(p) => (p.value.clone(), p.span),
                };
                Some(Request {
                    path: dir.join(&relative),
                    name: display_join(&self.sources.get(*id).name, &relative),
                    via: Some(Origin { file: *id, span }),
                })
            }
            _ => None,
        })
    }

    /// Parses a file into the layer and follows its imports. `stack` holds the files being
    /// imported, to find cycles.
    fn add_file(&mut self, id: FileId, layer: &mut Layer, stack: &mut Vec<PathBuf>) {
        let file = self.sources.get(id).clone();
        let (ast, errors) = syntax::parse(&file);
        if errors.has_errors() {
            self.syntax_errors = true;
        }
        self.diagnostics.extend(errors);
        let dir = parent_dir(&file.path);
        let mut imports = Vec::new();
        for item in &ast.items {
            match &item.kind {
                ast::ItemKind::Import(path) => imports.push(path.clone()),
                ast::ItemKind::ImportCsv(csv) => self.import_table(id, &dir, csv, layer),
                _ => {}
            }
        }
        layer.files.push((id, ast));
        for import in imports {
            let request = Request {
                path: dir.join(&import.value),
                name: display_join(&file.name, &import.value),
                via: Some(Origin {
                    file: id,
                    span: import.span,
                }),
            };
            let key = canonical(&request.path);
            if let Some(at) = stack.iter().position(|p| *p == key) {
                let names: Vec<String> = stack[at..]
                    .iter()
                    .chain(std::iter::once(&key))
                    .map(|p| file_name(p))
                    .collect();
                self.diagnostics.push(
                    Diagnostic::error("gvc::import_cycle", "files import each other in a cycle")
                        .in_file(&file)
                        .label(import.span, format!("cycle: {}", names.join(" → ")))
                        .help("move what both files need into a third file that imports neither"),
                );
                continue;
            }
            // A file imported twice in one scenario is read once.
            if layer
                .files
                .iter()
                .any(|(f, _)| canonical(&self.sources.get(*f).path) == key)
            {
                continue;
            }
            if let Some(imported) = self.read(&request) {
                stack.push(key);
                self.add_file(imported, layer, stack);
                stack.pop();
            }
        }
    }

    fn import_table(&mut self, id: FileId, dir: &Path, csv: &ast::ImportCsv, layer: &mut Layer) {
        let file = self.sources.get(id).clone();
        let path = dir.join(&csv.path.value);
        let name = display_join(&file.name, &csv.path.value);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "gvc::missing_file",
                        format!("cannot read `{name}`: {}", io_reason(&e)),
                    )
                    .in_file(&file)
                    .label(csv.path.span, "this file")
                    .help("paths are relative to the file that imports them"),
                );
                return;
            }
        };
        let mut table = match Table::parse(&name, &text) {
            Ok(t) => t,
            Err(e) => {
                let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::error(
                        "gvc::bad_table",
                        format!("`{name}` is not a valid CSV table{at}: {}", e.message),
                    )
                    .in_file(&file)
                    .label(csv.path.span, "imported here")
                    .help("the first row names the columns; every row has as many fields"),
                );
                return;
            }
        };
        let mut key = Vec::new();
        for column in &csv.key {
            match table.column(&column.name) {
                Some(c) => key.push(c),
                None => {
                    let mut d = Diagnostic::error(
                        "gvc::unknown_column",
                        format!("`{name}` has no column `{}`", column.name),
                    )
                    .in_file(&file)
                    .label(column.span, "not a column of the table");
                    d = match did_you_mean(&column.name, table.headers.iter().map(String::as_str)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help(format!("its columns are {}", table.headers.join(", "))),
                    };
                    self.diagnostics.push(d);
                }
            }
        }
        table.set_key(key);
        let origin = Origin {
            file: id,
            span: csv.alias.span,
        };
        if let Some(previous) = layer.tables.get(&csv.alias.name) {
            let d = Diagnostic::error(
                "gvc::duplicate",
                format!("table `{}` is imported twice", csv.alias.name),
            )
            .label_at(&self.sources, origin, "imported again here")
            .label_at(&self.sources, previous.origin, "first imported here")
            .help("give each table its own name with `as`");
            self.diagnostics.push(d);
            return;
        }
        layer.tables.insert(
            csv.alias.name.clone(),
            ImportedTable {
                table: Arc::new(table),
                origin,
            },
        );
    }

    fn read(&mut self, request: &Request) -> Option<FileId> {
        if let Some(id) = self.sources.find(&request.path) {
            return Some(id);
        }
        match std::fs::read_to_string(&request.path) {
            Ok(text) => Some(
                self.sources
                    .add(request.name.clone(), request.path.clone(), text),
            ),
            Err(e) => {
                let message = format!("cannot read `{}`: {}", request.name, io_reason(&e));
                let d = Diagnostic::error("gvc::missing_file", message);
                let d = match request.via {
                    Some(via) => d
                        .label_at(&self.sources, via, "named here")
                        .help("paths are relative to the file that names them"),
                    None => d,
                };
                self.diagnostics.push(d);
                None
            }
        }
    }
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

fn parent_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The name to show for `relative`, named in the file shown as `from`.
pub(crate) fn display_join(from: &str, relative: &str) -> String {
    let dir = Path::new(from).parent().unwrap_or(Path::new(""));
    let joined = dir.join(relative);
    // Drop `./` and fold `dir/../` so that names stay short and the same on every machine.
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}
