//! "Did you mean …?": the closest known name to a misspelt one.

/// The candidate closest to `wrong`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if wrong.is_empty() {
        return None;
    }
    let wrong_lower = wrong.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == wrong {
            continue;
        }
        let c_lower = c.to_lowercase();
        let score = if c_lower == wrong_lower {
            1.0
        } else {
            let distance = strsim::damerau_levenshtein(&wrong_lower, &c_lower);
            let allowed = (wrong.chars().count().max(c.chars().count()) / 3).max(1);
            if distance > allowed {
                continue;
            }
            strsim::jaro_winkler(&wrong_lower, &c_lower)
        };
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_closest_name() {
        let names = ["Zambia", "Chile", "China", "Peru"];
        assert_eq!(did_you_mean("Zambai", names), Some("Zambia"));
        assert_eq!(did_you_mean("chile", names), Some("Chile"));
        assert_eq!(did_you_mean("Chna", names), Some("China"));
        assert_eq!(did_you_mean("Germany", names), None);
        assert_eq!(did_you_mean("", names), None);
    }
}
