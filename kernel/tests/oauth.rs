//! OAuth access tokens validated by introspection, as a LittleHorse server configured with
//! `LHS_OAUTH_*` validates them, against a small issuer the test starts itself
//! (`runtime-client/tests/support/token_server.rs`: token and RFC 7662 introspection endpoints
//! over real HTTP and HTTPS). A valid token acts as the Principal the server derives (client id
//! of a machine client, user name of a person); expired, revoked, unknown and missing tokens
//! are UNAUTHENTICATED; a Principal without rights is PERMISSION_DENIED; answers are cached per
//! token for their lifetime; a failing identity provider is ABORTED and logged.

#[path = "../../runtime-client/tests/support/certs.rs"]
mod certs;
mod common;
#[path = "../../runtime-client/tests/support/token_server.rs"]
mod token_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::TEST_TIMEOUT;
use lhw_kernel::log::Logger;
use lhw_kernel::oauth::OAuthConfig;
use lhw_kernel::{Config, KernelHandle};
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    AclAction, AclResource, PrincipalId, PutPrincipalRequest, PutTaskDefRequest, RunWfRequest,
    ServerAcLs, ServerAcl, WfSpecId, server_acl::ResourceFilter,
};
use token_server::{INTROSPECTOR_ID, INTROSPECTOR_SECRET, TokenServer};
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Headers =
    Box<dyn FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Send>;
type Authed = LittleHorseClient<InterceptedService<Channel, Headers>>;

/// The log lines of a kernel.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn logger(&self) -> Logger {
        let lines = self.0.clone();
        Logger::new(move |level, m| {
            lines
                .lock()
                .expect("lines")
                .push(format!("{} {m}", level.as_str()))
        })
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().expect("lines").clone()
    }
}

async fn kernel(dir: &std::path::Path, oauth: OAuthConfig, lines: &Lines) -> KernelHandle {
    lhw_kernel::serve(
        Config::new(dir)
            .listen("127.0.0.1:0".parse().expect("addr"))
            .oauth(oauth)
            .log(lines.logger()),
    )
    .await
    .expect("kernel")
}

fn introspection(issuer: &TokenServer) -> OAuthConfig {
    OAuthConfig::new(
        INTROSPECTOR_ID,
        INTROSPECTOR_SECRET,
        &issuer.introspect_url(),
    )
    .expect("oauth config")
}

/// A client sending `authorization` as given (`None`: no header).
async fn with_header(kernel: &KernelHandle, authorization: Option<String>) -> Authed {
    let channel = Channel::from_shared(format!("http://{}", kernel.addr()))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let value: Option<tonic::metadata::MetadataValue<_>> =
        authorization.map(|a| a.parse().expect("ascii"));
    let f: Headers = Box::new(move |mut req: tonic::Request<()>| {
        if let Some(v) = &value {
            req.metadata_mut().insert("authorization", v.clone());
        }
        Ok(req)
    });
    LittleHorseClient::with_interceptor(channel, f)
}

async fn bearer(kernel: &KernelHandle, token: &str) -> Authed {
    with_header(kernel, Some(format!("Bearer {token}"))).await
}

async fn whoami(c: &mut Authed) -> Result<String, tonic::Status> {
    let p = c
        .whoami(tonic::Request::new(Default::default()))
        .await?
        .into_inner();
    Ok(p.id.map(|i| i.id).unwrap_or_default())
}

fn acl(resources: &[AclResource], actions: &[AclAction]) -> ServerAcl {
    ServerAcl {
        resources: resources.iter().map(|r| *r as i32).collect(),
        allowed_actions: actions.iter().map(|a| *a as i32).collect(),
        resource_filter: None,
    }
}

fn principal(id: &str, acls: Vec<ServerAcl>) -> PutPrincipalRequest {
    PutPrincipalRequest {
        id: id.to_string(),
        per_tenant_acls: [("default".to_string(), ServerAcLs { acls })]
            .into_iter()
            .collect(),
        global_acls: None,
        overwrite: true,
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_acts_as_its_client_or_user_and_is_introspected_once() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let issuer = TokenServer::start(Duration::from_secs(300)).await;
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let k = kernel(dir.path(), introspection(&issuer), &lines).await;

        // `setup-app` is no stored Principal: it acts as `anonymous`, an admin on a fresh
        // kernel, and stores the Principals of a machine client and a person.
        let setup = issuer.issue("setup-app", Duration::from_secs(300));
        let mut admin = bearer(&k, &setup).await;
        assert_eq!(whoami(&mut admin).await.expect("whoami"), "anonymous");
        let all = acl(&[AclResource::AclAllResources], &[AclAction::AllActions]);
        for id in ["worker-app", "ann"] {
            admin
                .put_principal(principal(id, vec![all.clone()]))
                .await
                .expect("put principal");
        }

        // A machine client (scope without `openid`) is its client id.
        let token = issuer.issue("worker-app", Duration::from_secs(300));
        let mut worker = bearer(&k, &token).await;
        let before = issuer.introspections();
        for _ in 0..3 {
            assert_eq!(whoami(&mut worker).await.expect("whoami"), "worker-app");
        }
        assert_eq!(
            issuer.introspections() - before,
            1,
            "the answer is cached for the token's lifetime"
        );

        // A person (scope `openid`) is the user name, not the client id.
        let token = issuer.issue_for_user("ann", Duration::from_secs(300));
        let mut ann = bearer(&k, &token).await;
        assert_eq!(whoami(&mut ann).await.expect("whoami"), "ann");

        // The official Python SDK sends the bare token; the server strips only `Bearer`.
        let token = issuer.issue("worker-app", Duration::from_secs(300));
        let mut bare = with_header(&k, Some(token)).await;
        assert_eq!(whoami(&mut bare).await.expect("whoami"), "worker-app");
        assert!(lines.all().is_empty(), "{:?}", lines.all());
        k.shutdown().await;
    })
    .await
    .expect("within the test timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_revoked_unknown_and_missing_tokens_are_unauthenticated() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let issuer = TokenServer::start(Duration::from_secs(300)).await;
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let k = kernel(dir.path(), introspection(&issuer), &lines).await;
        let refused = |e: tonic::Status, why: &str| {
            assert_eq!(e.code(), Code::Unauthenticated, "{e:?}");
            assert!(e.message().contains(why), "{why}: {}", e.message());
        };

        let expired = issuer.issue("worker-app", Duration::ZERO);
        let e = whoami(&mut bearer(&k, &expired).await)
            .await
            .expect_err("expired");
        refused(e, "Access token is not active");

        let revoked = issuer.issue("worker-app", Duration::from_secs(300));
        issuer.revoke(&revoked);
        let e = whoami(&mut bearer(&k, &revoked).await)
            .await
            .expect_err("revoked");
        refused(e, "Access token is not active");

        let e = whoami(&mut bearer(&k, "never-issued").await)
            .await
            .expect_err("unknown");
        refused(e, "Access token is not active");

        let e = whoami(&mut with_header(&k, None).await)
            .await
            .expect_err("missing");
        refused(e, "had none");

        // A cached answer is checked against the token's expiry on every call: once `exp` is
        // past the token is refused without asking the identity provider again.
        let short = issuer.issue("worker-app", Duration::from_secs(1));
        let exp = issuer.exp(&short).expect("issued");
        let mut c = bearer(&k, &short).await;
        whoami(&mut c).await.expect("valid until exp");
        let asked = issuer.introspections();
        while unix_now() < exp {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let e = whoami(&mut c).await.expect_err("expired while cached");
        refused(e, "Token is not active");
        assert_eq!(issuer.introspections(), asked, "answered from the cache");

        // As on the server, a token revoked after its answer was cached keeps working until
        // it expires (the cache is not invalidated).
        let cached = issuer.issue("worker-app", Duration::from_secs(300));
        let mut c = bearer(&k, &cached).await;
        whoami(&mut c).await.expect("valid");
        issuer.revoke(&cached);
        whoami(&mut c).await.expect("still cached");
        k.shutdown().await;
    })
    .await
    .expect("within the test timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_without_rights_is_permission_denied() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let issuer = TokenServer::start(Duration::from_secs(300)).await;
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let k = kernel(dir.path(), introspection(&issuer), &lines).await;
        let mut admin = bearer(&k, &issuer.issue("setup-app", Duration::from_secs(300))).await;
        // A name filter is stored and returned, and grants as the server grants: its check
        // looks at resources and actions only (`ServerACLModel.allows`).
        let filtered = ServerAcl {
            resource_filter: Some(ResourceFilter::Name("only-this".into())),
            ..acl(&[AclResource::AclWorkflow], &[AclAction::Read])
        };
        admin
            .put_principal(principal("reader-app", vec![filtered.clone()]))
            .await
            .expect("put principal");
        let stored = admin
            .get_principal(PrincipalId {
                id: "reader-app".into(),
            })
            .await
            .expect("get principal")
            .into_inner();
        assert_eq!(stored.per_tenant_acls["default"].acls, vec![filtered]);

        let mut reader = bearer(&k, &issuer.issue("reader-app", Duration::from_secs(300))).await;
        assert_eq!(whoami(&mut reader).await.expect("whoami"), "reader-app");
        let e = reader
            .run_wf(RunWfRequest {
                wf_spec_name: "anything".into(),
                ..Default::default()
            })
            .await
            .expect_err("no RUN");
        assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
        assert!(e.message().contains("RUN"), "{}", e.message());
        let e = reader
            .put_task_def(PutTaskDefRequest {
                name: "t".into(),
                ..Default::default()
            })
            .await
            .expect_err("no task rights");
        assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
        // Reading workflows is granted (any name, the filter notwithstanding): the call
        // reaches the kernel, which has no such WfSpec.
        let e = reader
            .get_wf_spec(WfSpecId {
                name: "missing".into(),
                major_version: 0,
                revision: 0,
            })
            .await
            .expect_err("no such WfSpec");
        assert_eq!(e.code(), Code::NotFound, "{e:?}");
        k.shutdown().await;
    })
    .await
    .expect("within the test timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_provider_over_https_needs_its_ca_and_failures_are_aborted_and_logged() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let pki = certs::Pki::new();
        let issuer = TokenServer::start_https(
            Duration::from_secs(300),
            &pki.server.cert_pem,
            &pki.server.key_pem,
        )
        .await;
        let token = issuer.issue("worker-app", Duration::from_secs(300));

        // Trusting the issuer's CA: the token is introspected over HTTPS.
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let trusted = introspection(&issuer)
            .with_ca_pem(pki.ca.pem())
            .expect("ca");
        let k = kernel(dir.path(), trusted, &lines).await;
        assert_eq!(
            whoami(&mut bearer(&k, &token).await).await.expect("whoami"),
            "anonymous",
            "worker-app is not stored: it acts as anonymous"
        );
        k.shutdown().await;

        // Without the CA the identity provider cannot be reached: ABORTED, as the server's
        // EntityProviderException, and the kernel logs why.
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let k = kernel(dir.path(), introspection(&issuer), &lines).await;
        let e = whoami(&mut bearer(&k, &token).await)
            .await
            .expect_err("untrusted");
        assert_eq!(e.code(), Code::Aborted, "{e:?}");
        assert!(
            e.message().contains(&issuer.introspect_url()) && e.message().contains("TLS"),
            "{}",
            e.message()
        );
        let logged = lines.all();
        assert!(
            logged
                .iter()
                .any(|l| l.starts_with("WARN cannot introspect the token at")),
            "{logged:?}"
        );
        k.shutdown().await;

        // Wrong kernel credentials at the identity provider: ABORTED with its answer.
        let dir = tempfile::tempdir().expect("dir");
        let lines = Lines::default();
        let wrong = OAuthConfig::new(INTROSPECTOR_ID, "wrong", &issuer.introspect_url())
            .expect("config")
            .with_ca_pem(pki.ca.pem())
            .expect("ca");
        let k = kernel(dir.path(), wrong, &lines).await;
        let e = whoami(&mut bearer(&k, &token).await)
            .await
            .expect_err("refused introspection");
        assert_eq!(e.code(), Code::Aborted, "{e:?}");
        assert!(
            e.message().contains("HTTP 401: invalid_client"),
            "{}",
            e.message()
        );
        k.shutdown().await;
    })
    .await
    .expect("within the test timeout");
}

#[test]
fn oauth_settings_are_checked() {
    let err = OAuthConfig::new("id", "secret", "http://idp.example.com/introspect")
        .expect_err("clear text");
    assert!(err.to_string().contains("in clear"), "{err}");
    assert!(OAuthConfig::new("", "secret", "https://idp/x").is_err());
    assert!(OAuthConfig::new("id", "", "https://idp/x").is_err());
    let shown = format!(
        "{:?}",
        OAuthConfig::new("id", "very-secret", "https://idp/x").expect("valid")
    );
    assert!(!shown.contains("very-secret"), "{shown}");
}
