//! Who may do what, as LittleHorse has it (ARCHITECTURE invariant "every RPC is authorised"):
//! every call is authenticated (a bearer token when the kernel requires one, else the
//! client certificate's common name on an mTLS connection, else the anonymous Principal),
//! placed in a Tenant (the `tenantid` header, `default` without it) and checked against the
//! Principal's ACLs ([`acl`]) before the RPC runs; the RPC then runs on that tenant's own
//! engine and database ([`directory`]), so a tenant's principal can neither see nor touch
//! another tenant's objects.
//!
//! Server sources followed (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/`): `server/auth/RequestAuthorizer.java`, `server/streams/topology/core/
//! RequestExecutionContext.java` (default tenant, anonymous principal, per-tenant versus
//! global ACLs, "Tenant not allowed"), `common/model/getable/core/init/
//! InitializationLogModel.java` (the anonymous Principal is an admin until changed),
//! `server/auth/authenticators/MTLSAuthenticator.java` (CN of the client certificate).

pub(crate) mod acl;
pub(crate) mod directory;
pub(crate) mod layer;
pub(crate) mod quota;
pub(crate) mod rpc;

use lhw_proto::littlehorse::Principal;

use crate::engine::EngineHandle;

/// The Principal every unauthenticated call acts as (`LHConstants.ANONYMOUS_PRINCIPAL`).
pub(crate) const ANONYMOUS: &str = "anonymous";
/// The tenant of a call without `tenantid` (`LHConstants.DEFAULT_TENANT`).
pub(crate) const DEFAULT_TENANT: &str = "default";
/// The header naming the tenant (`LHServerInterceptor.TENANT_ID`).
pub(crate) const TENANT_HEADER: &str = "tenantid";

/// Who is calling, and the engine that serves the call's tenant.
#[derive(Clone)]
pub(crate) struct CallContext {
    pub(crate) principal: Principal,
    pub(crate) engine: EngineHandle,
}

tokio::task_local! {
    static CALL: CallContext;
}

/// The context of the call being served, when the access layer admitted one.
pub(crate) fn current() -> Option<CallContext> {
    CALL.try_with(Clone::clone).ok()
}
