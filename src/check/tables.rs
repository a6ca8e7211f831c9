//! CSV tables imported by a scenario (`import csv "…" as NAME key COL, COL`), and lookups
//! into them (`NAME[KEY, KEY].COLUMN`).

use std::collections::HashMap;

/// A CSV file read into memory, indexed by its key columns.
#[derive(Debug)]
pub struct Table {
    /// The file's name as imported, for messages and provenance.
    pub name: String,
    pub headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// 1-based line of each row in the file.
    lines: Vec<usize>,
    key_columns: Vec<usize>,
    index: HashMap<Vec<String>, Vec<usize>>,
}

/// What went wrong reading a table.
#[derive(Debug)]
pub struct TableError {
    pub message: String,
    pub line: Option<usize>,
}

/// One cell found by a lookup.
#[derive(Debug)]
pub struct Cell<'a> {
    pub text: &'a str,
    pub line: usize,
    /// The row's `source` column, if the table has one.
    pub source: Option<&'a str>,
}

pub enum LookupError {
    NoRow,
    SeveralRows(Vec<usize>),
    KeyCount { expected: usize },
}

/// Keys compare as numbers when both sides are numbers (`2022` matches `2022.0`), and as
/// trimmed text otherwise.
fn normalise(key: &str) -> String {
    let key = key.trim();
    match key.parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{v}"),
        _ => key.to_string(),
    }
}

impl Table {
    pub fn parse(name: &str, text: &str) -> Result<Table, TableError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| TableError {
                message: format!("cannot read the header row: {e}"),
                line: Some(1),
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(TableError {
                message: "the file has no header row".into(),
                line: Some(1),
            });
        }
        // Lines are counted here: in a CRLF file the csv crate places a record at the LF that
        // ends the line before it, and its own line count is off by one.
        let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        let line_of = |byte: usize| newlines.partition_point(|&n| n <= byte) + 1;
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| TableError {
                line: e.position().map(|p| line_of(p.byte() as usize)),
                message: match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("a row has {len} fields where the header has {expected_len}"),
                    _ => e.to_string(),
                },
            })?;
            lines.push(record.position().map_or(0, |p| line_of(p.byte() as usize)));
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Table {
            name: name.to_string(),
            headers,
            rows,
            lines,
            key_columns: Vec::new(),
            index: HashMap::new(),
        })
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Indexes the table by these columns (the first column when none are given).
    pub fn set_key(&mut self, columns: Vec<usize>) {
        self.key_columns = if columns.is_empty() { vec![0] } else { columns };
        self.index.clear();
        for (i, row) in self.rows.iter().enumerate() {
            let key = self
                .key_columns
                .iter()
                .map(|&c| normalise(&row[c]))
                .collect();
            self.index.entry(key).or_default().push(i);
        }
    }

    pub fn key_names(&self) -> Vec<&str> {
        self.key_columns
            .iter()
            .map(|&c| self.headers[c].as_str())
            .collect()
    }

    pub fn lookup(&self, keys: &[&str], column: usize) -> Result<Cell<'_>, LookupError> {
        if keys.len() != self.key_columns.len() {
            return Err(LookupError::KeyCount {
                expected: self.key_columns.len(),
            });
        }
        let key: Vec<String> = keys.iter().map(|k| normalise(k)).collect();
        match self.index.get(&key).map(Vec::as_slice) {
            None | Some([]) => Err(LookupError::NoRow),
            Some([row]) => {
                let source = self
                    .column("source")
                    .map(|c| self.rows[*row][c].as_str())
                    .filter(|s| !s.trim().is_empty());
                Ok(Cell {
                    text: self.rows[*row][column].trim(),
                    line: self.lines[*row],
                    source,
                })
            }
            Some(rows) => Err(LookupError::SeveralRows(
                rows.iter().map(|&r| self.lines[r]).collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_by_numeric_and_text_keys() {
        let mut t =
            Table::parse("t.csv", "code,year,pci\n2603,2022,-2.225\n2603,2023,-2.4\n").unwrap();
        t.set_key(vec![0, 1]);
        let cell = t.lookup(&["2603", "2022.0"], 2).ok().unwrap();
        assert_eq!((cell.text, cell.line), ("-2.225", 2));
        assert!(matches!(
            t.lookup(&["2603", "2099"], 2),
            Err(LookupError::NoRow)
        ));
        assert!(matches!(
            t.lookup(&["2603"], 2),
            Err(LookupError::KeyCount { expected: 2 })
        ));
        t.set_key(vec![0]);
        assert!(matches!(t.lookup(&["2603"], 2), Err(LookupError::SeveralRows(l)) if l == [2, 3]));
    }

    #[test]
    fn ragged_rows_are_an_error_with_a_line() {
        let e = Table::parse("t.csv", "a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}
