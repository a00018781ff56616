//! `lhc whoami`: the Principal the server sees for this client (`Whoami`), with its ACLs;
//! `--format json` prints the Principal as protobuf JSON.

use std::process::ExitCode;

use lhw_proto::littlehorse::{AclAction, AclResource, Principal, ServerAcl, server_acl};

use crate::inspect::Common;
use crate::inspect::Format;
use crate::inspect::exec::{Fail, execute, rpc};
use crate::inspect::render::{print_json, print_text, table};
use crate::report::Style;

/// Arguments of `lhc whoami`.
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    /// Output and server.
    #[command(flatten)]
    pub common: Common,
}

fn names<T: Copy>(
    values: &[i32],
    name: impl Fn(i32) -> Option<T>,
    show: impl Fn(T) -> &'static str,
) -> String {
    values
        .iter()
        .map(|v| name(*v).map_or_else(|| v.to_string(), |t| show(t).to_string()))
        .collect::<Vec<_>>()
        .join(",")
}

fn row(scope: &str, acl: &ServerAcl) -> Vec<String> {
    vec![
        scope.to_string(),
        names(
            &acl.resources,
            |v| AclResource::try_from(v).ok(),
            |r| r.as_str_name(),
        ),
        names(
            &acl.allowed_actions,
            |v| AclAction::try_from(v).ok(),
            |a| a.as_str_name(),
        ),
        match &acl.resource_filter {
            Some(server_acl::ResourceFilter::Name(n)) => format!("name {n}"),
            Some(server_acl::ResourceFilter::Prefix(p)) => format!("prefix {p}"),
            None => "-".to_string(),
        },
    ]
}

/// The Principal as text: its id, then one line per ACL.
pub(crate) fn render(p: &Principal) -> String {
    let id = p.id.as_ref().map_or("", |i| i.id.as_str());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for acl in p.global_acls.iter().flat_map(|g| &g.acls) {
        rows.push(row("global", acl));
    }
    for (tenant, acls) in &p.per_tenant_acls {
        for acl in &acls.acls {
            rows.push(row(&format!("tenant {tenant}"), acl));
        }
    }
    let mut out = format!("Principal: {id}\n");
    if rows.is_empty() {
        out.push_str("no ACLs: every call but Whoami is refused\n");
    } else {
        out.push_str(&table(&["SCOPE", "RESOURCES", "ACTIONS", "FILTER"], &rows));
    }
    out
}

/// Runs `lhc whoami`.
pub fn run(args: &WhoamiArgs, style: Style) -> ExitCode {
    execute(&args.common, style, async |client, format| {
        let me = client
            .raw()
            .whoami(tonic::Request::new(Default::default()))
            .await
            .map_err(|e| Fail::Client("the calling Principal".into(), rpc(e)))?
            .into_inner();
        match format {
            Format::Json => print_json(&me),
            Format::Table => {
                print_text(&render(&me));
                Ok(())
            }
        }
    })
}
