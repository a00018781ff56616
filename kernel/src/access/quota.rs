//! The Quota RPCs (PutQuota, GetQuota, DeleteQuota, SearchQuota), following the server's
//! `PutQuotaRequestModel`, `DeleteQuotaRequestModel`, `SearchQuotaRequestModel` and
//! `LHServerListener.getQuota` (littlehorse-enterprises/littlehorse, `server/src/main/java/
//! io/littlehorse/`). A Quota belongs to a tenant, or to one principal within a tenant;
//! like Principals and Tenants it is cluster-scoped and kept by the default tenant's engine.
//!
//! The server checks, in this order: `tenant` set (its request parsing fails otherwise),
//! `write_requests_per_second` > 0, the tenant exists, the principal (when given) exists
//! (all INVALID_ARGUMENT); a second put of the same id keeps its creation time. DeleteQuota
//! of an unknown id succeeds silently; GetQuota of one is NOT_FOUND "Could not find quota
//! …"; SearchQuota by principal needs the tenant (INVALID_ARGUMENT).
//!
//! The server then throttles the tenant's (or principal's) mutating requests above the rate
//! (`RequestQuotaManager`); the kernel stores Quotas without enforcing them
//! (docs/differences.md).

use std::sync::Arc;

use lhw_proto::littlehorse::{
    DeleteQuotaRequest, Principal, PutQuotaRequest, Quota, QuotaId, QuotaIdList,
    SearchQuotaRequest, Tenant,
};
use pbjson_types::Empty;
use tonic::Status;

use super::DEFAULT_TENANT;
use super::directory::{Directory, PRINCIPAL, TENANT};
use crate::engine::EngineError;
use crate::request::page_of;
use crate::storage::{MetaFilter, Store};
use crate::util::{ms_to_ts, now_ms};

/// The storage kind of Quotas.
const QUOTA: &str = "Quota";

/// The storage key of a quota id: the tenant, then `/` and the principal (tenant ids have
/// no `/`).
fn key(id: &QuotaId) -> String {
    let tenant = id.tenant.as_ref().map_or("", |t| t.id.as_str());
    match &id.principal {
        Some(p) => format!("{tenant}/{}", p.id),
        None => tenant.to_string(),
    }
}

/// How the server writes a QuotaId in messages.
fn shown(id: &QuotaId) -> String {
    key(id)
}

fn tenant_exists(store: &Store, tenant: &str) -> Result<bool, Status> {
    Ok(tenant == DEFAULT_TENANT || store.get_meta::<Tenant>(TENANT, tenant, 0, 0)?.is_some())
}

/// PutQuota.
pub(crate) async fn put(dir: &Arc<Directory>, r: PutQuotaRequest) -> Result<Quota, Status> {
    let tenant = r
        .tenant
        .filter(|t| !t.id.is_empty())
        .ok_or_else(|| Status::invalid_argument("PutQuotaRequest is missing tenant"))?;
    if r.write_requests_per_second <= 0 {
        return Err(Status::invalid_argument(
            "write_requests_per_second must be greater than zero",
        ));
    }
    let principal = r.principal.filter(|p| !p.id.is_empty());
    dir.default_engine()
        .call(move |e| {
            let store = e.store();
            if !tenant_exists(store, &tenant.id)? {
                return Err(Status::invalid_argument(format!(
                    "Could not find tenant {}",
                    tenant.id
                )));
            }
            if let Some(p) = &principal
                && p.id != super::ANONYMOUS
                && store
                    .get_meta::<Principal>(PRINCIPAL, &p.id, 0, 0)?
                    .is_none()
            {
                return Err(Status::invalid_argument(format!(
                    "Could not find principal {}",
                    p.id
                )));
            }
            let id = QuotaId {
                tenant: Some(tenant),
                principal,
            };
            let k = key(&id);
            let created_at = store
                .get_meta::<Quota>(QUOTA, &k, 0, 0)?
                .and_then(|q| q.created_at)
                .or_else(|| Some(ms_to_ts(now_ms())));
            let quota = Quota {
                id: Some(id),
                created_at,
                write_requests_per_second: r.write_requests_per_second,
            };
            store.put_meta(QUOTA, &k, 0, 0, &quota)?;
            Ok(quota)
        })
        .await
}

/// GetQuota.
pub(crate) async fn get(dir: &Arc<Directory>, id: QuotaId) -> Result<Quota, Status> {
    if id.tenant.as_ref().is_none_or(|t| t.id.is_empty()) {
        return Err(Status::invalid_argument("tenant must be set"));
    }
    let k = key(&id);
    dir.default_engine()
        .call(move |e| Ok::<_, EngineError>(e.store().get_meta::<Quota>(QUOTA, &k, 0, 0)?))
        .await?
        .ok_or_else(|| Status::not_found(format!("Could not find quota {}", shown(&id))))
}

/// DeleteQuota: an unknown id is deleted silently, as the server does.
pub(crate) async fn delete(dir: &Arc<Directory>, r: DeleteQuotaRequest) -> Result<Empty, Status> {
    let id =
        r.id.ok_or_else(|| Status::invalid_argument("DeleteQuotaRequest is missing id"))?;
    if id.tenant.as_ref().is_none_or(|t| t.id.is_empty()) {
        return Err(Status::invalid_argument("id.tenant must be set"));
    }
    let k = key(&id);
    dir.default_engine()
        .call(move |e| {
            e.store().delete_meta(QUOTA, &k, 0, 0)?;
            Ok(Empty {})
        })
        .await
}

/// SearchQuota: every Quota, a tenant's, or one principal's within a tenant; by id.
pub(crate) async fn search(
    dir: &Arc<Directory>,
    r: SearchQuotaRequest,
) -> Result<QuotaIdList, Status> {
    let tenant = r.tenant_id.clone().filter(|t| !t.trim().is_empty());
    if r.principal.is_some() && tenant.is_none() {
        return Err(Status::invalid_argument(
            "Must provide tenant_id when searching by principal",
        ));
    }
    dir.default_engine()
        .call(move |e| {
            let store = e.store();
            let mut ids = Vec::new();
            for k in store.search_meta(QUOTA, &MetaFilter::All, None, usize::MAX)? {
                let Some(q) = store.get_meta::<Quota>(QUOTA, &k.name, 0, 0)? else {
                    continue;
                };
                let Some(id) = q.id else { continue };
                let t = id.tenant.as_ref().map_or("", |t| t.id.as_str());
                if tenant.as_deref().is_some_and(|want| want != t) {
                    continue;
                }
                if let Some(want) = &r.principal
                    && id.principal.as_ref().map(|p| &p.id) != Some(&want.id)
                {
                    continue;
                }
                ids.push(id);
            }
            let (results, bookmark) = page_of(ids, r.bookmark.as_deref(), r.limit)?;
            Ok(QuotaIdList { results, bookmark })
        })
        .await
}
