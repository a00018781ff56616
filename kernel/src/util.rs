//! Small helpers shared by the kernel: clocks, ids, names and id keys.

use lhw_proto::littlehorse::{LhErrorType, WfRunId};
use pbjson_types::Timestamp;

/// Milliseconds since the Unix epoch: the system clock, or the virtual clock of a
/// simulation running on this thread ([`crate::clock`]).
pub fn now_ms() -> i64 {
    crate::clock::now_ms()
}

/// Converts epoch milliseconds to a protobuf timestamp.
pub fn ms_to_ts(ms: i64) -> Timestamp {
    Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// Converts a protobuf timestamp to epoch milliseconds.
pub fn ts_to_ms(ts: &Timestamp) -> i64 {
    ts.seconds.saturating_mul(1000) + i64::from(ts.nanos / 1_000_000)
}

/// The current time as a protobuf timestamp.
pub fn now_ts() -> Timestamp {
    ms_to_ts(now_ms())
}

/// A random 32-hex-digit id (a UUID v4 without dashes, as LittleHorse uses).
pub(crate) fn new_guid() -> String {
    let hi = fastrand::u64(..);
    let lo = fastrand::u64(..);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!("{hi:016x}{lo:016x}")
}

/// Whether `name` is a valid LittleHorse object name: like a hostname label,
/// `[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// The storage key of a WfRun id: the ids of its ancestors and itself joined by `_`.
pub fn wf_run_key(id: &WfRunId) -> String {
    match &id.parent_wf_run_id {
        Some(parent) => format!("{}_{}", wf_run_key(parent), id.id),
        None => id.id.clone(),
    }
}

/// Whether a failure name is one of the reserved `LHErrorType` names (a
/// failure with such a name is an ERROR, any other name an EXCEPTION).
pub(crate) fn is_error_name(name: &str) -> bool {
    LhErrorType::from_str_name(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name("greet-2"));
        assert!(!is_valid_name("-a"));
        assert!(!is_valid_name("a_b"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a."));
    }

    #[test]
    fn guid_shape() {
        let g = new_guid();
        assert_eq!(g.len(), 32);
        assert!(g.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(g, new_guid());
    }

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(ts_to_ms(&ms_to_ts(1_700_000_123_456)), 1_700_000_123_456);
        assert!(is_error_name("TASK_FAILURE"));
        assert!(!is_error_name("my-exn"));
    }
}
