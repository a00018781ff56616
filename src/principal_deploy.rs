//! `lhc principal deploy FILE`: a Principal from a file, as `lhctl deploy principal FILE`
//! (`lhctl/internal/principal.go`, `deployPrincipalCmd`): the file holds a
//! PutPrincipalRequest in protobuf JSON (the default) or, with `--proto`, in the protobuf
//! binary encoding; it is sent as it is (PutPrincipal). Unlike lhctl, a file that is not a
//! PutPrincipalRequest is refused with the reason and where (exit 1), and the stored
//! Principal is printed as `lhc principal get` prints it.
//!
//! It is a `principal` subcommand rather than `lhc deploy principal FILE` because `lhc deploy`
//! takes `.lhw` paths, and a file named `principal` must stay deployable.

use std::path::PathBuf;

use clap::Args;
use lhw_proto::littlehorse::PutPrincipalRequest;
use prost::Message as _;
use tonic::Code;

use crate::inspect::exec::{Fail, Res, rpc};
use crate::inspect::render::{print_json, print_text};
use crate::inspect::{Common, Format};

/// Arguments of `lhc principal deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The file: a PutPrincipalRequest in protobuf JSON (`{"id": "ci", "perTenantAcls":
    /// {"default": {"acls": [{"resources": ["ACL_WORKFLOW"], "allowedActions": ["READ"]}]}}}`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The file is in the protobuf binary encoding, not JSON.
    #[arg(long)]
    pub proto: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// The request in the file.
pub(crate) fn read_request(
    path: &std::path::Path,
    binary: bool,
) -> Result<PutPrincipalRequest, Fail> {
    let bytes = std::fs::read(path)
        .map_err(|e| Fail::Msg(format!("cannot read {}: {e}", path.display())))?;
    if binary {
        return PutPrincipalRequest::decode(bytes.as_slice()).map_err(|e| {
            Fail::Msg(format!(
                "{}: not a PutPrincipalRequest in the protobuf binary encoding: {e}",
                path.display()
            ))
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Fail::Msg(format!(
            "{}: not UTF-8 text\n  help: pass --proto for a file in the protobuf binary encoding",
            path.display()
        ))
    })?;
    serde_json::from_str::<PutPrincipalRequest>(&text).map_err(|e| {
        Fail::Msg(format!(
            "{}: not a PutPrincipalRequest in protobuf JSON: {e}\n  help: fields are `id`, \
             `perTenantAcls`, `globalAcls`, `overwrite`; resources and actions by their \
             protobuf names (`ACL_WORKFLOW`, `READ`)",
            path.display()
        ))
    })
}

/// Runs `lhc principal deploy`.
pub(crate) async fn deploy(
    client: &lhw_runtime_client::LhClient,
    args: &DeployArgs,
    format: Format,
) -> Res {
    let request = read_request(&args.file, args.proto)?;
    if request.id.is_empty() {
        return Err(Fail::Msg(format!(
            "{}: the PutPrincipalRequest has no `id`",
            args.file.display()
        )));
    }
    let what = format!("PutPrincipal {}", request.id);
    let stored = client
        .raw()
        .put_principal(request)
        .await
        .map_err(|e| {
            if e.code() == Code::AlreadyExists {
                Fail::Msg(format!(
                    "{what}: ALREADY_EXISTS: {}\n  help: set \"overwrite\": true in the file to \
                     replace its ACLs",
                    e.message()
                ))
            } else {
                Fail::Client(what.clone(), rpc(e))
            }
        })?
        .into_inner();
    match format {
        Format::Json => print_json(&stored),
        Format::Table => {
            print_text(&crate::whoami::render(&stored));
            Ok(())
        }
    }
}
