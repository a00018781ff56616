//! Conformance of our `.proto` transcription with the official LittleHorse API.
//!
//! `scripts/dump_descriptors.py`, run with the repository's virtualenv
//! (created by `scripts/setup-python.sh`), prints the structure of the
//! official descriptors shipped in the `littlehorse-client` Python package.
//! This test builds the same structure from [`lhw_proto::FILE_DESCRIPTOR_SET`]
//! and requires both to be identical: every message (nested ones and map
//! entries included), field (name, number, type, label, type name, oneof,
//! proto3 `optional`), oneof, reserved range/name, enum value and rpc, in
//! both directions. All differences are reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet};
use serde_json::{Value, json};

const PACKAGE: &str = "littlehorse";

/// The `littlehorse-client` release our transcription follows (pinned in
/// `scripts/setup-python.sh`).
const CLIENT_VERSION: &str = "1.3.0";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives one level below the repository root")
        .to_path_buf()
}

/// Runs the Python dump of the official descriptors.
fn official_structure() -> Value {
    let root = repo_root();
    let python = root.join(".venv").join("bin").join("python");
    let script = root.join("scripts").join("dump_descriptors.py");
    assert!(
        python.exists(),
        "{} not found: the official descriptors come from the littlehorse-client \
         Python package; run `scripts/setup-python.sh` first",
        python.display()
    );
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", python.display()));
    assert!(
        output.status.success(),
        "{} {} failed ({}); run `scripts/setup-python.sh` to (re)install \
         littlehorse-client.\nstderr:\n{}",
        python.display(),
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let dump: Value =
        serde_json::from_slice(&output.stdout).expect("dump_descriptors.py prints JSON");
    assert_eq!(
        dump["client_version"],
        json!(CLIENT_VERSION),
        "the venv has another littlehorse-client; run `scripts/setup-python.sh`"
    );
    dump
}

/// The same structure as `dump_descriptors.py`, from our descriptor set.
fn our_structure() -> Value {
    let set = FileDescriptorSet::decode(lhw_proto::FILE_DESCRIPTOR_SET)
        .expect("FILE_DESCRIPTOR_SET decodes");
    let mut messages = serde_json::Map::new();
    let mut enums = serde_json::Map::new();
    let mut services = serde_json::Map::new();
    for file in set.file.iter().filter(|f| f.package() == PACKAGE) {
        let scope = format!(".{PACKAGE}");
        for message in &file.message_type {
            walk_message(message, &scope, file.name(), &mut messages, &mut enums);
        }
        for e in &file.enum_type {
            enums.insert(format!("{scope}.{}", e.name()), enum_entry(e, file.name()));
        }
        for service in &file.service {
            let methods: Vec<Value> = service
                .method
                .iter()
                .map(|m| {
                    json!({
                        "name": m.name(),
                        "input_type": m.input_type(),
                        "output_type": m.output_type(),
                        "client_streaming": m.client_streaming(),
                        "server_streaming": m.server_streaming(),
                    })
                })
                .collect();
            services.insert(
                format!("{scope}.{}", service.name()),
                json!({ "file": file.name(), "methods": methods }),
            );
        }
    }
    json!({ "messages": messages, "enums": enums, "services": services })
}

fn walk_message(
    message: &DescriptorProto,
    scope: &str,
    file: &str,
    messages: &mut serde_json::Map<String, Value>,
    enums: &mut serde_json::Map<String, Value>,
) {
    let full = format!("{scope}.{}", message.name());
    let real_oneof = |f: &prost_types::FieldDescriptorProto| -> Option<String> {
        match f.oneof_index {
            Some(i) if !f.proto3_optional() => {
                let index = usize::try_from(i).expect("oneof index is non-negative");
                Some(message.oneof_decl[index].name().to_string())
            }
            _ => None,
        }
    };
    let fields: Vec<Value> = message
        .field
        .iter()
        .map(|f| {
            json!({
                "name": f.name(),
                "number": f.number(),
                "type": Type::try_from(f.r#type.unwrap_or_default())
                    .map_or_else(|_| format!("?{:?}", f.r#type), |t| t.as_str_name().to_string()),
                "label": Label::try_from(f.label.unwrap_or_default())
                    .map_or_else(|_| format!("?{:?}", f.label), |l| l.as_str_name().to_string()),
                "type_name": f.type_name(),
                "oneof": real_oneof(f),
                "proto3_optional": f.proto3_optional(),
            })
        })
        .collect();
    let oneofs: BTreeSet<String> = message.field.iter().filter_map(real_oneof).collect();
    let map_entry = message.options.as_ref().is_some_and(|o| o.map_entry());
    messages.insert(
        full.clone(),
        json!({
            "file": file,
            "map_entry": map_entry,
            "fields": fields,
            "oneofs": oneofs,
            "reserved_ranges": message.reserved_range.iter()
                .map(|r| [r.start(), r.end()]).collect::<Vec<_>>(),
            "reserved_names": message.reserved_name,
        }),
    );
    for nested in &message.nested_type {
        walk_message(nested, &full, file, messages, enums);
    }
    for e in &message.enum_type {
        enums.insert(format!("{full}.{}", e.name()), enum_entry(e, file));
    }
}

fn enum_entry(e: &EnumDescriptorProto, file: &str) -> Value {
    json!({
        "file": file,
        "values": e.value.iter()
            .map(|v| json!({ "name": v.name(), "number": v.number() }))
            .collect::<Vec<_>>(),
        "reserved_ranges": e.reserved_range.iter()
            .map(|r| [r.start(), r.end()]).collect::<Vec<_>>(),
        "reserved_names": e.reserved_name,
    })
}

/// Collects human-readable differences between the two structures.
#[derive(Default)]
struct Diff {
    lines: Vec<String>,
}

impl Diff {
    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Compares two JSON objects keyed by fully-qualified name; `compare_item`
    /// handles the entries present on both sides.
    fn keyed(
        &mut self,
        kind: &str,
        ours: &Value,
        official: &Value,
        mut compare_item: impl FnMut(&mut Self, &str, &Value, &Value),
    ) {
        let ours = ours.as_object().expect("object");
        let official = official.as_object().expect("object");
        for (name, item) in ours {
            match official.get(name) {
                Some(theirs) => compare_item(self, name, item, theirs),
                None => self.push(format!(
                    "{kind} {name}: declared by us, not in the official API"
                )),
            }
        }
        for name in official.keys().filter(|n| !ours.contains_key(*n)) {
            self.push(format!(
                "{kind} {name}: in the official API, missing from ours"
            ));
        }
    }

    /// Compares the listed attributes of two objects.
    fn attrs(&mut self, what: &str, ours: &Value, official: &Value, keys: &[&str]) {
        for key in keys {
            if ours[*key] != official[*key] {
                self.push(format!(
                    "{what}: {key} is {} in ours but {} officially",
                    ours[*key], official[*key]
                ));
            }
        }
    }

    /// Compares two arrays of objects matched by their `name` attribute.
    fn named_list(
        &mut self,
        what: &str,
        item_kind: &str,
        ours: &Value,
        official: &Value,
        keys: &[&str],
    ) {
        let index = |v: &Value| -> BTreeMap<String, Value> {
            v.as_array()
                .expect("array")
                .iter()
                .map(|item| {
                    (
                        item["name"].as_str().expect("name").to_string(),
                        item.clone(),
                    )
                })
                .collect()
        };
        let ours = index(ours);
        let official = index(official);
        for (name, item) in &ours {
            match official.get(name) {
                Some(theirs) => {
                    self.attrs(&format!("{what} {item_kind} {name}"), item, theirs, keys)
                }
                None => self.push(format!(
                    "{what}: {item_kind} {name} is not in the official API"
                )),
            }
        }
        for name in official.keys().filter(|n| !ours.contains_key(*n)) {
            self.push(format!(
                "{what}: official {item_kind} {name} is missing from ours"
            ));
        }
    }
}

#[test]
fn our_proto_files_match_the_official_littlehorse_descriptors() {
    let official = official_structure();
    let ours = our_structure();

    let count = |v: &Value, key: &str| v[key].as_object().map_or(0, serde_json::Map::len);
    let rpcs = |v: &Value| {
        v["services"].as_object().map_or(0, |s| {
            s.values()
                .map(|x| x["methods"].as_array().map_or(0, Vec::len))
                .sum()
        })
    };
    let fields = |v: &Value| -> usize {
        v["messages"].as_object().map_or(0, |m| {
            m.values()
                .map(|x| x["fields"].as_array().map_or(0, Vec::len))
                .sum()
        })
    };
    // Guard against a vacuous comparison (e.g. an empty dump).
    assert!(
        count(&official, "messages") > 300,
        "official dump looks truncated"
    );
    assert!(rpcs(&official) > 100, "official dump has too few rpcs");

    let mut diff = Diff::default();
    diff.keyed(
        "message",
        &ours["messages"],
        &official["messages"],
        |d, name, a, b| {
            d.attrs(
                &format!("message {name}"),
                a,
                b,
                &[
                    "file",
                    "map_entry",
                    "oneofs",
                    "reserved_ranges",
                    "reserved_names",
                ],
            );
            d.named_list(
                &format!("message {name}"),
                "field",
                &a["fields"],
                &b["fields"],
                &[
                    "number",
                    "type",
                    "label",
                    "type_name",
                    "oneof",
                    "proto3_optional",
                ],
            );
        },
    );
    diff.keyed(
        "enum",
        &ours["enums"],
        &official["enums"],
        |d, name, a, b| {
            d.attrs(
                &format!("enum {name}"),
                a,
                b,
                &["file", "reserved_ranges", "reserved_names"],
            );
            d.named_list(
                &format!("enum {name}"),
                "value",
                &a["values"],
                &b["values"],
                &["number"],
            );
        },
    );
    diff.keyed(
        "service",
        &ours["services"],
        &official["services"],
        |d, name, a, b| {
            d.attrs(&format!("service {name}"), a, b, &["file"]);
            d.named_list(
                &format!("service {name}"),
                "rpc",
                &a["methods"],
                &b["methods"],
                &[
                    "input_type",
                    "output_type",
                    "client_streaming",
                    "server_streaming",
                ],
            );
        },
    );

    println!(
        "compared {} messages ({} fields), {} enums, {} rpcs against the official descriptors",
        count(&ours, "messages"),
        fields(&ours),
        count(&ours, "enums"),
        rpcs(&ours)
    );
    assert!(
        diff.lines.is_empty(),
        "{} difference(s) between proto/schemas/littlehorse and the official API:\n  {}",
        diff.lines.len(),
        diff.lines.join("\n  ")
    );
}
