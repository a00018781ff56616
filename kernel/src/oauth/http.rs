//! The kernel's side of the introspection POST: its TLS roots (the machine's plus an optional
//! CA) and the checks of its configuration. The POST itself (HTTP Basic client
//! authentication, RFC 6749 §2.3.1, the `ClientSecretBasic` of the server's `OAuthClient`) is
//! `lhw_runtime_client::form_post`, the one the runtime-client's token requests use.

use std::sync::Arc;

use http::Uri;
use lhw_runtime_client::form_post::{self, BasicAuth, FormPoster, FormResponse, PostError};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::OAuthConfigError;

pub(super) use form_post::{form_encode, snippet};

/// Sends the introspection POSTs, `https` verified with the kernel's roots.
pub(super) struct Client {
    poster: FormPoster,
}

/// Checks the URL of an endpoint that receives the client secret.
pub(super) fn parse_url(url: &str) -> Result<Uri, form_post::SecretUrlError> {
    form_post::parse_secret_url(url)
}

fn parse_ca(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, OAuthConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OAuthConfigError(format!("the OAuth CA: not a valid PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(OAuthConfigError(
            "the OAuth CA: no certificate in it; expected a PEM CERTIFICATE block".into(),
        ));
    }
    Ok(certs)
}

/// Checks the PEM text of an extra CA.
pub(super) fn check_ca(pem: &[u8]) -> Result<(), OAuthConfigError> {
    parse_ca(pem).map(|_| ())
}

impl Client {
    pub(super) fn new(ca_pem: Option<&[u8]>) -> Result<Client, OAuthConfigError> {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(pem) = ca_pem {
            for cert in parse_ca(pem)? {
                roots.add(cert).map_err(|e| {
                    OAuthConfigError(format!("the OAuth CA cannot be trusted: {e}"))
                })?;
            }
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| OAuthConfigError(format!("TLS for the identity provider: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Client {
            poster: FormPoster::new(&tls),
        })
    }

    /// POSTs `body` (already form-encoded) to `url` as `client_id`; the status and body.
    pub(super) async fn post_form(
        &self,
        url: &Uri,
        client_id: &str,
        client_secret: &str,
        body: String,
    ) -> Result<FormResponse, PostError> {
        let auth = BasicAuth {
            client_id,
            client_secret,
        };
        self.poster.post(url, auth, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ca_is_named() {
        let err = check_ca(b"nope").expect_err("no cert");
        assert!(err.0.starts_with("the OAuth CA: no certificate"), "{err}");
    }
}
