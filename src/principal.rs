//! `lhc principal`: the Principals of a server (PutPrincipal, GetPrincipal, DeletePrincipal,
//! SearchPrincipal), as `lhctl put/get/delete/search principal` manage them
//! (`lhctl/internal/principal.go` in littlehorse-enterprises/littlehorse).
//!
//! `put ID --acl RESOURCE:ACTION,...` grants, per resource, the actions listed, one ServerACL
//! per resource as lhctl's `parseAcl` groups them; with `--tenant T` they are the Principal's
//! ACLs in Tenant T, else its global ACLs (lhctl drops `--acl` without `--tenantId`). Resource
//! and action names are lhctl's (`acl_workflow`, `read`, `write`, `all`, ...) or the protobuf
//! names (`ACL_TASK_WORKER_GROUP`, `WRITE_METADATA`), in any case; an unknown name is refused
//! with "did you mean" (lhctl ignores it silently).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::search_principal_request::PrincipalCriteria;
use lhw_proto::littlehorse::{
    AclAction, AclResource, DeletePrincipalRequest, PrincipalId, PutPrincipalRequest,
    SearchPrincipalRequest, ServerAcLs, ServerAcl,
};
use tonic::Code;

use crate::inspect::exec::{Fail, Res, all_pages, execute, rpc};
use crate::inspect::render::{print_json, print_text, table};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc principal`.
#[derive(Debug, Args)]
pub struct PrincipalArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PrincipalCommand,
}

/// `lhc principal` subcommands.
#[derive(Debug, Subcommand)]
pub enum PrincipalCommand {
    /// Create a Principal, or replace it with `--overwrite` (PutPrincipal).
    Put(PutArgs),
    /// One Principal and its ACLs (GetPrincipal).
    Get(IdArgs),
    /// Delete a Principal (DeletePrincipal).
    Delete(IdArgs),
    /// Every Principal, or those of a Tenant or with(out) admin rights (SearchPrincipal).
    List(ListArgs),
    /// A Principal from a file: a PutPrincipalRequest in protobuf JSON (or binary with
    /// `--proto`), as `lhctl deploy principal FILE`.
    Deploy(crate::principal_deploy::DeployArgs),
}

/// Arguments of `lhc principal put`.
#[derive(Debug, Args)]
pub struct PutArgs {
    /// The Principal's id: the client id of its OAuth tokens, or the common name of its
    /// client certificate.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Grants, `RESOURCE:ACTION` separated by commas (repeatable), e.g.
    /// `acl_workflow:read,acl_workflow:run`. Resources: acl_workflow, acl_task,
    /// acl_external_event, acl_user_task, acl_principal, acl_tenant, acl_quota, all (or any
    /// ACL_* name); actions: read, run, write, all.
    #[arg(long, value_name = "RESOURCE:ACTION,...", value_parser = parse_grants)]
    pub acl: Vec<Grants>,
    /// The ACLs apply in this Tenant only (per-tenant ACLs); without it they are global.
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Replace the Principal if it exists (its ACLs are replaced, not merged).
    #[arg(long)]
    pub overwrite: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc principal get` and `delete`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The Principal's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc principal list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only Principals with ACLs in this Tenant.
    #[arg(long, value_name = "TENANT", conflicts_with = "admin")]
    pub tenant: Option<String>,
    /// Only admins (`--admin true`) or only non-admins (`--admin false`).
    #[arg(long, value_name = "BOOL")]
    pub admin: Option<bool>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// One `--acl` value: resource and action pairs in the order given.
#[derive(Debug, Clone)]
pub struct Grants(Vec<Grant>);

/// Actions over one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grant {
    resource: AclResource,
    action: AclAction,
}

/// lhctl's resource names (`entitiesMap` in principal.go).
const RESOURCES: &[(&str, AclResource)] = &[
    ("acl_workflow", AclResource::AclWorkflow),
    ("acl_task", AclResource::AclTask),
    ("acl_external_event", AclResource::AclExternalEvent),
    ("acl_user_task", AclResource::AclUserTask),
    ("acl_principal", AclResource::AclPrincipal),
    ("acl_tenant", AclResource::AclTenant),
    ("acl_quota", AclResource::AclQuota),
    ("acl_task_worker_group", AclResource::AclTaskWorkerGroup),
    ("acl_workflow_event", AclResource::AclWorkflowEvent),
    ("acl_struct", AclResource::AclStruct),
    ("acl_all_resources", AclResource::AclAllResources),
    ("all", AclResource::AclAllResources),
];

/// lhctl's action names (`actionsMap` in principal.go) and the protobuf names.
const ACTIONS: &[(&str, AclAction)] = &[
    ("read", AclAction::Read),
    ("run", AclAction::Run),
    ("write", AclAction::WriteMetadata),
    ("write_metadata", AclAction::WriteMetadata),
    ("all", AclAction::AllActions),
    ("all_actions", AclAction::AllActions),
];

fn lookup<T: Copy>(kind: &str, name: &str, table: &[(&str, T)]) -> Result<T, String> {
    let lower = name.trim().to_ascii_lowercase();
    if let Some((_, v)) = table.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    Err(
        match lhw_compiler::check::closest(&lower, names.iter().copied()) {
            Some(c) => format!("unknown {kind} `{name}` (did you mean `{c}`?)"),
            None => format!("unknown {kind} `{name}` (known: {})", names.join(", ")),
        },
    )
}

/// Parses `RESOURCE:ACTION,RESOURCE:ACTION`.
fn parse_grants(raw: &str) -> Result<Grants, String> {
    let mut out = Vec::new();
    for part in raw.split(',') {
        let Some((resource, action)) = part.split_once(':') else {
            return Err(format!(
                "`{part}`: expected RESOURCE:ACTION, e.g. acl_workflow:read"
            ));
        };
        out.push(Grant {
            resource: lookup("resource", resource, RESOURCES)?,
            action: lookup("action", action, ACTIONS)?,
        });
    }
    Ok(Grants(out))
}

/// One ServerACL per resource, with its actions, in the order first named.
fn server_acls(grants: &[Grants]) -> Vec<ServerAcl> {
    let mut acls: Vec<ServerAcl> = Vec::new();
    for g in grants.iter().flat_map(|g| &g.0) {
        let resource = g.resource as i32;
        let action = g.action as i32;
        match acls.iter_mut().find(|a| a.resources == [resource]) {
            Some(acl) if acl.allowed_actions.contains(&action) => {}
            Some(acl) => acl.allowed_actions.push(action),
            None => acls.push(ServerAcl {
                resources: vec![resource],
                allowed_actions: vec![action],
                resource_filter: None,
            }),
        }
    }
    acls
}

/// The PutPrincipalRequest `lhc principal put` sends.
fn put_request(args: &PutArgs) -> PutPrincipalRequest {
    let acls = ServerAcLs {
        acls: server_acls(&args.acl),
    };
    let mut request = PutPrincipalRequest {
        id: args.id.clone(),
        overwrite: args.overwrite,
        ..Default::default()
    };
    match &args.tenant {
        Some(t) => {
            request.per_tenant_acls.insert(t.clone(), acls);
        }
        None if !acls.acls.is_empty() => request.global_acls = Some(acls),
        None => {}
    }
    request
}

async fn put(client: &lhw_runtime_client::LhClient, args: &PutArgs, format: Format) -> Res {
    let what = format!("PutPrincipal {}", args.id);
    let stored = client
        .raw()
        .put_principal(put_request(args))
        .await
        .map_err(|e| {
            if e.code() == Code::AlreadyExists {
                Fail::Msg(format!(
                    "{what}: ALREADY_EXISTS: {}\n  help: pass --overwrite to replace its ACLs",
                    e.message()
                ))
            } else {
                Fail::Client(what.clone(), rpc(e))
            }
        })?
        .into_inner();
    match format {
        Format::Json => print_json(&stored),
        Format::Table => {
            print_text(&crate::whoami::render(&stored));
            Ok(())
        }
    }
}

/// Runs `lhc principal ...`.
pub fn run(args: &PrincipalArgs, style: Style) -> ExitCode {
    match &args.command {
        PrincipalCommand::Put(a) => execute(&a.common, style, async |client, format| {
            put(client, a, format).await
        }),
        PrincipalCommand::Get(a) => execute(&a.common, style, async |client, format| {
            let p = client
                .raw()
                .get_principal(PrincipalId { id: a.id.clone() })
                .await
                .map_err(|e| Fail::Client(format!("Principal {}", a.id), rpc(e)))?
                .into_inner();
            match format {
                Format::Json => print_json(&p),
                Format::Table => {
                    print_text(&crate::whoami::render(&p));
                    Ok(())
                }
            }
        }),
        PrincipalCommand::Delete(a) => execute(&a.common, style, async |client, format| {
            client
                .raw()
                .delete_principal(DeletePrincipalRequest {
                    id: Some(PrincipalId { id: a.id.clone() }),
                })
                .await
                .map_err(|e| Fail::Client(format!("Principal {}", a.id), rpc(e)))?;
            match format {
                Format::Json => print_json(&PrincipalId { id: a.id.clone() }),
                Format::Table => {
                    print_text(&format!("principal {}: deleted\n", a.id));
                    Ok(())
                }
            }
        }),
        PrincipalCommand::Deploy(a) => execute(&a.common, style, async |client, format| {
            crate::principal_deploy::deploy(client, a, format).await
        }),
        PrincipalCommand::List(a) => execute(&a.common, style, async |client, format| {
            let criteria = match (&a.tenant, a.admin) {
                (Some(t), _) => Some(PrincipalCriteria::TenantId(t.clone())),
                (None, Some(admin)) => Some(PrincipalCriteria::IsAdmin(admin)),
                (None, None) => None,
            };
            let ids = all_pages(usize::MAX, async |bookmark, _| {
                let page = client
                    .raw()
                    .search_principal(SearchPrincipalRequest {
                        bookmark,
                        principal_criteria: criteria.clone(),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| Fail::Client("SearchPrincipal".into(), rpc(e)))?
                    .into_inner();
                Ok((page.results, page.bookmark))
            })
            .await?;
            match format {
                Format::Json => print_json(&ids),
                Format::Table => {
                    let rows: Vec<Vec<String>> = ids.iter().map(|i| vec![i.id.clone()]).collect();
                    print_text(&table(&["PRINCIPAL"], &rows));
                    Ok(())
                }
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_group_actions_per_resource() {
        let a = parse_grants("acl_workflow:read,ACL_WORKFLOW:run,acl_task:all").expect("ok");
        let b = parse_grants("all:write,acl_workflow:read").expect("ok");
        let acls = server_acls(&[a, b]);
        let pairs: Vec<(Vec<i32>, Vec<i32>)> = acls
            .iter()
            .map(|a| (a.resources.clone(), a.allowed_actions.clone()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (
                    vec![AclResource::AclWorkflow as i32],
                    vec![AclAction::Read as i32, AclAction::Run as i32]
                ),
                (
                    vec![AclResource::AclTask as i32],
                    vec![AclAction::AllActions as i32]
                ),
                (
                    vec![AclResource::AclAllResources as i32],
                    vec![AclAction::WriteMetadata as i32]
                ),
            ]
        );
    }

    #[test]
    fn bad_grants_are_explained() {
        assert_eq!(
            parse_grants("acl_workflw:read").err().as_deref(),
            Some("unknown resource `acl_workflw` (did you mean `acl_workflow`?)")
        );
        assert_eq!(
            parse_grants("acl_task:raed").err().as_deref(),
            Some("unknown action `raed` (did you mean `read`?)")
        );
        assert_eq!(
            parse_grants("acl_task").err().as_deref(),
            Some("`acl_task`: expected RESOURCE:ACTION, e.g. acl_workflow:read")
        );
    }
}
