//! TLS and mTLS against the embedded kernel serving test certificates (made by rcgen at test
//! time), and the messages for each way it can go wrong.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/kernel.rs"]
mod kernel;

use std::path::Path;

use certs::Pki;
use lhw_proto::littlehorse::PutTaskDefRequest;
use lhw_runtime_client::LhClient;
use lhw_runtime_client::client::ClientError;
use lhw_runtime_client::config::{self, Config};

use kernel::kernel;

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn client_config(host: &str, port: &str, extra: &[(&str, String)]) -> Config {
    let mut pairs: Vec<(&str, &str)> = vec![
        (config::API_HOST, host),
        (config::API_PORT, port),
        (config::API_PROTOCOL, "TLS"),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    Config::from_pairs(pairs)
}

/// Connects and makes two calls (a put and a get), proving the channel really works.
async fn round_trip(cfg: &Config) -> Result<(), ClientError> {
    let client = LhClient::connect(cfg).await?;
    client
        .put_task_def(PutTaskDefRequest {
            name: "greet".into(),
            ..Default::default()
        })
        .await?;
    let got = client.get_task_def("greet").await?;
    assert_eq!(
        got.and_then(|t| t.id).map(|id| id.name).as_deref(),
        Some("greet")
    );
    Ok(())
}

fn connect_error(result: Result<(), ClientError>) -> String {
    match result {
        Ok(()) => panic!("the connection should have failed"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_the_right_ca() {
    let pki = Pki::new();
    let k = kernel(Some(pki.server_tls(false)), None).await;
    let ca = path(&pki.ca.cert);
    round_trip(&client_config(
        "127.0.0.1",
        &k.port(),
        &[(config::CA_CERT, ca.clone())],
    ))
    .await
    .expect("TLS by IP address");
    round_trip(&client_config(
        "localhost",
        &k.port(),
        &[(config::CA_CERT, ca)],
    ))
    .await
    .expect("TLS by name");
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_wrong_ca_is_refused_clearly() {
    let pki = Pki::new();
    let k = kernel(Some(pki.server_tls(false)), None).await;
    let other = path(&pki.other_ca.cert);
    let port = k.port();
    let err = connect_error(
        round_trip(&client_config(
            "127.0.0.1",
            &port,
            &[(config::CA_CERT, other.clone())],
        ))
        .await,
    );
    assert_eq!(
        err,
        format!(
            "TLS handshake with 127.0.0.1:{port} failed: invalid peer certificate: UnknownIssuer: \
             the server's certificate is not signed by the CA in LHC_CA_CERT={other} (from \
             command line)"
        )
    );
    // Without LHC_CA_CERT the machine's roots are used, which do not hold the test CA.
    let err = connect_error(round_trip(&client_config("127.0.0.1", &port, &[])).await);
    assert!(
        err.contains("not signed by a CA this machine trusts; set LHC_CA_CERT"),
        "{err}"
    );
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_with_a_client_certificate() {
    let pki = Pki::new();
    let k = kernel(Some(pki.server_tls(true)), None).await;
    round_trip(&client_config(
        "127.0.0.1",
        &k.port(),
        &[
            (config::CA_CERT, path(&pki.ca.cert)),
            (config::CLIENT_CERT, path(&pki.client.cert)),
            (config::CLIENT_KEY, path(&pki.client.key)),
        ],
    ))
    .await
    .expect("mTLS");
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_without_or_with_a_foreign_client_certificate_is_refused() {
    let pki = Pki::new();
    let k = kernel(Some(pki.server_tls(true)), None).await;
    let port = k.port();
    let ca = (config::CA_CERT, path(&pki.ca.cert));
    let err = connect_error(
        round_trip(&client_config(
            "127.0.0.1",
            &port,
            std::slice::from_ref(&ca),
        ))
        .await,
    );
    assert!(
        err.contains("the server requires a client certificate (mTLS); set LHC_CLIENT_CERT and LHC_CLIENT_KEY"),
        "{err}"
    );
    let err = connect_error(
        round_trip(&client_config(
            "127.0.0.1",
            &port,
            &[
                ca,
                (config::CLIENT_CERT, path(&pki.stranger.cert)),
                (config::CLIENT_KEY, path(&pki.stranger.key)),
            ],
        ))
        .await,
    );
    assert!(
        err.contains(&format!(
            "the server does not trust the client certificate in LHC_CLIENT_CERT={}",
            path(&pki.stranger.cert)
        )),
        "{err}"
    );
    k.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_mismatch_is_named() {
    let pki = Pki::new();
    let tls_kernel = kernel(Some(pki.server_tls(false)), None).await;
    let plain_kernel = kernel(None, None).await;
    let ca = (config::CA_CERT, path(&pki.ca.cert));

    let err =
        connect_error(round_trip(&client_config("127.0.0.1", &plain_kernel.port(), &[ca])).await);
    assert!(
        err.contains("the server does not speak TLS; is it a PLAINTEXT server?"),
        "{err}"
    );

    let plain = Config::from_pairs([
        (config::API_HOST, "127.0.0.1"),
        (config::API_PORT, tls_kernel.port().as_str()),
    ]);
    let err = connect_error(round_trip(&plain).await);
    assert_eq!(
        err,
        format!(
            "cannot use the LittleHorse server at 127.0.0.1:{}: it speaks TLS but the protocol \
             is PLAINTEXT (LHC_API_PROTOCOL is not set); set LHC_API_PROTOCOL=TLS",
            tls_kernel.port()
        )
    );
    tls_kernel.handle.shutdown().await;
    plain_kernel.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_pem_files_are_named_with_their_key() {
    let pki = Pki::new();
    let missing = path(&pki.dir.path().join("nope.pem"));
    let garbage = path(&pki.file("garbage.pem", "this is not PEM\n"));
    let truncated = path(&pki.file("truncated.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n"));
    let cases: Vec<(Vec<(&str, String)>, String)> = vec![
        (
            vec![(config::CA_CERT, missing.clone())],
            format!("LHC_CA_CERT={missing} (from command line): the file does not exist"),
        ),
        (
            vec![(config::CA_CERT, garbage.clone())],
            format!(
                "LHC_CA_CERT={garbage} (from command line): no certificate in it; expected a \
                 PEM CERTIFICATE block"
            ),
        ),
        (
            vec![(config::CA_CERT, truncated.clone())],
            format!("LHC_CA_CERT={truncated} (from command line): not a valid PEM file"),
        ),
        (
            vec![
                (config::CLIENT_CERT, path(&pki.client.cert)),
                (config::CLIENT_KEY, path(&pki.client.cert)),
            ],
            format!(
                "LHC_CLIENT_KEY={} (from command line): no private key in it",
                path(&pki.client.cert)
            ),
        ),
        (
            vec![
                (config::CLIENT_CERT, path(&pki.client.cert)),
                (config::CLIENT_KEY, path(&pki.stranger.key)),
            ],
            format!(
                "LHC_CLIENT_CERT={} and LHC_CLIENT_KEY={} do not form a usable client identity",
                path(&pki.client.cert),
                path(&pki.stranger.key)
            ),
        ),
        (
            vec![(config::CLIENT_CERT, path(&pki.client.cert))],
            "LHC_CLIENT_CERT is set (from command line) but LHC_CLIENT_KEY is not".to_string(),
        ),
    ];
    for (extra, expected) in cases {
        // Nothing listens on port 9: every case must fail before connecting.
        let err = LhClient::connect(&client_config("127.0.0.1", "9", &extra))
            .await
            .expect_err("bad file");
        assert!(
            matches!(err, ClientError::Config(_)),
            "{extra:?}: a configuration error, not {err:?}"
        );
        assert!(
            err.to_string().starts_with(&expected),
            "{extra:?}:\n  got      {err}\n  expected {expected}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_does_not_hang_the_client() {
    // Accepts connections and never answers: the TLS handshake must time out.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let pki = Pki::new();
    let err = connect_error(
        round_trip(&client_config(
            "127.0.0.1",
            &port,
            &[(config::CA_CERT, path(&pki.ca.cert))],
        ))
        .await,
    );
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("timeout") || err.contains("within"), "{err}");
    holder.abort();
}
