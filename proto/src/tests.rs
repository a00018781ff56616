//! Unit tests for the JSON mapping of the generated types.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::littlehorse::{
    AllowedUpdateType, Edge, EntrypointNode, ExitNode, Node, PutWfSpecRequest, TaskDefId, TaskNode,
    ThreadSpec, ThreadVarDef, TypeDefinition, VariableAssignment, VariableDef, VariableType,
    VariableValue, WfRunVariableAccessLevel, WorkflowRetentionPolicy, node, task_node,
    type_definition, variable_assignment, variable_value, workflow_retention_policy,
};
use crate::{from_json, to_json_pretty, try_to_json_pretty};

fn edge_to(sink: &str) -> Edge {
    Edge {
        sink_node_name: sink.to_string(),
        edge_condition: None,
        variable_mutations: Vec::new(),
    }
}

fn plain_node(edges: Vec<Edge>, kind: node::Node) -> Node {
    Node {
        outgoing_edges: edges,
        failure_handlers: Vec::new(),
        node: Some(kind),
    }
}

/// `entrypoint -> greet(name, 10) -> exit`, one STR variable, a retention policy.
fn sample_request() -> PutWfSpecRequest {
    let task = TaskNode {
        task_to_execute: Some(task_node::TaskToExecute::TaskDefId(TaskDefId {
            name: "greet".to_string(),
        })),
        timeout_seconds: 0,
        retries: 0,
        exponential_backoff: None,
        variables: vec![
            VariableAssignment {
                source: Some(variable_assignment::Source::VariableName(
                    "name".to_string(),
                )),
                ..Default::default()
            },
            VariableAssignment {
                source: Some(variable_assignment::Source::LiteralValue(VariableValue {
                    value: Some(variable_value::Value::Int(10)),
                })),
                ..Default::default()
            },
        ],
    };

    let mut nodes = BTreeMap::new();
    nodes.insert(
        "0-entrypoint-ENTRYPOINT".to_string(),
        plain_node(
            vec![edge_to("1-greet-TASK")],
            node::Node::Entrypoint(EntrypointNode {}),
        ),
    );
    nodes.insert(
        "1-greet-TASK".to_string(),
        plain_node(vec![edge_to("2-exit-EXIT")], node::Node::Task(task)),
    );
    nodes.insert(
        "2-exit-EXIT".to_string(),
        plain_node(Vec::new(), node::Node::Exit(ExitNode { result: None })),
    );

    let name_var = ThreadVarDef {
        var_def: Some(VariableDef {
            name: "name".to_string(),
            type_def: Some(TypeDefinition {
                defined_type: Some(type_definition::DefinedType::PrimitiveType(
                    VariableType::Str as i32,
                )),
                masked: false,
            }),
            ..Default::default()
        }),
        required: false,
        searchable: false,
        json_indexes: Vec::new(),
        access_level: WfRunVariableAccessLevel::PrivateVar as i32,
    };

    let mut thread_specs = BTreeMap::new();
    thread_specs.insert(
        "entrypoint".to_string(),
        ThreadSpec {
            nodes,
            variable_defs: vec![name_var],
            interrupt_defs: Vec::new(),
            retention_policy: None,
        },
    );

    PutWfSpecRequest {
        name: "probe-execute-args".to_string(),
        thread_specs,
        entrypoint_thread_name: "entrypoint".to_string(),
        retention_policy: Some(WorkflowRetentionPolicy {
            wf_gc_policy: Some(
                workflow_retention_policy::WfGcPolicy::SecondsAfterWfTermination(86_400),
            ),
        }),
        parent_wf_spec: None,
        allowed_updates: AllowedUpdateType::AllUpdates as i32,
    }
}

#[test]
fn put_wf_spec_request_json_follows_the_protobuf_json_mapping() {
    let request = sample_request();
    let text = to_json_pretty(&request);
    let value: Value = serde_json::from_str(&text).expect("output is valid JSON");

    // 2-space indentation, no trailing newline.
    assert!(
        text.starts_with("{\n  \"name\": \"probe-execute-args\",\n"),
        "{text}"
    );
    assert!(!text.ends_with('\n'));

    // int64 values are JSON strings.
    assert_eq!(
        value["retentionPolicy"]["secondsAfterWfTermination"],
        json!("86400")
    );
    let entry = &value["threadSpecs"]["entrypoint"];
    let task = &entry["nodes"]["1-greet-TASK"]["task"];
    assert_eq!(task["variables"][1]["literalValue"], json!({ "int": "10" }));

    // Enums are names.
    assert_eq!(value["allowedUpdates"], json!("ALL_UPDATES"));
    assert_eq!(
        entry["variableDefs"][0]["accessLevel"],
        json!("PRIVATE_VAR")
    );
    assert_eq!(
        entry["variableDefs"][0]["varDef"]["typeDef"]["primitiveType"],
        json!("STR")
    );

    // Default-valued scalars and empty repeated fields are emitted.
    assert_eq!(task["retries"], json!(0));
    assert_eq!(task["timeoutSeconds"], json!(0));
    let exit = &entry["nodes"]["2-exit-EXIT"];
    assert_eq!(exit["outgoingEdges"], json!([]));
    assert_eq!(exit["failureHandlers"], json!([]));
    assert_eq!(exit["exit"], json!({}));
    assert_eq!(entry["interruptDefs"], json!([]));
    assert_eq!(entry["variableDefs"][0]["required"], json!(false));
    assert_eq!(
        entry["nodes"]["0-entrypoint-ENTRYPOINT"]["outgoingEdges"][0]["variableMutations"],
        json!([])
    );

    // Unset optional and message fields are omitted rather than null.
    assert!(value.get("parentWfSpec").is_none());
    assert!(task.get("exponentialBackoff").is_none());

    // Map entries come out sorted by key.
    let nodes_pos: Vec<usize> = ["0-entrypoint-ENTRYPOINT", "1-greet-TASK", "2-exit-EXIT"]
        .iter()
        .map(|k| {
            text.find(&format!("\"{k}\": {{"))
                .expect("node key present")
        })
        .collect();
    assert!(nodes_pos.windows(2).all(|w| w[0] < w[1]), "{nodes_pos:?}");

    // Round trip.
    let back: PutWfSpecRequest = from_json(&text).expect("round trip parses");
    assert_eq!(back, request);
    assert_eq!(
        to_json_pretty(&back),
        text,
        "serialization is deterministic"
    );
    assert_eq!(
        try_to_json_pretty(&back).ok().as_deref(),
        Some(text.as_str())
    );
}

/// Shaped like the canonical JSON an official SDK produces for a workflow
/// that runs one task with a variable argument.
const CANONICAL_EXECUTE_ARGS: &str = r#"{
  "name": "probe-execute-args",
  "threadSpecs": {
    "entrypoint": {
      "nodes": {
        "0-entrypoint-ENTRYPOINT": {
          "outgoingEdges": [{
            "sinkNodeName": "1-greet-TASK",
            "variableMutations": []
          }],
          "failureHandlers": [],
          "entrypoint": {
          }
        },
        "1-greet-TASK": {
          "outgoingEdges": [{
            "sinkNodeName": "2-exit-EXIT",
            "variableMutations": []
          }],
          "failureHandlers": [],
          "task": {
            "taskDefId": {
              "name": "greet"
            },
            "timeoutSeconds": 0,
            "retries": 0,
            "variables": [{
              "variableName": "name"
            }]
          }
        },
        "2-exit-EXIT": {
          "outgoingEdges": [],
          "failureHandlers": [],
          "exit": {
          }
        }
      },
      "variableDefs": [{
        "varDef": {
          "name": "name",
          "typeDef": {
            "primitiveType": "STR",
            "masked": false
          }
        },
        "required": false,
        "searchable": false,
        "jsonIndexes": [],
        "accessLevel": "PRIVATE_VAR"
      }],
      "interruptDefs": []
    }
  },
  "entrypointThreadName": "entrypoint",
  "allowedUpdates": "ALL_UPDATES"
}"#;

#[test]
fn canonical_json_parses_and_reserializes_to_the_same_document() {
    let request: PutWfSpecRequest = from_json(CANONICAL_EXECUTE_ARGS).expect("parses");

    let entry = &request.thread_specs["entrypoint"];
    assert_eq!(entry.nodes.len(), 3);
    let Some(node::Node::Task(task)) = &entry.nodes["1-greet-TASK"].node else {
        panic!(
            "1-greet-TASK is not a task node: {:?}",
            entry.nodes["1-greet-TASK"]
        );
    };
    assert_eq!(
        task.task_to_execute,
        Some(task_node::TaskToExecute::TaskDefId(TaskDefId {
            name: "greet".to_string()
        }))
    );
    assert_eq!(
        entry.variable_defs[0].access_level(),
        WfRunVariableAccessLevel::PrivateVar
    );

    let expected: Value = serde_json::from_str(CANONICAL_EXECUTE_ARGS).expect("valid JSON");
    let actual: Value = serde_json::from_str(&to_json_pretty(&request)).expect("valid JSON");
    assert_eq!(actual, expected);
}

#[test]
fn from_json_rejects_unknown_fields_and_bad_enum_names() {
    assert!(from_json::<TaskDefId>(r#"{"name": "x", "bogus": 1}"#).is_err());
    assert!(from_json::<PutWfSpecRequest>(r#"{"allowedUpdates": "SOMETIMES"}"#).is_err());
    // snake_case names are accepted as well.
    let id: crate::littlehorse::WfSpecId =
        from_json(r#"{"name": "w", "major_version": 2}"#).expect("parses");
    assert_eq!(id.major_version, 2);
}

#[test]
fn file_descriptor_set_decodes_and_lists_every_schema_file() {
    use prost::Message as _;
    let set = prost_types::FileDescriptorSet::decode(crate::FILE_DESCRIPTOR_SET)
        .expect("descriptor set decodes");
    let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
    for expected in [
        "wf_spec.proto",
        "service.proto",
        "google/protobuf/timestamp.proto",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn mixed_case_proto_field_names_get_lower_camel_json_names() {
    use crate::littlehorse::{
        ApplyWorkflowMigrationPlanRequest, WfRunId, WfSpecId, WorkflowMigrationPlan,
    };

    let apply = ApplyWorkflowMigrationPlanRequest {
        wf_run_id: Some(WfRunId {
            id: "run".to_string(),
            parent_wf_run_id: None,
        }),
        ..Default::default()
    };
    let value: Value = serde_json::from_str(&to_json_pretty(&apply)).expect("valid JSON");
    assert_eq!(value["wfRunId"]["id"], json!("run"), "{value}");

    let plan = WorkflowMigrationPlan {
        old_wf_spec: Some(WfSpecId::default()),
        ..Default::default()
    };
    let value: Value = serde_json::from_str(&to_json_pretty(&plan)).expect("valid JSON");
    assert_eq!(value["oldWfSpec"]["majorVersion"], json!(0), "{value}");
}

mod pretty_json {
    //! The fast pretty writer (`pretty.rs`) against serde_json on generated JSON values: every
    //! shape (empty and nested containers, escapes, numbers of each kind), whole and streamed.

    use proptest::prelude::*;
    use serde_json::Value;

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[ -~]{0,12}".prop_map(Value::String),
            "[\\x00-\\x1f\"\\\\a-zé€😀\\x7f]{0,8}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\\\n]{0,5}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_fast_writer_is_serde_json(v in value()) {
            let expected = serde_json::to_string_pretty(&v).unwrap();
            prop_assert_eq!(crate::try_to_json_pretty(&v).unwrap(), expected.clone());
            let mut streamed = Vec::new();
            crate::write_json_pretty(&mut streamed, &v).unwrap();
            prop_assert_eq!(String::from_utf8(streamed).unwrap(), expected);
        }
    }

    /// Every ASCII character, and some beyond, in a string, as a key and as a value.
    #[test]
    fn every_character_is_escaped_as_serde_json_escapes_it() {
        let chars = (0u8..=0x7f)
            .map(char::from)
            .chain(['é', '\u{2028}', '€', '😀']);
        for c in chars {
            // At every offset of strings of 1 to 24 characters (the writer scans 8 bytes at
            // a time, then the rest one by one).
            for len in 1..24 {
                for at in 0..len {
                    let text: String = (0..len).map(|i| if i == at { c } else { 'x' }).collect();
                    let v = serde_json::json!({ text.clone(): [text.clone(), c.to_string()] });
                    let expected = serde_json::to_string_pretty(&v).unwrap();
                    assert_eq!(crate::try_to_json_pretty(&v).unwrap(), expected, "{c:?}");
                }
            }
        }
    }

    /// Values the fast writer does not write itself (bytes, enum variants with data) still
    /// come out as serde_json writes them.
    #[test]
    fn what_it_does_not_write_falls_back_to_serde_json() {
        #[derive(serde::Serialize)]
        enum E {
            A(u8),
            B { x: u8 },
        }
        #[derive(serde::Serialize)]
        struct S<'a> {
            #[serde(with = "serde_bytes_like")]
            b: &'a [u8],
            e: Vec<E>,
            m: std::collections::BTreeMap<bool, u8>,
        }
        mod serde_bytes_like {
            pub fn serialize<S: serde::Serializer>(b: &&[u8], s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(b)
            }
        }
        let s = S {
            b: &[1, 2],
            e: vec![E::A(1), E::B { x: 2 }],
            m: [(true, 1)].into_iter().collect(),
        };
        let expected = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(crate::try_to_json_pretty(&s).unwrap(), expected);
        let mut streamed = Vec::new();
        crate::write_json_pretty(&mut streamed, &s).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), expected);
    }
}
