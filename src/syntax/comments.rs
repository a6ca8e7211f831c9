//! Finds the comments of a file that parsed, so that `gvc fmt` can keep them.

use crate::source::Span;

/// The spans of every `// …` and `/* … */` comment, in order. Strings and inline Rhai blocks
/// are skipped, so `"https://…"` is not a comment.
pub fn comments(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' if text[i..].starts_with("```") => {
                i += 3;
                i = text[i..].find("```").map_or(bytes.len(), |j| i + j + 3);
            }
            b'/' if text[i..].starts_with("//") => {
                let end = text[i..].find('\n').map_or(bytes.len(), |j| i + j);
                found.push(Span::new(i, end));
                i = end;
            }
            b'/' if text[i..].starts_with("/*") => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |j| i + 2 + j + 2);
                found.push(Span::new(i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::comments;

    #[test]
    fn finds_line_and_block_comments_but_not_urls() {
        let text = "a \"http://x\" // one\n/* two */ b ```// not``` c";
        let found: Vec<&str> = comments(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(found, ["// one", "/* two */"]);
    }
}
