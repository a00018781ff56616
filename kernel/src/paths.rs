//! Simple JSON paths (`$.a.b[0]`, `$['k']`) and `LHPath` selectors, read and write.

use serde_json::Value as Json;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Parses a JSONPath of the simple form LittleHorse workflows use:
/// `$`, then any of `.key`, `[n]`, `['key']`, `["key"]`.
pub(crate) fn parse(path: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| format!("invalid JSON path \"{path}\": {why}");
    let rest = path
        .trim()
        .strip_prefix('$')
        .ok_or_else(|| bad("must start with $"))?;
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                if end == start {
                    return Err(bad("empty key"));
                }
                steps.push(Step::Key(chars[start..end].iter().collect()));
                i = end;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| bad("unclosed ["))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                let quoted = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
                match quoted {
                    Some(key) => steps.push(Step::Key(key.to_string())),
                    None => steps.push(Step::Index(inner.parse().map_err(|_| bad("bad index"))?)),
                }
                i = close + 1;
            }
            _ => return Err(bad("unexpected character")),
        }
    }
    Ok(steps)
}

/// Reads the value at `steps`; a missing key or index is an error.
pub(crate) fn get<'a>(json: &'a Json, steps: &[Step]) -> Result<&'a Json, String> {
    let mut cur = json;
    for step in steps {
        cur = match (step, cur) {
            (Step::Key(k), Json::Object(o)) => o.get(k).ok_or_else(|| format!("no key \"{k}\""))?,
            (Step::Index(i), Json::Array(a)) => a.get(*i).ok_or_else(|| format!("no index {i}"))?,
            (Step::Key(k), _) => return Err(format!("cannot read key \"{k}\" of a non-object")),
            (Step::Index(i), _) => return Err(format!("cannot read index {i} of a non-array")),
        };
    }
    Ok(cur)
}

/// Writes `value` at `steps`: the parent must exist; a last key is inserted
/// (or replaced), a last index must exist.
pub(crate) fn set(json: &mut Json, steps: &[Step], value: Json) -> Result<(), String> {
    let Some((last, parents)) = steps.split_last() else {
        *json = value;
        return Ok(());
    };
    let mut cur = json;
    for step in parents {
        cur = match (step, cur) {
            (Step::Key(k), Json::Object(o)) => {
                o.get_mut(k).ok_or_else(|| format!("no key \"{k}\""))?
            }
            (Step::Index(i), Json::Array(a)) => {
                a.get_mut(*i).ok_or_else(|| format!("no index {i}"))?
            }
            _ => return Err("path goes through a non-container value".to_string()),
        };
    }
    match (last, cur) {
        (Step::Key(k), Json::Object(o)) => {
            o.insert(k.clone(), value);
            Ok(())
        }
        (Step::Index(i), Json::Array(a)) => match a.get_mut(*i) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(format!("no index {i}")),
        },
        _ => Err("path ends in a non-container value".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_and_get() {
        let j = json!({"a": {"b": [10, 20]}, "x y": 1});
        assert_eq!(get(&j, &parse("$.a.b[1]").unwrap()), Ok(&json!(20)));
        assert_eq!(get(&j, &parse("$['x y']").unwrap()), Ok(&json!(1)));
        assert_eq!(get(&j, &parse("$").unwrap()), Ok(&j));
        assert!(get(&j, &parse("$.nope").unwrap()).is_err());
        assert!(parse("a.b").is_err());
    }

    #[test]
    fn set_values() {
        let mut j = json!({"a": {"b": [1, 2]}});
        set(&mut j, &parse("$.a.c").unwrap(), json!("new")).unwrap();
        set(&mut j, &parse("$.a.b[0]").unwrap(), json!(9)).unwrap();
        assert_eq!(j, json!({"a": {"b": [9, 2], "c": "new"}}));
        assert!(set(&mut j, &parse("$.q.r").unwrap(), json!(1)).is_err());
    }
}
