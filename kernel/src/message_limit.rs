//! The status of a request message over the 4 MiB limit, as LittleHorse's
//! server answers it.
//!
//! LittleHorse's server (grpc-java, no `maxInboundMessageSize` set in
//! `server/src/main/java`) refuses a message over 4 MiB with
//! RESOURCE_EXHAUSTED "gRPC message exceeds maximum size 4194304: N"
//! (grpc-java `MessageDeframer`); tonic refuses the same message with
//! OUT_OF_RANGE "Error, decoded message length too large: …". This wrapper
//! around the gRPC service rewrites tonic's answer to grpc-java's, so that
//! clients (which treat the two codes differently) see what LittleHorse says.
//!
//! It also shortens an answer's status message over [`MAX_STATUS_MESSAGE_BYTES`]:
//! messages name what the request named, and a 100,000-character name
//! (LittleHorse sets no length limit on names, docs/differences.md) would
//! make a status header larger than clients accept (tonic's client fails
//! with "h2 protocol error" instead of showing the answer).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tonic::body::Body;
use tonic::codegen::Service;
use tonic::codegen::http::{Request, Response};
use tonic::server::NamedService;
use tonic::{Code, Status};

/// The largest request message LittleHorse accepts (grpc-java's default).
pub(crate) const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// The start of tonic's message for a request message over the limit
/// (tonic `codec/decode.rs`).
const TONIC_TOO_LARGE: &str = "Error, decoded message length too large: found ";

/// The longest status message the kernel sends (bytes, before percent-encoding).
pub(crate) const MAX_STATUS_MESSAGE_BYTES: usize = 1024;

/// Wraps the gRPC service; see the module documentation.
#[derive(Clone)]
pub(crate) struct MessageLimit<S> {
    inner: S,
}

impl<S> MessageLimit<S> {
    pub(crate) fn new(inner: S) -> Self {
        MessageLimit { inner }
    }
}

impl<S: NamedService> NamedService for MessageLimit<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<Request<Body>> for MessageLimit<S>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response<B>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let answer = self.inner.call(req);
        Box::pin(async move {
            let mut response = answer.await?;
            if let Some(status) = Status::from_header_map(response.headers())
                && let Some(rewritten) =
                    as_resource_exhausted(&status).or_else(|| shortened(&status))
            {
                // A trailers-only answer: its status is in the headers.
                let _ = rewritten.add_header(response.headers_mut());
            }
            Ok(response)
        })
    }
}

/// grpc-java's status for tonic's "message too large" status; `None` for any
/// other status.
fn as_resource_exhausted(status: &Status) -> Option<Status> {
    if status.code() != Code::OutOfRange {
        return None;
    }
    let found = status.message().strip_prefix(TONIC_TOO_LARGE)?;
    let length = found.split(' ').next().unwrap_or_default();
    Some(Status::resource_exhausted(format!(
        "gRPC message exceeds maximum size {MAX_MESSAGE_BYTES}: {length}"
    )))
}

/// The status with its message cut to [`MAX_STATUS_MESSAGE_BYTES`] (at a
/// character boundary, saying how much was cut); `None` when it is short enough.
fn shortened(status: &Status) -> Option<Status> {
    let message = status.message();
    if message.len() <= MAX_STATUS_MESSAGE_BYTES {
        return None;
    }
    let mut end = MAX_STATUS_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    Some(Status::new(
        status.code(),
        format!(
            "{}… ({} more bytes of this message cut)",
            &message[..end],
            message.len() - end
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_too_large_status_is_rewritten() {
        let tonic = Status::out_of_range(
            "Error, decoded message length too large: found 5242885 bytes, the limit is: 4194304 bytes",
        );
        let s = as_resource_exhausted(&tonic).expect("rewritten");
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert_eq!(
            s.message(),
            "gRPC message exceeds maximum size 4194304: 5242885"
        );
        assert!(as_resource_exhausted(&Status::out_of_range("limit: offset 9")).is_none());
        assert!(as_resource_exhausted(&Status::internal(tonic.message())).is_none());
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let long = Status::invalid_argument(format!("name \"{}\" is invalid", "é".repeat(2000)));
        let s = shortened(&long).expect("cut");
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().len() < MAX_STATUS_MESSAGE_BYTES + 64);
        assert!(s.message().starts_with("name \"éé"));
        assert!(s.message().ends_with("more bytes of this message cut)"));
        assert!(shortened(&Status::not_found("WfSpec w not found")).is_none());
    }
}
