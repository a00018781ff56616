//! Whether `lhc dev`/`lhc server` may listen where they were asked to: on a loopback address
//! anything goes (local work); on any other address the kernel serves the whole API, masked
//! values included, to the network, so it needs TLS and client authentication (mTLS with
//! `--tls-client-ca`, or OAuth access tokens with `--oauth-introspect-url`), or an explicit
//! `--insecure`.

use std::net::SocketAddr;

use crate::cli::ServeTlsArgs;

/// Why a listen address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not loopback and no TLS at all.
    Plaintext,
    /// TLS, but no client authentication.
    Unauthenticated,
}

impl Refusal {
    /// The message, naming the address.
    pub fn message(self, addr: SocketAddr) -> String {
        match self {
            Refusal::Plaintext => format!(
                "refusing to listen on {addr} in PLAINTEXT without authentication: it is not a \
                 loopback address, so anyone on the network could read and change every \
                 workflow, secrets included"
            ),
            Refusal::Unauthenticated => format!(
                "refusing to listen on {addr} without client authentication: it is not a \
                 loopback address, so anyone who reaches it could read and change every \
                 workflow, secrets included"
            ),
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        match self {
            Refusal::Plaintext => {
                "serve TLS (--tls-cert and --tls-key) and authenticate clients (client \
                 certificates with --tls-client-ca, or OAuth access tokens with \
                 --oauth-introspect-url), listen on 127.0.0.1, or pass --insecure to serve the \
                 network unprotected on purpose"
            }
            Refusal::Unauthenticated => {
                "require client certificates with --tls-client-ca or OAuth access tokens with \
                 --oauth-introspect-url, listen on 127.0.0.1, or pass --insecure to accept \
                 unauthenticated clients on purpose"
            }
        }
    }
}

/// Checks `addr` against the transport and authentication (`oauth`: access tokens are
/// required): `Ok(())` when it may listen there. Tokens need TLS too: in PLAINTEXT anyone on
/// the path could read and replay them.
pub fn check(
    addr: SocketAddr,
    tls: &ServeTlsArgs,
    oauth: bool,
    insecure: bool,
) -> Result<(), Refusal> {
    if insecure || addr.ip().is_loopback() {
        return Ok(());
    }
    if tls.tls_cert.is_none() {
        return Err(Refusal::Plaintext);
    }
    if tls.tls_client_ca.is_none() && !oauth {
        return Err(Refusal::Unauthenticated);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn tls(cert: bool, client_ca: bool) -> ServeTlsArgs {
        ServeTlsArgs {
            tls_cert: cert.then(|| PathBuf::from("c.pem")),
            tls_key: cert.then(|| PathBuf::from("k.pem")),
            tls_client_ca: client_ca.then(|| PathBuf::from("ca.pem")),
        }
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }

    #[test]
    fn loopback_is_always_allowed() {
        assert_eq!(
            check(addr("127.0.0.1:2023"), &tls(false, false), false, false),
            Ok(())
        );
        assert_eq!(
            check(addr("[::1]:2023"), &tls(false, false), false, false),
            Ok(())
        );
    }

    #[test]
    fn the_network_needs_tls_and_client_certificates() {
        let any = addr("0.0.0.0:2023");
        assert_eq!(
            check(any, &tls(false, false), false, false),
            Err(Refusal::Plaintext)
        );
        assert_eq!(
            check(any, &tls(true, false), false, false),
            Err(Refusal::Unauthenticated)
        );
        assert_eq!(check(any, &tls(true, true), false, false), Ok(()));
        assert_eq!(
            check(addr("[::]:2023"), &tls(false, false), false, false),
            Err(Refusal::Plaintext)
        );
    }

    #[test]
    fn oauth_authenticates_but_needs_tls() {
        let any = addr("0.0.0.0:2023");
        assert_eq!(check(any, &tls(true, false), true, false), Ok(()));
        assert_eq!(
            check(any, &tls(false, false), true, false),
            Err(Refusal::Plaintext)
        );
    }

    #[test]
    fn insecure_allows_it_on_purpose() {
        assert_eq!(
            check(addr("0.0.0.0:2023"), &tls(false, false), false, true),
            Ok(())
        );
    }

    #[test]
    fn the_message_names_the_address_and_the_way_out() {
        let m = Refusal::Plaintext.message(addr("0.0.0.0:9"));
        assert!(m.contains("0.0.0.0:9") && m.contains("PLAINTEXT"), "{m}");
        assert!(Refusal::Plaintext.help().contains("--insecure"));
    }
}
