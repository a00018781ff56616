//! Lowering of the language's forms that the conformance canon does not cover: each test
//! compiles a small file and checks the fields of the nodes sdk-java would build for the
//! same workflow (named in each test).

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;

/// The only workflow of `text`, which must compile without errors.
fn compile(text: &str) -> pb::PutWfSpecRequest {
    let compiled = lhw_compiler::compile(text);
    assert!(
        !compiled.diagnostics.iter().any(|d| d.is_error()),
        "unexpected errors: {:?}",
        compiled.diagnostics
    );
    let output = compiled.output.expect("an output");
    output.wf_specs.into_iter().next().expect("a workflow")
}

fn node<'a>(spec: &'a pb::PutWfSpecRequest, thread: &str, name: &str) -> &'a pb::Node {
    spec.thread_specs
        .get(thread)
        .and_then(|t| t.nodes.get(name))
        .unwrap_or_else(|| panic!("no node {name} in thread {thread}"))
}

/// sdk-java: `handleException(waitForThreads(...), ...)` puts the handler on the node;
/// `waitForThreads(...).handleExceptionOnChild(...)` per thread.
#[test]
fn catch_wait_and_catch_thread_land_on_the_node_and_per_thread() {
    let spec = compile(
        "task ship()\ntask report()\nworkflow w {\n  let t = spawn shipper {\n    ship()\n  }\n  \
         wait t catch thread parcel-lost {\n    report()\n  } catch wait any {\n    report()\n  }\n}\n",
    );
    let wait = node(&spec, "entrypoint", "2-threads-WAIT_FOR_THREADS");
    let Some(NodeKind::WaitForThreads(w)) = &wait.node else {
        panic!("not a wait: {wait:?}")
    };
    let per_thread: Vec<&str> = w
        .per_thread_failure_handlers
        .iter()
        .map(|h| h.handler_spec_name.as_str())
        .collect();
    assert_eq!(
        per_thread,
        ["exn-handler-2-threads-WAIT_FOR_THREADS-parcel-lost"]
    );
    let on_node: Vec<&str> = wait
        .failure_handlers
        .iter()
        .map(|h| h.handler_spec_name.as_str())
        .collect();
    assert_eq!(
        on_node,
        ["exn-handler-2-threads-WAIT_FOR_THREADS-any-failure"]
    );
    assert!(
        spec.thread_specs
            .contains_key("exn-handler-2-threads-WAIT_FOR_THREADS-any-failure")
    );
}

fn mask_of(text: &str) -> bool {
    let spec = compile(text);
    let n = node(&spec, "entrypoint", "1-verified-EXTERNAL_EVENT");
    match &n.node {
        Some(NodeKind::ExternalEvent(e)) => {
            assert!(e.correlation_key.is_some());
            e.mask_correlation_key
        }
        other => panic!("not an external event: {other:?}"),
    }
}

/// Both SDKs mask the key when it is a masked variable; lhw also when a masked variable
/// feeds the key expression, and `masked` / `unmasked` override.
#[test]
fn correlation_keys_are_masked_when_a_masked_variable_feeds_them() {
    let head =
        "event verified: bool\nworkflow w {\n  input email: str masked\n  input plain: str\n";
    assert!(mask_of(&format!(
        "{head}  let v = await verified correlated by email\n}}\n"
    )));
    assert!(mask_of(&format!(
        "{head}  let v = await verified correlated by \"{{email}}-{{plain}}\"\n}}\n"
    )));
    assert!(!mask_of(&format!(
        "{head}  let v = await verified correlated by plain\n}}\n"
    )));
    assert!(mask_of(&format!(
        "{head}  let v = await verified correlated by plain masked\n}}\n"
    )));
    assert!(!mask_of(&format!(
        "{head}  let v = await verified correlated by email unmasked\n}}\n"
    )));
}

/// sdk-java serializes a JSON default from a `LinkedHashMap`: the author's key order,
/// compact.
#[test]
fn json_literals_keep_the_authors_key_order() {
    let spec = compile(
        "workflow w {\n  var order: json-obj = {\"zeta\": 1, \"alpha\": [true, \"x\"], \"mid\": {\"b\": null, \"a\": 2.5}}\n  order = {\"b\": 1, \"a\": 2}\n}\n",
    );
    let var = &spec.thread_specs["entrypoint"].variable_defs[0];
    let default = var
        .var_def
        .as_ref()
        .and_then(|d| d.default_value.as_ref())
        .and_then(|v| v.value.clone());
    assert_eq!(
        default,
        Some(pb::variable_value::Value::JsonObj(
            r#"{"zeta":1,"alpha":[true,"x"],"mid":{"b":null,"a":2.5}}"#.to_string()
        ))
    );
    let edge = &node(&spec, "entrypoint", "0-entrypoint-ENTRYPOINT").outgoing_edges[0];
    let rhs = match &edge.variable_mutations[0].rhs_value {
        Some(pb::variable_mutation::RhsValue::RhsAssignment(a)) => a.source.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        rhs,
        Some(pb::variable_assignment::Source::LiteralValue(
            pb::VariableValue {
                value: Some(pb::variable_value::Value::JsonObj(
                    r#"{"b":1,"a":2}"#.to_string()
                ))
            }
        ))
    );
}

/// A str literal for a `bytes`, `timestamp` or `wf-run-id` parameter is decoded, as sdk-java
/// passes a `byte[]`, an `Instant` or a `WfRunId` (a literal of that type, not a text).
#[test]
fn encoded_literals_are_decoded_for_task_arguments_and_defaults() {
    use pb::variable_value::Value;
    let spec = compile(
        "task store(data: bytes, at: timestamp, run: wf-run-id)\nworkflow w {\n  \
         var parent: wf-run-id = \"order-1_refund-2\"\n  \
         store(\"/wA=\", \"1970-01-01T01:00:01+01:00\", \"order-1\")\n}\n",
    );
    let Some(NodeKind::Task(task)) = &node(&spec, "entrypoint", "1-store-TASK").node else {
        panic!("not a task")
    };
    let values: Vec<Option<Value>> = task
        .variables
        .iter()
        .map(|v| match &v.source {
            Some(pb::variable_assignment::Source::LiteralValue(l)) => l.value.clone(),
            other => panic!("not a literal: {other:?}"),
        })
        .collect();
    assert_eq!(values[0], Some(Value::Bytes(vec![0xff, 0x00])));
    match &values[1] {
        Some(Value::UtcTimestamp(ts)) => assert_eq!((ts.seconds, ts.nanos), (1, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        values[2],
        Some(Value::WfRunId(pb::WfRunId {
            id: "order-1".into(),
            parent_wf_run_id: None
        }))
    );
    let default = spec.thread_specs["entrypoint"].variable_defs[0]
        .var_def
        .as_ref()
        .and_then(|d| d.default_value.clone())
        .and_then(|v| v.value);
    assert_eq!(
        default,
        Some(Value::WfRunId(pb::WfRunId {
            id: "refund-2".into(),
            parent_wf_run_id: Some(Box::new(pb::WfRunId {
                id: "order-1".into(),
                parent_wf_run_id: None
            }))
        }))
    );
}

/// LittleHorse takes a VariableAssignment as a user task action's delay: a variable is
/// passed as such, a constant as a literal of seconds.
#[test]
fn user_task_deadlines_may_come_from_variables() {
    let spec = compile(
        "user-task approve { ok: bool }\nworkflow w {\n  input escalate-after: int\n  \
         let d = ask approve to user \"alice\" group \"sales\"\n    \
         reassign to group \"managers\" after escalate-after\n    cancel after 2h\n}\n",
    );
    let Some(NodeKind::UserTask(ut)) = &node(&spec, "entrypoint", "1-approve-USER_TASK").node
    else {
        panic!("not a user task")
    };
    let delays: Vec<Option<pb::variable_assignment::Source>> = ut
        .actions
        .iter()
        .map(|a| a.delay_seconds.as_ref().and_then(|d| d.source.clone()))
        .collect();
    assert_eq!(
        delays,
        [
            Some(pb::variable_assignment::Source::VariableName(
                "escalate-after".into()
            )),
            Some(pb::variable_assignment::Source::LiteralValue(
                pb::VariableValue {
                    value: Some(pb::variable_value::Value::Int(7200))
                }
            )),
        ]
    );
}

/// sdk-java's `runWf(String, ...)` and `runWf(Serializable nameVar, ...)`: `child_id` for a
/// chosen child id, `wf_spec_var` for a WfSpec chosen at run time (node `run-child-wf`), and a
/// pinned major version.
#[test]
fn run_takes_a_child_id_a_version_and_a_workflow_chosen_at_run_time() {
    let compiled = lhw_compiler::compile(
        "workflow billing {\n  input order-id: str\n  input region: str\n  \
         let c = run invoice(order-id: order-id) with id \"invoice-{order-id}\" version 2\n  \
         let d = run workflow(region)()\n}\nworkflow invoice {\n  input order-id: str\n}\n",
    );
    let specs = compiled.output.expect("an output").wf_specs;
    // `lower/order.rs` puts the child first.
    assert_eq!(specs[0].name, "invoice");
    let billing = &specs[1];
    let Some(NodeKind::RunChildWf(r)) =
        &node(billing, "entrypoint", "1-run-invoice-RUN_CHILD_WF").node
    else {
        panic!("not a run")
    };
    assert_eq!(r.major_version, 2);
    assert!(matches!(
        r.child_id.as_ref().and_then(|c| c.source.as_ref()),
        Some(pb::variable_assignment::Source::FormatString(_))
    ));
    let Some(NodeKind::RunChildWf(d)) =
        &node(billing, "entrypoint", "2-run-child-wf-RUN_CHILD_WF").node
    else {
        panic!("not a run")
    };
    assert_eq!(d.major_version, -1);
    assert_eq!(
        d.wf_spec,
        Some(pb::run_child_wf_node::WfSpec::WfSpecVar(
            pb::VariableAssignment {
                source: Some(pb::variable_assignment::Source::VariableName(
                    "region".into()
                )),
                ..Default::default()
            }
        ))
    );
}

/// `sleep until` a `str` is `SleepNode.iso_date`, a `timestamp` is `SleepNode.timestamp`.
#[test]
fn sleep_until_a_str_is_an_iso_date() {
    use pb::sleep_node::SleepLength;
    let spec = compile(
        "workflow w {\n  input due: timestamp\n  input due-date: str\n  \
         sleep until due\n  sleep until due-date\n  sleep until \"2026-05-28T20:26:40Z\"\n}\n",
    );
    let kinds: Vec<&str> = ["1-sleep-SLEEP", "2-sleep-SLEEP", "3-sleep-SLEEP"]
        .iter()
        .map(|n| match &node(&spec, "entrypoint", n).node {
            Some(NodeKind::Sleep(s)) => match s.sleep_length {
                Some(SleepLength::Timestamp(_)) => "timestamp",
                Some(SleepLength::IsoDate(_)) => "iso_date",
                _ => "other",
            },
            _ => "not a sleep",
        })
        .collect();
    assert_eq!(kinds, ["timestamp", "iso_date", "iso_date"]);
}

/// TaskDef descriptions, nullable struct fields and struct update policies.
#[test]
fn descriptions_nullable_fields_and_struct_policies_are_registered() {
    let compiled = lhw_compiler::compile(
        "task notify(text: str) \"Posts the text\"\n\
         struct parcel \"A parcel\" updates compatible {\n  weight: double\n  label: str nullable\n}\n\
         workflow w {\n  var p: parcel\n  p = new parcel { weight: 2.5 }\n  notify(\"x\")\n}\n",
    );
    assert!(
        !compiled.diagnostics.iter().any(|d| d.is_error()),
        "{:?}",
        compiled.diagnostics
    );
    let out = compiled.output.expect("an output");
    assert_eq!(
        out.task_defs[0].description.as_deref(),
        Some("Posts the text")
    );
    let s = &out.struct_defs[0];
    assert_eq!(
        s.allowed_updates,
        pb::StructDefCompatibilityType::FullyCompatibleSchemaUpdates as i32
    );
    let fields = &s.struct_def.as_ref().expect("fields").fields;
    assert!(fields["label"].is_nullable);
    assert!(!fields["weight"].is_nullable);
}

/// `ask FORM version N` pins the UserTaskDef version.
#[test]
fn ask_pins_the_form_version() {
    let spec = compile(
        "user-task approve { ok: bool }\nworkflow w {\n  let d = ask approve version 3 to user \"alice\"\n}\n",
    );
    let Some(NodeKind::UserTask(ut)) = &node(&spec, "entrypoint", "1-approve-USER_TASK").node
    else {
        panic!("not a user task")
    };
    assert_eq!(ut.user_task_def_version, Some(3));
}

/// Defaults of typed arrays and maps are typed values (`Array`, `Map`), not JSON text.
#[test]
fn typed_array_and_map_defaults_are_typed_values() {
    use pb::variable_value::Value;
    let spec = compile(
        "workflow w {\n  input tags: str[] = [\"new\", \"unread\"]\n  \
         input limits: map<str, int> = map { \"daily\": 10 }\n}\n",
    );
    let defaults: Vec<Option<Value>> = spec.thread_specs["entrypoint"]
        .variable_defs
        .iter()
        .map(|v| {
            v.var_def
                .as_ref()
                .and_then(|d| d.default_value.clone())
                .and_then(|d| d.value)
        })
        .collect();
    let str_value = |s: &str| pb::VariableValue {
        value: Some(Value::Str(s.into())),
    };
    match &defaults[0] {
        Some(Value::Array(a)) => assert_eq!(a.items, [str_value("new"), str_value("unread")]),
        other => panic!("{other:?}"),
    }
    match &defaults[1] {
        Some(Value::Map(m)) => {
            assert_eq!(m.entries.len(), 1);
            assert_eq!(m.entries[0].key, Some(str_value("daily")));
            assert_eq!(
                m.entries[0].value,
                Some(pb::VariableValue {
                    value: Some(Value::Int(10))
                })
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A list of constants assigned to a whole typed array is an `Array` literal; a str literal
/// assigned to a `bytes` variable is decoded.
#[test]
fn typed_literals_in_assignments() {
    use pb::variable_value::Value;
    let spec = compile(
        "workflow w {\n  var tags: str[]\n  var data: bytes\n  tags = [\"a\", \"b\"]\n  data = \"AQID\"\n}\n",
    );
    let edge = &node(&spec, "entrypoint", "0-entrypoint-ENTRYPOINT").outgoing_edges[0];
    let values: Vec<Option<Value>> = edge
        .variable_mutations
        .iter()
        .map(|m| match &m.rhs_value {
            Some(pb::variable_mutation::RhsValue::RhsAssignment(a)) => match &a.source {
                Some(pb::variable_assignment::Source::LiteralValue(v)) => v.value.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    match &values[0] {
        Some(Value::Array(a)) => assert_eq!(a.items.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(values[1], Some(Value::Bytes(vec![1, 2, 3])));
}

/// `nullable` followed by `:` is a field's name, not the flag of the field before it.
#[test]
fn a_field_named_nullable_stays_a_field() {
    let compiled = lhw_compiler::compile(
        "struct flags {\n  label: str\n  nullable: bool = false\n  note: str nullable\n}\n",
    );
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let out = compiled.output.expect("an output");
    let fields = &out.struct_defs[0]
        .struct_def
        .as_ref()
        .expect("fields")
        .fields;
    assert_eq!(fields.len(), 3);
    assert!(!fields["label"].is_nullable);
    assert!(!fields["nullable"].is_nullable);
    assert!(fields["note"].is_nullable);
}

/// The `lhs_lh_path` of the only mutation on the entrypoint's outgoing edge.
fn entry_mutation_path(spec: &pb::PutWfSpecRequest) -> Vec<pb::lh_path::Selector> {
    let edge = &node(spec, "entrypoint", "0-entrypoint-ENTRYPOINT").outgoing_edges[0];
    let m = &edge.variable_mutations[0];
    assert_eq!(m.operation, pb::VariableMutationType::Assign as i32);
    assert_eq!(m.lhs_json_path, None);
    m.lhs_lh_path.clone().expect("an lhs_lh_path").path
}

fn dynamic(source: pb::variable_assignment::Source) -> pb::lh_path::Selector {
    pb::lh_path::Selector {
        selector_type: Some(pb::lh_path::selector::SelectorType::Dynamic(
            pb::VariableAssignment {
                source: Some(source),
                ..Default::default()
            },
        )),
    }
}

fn str_lit(s: &str) -> pb::variable_assignment::Source {
    pb::variable_assignment::Source::LiteralValue(pb::VariableValue {
        value: Some(pb::variable_value::Value::Str(s.to_string())),
    })
}

/// sdk-java's `WfRunVariable#put(key, value)` (LittleHorse 1.3, pull request #2443): an
/// ASSIGN whose `lhs_lh_path` selects the key with a `dynamic` selector, the key constant or
/// not, also for a map met inside a struct or an array; a struct field stays a `key`.
#[test]
fn map_writes_select_the_key_dynamically_as_put() {
    let constant = compile("workflow w {\n  input m: map<str, int>\n  m[\"k\"] = 1\n}\n");
    assert_eq!(entry_mutation_path(&constant), [dynamic(str_lit("k"))]);

    let variable =
        compile("workflow w {\n  input m: map<str, int>\n  input sku: str\n  m[sku] = 1\n}\n");
    assert_eq!(
        entry_mutation_path(&variable),
        [dynamic(pb::variable_assignment::Source::VariableName(
            "sku".to_string()
        ))]
    );

    let nested = compile(
        "struct order { notes: map<str, str> }\nworkflow w {\n  input o: order\n  input lines: map<str, int>[]\n  o.notes[\"gift\"] = \"yes\"\n}\n",
    );
    let key = |k: &str| pb::lh_path::Selector {
        selector_type: Some(pb::lh_path::selector::SelectorType::Key(k.to_string())),
    };
    assert_eq!(
        entry_mutation_path(&nested),
        [key("notes"), dynamic(str_lit("gift"))]
    );

    let in_array =
        compile("workflow w {\n  input lines: map<str, int>[]\n  lines[0][\"qty\"] = 2\n}\n");
    assert_eq!(
        entry_mutation_path(&in_array),
        [
            pb::lh_path::Selector {
                selector_type: Some(pb::lh_path::selector::SelectorType::Index(0)),
            },
            dynamic(str_lit("qty"))
        ]
    );

    // Reads keep `key` selectors, as `WfRunVariable#get(String)`.
    let read = compile("workflow w {\n  input m: map<str, int>\n  var n: int\n  n = m[\"k\"]\n}\n");
    let edge = &node(&read, "entrypoint", "0-entrypoint-ENTRYPOINT").outgoing_edges[0];
    match &edge.variable_mutations[0].rhs_value {
        Some(pb::variable_mutation::RhsValue::RhsAssignment(a)) => match &a.path {
            Some(pb::variable_assignment::Path::LhPath(lh)) => {
                assert_eq!(lh.path, [key("k")]);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// `NAME version N` pins a struct type (sdk-java `declareStruct(name, structDefName, N)`),
/// `new NAME version N { ... }` a builder (`buildStruct(structDefName, N)`); without it the
/// version is -1.
#[test]
fn pinned_struct_versions() {
    use pb::type_definition::DefinedType as D;
    let spec = compile(
        "struct address { city: str }\nworkflow w {\n  input home: address version 2\n  input stops: address version 3[]\n  input latest: address\n  home = new address version 2 { city: \"Gouda\" }\n}\n",
    );
    let defs = &spec.thread_specs["entrypoint"].variable_defs;
    let ty = |i: usize| defs[i].var_def.as_ref().unwrap().type_def.clone().unwrap();
    match ty(0).defined_type {
        Some(D::StructDefId(id)) => assert_eq!((id.name.as_str(), id.version), ("address", 2)),
        other => panic!("{other:?}"),
    }
    match ty(1).defined_type {
        Some(D::InlineArrayDef(a)) => match a.array_type.unwrap().defined_type {
            Some(D::StructDefId(id)) => assert_eq!(id.version, 3),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    match ty(2).defined_type {
        Some(D::StructDefId(id)) => assert_eq!(id.version, -1),
        other => panic!("{other:?}"),
    }
    let edge = &node(&spec, "entrypoint", "0-entrypoint-ENTRYPOINT").outgoing_edges[0];
    match &edge.variable_mutations[0].rhs_value {
        Some(pb::variable_mutation::RhsValue::RhsAssignment(a)) => match &a.source {
            Some(pb::variable_assignment::Source::StructBuilder(b)) => {
                assert_eq!(b.struct_def_id.as_ref().unwrap().version, 2);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// A struct default is a `Struct` value holding every field of the declaration, as
/// sdk-java's `LHLibUtil.serializeToStruct` writes an object of a StructDef class: left-out
/// fields take their default, or null; nested `{ ... }` are structs of the field's type.
#[test]
fn struct_defaults_are_struct_values() {
    use pb::variable_value::Value;
    let spec = compile(
        "struct address { city: str, zip: int = 1000, note: str nullable }\nstruct customer { name: str, home: address }\nworkflow w {\n  input who: customer = new customer { name: \"Ann\", home: { city: \"Delft\" } }\n  input stops: address[] = [new address version 4 { city: \"Gouda\", note: null }]\n}\n",
    );
    let defs = &spec.thread_specs["entrypoint"].variable_defs;
    let default = |i: usize| {
        defs[i]
            .var_def
            .as_ref()
            .unwrap()
            .default_value
            .clone()
            .unwrap()
            .value
    };
    let Some(Value::Struct(who)) = default(0) else {
        panic!("{:?}", default(0))
    };
    assert_eq!(
        who.struct_def_id,
        Some(pb::StructDefId {
            name: "customer".to_string(),
            version: -1
        })
    );
    let fields = &who.r#struct.as_ref().unwrap().fields;
    assert_eq!(fields.len(), 2);
    assert_eq!(
        fields["name"].value.as_ref().unwrap().value,
        Some(Value::Str("Ann".to_string()))
    );
    let Some(Value::Struct(home)) = fields["home"].value.as_ref().unwrap().value.clone() else {
        panic!("{fields:?}")
    };
    assert_eq!(home.struct_def_id.as_ref().unwrap().name, "address");
    let home = &home.r#struct.as_ref().unwrap().fields;
    assert_eq!(
        home["city"].value.as_ref().unwrap().value,
        Some(Value::Str("Delft".to_string()))
    );
    assert_eq!(
        home["zip"].value.as_ref().unwrap().value,
        Some(Value::Int(1000))
    );
    assert_eq!(home["note"].value.as_ref().unwrap().value, None);

    let Some(Value::Array(stops)) = default(1) else {
        panic!("{:?}", default(1))
    };
    let Some(Value::Struct(stop)) = stops.items[0].value.clone() else {
        panic!("{stops:?}")
    };
    assert_eq!(stop.struct_def_id.as_ref().unwrap().version, 4);
}

/// A struct default must be built of constants and hold the declaration's required fields.
#[test]
fn struct_defaults_are_checked() {
    let compiled = lhw_compiler::compile(
        "struct address { city: str, zip: int = 0 }\nworkflow w {\n  input town: str\n  input a: address = new address { city: town }\n  input b: address = new address { zip: 1 }\n  input c: address = new address { city: \"x\", street: \"y\" }\n}\n",
    );
    let codes: Vec<&str> = compiled
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["E0209", "E0230", "E0212"],
        "{:?}",
        compiled.diagnostics
    );
}
