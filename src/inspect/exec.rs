//! Running an inspection command: resolving and connecting to the server, paging through
//! search results and reporting failures.

use std::process::ExitCode;

use lhw_proto::littlehorse::{ThreadRun, WfRun, WfRunId};
use lhw_runtime_client::client::code_name;
use lhw_runtime_client::{ClientError, LhClient};
use tonic::Code;

use super::{Common, Format};
use crate::report::Style;
use crate::server::{self, Target};

/// Why a command failed.
pub(crate) enum Fail {
    /// A server or connection error, with what was asked for (`WfRun x`).
    Client(String, ClientError),
    /// Our own message.
    Msg(String),
    /// Ctrl-C stopped the command (exit 130), with what it leaves behind.
    Interrupted(String),
}

pub(crate) type Res = Result<(), Fail>;

/// Every result of a paged RPC: `page(bookmark, room)` fetches one page (`room` is how many
/// results are still wanted) and returns its results and the next bookmark; paging stops at
/// the last page or once `max` results are in.
pub(crate) async fn all_pages<T, F, Fut>(max: usize, mut page: F) -> Result<Vec<T>, Fail>
where
    F: FnMut(Option<Vec<u8>>, usize) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<Vec<u8>>), Fail>>,
{
    let mut out = Vec::new();
    let mut bookmark = None;
    while out.len() < max {
        let (results, next) = page(bookmark.take(), max - out.len()).await?;
        out.extend(results);
        match next {
            Some(b) if !b.is_empty() => bookmark = Some(b),
            _ => break,
        }
    }
    out.truncate(max);
    Ok(out)
}

pub(crate) fn on(what: impl Into<String>) -> impl FnOnce(ClientError) -> Fail {
    let what = what.into();
    move |e| Fail::Client(what, e)
}

pub(crate) fn rpc(e: tonic::Status) -> ClientError {
    ClientError::Rpc(e)
}

/// Resolves the server, connects and runs `f`, reporting failures on stderr (exit 1).
pub(crate) fn execute(
    common: &Common,
    style: Style,
    f: impl AsyncFnOnce(&LhClient, Format) -> Res,
) -> ExitCode {
    let target = match server::resolve(&common.server) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return ExitCode::FAILURE;
        }
    };
    let Some(rt) = server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let Some(client) = server::connect(&target, style).await else {
            return ExitCode::FAILURE;
        };
        match f(&client, common.format).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(fail) => {
                report(&fail, &client, &target, style);
                match fail {
                    Fail::Interrupted(_) => ExitCode::from(super::follow::INTERRUPTED_EXIT),
                    _ => ExitCode::FAILURE,
                }
            }
        }
    })
}

pub(crate) fn report(fail: &Fail, client: &LhClient, target: &Target, style: Style) {
    match fail {
        Fail::Msg(m) | Fail::Interrupted(m) => eprintln!("{}", style.error(m)),
        Fail::Client(what, ClientError::Rpc(s)) if s.code() == Code::NotFound => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "{what} not found on {} (NOT_FOUND: {})",
                    client.target(),
                    s.message()
                ))
            );
        }
        Fail::Client(what, ClientError::Rpc(s)) if s.code() == Code::Unimplemented => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "the server at {} cannot answer {what}: {}: {}",
                    client.target(),
                    code_name(s.code()),
                    s.message()
                ))
            );
            if target.embedded {
                eprintln!(
                    "  {}",
                    style.help("the embedded kernel does not implement this request yet")
                );
            }
        }
        Fail::Client(what, ClientError::Rpc(s)) => eprintln!(
            "{}",
            style.error(&format!("{what}: {}: {}", code_name(s.code()), s.message()))
        ),
        Fail::Client(_, e) => server::report_client_error(e, target, style),
    }
}

/// The ThreadRun `number` of `run` (WfRun `id`), or the error that names the run's threads.
pub(crate) fn thread_of<'r>(run: &'r WfRun, id: &str, number: i32) -> Result<&'r ThreadRun, Fail> {
    run.thread_runs
        .iter()
        .find(|t| t.number == number)
        .ok_or_else(|| {
            let numbers: Vec<String> = run
                .thread_runs
                .iter()
                .map(|r| format!("{} ({})", r.number, r.thread_spec_name))
                .collect();
            Fail::Msg(format!(
                "WfRun {id} has no thread {number} (its threads: {})",
                numbers.join(", ")
            ))
        })
}

pub(crate) fn wf_run_id(id: &str) -> WfRunId {
    lhw_runtime_client::ids::parse_wf_run_id(id)
}
