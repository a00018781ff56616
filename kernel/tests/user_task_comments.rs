//! Comments on UserTaskRuns: PutUserTaskRunComment, EditUserTaskRunComment and
//! DeleteUserTaskRunComment append to the task's history; a missing comment or an empty
//! user/comment is refused with the field named.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    DeleteUserTaskRunCommentRequest, EditUserTaskRunCommentRequest, PutUserTaskRunCommentRequest,
    UserTaskRunId, user_task_event::Event,
};
use tonic::Code;

const FLOW: &str = r#"
user-task approve-order { approved: bool "Approve?" required }
workflow group-approval {
  let d = ask approve-order to group "sales"
}
"#;

fn ut_id() -> UserTaskRunId {
    UserTaskRunId {
        wf_run_id: Some(wf_id("c1")),
        user_task_guid: "0-1".into(),
    }
}

#[tokio::test]
async fn comments_are_added_edited_and_deleted() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOW).await;
        run(&mut c, "group-approval", "c1", &[]).await;
        let put = |user: &str, comment: &str| PutUserTaskRunCommentRequest {
            user_task_run_id: Some(ut_id()),
            user_id: user.into(),
            comment: comment.into(),
        };
        let ut = c
            .put_user_task_run_comment(put("ann", "first"))
            .await
            .expect("put")
            .into_inner();
        let Some(Event::CommentAdded(added)) = ut.events.last().and_then(|e| e.event.clone())
        else {
            panic!("no comment event: {:?}", ut.events)
        };
        assert_eq!(added.user_comment_id, 1);
        assert_eq!(added.comment, "first");
        let second = c
            .put_user_task_run_comment(put("bob", "second"))
            .await
            .expect("put")
            .into_inner();
        assert!(matches!(
            second.events.last().and_then(|e| e.event.clone()),
            Some(Event::CommentAdded(a)) if a.user_comment_id == 2
        ));

        let empty = c.put_user_task_run_comment(put("", "x")).await.unwrap_err();
        assert_eq!(empty.code(), Code::InvalidArgument);
        assert!(empty.message().contains("user_id"), "{}", empty.message());

        let edited = c
            .edit_user_task_run_comment(EditUserTaskRunCommentRequest {
                user_comment_id: 1,
                user_task_run_id: Some(ut_id()),
                user_id: "ann".into(),
                comment: "first, edited".into(),
            })
            .await
            .expect("edit")
            .into_inner();
        assert!(matches!(
            edited.events.last().and_then(|e| e.event.clone()),
            Some(Event::CommentEdited(e)) if e.comment == "first, edited"
        ));
        let delete = |id: i32| DeleteUserTaskRunCommentRequest {
            user_task_run_id: Some(ut_id()),
            user_comment_id: id,
            user_id: "ann".into(),
        };
        c.delete_user_task_run_comment(delete(1))
            .await
            .expect("delete");
        let again = c.delete_user_task_run_comment(delete(1)).await.unwrap_err();
        assert_eq!(again.code(), Code::NotFound);
        let never = c.delete_user_task_run_comment(delete(9)).await.unwrap_err();
        assert_eq!(never.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
