//! Reports: an [`Outcome`](crate::Outcome) as JSON, a terminal table or a long CSV table, and
//! atomic writes of output files.

mod csv;
pub mod diff;
pub mod expect;
pub mod explain;
mod table;

pub use self::csv::to_csv;
pub use table::to_table;

use std::path::Path;

use crate::model::outcome::Outcome;

/// The outcome as pretty JSON, keys in a stable order, ending with a newline.
pub fn to_json(outcome: &Outcome) -> String {
    let mut text = serde_json::to_string_pretty(outcome).expect("an outcome always serialises");
    text.push('\n');
    text
}

/// Writes beside the target, then renames: a failed run never leaves half a file.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".gvc-tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
