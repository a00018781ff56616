//! OAuth client credentials: a token is fetched from an in-test token endpoint, sent to a
//! kernel that requires it (over TLS, as the official SDKs require), and fetched again when
//! it is about to expire; every way it fails says why.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/kernel.rs"]
mod kernel;
#[path = "support/token_server.rs"]
mod token_server;

use std::time::Duration;

use certs::Pki;
use kernel::kernel;
use lhw_proto::littlehorse::TaskDefId;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_runtime_client::LhClient;
use lhw_runtime_client::client::ClientError;
use lhw_runtime_client::config::{self, Config};
use token_server::{CLIENT_ID, CLIENT_SECRET, TokenServer};

fn oauth_config(pki: &Pki, port: &str, url: &str, secret: &str) -> Config {
    let ca = pki.ca.cert.display().to_string();
    Config::from_pairs([
        (config::API_HOST, "127.0.0.1"),
        (config::API_PORT, port),
        (config::API_PROTOCOL, "TLS"),
        (config::CA_CERT, ca.as_str()),
        (config::OAUTH_CLIENT_ID, CLIENT_ID),
        (config::OAUTH_CLIENT_SECRET, secret),
        (config::OAUTH_ACCESS_TOKEN_URL, url),
    ])
}

/// One call that needs the server's approval (a missing TaskDef is an answer, not an error).
async fn call(client: &LhClient) -> Result<(), ClientError> {
    client.get_task_def("nothing-here").await.map(|t| {
        assert!(t.is_none());
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_fetched_sent_and_refreshed_before_it_expires() {
    let pki = Pki::new();
    let tokens = TokenServer::start(Duration::from_secs(2)).await;
    let k = kernel(Some(pki.server_tls(false)), Some(tokens.bearer_auth())).await;
    let cfg = oauth_config(&pki, &k.port(), &tokens.url, CLIENT_SECRET);

    let client = LhClient::connect(&cfg).await.expect("connects");
    assert_eq!(
        tokens.requests(),
        1,
        "the first token is fetched on connect"
    );
    for _ in 0..3 {
        call(&client).await.expect("the kernel accepts the token");
    }
    assert_eq!(
        tokens.requests(),
        1,
        "the token is reused while it is valid"
    );

    // Past 90% of the 2 s lifetime the client asks for a new token before using the old one
    // (the kernel refuses expired tokens, so a stale one would fail the call).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    call(&client).await.expect("a refreshed token");
    call(&client).await.expect("reused again");
    assert_eq!(tokens.requests(), 2, "exactly one refresh");
    assert_eq!(
        tokens.refused(),
        0,
        "every request carried the right credentials"
    );

    // Clones share the token; a worker connection made the same way fetches its own.
    let clone = client.clone();
    call(&clone).await.expect("a clone");
    assert_eq!(tokens.requests(), 2);
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_token_endpoint_is_verified() {
    let pki = Pki::new();
    // The token endpoint uses the server certificate too: LHC_CA_CERT vouches for both.
    let tokens = TokenServer::start_https(
        Duration::from_secs(60),
        &pki.server.cert_pem,
        &pki.server.key_pem,
    )
    .await;
    assert!(tokens.url.starts_with("https://"));
    let k = kernel(Some(pki.server_tls(false)), Some(tokens.bearer_auth())).await;
    let client = LhClient::connect(&oauth_config(&pki, &k.port(), &tokens.url, CLIENT_SECRET))
        .await
        .expect("token over https");
    call(&client).await.expect("accepted");
    assert_eq!(tokens.requests(), 1);

    // A token endpoint whose certificate nobody vouches for is refused before any secret is
    // sent.
    let stranger = TokenServer::start_https(
        Duration::from_secs(60),
        &pki.stranger.cert_pem,
        &pki.stranger.key_pem,
    )
    .await;
    let err = LhClient::connect(&oauth_config(&pki, &k.port(), &stranger.url, CLIENT_SECRET))
        .await
        .expect_err("untrusted token endpoint");
    assert!(matches!(err, ClientError::OAuth(_)), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "cannot get an OAuth token from {}: TLS handshake failed: invalid peer certificate",
            stranger.url
        )),
        "{err}"
    );
    assert_eq!(stranger.requests(), 0);
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_failures_are_reported_on_connect() {
    let pki = Pki::new();
    let tokens = TokenServer::start(Duration::from_secs(60)).await;
    let k = kernel(Some(pki.server_tls(false)), Some(tokens.bearer_auth())).await;
    let port = k.port();

    let err = LhClient::connect(&oauth_config(&pki, &port, &tokens.url, "wrong"))
        .await
        .expect_err("wrong secret");
    assert!(matches!(err, ClientError::OAuth(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "the OAuth token endpoint {} refused the client credentials \
             (LHC_OAUTH_CLIENT_ID=lhw-test): HTTP 401 Unauthorized: invalid_client: unknown \
             client or wrong secret",
            tokens.url
        )
    );
    assert_eq!(tokens.refused(), 1);

    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_url = format!(
        "http://127.0.0.1:{}/token",
        dead.local_addr().expect("addr").port()
    );
    drop(dead);
    let err = LhClient::connect(&oauth_config(&pki, &port, &dead_url, CLIENT_SECRET))
        .await
        .expect_err("no token endpoint");
    assert_eq!(
        err.to_string(),
        format!("cannot get an OAuth token from {dead_url}: Connection refused")
    );
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_expired_token_is_refused_by_the_kernel() {
    let pki = Pki::new();
    let tokens = TokenServer::start(Duration::from_secs(1)).await;
    let k = kernel(Some(pki.server_tls(false)), Some(tokens.bearer_auth())).await;

    // TLS without OAuth: the connection works, the call is refused.
    let ca = pki.ca.cert.display().to_string();
    let port = k.port();
    let cfg = Config::from_pairs([
        (config::API_HOST, "127.0.0.1"),
        (config::API_PORT, port.as_str()),
        (config::API_PROTOCOL, "TLS"),
        (config::CA_CERT, ca.as_str()),
    ]);
    let client = LhClient::connect(&cfg).await.expect("connects");
    let err = call(&client).await.expect_err("no token");
    assert_eq!(err.code(), Some(tonic::Code::Unauthenticated));
    assert_eq!(
        err.to_string(),
        "UNAUTHENTICATED: this server requires an OAuth bearer token (`authorization: Bearer \
         <token>`) and the call had none"
    );

    // A token that was valid once: fetch one, let it expire, send it by hand.
    let with_oauth = LhClient::connect(&oauth_config(&pki, &port, &tokens.url, CLIENT_SECRET))
        .await
        .expect("connects");
    call(&with_oauth).await.expect("fresh token");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("https://127.0.0.1:{port}"))
        .expect("uri")
        .tls_config(
            tonic::transport::ClientTlsConfig::new()
                .ca_certificate(tonic::transport::Certificate::from_pem(pki.ca.pem())),
        )
        .expect("tls")
        .connect()
        .await
        .expect("channel");
    let mut raw = LittleHorseClient::with_interceptor(channel, |mut req: tonic::Request<()>| {
        req.metadata_mut()
            .insert("authorization", "Bearer tok-1".parse().expect("ascii"));
        Ok(req)
    });
    let status = raw
        .get_task_def(TaskDefId {
            name: "nothing-here".into(),
        })
        .await
        .expect_err("expired");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(
        status.message(),
        "the bearer token was refused: tok-1 has expired"
    );
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_settings_are_checked_before_connecting() {
    let half = Config::from_pairs([
        (config::API_PROTOCOL, "TLS"),
        (config::OAUTH_CLIENT_ID, "me"),
        (
            config::OAUTH_ACCESS_TOKEN_URL,
            "https://auth.example.com/token",
        ),
    ]);
    let err = LhClient::connect(&half).await.expect_err("half configured");
    assert!(matches!(err, ClientError::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("set but LHC_OAUTH_CLIENT_SECRET missing"),
        "{err}"
    );

    let plaintext = Config::from_pairs([
        (config::OAUTH_CLIENT_ID, "me"),
        (config::OAUTH_CLIENT_SECRET, "s"),
        (
            config::OAUTH_ACCESS_TOKEN_URL,
            "https://auth.example.com/token",
        ),
    ]);
    let err = LhClient::connect(&plaintext)
        .await
        .expect_err("OAuth needs TLS");
    assert_eq!(
        err.to_string(),
        "OAuth client credentials are configured (LHC_OAUTH_CLIENT_ID from command line) but \
         the protocol is PLAINTEXT (LHC_API_PROTOCOL is not set): like the official SDKs, lhw \
         sends OAuth tokens only over TLS; set LHC_API_PROTOCOL=TLS"
    );

    let clear = Config::from_pairs([
        (config::API_PROTOCOL, "TLS"),
        (config::OAUTH_CLIENT_ID, "me"),
        (config::OAUTH_CLIENT_SECRET, "s"),
        (
            config::OAUTH_ACCESS_TOKEN_URL,
            "http://auth.example.com/token",
        ),
    ]);
    let err = LhClient::connect(&clear)
        .await
        .expect_err("clear-text secret");
    assert!(
        err.to_string().starts_with(
            "LHC_OAUTH_ACCESS_TOKEN_URL=http://auth.example.com/token (from command line): the \
             client secret would be sent in clear"
        ),
        "{err}"
    );
}
