//! Every RPC is authorised (ARCHITECTURE invariant): Principals and Tenants as LittleHorse has
//! them, over real gRPC. Tokens name Principals (`BearerAuth::identity`, as the server's
//! OAuthAuthenticator takes the client id from the token); the `tenantid` header names the
//! tenant. Checks: the anonymous Principal starts as an admin and can be restricted; ACL
//! actions per resource type; per-tenant ACLs; a tenant's principal can neither see, search nor
//! touch another tenant's specs and runs; an unknown tenant is refused; Whoami; the last admin
//! cannot be removed.

mod common;

use common::TEST_TIMEOUT;
use lhw_kernel::Config;
use lhw_kernel::auth::BearerAuth;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    AclAction, AclResource, DeletePrincipalRequest, PrincipalId, PutPrincipalRequest,
    PutTenantRequest, RunWfRequest, SearchPrincipalRequest, SearchTenantRequest,
    SearchWfRunRequest, SearchWfSpecRequest, ServerAcLs, ServerAcl, TenantId, WfRunId,
    search_principal_request::PrincipalCriteria,
};
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// The interceptor adding a call's `authorization` and `tenantid` headers.
type Headers =
    Box<dyn FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Send>;
type Authed = LittleHorseClient<InterceptedService<Channel, Headers>>;

const FLOW: &str = r#"
workflow hello {
  input n: int
  var m: int
  m = n + 1
}
"#;

/// Tokens the test's identity provider knows: `tok-<principal>`; `tok-anon` is anonymous.
fn identity() -> BearerAuth {
    BearerAuth::identity(|t| match t.strip_prefix("tok-") {
        Some("anon") => Ok(None),
        Some(p) if !p.is_empty() => Ok(Some(p.to_string())),
        _ => Err("unknown token".to_string()),
    })
}

async fn as_(addr: std::net::SocketAddr, token: &str, tenant: Option<&str>) -> Authed {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let auth: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().expect("ascii");
    let tenant = tenant.map(|t| {
        t.parse::<tonic::metadata::MetadataValue<_>>()
            .expect("ascii")
    });
    let f: Headers = Box::new(move |mut req: tonic::Request<()>| {
        req.metadata_mut().insert("authorization", auth.clone());
        if let Some(t) = &tenant {
            req.metadata_mut().insert("tenantid", t.clone());
        }
        Ok(req)
    });
    LittleHorseClient::with_interceptor(channel, f)
}

fn acl(resources: &[AclResource], actions: &[AclAction]) -> ServerAcl {
    ServerAcl {
        resources: resources.iter().map(|r| *r as i32).collect(),
        allowed_actions: actions.iter().map(|a| *a as i32).collect(),
        resource_filter: None,
    }
}

fn all() -> ServerAcl {
    acl(&[AclResource::AclAllResources], &[AclAction::AllActions])
}

fn principal(
    id: &str,
    global: Vec<ServerAcl>,
    tenant: Option<(&str, Vec<ServerAcl>)>,
) -> PutPrincipalRequest {
    PutPrincipalRequest {
        id: id.to_string(),
        per_tenant_acls: tenant
            .map(|(t, acls)| (t.to_string(), ServerAcLs { acls }))
            .into_iter()
            .collect(),
        global_acls: Some(ServerAcLs { acls: global }),
        overwrite: true,
    }
}

async fn deploy(c: &mut Authed) {
    let out = lhw_compiler::compile(FLOW).output.expect("compiles");
    for r in out.wf_specs {
        c.put_wf_spec(r).await.expect("put wf spec");
    }
}

fn run_req(id: &str) -> RunWfRequest {
    RunWfRequest {
        wf_spec_name: "hello".into(),
        id: Some(id.into()),
        ..Default::default()
    }
}

fn wf(id: &str) -> WfRunId {
    WfRunId {
        id: id.into(),
        parent_wf_run_id: None,
    }
}

#[tokio::test]
async fn principals_tenants_and_acls_as_littlehorse_has_them() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().expect("dir");
        let kernel = lhw_kernel::serve(
            Config::new(dir.path())
                .listen("127.0.0.1:0".parse().expect("addr"))
                .auth(identity()),
        )
        .await
        .expect("kernel");
        let addr = kernel.addr();

        // A bad token is UNAUTHENTICATED.
        let mut nobody = as_(addr, "bad", None).await;
        let e = nobody
            .whoami(tonic::Request::new(Default::default()))
            .await
            .expect_err("bad token");
        assert_eq!(e.code(), Code::Unauthenticated);

        // The anonymous Principal starts as an admin: it sets the cluster up.
        let mut anon = as_(addr, "tok-anon", None).await;
        let me = anon
            .whoami(tonic::Request::new(Default::default()))
            .await
            .expect("whoami")
            .into_inner();
        assert_eq!(me.id.expect("id").id, "anonymous");
        for t in ["tenant-a", "tenant-b"] {
            anon.put_tenant(PutTenantRequest {
                id: t.into(),
                output_topic_config: None,
            })
            .await
            .expect("put tenant");
        }
        let e = anon
            .put_principal(principal("alice", vec![], Some(("nowhere", vec![all()]))))
            .await
            .expect_err("unknown tenant");
        assert_eq!(e.code(), Code::InvalidArgument);
        anon.put_principal(principal("admin", vec![all()], None))
            .await
            .expect("admin");
        anon.put_principal(principal("alice", vec![], Some(("tenant-a", vec![all()]))))
            .await
            .expect("alice");
        anon.put_principal(principal("bob", vec![], Some(("tenant-b", vec![all()]))))
            .await
            .expect("bob");
        anon.put_principal(principal(
            "reader",
            vec![acl(&[AclResource::AclWorkflow], &[AclAction::Read])],
            None,
        ))
        .await
        .expect("reader");
        // Then takes its own rights away (another admin remains).
        anon.put_principal(principal("anonymous", vec![], None))
            .await
            .expect("restrict anonymous");
        let e = anon
            .search_tenant(SearchTenantRequest::default())
            .await
            .expect_err("no rights");
        assert_eq!(e.code(), Code::PermissionDenied);
        assert!(e.message().contains("ACL_TENANT"), "{}", e.message());
        // Whoami needs nothing.
        assert_eq!(
            anon.whoami(tonic::Request::new(Default::default()))
                .await
                .expect("whoami")
                .into_inner()
                .id
                .expect("id")
                .id,
            "anonymous"
        );

        let mut admin = as_(addr, "tok-admin", None).await;
        let tenants = admin
            .search_tenant(SearchTenantRequest::default())
            .await
            .expect("search tenants")
            .into_inner();
        let names: Vec<&str> = tenants.results.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(names, ["default", "tenant-a", "tenant-b"]);
        let admins = admin
            .search_principal(SearchPrincipalRequest {
                principal_criteria: Some(PrincipalCriteria::IsAdmin(true)),
                ..Default::default()
            })
            .await
            .expect("search principals")
            .into_inner();
        let names: Vec<&str> = admins.results.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(names, ["admin"]);
        // The last admin cannot lose its rights.
        let e = admin
            .put_principal(principal("admin", vec![], None))
            .await
            .expect_err("last admin");
        assert_eq!(e.code(), Code::FailedPrecondition);
        let e = admin
            .delete_principal(DeletePrincipalRequest {
                id: Some(PrincipalId { id: "admin".into() }),
            })
            .await
            .expect_err("own principal");
        assert_eq!(e.code(), Code::PermissionDenied);
        let e = admin
            .get_tenant(TenantId { id: "nope".into() })
            .await
            .expect_err("no tenant");
        assert_eq!(e.code(), Code::NotFound);

        // Tenant A: alice deploys and runs there.
        let mut alice = as_(addr, "tok-alice", Some("tenant-a")).await;
        deploy(&mut alice).await;
        alice.run_wf(run_req("run-a")).await.expect("run in a");
        // Per-tenant ACLs do not reach cluster-scoped objects.
        let e = alice
            .search_tenant(SearchTenantRequest::default())
            .await
            .expect_err("cluster scoped");
        assert_eq!(e.code(), Code::PermissionDenied);
        // Alice has no ACLs in tenant B nor in the default tenant.
        for t in [Some("tenant-b"), None] {
            let mut elsewhere = as_(addr, "tok-alice", t).await;
            let e = elsewhere
                .get_wf_run(wf("run-a"))
                .await
                .expect_err("no ACLs");
            assert_eq!(e.code(), Code::PermissionDenied, "{t:?}");
        }

        // Tenant B: bob sees nothing of tenant A, and cannot touch it.
        let mut bob = as_(addr, "tok-bob", Some("tenant-b")).await;
        let e = bob.get_wf_run(wf("run-a")).await.expect_err("isolated");
        assert_eq!(e.code(), Code::NotFound);
        let specs = bob
            .search_wf_spec(SearchWfSpecRequest::default())
            .await
            .expect("search specs")
            .into_inner();
        assert!(specs.results.is_empty(), "{specs:?}");
        let runs = bob
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: "hello".into(),
                ..Default::default()
            })
            .await
            .expect("search runs")
            .into_inner();
        assert!(runs.results.is_empty(), "{runs:?}");
        let e = bob
            .run_wf(run_req("run-b"))
            .await
            .expect_err("no WfSpec in b");
        assert_eq!(e.code(), Code::NotFound, "{}", e.message());
        // The same ids live apart: bob deploys its own hello and runs `run-a` in tenant B.
        deploy(&mut bob).await;
        bob.run_wf(run_req("run-a"))
            .await
            .expect("same id, other tenant");
        let mine = alice
            .get_wf_run(wf("run-a"))
            .await
            .expect("alice's run")
            .into_inner();
        assert!(mine.id.is_some());

        // The default tenant saw none of it.
        let mut reader = as_(addr, "tok-reader", None).await;
        let e = reader
            .get_wf_run(wf("run-a"))
            .await
            .expect_err("not in default");
        assert_eq!(e.code(), Code::NotFound);
        // READ over workflows, nothing more.
        let e = reader.run_wf(run_req("r")).await.expect_err("no RUN");
        assert_eq!(e.code(), Code::PermissionDenied);
        assert!(e.message().contains("RUN"), "{}", e.message());
        let e = reader
            .get_principal(PrincipalId { id: "admin".into() })
            .await
            .expect_err("no principal READ");
        assert_eq!(e.code(), Code::PermissionDenied);

        // An unknown tenant is refused, even for an admin.
        let mut lost = as_(addr, "tok-admin", Some("tenant-z")).await;
        let e = lost
            .get_wf_run(wf("run-a"))
            .await
            .expect_err("no such tenant");
        assert_eq!(e.code(), Code::PermissionDenied);
        assert!(
            e.message().contains("Tenant not allowed"),
            "{}",
            e.message()
        );

        // Principals and tenants survive a restart, and so does the isolation.
        kernel.shutdown().await;
        let kernel = lhw_kernel::serve(
            Config::new(dir.path())
                .listen("127.0.0.1:0".parse().expect("addr"))
                .auth(identity()),
        )
        .await
        .expect("kernel again");
        let mut bob = as_(kernel.addr(), "tok-bob", Some("tenant-b")).await;
        let specs = bob
            .search_wf_spec(SearchWfSpecRequest::default())
            .await
            .expect("search specs")
            .into_inner();
        assert_eq!(specs.results.len(), 1);
        let mut anon = as_(kernel.addr(), "tok-anon", None).await;
        let e = anon
            .search_tenant(SearchTenantRequest::default())
            .await
            .expect_err("still restricted");
        assert_eq!(e.code(), Code::PermissionDenied);
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
