//! One table over the implemented RPCs: a malformed request (missing id,
//! empty name, unknown enum value, bad paging) is INVALID_ARGUMENT naming
//! the offending field, a request for something that does not exist is
//! NOT_FOUND, an RPC the kernel does not serve is UNIMPLEMENTED; and none of
//! them hurts the kernel.

mod common;

use common::*;
use lhw_proto::littlehorse::*;
use tonic::{Code, Response, Status};

/// `check! {failures, label, call, code, needle}`: makes the call (a
/// future) and records a mismatch between its answer and the expected code
/// and message part. (Braces keep each table row on one line.)
macro_rules! check {
    {$f:expr, $label:expr, $call:expr, $code:expr, $needle:expr} => {
        record($f, $label, $call.await, $code, $needle)
    };
}

/// Records a mismatch between an answer and the expected code and message part.
fn record<T>(
    failures: &mut Vec<String>,
    label: &str,
    answer: Result<Response<T>, Status>,
    code: Code,
    needle: &str,
) {
    match answer {
        Ok(_) => failures.push(format!("{label}: answered OK, expected {code:?}")),
        Err(s) if s.code() != code || !s.message().contains(needle) => failures.push(format!(
            "{label}: got {:?} \"{}\", expected {code:?} containing \"{needle}\"",
            s.code(),
            s.message()
        )),
        Err(_) => {}
    }
}

fn wf(id: &str) -> Option<WfRunId> {
    Some(wf_id(id))
}

fn ut_id(wf_run: &str, guid: &str) -> Option<UserTaskRunId> {
    Some(UserTaskRunId {
        wf_run_id: wf(wf_run),
        user_task_guid: guid.into(),
    })
}

const FLOWS: &str = r#"
task greet(name: str) -> str
event ping: int
workflow w {
  input name: str required
  var got: int
  got = await ping
}
"#;

#[tokio::test]
async fn malformed_requests_name_their_field_and_missing_objects_are_not_found() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        run(&mut c, "w", "r", &[("name", s("x"))]).await;
        let mut f = Vec::new();
        let f = &mut f;
        let bad = Code::InvalidArgument;
        let missing = Code::NotFound;
        let task_def = lhw_compiler::compile("task t(x: int) -> str\n")
            .output
            .unwrap()
            .task_defs
            .remove(0);
        let spec = lhw_compiler::compile(FLOWS)
            .output
            .unwrap()
            .wf_specs
            .remove(0);

        // ---- metadata ----
        check! {f, "GetTaskDef empty", c.get_task_def(TaskDefId { name: "".into() }), bad, "name must not be empty"}
        check! {f, "GetTaskDef missing", c.get_task_def(TaskDefId { name: "nope".into() }), missing, "nope"}
        check! {f, "PutTaskDef bad name", c.put_task_def(PutTaskDefRequest { name: "bad_name".into(), ..task_def.clone() }), bad, "name"}
        let mut odd = task_def.clone();
        odd.input_vars[0].r#type = Some(99);
        check! {f, "PutTaskDef unknown type", c.put_task_def(odd), bad, "input_vars[0].type"}
        check! {f, "DeleteTaskDef no id", c.delete_task_def(DeleteTaskDefRequest { id: None }), bad, "id must be set"}
        check! {f, "DeleteTaskDef missing", c.delete_task_def(DeleteTaskDefRequest { id: Some(TaskDefId { name: "nope".into() }) }), missing, "nope"}
        check! {f, "PutExternalEventDef empty", c.put_external_event_def(PutExternalEventDefRequest::default()), bad, "name"}
        check! {f, "GetExternalEventDef missing", c.get_external_event_def(ExternalEventDefId { name: "nope".into() }), missing, "nope"}
        check! {f, "DeleteExternalEventDef empty", c.delete_external_event_def(DeleteExternalEventDefRequest { id: Some(ExternalEventDefId::default()) }), bad, "id.name"}
        check! {f, "PutWorkflowEventDef empty", c.put_workflow_event_def(PutWorkflowEventDefRequest::default()), bad, "name"}
        check! {f, "GetWorkflowEventDef missing", c.get_workflow_event_def(WorkflowEventDefId { name: "nope".into() }), missing, "nope"}
        check! {f, "PutWfSpec empty name", c.put_wf_spec(PutWfSpecRequest { name: "".into(), ..spec.clone() }), bad, "name"}
        check! {f, "PutWfSpec unknown allowed_updates", c.put_wf_spec(PutWfSpecRequest { allowed_updates: 42, ..spec.clone() }), bad, "allowed_updates"}
        check! {f, "GetWfSpec empty", c.get_wf_spec(WfSpecId::default()), bad, "name"}
        check! {f, "GetWfSpec missing", c.get_wf_spec(WfSpecId { name: "w".into(), major_version: 3, revision: 0 }), missing, "w"}
        check! {f, "GetLatestWfSpec missing", c.get_latest_wf_spec(GetLatestWfSpecRequest { name: "nope".into(), major_version: None }), missing, "nope"}
        check! {f, "DeleteWfSpec no id", c.delete_wf_spec(DeleteWfSpecRequest { id: None }), bad, "id must be set"}
        check! {f, "DeleteWfSpec missing", c.delete_wf_spec(DeleteWfSpecRequest { id: Some(WfSpecId { name: "nope".into(), major_version: 0, revision: 0 }) }), missing, "nope"}
        check! {f, "PutStructDef no schema", c.put_struct_def(PutStructDefRequest { name: "s".into(), ..Default::default() }), bad, "struct_def"}
        check! {f, "PutStructDef unknown allowed_updates", c.put_struct_def(PutStructDefRequest { name: "s".into(), struct_def: Some(InlineStructDef::default()), allowed_updates: 7, ..Default::default() }), bad, "allowed_updates"}
        check! {f, "GetStructDef missing", c.get_struct_def(StructDefId { name: "nope".into(), version: 0 }), missing, "nope"}
        check! {f, "PutUserTaskDef JSON field", c.put_user_task_def(PutUserTaskDefRequest { name: "u".into(), fields: vec![UserTaskField { name: "a".into(), r#type: VariableType::JsonObj as i32, ..Default::default() }], description: None }), bad, "fields[0].type"}
        check! {f, "GetUserTaskDef empty", c.get_user_task_def(UserTaskDefId::default()), bad, "name"}
        check! {f, "GetLatestUserTaskDef missing", c.get_latest_user_task_def(GetLatestUserTaskDefRequest { name: "nope".into() }), missing, "nope"}
        check! {f, "DeleteUserTaskDef no id", c.delete_user_task_def(DeleteUserTaskDefRequest { id: None }), bad, "id must be set"}
        check! {f, "SearchWfSpec empty name", c.search_wf_spec(SearchWfSpecRequest { wf_spec_criteria: Some(search_wf_spec_request::WfSpecCriteria::Name("".into())), ..Default::default() }), bad, "name"}
        check! {f, "SearchTaskDef negative limit", c.search_task_def(SearchTaskDefRequest { limit: Some(-1), ..Default::default() }), bad, "limit"}

        // ---- runs ----
        check! {f, "RunWf empty spec", c.run_wf(RunWfRequest::default()), bad, "wf_spec_name"}
        check! {f, "RunWf missing spec", c.run_wf(RunWfRequest { wf_spec_name: "nope".into(), ..Default::default() }), missing, "nope"}
        check! {f, "RunWf bad id", c.run_wf(RunWfRequest { wf_spec_name: "w".into(), id: Some("a_b".into()), ..Default::default() }), bad, "id"}
        check! {f, "RunWf missing input", c.run_wf(RunWfRequest { wf_spec_name: "w".into(), ..Default::default() }), bad, "variables.name"}
        check! {f, "RunWf unknown input", c.run_wf(RunWfRequest { wf_spec_name: "w".into(), variables: [("zz".to_string(), s("1"))].into(), ..Default::default() }), bad, "zz"}
        check! {f, "RunWf empty parent", c.run_wf(RunWfRequest { wf_spec_name: "w".into(), parent_wf_run_id: Some(WfRunId::default()), ..Default::default() }), bad, "parent_wf_run_id.id"}
        check! {f, "GetWfRun empty", c.get_wf_run(WfRunId::default()), bad, "id must not be empty"}
        check! {f, "GetWfRun missing", c.get_wf_run(wf_id("nope")), missing, "nope"}
        check! {f, "StopWfRun no id", c.stop_wf_run(StopWfRunRequest::default()), bad, "wf_run_id must be set"}
        check! {f, "StopWfRun negative thread", c.stop_wf_run(StopWfRunRequest { wf_run_id: wf("r"), thread_run_number: -1 }), bad, "thread_run_number"}
        check! {f, "ResumeWfRun no such thread", c.resume_wf_run(ResumeWfRunRequest { wf_run_id: wf("r"), thread_run_number: 9 }), bad, "thread_run_number"}
        check! {f, "StopWfRun missing", c.stop_wf_run(StopWfRunRequest { wf_run_id: wf("nope"), thread_run_number: 0 }), missing, "nope"}
        check! {f, "RescueThreadRun no id", c.rescue_thread_run(RescueThreadRunRequest::default()), bad, "wf_run_id must be set"}
        check! {f, "RescueThreadRun missing", c.rescue_thread_run(RescueThreadRunRequest { wf_run_id: wf("nope"), ..Default::default() }), missing, "nope"}
        check! {f, "RescueThreadRun not in ERROR", c.rescue_thread_run(RescueThreadRunRequest { wf_run_id: wf("r"), ..Default::default() }), Code::FailedPrecondition, "not ERROR"}
        check! {f, "DeleteWfRun empty id", c.delete_wf_run(DeleteWfRunRequest { id: Some(WfRunId::default()) }), bad, "id.id"}
        check! {f, "GetInactiveThreadRun", c.get_inactive_thread_run(InactiveThreadRunId { wf_run_id: wf("r"), thread_run_number: 0 }), missing, "only a COMPLETED child ThreadRun"}
        check! {f, "GetInactiveThreadRun missing run", c.get_inactive_thread_run(InactiveThreadRunId { wf_run_id: wf("nope"), thread_run_number: 0 }), missing, "WfRun nope"}
        check! {f, "SearchWfRun unknown status", c.search_wf_run(SearchWfRunRequest { wf_spec_name: "w".into(), status: Some(77), ..Default::default() }), bad, "status"}
        check! {f, "SearchWfRun bad bookmark", c.search_wf_run(SearchWfRunRequest { wf_spec_name: "w".into(), bookmark: Some(b"[\"x\"]".to_vec()), ..Default::default() }), bad, "bookmark"}
        check! {f, "GetNodeRun no run id", c.get_node_run(NodeRunId::default()), bad, "wf_run_id must be set"}
        check! {f, "GetNodeRun missing", c.get_node_run(NodeRunId { wf_run_id: wf("r"), thread_run_number: 0, position: 99 }), missing, "99"}
        check! {f, "ListNodeRuns negative limit", c.list_node_runs(ListNodeRunsRequest { wf_run_id: wf("r"), limit: Some(-2), ..Default::default() }), bad, "limit"}
        check! {f, "ListNodeRuns junk bookmark", c.list_node_runs(ListNodeRunsRequest { wf_run_id: wf("r"), bookmark: Some(b"junk".to_vec()), ..Default::default() }), bad, "bookmark"}
        check! {f, "SearchNodeRun unknown status", c.search_node_run(SearchNodeRunRequest { external_event_def: Some(ExternalEventDefId { name: "ping".into() }), status: 55, ..Default::default() }), bad, "status"}
        check! {f, "GetTaskRun empty guid", c.get_task_run(TaskRunId { wf_run_id: wf("r"), task_guid: "".into() }), bad, "task_guid"}
        check! {f, "GetTaskRun missing", c.get_task_run(TaskRunId { wf_run_id: wf("r"), task_guid: "g".into() }), missing, "g"}
        check! {f, "ListTaskRuns no run id", c.list_task_runs(ListTaskRunsRequest::default()), bad, "wf_run_id"}
        check! {f, "SearchTaskRun unknown status", c.search_task_run(SearchTaskRunRequest { task_def_name: "greet".into(), status: Some(123), ..Default::default() }), bad, "status"}
        check! {f, "GetVariable empty name", c.get_variable(VariableId { wf_run_id: wf("r"), thread_run_number: 0, name: "".into() }), bad, "name"}
        check! {f, "GetVariable missing", c.get_variable(VariableId { wf_run_id: wf("r"), thread_run_number: 0, name: "nope".into() }), missing, "nope"}
        check! {f, "ListVariables empty run id", c.list_variables(ListVariablesRequest { wf_run_id: Some(WfRunId::default()), ..Default::default() }), bad, "wf_run_id.id"}
        check! {f, "SearchVariable no value", c.search_variable(SearchVariableRequest { wf_spec_name: "w".into(), var_name: "name".into(), ..Default::default() }), bad, "value"}

        // ---- events ----
        check! {f, "PutExternalEvent no def", c.put_external_event(PutExternalEventRequest { wf_run_id: wf("r"), ..Default::default() }), bad, "external_event_def_id must be set"}
        check! {f, "PutExternalEvent no run", c.put_external_event(PutExternalEventRequest { external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), ..Default::default() }), bad, "wf_run_id"}
        check! {f, "PutExternalEvent missing def", c.put_external_event(PutExternalEventRequest { wf_run_id: wf("r"), external_event_def_id: Some(ExternalEventDefId { name: "nope".into() }), ..Default::default() }), missing, "nope"}
        check! {f, "PutExternalEvent wrong type", c.put_external_event(PutExternalEventRequest { wf_run_id: wf("r"), external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), content: Some(s("text")), ..Default::default() }), bad, "content"}
        check! {f, "PutExternalEvent empty guid", c.put_external_event(PutExternalEventRequest { wf_run_id: wf("r"), external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), guid: Some("".into()), content: Some(int(1)), ..Default::default() }), bad, "guid"}
        check! {f, "GetExternalEvent empty guid", c.get_external_event(ExternalEventId { wf_run_id: wf("r"), external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), guid: "".into() }), bad, "guid"}
        check! {f, "GetExternalEvent missing", c.get_external_event(ExternalEventId { wf_run_id: wf("r"), external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), guid: "g".into() }), missing, "g"}
        check! {f, "PutCorrelatedEvent empty key", c.put_correlated_event(PutCorrelatedEventRequest { external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }), ..Default::default() }), bad, "key"}
        check! {f, "GetCorrelatedEvent missing", c.get_correlated_event(CorrelatedEventId { key: "k".into(), external_event_def_id: Some(ExternalEventDefId { name: "ping".into() }) }), missing, "k"}
        check! {f, "GetWorkflowEvent no def", c.get_workflow_event(WorkflowEventId { wf_run_id: wf("r"), ..Default::default() }), bad, "workflow_event_def_id"}

        // ---- user tasks ----
        check! {f, "GetUserTaskRun empty guid", c.get_user_task_run(UserTaskRunId { wf_run_id: wf("r"), user_task_guid: "".into() }), bad, "user_task_guid"}
        check! {f, "GetUserTaskRun missing", c.get_user_task_run(UserTaskRunId { wf_run_id: wf("r"), user_task_guid: "g".into() }), missing, "g"}
        check! {f, "AssignUserTaskRun no id", c.assign_user_task_run(AssignUserTaskRunRequest { user_id: Some("ann".into()), ..Default::default() }), bad, "user_task_run_id must be set"}
        check! {f, "AssignUserTaskRun empty guid", c.assign_user_task_run(AssignUserTaskRunRequest { user_task_run_id: ut_id("r", ""), user_id: Some("ann".into()), ..Default::default() }), bad, "user_task_run_id.user_task_guid"}
        check! {f, "AssignUserTaskRun nobody", c.assign_user_task_run(AssignUserTaskRunRequest { user_task_run_id: ut_id("r", "g"), ..Default::default() }), bad, "user_id or user_group"}
        check! {f, "CompleteUserTaskRun missing", c.complete_user_task_run(CompleteUserTaskRunRequest { user_task_run_id: ut_id("r", "g"), ..Default::default() }), missing, "g"}
        check! {f, "CancelUserTaskRun empty run", c.cancel_user_task_run(CancelUserTaskRunRequest { user_task_run_id: ut_id("", "g") }), bad, "user_task_run_id.wf_run_id.id"}
        check! {f, "SaveUserTaskRunProgress unknown policy", c.save_user_task_run_progress(SaveUserTaskRunProgressRequest { user_task_run_id: ut_id("r", "g"), policy: 9, ..Default::default() }), bad, "policy"}
        check! {f, "SearchUserTaskRun unknown status", c.search_user_task_run(SearchUserTaskRunRequest { status: Some(40), ..Default::default() }), bad, "status"}
        check! {f, "ListUserTaskRuns no run id", c.list_user_task_runs(ListUserTaskRunRequest::default()), bad, "wf_run_id"}

        // ---- workers ----
        check! {f, "RegisterTaskWorker no def", c.register_task_worker(RegisterTaskWorkerRequest::default()), bad, "task_def_id"}
        check! {f, "RegisterTaskWorker missing def", c.register_task_worker(RegisterTaskWorkerRequest { task_def_id: Some(TaskDefId { name: "nope".into() }), ..Default::default() }), missing, "nope"}
        check! {f, "ReportTask no id", c.report_task(ReportTaskRun::default()), bad, "task_run_id"}
        check! {f, "PutCheckpoint no id", c.put_checkpoint(PutCheckpointRequest::default()), bad, "task_run_id must be set"}
        check! {f, "PutCheckpoint empty guid", c.put_checkpoint(PutCheckpointRequest { task_run_id: Some(TaskRunId { wf_run_id: wf("r"), task_guid: "".into() }), ..Default::default() }), bad, "task_run_id.task_guid"}
        check! {f, "GetCheckpoint no task run", c.get_checkpoint(CheckpointId::default()), bad, "task_run must be set"}
        check! {f, "GetCheckpoint missing", c.get_checkpoint(CheckpointId { task_run: Some(TaskRunId { wf_run_id: wf("r"), task_guid: "g".into() }), checkpoint_number: 0 }), missing, "Checkpoint 0"}
        check! {f, "GetTaskWorkerGroup empty", c.get_task_worker_group(TaskDefId::default()), bad, "name"}
        check! {f, "GetTaskWorkerGroup none registered", c.get_task_worker_group(TaskDefId { name: "nope".into() }), missing, "nope"}

        // ---- event searches, metrics ----
        check! {f, "SearchExternalEvent no def", c.search_external_event(SearchExternalEventRequest::default()), bad, "external_event_def_id must be set"}
        check! {f, "DeleteCorrelatedEvent no id", c.delete_correlated_event(DeleteCorrelatedEventRequest::default()), bad, "id"}
        check! {f, "DeleteCorrelatedEvent empty def", c.delete_correlated_event(DeleteCorrelatedEventRequest { id: Some(CorrelatedEventId { key: "k".into(), external_event_def_id: Some(ExternalEventDefId::default()) }) }), bad, "id.external_event_def_id.name"}
        check! {f, "CountNodeRun revision without major", c.count_node_run(CountNodeRunRequest { filter: Some(count_node_run_request::Filter::WfSpecFilter(count_node_run_request::WfSpecFilter { wf_spec_name: "w".into(), wf_spec_major_version: None, wf_spec_revision: Some(0) })) }), bad, "wf_spec_major_version"}
        check! {f, "CountTaskRun no name", c.count_task_run(CountTaskRunRequest::default()), bad, "task_def_name"}
        check! {f, "CountTaskRun not scheduled", c.count_task_run(CountTaskRunRequest { task_def_name: "t".into(), status: TaskStatus::TaskRunning as i32 }), bad, "TASK_SCHEDULED"}
        check! {f, "SearchCorrelatedEvent empty def", c.search_correlated_event(SearchCorrelatedEventRequest { external_event_def_id: Some(ExternalEventDefId::default()), ..Default::default() }), bad, "external_event_def_id.name"}
        check! {f, "SearchWorkflowEvent bad bookmark", c.search_workflow_event(SearchWorkflowEventRequest { workflow_event_def_id: Some(WorkflowEventDefId { name: "w".into() }), bookmark: Some(b"junk".to_vec()), ..Default::default() }), bad, "bookmark"}
        check! {f, "GetMetricWindow no start", c.get_metric_window(MetricWindowId::default()), bad, "window_start"}
        check! {f, "SearchWfMetricWindow no name", c.search_wf_metric_window(SearchWfMetricWindowRequest::default()), bad, "wfSpecName"}

        // ---- schedules and migrations ----
        check! {f, "ScheduleWf no name", c.schedule_wf(ScheduleWfRequest::default()), bad, "wf_spec_name"}
        check! {f, "GetScheduledWfRun empty id", c.get_scheduled_wf_run(ScheduledWfRunId::default()), bad, "id"}
        check! {f, "GetScheduledWfRun missing", c.get_scheduled_wf_run(ScheduledWfRunId { id: "nope".into() }), missing, "nope"}
        check! {f, "MigrateWfSpec no old", c.migrate_wf_spec(MigrateWfSpecRequest::default()), bad, "old_wf_spec"}
        check! {f, "PutWorkflowMigrationPlan no name", c.put_workflow_migration_plan(PutWorkflowMigrationPlanRequest::default()), bad, "name"}
        check! {f, "PutWorkflowMigrationPlan no old", c.put_workflow_migration_plan(PutWorkflowMigrationPlanRequest { name: "p".into(), ..Default::default() }), bad, "old_wf_spec"}
        check! {f, "GetWorkflowMigrationPlan empty", c.get_workflow_migration_plan(WorkflowMigrationPlanId::default()), bad, "name"}
        check! {f, "GetWorkflowMigrationPlan missing", c.get_workflow_migration_plan(WorkflowMigrationPlanId { name: "nope".into() }), missing, "WorkflowMigrationPlan"}
        check! {f, "DeleteWorkflowMigrationPlan no id", c.delete_workflow_migration_plan(DeleteWorkflowMigrationPlanRequest::default()), bad, "id"}
        check! {f, "DeleteWorkflowMigrationPlan missing", c.delete_workflow_migration_plan(DeleteWorkflowMigrationPlanRequest { id: Some(WorkflowMigrationPlanId { name: "nope".into() }) }), missing, "nope"}
        check! {f, "ApplyWorkflowMigrationPlan no id", c.apply_workflow_migration_plan(ApplyWorkflowMigrationPlanRequest::default()), bad, "id"}
        check! {f, "ApplyWorkflowMigrationPlan no run", c.apply_workflow_migration_plan(ApplyWorkflowMigrationPlanRequest { id: Some(WorkflowMigrationPlanId { name: "p".into() }), ..Default::default() }), bad, "wf_run_id"}
        check! {f, "SearchWorkflowMigrationPlan bad bookmark", c.search_workflow_migration_plan(SearchWorkflowMigrationPlanRequest { bookmark: Some(b"junk".to_vec()), ..Default::default() }), bad, "bookmark"}

        // ---- bulk jobs and quotas ----
        check! {f, "CreateBulkJob no operation", c.create_bulk_job(CreateBulkJobRequest::default()), bad, "bulk_delete_wf_run"}
        check! {f, "GetBulkJob no id", c.get_bulk_job(GetBulkJobRequest::default()), bad, "id"}
        check! {f, "GetBulkJob missing", c.get_bulk_job(GetBulkJobRequest { id: Some(BulkJobId { id: "nope".into() }) }), missing, "nope"}
        check! {f, "SearchBulkJob bad status", c.search_bulk_job(SearchBulkJobRequest { status: Some(99), ..Default::default() }), bad, "status"}
        check! {f, "DeleteBulkJob no id", c.delete_bulk_job(DeleteBulkJobRequest::default()), bad, "id"}
        check! {f, "PutQuota no tenant", c.put_quota(PutQuotaRequest::default()), bad, "tenant"}
        check! {f, "GetQuota no tenant", c.get_quota(QuotaId::default()), bad, "tenant"}
        check! {f, "DeleteQuota no id", c.delete_quota(DeleteQuotaRequest::default()), bad, "id"}

        // ---- tenants ----
        check! {f, "PutTenant no id", c.put_tenant(PutTenantRequest::default()), bad, "tenant id"}

        // ---- not served ----
        check! {f, "ListQuotaUsageMetrics", c.list_quota_usage_metrics(ListQuotaUsageMetricsRequest::default()), Code::Unimplemented, "ListQuotaUsageMetrics"}

        assert!(f.is_empty(), "{} mismatches:\n{}", f.len(), f.join("\n"));
        // The kernel is still well: the WfRun still waits and still completes.
        c.put_external_event(PutExternalEventRequest {
            wf_run_id: wf("r"),
            external_event_def_id: Some(ExternalEventDefId {
                name: "ping".into(),
            }),
            content: Some(int(1)),
            ..Default::default()
        })
        .await
        .unwrap();
        wait_status(&mut c, "r", LhStatus::Completed).await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

const TYPED: &str = r#"
workflow typed {
  input n: int
  input d: double
  input t: str
  input o: json-obj
  input a: json-arr
}
"#;

fn json_obj(text: &str) -> VariableValue {
    VariableValue {
        value: Some(variable_value::Value::JsonObj(text.into())),
    }
}

fn json_arr(text: &str) -> VariableValue {
    VariableValue {
        value: Some(variable_value::Value::JsonArr(text.into())),
    }
}

/// RunWf checks each input against its declared type as LittleHorse's server
/// does (ThreadSpecModel#validateStartVariables, TypeCastingUtils#canBeType):
/// a wrong type is INVALID_ARGUMENT in LittleHorse's words; an INT for a
/// DOUBLE or any primitive for a STR is accepted; JSON text is not parsed
/// (docs/differences.md).
#[tokio::test]
async fn run_wf_checks_input_types_as_littlehorse_does() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(TYPED).await;
        let bad = Code::InvalidArgument;
        let mut f = Vec::new();
        let f = &mut f;
        let runs = |vars: Vec<(&str, VariableValue)>| RunWfRequest {
            wf_spec_name: "typed".into(),
            variables: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ..Default::default()
        };
        check! {f, "str for int", c.run_wf(runs(vec![("n", s("7"))])), bad, "Variable n invalid: Value of type STR is not compatible with expected type INT"}
        check! {f, "str for double", c.run_wf(runs(vec![("d", s("1.5"))])), bad, "Value of type STR is not compatible with expected type DOUBLE"}
        check! {f, "json-obj for json-arr", c.run_wf(runs(vec![("a", json_obj("{}"))])), bad, "Value of type JSON_OBJ is not compatible with expected type JSON_ARR"}
        check! {f, "json-arr for json-obj", c.run_wf(runs(vec![("o", json_arr("[]"))])), bad, "Variable o invalid: Value of type JSON_ARR is not compatible with expected type JSON_OBJ"}
        check! {f, "int for json-obj", c.run_wf(runs(vec![("o", int(1))])), bad, "ThreadSpec"}
        assert!(f.is_empty(), "{} mismatches:\n{}", f.len(), f.join("\n"));

        // What LittleHorse accepts, the kernel accepts.
        run(&mut c, "typed", "ok", &[("n", int(7)), ("d", int(2)), ("t", int(9)), ("o", json_obj("{not json")), ("a", json_arr("{\"k\": 1}"))]).await;
        wait_status(&mut c, "ok", LhStatus::Completed).await;
        assert_eq!(var(&mut c, "ok", "d").await, Some(variable_value::Value::Double(2.0)));
        assert_eq!(var(&mut c, "ok", "t").await, Some(variable_value::Value::Str("9".into())));
        assert_eq!(var(&mut c, "ok", "o").await, Some(variable_value::Value::JsonObj("{not json".into())));
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

/// A request message over 4 MiB is RESOURCE_EXHAUSTED, as grpc-java (and so
/// LittleHorse's server) answers it, not tonic's OUT_OF_RANGE; the kernel
/// serves the next request.
#[tokio::test]
async fn a_message_over_four_mib_is_resource_exhausted() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, c) = start_deployed(TYPED).await;
        let mut c = c.clone().max_encoding_message_size(64 * 1024 * 1024);
        let huge = "x".repeat(5 * 1024 * 1024);
        let answer = c
            .run_wf(RunWfRequest {
                wf_spec_name: "typed".into(),
                variables: [("t".to_string(), s(&huge))].into(),
                ..Default::default()
            })
            .await;
        let status = answer.expect_err("a 5 MiB message is refused");
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        assert!(
            status
                .message()
                .starts_with("gRPC message exceeds maximum size 4194304: 52"),
            "{}",
            status.message()
        );
        run(&mut c, "typed", "after", &[("t", s("small"))]).await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

/// PollTask for a TaskDef that does not exist is parked, as LittleHorse's
/// server parks it (PollTaskRequestObserver#onNext and
/// TaskQueueManager#onPollRequest look no TaskDef up): the stream stays open,
/// and once the TaskDef exists and a task of it is scheduled, the parked poll
/// receives it.
#[tokio::test]
async fn poll_task_for_an_unknown_task_def_is_parked_not_refused() {
    use tokio_stream::StreamExt;
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(TYPED).await;
        let poll = PollTaskRequest {
            task_def_id: Some(TaskDefId {
                name: "later".into(),
            }),
            client_id: "early-worker".into(),
            task_worker_version: None,
        };
        let requests = tokio_stream::iter(vec![poll]).chain(tokio_stream::pending());
        let mut answers = c
            .poll_task(requests)
            .await
            .expect("PollTask for an unknown TaskDef opens its stream")
            .into_inner();
        deploy(
            &mut c,
            "task later() -> str\nworkflow uses-later {\n  var out: str\n  out = later()\n}\n",
        )
        .await;
        run(&mut c, "uses-later", "r", &[]).await;
        let task = answers
            .message()
            .await
            .expect("a task, not an error")
            .expect("the stream is open")
            .result
            .expect("a scheduled task");
        assert_eq!(task.task_def_id.map(|d| d.name).as_deref(), Some("later"));
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

const SHAPES: &str = r#"
task greet(name: str) -> str
event ping: int
workflow shapes {
  input name: str
  var got: int
  greet(name)
  got = await ping
}
"#;

/// The compiled `shapes` WfSpec, renamed, with `edit` applied to its entrypoint thread.
fn shapes_with(name: &str, edit: impl FnOnce(&mut ThreadSpec)) -> PutWfSpecRequest {
    let mut spec = lhw_compiler::compile(SHAPES)
        .output
        .expect("SHAPES compiles")
        .wf_specs
        .remove(0);
    spec.name = name.into();
    let entry = spec.entrypoint_thread_name.clone();
    edit(
        spec.thread_specs
            .get_mut(&entry)
            .expect("entrypoint thread"),
    );
    spec
}

/// The name of the node of a kind (`TASK`, `EXIT`, ...), from the lowering's `{index}-{human}-{KIND}`.
fn node_named(t: &ThreadSpec, kind: &str) -> String {
    t.nodes
        .keys()
        .find(|k| k.ends_with(&format!("-{kind}")))
        .unwrap_or_else(|| panic!("a {kind} node"))
        .clone()
}

fn ping(id: &str) -> PutExternalEventRequest {
    PutExternalEventRequest {
        wf_run_id: wf(id),
        external_event_def_id: Some(ExternalEventDefId {
            name: "ping".into(),
        }),
        content: Some(int(1)),
        ..Default::default()
    }
}

/// PutWfSpec validates as LittleHorse's server does (issue 15 §2, one row per
/// case; docs/differences.md "PutWfSpec"): what the server refuses is
/// INVALID_ARGUMENT naming the field; what it accepts is accepted and then
/// behaves as on the server (a missing edge fails at run time with its
/// VAR_SUB_ERROR, an untyped variable is a JSON_OBJ, names have no length limit).
#[tokio::test]
async fn put_wf_spec_validates_as_the_server_does() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(SHAPES).await;
        let _worker = worker(&kernel, "greet", returns(s("hi"))).await;
        let mut f = Vec::new();
        let f = &mut f;

        // Refused: an unknown mutation operation (LittleHorse throws on it).
        let op55 = shapes_with("op55", |t| {
            let task = node_named(t, "TASK");
            let edge = &mut t.nodes.get_mut(&task).unwrap().outgoing_edges[0];
            edge.variable_mutations.push(VariableMutation {
                lhs_name: "got".into(),
                operation: 55,
                rhs_value: Some(variable_mutation::RhsValue::LiteralValue(int(1))),
                ..Default::default()
            });
        });
        check! {f, "mutation operation 55", c.put_wf_spec(op55), Code::InvalidArgument, "variable_mutations[0].operation: 55 is not a known VariableMutationType"}

        // Accepted, failing at run time as on the server: a TASK or EXTERNAL_EVENT node without edges.
        for kind in ["TASK", "EXTERNAL_EVENT"] {
            let name = format!("no-edge-{}", kind.to_lowercase().replace('_', "-"));
            let spec = shapes_with(&name, |t| {
                let node = node_named(t, kind);
                t.nodes.get_mut(&node).unwrap().outgoing_edges.clear();
            });
            let node = node_named(&spec.thread_specs[&spec.entrypoint_thread_name], kind);
            c.put_wf_spec(spec).await.unwrap_or_else(|e| panic!("{name} is accepted: {e}"));
            run(&mut c, &name, &name, &[("name", s("x"))]).await;
            if kind == "EXTERNAL_EVENT" {
                c.put_external_event(ping(&name)).await.expect("event posted");
            }
            wait_status(&mut c, &name, LhStatus::Error).await;
            let failure = node_runs(&mut c, &name, Some(0))
                .await
                .into_iter()
                .find(|nr| nr.node_name == node)
                .and_then(|nr| nr.failures.last().cloned())
                .expect("the node failed");
            assert_eq!(failure.failure_name, "VAR_SUB_ERROR", "{name}");
            assert!(
                failure.message.contains(&format!("No outgoing edges found on Node {node} with all conditions satisfied")),
                "{name}: {}",
                failure.message
            );
        }

        // Accepted and harmless: an EXIT node with an edge (the thread ends at the EXIT).
        let exit_edge = shapes_with("exit-edge", |t| {
            let (exit, task) = (node_named(t, "EXIT"), node_named(t, "TASK"));
            t.nodes.get_mut(&exit).unwrap().outgoing_edges.push(Edge {
                sink_node_name: task,
                ..Default::default()
            });
        });
        c.put_wf_spec(exit_edge).await.expect("an EXIT with an edge is accepted");
        run(&mut c, "exit-edge", "exit-edge", &[("name", s("x"))]).await;
        c.put_external_event(ping("exit-edge")).await.expect("event posted");
        wait_status(&mut c, "exit-edge", LhStatus::Completed).await;

        // Accepted: a variable without a type is a JSON_OBJ, as the server stores it.
        let untyped = shapes_with("untyped", |t| {
            t.variable_defs.push(ThreadVarDef {
                var_def: Some(VariableDef {
                    name: "loose".into(),
                    ..Default::default()
                }),
                ..Default::default()
            });
        });
        let stored = c.put_wf_spec(untyped).await.expect("an untyped variable is accepted").into_inner();
        let loose = stored.thread_specs[&stored.entrypoint_thread_name]
            .variable_defs
            .iter()
            .find_map(|v| v.var_def.as_ref().filter(|d| d.name == "loose"))
            .and_then(|d| d.type_def.clone())
            .and_then(|t| t.defined_type);
        assert_eq!(loose, Some(type_definition::DefinedType::PrimitiveType(VariableType::JsonObj as i32)));
        run(&mut c, "untyped", "untyped", &[("name", s("x")), ("loose", json_obj("{\"k\": 1}"))]).await;
        c.put_external_event(ping("untyped")).await.expect("event posted");
        wait_status(&mut c, "untyped", LhStatus::Completed).await;

        // Accepted: an input variable named `a/b` (the server checks no variable name).
        let slash = shapes_with("slash", |t| {
            let v = t.variable_defs.iter_mut().find_map(|v| v.var_def.as_mut().filter(|d| d.name == "name")).unwrap();
            v.name = "a/b".into();
            let task = node_named(t, "TASK");
            let node = t.nodes.get_mut(&task).unwrap();
            if let Some(node::Node::Task(tn)) = &mut node.node {
                tn.variables[0].source = Some(variable_assignment::Source::VariableName("a/b".into()));
            }
        });
        c.put_wf_spec(slash).await.expect("a variable named a/b is accepted");
        run(&mut c, "slash", "slash", &[("a/b", s("x"))]).await;
        c.put_external_event(ping("slash")).await.expect("event posted");
        wait_status(&mut c, "slash", LhStatus::Completed).await;
        assert_eq!(var(&mut c, "slash", "a/b").await, Some(variable_value::Value::Str("x".into())));

        // Accepted: 100,000-character names and ids (the server's rule is the hostname
        // pattern, without a length; its limit is the record size, ~1 MB).
        let long = "n".repeat(100_000);
        c.put_task_def(PutTaskDefRequest { name: long.clone(), ..Default::default() }).await.expect("a long TaskDef name");
        c.put_external_event_def(PutExternalEventDefRequest { name: long.clone(), ..Default::default() }).await.expect("a long ExternalEventDef name");
        c.put_wf_spec(shapes_with(&long, |_| {})).await.expect("a long WfSpec name");
        run(&mut c, &long, &long, &[("name", s("x"))]).await;
        c.put_external_event(ping(&long)).await.expect("event posted");
        wait_status(&mut c, &long, LhStatus::Completed).await;
        check! {f, "a 100,000-character name that is no hostname", c.put_task_def(PutTaskDefRequest { name: format!("{long}-"), ..Default::default() }), Code::InvalidArgument, "name"}

        assert!(f.is_empty(), "{} mismatches:\n{}", f.len(), f.join("\n"));
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
