//! `lhc principal` and `lhc tenant` against the embedded kernel: tenants and principals with
//! per-tenant ACLs are put, listed, read and deleted; the server's refusals reach the user
//! with exit 1 and bad `--acl` values exit 2 with "did you mean"; and a principal whose
//! OAuth token names a non-admin is refused what its ACLs do not grant.

use std::time::Duration;

#[path = "../runtime-client/tests/support/certs.rs"]
mod certs;
mod harness;
#[path = "../runtime-client/tests/support/token_server.rs"]
mod token_server;

use certs::Pki;
use harness::{Kernel, lhc_env};
use lhw_kernel::auth::BearerAuth;
use token_server::{CLIENT_ID, CLIENT_SECRET, TokenServer};

fn plain(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("LHC_API_HOST", "127.0.0.1".to_string()),
        ("LHC_API_PORT", port.to_string()),
    ]
}

fn path(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[test]
fn tenants_and_principals_are_managed() {
    let kernel = Kernel::start();
    let env = plain(kernel.port());
    let lhc = |args: &[&str]| lhc_env(&env, args);

    // Tenants.
    let put = lhc(&["tenant", "put", "acme"]);
    put.ok();
    assert!(
        put.stdout.starts_with("Tenant:       acme\n"),
        "{}",
        put.stdout
    );
    assert!(put.stdout.contains("Output topic: -\n"), "{}", put.stdout);
    let put = lhc(&["tenant", "put", "acme", "--no-entity-events"]);
    assert!(
        put.ok().stdout.contains("Output topic: NO_ENTITY_EVENTS\n"),
        "{}",
        put.stdout
    );
    let list = lhc(&["tenant", "list"]);
    assert_eq!(list.ok().stdout, "TENANT\nacme\ndefault\n");
    let get = lhc(&["tenant", "get", "acme", "--format", "json"]);
    let get: serde_json::Value = serde_json::from_str(&get.ok().stdout).expect("json");
    assert_eq!(get["id"]["id"], "acme");
    assert_eq!(
        get["outputTopicConfig"]["defaultRecordingLevel"],
        "NO_ENTITY_EVENTS"
    );
    let missing = lhc(&["tenant", "get", "acne"]);
    missing.failed();
    assert!(
        missing.stderr.contains("Tenant acne not found"),
        "{}",
        missing.stderr
    );
    let bad = lhc(&["tenant", "put", "a/b"]);
    bad.failed();
    assert!(
        bad.stderr
            .contains("INVALID_ARGUMENT: id `a/b` is not a valid tenant id"),
        "{}",
        bad.stderr
    );
    let both = lhc(&[
        "tenant",
        "put",
        "acme",
        "--all-entity-events",
        "--no-entity-events",
    ]);
    assert_eq!(both.code, Some(2), "{}", both.stderr);

    // A principal with per-tenant ACLs.
    let put = lhc(&[
        "principal",
        "put",
        "ann",
        "--acl",
        "acl_workflow:read,acl_workflow:run",
        "--acl",
        "ACL_TASK:write",
        "--tenant",
        "acme",
    ]);
    put.ok();
    assert!(put.stdout.starts_with("Principal: ann\n"), "{}", put.stdout);
    assert!(
        put.stdout
            .contains("tenant acme  ACL_WORKFLOW  READ,RUN        -"),
        "{}",
        put.stdout
    );
    assert!(
        put.stdout
            .contains("tenant acme  ACL_TASK      WRITE_METADATA  -"),
        "{}",
        put.stdout
    );
    let again = lhc(&["principal", "put", "ann", "--tenant", "acme"]);
    again.failed();
    assert!(
        again.stderr.contains(
            "PutPrincipal ann: ALREADY_EXISTS: Must set overwrite == true to modify existing \
             Principal ann"
        ) && again.stderr.contains("help: pass --overwrite"),
        "{}",
        again.stderr
    );
    let cluster = lhc(&[
        "principal",
        "put",
        "ann",
        "--acl",
        "acl_principal:read",
        "--tenant",
        "acme",
        "--overwrite",
    ]);
    cluster.failed();
    assert!(
        cluster
            .stderr
            .contains("the ACLs of tenant acme name a cluster-scoped resource"),
        "{}",
        cluster.stderr
    );
    let ghost = lhc(&[
        "principal",
        "put",
        "bob",
        "--acl",
        "all:read",
        "--tenant",
        "ghost",
    ]);
    ghost.failed();
    assert!(
        ghost
            .stderr
            .contains("PutPrincipalRequest specified ACL's for a nonexistent tenant: ghost"),
        "{}",
        ghost.stderr
    );
    let typo = lhc(&["principal", "put", "bob", "--acl", "acl_workflw:read"]);
    assert_eq!(typo.code, Some(2), "{}", typo.stderr);
    assert!(
        typo.stderr
            .contains("unknown resource `acl_workflw` (did you mean `acl_workflow`?)"),
        "{}",
        typo.stderr
    );
    let typo = lhc(&["principal", "put", "bob", "--acl", "acl_task"]);
    assert_eq!(typo.code, Some(2), "{}", typo.stderr);
    assert!(
        typo.stderr.contains("expected RESOURCE:ACTION"),
        "{}",
        typo.stderr
    );

    // A global admin besides `anonymous`.
    lhc(&["principal", "put", "root", "--acl", "all:all"]).ok();

    // Listing and reading.
    assert_eq!(
        lhc(&["principal", "list"]).ok().stdout,
        "PRINCIPAL\nann\nanonymous\nroot\n"
    );
    assert_eq!(
        lhc(&["principal", "list", "--tenant", "acme"]).ok().stdout,
        "PRINCIPAL\nann\n"
    );
    assert_eq!(
        lhc(&["principal", "list", "--admin", "true"]).ok().stdout,
        "PRINCIPAL\nanonymous\nroot\n"
    );
    let json = lhc(&["principal", "list", "--admin", "false", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.ok().stdout).expect("json");
    assert_eq!(json, serde_json::json!([{"id": "ann"}]));
    let get = lhc(&["principal", "get", "ann", "--format", "json"]);
    let get: serde_json::Value = serde_json::from_str(&get.ok().stdout).expect("json");
    let acls = &get["perTenantAcls"]["acme"]["acls"];
    assert_eq!(acls[0]["resources"], serde_json::json!(["ACL_WORKFLOW"]));
    assert_eq!(
        acls[0]["allowedActions"],
        serde_json::json!(["READ", "RUN"])
    );
    assert_eq!(acls[1]["resources"], serde_json::json!(["ACL_TASK"]));

    // Deleting.
    let gone = lhc(&["principal", "delete", "ann"]);
    assert_eq!(gone.ok().stdout, "principal ann: deleted\n");
    let missing = lhc(&["principal", "get", "ann"]);
    missing.failed();
    assert!(
        missing.stderr.contains("Principal ann not found"),
        "{}",
        missing.stderr
    );
    let anon = lhc(&["principal", "delete", "anonymous"]);
    anon.failed();
    assert!(
        anon.stderr.contains("Principal anonymous:"),
        "{}",
        anon.stderr
    );
}

/// A kernel over TLS whose bearer tokens (from the token server beside it) all name the
/// Principal `lhw-test`, as the server's OAuthAuthenticator names the token's client id.
fn oauth_kernel(pki: &Pki) -> (Kernel, TokenServer) {
    let mut tokens = None;
    let kernel = Kernel::start_with(|rt, c| {
        let server = rt.block_on(TokenServer::start(Duration::from_secs(60)));
        let valid = server.bearer_auth();
        tokens = Some(server);
        let auth = BearerAuth::identity(move |t| {
            valid.authenticate(t).map(|_| Some(CLIENT_ID.to_string()))
        });
        c.tls(pki.server_tls(false)).auth(auth)
    });
    (kernel, tokens.expect("token server"))
}

#[test]
fn a_non_admin_principal_is_refused() {
    let pki = Pki::new();
    let (kernel, tokens) = oauth_kernel(&pki);
    let env = vec![
        ("LHC_API_HOST", "127.0.0.1".to_string()),
        ("LHC_API_PORT", kernel.port().to_string()),
        ("LHC_API_PROTOCOL", "TLS".to_string()),
        ("LHC_CA_CERT", path(&pki.ca.cert)),
        ("LHC_OAUTH_CLIENT_ID", CLIENT_ID.to_string()),
        ("LHC_OAUTH_CLIENT_SECRET", CLIENT_SECRET.to_string()),
        ("LHC_OAUTH_ACCESS_TOKEN_URL", tokens.url.clone()),
    ];
    let lhc = |args: &[&str]| lhc_env(&env, args);

    // `lhw-test` is not stored yet: it acts as `anonymous`, an admin.
    lhc(&["tenant", "put", "acme"]).ok();
    lhc(&["deploy", "--with-task-defs", "examples/hello.lhw"]).ok();
    // It restricts itself to reading workflows in Tenant acme.
    lhc(&[
        "principal",
        "put",
        CLIENT_ID,
        "--acl",
        "acl_workflow:read",
        "--tenant",
        "acme",
    ])
    .ok();
    let me = lhc(&["whoami"]);
    assert!(
        me.ok().stdout.starts_with("Principal: lhw-test\n"),
        "{}",
        me.stdout
    );

    // Reading workflows in acme is granted; anything else is refused.
    lhc(&["list", "wfspecs", "--tenant-id", "acme"]).ok();
    for args in [
        &["principal", "list"][..],
        &["principal", "get", "anonymous"],
        &["tenant", "put", "other"],
        &["tenant", "list"],
        &["list", "wfspecs"],
    ] {
        let out = lhc(args);
        out.failed();
        assert!(
            out.stderr.contains("PERMISSION_DENIED"),
            "lhc {args:?}: {}",
            out.stderr
        );
    }
    let grant = lhc(&[
        "principal",
        "put",
        CLIENT_ID,
        "--acl",
        "all:all",
        "--overwrite",
    ]);
    grant.failed();
    assert!(
        grant.stderr.contains("PERMISSION_DENIED"),
        "{}",
        grant.stderr
    );
}
