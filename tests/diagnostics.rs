//! Every file in `tests/errors/` is an invalid scenario: checking it must fail, and its
//! rendered diagnostics (fixed theme and width) are snapshots. The first line of each file
//! says what it shows.

use std::path::Path;

use gvc::diagnostic::render_plain;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .expect("test inputs are inside the package")
}

#[test]
fn invalid_inputs_are_rejected_with_every_error() {
    insta::glob!("errors/*.gvc", |path| {
        let path = relative(path);
        let diagnostics = match gvc::check_file(path) {
            Ok(_) => panic!("{} must be rejected", path.display()),
            Err(d) => d,
        };
        assert!(diagnostics.has_errors());
        insta::assert_snapshot!(render_plain(&diagnostics.0));
    });
}

/// The issue's own example: a misspelt country in a copy of the baseline is rejected with
/// the file, line, column and the right suggestion.
#[test]
fn misspelt_country_in_a_copy_of_the_baseline() {
    let baseline = std::fs::read_to_string("scenarios/baseline.gvc").unwrap();
    let text =
        format!("{baseline}\npolicy \"Ban\" in Zambai from 2027 {{\n  export_ban extraction\n}}\n");
    let line = text.lines().count() - 2;
    let diagnostics = gvc::check_text(Path::new("scenarios/copy.gvc"), &text)
        .err()
        .expect("rejected");
    assert_eq!(
        diagnostics.error_count(),
        1,
        "{}",
        render_plain(&diagnostics.0)
    );
    let d = &diagnostics.0[0];
    assert_eq!(d.message, "unknown country `Zambai`");
    assert_eq!(
        d.location().unwrap(),
        format!("scenarios/copy.gvc:{line}:17")
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `Zambia`?"));
}

#[test]
fn broken_items_do_not_hide_each_other() {
    let diagnostics = gvc::check_file(Path::new("tests/errors/syntax_errors.gvc"))
        .err()
        .unwrap();
    let lines: Vec<String> = diagnostics.iter().filter_map(|d| d.location()).collect();
    assert_eq!(
        lines,
        [
            "tests/errors/syntax_errors.gvc:5:3",
            "tests/errors/syntax_errors.gvc:10:1",
            "tests/errors/syntax_errors.gvc:11:20",
        ]
    );
}
