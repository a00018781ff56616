//! Checking requests before they reach the engine, and paging: every
//! malformed request is answered INVALID_ARGUMENT naming the offending field.
//!
//! Paging follows LittleHorse: a page holds at most `limit` results (100 when
//! unset or 0) and carries an opaque `bookmark` when more follow; sending the
//! bookmark back gets the next page. The kernel's bookmarks are JSON text:
//! searches over the database use the sort key of the last result (so rows
//! deleted or added meanwhile never shift a page), lists of one WfRun's
//! children use an offset.

use crate::engine::EngineError;
use crate::util::wf_run_key;
use lhw_proto::littlehorse::WfRunId;
use serde_json::Value as Json;

/// The page size when a request sets none (LittleHorse's default).
pub(crate) const DEFAULT_LIMIT: usize = 100;

/// The largest page the kernel returns.
pub(crate) const MAX_LIMIT: usize = 10_000;

/// A required message field.
pub(crate) fn required<T>(value: Option<T>, field: &str) -> Result<T, EngineError> {
    value.ok_or_else(|| EngineError::invalid_argument(format!("{field} must be set")))
}

/// A string field that must not be empty.
pub(crate) fn not_empty<'a>(value: &'a str, field: &str) -> Result<&'a str, EngineError> {
    if value.is_empty() {
        Err(EngineError::invalid_argument(format!(
            "{field} must not be empty"
        )))
    } else {
        Ok(value)
    }
}

/// The storage key of a required WfRunId field; every id in it (the
/// parents' too) must be non-empty.
pub(crate) fn wf_run_key_of(id: Option<&WfRunId>, field: &str) -> Result<String, EngineError> {
    let id = required(id, field)?;
    check_wf_run_id(id, &format!("{field}."))?;
    Ok(wf_run_key(id))
}

/// The storage key of a WfRunId that is the request itself (GetWfRun).
pub(crate) fn wf_run_key_from(id: &WfRunId) -> Result<String, EngineError> {
    check_wf_run_id(id, "")?;
    Ok(wf_run_key(id))
}

fn check_wf_run_id(id: &WfRunId, prefix: &str) -> Result<(), EngineError> {
    not_empty(&id.id, &format!("{prefix}id"))?;
    match &id.parent_wf_run_id {
        Some(parent) => check_wf_run_id(parent, &format!("{prefix}parent_wf_run_id.")),
        None => Ok(()),
    }
}

/// A required UserTaskRunId field: its WfRun id and guid must be set.
pub(crate) fn check_user_task_run_id(
    id: Option<&lhw_proto::littlehorse::UserTaskRunId>,
    field: &str,
) -> Result<(), EngineError> {
    let id = required(id, field)?;
    wf_run_key_of(id.wf_run_id.as_ref(), &format!("{field}.wf_run_id"))?;
    not_empty(&id.user_task_guid, &format!("{field}.user_task_guid"))?;
    Ok(())
}

/// An enum field: unknown numbers are rejected.
pub(crate) fn enum_value<E: TryFrom<i32>>(value: i32, field: &str) -> Result<E, EngineError> {
    E::try_from(value).map_err(|_| {
        EngineError::invalid_argument(format!("{field}: {value} is not a known enum value"))
    })
}

/// An optional enum field.
pub(crate) fn opt_enum_value<E: TryFrom<i32>>(
    value: Option<i32>,
    field: &str,
) -> Result<Option<E>, EngineError> {
    value.map(|v| enum_value(v, field)).transpose()
}

/// The page size of a request.
pub(crate) fn limit(limit: Option<i32>) -> Result<usize, EngineError> {
    match limit {
        None | Some(0) => Ok(DEFAULT_LIMIT),
        Some(n) if n < 0 => Err(EngineError::invalid_argument(format!(
            "limit must not be negative, got {n}"
        ))),
        Some(n) => Ok(usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT)),
    }
}

/// The sort key a bookmark carries (a JSON array), `None` without a bookmark.
pub(crate) fn bookmark_key(bookmark: Option<&[u8]>) -> Result<Option<Vec<Json>>, EngineError> {
    let Some(bytes) = bookmark.filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    match serde_json::from_slice::<Json>(bytes) {
        Ok(Json::Array(key)) => Ok(Some(key)),
        _ => Err(invalid_bookmark()),
    }
}

/// The answer to a bookmark that this kernel did not hand out.
pub(crate) fn invalid_bookmark() -> EngineError {
    EngineError::invalid_argument("bookmark is invalid: send back a bookmark this kernel returned")
}

/// Encodes a sort key as a bookmark.
pub(crate) fn bookmark_of(key: Vec<Json>) -> Vec<u8> {
    Json::Array(key).to_string().into_bytes()
}

/// A string element of a bookmark key.
pub(crate) fn key_str(key: &[Json], i: usize) -> Result<String, EngineError> {
    key.get(i)
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or_else(invalid_bookmark)
}

/// An integer element of a bookmark key.
pub(crate) fn key_int(key: &[Json], i: usize) -> Result<i64, EngineError> {
    key.get(i)
        .and_then(Json::as_i64)
        .ok_or_else(invalid_bookmark)
}

/// One page of an in-memory list (the children of one WfRun): the bookmark
/// is the offset of the next page.
pub(crate) fn page_of<T>(
    items: Vec<T>,
    bookmark: Option<&[u8]>,
    limit: Option<i32>,
) -> Result<(Vec<T>, Option<Vec<u8>>), EngineError> {
    let limit = self::limit(limit)?;
    let offset = match bookmark_key(bookmark)? {
        Some(key) => usize::try_from(key_int(&key, 0)?).map_err(|_| invalid_bookmark())?,
        None => 0,
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let next = offset.saturating_add(limit);
    let bookmark = (next < total).then(|| bookmark_of(vec![Json::from(next)]));
    Ok((page, bookmark))
}

/// Splits `limit + 1` fetched rows into a page and, when the extra row
/// exists, the bookmark made from the last row kept.
pub(crate) fn finish_page<T>(
    mut rows: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> Vec<Json>,
) -> (Vec<T>, Option<Vec<u8>>) {
    if rows.len() > limit {
        rows.truncate(limit);
        let bookmark = rows.last().map(|r| bookmark_of(key(r)));
        (rows, bookmark)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(Some(0)).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(Some(3)).unwrap(), 3);
        assert_eq!(limit(Some(i32::MAX)).unwrap(), MAX_LIMIT);
        let err = limit(Some(-1)).unwrap_err();
        assert!(err.message().contains("limit"), "{}", err.message());
    }

    #[test]
    fn list_pages() {
        let (p1, b1) = page_of(vec![1, 2, 3, 4, 5], None, Some(2)).unwrap();
        assert_eq!(p1, vec![1, 2]);
        let (p2, b2) = page_of(vec![1, 2, 3, 4, 5], b1.as_deref(), Some(2)).unwrap();
        assert_eq!(p2, vec![3, 4]);
        let (p3, b3) = page_of(vec![1, 2, 3, 4, 5], b2.as_deref(), Some(2)).unwrap();
        assert_eq!((p3, b3), (vec![5], None));
        let (all, none) = page_of(vec![1, 2], None, None).unwrap();
        assert_eq!((all, none), (vec![1, 2], None));
        assert!(page_of(vec![1], Some(b"junk"), None).is_err());
        assert!(page_of(vec![1], Some(b"[-1]"), None).is_err());
    }

    #[test]
    fn keyed_pages() {
        let (rows, b) = finish_page(vec![("a", 1), ("b", 2), ("c", 3)], 2, |r| {
            vec![Json::from(r.0), Json::from(r.1)]
        });
        assert_eq!(rows.len(), 2);
        let key = bookmark_key(b.as_deref()).unwrap().unwrap();
        assert_eq!(
            (key_str(&key, 0).unwrap(), key_int(&key, 1).unwrap()),
            ("b".into(), 2)
        );
        assert!(key_int(&key, 0).is_err());
        let (rows, b) = finish_page(vec![1, 2], 2, |r| vec![Json::from(*r)]);
        assert_eq!((rows.len(), b), (2, None));
    }

    #[test]
    fn wf_run_ids() {
        let child = WfRunId {
            id: "c".into(),
            parent_wf_run_id: Some(Box::new(WfRunId {
                id: String::new(),
                parent_wf_run_id: None,
            })),
        };
        let err = wf_run_key_of(Some(&child), "id").unwrap_err();
        assert_eq!(err.message(), "id.parent_wf_run_id.id must not be empty");
        assert_eq!(
            wf_run_key_of(None, "wf_run_id").unwrap_err().message(),
            "wf_run_id must be set"
        );
        assert_eq!(
            wf_run_key_from(&WfRunId::default()).unwrap_err().message(),
            "id must not be empty"
        );
        assert_eq!(
            wf_run_key_from(&child).unwrap_err().message(),
            "parent_wf_run_id.id must not be empty"
        );
    }
}
