//! Task functions: typed async functions turned into handlers of `ScheduledTask`s, their
//! signatures (the TaskDef they stand for), the context a task can ask for, and the errors a
//! task reports.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lhw_proto::littlehorse::{
    LhErrorType, LhTaskError, LhTaskException, PutTaskDefRequest, ReturnType, ScheduledTask,
    TaskDef, TaskRunId, TaskStatus, TypeDefinition, VarNameAndVal, VariableDef, VariableValue,
    WfRunId,
};

use super::convert::{ConvertError, FromValue, IntoValue};

/// A boxed future, as the erased handlers return.
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// How a task ends when it does not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskError {
    /// A business exception (`TASK_EXCEPTION`): the workflow can catch it by name; it is not
    /// retried. Like the SDKs' `LHTaskException`.
    Exception {
        /// The exception name, as the workflow's handlers name it.
        name: String,
        /// A human message.
        message: String,
        /// Optional content handed to the handler.
        content: Option<VariableValue>,
    },
    /// A technical failure (`TASK_FAILED`, error type `TASK_FAILURE`): retried when the
    /// workflow sets retries.
    Failed(String),
}

impl TaskError {
    /// A business exception without content.
    pub fn exception(name: impl Into<String>, message: impl Into<String>) -> TaskError {
        TaskError::Exception {
            name: name.into(),
            message: message.into(),
            content: None,
        }
    }

    /// A business exception with content (converted like a task output).
    pub fn exception_with<T: IntoValue>(
        name: impl Into<String>,
        message: impl Into<String>,
        content: T,
    ) -> TaskError {
        match content.into_value() {
            Ok(v) => TaskError::Exception {
                name: name.into(),
                message: message.into(),
                content: Some(v),
            },
            Err(e) => TaskError::Failed(format!("cannot convert the exception content: {e}")),
        }
    }

    /// A technical failure.
    pub fn failed(message: impl Into<String>) -> TaskError {
        TaskError::Failed(message.into())
    }

    /// A technical failure from any error, with its chain of causes.
    pub fn from_error(err: &(dyn std::error::Error + 'static)) -> TaskError {
        let mut text = err.to_string();
        let mut cur = err.source();
        while let Some(e) = cur {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cur = e.source();
        }
        TaskError::Failed(text)
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Exception { name, message, .. } => write!(f, "exception {name}: {message}"),
            TaskError::Failed(m) => f.write_str(m),
        }
    }
}

impl From<String> for TaskError {
    fn from(m: String) -> Self {
        TaskError::Failed(m)
    }
}

impl From<&str> for TaskError {
    fn from(m: &str) -> Self {
        TaskError::Failed(m.to_string())
    }
}

impl From<Box<dyn std::error::Error + Send + Sync>> for TaskError {
    fn from(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        TaskError::from_error(e.as_ref())
    }
}

impl From<std::io::Error> for TaskError {
    fn from(e: std::io::Error) -> Self {
        TaskError::from_error(&e)
    }
}

impl From<ConvertError> for TaskError {
    fn from(e: ConvertError) -> Self {
        TaskError::Failed(e.to_string())
    }
}

/// What a task knows about the attempt it runs: ids, attempt number, and a log that is
/// reported as the attempt's `log_output`. Take it as a parameter of a task function (it is
/// not a task input).
#[derive(Debug, Clone)]
pub struct WorkerContext {
    inner: Arc<ContextInner>,
}

#[derive(Debug)]
struct ContextInner {
    task_run_id: Option<TaskRunId>,
    task_def_name: String,
    attempt_number: i32,
    scheduled_at: Option<SystemTime>,
    log: Mutex<Vec<String>>,
}

impl WorkerContext {
    pub(crate) fn new(task: &ScheduledTask) -> WorkerContext {
        let scheduled_at = task.created_at.as_ref().and_then(|ts| {
            let secs = u64::try_from(ts.seconds).ok()?;
            let nanos = u32::try_from(ts.nanos).ok()?;
            UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
        });
        WorkerContext {
            inner: Arc::new(ContextInner {
                task_run_id: task.task_run_id.clone(),
                task_def_name: task
                    .task_def_id
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                attempt_number: task.attempt_number,
                scheduled_at,
                log: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The TaskRun being executed.
    pub fn task_run_id(&self) -> Option<&TaskRunId> {
        self.inner.task_run_id.as_ref()
    }

    /// The WfRun the task belongs to.
    pub fn wf_run_id(&self) -> Option<&WfRunId> {
        self.inner.task_run_id.as_ref()?.wf_run_id.as_ref()
    }

    /// A key that stays the same across the retries of one TaskRun (its task guid), for
    /// making calls to other systems idempotent.
    pub fn idempotency_key(&self) -> &str {
        self.inner
            .task_run_id
            .as_ref()
            .map_or("", |id| id.task_guid.as_str())
    }

    /// The TaskDef name.
    pub fn task_def_name(&self) -> &str {
        &self.inner.task_def_name
    }

    /// 0 for the first attempt, 1 for the first retry, ...
    pub fn attempt_number(&self) -> i32 {
        self.inner.attempt_number
    }

    /// When the server scheduled the task.
    pub fn scheduled_time(&self) -> Option<SystemTime> {
        self.inner.scheduled_at
    }

    /// Appends a line to the attempt's log output (shown with the TaskRun).
    pub fn log(&self, entry: impl fmt::Display) {
        if let Ok(mut log) = self.inner.log.lock() {
            log.push(entry.to_string());
        }
    }

    /// The log so far, one entry a line (`None` when nothing was logged).
    pub fn log_output(&self) -> Option<String> {
        let log = self.inner.log.lock().ok()?;
        (!log.is_empty()).then(|| log.join("\n"))
    }
}

/// The inputs of one task, consumed in order by the parameters of a task function.
pub struct Inputs {
    vars: std::vec::IntoIter<VarNameAndVal>,
    next: usize,
    context: WorkerContext,
}

impl Inputs {
    pub(crate) fn new(task: ScheduledTask, context: WorkerContext) -> Inputs {
        Inputs {
            vars: task.variables.into_iter(),
            next: 0,
            context,
        }
    }
}

/// Why the inputs of a task could not be read (reported as `TASK_INPUT_VAR_SUB_ERROR`). Its
/// `Display` is the message reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// The task function takes more inputs than the task received.
    Missing {
        /// The input's position (0-based).
        index: usize,
    },
    /// An input does not convert to the parameter's type.
    Convert {
        /// The input's name.
        name: String,
        /// The input's position (0-based).
        index: usize,
        /// Why.
        error: ConvertError,
    },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Missing { index } => write!(
                f,
                "the task has no input #{index} (the TaskDef and the task function disagree)"
            ),
            InputError::Convert { name, index, error } => {
                write!(f, "input `{name}` (#{index}): {error}")
            }
        }
    }
}

impl std::error::Error for InputError {}

/// A parameter of a task function: a task input (any [`FromValue`] type) or the
/// [`WorkerContext`].
pub trait TaskArg: Sized + Send + 'static {
    /// `Some(type)` for a task input (`Some(None)`: any type), `None` for parameters that are
    /// not inputs.
    fn input_type() -> Option<Option<TypeDefinition>>;

    /// Takes this parameter from the inputs.
    fn extract(inputs: &mut Inputs) -> Result<Self, InputError>;
}

impl<T: FromValue> TaskArg for T {
    fn input_type() -> Option<Option<TypeDefinition>> {
        Some(T::type_def())
    }

    fn extract(inputs: &mut Inputs) -> Result<Self, InputError> {
        let index = inputs.next;
        inputs.next += 1;
        let Some(var) = inputs.vars.next() else {
            return Err(InputError::Missing { index });
        };
        T::from_value(var.value.and_then(|v| v.value)).map_err(|error| InputError::Convert {
            name: var.var_name.clone(),
            index,
            error,
        })
    }
}

impl TaskArg for WorkerContext {
    fn input_type() -> Option<Option<TypeDefinition>> {
        None
    }

    fn extract(inputs: &mut Inputs) -> Result<Self, InputError> {
        Ok(inputs.context.clone())
    }
}

/// The types a task function declares: one per input (`None`: any type) and the output
/// (`None`: not known statically).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// The input types, in order.
    pub inputs: Vec<Option<TypeDefinition>>,
    /// The return type.
    pub output: Option<ReturnType>,
}

/// How one attempt ended, ready to be reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// TASK_SUCCESS.
    Output(VariableValue),
    /// TASK_EXCEPTION.
    Exception(LhTaskException),
    /// TASK_FAILED, TASK_INPUT_VAR_SUB_ERROR or TASK_OUTPUT_SERDE_ERROR.
    Error(TaskStatus, LhTaskError),
}

impl Completion {
    pub(crate) fn input_error(e: InputError) -> Completion {
        Completion::Error(
            TaskStatus::TaskInputVarSubError,
            LhTaskError {
                r#type: LhErrorType::VarSubError as i32,
                message: e.to_string(),
            },
        )
    }

    pub(crate) fn failed(message: String) -> Completion {
        Completion::Error(
            TaskStatus::TaskFailed,
            LhTaskError {
                r#type: LhErrorType::TaskFailure as i32,
                message,
            },
        )
    }

    fn from_result<O: IntoValue>(res: Result<O, TaskError>) -> Completion {
        match res {
            Ok(out) => match out.into_value() {
                Ok(v) => Completion::Output(v),
                Err(e) => Completion::Error(
                    TaskStatus::TaskOutputSerdeError,
                    LhTaskError {
                        r#type: LhErrorType::VarMutationError as i32,
                        message: format!("cannot convert the task output: {e}"),
                    },
                ),
            },
            Err(TaskError::Exception {
                name,
                message,
                content,
            }) => Completion::Exception(LhTaskException {
                name,
                message,
                content,
            }),
            Err(TaskError::Failed(m)) => Completion::failed(m),
        }
    }
}

/// An async function usable as a task: parameters that are [`TaskArg`]s, returning
/// `Result<O, E>` with `O: IntoValue` and `E: Into<TaskError>`. Implemented for closures and
/// functions of up to eight parameters.
pub trait TaskFn<Args>: Send + Sync + 'static {
    /// The declared types.
    fn signature() -> Signature;

    /// Runs the function on the task's inputs.
    fn invoke(&self, inputs: Inputs) -> BoxFuture<Completion>;
}

macro_rules! impl_task_fn {
    ($($arg:ident),*) => {
        impl<F, Fut, O, E, $($arg,)*> TaskFn<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<O, E>> + Send + 'static,
            O: IntoValue,
            E: Into<TaskError> + 'static,
            $($arg: TaskArg,)*
        {
            fn signature() -> Signature {
                let inputs: Vec<Option<Option<TypeDefinition>>> = vec![$($arg::input_type()),*];
                Signature {
                    inputs: inputs.into_iter().flatten().collect(),
                    output: O::return_type(),
                }
            }

            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn invoke(&self, mut inputs: Inputs) -> BoxFuture<Completion> {
                $(
                    let $arg = match $arg::extract(&mut inputs) {
                        Ok(v) => v,
                        Err(e) => return Box::pin(std::future::ready(Completion::input_error(e))),
                    };
                )*
                let fut = (self)($($arg),*);
                Box::pin(async move { Completion::from_result(fut.await.map_err(Into::into)) })
            }
        }
    };
}

impl_task_fn!();
impl_task_fn!(A1);
impl_task_fn!(A1, A2);
impl_task_fn!(A1, A2, A3);
impl_task_fn!(A1, A2, A3, A4);
impl_task_fn!(A1, A2, A3, A4, A5);
impl_task_fn!(A1, A2, A3, A4, A5, A6);
impl_task_fn!(A1, A2, A3, A4, A5, A6, A7);
impl_task_fn!(A1, A2, A3, A4, A5, A6, A7, A8);

/// A task handler with its types erased.
pub(crate) trait Handler: Send + Sync + 'static {
    fn call(&self, task: ScheduledTask, context: WorkerContext) -> BoxFuture<Completion>;
}

/// A typed task function.
pub(crate) struct Typed<F, Args> {
    pub(crate) f: F,
    pub(crate) _args: std::marker::PhantomData<fn() -> Args>,
}

impl<F: TaskFn<Args>, Args: 'static> Handler for Typed<F, Args> {
    fn call(&self, task: ScheduledTask, context: WorkerContext) -> BoxFuture<Completion> {
        self.f.invoke(Inputs::new(task, context))
    }
}

/// A raw handler: the whole `ScheduledTask`, any output.
pub(crate) struct Raw<F>(pub(crate) F);

impl<F, Fut> Handler for Raw<F>
where
    F: Fn(ScheduledTask, WorkerContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<VariableValue, TaskError>> + Send + 'static,
{
    fn call(&self, task: ScheduledTask, context: WorkerContext) -> BoxFuture<Completion> {
        let fut = (self.0)(task, context);
        Box::pin(async move { Completion::from_result(fut.await) })
    }
}

/// One task of a worker: its name, input names, declared types and handler.
pub(crate) struct TaskSpec {
    pub(crate) name: String,
    pub(crate) input_names: Vec<String>,
    /// `None` for raw tasks (nothing declared, nothing checked).
    pub(crate) signature: Option<Signature>,
    pub(crate) handler: Arc<dyn Handler>,
}

impl TaskSpec {
    /// The PutTaskDefRequest this task stands for, as `lhc compile` writes it for the same
    /// declaration; an error when a type is not known statically.
    pub(crate) fn put_task_def(&self) -> Result<PutTaskDefRequest, String> {
        let Some(sig) = &self.signature else {
            return Err(format!(
                "task `{}` is a raw task: its TaskDef cannot be derived; register it with \
                 `lhc deploy --with-task-defs` instead",
                self.name
            ));
        };
        let mut input_vars = Vec::new();
        for (name, ty) in self.input_names.iter().zip(&sig.inputs) {
            let Some(ty) = ty else {
                return Err(format!(
                    "input `{name}` of task `{}` accepts any type (VariableValue): its TaskDef \
                     cannot be derived",
                    self.name
                ));
            };
            input_vars.push(VariableDef {
                name: name.clone(),
                type_def: Some(ty.clone()),
                ..Default::default()
            });
        }
        let Some(output) = &sig.output else {
            return Err(format!(
                "the output of task `{}` is a VariableValue: its TaskDef cannot be derived",
                self.name
            ));
        };
        Ok(PutTaskDefRequest {
            name: self.name.clone(),
            input_vars,
            return_type: Some(output.clone()),
            description: None,
        })
    }

    /// Checks the server's TaskDef against the declared inputs (count and types), as the
    /// SDKs do before polling.
    pub(crate) fn check_against(&self, def: &TaskDef) -> Result<(), String> {
        let Some(sig) = &self.signature else {
            return Ok(());
        };
        if def.input_vars.len() != sig.inputs.len() {
            let theirs: Vec<String> = def
                .input_vars
                .iter()
                .map(|v| {
                    let t = crate::values::type_of(v)
                        .map_or_else(|| "?".into(), |t| crate::values::type_name(&t));
                    format!("{}: {t}", v.name)
                })
                .collect();
            return Err(format!(
                "task `{}` takes {} input(s), but the server's TaskDef has {} ({})",
                self.name,
                sig.inputs.len(),
                def.input_vars.len(),
                theirs.join(", ")
            ));
        }
        for (i, (var, ours)) in def.input_vars.iter().zip(&sig.inputs).enumerate() {
            let (Some(ours), Some(theirs)) = (ours, crate::values::type_of(var)) else {
                continue;
            };
            if ours.defined_type != theirs.defined_type {
                return Err(format!(
                    "input #{i} `{}` of task `{}` is {} on the server, but the task function \
                     takes {}",
                    var.name,
                    self.name,
                    crate::values::type_name(&theirs),
                    crate::values::type_name(ours)
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::convert::{Json, primitive};
    use lhw_proto::littlehorse::VariableType;
    use lhw_proto::littlehorse::variable_value::Value;

    fn task(values: Vec<Option<Value>>) -> ScheduledTask {
        ScheduledTask {
            variables: values
                .into_iter()
                .enumerate()
                .map(|(i, v)| VarNameAndVal {
                    var_name: format!("v{i}"),
                    value: Some(VariableValue { value: v }),
                    masked: false,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn signature_of<Args, F: TaskFn<Args>>(_: &F) -> Signature {
        F::signature()
    }

    async fn call<Args: 'static, F: TaskFn<Args>>(f: F, t: ScheduledTask) -> Completion {
        let ctx = WorkerContext::new(&t);
        f.invoke(Inputs::new(t, ctx)).await
    }

    #[tokio::test]
    async fn typed_functions_read_inputs_and_report_outputs() {
        let add = |a: i64, b: i64| async move { Ok::<_, TaskError>(a + b) };
        let out = call(add, task(vec![Some(Value::Int(2)), Some(Value::Int(3))])).await;
        assert_eq!(
            out,
            Completion::Output(VariableValue {
                value: Some(Value::Int(5))
            })
        );
        assert_eq!(
            signature_of(&add),
            Signature {
                inputs: vec![
                    Some(primitive(VariableType::Int)),
                    Some(primitive(VariableType::Int))
                ],
                output: Some(ReturnType {
                    return_type: Some(primitive(VariableType::Int))
                }),
            }
        );
    }

    #[tokio::test]
    async fn the_context_is_not_an_input_and_collects_the_log() {
        let f = |name: String, ctx: WorkerContext| async move {
            ctx.log(format!("greeting {name}"));
            Ok::<_, TaskError>(ctx.log_output().unwrap_or_default())
        };
        let sig = signature_of(&f);
        assert_eq!(sig.inputs.len(), 1);
        let out = call(f, task(vec![Some(Value::Str("Ada".into()))])).await;
        assert_eq!(
            out,
            Completion::Output(VariableValue {
                value: Some(Value::Str("greeting Ada".into()))
            })
        );
    }

    #[tokio::test]
    async fn bad_inputs_exceptions_and_failures_map_to_statuses() {
        let f = |n: i64| async move {
            match n {
                0 => Err(TaskError::exception("zero", "n is zero")),
                1 => Err(TaskError::failed("n is one")),
                _ => Ok(Json(serde_json::json!({"n": n}))),
            }
        };
        let bad = call(f, task(vec![Some(Value::Str("x".into()))])).await;
        match bad {
            Completion::Error(TaskStatus::TaskInputVarSubError, e) => {
                assert_eq!(e.message, "input `v0` (#0): expected int, got str");
                assert_eq!(e.r#type, LhErrorType::VarSubError as i32);
            }
            other => panic!("{other:?}"),
        }
        let exn = call(f, task(vec![Some(Value::Int(0))])).await;
        assert_eq!(
            exn,
            Completion::Exception(LhTaskException {
                name: "zero".into(),
                message: "n is zero".into(),
                content: None
            })
        );
        match call(f, task(vec![Some(Value::Int(1))])).await {
            Completion::Error(TaskStatus::TaskFailed, e) => {
                assert_eq!(e.message, "n is one");
                assert_eq!(e.r#type, LhErrorType::TaskFailure as i32);
            }
            other => panic!("{other:?}"),
        }
        let missing = call(f, task(vec![])).await;
        assert!(
            matches!(&missing, Completion::Error(TaskStatus::TaskInputVarSubError, e)
                if e.message.contains("no input #0")),
            "{missing:?}"
        );
    }

    #[test]
    fn task_defs_are_derived_and_checked() {
        let f = |_: String, _: Option<f64>| async { Ok::<_, TaskError>(()) };
        let spec = TaskSpec {
            name: "t".into(),
            input_names: vec!["a".into(), "b".into()],
            signature: Some(signature_of(&f)),
            handler: Arc::new(Typed {
                f,
                _args: std::marker::PhantomData,
            }),
        };
        let req = spec.put_task_def().expect("derivable");
        assert_eq!(req.input_vars.len(), 2);
        assert_eq!(req.input_vars[1].name, "b");
        assert_eq!(
            req.input_vars[1].type_def,
            Some(primitive(VariableType::Double))
        );
        assert_eq!(req.return_type, Some(ReturnType { return_type: None }));
        let same = TaskDef {
            input_vars: req.input_vars.clone(),
            ..Default::default()
        };
        assert_eq!(spec.check_against(&same), Ok(()));
        let mut other = same.clone();
        other.input_vars[0].type_def = Some(primitive(VariableType::Int));
        let err = spec.check_against(&other).expect_err("type differs");
        assert_eq!(
            err,
            "input #0 `a` of task `t` is int on the server, but the task function takes str"
        );
        other.input_vars.pop();
        let err = spec.check_against(&other).expect_err("count differs");
        assert!(err.contains("takes 2 input(s)"), "{err}");
    }
}
