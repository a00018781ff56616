//! What each RPC requires, and whether a principal's ACLs grant it. The table follows the
//! `@Authorize` annotations of the server's `LHServerListener` and `RequestAuthorizer`
//! (littlehorse-enterprises/littlehorse, `server/src/main/java/io/littlehorse/server/`): an RPC
//! without an annotation requires ALL_ACTIONS over ACL_ALL_RESOURCES (an admin), `Whoami` and
//! `GetServerVersion` require nothing, and an admin (a global ACL with ALL_ACTIONS over
//! ACL_ALL_RESOURCES, `PrincipalModel.isAdmin`) may call everything.

use lhw_proto::littlehorse::{AclAction, AclResource, Principal, ServerAcl, server_acl};

/// What an RPC requires: every action over every resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Requirement {
    /// The resources (empty: nothing is required).
    pub(crate) resources: &'static [AclResource],
    /// The actions.
    pub(crate) actions: &'static [AclAction],
}

const fn req(resource: &'static [AclResource], action: &'static [AclAction]) -> Requirement {
    Requirement {
        resources: resource,
        actions: action,
    }
}

const NOTHING: Requirement = req(&[], &[]);
const ADMIN: Requirement = req(&[AclResource::AclAllResources], &[AclAction::AllActions]);

macro_rules! r {
    ($res:ident, $act:ident) => {
        req(&[AclResource::$res], &[AclAction::$act])
    };
}

/// The requirement of the RPC `method` (its bare name, e.g. `RunWf`).
pub(crate) fn requirement(method: &str) -> Requirement {
    match method {
        "Whoami" | "GetServerVersion" => NOTHING,
        "GetWfSpec"
        | "GetLatestWfSpec"
        | "GetScheduledWfRun"
        | "SearchScheduledWfRun"
        | "GetBulkJob"
        | "SearchBulkJob"
        | "GetWorkflowMigrationPlan"
        | "RegisterTaskWorker"
        | "GetInactiveThreadRun"
        | "GetWfRun"
        | "GetNodeRun"
        | "GetTaskRun"
        | "GetVariable"
        | "SearchWfRun"
        | "SearchNodeRun"
        | "SearchVariable"
        | "SearchTaskDef"
        | "SearchWfSpec"
        | "ListNodeRuns"
        | "SearchWfMetricWindow"
        | "ListVariables"
        | "ListTaskMetrics"
        | "ListWfMetrics"
        | "GetMetricWindow"
        | "AwaitWorkflowEvent" => r!(AclWorkflow, Read),
        "RunWf"
        | "ScheduleWf"
        | "ApplyWorkflowMigrationPlan"
        | "StopWfRun"
        | "RescueThreadRun"
        | "ResumeWfRun"
        | "DeleteScheduledWfRun" => r!(AclWorkflow, Run),
        "PutWfSpec"
        | "CreateBulkJob"
        | "DeleteBulkJob"
        | "PutWorkflowMigrationPlan"
        | "DeleteWorkflowMigrationPlan"
        | "DeleteWfRun"
        | "DeleteWfSpec" => {
            r!(AclWorkflow, WriteMetadata)
        }
        "GetTaskDef" | "ListTaskRuns" | "PollTask" | "GetCheckpoint" | "SearchTaskRun" => {
            r!(AclTask, Read)
        }
        "ReportTask" | "PutCheckpoint" => r!(AclTask, Run),
        "PutTaskDef" | "DeleteTaskDef" => r!(AclTask, WriteMetadata),
        "GetTaskWorkerGroup" => r!(AclTaskWorkerGroup, Read),
        "GetExternalEventDef"
        | "GetExternalEvent"
        | "GetCorrelatedEvent"
        | "SearchCorrelatedEvent"
        | "SearchExternalEvent"
        | "SearchExternalEventDef"
        | "ListExternalEvents" => r!(AclExternalEvent, Read),
        "PutExternalEvent" | "PutCorrelatedEvent" | "DeleteCorrelatedEvent" => {
            r!(AclExternalEvent, Run)
        }
        "PutExternalEventDef" | "DeleteExternalEventDef" => r!(AclExternalEvent, WriteMetadata),
        "GetWorkflowEventDef"
        | "SearchWorkflowEvent"
        | "SearchWorkflowEventDef"
        | "ListWorkflowEvents"
        | "GetWorkflowEvent" => r!(AclWorkflowEvent, Read),
        "PutWorkflowEventDef" | "DeleteWorkflowEventDef" => r!(AclWorkflowEvent, WriteMetadata),
        "GetLatestUserTaskDef"
        | "GetUserTaskDef"
        | "ListUserTaskRuns"
        | "GetUserTaskRun"
        | "SearchUserTaskRun"
        | "SearchUserTaskDef" => r!(AclUserTask, Read),
        "CompleteUserTaskRun"
        | "SaveUserTaskRunProgress"
        | "CancelUserTaskRun"
        | "PutUserTaskRunComment"
        | "DeleteUserTaskRunComment"
        | "EditUserTaskRunComment" => {
            r!(AclUserTask, Run)
        }
        "PutUserTaskDef" | "AssignUserTaskRun" | "DeleteUserTaskDef" => {
            r!(AclUserTask, WriteMetadata)
        }
        "GetStructDef" | "ValidateStructDefEvolution" | "SearchStructDef" => r!(AclStruct, Read),
        "PutStructDef" | "DeleteStructDef" => r!(AclStruct, WriteMetadata),
        "GetPrincipal" | "SearchPrincipal" => r!(AclPrincipal, Read),
        "PutPrincipal" | "DeletePrincipal" => r!(AclPrincipal, WriteMetadata),
        "GetTenant" | "SearchTenant" => r!(AclTenant, Read),
        "PutTenant" => r!(AclTenant, WriteMetadata),
        "GetQuota" | "SearchQuota" => r!(AclQuota, Read),
        "PutQuota" | "DeleteQuota" => r!(AclQuota, WriteMetadata),
        _ => ADMIN,
    }
}

/// Whether the RPC works on cluster-scoped objects (tenants, principals, quotas): a principal
/// with per-tenant ACLs may not call it (`RequestExecutionContext.authContextFor`).
pub(crate) fn cluster_scoped(r: Requirement) -> bool {
    r.resources.iter().any(|res| {
        matches!(
            res,
            AclResource::AclTenant | AclResource::AclPrincipal | AclResource::AclQuota
        )
    })
}

fn has<T: Copy + Into<i32>>(list: &[i32], wanted: T, all: T) -> bool {
    list.contains(&wanted.into()) || list.contains(&all.into())
}

/// Whether one ACL grants `action` over `resource` (`ServerACLModel.allows`). As on the server,
/// an ACL's `name` or `prefix` filter does not narrow the grant: the server stores and returns
/// the filter, but its check (`RequestAuthorizer.AclVerifier.verify` over
/// `ServerACLModel.allows`) looks only at resources and actions, and no request handler looks
/// at it either, so a filtered ACL grants what the same ACL without a filter grants.
pub(crate) fn allows(acl: &ServerAcl, resource: AclResource, action: AclAction) -> bool {
    has(&acl.resources, resource, AclResource::AclAllResources)
        && has(&acl.allowed_actions, action, AclAction::AllActions)
}

/// Whether `acl` makes its holder an admin (`ServerACLModel.isAdmin`: ALL_ACTIONS over
/// ACL_ALL_RESOURCES, whatever its name or prefix filter).
pub(crate) fn is_admin_acl(acl: &ServerAcl) -> bool {
    acl.resources
        .contains(&(AclResource::AclAllResources as i32))
        && acl
            .allowed_actions
            .contains(&(AclAction::AllActions as i32))
}

/// Whether `p` is an admin: a global ACL with ALL_ACTIONS over ACL_ALL_RESOURCES.
pub(crate) fn is_admin(p: &Principal) -> bool {
    p.global_acls
        .as_ref()
        .is_some_and(|g| g.acls.iter().any(is_admin_acl))
}

/// The ACLs that apply to `p` in `tenant`: its ACLs for that tenant when it has some, else
/// its global ACLs.
pub(crate) fn acls_in<'p>(p: &'p Principal, tenant: &str) -> (&'p [ServerAcl], bool) {
    match p.per_tenant_acls.get(tenant) {
        Some(t) => (&t.acls, true),
        None => (
            p.global_acls.as_ref().map_or(&[][..], |g| &g.acls[..]),
            false,
        ),
    }
}

/// Why a call is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denial {
    /// Per-tenant ACLs do not reach cluster-scoped objects.
    ClusterScoped { principal: String, tenant: String },
    /// An action over a resource is not granted.
    Missing(Requirement),
}

impl Denial {
    /// The message sent with PERMISSION_DENIED.
    pub(crate) fn message(&self) -> String {
        match self {
            Denial::ClusterScoped { principal, tenant } => format!(
                "Principal {principal} has per-tenant ACLs for Tenant {tenant}, but is trying to \
                 access a cluster-scoped resource; that requires global ACLs"
            ),
            Denial::Missing(r) => format!(
                "Missing permissions {:?} over resources {:?}",
                r.actions
                    .iter()
                    .map(|a| a.as_str_name())
                    .collect::<Vec<_>>(),
                r.resources
                    .iter()
                    .map(|a| a.as_str_name())
                    .collect::<Vec<_>>()
            ),
        }
    }
}

/// Whether `p` may call `method` in `tenant`.
pub(crate) fn check(p: &Principal, tenant: &str, method: &str) -> Result<(), Denial> {
    let r = requirement(method);
    let principal = p.id.as_ref().map(|i| i.id.clone()).unwrap_or_default();
    let (acls, per_tenant) = acls_in(p, tenant);
    if per_tenant && cluster_scoped(r) {
        return Err(Denial::ClusterScoped {
            principal,
            tenant: tenant.to_string(),
        });
    }
    if is_admin(p) {
        return Ok(());
    }
    for res in r.resources {
        for act in r.actions {
            if !acls.iter().any(|a| allows(a, *res, *act)) {
                return Err(Denial::Missing(r));
            }
        }
    }
    Ok(())
}

/// An ACL of `actions` over `resources`, for building principals.
pub(crate) fn acl(resources: &[AclResource], actions: &[AclAction]) -> ServerAcl {
    ServerAcl {
        resources: resources.iter().map(|r| *r as i32).collect(),
        allowed_actions: actions.iter().map(|a| *a as i32).collect(),
        resource_filter: None::<server_acl::ResourceFilter>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{PrincipalId, ServerAcLs};

    fn principal(global: Vec<ServerAcl>, tenant: Option<(&str, Vec<ServerAcl>)>) -> Principal {
        Principal {
            id: Some(PrincipalId { id: "p".into() }),
            created_at: None,
            per_tenant_acls: tenant
                .map(|(t, acls)| (t.to_string(), ServerAcLs { acls }))
                .into_iter()
                .collect(),
            global_acls: Some(ServerAcLs { acls: global }),
        }
    }

    #[test]
    fn an_admin_may_call_everything() {
        let admin = principal(
            vec![acl(
                &[AclResource::AclAllResources],
                &[AclAction::AllActions],
            )],
            None,
        );
        assert!(is_admin(&admin));
        for m in ["RunWf", "PutPrincipal", "SomethingNew", "PutTenant"] {
            assert_eq!(check(&admin, "default", m), Ok(()), "{m}");
        }
    }

    #[test]
    fn actions_and_resources_are_checked() {
        let reader = principal(
            vec![acl(&[AclResource::AclWorkflow], &[AclAction::Read])],
            None,
        );
        assert_eq!(check(&reader, "default", "GetWfRun"), Ok(()));
        assert_eq!(check(&reader, "default", "Whoami"), Ok(()));
        let denied = check(&reader, "default", "RunWf").expect_err("no RUN");
        assert!(denied.message().contains("RUN"), "{}", denied.message());
        assert!(check(&reader, "default", "GetTaskDef").is_err());
        assert!(
            check(&reader, "default", "UnknownRpc").is_err(),
            "admin only"
        );
        let runner = principal(
            vec![acl(&[AclResource::AclWorkflow], &[AclAction::AllActions])],
            None,
        );
        assert_eq!(check(&runner, "default", "RunWf"), Ok(()));
        assert_eq!(check(&runner, "default", "PutWfSpec"), Ok(()));
    }

    #[test]
    fn name_and_prefix_filters_grant_as_the_server_grants() {
        let filtered = |filter: server_acl::ResourceFilter, res, act| ServerAcl {
            resource_filter: Some(filter),
            ..acl(&[res], &[act])
        };
        // Only `greet` by its filter; the server's check grants every TaskDef all the same.
        let worker = principal(
            vec![filtered(
                server_acl::ResourceFilter::Name("greet".into()),
                AclResource::AclTask,
                AclAction::Read,
            )],
            None,
        );
        assert_eq!(check(&worker, "default", "GetTaskDef"), Ok(()));
        assert_eq!(check(&worker, "default", "PollTask"), Ok(()));
        assert!(check(&worker, "default", "ReportTask").is_err(), "no RUN");
        assert!(
            check(&worker, "default", "GetWfSpec").is_err(),
            "no workflows"
        );
        // ALL_ACTIONS over ACL_ALL_RESOURCES with a prefix is still an admin.
        let admin = principal(
            vec![filtered(
                server_acl::ResourceFilter::Prefix("team-a-".into()),
                AclResource::AclAllResources,
                AclAction::AllActions,
            )],
            None,
        );
        assert!(is_admin(&admin));
        assert_eq!(check(&admin, "default", "PutPrincipal"), Ok(()));
    }

    #[test]
    fn per_tenant_acls_replace_global_ones_and_stop_at_cluster_objects() {
        let p = principal(
            vec![],
            Some((
                "a",
                vec![acl(
                    &[AclResource::AclAllResources],
                    &[AclAction::AllActions],
                )],
            )),
        );
        assert_eq!(check(&p, "a", "RunWf"), Ok(()));
        assert!(check(&p, "b", "RunWf").is_err(), "no ACLs in tenant b");
        assert!(matches!(
            check(&p, "a", "PutTenant"),
            Err(Denial::ClusterScoped { .. })
        ));
    }
}
