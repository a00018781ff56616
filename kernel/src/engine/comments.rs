//! Comments on a UserTaskRun (PutUserTaskRunComment, EditUserTaskRunComment,
//! DeleteUserTaskRunComment): each is an event in the UserTaskRun's history; a comment's id
//! counts the comments added before it, from 1.

use crate::engine::{EngineError, ObjectKind};
use lhw_proto::littlehorse::user_task_event::{Event, UteCommentDeleted, UteCommented};
use lhw_proto::littlehorse::{
    DeleteUserTaskRunCommentRequest, EditUserTaskRunCommentRequest, PutUserTaskRunCommentRequest,
    UserTaskRun, UserTaskRunId,
};

use super::Engine;
use super::user_tasks::{event, ids};
use crate::util::now_ms;

impl Engine {
    /// PutUserTaskRunComment.
    pub(crate) fn put_user_task_run_comment(
        &mut self,
        req: PutUserTaskRunCommentRequest,
    ) -> Result<UserTaskRun, EngineError> {
        non_empty(&req.user_id, "user_id")?;
        non_empty(&req.comment, "comment")?;
        self.with_user_task(req.user_task_run_id, |utr| {
            let id = 1 + utr
                .events
                .iter()
                .filter(|e| matches!(e.event, Some(Event::CommentAdded(_))))
                .count();
            Ok(Event::CommentAdded(UteCommented {
                user_comment_id: i32::try_from(id).unwrap_or(i32::MAX),
                user_id: req.user_id,
                comment: req.comment,
            }))
        })
    }

    /// EditUserTaskRunComment.
    pub(crate) fn edit_user_task_run_comment(
        &mut self,
        req: EditUserTaskRunCommentRequest,
    ) -> Result<UserTaskRun, EngineError> {
        non_empty(&req.user_id, "user_id")?;
        non_empty(&req.comment, "comment")?;
        let comment_id = req.user_comment_id;
        self.with_user_task(req.user_task_run_id, |utr| {
            live_comment(utr, comment_id)?;
            Ok(Event::CommentEdited(UteCommented {
                user_comment_id: comment_id,
                user_id: req.user_id,
                comment: req.comment,
            }))
        })
    }

    /// DeleteUserTaskRunComment.
    pub(crate) fn delete_user_task_run_comment(
        &mut self,
        req: DeleteUserTaskRunCommentRequest,
    ) -> Result<UserTaskRun, EngineError> {
        non_empty(&req.user_id, "user_id")?;
        let comment_id = req.user_comment_id;
        self.with_user_task(req.user_task_run_id, |utr| {
            live_comment(utr, comment_id)?;
            Ok(Event::CommentDeleted(UteCommentDeleted {
                user_comment_id: comment_id,
                user_id: req.user_id,
            }))
        })
    }

    /// Appends the event `make` returns to the UserTaskRun's history.
    fn with_user_task(
        &mut self,
        id: Option<UserTaskRunId>,
        make: impl FnOnce(&UserTaskRun) -> Result<Event, EngineError>,
    ) -> Result<UserTaskRun, EngineError> {
        let (key, guid) = ids(id)?;
        let run = self.ut_run(&key, &guid)?;
        let utr = run.user_task_run_mut(&guid).ok_or_else(|| {
            EngineError::not_found(ObjectKind::UserTaskRun, format!("{key}/{guid}"))
        })?;
        let e = make(utr)?;
        utr.events.push(event(now_ms(), e));
        Ok(utr.clone())
    }
}

fn non_empty(value: &str, field: &str) -> Result<(), EngineError> {
    if value.trim().is_empty() {
        Err(EngineError::invalid_argument(format!(
            "{field} must not be empty"
        )))
    } else {
        Ok(())
    }
}

/// The comment `id` was added and not deleted.
fn live_comment(utr: &UserTaskRun, id: i32) -> Result<(), EngineError> {
    let mut live = false;
    for e in &utr.events {
        match &e.event {
            Some(Event::CommentAdded(c)) if c.user_comment_id == id => live = true,
            Some(Event::CommentDeleted(c)) if c.user_comment_id == id => live = false,
            _ => {}
        }
    }
    if live {
        Ok(())
    } else {
        Err(EngineError::missing(format!(
            "user_comment_id {id}: no such comment on this UserTaskRun"
        )))
    }
}
