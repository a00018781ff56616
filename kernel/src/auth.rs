//! Optional bearer-token authentication of every call (`authorization: Bearer <token>`), as a
//! LittleHorse server configured for OAuth requires. The kernel does not talk to an identity
//! provider: a [`BearerAuth`] is a function that judges a token. The access layer
//! (`access/layer.rs`) takes the token from the header ([`bearer_token`]) and asks it.

use std::fmt;
use std::sync::Arc;

use tonic::Status;

/// Judges a token: `Ok(Some(id))` names the Principal the token stands for, `Ok(None)` accepts
/// it as the anonymous Principal, `Err` refuses it with a reason.
type Check = dyn Fn(&str) -> Result<Option<String>, String> + Send + Sync;

/// How the kernel validates bearer tokens.
#[derive(Clone)]
pub struct BearerAuth {
    check: Arc<Check>,
}

impl fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerAuth(..)")
    }
}

impl BearerAuth {
    /// Accepts the tokens `check` accepts; its `Err` text is sent back to the client.
    pub fn validator(
        check: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static,
    ) -> BearerAuth {
        BearerAuth::identity(move |t| check(t).map(|()| None))
    }

    /// Accepts the tokens `check` accepts, each as the Principal it names (`Ok(None)`: the
    /// anonymous Principal), as the server's `OAuthAuthenticator` sets the client id from the
    /// token.
    pub fn identity(
        check: impl Fn(&str) -> Result<Option<String>, String> + Send + Sync + 'static,
    ) -> BearerAuth {
        BearerAuth {
            check: Arc::new(check),
        }
    }

    /// Judges `token`: the Principal id it stands for, or why it is refused.
    pub fn authenticate(&self, token: &str) -> Result<Option<String>, String> {
        (self.check)(token)
    }
}

/// The token of an `authorization` header value, or the UNAUTHENTICATED status to answer.
pub(crate) fn bearer_token(value: Option<&[u8]>) -> Result<String, Status> {
    let Some(value) = value else {
        return Err(Status::unauthenticated(
            "this server requires an OAuth bearer token (`authorization: Bearer <token>`) \
             and the call had none",
        ));
    };
    let value = std::str::from_utf8(value)
        .ok()
        .filter(|v| v.bytes().all(|b| (0x20..0x7f).contains(&b)))
        .ok_or_else(|| {
            Status::unauthenticated("the authorization header is not printable ASCII")
        })?;
    // The server takes the header without `Bearer` (`OAuthAuthenticator.extractAccessToken`):
    // the official Python SDK sends the bare token.
    match value.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(token.trim().to_string())
        }
        None if !value.trim().is_empty() => Ok(value.trim().to_string()),
        _ => Err(Status::unauthenticated(
            "the authorization header is not `Bearer <token>`",
        )),
    }
}

/// The status for a token `BearerAuth` refused, with its reason.
pub(crate) fn refused(why: &str) -> Status {
    Status::unauthenticated(format!("the bearer token was refused: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the access layer answers a call with this `authorization` header
    /// (`access/layer.rs`, `Access::authenticate`).
    fn call(auth: Option<BearerAuth>, header: Option<&str>) -> Result<(), Status> {
        let auth = auth.expect("a token check");
        let token = bearer_token(header.map(str::as_bytes))?;
        auth.authenticate(&token)
            .map(|_| ())
            .map_err(|why| refused(&why))
    }

    #[test]
    fn static_token() {
        let auth = || {
            Some(BearerAuth::validator(|t| {
                if t == "t0k" {
                    Ok(())
                } else {
                    Err("unknown token".to_string())
                }
            }))
        };
        assert!(call(auth(), Some("Bearer t0k")).is_ok());
        assert!(call(auth(), Some("bearer t0k")).is_ok());
        let missing = call(auth(), None).expect_err("missing");
        assert_eq!(missing.code(), tonic::Code::Unauthenticated);
        assert!(
            missing.message().contains("had none"),
            "{}",
            missing.message()
        );
        let wrong = call(auth(), Some("Bearer nope")).expect_err("wrong");
        assert_eq!(
            wrong.message(),
            "the bearer token was refused: unknown token"
        );
        assert!(
            call(auth(), Some("t0k")).is_ok(),
            "a bare token, as sdk-python sends"
        );
        let basic = call(auth(), Some("Basic dXNlcjpwdw==")).expect_err("scheme");
        assert!(
            basic.message().contains("not `Bearer"),
            "{}",
            basic.message()
        );
    }

    #[test]
    fn validator_reasons_reach_the_client() {
        let auth = Some(BearerAuth::validator(|t| {
            if t.starts_with("live-") {
                Ok(())
            } else {
                Err(format!("{t} has expired"))
            }
        }));
        assert!(call(auth.clone(), Some("Bearer live-1")).is_ok());
        let err = call(auth, Some("Bearer old-1")).expect_err("expired");
        assert_eq!(
            err.message(),
            "the bearer token was refused: old-1 has expired"
        );
    }
}
