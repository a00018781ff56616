//! Optional bearer-token authentication of every call (`authorization: Bearer <token>`), as a
//! LittleHorse server configured for OAuth requires. The kernel does not talk to an identity
//! provider: a [`BearerAuth`] is either one static token or a function that judges a token.

use std::fmt;
use std::sync::Arc;

use tonic::service::Interceptor;
use tonic::{Request, Status};

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
    /// Accepts exactly this token.
    pub fn token(token: impl Into<String>) -> BearerAuth {
        let expected = token.into();
        BearerAuth::validator(move |t| {
            if t == expected {
                Ok(())
            } else {
                Err("unknown token".to_string())
            }
        })
    }

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
pub fn bearer_token(value: Option<&[u8]>) -> Result<String, Status> {
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

/// The interceptor every call passes: with no [`BearerAuth`] configured it lets everything
/// through.
#[derive(Debug, Clone, Default)]
pub struct AuthInterceptor {
    auth: Option<BearerAuth>,
}

impl AuthInterceptor {
    /// An interceptor that checks tokens with `auth` (or nothing, with `None`).
    pub fn new(auth: Option<BearerAuth>) -> AuthInterceptor {
        AuthInterceptor { auth }
    }
}

impl Interceptor for AuthInterceptor {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let Some(auth) = &self.auth else {
            return Ok(request);
        };
        let token = bearer_token(
            request
                .metadata()
                .get("authorization")
                .map(|v| v.as_bytes()),
        )?;
        let token = token.as_str();
        (auth.check)(token).map_err(|why| {
            Status::unauthenticated(format!("the bearer token was refused: {why}"))
        })?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(auth: Option<BearerAuth>, header: Option<&str>) -> Result<(), Status> {
        let mut req = Request::new(());
        if let Some(h) = header {
            req.metadata_mut()
                .insert("authorization", h.parse().expect("ascii"));
        }
        AuthInterceptor::new(auth).call(req).map(|_| ())
    }

    #[test]
    fn without_auth_everything_passes() {
        assert!(call(None, None).is_ok());
        assert!(call(None, Some("Bearer whatever")).is_ok());
    }

    #[test]
    fn static_token() {
        let auth = || Some(BearerAuth::token("t0k"));
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
