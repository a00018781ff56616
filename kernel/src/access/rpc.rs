//! The Principal, Tenant and Whoami RPCs, following the server's `PutPrincipalRequestModel`,
//! `DeletePrincipalRequestModel`, `PutTenantRequestModel` and `LHServerListener.whoami`
//! (littlehorse-enterprises/littlehorse, `server/src/main/java/io/littlehorse/`). They run on
//! the default tenant's engine, which keeps Principals and Tenants.

use std::sync::Arc;

use lhw_proto::littlehorse::{
    DeletePrincipalRequest, Principal, PrincipalId, PrincipalIdList, PutPrincipalRequest,
    PutTenantRequest, SearchPrincipalRequest, SearchTenantRequest, Tenant, TenantId, TenantIdList,
    search_principal_request::PrincipalCriteria,
};
use pbjson_types::Empty;
use tonic::Status;

use super::directory::{Directory, PRINCIPAL, TENANT, default_anonymous, valid_tenant_id};
use super::{ANONYMOUS, DEFAULT_TENANT, acl, current};
use crate::engine::{Engine, EngineError};
use crate::request::page_of;
use crate::storage::{MetaFilter, Store};
use crate::util::{ms_to_ts, now_ms};

/// The calling Principal (anonymous outside the access layer).
fn caller() -> Principal {
    current().map_or_else(default_anonymous, |c| c.principal)
}

fn principal_id(p: &Principal) -> String {
    p.id.as_ref().map(|i| i.id.clone()).unwrap_or_default()
}

fn stored_principal(store: &Store, id: &str) -> Result<Option<Principal>, Status> {
    let stored = store.get_meta::<Principal>(PRINCIPAL, id, 0, 0)?;
    Ok(stored.or_else(|| (id == ANONYMOUS).then(default_anonymous)))
}

/// Every Principal: the stored ones, plus the built-in anonymous one while it is not stored.
fn all_principals(store: &Store) -> Result<Vec<Principal>, Status> {
    let mut out: Vec<Principal> = store
        .search_meta(PRINCIPAL, &MetaFilter::All, None, usize::MAX)?
        .into_iter()
        .filter_map(|k| stored_principal(store, &k.name).transpose())
        .collect::<Result<_, _>>()?;
    if !out.iter().any(|p| principal_id(p) == ANONYMOUS) {
        out.push(default_anonymous());
    }
    out.sort_by_key(principal_id);
    Ok(out)
}

/// An admin other than `except` remains (`ensureThatThereIsStillAnAdminPrincipal`).
fn another_admin(store: &Store, except: &str) -> Result<bool, Status> {
    Ok(all_principals(store)?
        .iter()
        .any(|p| principal_id(p) != except && acl::is_admin(p)))
}

fn put_principal(
    e: &mut Engine,
    r: PutPrincipalRequest,
    requester: Principal,
) -> Result<Principal, Status> {
    let store = e.store();
    if r.id.is_empty() {
        return Err(Status::invalid_argument("id must be set"));
    }
    if r.id.contains('/') || r.id.contains('\\') {
        return Err(Status::invalid_argument(
            "Principal ID cannot contain slashes or backslashes.",
        ));
    }
    let old = stored_principal(store, &r.id)?;
    let new = Principal {
        id: Some(PrincipalId { id: r.id.clone() }),
        created_at: old
            .as_ref()
            .and_then(|o| o.created_at)
            .or_else(|| Some(ms_to_ts(now_ms()))),
        per_tenant_acls: r.per_tenant_acls.clone(),
        global_acls: Some(r.global_acls.clone().unwrap_or_default()),
    };
    if let Some(old) = &old {
        if !r.overwrite {
            return Err(Status::already_exists(format!(
                "Must set overwrite == true to modify existing Principal {}",
                r.id
            )));
        }
        if acl::is_admin(old) && !acl::is_admin(&new) && !another_admin(store, &r.id)? {
            return Err(Status::failed_precondition(format!(
                "Principal {} is the last admin: the change would lock everyone out",
                r.id
            )));
        }
    }
    let global = new.global_acls.as_ref().map_or(0, |g| g.acls.len());
    if global > 0 && !acl::is_admin(&requester) {
        return Err(Status::invalid_argument(
            "Only admin users can create a principal with global privileges",
        ));
    }
    for (tenant, acls) in &r.per_tenant_acls {
        if acls.acls.iter().any(|a| {
            a.resources.iter().any(|res| {
                matches!(
                    lhw_proto::littlehorse::AclResource::try_from(*res),
                    Ok(lhw_proto::littlehorse::AclResource::AclPrincipal
                        | lhw_proto::littlehorse::AclResource::AclTenant
                        | lhw_proto::littlehorse::AclResource::AclQuota)
                )
            })
        }) {
            return Err(Status::invalid_argument(format!(
                "the ACLs of tenant {tenant} name a cluster-scoped resource (principals, \
                 tenants, quotas), which only global ACLs may"
            )));
        }
        if tenant != DEFAULT_TENANT && store.get_meta::<Tenant>(TENANT, tenant, 0, 0)?.is_none() {
            return Err(Status::invalid_argument(format!(
                "PutPrincipalRequest specified ACL's for a nonexistent tenant: {tenant}"
            )));
        }
    }
    store.put_meta(PRINCIPAL, &r.id, 0, 0, &new)?;
    Ok(new)
}

fn delete_principal(e: &mut Engine, id: String, requester: Principal) -> Result<Empty, Status> {
    let store = e.store();
    if id == ANONYMOUS {
        return Err(Status::invalid_argument(
            "Deleting the anonymous principal is not allowed. However, you can remove its \
             permissions via the PutPrincipal request.",
        ));
    }
    if id == principal_id(&requester) {
        return Err(Status::permission_denied(
            "Cannot delete your own principal",
        ));
    }
    let Some(old) = store.get_meta::<Principal>(PRINCIPAL, &id, 0, 0)? else {
        return Err(Status::not_found(format!("Principal {id} not found")));
    };
    if acl::is_admin(&old) && !another_admin(store, &id)? {
        return Err(Status::failed_precondition(format!(
            "Principal {id} is the last admin: deleting it would lock everyone out"
        )));
    }
    store.delete_meta(PRINCIPAL, &id, 0, 0)?;
    Ok(Empty {})
}

/// PutPrincipal.
pub(crate) async fn put(dir: &Arc<Directory>, r: PutPrincipalRequest) -> Result<Principal, Status> {
    let requester = caller();
    let out = dir
        .default_engine()
        .call(move |e| put_principal(e, r, requester))
        .await;
    dir.changed();
    out
}

/// GetPrincipal.
pub(crate) async fn get(dir: &Arc<Directory>, id: PrincipalId) -> Result<Principal, Status> {
    if id.id.is_empty() {
        return Err(Status::invalid_argument("id must be set"));
    }
    dir.principal(&id.id)
        .await?
        .ok_or_else(|| Status::not_found(format!("Principal {} not found", id.id)))
}

/// DeletePrincipal.
pub(crate) async fn delete(
    dir: &Arc<Directory>,
    r: DeletePrincipalRequest,
) -> Result<Empty, Status> {
    let id =
        r.id.map(|i| i.id)
            .filter(|i| !i.is_empty())
            .ok_or_else(|| Status::invalid_argument("id must be set"))?;
    let requester = caller();
    let out = dir
        .default_engine()
        .call(move |e| delete_principal(e, id, requester))
        .await;
    dir.changed();
    out
}

/// SearchPrincipal (by admin flag or tenant, in id order).
pub(crate) async fn search(
    dir: &Arc<Directory>,
    r: SearchPrincipalRequest,
) -> Result<PrincipalIdList, Status> {
    dir.default_engine()
        .call(move |e| {
            let all = all_principals(e.store())?;
            let ids: Vec<PrincipalId> = all
                .into_iter()
                .filter(|p| match &r.principal_criteria {
                    None => true,
                    Some(PrincipalCriteria::IsAdmin(a)) => acl::is_admin(p) == *a,
                    Some(PrincipalCriteria::TenantId(t)) => p.per_tenant_acls.contains_key(t),
                })
                .filter_map(|p| p.id)
                .collect();
            let (results, bookmark) = page_of(ids, r.bookmark.as_deref(), r.limit)?;
            Ok(PrincipalIdList { results, bookmark })
        })
        .await
}

/// Whoami: the calling Principal.
pub(crate) fn whoami() -> Principal {
    caller()
}

/// PutTenant: creates a tenant (its data directory appears on first use).
pub(crate) async fn put_tenant(
    dir: &Arc<Directory>,
    r: PutTenantRequest,
) -> Result<Tenant, Status> {
    if !valid_tenant_id(&r.id) {
        return Err(Status::invalid_argument(format!(
            "id `{}` is not a valid tenant id (letters, digits, `-`, `_` and `.`, at most 128)",
            r.id
        )));
    }
    let tenant = dir
        .default_engine()
        .call(move |e| -> Result<_, EngineError> {
            let store = e.store();
            if let Some(t) = store.get_meta::<Tenant>(TENANT, &r.id, 0, 0)? {
                // The server keeps the tenant and updates its output topic configuration.
                let t = Tenant {
                    output_topic_config: r.output_topic_config.or(t.output_topic_config),
                    ..t
                };
                store.put_meta(TENANT, &r.id, 0, 0, &t)?;
                return Ok(t);
            }
            let t = Tenant {
                id: Some(TenantId { id: r.id.clone() }),
                created_at: Some(ms_to_ts(now_ms())),
                output_topic_config: r.output_topic_config,
            };
            store.put_meta(TENANT, &r.id, 0, 0, &t)?;
            Ok(t)
        })
        .await;
    dir.changed();
    let tenant = tenant?;
    // From now on the tenant publishes as configured (`PutTenantRequestModel.process` stores
    // the config; the server's output-topic processors read it on every later change).
    if tenant.output_topic_config.is_some() {
        let id = tenant.id.as_ref().map(|i| i.id.clone()).unwrap_or_default();
        dir.apply_output_topic(&id, tenant.output_topic_config)
            .await?;
    }
    Ok(tenant)
}

fn default_tenant() -> Tenant {
    Tenant {
        id: Some(TenantId {
            id: DEFAULT_TENANT.to_string(),
        }),
        created_at: None,
        output_topic_config: None,
    }
}

/// GetTenant.
pub(crate) async fn get_tenant(dir: &Arc<Directory>, id: TenantId) -> Result<Tenant, Status> {
    if id.id == DEFAULT_TENANT {
        return Ok(default_tenant());
    }
    let key = id.id.clone();
    dir.default_engine()
        .call(move |e| Ok::<_, EngineError>(e.store().get_meta::<Tenant>(TENANT, &key, 0, 0)?))
        .await?
        .ok_or_else(|| Status::not_found(format!("Tenant {} not found", id.id)))
}

/// SearchTenant (in id order, `default` included).
pub(crate) async fn search_tenant(
    dir: &Arc<Directory>,
    r: SearchTenantRequest,
) -> Result<TenantIdList, Status> {
    dir.default_engine()
        .call(move |e| {
            let mut ids: Vec<TenantId> = e
                .store()
                .search_meta(TENANT, &MetaFilter::All, None, usize::MAX)?
                .into_iter()
                .map(|k| TenantId { id: k.name })
                .collect();
            if !ids.iter().any(|t| t.id == DEFAULT_TENANT) {
                ids.push(TenantId {
                    id: DEFAULT_TENANT.to_string(),
                });
            }
            ids.sort_by(|a, b| a.id.cmp(&b.id));
            let (results, bookmark) = page_of(ids, r.bookmark.as_deref(), r.limit)?;
            Ok(TenantIdList { results, bookmark })
        })
        .await
}
