//! `lhc quota`: Quotas on the write requests per second of a tenant, or of one principal
//! within a tenant (PutQuota, GetQuota, DeleteQuota, SearchQuota), as `lhctl put/get/delete/
//! search quota` manage them (`lhctl/internal/quota.go` in littlehorse-enterprises/
//! littlehorse). `delete` reads the quota first: the server deletes an unknown one silently.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::{
    DeleteQuotaRequest, PrincipalId, PutQuotaRequest, Quota, QuotaId, SearchQuotaRequest, TenantId,
};
use lhw_runtime_client::LhClient;
use tonic::Code;

use crate::inspect::exec::{Fail, Res, all_pages, execute, rpc};
use crate::inspect::render::{print_json, print_text, table, time};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc quota`.
#[derive(Debug, Args)]
pub struct QuotaArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: QuotaCommand,
}

/// `lhc quota` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// Set the quota of a tenant, or of a principal in it (PutQuota).
    Put(PutArgs),
    /// One quota (GetQuota).
    Get(IdArgs),
    /// Remove a quota (DeleteQuota).
    Delete(IdArgs),
    /// The quotas, of one tenant or principal (SearchQuota).
    List(ListArgs),
}

/// Arguments of `lhc quota put`.
#[derive(Debug, Args)]
pub struct PutArgs {
    /// The tenant.
    #[arg(value_name = "TENANT")]
    pub tenant: String,
    /// The quota applies to this principal within the tenant only.
    #[arg(long, value_name = "PRINCIPAL")]
    pub principal: Option<String>,
    /// The most mutating requests per second (greater than zero).
    #[arg(long, value_name = "N")]
    pub write_requests_per_second: i32,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// A quota id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The tenant.
    #[arg(value_name = "TENANT")]
    pub tenant: String,
    /// The principal's quota within the tenant (default: the tenant's own).
    #[arg(long, value_name = "PRINCIPAL")]
    pub principal: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc quota list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the quotas of this tenant.
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Only the quota of this principal (needs --tenant).
    #[arg(long, value_name = "PRINCIPAL", requires = "tenant")]
    pub principal: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc quota`.
pub fn run(args: &QuotaArgs, style: Style) -> ExitCode {
    match &args.command {
        QuotaCommand::Put(a) => execute(&a.common, style, async |c, f| put(c, a, f).await),
        QuotaCommand::Get(a) => execute(&a.common, style, async |c, f| get(c, a, f).await),
        QuotaCommand::Delete(a) => execute(&a.common, style, async |c, f| delete(c, a, f).await),
        QuotaCommand::List(a) => execute(&a.common, style, async |c, f| list(c, a, f).await),
    }
}

fn quota_id(tenant: &str, principal: Option<&String>) -> QuotaId {
    QuotaId {
        tenant: Some(TenantId {
            id: tenant.to_string(),
        }),
        principal: principal.map(|p| PrincipalId { id: p.clone() }),
    }
}

/// `tenant acme` or `principal ci in tenant acme`.
fn described(id: &QuotaId) -> String {
    let tenant = id.tenant.as_ref().map_or("", |t| t.id.as_str());
    match &id.principal {
        Some(p) => format!("principal {} in tenant {tenant}", p.id),
        None => format!("tenant {tenant}"),
    }
}

fn rows(quotas: &[Quota]) -> Vec<Vec<String>> {
    quotas
        .iter()
        .map(|q| {
            let id = q.id.clone().unwrap_or_default();
            vec![
                id.tenant.map(|t| t.id).unwrap_or_default(),
                id.principal.map_or_else(|| "(all)".into(), |p| p.id),
                q.write_requests_per_second.to_string(),
                time(q.created_at.as_ref()),
            ]
        })
        .collect()
}

const HEADERS: [&str; 4] = ["TENANT", "PRINCIPAL", "WRITES/S", "CREATED"];

async fn put(client: &LhClient, a: &PutArgs, format: Format) -> Res {
    if a.write_requests_per_second <= 0 {
        return Err(Fail::Msg(format!(
            "--write-requests-per-second {}: must be greater than zero (delete the quota to \
             lift it: lhc quota delete {})",
            a.write_requests_per_second, a.tenant
        )));
    }
    let id = quota_id(&a.tenant, a.principal.as_ref());
    let q = client
        .raw()
        .put_quota(PutQuotaRequest {
            tenant: id.tenant.clone(),
            principal: id.principal.clone(),
            write_requests_per_second: a.write_requests_per_second,
        })
        .await
        .map_err(|e| Fail::Client(format!("quota of {}", described(&id)), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&q);
    }
    println!(
        "quota of {}: {} write requests per second",
        described(&id),
        q.write_requests_per_second
    );
    Ok(())
}

async fn fetch(client: &LhClient, id: QuotaId) -> Result<Quota, Fail> {
    let what = described(&id);
    match client.raw().get_quota(id).await {
        Ok(q) => Ok(q.into_inner()),
        Err(s) if s.code() == Code::NotFound => Err(Fail::Msg(format!(
            "no quota for {what} on {}\n  help: `lhc quota list` shows the quotas",
            client.target()
        ))),
        Err(s) => Err(Fail::Client(format!("quota of {what}"), rpc(s))),
    }
}

async fn get(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    let q = fetch(client, quota_id(&a.tenant, a.principal.as_ref())).await?;
    if format == Format::Json {
        return print_json(&q);
    }
    print_text(&table(&HEADERS, &rows(&[q])));
    Ok(())
}

async fn delete(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    let id = quota_id(&a.tenant, a.principal.as_ref());
    let q = fetch(client, id.clone()).await?;
    client
        .raw()
        .delete_quota(DeleteQuotaRequest {
            id: Some(id.clone()),
        })
        .await
        .map_err(|e| Fail::Client(format!("quota of {}", described(&id)), rpc(e)))?;
    if format == Format::Json {
        return print_json(&q);
    }
    println!("deleted the quota of {}", described(&id));
    Ok(())
}

async fn list(client: &LhClient, a: &ListArgs, format: Format) -> Res {
    let ids = all_pages(usize::MAX, |bookmark, _| async move {
        let page = client
            .raw()
            .search_quota(SearchQuotaRequest {
                bookmark,
                limit: Some(1000),
                tenant_id: a.tenant.clone(),
                principal: a.principal.as_ref().map(|p| PrincipalId { id: p.clone() }),
            })
            .await
            .map_err(|e| Fail::Client("quotas".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    let mut quotas = Vec::new();
    for id in ids {
        match client.raw().get_quota(id.clone()).await {
            Ok(q) => quotas.push(q.into_inner()),
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => return Err(Fail::Client(format!("quota of {}", described(&id)), rpc(s))),
        }
    }
    if format == Format::Json {
        return print_json(&quotas);
    }
    if quotas.is_empty() {
        println!("no quotas");
        return Ok(());
    }
    print_text(&table(&HEADERS, &rows(&quotas)));
    Ok(())
}
