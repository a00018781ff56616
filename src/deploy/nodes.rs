//! Maps a server message that names a generated node (`Node 1-greet-TASK invalid: ...`)
//! back to the step of the `.lhw` source that produced it, through the node spans the
//! compiler records (`lhw_compiler::Output::node_spans`).

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

/// The compiler's map from (workflow, thread, node) to the span of the step that made it.
pub type NodeSpans = lhw_compiler::lower::NodeSpans;

/// The thread named in a server message (`ThreadSpec entrypoint invalid: ...`).
fn thread_in(message: &str) -> Option<&str> {
    let i = message.find("ThreadSpec ")?;
    let rest = &message[i + "ThreadSpec ".len()..];
    rest.split_whitespace().next()
}

/// Where the node named in `message` comes from, for the WfSpec `workflow`: the span the
/// compiler recorded for it (in the thread the message names, else the only such node).
pub fn locate(message: &str, workflow: &str, spans: &NodeSpans) -> Option<Loc> {
    let node = node_in(message)?;
    let span = match thread_in(message) {
        Some(thread) => spans.get(workflow, thread, node),
        None => {
            let mut matching = spans
                .of_workflow(workflow)
                .filter(|n| n.node == node)
                .map(|n| n.span);
            match (matching.next(), matching.next()) {
                (Some(s), None) => Some(s),
                _ => None,
            }
        }
    }?;
    Some(Loc {
        start: span.start as usize,
        len: span.len() as usize,
    })
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

    #[test]
    fn parses_server_messages() {
        let m = "PutWfSpecRequest is invalid: ThreadSpec entrypoint invalid: Node 2-greet-TASK \
                 invalid: Refers to nonexistent TaskDef greet";
        assert_eq!(node_in(m), Some("2-greet-TASK"));
        assert_eq!(thread_in(m), Some("entrypoint"));
        assert_eq!(detail(m), "Refers to nonexistent TaskDef greet");
        assert_eq!(node_in("WfSpec already exists."), None);
    }

    #[test]
    fn locates_the_step_in_the_thread_the_message_names() {
        let src = "task greet(name: str) -> str\n\
                   workflow w {\n  input name: str\n  greet(name)\n  let r = greet(name) catch any {\n    greet(\"h\")\n  }\n}\n";
        let out = lhw_compiler::compile(src).output.expect("compiles");
        let text_at = |m: &str| {
            let loc = locate(m, "w", &out.node_spans).expect("located");
            src[loc.start..loc.start + loc.len].to_string()
        };
        assert_eq!(
            text_at("ThreadSpec entrypoint invalid: Node 2-greet-TASK invalid: x"),
            "greet(name)"
        );
        assert_eq!(
            text_at(
                "ThreadSpec exn-handler-2-greet-TASK-any-failure invalid: Node 1-greet-TASK invalid: x"
            ),
            "greet(\"h\")"
        );
        assert!(locate("Node 9-nope-TASK invalid: x", "w", &out.node_spans).is_none());
    }
}
