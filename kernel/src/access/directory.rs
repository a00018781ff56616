//! Principals, tenants and the tenants' engines. Principals and Tenants are cluster-scoped:
//! they live in the default tenant's database (metadata kinds `Principal` and `Tenant`). Each
//! tenant other than `default` has its own database under `tenants/<id>/` in the data
//! directory and its own engine thread, started when a call first names the tenant, so every
//! read, search and write of a tenant stays in that tenant's store. When the kernel runs with
//! the Output Topic on, a tenant's store stages records under that tenant's id and follows the
//! tenant's `output_topic_config` (applied when its engine starts and again on each PutTenant,
//! as LittleHorse's `PutTenantRequestModel` makes a tenant publish from then on).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use lhw_proto::littlehorse::{
    AclAction, AclResource, OutputTopicConfig, Principal, PrincipalId, ServerAcLs, Tenant,
};
use tonic::Status;

use super::{ANONYMOUS, DEFAULT_TENANT, acl};
use crate::engine::{self, EngineError, EngineHandle};
use crate::storage::{MetaFilter, Store};

/// Metadata kind of Principals.
pub(crate) const PRINCIPAL: &str = "Principal";
/// Metadata kind of Tenants.
pub(crate) const TENANT: &str = "Tenant";

struct Running {
    handle: EngineHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Principals and Tenants as stored, read once and again after each change (every call is
/// checked against them, so they are not read from the database per call).
#[derive(Default)]
struct Known {
    principals: HashMap<String, Principal>,
    /// Each stored tenant with its Output Topic configuration.
    tenants: HashMap<String, Option<OutputTopicConfig>>,
}

/// The default engine, and the other tenants' engines once started.
pub(crate) struct Directory {
    data_dir: PathBuf,
    default: EngineHandle,
    /// Whether the kernel runs with the Output Topic on (a publisher reads the outboxes).
    output_topic: bool,
    tenants: Mutex<HashMap<String, Running>>,
    known: RwLock<Option<Arc<Known>>>,
}

/// The anonymous Principal before anyone changes it: an admin, as on a fresh LittleHorse
/// server (`InitializationLogModel.getAnonymousPrincipalModel`).
pub(crate) fn default_anonymous() -> Principal {
    Principal {
        id: Some(PrincipalId {
            id: ANONYMOUS.to_string(),
        }),
        created_at: None,
        per_tenant_acls: Default::default(),
        global_acls: Some(ServerAcLs {
            acls: vec![acl::acl(
                &[AclResource::AclAllResources],
                &[AclAction::AllActions],
            )],
        }),
    }
}

/// Whether `id` is a name a tenant may have: it becomes a directory name.
pub(crate) fn valid_tenant_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !id.starts_with('.')
}

impl Directory {
    pub(crate) fn new(data_dir: PathBuf, default: EngineHandle, output_topic: bool) -> Directory {
        Directory {
            data_dir,
            default,
            output_topic,
            tenants: Mutex::new(HashMap::new()),
            known: RwLock::new(None),
        }
    }

    /// Forgets what was read: the next call reads Principals and Tenants again.
    pub(crate) fn changed(&self) {
        if let Ok(mut k) = self.known.write() {
            *k = None;
        }
    }

    async fn known(&self) -> Result<Arc<Known>, Status> {
        if let Some(k) = self.known.read().ok().and_then(|k| k.clone()) {
            return Ok(k);
        }
        let known = self
            .default
            .call(|e| -> Result<_, EngineError> {
                let store = e.store();
                let mut known = Known::default();
                for k in store.search_meta(PRINCIPAL, &MetaFilter::All, None, usize::MAX)? {
                    if let Some(p) = store.get_meta::<Principal>(PRINCIPAL, &k.name, 0, 0)? {
                        known.principals.insert(k.name, p);
                    }
                }
                for k in store.search_meta(TENANT, &MetaFilter::All, None, usize::MAX)? {
                    let config = store
                        .get_meta::<Tenant>(TENANT, &k.name, 0, 0)?
                        .and_then(|t| t.output_topic_config);
                    known.tenants.insert(k.name, config);
                }
                Ok(Arc::new(known))
            })
            .await?;
        if let Ok(mut k) = self.known.write() {
            *k = Some(known.clone());
        }
        Ok(known)
    }

    /// The engine that keeps Principals and Tenants.
    pub(crate) fn default_engine(&self) -> EngineHandle {
        self.default.clone()
    }

    /// The Principal `id` as stored, the built-in anonymous Principal for `anonymous`, or
    /// `None` for an unknown id.
    pub(crate) async fn principal(&self, id: &str) -> Result<Option<Principal>, Status> {
        let known = self.known().await?;
        Ok(known
            .principals
            .get(id)
            .cloned()
            .or_else(|| (id == ANONYMOUS).then(default_anonymous)))
    }

    /// Whether the tenant exists (`default` always does).
    pub(crate) async fn tenant_exists(&self, id: &str) -> Result<bool, Status> {
        Ok(id == DEFAULT_TENANT || self.known().await?.tenants.contains_key(id))
    }

    /// The engine of an existing tenant, started on first use (with the tenant's Output Topic
    /// configuration when the kernel publishes one).
    pub(crate) async fn engine_of(&self, tenant: &str) -> Result<EngineHandle, Status> {
        if tenant == DEFAULT_TENANT {
            return Ok(self.default.clone());
        }
        if !valid_tenant_id(tenant) {
            return Err(Status::invalid_argument(format!(
                "tenantid `{tenant}` is not a valid tenant id"
            )));
        }
        let config = if self.output_topic {
            self.known().await?.tenants.get(tenant).cloned().flatten()
        } else {
            None
        };
        let mut running = self
            .tenants
            .lock()
            .map_err(|_| Status::internal("the tenant registry is poisoned"))?;
        if let Some(r) = running.get(tenant) {
            return Ok(r.handle.clone());
        }
        let dir = self.data_dir.join("tenants").join(tenant);
        let mut store = Store::open(&dir).map_err(|e| {
            Status::internal(format!("cannot open the data of tenant `{tenant}`: {e}"))
        })?;
        store.set_tenant(tenant);
        if config.is_some() {
            store
                .set_output_topic_config(tenant, config)
                .map_err(|e| Status::internal(format!("tenant `{tenant}`: {e}")))?;
        }
        let (handle, thread) = engine::start(store).map_err(|e| {
            Status::internal(format!("cannot start the engine of tenant `{tenant}`: {e}"))
        })?;
        running.insert(
            tenant.to_string(),
            Running {
                handle: handle.clone(),
                thread: Some(thread),
            },
        );
        Ok(handle)
    }

    /// Applies a tenant's new Output Topic configuration to its store (nothing when the kernel
    /// runs without the Output Topic: no publisher would ever empty the outbox).
    pub(crate) async fn apply_output_topic(
        &self,
        tenant: &str,
        config: Option<OutputTopicConfig>,
    ) -> Result<(), Status> {
        if !self.output_topic {
            return Ok(());
        }
        let id = tenant.to_string();
        self.engine_of(tenant)
            .await?
            .call(move |e| Ok(e.store_mut().set_output_topic_config(&id, config)?))
            .await
    }

    /// Stops every tenant engine (not the default one) and waits for them.
    pub(crate) fn stop_all(&self) -> Vec<std::thread::JoinHandle<()>> {
        let Ok(mut running) = self.tenants.lock() else {
            return Vec::new();
        };
        running
            .values_mut()
            .filter_map(|r| {
                r.handle.stop();
                r.thread.take()
            })
            .collect()
    }
}
