//! Optional bearer-token authentication of every call (`authorization: Bearer <token>`), as a
//! LittleHorse server configured for OAuth requires. The kernel does not talk to an identity
//! provider: a [`BearerAuth`] is either one static token or a function that judges a token.

use std::fmt;
use std::sync::Arc;

use tonic::service::Interceptor;
use tonic::{Request, Status};

type Check = dyn Fn(&str) -> Result<(), String> + Send + Sync;

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
        BearerAuth {
            check: Arc::new(check),
        }
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
        let Some(value) = request.metadata().get("authorization") else {
            return Err(Status::unauthenticated(
                "this server requires an OAuth bearer token (`authorization: Bearer <token>`) \
                 and the call had none",
            ));
        };
        let value = value.to_str().map_err(|_| {
            Status::unauthenticated("the authorization header is not printable ASCII")
        })?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(Status::unauthenticated(
                    "the authorization header is not `Bearer <token>`",
                ));
            }
        };
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
