//! Robustness: the compiler never panics, whatever text it is given, and its diagnostics are
//! always well formed. Two property tests feed `lhw_compiler::compile` with (a) random
//! sequences of grammar-ish tokens and (b) random mutations of valid programs, and assert:
//! every span lies inside the text on char boundaries, every diagnostic has a code, a
//! message and a help, rendering does not panic, and output is produced exactly when
//! there is no error.

use lhw_compiler::diag::Code;
use lhw_compiler::diag::render::{RenderOptions, render_all};
use proptest::prelude::*;

/// Valid programs that the mutation strategy starts from.
const SAMPLES: &[&str] = &[
    r#"// Orders: tasks, events, a struct, and most statements.
task charge(card: str masked, amount: double) -> json-obj
task notify(customer: str, message: str)
task noop()
event payment-received: str
workflow-event shipped: str
struct address { street: str, city: str, zip: int = 0 }

workflow process-order {
  updates minor
  input customer: str required searchable
  input amount: double = 0.0
  var order: json-obj searchable on "$.id" as str
  var attempts: int = 0
  public var status: str = "new"
  var tags: json-arr = ["a", 1, true, null]
  var ship-to: address
  order = charge("4111", amount)
  if order.status == "declined" || amount <= 0.0 {
    fail payment-declined "card declined" with order
  } else if amount > 1000.0 {
    notify(customer, "big order of {amount} for {ship-to.city}")
  } else {
    sleep 30s
  }
  while attempts < 3 && order["$.state"] != "ok" {
    attempts += 1
    extend tags with ["retry"]
  }
  remove index 0 from tags
  wait until attempts >= 3
  status = "done: " + (attempts as str)
  return order
}
"#,
    r#"task greet(name: str) -> str
task noop()

/* Several workflows in one file; block /* nested */ comments. */
workflow hello {
  input name: str
  let out = greet(name)
  noop()
  return out
}

workflow counter {
  input count: int
  var ratio: double = 1.5
  var done: bool = false
  count **= 2; count /= 2
  ratio += count
  done ||= count > 3
  done &&= !(count == 4)
  if count in [1, 2, 3] { noop() }
  sleep count
}
"#,
    "// Unicode and CRLF line endings: héllo 🎈 你好\r\ntask greet(name: str) -> str\r\n\r\nworkflow unicode {\r\n  input name: str\r\n  var message: str = \"héllo 🎈 wörld\"\r\n  message = \"🎈 {name} 你好\"\r\n  greet(message) /* 🎈 */\r\n}\r\n",
    r#"task fetch(id: int) -> json-arr
task store(items: json-arr)

workflow lists {
  input id: int
  var items: json-arr
  var names: str[]
  var lookup: map<str, int>
  var size: int = 0
  items = fetch(id)
  size = items.size() + lookup["k"]
  items = items.extend([1, 2]).remove-index(0)
  remove "x" from items
  extend names with "a"
  remove key "k" from lookup
  store(items)
  sleep until id
}
"#,
    r#"// Threads, failure handlers, events, interrupts, user tasks, child workflows, builders.
task risky(id: str) -> str
task cleanup()
task work(item: str)
task pack(box: int) -> int
task notify(who: str, text: str)
event payment: json-obj correlated ttl 1h once retention 1d
event cancel-order: str
workflow-event shipped: str
user-task approve "Approve" {
  approved: bool "Approve?" required
  comment: str "Comment" "Why"
}
struct address { city: str, zip: int = 0 }
struct customer { name: str masked, home: address }

workflow invoice {
  input amount: double required
  return amount
}

workflow reminder {
  parent orders
  inherited var order-id: str
  notify("ops", "order {order-id} waits")
}

workflow orders {
  updates minor
  retention 30d
  default task retries 2 timeout 45s backoff 1s..1m x2
  default thread retention 10m
  public var order-id: str required
  input items: json-arr
  input kind: str
  var who: customer
  var scores: map<str, int>
  var boxes: int[]
  var total: double = 0.0
  var ok: bool = false
  on cancel-order(reason) {
    cleanup()
  }
  let r = risky(order-id) retries 5 catch out-of-stock(details: json-obj) {
    cleanup()
  } catch error timeout {
    cleanup()
  } catch any {
    fail gave-up "no luck"
  }
  task("process-{kind}")(order-id)
  let p = await payment timeout 1h correlated by order-id masked
  total = p.amount
  let one = spawn packer(box: 1) {
    input box: int required
    thread retention 5m
    pack(box)
  }
  wait first of one
  let each = spawn shipper for item: str in items {
    work(item)
  }
  wait each catch thread shipping-failed {
    cleanup()
  }
  let d = ask approve to user "alice" group "sales" notes "Order {order-id}" on cancel fail order-cancelled
    reassign to group "managers" after 1h
    release to group after 2h
    remind notify("alice", "review {order-id}") after 30m on assignment
    cancel after 2d on arrival
  ok = d.approved
  who = new customer { name: "Ann", home: { city: "Utrecht", zip: 1000 } }
  scores = map { "ann": 1, "bob": 2 }
  extend boxes with 4
  let c = run invoice(amount: total)
  wait c catch any {
    cleanup()
  }
  emit shipped order-id
}
"#,
];

/// Every piece the random strategy strings together: the grammar's reserved and contextual
/// keywords, then [`OTHER_TOKENS`].
fn tokens() -> Vec<&'static str> {
    let grammar_words = lhw_grammar::RESERVED_WORDS
        .iter()
        .chain(lhw_grammar::CONTEXTUAL_WORDS);
    grammar_words.chain(OTHER_TOKENS).copied().collect()
}

/// Pieces the random strategy strings together besides the grammar's keywords: names,
/// literals, punctuation, whitespace, comments and multi-byte characters.
const OTHER_TOKENS: &[&str] = &[
    "a",
    "b",
    "count",
    "greet",
    "x-y",
    "_",
    "a-b",
    "TASK_FAILURE",
    "str",
    "int",
    "double",
    "bool",
    "json-obj",
    "json-arr",
    "bytes",
    "timestamp",
    "wf-run-id",
    "map<str, int>",
    "int[]",
    "0",
    "1",
    "42",
    "99999999999999999999",
    "2.5",
    "1.0e999",
    "30s",
    "500ms",
    "0s",
    "\"s\"",
    "\"a{b}c\"",
    "\"{\"",
    "\"\\q\"",
    "\"\\u{D800}\"",
    "\"$.a\"",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ";",
    "=",
    "==",
    "!=",
    "+=",
    "-=",
    "*=",
    "/=",
    "**=",
    "&&=",
    "||=",
    "!",
    "&&",
    "||",
    "->",
    ".",
    "<",
    ">",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "**",
    "\"",
    " ",
    " ",
    " ",
    "\n",
    "\n",
    "\t",
    "\r\n",
    "// c\n",
    "/* c */",
    "/*",
    "*/",
    "é",
    "🎈",
    "你",
    "\u{FEFF}",
    "..",
    "x2",
    "1h",
    "task(",
];

/// Checks every invariant on the result of compiling `text`.
fn assert_well_formed(text: &str) -> Result<(), TestCaseError> {
    let compiled = lhw_compiler::compile(text);
    for d in &compiled.diagnostics {
        let spans = std::iter::once(d.primary.span).chain(d.secondary.iter().map(|l| l.span));
        for span in spans {
            let (start, end) = (span.start as usize, span.end as usize);
            prop_assert!(
                start <= end && end <= text.len(),
                "{} span {start}..{end} outside {} bytes",
                d.code,
                text.len()
            );
            prop_assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{} span {start}..{end} not on char boundaries",
                d.code
            );
        }
        prop_assert!(Code::ALL.contains(&d.code) && !d.code.as_str().is_empty());
        prop_assert!(!d.message.trim().is_empty(), "{} has no message", d.code);
        prop_assert!(
            d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
            "{} `{}` has no help",
            d.code,
            d.message
        );
    }
    let has_error = compiled.diagnostics.iter().any(|d| d.is_error());
    prop_assert_eq!(
        compiled.output.is_some(),
        !has_error,
        "output must exist exactly when there is no error"
    );
    let rendered = render_all(
        &compiled.diagnostics,
        "/fuzz.lhw",
        text,
        RenderOptions::default(),
    );
    prop_assert_eq!(rendered.is_empty(), compiled.diagnostics.is_empty());
    Ok(())
}

/// One edit of a program's bytes. Byte ranges may cut multi-byte characters; the result is
/// made valid UTF-8 again (with U+FFFD), which is itself a useful input.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: &'static str },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize, len: usize },
    Cut { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..24).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), proptest::sample::select(tokens()))
            .prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<usize>(), 1usize..16).prop_map(|(a, b, len)| Mutation::Swap {
            a,
            b,
            len
        }),
        any::<usize>().prop_map(|at| Mutation::Cut { at }),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len().max(1);
        match *m {
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Insert { at, token } => {
                let at = (at % (bytes.len() + 1)).min(bytes.len());
                bytes.splice(at..at, token.bytes());
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                let piece: Vec<u8> = bytes.get(at..end).map(<[u8]>::to_vec).unwrap_or_default();
                bytes.splice(end..end, piece);
            }
            Mutation::Swap { a, b, len } => {
                if bytes.len() >= 2 * len {
                    let a = a % (bytes.len() - len + 1);
                    let b = b % (bytes.len() - len + 1);
                    if a + len <= b || b + len <= a {
                        for i in 0..len {
                            bytes.swap(a + i, b + i);
                        }
                    }
                }
            }
            Mutation::Cut { at } => {
                // Cut at a char boundary of the current text.
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let mut at = at % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                bytes = s.as_bytes()[..at].to_vec();
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn samples_are_valid() {
    for (i, sample) in SAMPLES.iter().enumerate() {
        let compiled = lhw_compiler::compile(sample);
        assert!(
            compiled.diagnostics.is_empty(),
            "sample {i}: {:#?}",
            compiled.diagnostics
        );
        assert!(compiled.output.is_some(), "sample {i} compiles");
    }
}

#[test]
fn mutations_apply_as_described() {
    assert_eq!(
        apply("abcdef", &[Mutation::Delete { at: 1, len: 2 }]),
        "adef"
    );
    assert_eq!(
        apply("abc", &[Mutation::Insert { at: 1, token: "{" }]),
        "a{bc"
    );
    assert_eq!(
        apply("abc", &[Mutation::Duplicate { at: 0, len: 2 }]),
        "ababc"
    );
    assert_eq!(
        apply("abcdef", &[Mutation::Swap { a: 0, b: 4, len: 2 }]),
        "efcdab"
    );
    assert_eq!(apply("a🎈b", &[Mutation::Cut { at: 3 }]), "a");
    assert_eq!(
        apply("a🎈b", &[Mutation::Delete { at: 4, len: 1 }]),
        "a\u{FFFD}b"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in proptest::collection::vec(proptest::sample::select(tokens()), 0..80)) {
        let text: String = tokens.concat();
        assert_well_formed(&text)?;
    }

    #[test]
    fn mutated_samples_never_panic(
        sample in proptest::sample::select(SAMPLES),
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let text = apply(sample, &mutations);
        assert_well_formed(&text)?;
    }
}

/// Deep nesting is limited (reported once) instead of overflowing the stack, in every stage
/// up to lowering; nesting just under the limit still compiles.
#[test]
fn deep_nesting_does_not_overflow() {
    let wrap = |decls: &str, body: &str| {
        format!("task t(x: json-arr)\nworkflow w {{\n{decls}\n{body}\n}}\n")
    };
    for depth in [10, 30, 60, 1_000, 10_000] {
        let cases = [
            wrap(
                "  var x: int = 0",
                &format!("  x = {}1{}", "(".repeat(depth), ")".repeat(depth)),
            ),
            wrap(
                "  var x: bool = true",
                &format!("  x = {}x", "!".repeat(depth)),
            ),
            wrap(
                "  var x: int = 0",
                &format!("  x = 1{}", " + 1".repeat(depth)),
            ),
            wrap(
                "  var x: json-obj",
                &format!("  t(x{})", ".a".repeat(depth)),
            ),
            wrap(
                "  var x: str = \"\"",
                &format!("  x = x{}", " as str".repeat(depth)),
            ),
            wrap(
                "  var x: json-arr",
                &format!("  x = {}{}", "[".repeat(depth), "]".repeat(depth)),
            ),
            wrap(
                "  var x: str = \"\"",
                &format!("  x = {}x{}", "\"{".repeat(depth), "}\"".repeat(depth)),
            ),
            wrap(&format!("  var x: int{}", "[]".repeat(depth)), "  x = x"),
            wrap(
                &format!(
                    "  var x: {}int{}",
                    "map<str, ".repeat(depth),
                    ">".repeat(depth)
                ),
                "  x = x",
            ),
            wrap(
                "  var x: bool = true",
                &format!(
                    "{}  x = false\n{}",
                    "  if x {\n".repeat(depth),
                    "  }\n".repeat(depth)
                ),
            ),
            format!(
                "workflow w {{\n  var x: bool = true\n{}",
                "  while x {\n".repeat(depth)
            ),
        ];
        for text in cases {
            let compiled = lhw_compiler::compile(&text);
            if depth <= 30 {
                assert!(
                    compiled.output.is_some() || text.contains("while"),
                    "{text}\n{:#?}",
                    compiled.diagnostics
                );
            }
            let _ = render_all(
                &compiled.diagnostics,
                "/deep.lhw",
                &text,
                RenderOptions::default(),
            );
        }
    }
}
