//! The official Python SDK (`littlehorse-client` 1.3.0 in `<repo>/.venv`, installed by
//! `bash scripts/setup-python.sh`) as an OAuth client of tenants: the kernel serves TLS and
//! introspects every access token at a test issuer over HTTPS
//! (`runtime-client/tests/support/token_server.rs`); `kernel/tests/python/oauth_tenants.py`
//! configures LHConfig with `LHC_TENANT_ID` and the `LHC_OAUTH_*` client credentials, runs a
//! workflow with an SDK task worker in tenant A, and checks that tenant B's client can neither
//! see it nor act in tenant A.

#[path = "../../runtime-client/tests/support/certs.rs"]
mod certs;
mod common;
#[path = "../../runtime-client/tests/support/token_server.rs"]
mod token_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use lhw_kernel::Config;
use lhw_kernel::oauth::OAuthConfig;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    AclAction, AclResource, PutPrincipalRequest, PutTenantRequest, ServerAcLs, ServerAcl,
};
use token_server::{INTROSPECTOR_ID, INTROSPECTOR_SECRET, TokenServer};
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the kernel crate lives inside the repository")
        .to_path_buf()
}

fn all_in(tenant: &str, id: &str) -> PutPrincipalRequest {
    PutPrincipalRequest {
        id: id.to_string(),
        per_tenant_acls: [(
            tenant.to_string(),
            ServerAcLs {
                acls: vec![ServerAcl {
                    resources: vec![AclResource::AclAllResources as i32],
                    allowed_actions: vec![AclAction::AllActions as i32],
                    resource_filter: None,
                }],
            },
        )]
        .into_iter()
        .collect(),
        global_acls: None,
        overwrite: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_runs_in_its_tenant_with_an_oauth_token_and_cannot_see_another() {
    let python = repo_root().join(".venv/bin/python");
    let usable = Command::new(&python)
        .args(["-c", "import littlehorse, authlib"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        usable,
        "the official Python SDK is not installed at {}: run `bash scripts/setup-python.sh` \
         first",
        python.display()
    );
    let pki = certs::Pki::new();
    let issuer = TokenServer::start_https(
        Duration::from_secs(300),
        &pki.server.cert_pem,
        &pki.server.key_pem,
    )
    .await;
    issuer.add_client("alice-app", "alice secret");
    issuer.add_client("bob-app", "bob secret");
    let oauth = OAuthConfig::new(
        INTROSPECTOR_ID,
        INTROSPECTOR_SECRET,
        &issuer.introspect_url(),
    )
    .expect("oauth")
    .with_ca_pem(pki.ca.pem())
    .expect("ca");
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = lhw_kernel::serve(
        Config::new(dir.path().join("data"))
            .listen("127.0.0.1:0".parse().expect("addr"))
            .tls(pki.server_tls(false))
            .oauth(oauth),
    )
    .await
    .expect("kernel");
    let port = kernel.addr().port();

    // The cluster is set up by a client that is no stored Principal (so anonymous, an admin
    // on a fresh kernel): two tenants, and one Principal with all rights in each.
    let channel = Channel::from_shared(format!("https://127.0.0.1:{port}"))
        .expect("uri")
        .tls_config(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pki.ca.pem())))
        .expect("tls")
        .connect()
        .await
        .expect("connect");
    let auth: tonic::metadata::MetadataValue<_> = format!(
        "Bearer {}",
        issuer.issue("setup-app", Duration::from_secs(300))
    )
    .parse()
    .expect("ascii");
    let mut admin =
        LittleHorseClient::with_interceptor(channel, move |mut req: tonic::Request<()>| {
            req.metadata_mut().insert("authorization", auth.clone());
            Ok(req)
        });
    for t in ["tenant-a", "tenant-b"] {
        admin
            .put_tenant(PutTenantRequest {
                id: t.into(),
                output_topic_config: None,
            })
            .await
            .expect("put tenant");
    }
    admin
        .put_principal(all_in("tenant-a", "alice-app"))
        .await
        .expect("alice");
    admin
        .put_principal(all_in("tenant-b", "bob-app"))
        .await
        .expect("bob");

    let script = repo_root().join("kernel/tests/python/oauth_tenants.py");
    let ca = pki.ca.cert.display().to_string();
    let token_url = issuer.url.clone();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .env("LHC_API_HOST", "127.0.0.1")
            .env("LHC_API_PORT", port.to_string())
            .env("LHC_API_PROTOCOL", "TLS")
            .env("LHC_CA_CERT", &ca)
            .env("LHC_OAUTH_ACCESS_TOKEN_URL", token_url)
            .env("REQUESTS_CA_BUNDLE", &ca)
            .env("CASE_A_TENANT", "tenant-a")
            .env("CASE_A_ID", "alice-app")
            .env("CASE_A_SECRET", "alice secret")
            .env("CASE_B_TENANT", "tenant-b")
            .env("CASE_B_ID", "bob-app")
            .env("CASE_B_SECRET", "bob secret")
            .env("PYTHONUNBUFFERED", "1")
            .output()
            .expect("run python")
    });
    let output = tokio::time::timeout(Duration::from_secs(150), run)
        .await
        .expect("the Python case finishes (it bounds its own waits)")
        .expect("the runner thread");
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    );
    let status = output.status;
    kernel.shutdown().await;
    assert!(
        status.success(),
        "oauth_tenants.py failed ({status}):\n{out}\n{err}"
    );
    assert!(
        out.contains("oauth tenants ok") && out.contains("whoami=alice-app,bob-app"),
        "{out}\n{err}"
    );
    assert!(
        issuer.requests() >= 2,
        "the SDK fetched its tokens from the issuer"
    );
    assert!(issuer.introspections() >= 3, "the kernel introspected them");
}
