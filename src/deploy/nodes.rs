//! Maps a server message that names a generated node (`Node 1-greet-TASK invalid: ...`)
//! back to the step of the `.lhw` source that produced it.
//!
//! The compiler does not export node spans yet, so this finds the step in the source text:
//! node `N-NAME-TYPE` of a workflow is the k-th node named NAME of type TYPE, and the k-th
//! call of NAME (for TASK), `await NAME` (EXTERNAL_EVENT) or mention of NAME (other types)
//! inside `workflow WF { ... }` is taken as its step, when the counts agree. When they do
//! not, and NAME appears exactly once, that place is used; otherwise nothing is claimed.

use lhw_proto::littlehorse::PutWfSpecRequest;

/// A place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// Byte offset of the start.
    pub start: usize,
    /// Byte length of the highlighted text.
    pub len: usize,
}

/// The node named in a server message, e.g. `1-greet-TASK`.
pub fn node_in(message: &str) -> Option<&str> {
    let i = message.find("Node ")?;
    let rest = &message[i + 5..];
    let end = rest.find(' ').unwrap_or(rest.len());
    let name = &rest[..end];
    (name.contains('-')).then_some(name)
}

/// The part of the message after the node (`Refers to nonexistent TaskDef greet`).
pub fn detail(message: &str) -> &str {
    match node_in(message) {
        Some(node) => {
            let after = message
                .find(node)
                .map_or(message, |i| &message[i + node.len()..]);
            after
                .trim_start()
                .strip_prefix("invalid:")
                .map_or(after, str::trim_start)
        }
        None => message,
    }
}

/// Splits `1-greet-TASK` into (1, "greet", "TASK").
fn split_node(node: &str) -> Option<(u32, &str, &str)> {
    let (num, rest) = node.split_once('-')?;
    let (name, kind) = rest.rsplit_once('-')?;
    Some((num.parse().ok()?, name, kind))
}

/// Byte mask of `text`: true where the byte is code (not in a comment or string).
fn code_mask(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut mask = vec![true; bytes.len()];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    mask[i] = false;
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    mask[i] = false;
                    i += 1;
                }
                for m in mask.iter_mut().skip(i).take(2) {
                    *m = false;
                }
                i += 2;
            }
            b'"' => {
                mask[i] = false;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        mask[i] = false;
                        i += 1;
                    }
                    if i < bytes.len() {
                        mask[i] = false;
                    }
                    i += 1;
                }
                if i < bytes.len() {
                    mask[i] = false;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    mask
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'`'
}

/// Byte range of `workflow NAME { ... }` in `text`.
fn workflow_block(text: &str, mask: &[bool], name: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(off) = text[from..].find("workflow") {
        let start = from + off;
        from = start + 8;
        if !mask[start] || (start > 0 && is_name_byte(bytes[start - 1])) {
            continue;
        }
        let rest = text[from..].trim_start();
        let rest = rest.strip_prefix('`').unwrap_or(rest);
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        if after.bytes().next().is_some_and(is_name_byte) {
            continue;
        }
        let open = text.len() - after.len() + after.find('{')?;
        let mut depth = 0usize;
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            if !mask[i] {
                continue;
            }
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((start, i + 1));
                    }
                }
                _ => {}
            }
        }
        return Some((start, text.len()));
    }
    None
}

/// Every place in `range` where the step of a node `NAME`/`TYPE` may be.
fn occurrences(
    text: &str,
    mask: &[bool],
    range: (usize, usize),
    name: &str,
    kind: &str,
) -> Vec<Loc> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = range.0;
    while from < range.1 {
        let Some(off) = text[from..range.1].find(name) else {
            break;
        };
        let start = from + off;
        let end = start + name.len();
        from = end;
        if !mask[start] || (start > 0 && is_name_byte(bytes[start - 1])) {
            continue;
        }
        if bytes.get(end).copied().is_some_and(is_name_byte) {
            continue;
        }
        let after = text[end..range.1].trim_start();
        let before = text[range.0..start].trim_end();
        let ok = match kind {
            "TASK" => after.starts_with('('),
            "EXTERNAL_EVENT" => before.ends_with("await"),
            _ => true,
        };
        if !ok {
            continue;
        }
        // Highlight the whole call for a task, else the name (with `await`).
        let (s, len) = match kind {
            "TASK" => {
                let close = text[end..range.1]
                    .find(')')
                    .map_or(name.len(), |c| end + c + 1 - start);
                (start, close)
            }
            "EXTERNAL_EVENT" => {
                let s = range.0 + before.len() - "await".len();
                (s, end - s)
            }
            _ => (start, name.len()),
        };
        out.push(Loc { start: s, len });
    }
    out
}

/// Where the node named in `message` comes from in `text`, for WfSpec `spec`.
pub fn locate(message: &str, spec: &PutWfSpecRequest, text: &str) -> Option<Loc> {
    let node = node_in(message)?;
    let (_, name, kind) = split_node(node)?;
    let mask = code_mask(text);
    let range = workflow_block(text, &mask, &spec.name)?;
    let found = occurrences(text, &mask, range, name, kind);
    // The same-named nodes of the spec, entrypoint thread first, in node order.
    let mut same: Vec<(bool, u32, &str)> = spec
        .thread_specs
        .iter()
        .flat_map(|(t, ts)| {
            ts.nodes.keys().filter_map(move |n| {
                let (num, nm, k) = split_node(n)?;
                (nm == name && k == kind).then_some((
                    t != &spec.entrypoint_thread_name,
                    num,
                    n.as_str(),
                ))
            })
        })
        .collect();
    same.sort();
    let threads_with_it = {
        let mut t: Vec<bool> = same.iter().map(|s| s.0).collect();
        t.dedup();
        t.len()
    };
    if found.len() == same.len() && threads_with_it == 1 {
        let k = same.iter().position(|s| s.2 == node)?;
        return found.get(k).cloned();
    }
    if found.len() == 1 {
        return found.into_iter().next();
    }
    None
}

/// `  --> file:line:col` and the source line with the step underlined.
pub fn snippet(shown: &str, text: &str, loc: &Loc) -> String {
    let line_start = text[..loc.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[loc.start..]
        .find('\n')
        .map_or(text.len(), |i| loc.start + i);
    let line_no = text[..loc.start].matches('\n').count() + 1;
    let col = text[line_start..loc.start].chars().count() + 1;
    let line = &text[line_start..line_end];
    let width = line_no.to_string().len();
    let underline_len = text[loc.start..(loc.start + loc.len).min(line_end)]
        .chars()
        .count()
        .max(1);
    let pad = " ".repeat(width);
    format!(
        "{pad}--> {shown}:{line_no}:{col}\n{pad} |\n{line_no} | {line}\n{pad} | {}{}\n",
        " ".repeat(col - 1),
        "^".repeat(underline_len)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(src: &str, name: &str) -> PutWfSpecRequest {
        let out = lhw_compiler::compile(src).output.expect("compiles");
        out.wf_specs
            .into_iter()
            .find(|w| w.name == name)
            .expect("the workflow")
    }

    #[test]
    fn parses_server_messages() {
        let m = "PutWfSpecRequest is invalid: ThreadSpec entrypoint invalid: Node 2-greet-TASK \
                 invalid: Refers to nonexistent TaskDef greet";
        assert_eq!(node_in(m), Some("2-greet-TASK"));
        assert_eq!(detail(m), "Refers to nonexistent TaskDef greet");
        assert_eq!(node_in("WfSpec already exists."), None);
        assert_eq!(
            split_node("12-payment-received-EXTERNAL_EVENT"),
            Some((12, "payment-received", "EXTERNAL_EVENT"))
        );
    }

    #[test]
    fn finds_the_kth_call_skipping_comments_and_strings() {
        let src = "task greet(name: str) -> str\n\
                   // greet(x) in a comment\n\
                   workflow other {\n  input n: str\n  greet(n)\n}\n\
                   workflow w {\n  input name: str\n  var s: str = \"greet(no)\"\n  greet(name)\n  if name == \"a\" {\n    s = greet(name)\n  }\n}\n";
        let spec = spec_of(src, "w");
        let mut tasks: Vec<&String> = spec.thread_specs["entrypoint"]
            .nodes
            .keys()
            .filter(|n| n.ends_with("-greet-TASK"))
            .collect();
        tasks.sort_by_key(|n| split_node(n).map(|s| s.0));
        assert_eq!(tasks.len(), 2);
        let second = format!("Node {} invalid: boom", tasks[1]);
        let loc = locate(&second, &spec, src).expect("located");
        let out = snippet("w.lhw", src, &loc);
        assert!(out.contains("--> w.lhw:12:9"), "{out}");
        assert!(out.contains("s = greet(name)"), "{out}");
        assert!(out.contains("        ^^^^^^^^^^^"), "{out}");
        let first = format!("Node {} invalid: boom", tasks[0]);
        let loc = locate(&first, &spec, src).expect("located");
        assert!(snippet("w.lhw", src, &loc).contains("--> w.lhw:10:3"));
    }
}
