//! LittleHorse naming rules and "did you mean" suggestions.

/// True when `name` matches LittleHorse's `[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?`.
#[must_use]
pub fn is_valid_lh_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// True for a StructDef field name: camelCase (a lowercase letter, then letters and digits).
#[must_use]
pub fn is_valid_struct_field(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The LittleHorse error names (`LHErrorType`) that a workflow may not throw itself.
pub const RESERVED_FAILURES: &[&str] = &[
    "CHILD_FAILURE",
    "VAR_SUB_ERROR",
    "VAR_MUTATION_ERROR",
    "USER_TASK_CANCELLED",
    "TIMEOUT",
    "TASK_FAILURE",
    "VAR_ERROR",
    "TASK_ERROR",
    "INTERNAL_ERROR",
];

/// A suggested valid spelling for an invalid LittleHorse name.
#[must_use]
pub fn suggest_lh_name(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches('-');
    let mut out = String::new();
    for c in trimmed.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

/// The literal another language's word stands for: `True` is `true`, `None` is `null`.
#[must_use]
pub fn literal_alias(word: &str) -> Option<&'static str> {
    Some(match word {
        "True" | "TRUE" => "true",
        "False" | "FALSE" => "false",
        "None" | "nil" | "NULL" | "Null" | "undefined" | "nullptr" => "null",
        _ => return None,
    })
}

/// The closest candidate within a small edit distance, for "did you mean" help.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| !c.is_empty() && *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance where swapping two adjacent characters counts as one edit.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// An ISO 8601 duration (`PT5M`, `P1D`, `PT1H30M`) as the language writes it (`5m`,
/// `1d`, `90m`).
pub fn iso_duration(word: &str) -> Option<String> {
    let rest = word.strip_prefix(['P', 'p'])?;
    let mut seconds: u64 = 0;
    let mut in_time = false;
    let mut number = String::new();
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if number.is_empty() => in_time = true,
            d if d.is_ascii_digit() => number.push(d),
            unit => {
                let n: u64 = number.parse().ok()?;
                number.clear();
                let factor = match (unit, in_time) {
                    ('D', false) => 86_400,
                    ('W', false) => 604_800,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                seconds = seconds.checked_add(n.checked_mul(factor)?)?;
            }
        }
    }
    if !number.is_empty() || seconds == 0 {
        return None;
    }
    let (n, u) = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
        .into_iter()
        .find(|(f, _)| seconds.is_multiple_of(*f))?;
    Some(format!("{}{u}", seconds / n))
}

/// `zip-code`, `zip_code`, `ZipCode` as a camelCase struct field name (`zipCode`).
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for (i, part) in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first.to_ascii_lowercase());
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.extend(chars);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lh_names() {
        assert!(is_valid_lh_name("charge-card"));
        assert!(is_valid_lh_name("a1"));
        assert!(!is_valid_lh_name("charge_card"));
        assert!(!is_valid_lh_name("-x"));
        assert!(!is_valid_lh_name(""));
        assert_eq!(suggest_lh_name("charge_card"), "charge-card");
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("cuont", ["count", "amount"]), Some("count"));
        assert_eq!(closest("zzz", ["count"]), None);
    }
}
