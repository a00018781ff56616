//! The gRPC service `littlehorse.LittleHorse`: each RPC forwards to the
//! engine thread; RPCs the kernel does not implement answer UNIMPLEMENTED.

use crate::access::{directory::Directory, rpc as access_rpc};
use crate::engine::{Engine, EngineError, EngineHandle};
use crate::mask::MaskForClient;
use crate::request::{
    check_user_task_run_id, enum_value, limit, not_empty, opt_enum_value, page_of, required,
    wf_run_key_from, wf_run_key_of,
};
use crate::{metadata, search, wfspec, worker};
use lhw_proto::littlehorse::little_horse_server::LittleHorse;
use lhw_proto::littlehorse::*;
use pbjson_types::Empty;
use std::sync::Arc;
use tonic::{Request, Response, Status};

mod status;

/// The service implementation: a handle to the engine plus the address
/// workers are told to poll.
#[derive(Clone)]
pub(crate) struct KernelService {
    /// The engine.
    pub(crate) engine: EngineHandle,
    /// This kernel's host and port, as returned in `your_hosts`.
    pub(crate) advertised: LhHostInfo,
    /// Principals, tenants and the tenants' engines.
    pub(crate) directory: Arc<Directory>,
}

impl KernelService {
    /// The engine of the calling tenant ([`crate::access`]); the default engine outside
    /// the access layer.
    pub(crate) fn engine(&self) -> EngineHandle {
        crate::access::current().map_or_else(|| self.engine.clone(), |c| c.engine)
    }

    async fn call<T, F>(&self, f: F) -> Result<Response<T>, Status>
    where
        T: Send + 'static,
        F: FnOnce(&mut Engine) -> Result<T, EngineError> + Send + 'static,
    {
        Ok(Response::new(self.engine().call(f).await?))
    }

    /// [`Self::call`] for a response that carries values: masked ones are hidden
    /// ([`crate::mask`]).
    async fn call_masked<T, F>(&self, f: F) -> Result<Response<T>, Status>
    where
        T: MaskForClient + Send + 'static,
        F: FnOnce(&mut Engine) -> Result<T, EngineError> + Send + 'static,
    {
        let mut out = self.engine().call(f).await?;
        out.mask_for_client();
        Ok(Response::new(out))
    }
}

/// A thread number: never negative.
fn thread_number(n: i32) -> Result<(), Status> {
    if n < 0 {
        Err(Status::invalid_argument(format!(
            "thread_run_number must not be negative, got {n}"
        )))
    } else {
        Ok(())
    }
}

fn unimplemented<T>(rpc: &str) -> Result<Response<T>, Status> {
    Err(Status::unimplemented(format!(
        "{rpc} is not implemented by the embedded lhw kernel yet"
    )))
}

#[tonic::async_trait]
impl LittleHorse for KernelService {
    type PollTaskStream = worker::PollTaskStream;

    async fn put_task_def(
        &self,
        request: Request<PutTaskDefRequest>,
    ) -> Result<Response<TaskDef>, Status> {
        let r = request.into_inner();
        self.call(move |e| metadata::put_task_def(e.store(), r))
            .await
    }

    async fn get_task_def(&self, request: Request<TaskDefId>) -> Result<Response<TaskDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_task_def(e.store(), &r.name))
            .await
    }

    async fn get_task_worker_group(
        &self,
        request: Request<TaskDefId>,
    ) -> Result<Response<TaskWorkerGroup>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| crate::worker_group::get(e.store(), &r.name))
            .await
    }

    async fn delete_task_def(
        &self,
        request: Request<DeleteTaskDefRequest>,
    ) -> Result<Response<Empty>, Status> {
        let name = required(request.into_inner().id, "id")?.name;
        not_empty(&name, "id.name")?;
        self.call(move |e| {
            metadata::delete_task_def(e.store(), &name)?;
            // As the server (`DeleteTaskDefRequestModel.process` forwards a
            // DeleteTaskWorkerGroupRequest): the TaskDef's worker group goes with it.
            e.store().delete_task_worker_group(&name)?;
            e.forget_task_def(&name);
            Ok(Empty {})
        })
        .await
    }

    async fn search_task_def(
        &self,
        request: Request<SearchTaskDefRequest>,
    ) -> Result<Response<TaskDefIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_task_def(e.store(), r))
            .await
    }

    async fn put_external_event_def(
        &self,
        request: Request<PutExternalEventDefRequest>,
    ) -> Result<Response<ExternalEventDef>, Status> {
        let r = request.into_inner();
        self.call(move |e| metadata::put_external_event_def(e.store(), r))
            .await
    }

    async fn get_external_event_def(
        &self,
        request: Request<ExternalEventDefId>,
    ) -> Result<Response<ExternalEventDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_external_event_def(e.store(), &r.name))
            .await
    }

    async fn delete_external_event_def(
        &self,
        request: Request<DeleteExternalEventDefRequest>,
    ) -> Result<Response<Empty>, Status> {
        let name = required(request.into_inner().id, "id")?.name;
        not_empty(&name, "id.name")?;
        self.call(move |e| metadata::delete_external_event_def(e.store(), &name).map(|()| Empty {}))
            .await
    }

    async fn search_external_event_def(
        &self,
        request: Request<SearchExternalEventDefRequest>,
    ) -> Result<Response<ExternalEventDefIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_external_event_def(e.store(), r))
            .await
    }

    async fn put_workflow_event_def(
        &self,
        request: Request<PutWorkflowEventDefRequest>,
    ) -> Result<Response<WorkflowEventDef>, Status> {
        let r = request.into_inner();
        self.call(move |e| metadata::put_workflow_event_def(e.store(), r))
            .await
    }

    async fn get_workflow_event_def(
        &self,
        request: Request<WorkflowEventDefId>,
    ) -> Result<Response<WorkflowEventDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_workflow_event_def(e.store(), &r.name))
            .await
    }

    async fn delete_workflow_event_def(
        &self,
        request: Request<DeleteWorkflowEventDefRequest>,
    ) -> Result<Response<Empty>, Status> {
        let name = required(request.into_inner().id, "id")?.name;
        not_empty(&name, "id.name")?;
        self.call(move |e| metadata::delete_workflow_event_def(e.store(), &name).map(|()| Empty {}))
            .await
    }

    async fn search_workflow_event_def(
        &self,
        request: Request<SearchWorkflowEventDefRequest>,
    ) -> Result<Response<WorkflowEventDefIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_workflow_event_def(e.store(), r))
            .await
    }

    async fn put_wf_spec(
        &self,
        request: Request<PutWfSpecRequest>,
    ) -> Result<Response<WfSpec>, Status> {
        let r = request.into_inner();
        self.call(move |e| wfspec::put_wf_spec(e.store(), r)).await
    }

    async fn get_wf_spec(&self, request: Request<WfSpecId>) -> Result<Response<WfSpec>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| wfspec::get_wf_spec(e.store(), &r)).await
    }

    async fn get_latest_wf_spec(
        &self,
        request: Request<GetLatestWfSpecRequest>,
    ) -> Result<Response<WfSpec>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| wfspec::get_latest_wf_spec(e.store(), &r.name, r.major_version))
            .await
    }

    async fn migrate_wf_spec(
        &self,
        request: Request<MigrateWfSpecRequest>,
    ) -> Result<Response<WfSpec>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.migrate_wf_spec(r)).await
    }

    async fn delete_wf_spec(
        &self,
        request: Request<DeleteWfSpecRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?;
        not_empty(&id.name, "id.name")?;
        self.call(move |e| {
            wfspec::delete_wf_spec(e.store(), &id)?;
            e.forget_wf_spec(&id);
            Ok(Empty {})
        })
        .await
    }

    async fn search_wf_spec(
        &self,
        request: Request<SearchWfSpecRequest>,
    ) -> Result<Response<WfSpecIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_wf_spec(e.store(), r))
            .await
    }

    async fn put_struct_def(
        &self,
        request: Request<PutStructDefRequest>,
    ) -> Result<Response<StructDef>, Status> {
        let r = request.into_inner();
        self.call(move |e| metadata::put_struct_def(e.store(), r))
            .await
    }

    async fn get_struct_def(
        &self,
        request: Request<StructDefId>,
    ) -> Result<Response<StructDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_struct_def(e.store(), &r.name, r.version))
            .await
    }

    async fn validate_struct_def_evolution(
        &self,
        _request: Request<ValidateStructDefEvolutionRequest>,
    ) -> Result<Response<ValidateStructDefEvolutionResponse>, Status> {
        unimplemented("ValidateStructDefEvolution")
    }

    async fn delete_struct_def(
        &self,
        request: Request<DeleteStructDefRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?;
        not_empty(&id.name, "id.name")?;
        self.call(move |e| {
            metadata::delete_struct_def(e.store(), &id.name, id.version).map(|()| Empty {})
        })
        .await
    }

    async fn search_struct_def(
        &self,
        request: Request<SearchStructDefRequest>,
    ) -> Result<Response<StructDefIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_struct_def(e.store(), r))
            .await
    }

    async fn put_user_task_def(
        &self,
        request: Request<PutUserTaskDefRequest>,
    ) -> Result<Response<UserTaskDef>, Status> {
        let r = request.into_inner();
        self.call(move |e| metadata::put_user_task_def(e.store(), r))
            .await
    }

    async fn get_user_task_def(
        &self,
        request: Request<UserTaskDefId>,
    ) -> Result<Response<UserTaskDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_user_task_def(e.store(), &r.name, r.version))
            .await
    }

    async fn get_latest_user_task_def(
        &self,
        request: Request<GetLatestUserTaskDefRequest>,
    ) -> Result<Response<UserTaskDef>, Status> {
        let r = request.into_inner();
        not_empty(&r.name, "name")?;
        self.call(move |e| metadata::get_latest_user_task_def(e.store(), &r.name))
            .await
    }

    async fn delete_user_task_def(
        &self,
        request: Request<DeleteUserTaskDefRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?;
        not_empty(&id.name, "id.name")?;
        self.call(move |e| {
            metadata::delete_user_task_def(e.store(), &id.name, id.version).map(|()| Empty {})
        })
        .await
    }

    async fn search_user_task_def(
        &self,
        request: Request<SearchUserTaskDefRequest>,
    ) -> Result<Response<UserTaskDefIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_user_task_def(e.store(), r))
            .await
    }

    async fn run_wf(&self, request: Request<RunWfRequest>) -> Result<Response<WfRun>, Status> {
        let r = request.into_inner();
        not_empty(&r.wf_spec_name, "wf_spec_name")?;
        if let Some(parent) = &r.parent_wf_run_id {
            wf_run_key_of(Some(parent), "parent_wf_run_id")?;
        }
        self.call(move |e| e.run_wf(r)).await
    }

    async fn get_wf_run(&self, request: Request<WfRunId>) -> Result<Response<WfRun>, Status> {
        let key = wf_run_key_from(&request.into_inner())?;
        self.call(move |e| e.get_wf_run(&key)).await
    }

    async fn search_wf_run(
        &self,
        request: Request<SearchWfRunRequest>,
    ) -> Result<Response<WfRunIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_wf_run(e, r)).await
    }

    async fn stop_wf_run(
        &self,
        request: Request<StopWfRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        thread_number(r.thread_run_number)?;
        self.call(move |e| {
            e.stop_or_resume(r.wf_run_id, r.thread_run_number, true)
                .map(|()| Empty {})
        })
        .await
    }

    async fn resume_wf_run(
        &self,
        request: Request<ResumeWfRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        thread_number(r.thread_run_number)?;
        self.call(move |e| {
            e.stop_or_resume(r.wf_run_id, r.thread_run_number, false)
                .map(|()| Empty {})
        })
        .await
    }

    async fn rescue_thread_run(
        &self,
        request: Request<RescueThreadRunRequest>,
    ) -> Result<Response<WfRun>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let id = required(r.wf_run_id, "wf_run_id")?;
        self.call(move |e| e.rescue_thread_run(&id, r.thread_run_number, r.skip_current_node))
            .await
    }

    async fn delete_wf_run(
        &self,
        request: Request<DeleteWfRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.id.as_ref(), "id")?;
        self.call(move |e| e.delete_wf_run(&key).map(|()| Empty {}))
            .await
    }

    async fn get_inactive_thread_run(
        &self,
        request: Request<InactiveThreadRunId>,
    ) -> Result<Response<InactiveThreadRun>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let thread = r.thread_run_number;
        // ThreadRuns archived under a ThreadRetentionPolicy (engine/thread_retention.rs).
        self.call(move |e| {
            if let Some(t) = e.synced_store()?.get_inactive_thread_run(&key, thread)? {
                return Ok(t);
            }
            e.get_wf_run(&key)?;
            Err(EngineError::missing(format!(
                "InactiveThreadRun {key}/{thread} not found: only a COMPLETED child ThreadRun \
                 whose ThreadSpec has a retention_policy is archived (see GetWfRun for the others)"
            )))
        })
        .await
    }

    async fn schedule_wf(
        &self,
        request: Request<ScheduleWfRequest>,
    ) -> Result<Response<ScheduledWfRun>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.schedule_wf(r)).await
    }

    async fn search_scheduled_wf_run(
        &self,
        request: Request<SearchScheduledWfRunRequest>,
    ) -> Result<Response<ScheduledWfRunIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.search_scheduled_wf_run(r)).await
    }

    async fn get_scheduled_wf_run(
        &self,
        request: Request<ScheduledWfRunId>,
    ) -> Result<Response<ScheduledWfRun>, Status> {
        let id = request.into_inner().id;
        not_empty(&id, "id")?;
        self.call(move |e| e.get_scheduled_wf_run(&id)).await
    }

    async fn delete_scheduled_wf_run(
        &self,
        request: Request<DeleteScheduledWfRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?.id;
        not_empty(&id, "id.id")?;
        self.call(move |e| e.delete_scheduled_wf_run(&id).map(|()| Empty {}))
            .await
    }

    async fn get_user_task_run(
        &self,
        request: Request<UserTaskRunId>,
    ) -> Result<Response<UserTaskRun>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        not_empty(&r.user_task_guid, "user_task_guid")?;
        self.call_masked(move |e| e.get_user_task_run(Some(r)))
            .await
    }

    async fn assign_user_task_run(
        &self,
        request: Request<AssignUserTaskRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call(move |e| e.assign_user_task_run(r).map(|()| Empty {}))
            .await
    }

    async fn complete_user_task_run(
        &self,
        request: Request<CompleteUserTaskRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call(move |e| e.complete_user_task_run(r).map(|()| Empty {}))
            .await
    }

    async fn cancel_user_task_run(
        &self,
        request: Request<CancelUserTaskRunRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call(move |e| {
            e.cancel_user_task_run(r.user_task_run_id)
                .map(|()| Empty {})
        })
        .await
    }

    async fn save_user_task_run_progress(
        &self,
        request: Request<SaveUserTaskRunProgressRequest>,
    ) -> Result<Response<UserTaskRun>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        enum_value::<save_user_task_run_progress_request::SaveUserTaskRunAssignmentPolicy>(
            r.policy, "policy",
        )?;
        self.call_masked(move |e| e.save_user_task_run_progress(r))
            .await
    }

    async fn list_user_task_runs(
        &self,
        request: Request<ListUserTaskRunRequest>,
    ) -> Result<Response<UserTaskRunList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let (results, bookmark) =
                page_of(e.list_user_task_runs(&key)?, r.bookmark.as_deref(), r.limit)?;
            Ok(UserTaskRunList { results, bookmark })
        })
        .await
    }

    async fn put_user_task_run_comment(
        &self,
        request: Request<PutUserTaskRunCommentRequest>,
    ) -> Result<Response<UserTaskRun>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call_masked(move |e| e.put_user_task_run_comment(r))
            .await
    }

    async fn edit_user_task_run_comment(
        &self,
        request: Request<EditUserTaskRunCommentRequest>,
    ) -> Result<Response<UserTaskRun>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call_masked(move |e| e.edit_user_task_run_comment(r))
            .await
    }

    async fn delete_user_task_run_comment(
        &self,
        request: Request<DeleteUserTaskRunCommentRequest>,
    ) -> Result<Response<UserTaskRun>, Status> {
        let r = request.into_inner();
        check_user_task_run_id(r.user_task_run_id.as_ref(), "user_task_run_id")?;
        self.call_masked(move |e| e.delete_user_task_run_comment(r))
            .await
    }

    async fn search_user_task_run(
        &self,
        request: Request<SearchUserTaskRunRequest>,
    ) -> Result<Response<UserTaskRunIdList>, Status> {
        let r = request.into_inner();
        opt_enum_value::<UserTaskRunStatus>(r.status, "status")?;
        limit(r.limit)?;
        self.call(move |e| e.search_user_task_run(r)).await
    }

    async fn get_node_run(&self, request: Request<NodeRunId>) -> Result<Response<NodeRun>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| e.get_node_run(&key, r.thread_run_number, r.position))
            .await
    }

    async fn list_node_runs(
        &self,
        request: Request<ListNodeRunsRequest>,
    ) -> Result<Response<NodeRunList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let all = e.list_node_runs(&key, r.thread_run_number)?;
            let (results, bookmark) = page_of(all, r.bookmark.as_deref(), r.limit)?;
            Ok(NodeRunList { results, bookmark })
        })
        .await
    }

    async fn search_node_run(
        &self,
        request: Request<SearchNodeRunRequest>,
    ) -> Result<Response<NodeRunIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_node_run(e, r)).await
    }

    async fn get_task_run(&self, request: Request<TaskRunId>) -> Result<Response<TaskRun>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        not_empty(&r.task_guid, "task_guid")?;
        self.call_masked(move |e| e.get_task_run(&key, &r.task_guid))
            .await
    }

    async fn list_task_runs(
        &self,
        request: Request<ListTaskRunsRequest>,
    ) -> Result<Response<TaskRunList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let (results, bookmark) =
                page_of(e.list_task_runs(&key)?, r.bookmark.as_deref(), r.limit)?;
            Ok(TaskRunList { results, bookmark })
        })
        .await
    }

    async fn search_task_run(
        &self,
        request: Request<SearchTaskRunRequest>,
    ) -> Result<Response<TaskRunIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_task_run(e, r)).await
    }

    async fn get_variable(
        &self,
        request: Request<VariableId>,
    ) -> Result<Response<Variable>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        not_empty(&r.name, "name")?;
        self.call_masked(move |e| e.get_variable(&key, r.thread_run_number, &r.name))
            .await
    }

    async fn list_variables(
        &self,
        request: Request<ListVariablesRequest>,
    ) -> Result<Response<VariableList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let (results, bookmark) =
                page_of(e.list_variables(&key)?, r.bookmark.as_deref(), r.limit)?;
            Ok(VariableList { results, bookmark })
        })
        .await
    }

    async fn search_variable(
        &self,
        request: Request<SearchVariableRequest>,
    ) -> Result<Response<VariableIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_variable(e, r)).await
    }

    async fn put_external_event(
        &self,
        request: Request<PutExternalEventRequest>,
    ) -> Result<Response<ExternalEvent>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let def = required(r.external_event_def_id.as_ref(), "external_event_def_id")?;
        not_empty(&def.name, "external_event_def_id.name")?;
        if let Some(guid) = &r.guid {
            not_empty(guid, "guid")?;
        }
        self.call_masked(move |e| e.put_external_event(r)).await
    }

    async fn get_external_event(
        &self,
        request: Request<ExternalEventId>,
    ) -> Result<Response<ExternalEvent>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let def = required(r.external_event_def_id, "external_event_def_id")?.name;
        not_empty(&def, "external_event_def_id.name")?;
        not_empty(&r.guid, "guid")?;
        self.call_masked(move |e| e.get_external_event(&key, &def, &r.guid))
            .await
    }

    async fn list_external_events(
        &self,
        request: Request<ListExternalEventsRequest>,
    ) -> Result<Response<ExternalEventList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let (results, bookmark) = page_of(
                e.list_external_events(&key)?,
                r.bookmark.as_deref(),
                r.limit,
            )?;
            Ok(ExternalEventList { results, bookmark })
        })
        .await
    }

    async fn search_external_event(
        &self,
        request: Request<SearchExternalEventRequest>,
    ) -> Result<Response<ExternalEventIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_external_event(e, r))
            .await
    }

    async fn put_correlated_event(
        &self,
        request: Request<PutCorrelatedEventRequest>,
    ) -> Result<Response<CorrelatedEvent>, Status> {
        let r = request.into_inner();
        not_empty(&r.key, "key")?;
        let def = required(r.external_event_def_id.as_ref(), "external_event_def_id")?;
        not_empty(&def.name, "external_event_def_id.name")?;
        self.call_masked(move |e| e.put_correlated_event(r)).await
    }

    async fn get_correlated_event(
        &self,
        request: Request<CorrelatedEventId>,
    ) -> Result<Response<CorrelatedEvent>, Status> {
        let r = request.into_inner();
        not_empty(&r.key, "key")?;
        let def = required(r.external_event_def_id.as_ref(), "external_event_def_id")?;
        not_empty(&def.name, "external_event_def_id.name")?;
        self.call_masked(move |e| e.get_correlated_event(&r)).await
    }

    async fn search_correlated_event(
        &self,
        request: Request<SearchCorrelatedEventRequest>,
    ) -> Result<Response<CorrelatedEventIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_correlated_event(e, r))
            .await
    }

    async fn delete_correlated_event(
        &self,
        request: Request<DeleteCorrelatedEventRequest>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        let id = required(r.id.as_ref(), "id")?;
        not_empty(&id.key, "id.key")?;
        let def = required(
            id.external_event_def_id.as_ref(),
            "id.external_event_def_id",
        )?;
        not_empty(&def.name, "id.external_event_def_id.name")?;
        let id = id.clone();
        self.call(move |e| e.delete_correlated_event(&id).map(|()| Empty {}))
            .await
    }

    async fn await_workflow_event(
        &self,
        request: Request<AwaitWorkflowEventRequest>,
    ) -> Result<Response<WorkflowEvent>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.engine()
            .call(move |e| e.await_workflow_event(r, tx))
            .await?;
        // Waits until an event is thrown (or the client's deadline passes).
        rx.await
            .map(|mut event| {
                event.mask_for_client();
                Response::new(event)
            })
            .map_err(|_| Status::unavailable("the kernel is shutting down"))
    }

    async fn get_workflow_event(
        &self,
        request: Request<WorkflowEventId>,
    ) -> Result<Response<WorkflowEvent>, Status> {
        let r = request.into_inner();
        wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        let def = required(r.workflow_event_def_id.as_ref(), "workflow_event_def_id")?;
        not_empty(&def.name, "workflow_event_def_id.name")?;
        self.call_masked(move |e| e.get_workflow_event(&r)).await
    }

    async fn list_workflow_events(
        &self,
        request: Request<ListWorkflowEventsRequest>,
    ) -> Result<Response<WorkflowEventList>, Status> {
        let r = request.into_inner();
        let key = wf_run_key_of(r.wf_run_id.as_ref(), "wf_run_id")?;
        self.call_masked(move |e| {
            let (results, bookmark) = page_of(
                e.list_workflow_events(&key)?,
                r.bookmark.as_deref(),
                r.limit,
            )?;
            Ok(WorkflowEventList { results, bookmark })
        })
        .await
    }

    async fn search_workflow_event(
        &self,
        request: Request<SearchWorkflowEventRequest>,
    ) -> Result<Response<WorkflowEventIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::search_workflow_event(e, r))
            .await
    }

    async fn put_workflow_migration_plan(
        &self,
        request: Request<PutWorkflowMigrationPlanRequest>,
    ) -> Result<Response<WorkflowMigrationPlan>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.put_workflow_migration_plan(r)).await
    }

    async fn get_workflow_migration_plan(
        &self,
        request: Request<WorkflowMigrationPlanId>,
    ) -> Result<Response<WorkflowMigrationPlan>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.get_workflow_migration_plan(&r)).await
    }

    async fn delete_workflow_migration_plan(
        &self,
        request: Request<DeleteWorkflowMigrationPlanRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?;
        self.call(move |e| e.delete_workflow_migration_plan(&id).map(|()| Empty {}))
            .await
    }

    async fn apply_workflow_migration_plan(
        &self,
        request: Request<ApplyWorkflowMigrationPlanRequest>,
    ) -> Result<Response<WfRun>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.apply_workflow_migration_plan(r)).await
    }

    async fn search_workflow_migration_plan(
        &self,
        request: Request<SearchWorkflowMigrationPlanRequest>,
    ) -> Result<Response<WorkflowMigrationPlanIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.search_workflow_migration_plan(r))
            .await
    }

    async fn register_task_worker(
        &self,
        request: Request<RegisterTaskWorkerRequest>,
    ) -> Result<Response<RegisterTaskWorkerResponse>, Status> {
        worker::register_task_worker(self, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn poll_task(
        &self,
        request: Request<tonic::Streaming<PollTaskRequest>>,
    ) -> Result<Response<Self::PollTaskStream>, Status> {
        Ok(Response::new(worker::poll_task(
            self.engine(),
            request.into_inner(),
        )))
    }

    async fn report_task(
        &self,
        request: Request<ReportTaskRun>,
    ) -> Result<Response<Empty>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.report(r).map(|()| Empty {})).await
    }

    async fn put_checkpoint(
        &self,
        request: Request<PutCheckpointRequest>,
    ) -> Result<Response<PutCheckpointResponse>, Status> {
        let r = request.into_inner();
        let id = required(r.task_run_id.as_ref(), "task_run_id")?;
        wf_run_key_of(id.wf_run_id.as_ref(), "task_run_id.wf_run_id")?;
        not_empty(&id.task_guid, "task_run_id.task_guid")?;
        self.call(move |e| e.put_checkpoint(r)).await
    }

    async fn get_checkpoint(
        &self,
        request: Request<CheckpointId>,
    ) -> Result<Response<Checkpoint>, Status> {
        let r = request.into_inner();
        let id = required(r.task_run.as_ref(), "task_run")?;
        wf_run_key_of(id.wf_run_id.as_ref(), "task_run.wf_run_id")?;
        not_empty(&id.task_guid, "task_run.task_guid")?;
        self.call(move |e| e.get_checkpoint(&r)).await
    }

    async fn create_bulk_job(
        &self,
        request: Request<CreateBulkJobRequest>,
    ) -> Result<Response<BulkJob>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.create_bulk_job(r)).await
    }

    async fn get_bulk_job(
        &self,
        request: Request<GetBulkJobRequest>,
    ) -> Result<Response<BulkJob>, Status> {
        let id = required(request.into_inner().id, "id")?;
        self.call(move |e| e.get_bulk_job(&id)).await
    }

    async fn search_bulk_job(
        &self,
        request: Request<SearchBulkJobRequest>,
    ) -> Result<Response<BulkJobIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| e.search_bulk_job(r)).await
    }

    async fn delete_bulk_job(
        &self,
        request: Request<DeleteBulkJobRequest>,
    ) -> Result<Response<Empty>, Status> {
        let id = required(request.into_inner().id, "id")?;
        self.call(move |e| e.delete_bulk_job(&id).map(|()| Empty {}))
            .await
    }

    async fn get_task_def_metrics_window(
        &self,
        _request: Request<TaskDefMetricsQueryRequest>,
    ) -> Result<Response<TaskDefMetrics>, Status> {
        unimplemented("GetTaskDefMetricsWindow")
    }

    async fn get_wf_spec_metrics_window(
        &self,
        _request: Request<WfSpecMetricsQueryRequest>,
    ) -> Result<Response<WfSpecMetrics>, Status> {
        unimplemented("GetWfSpecMetricsWindow")
    }

    async fn list_task_metrics(
        &self,
        request: Request<ListTaskMetricsRequest>,
    ) -> Result<Response<MetricsList>, Status> {
        let r = request.into_inner();
        self.call(move |e| crate::metrics::list_task_metrics(e, r))
            .await
    }

    async fn list_quota_usage_metrics(
        &self,
        _request: Request<ListQuotaUsageMetricsRequest>,
    ) -> Result<Response<MetricsList>, Status> {
        unimplemented("ListQuotaUsageMetrics")
    }

    async fn list_wf_metrics(
        &self,
        request: Request<ListWfMetricsRequest>,
    ) -> Result<Response<MetricsList>, Status> {
        let r = request.into_inner();
        self.call(move |e| crate::metrics::list_wf_metrics(e, r))
            .await
    }

    async fn get_metric_window(
        &self,
        request: Request<MetricWindowId>,
    ) -> Result<Response<MetricWindow>, Status> {
        let r = request.into_inner();
        self.call(move |e| crate::metrics::get_metric_window(e, r))
            .await
    }

    async fn search_wf_metric_window(
        &self,
        request: Request<SearchWfMetricWindowRequest>,
    ) -> Result<Response<MetricWindowIdList>, Status> {
        let r = request.into_inner();
        self.call(move |e| crate::metrics::search_wf_metric_window(e, r))
            .await
    }

    async fn count_node_run(
        &self,
        request: Request<CountNodeRunRequest>,
    ) -> Result<Response<Count>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::count_node_run(e, r)).await
    }

    async fn count_task_run(
        &self,
        request: Request<CountTaskRunRequest>,
    ) -> Result<Response<Count>, Status> {
        let r = request.into_inner();
        self.call(move |e| search::count_task_run(e, r)).await
    }

    async fn put_tenant(
        &self,
        request: Request<PutTenantRequest>,
    ) -> Result<Response<Tenant>, Status> {
        access_rpc::put_tenant(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn get_tenant(&self, request: Request<TenantId>) -> Result<Response<Tenant>, Status> {
        access_rpc::get_tenant(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn search_tenant(
        &self,
        request: Request<SearchTenantRequest>,
    ) -> Result<Response<TenantIdList>, Status> {
        access_rpc::search_tenant(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn put_principal(
        &self,
        request: Request<PutPrincipalRequest>,
    ) -> Result<Response<Principal>, Status> {
        access_rpc::put(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn get_principal(
        &self,
        request: Request<PrincipalId>,
    ) -> Result<Response<Principal>, Status> {
        access_rpc::get(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn delete_principal(
        &self,
        request: Request<DeletePrincipalRequest>,
    ) -> Result<Response<Empty>, Status> {
        access_rpc::delete(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn search_principal(
        &self,
        request: Request<SearchPrincipalRequest>,
    ) -> Result<Response<PrincipalIdList>, Status> {
        access_rpc::search(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn whoami(
        &self,
        _request: Request<::pbjson_types::Empty>,
    ) -> Result<Response<Principal>, Status> {
        Ok(Response::new(access_rpc::whoami()))
    }

    async fn put_quota(
        &self,
        request: Request<PutQuotaRequest>,
    ) -> Result<Response<Quota>, Status> {
        crate::access::quota::put(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn get_quota(&self, request: Request<QuotaId>) -> Result<Response<Quota>, Status> {
        crate::access::quota::get(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn delete_quota(
        &self,
        request: Request<DeleteQuotaRequest>,
    ) -> Result<Response<Empty>, Status> {
        crate::access::quota::delete(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn search_quota(
        &self,
        request: Request<SearchQuotaRequest>,
    ) -> Result<Response<QuotaIdList>, Status> {
        crate::access::quota::search(&self.directory, request.into_inner())
            .await
            .map(Response::new)
    }

    async fn get_server_version(
        &self,
        request: Request<::pbjson_types::Empty>,
    ) -> Result<Response<LittleHorseVersion>, Status> {
        let _ = request;
        Ok(Response::new(LittleHorseVersion {
            major_version: 0,
            minor_version: 1,
            patch_version: Some(0),
            pre_release_identifier: Some("lhw-kernel".to_string()),
        }))
    }
}
