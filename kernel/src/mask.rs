//! Masked values never leave through the API (ARCHITECTURE invariant "masked values never
//! leave"). As the LittleHorse server does when it builds an object in a request's context,
//! a response replaces every masked value with [`STRING_MASK`], while the stored object (and
//! what `PollTask` hands a task worker) keeps the real value.
//!
//! What is masked, following the server (littlehorse-enterprises/littlehorse, `server/src/
//! main/java/io/littlehorse/common/`): `Variable.value` when `masked`
//! (`VariableModel.initFrom`), a TaskRun input when its `VarNameAndVal.masked`
//! (`VarNameAndValModel.toProto`), a TaskAttempt's output when `masked_value`
//! (`TaskAttemptModel.initFrom`), an EXTERNAL_EVENT NodeRun's correlation key when
//! `mask_correlation_key` (`ExternalEventNodeRunModel.initFrom`) and a struct field marked
//! `masked` anywhere in a value (`StructFieldModel.toProto`). The mask string is
//! `LHConstants.STRING_MASK`.

use lhw_proto::littlehorse::{
    CorrelatedEvent, ExternalEvent, ExternalEventList, NodeRun, NodeRunList, TaskAttempt, TaskRun,
    TaskRunList, UserTaskRun, UserTaskRunList, Variable, VariableList, VariableValue,
    WorkflowEvent, WorkflowEventList, node_run, task_attempt, variable_value::Value,
};

/// What a client sees instead of a masked value (the server's `LHConstants.STRING_MASK`).
pub const STRING_MASK: &str = "*****";

/// A response object whose masked values are hidden before it leaves the kernel.
pub(crate) trait MaskForClient {
    /// Replaces every masked value with [`STRING_MASK`].
    fn mask_for_client(&mut self);
}

fn mask_string() -> VariableValue {
    VariableValue {
        value: Some(Value::Str(STRING_MASK.to_string())),
    }
}

/// Hides the struct fields marked `masked` inside `v` (at any depth).
pub(crate) fn mask_struct_fields(v: &mut VariableValue) {
    match v.value.as_mut() {
        Some(Value::Struct(s)) => {
            for field in s.r#struct.iter_mut().flat_map(|i| i.fields.values_mut()) {
                if field.masked {
                    field.value = Some(mask_string());
                } else if let Some(inner) = field.value.as_mut() {
                    mask_struct_fields(inner);
                }
            }
        }
        Some(Value::Array(a)) => a.items.iter_mut().for_each(mask_struct_fields),
        Some(Value::Map(m)) => {
            for e in &mut m.entries {
                if let Some(k) = e.key.as_mut() {
                    mask_struct_fields(k);
                }
                if let Some(val) = e.value.as_mut() {
                    mask_struct_fields(val);
                }
            }
        }
        _ => {}
    }
}

fn mask_opt(v: &mut Option<VariableValue>) {
    if let Some(v) = v.as_mut() {
        mask_struct_fields(v);
    }
}

impl MaskForClient for Variable {
    fn mask_for_client(&mut self) {
        if self.masked {
            self.value = Some(mask_string());
        } else {
            mask_opt(&mut self.value);
        }
    }
}

impl MaskForClient for VariableList {
    fn mask_for_client(&mut self) {
        self.results.iter_mut().for_each(Variable::mask_for_client);
    }
}

impl MaskForClient for TaskAttempt {
    fn mask_for_client(&mut self) {
        if let Some(task_attempt::Result::Output(out)) = self.result.as_mut() {
            if self.masked_value {
                *out = mask_string();
            } else {
                mask_struct_fields(out);
            }
        }
    }
}

impl MaskForClient for TaskRun {
    fn mask_for_client(&mut self) {
        for input in &mut self.input_variables {
            if input.masked {
                input.value = Some(mask_string());
            } else {
                mask_opt(&mut input.value);
            }
        }
        self.attempts
            .iter_mut()
            .for_each(TaskAttempt::mask_for_client);
    }
}

impl MaskForClient for TaskRunList {
    fn mask_for_client(&mut self) {
        self.results.iter_mut().for_each(TaskRun::mask_for_client);
    }
}

impl MaskForClient for NodeRun {
    fn mask_for_client(&mut self) {
        if let Some(node_run::NodeType::ExternalEvent(ee)) = self.node_type.as_mut()
            && ee.mask_correlation_key
            && ee.correlation_key.is_some()
        {
            ee.correlation_key = Some(STRING_MASK.to_string());
        }
        for f in &mut self.failures {
            mask_opt(&mut f.content);
        }
    }
}

impl MaskForClient for NodeRunList {
    fn mask_for_client(&mut self) {
        self.results.iter_mut().for_each(NodeRun::mask_for_client);
    }
}

// Events and user tasks carry no masked flag of their own on the server; only their struct
// fields marked `masked` are hidden (`StructFieldModel.toProto`).
impl MaskForClient for ExternalEvent {
    fn mask_for_client(&mut self) {
        mask_opt(&mut self.content);
    }
}

impl MaskForClient for ExternalEventList {
    fn mask_for_client(&mut self) {
        self.results
            .iter_mut()
            .for_each(ExternalEvent::mask_for_client);
    }
}

impl MaskForClient for CorrelatedEvent {
    fn mask_for_client(&mut self) {
        mask_opt(&mut self.content);
    }
}

impl MaskForClient for WorkflowEvent {
    fn mask_for_client(&mut self) {
        mask_opt(&mut self.content);
    }
}

impl MaskForClient for WorkflowEventList {
    fn mask_for_client(&mut self) {
        self.results
            .iter_mut()
            .for_each(WorkflowEvent::mask_for_client);
    }
}

impl MaskForClient for UserTaskRun {
    fn mask_for_client(&mut self) {
        self.results.values_mut().for_each(mask_struct_fields);
    }
}

impl MaskForClient for UserTaskRunList {
    fn mask_for_client(&mut self) {
        self.results
            .iter_mut()
            .for_each(UserTaskRun::mask_for_client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{InlineStruct, Struct, StructField, VarNameAndVal};

    fn s(text: &str) -> VariableValue {
        VariableValue {
            value: Some(Value::Str(text.to_string())),
        }
    }

    #[test]
    fn a_masked_variable_shows_the_mask_and_an_unmasked_one_its_value() {
        let mut list = VariableList {
            results: vec![
                Variable {
                    value: Some(s("S3cr3t")),
                    masked: true,
                    ..Variable::default()
                },
                Variable {
                    value: Some(s("plain")),
                    ..Variable::default()
                },
            ],
            bookmark: None,
        };
        list.mask_for_client();
        assert_eq!(list.results[0].value, Some(s(STRING_MASK)));
        assert!(list.results[0].masked);
        assert_eq!(list.results[1].value, Some(s("plain")));
    }

    #[test]
    fn task_run_inputs_and_outputs_follow_their_flags() {
        let mut tr = TaskRun {
            input_variables: vec![
                VarNameAndVal {
                    var_name: "secret".into(),
                    value: Some(s("S3cr3t")),
                    masked: true,
                },
                VarNameAndVal {
                    var_name: "open".into(),
                    value: Some(s("x")),
                    masked: false,
                },
            ],
            attempts: vec![
                TaskAttempt {
                    result: Some(task_attempt::Result::Output(s("S3cr3t-out"))),
                    masked_value: true,
                    ..TaskAttempt::default()
                },
                TaskAttempt {
                    result: Some(task_attempt::Result::Output(s("y"))),
                    ..TaskAttempt::default()
                },
            ],
            ..TaskRun::default()
        };
        tr.mask_for_client();
        assert_eq!(tr.input_variables[0].value, Some(s(STRING_MASK)));
        assert_eq!(tr.input_variables[1].value, Some(s("x")));
        assert_eq!(
            tr.attempts[0].result,
            Some(task_attempt::Result::Output(s(STRING_MASK)))
        );
        assert_eq!(
            tr.attempts[1].result,
            Some(task_attempt::Result::Output(s("y")))
        );
    }

    #[test]
    fn masked_struct_fields_are_hidden_at_any_depth() {
        let field = |v: VariableValue, masked: bool| StructField {
            value: Some(v),
            masked,
        };
        let inner = VariableValue {
            value: Some(Value::Struct(Struct {
                struct_def_id: None,
                r#struct: Some(InlineStruct {
                    fields: [
                        ("pin".to_string(), field(s("1234"), true)),
                        ("name".to_string(), field(s("ann"), false)),
                    ]
                    .into(),
                }),
            })),
        };
        let mut v = Variable {
            value: Some(VariableValue {
                value: Some(Value::Struct(Struct {
                    struct_def_id: None,
                    r#struct: Some(InlineStruct {
                        fields: [("card".to_string(), field(inner, false))].into(),
                    }),
                })),
            }),
            ..Variable::default()
        };
        v.mask_for_client();
        let text = format!("{v:?}");
        assert!(!text.contains("1234"), "{text}");
        assert!(text.contains("ann"), "{text}");
        assert!(text.contains(STRING_MASK), "{text}");
    }
}
