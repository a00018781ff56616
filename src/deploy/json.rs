//! `lhc deploy --format json`: one document on stdout for CI, with each object's verdict
//! (the same words as the text lines, as snake_case) and each rejection with the server's
//! code and message. Diagnostics and the summary stay on stderr.

use serde::Serialize;

use super::Verdict;

/// The whole deployment.
#[derive(Debug, Default, Serialize)]
pub(super) struct Report {
    /// The server, `host:port`.
    pub(super) server: String,
    /// `--dry-run`: nothing was changed.
    pub(super) dry_run: bool,
    /// Objects the server accepted (or, in a dry run, would), in registration order.
    pub(super) objects: Vec<Object>,
    /// Objects the server rejected.
    pub(super) rejected: Vec<Rejection>,
}

/// One object and its verdict.
#[derive(Debug, Serialize)]
pub(super) struct Object {
    pub(super) kind: &'static str,
    pub(super) name: String,
    /// `created`, `unchanged`, `updated`, `new_revision`, `new_major_version`,
    /// `new_version` or `kept_servers`.
    pub(super) verdict: &'static str,
    /// `MAJOR.REVISION` of a WfSpec, the version of a StructDef or UserTaskDef.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<String>,
    pub(super) changed: bool,
}

/// One object the server refused.
#[derive(Debug, Serialize)]
pub(super) struct Rejection {
    pub(super) kind: &'static str,
    pub(super) name: String,
    /// The gRPC status code, e.g. `INVALID_ARGUMENT`.
    pub(super) code: String,
    pub(super) message: String,
}

impl Object {
    pub(super) fn new(kind: &'static str, name: &str, verdict: &Verdict) -> Object {
        let (word, version) = match verdict {
            Verdict::Created(v) => ("created", v.clone()),
            Verdict::Unchanged(v) => ("unchanged", v.clone()),
            Verdict::Updated => ("updated", None),
            Verdict::NewRevision(v) => ("new_revision", Some(v.clone())),
            Verdict::NewMajorVersion(v) => ("new_major_version", Some(v.clone())),
            Verdict::NewVersion(v) => ("new_version", Some(v.clone())),
            Verdict::KeptServers => ("kept_servers", None),
        };
        Object {
            kind,
            name: name.to_string(),
            verdict: word,
            version,
            changed: verdict.changed(),
        }
    }
}
