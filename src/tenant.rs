//! `lhc tenant`: the Tenants of a server (PutTenant, GetTenant, SearchTenant), as
//! `lhctl put/get/search tenant` manage them (`lhctl/internal/tenant.go` in
//! littlehorse-enterprises/littlehorse): `put` creates a Tenant or updates its Output Topic
//! recording level (`--all-entity-events` / `--no-entity-events`, as lhctl's flags).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::output_topic_config::OutputTopicRecordingLevel;
use lhw_proto::littlehorse::{
    OutputTopicConfig, PutTenantRequest, SearchTenantRequest, Tenant, TenantId,
};

use crate::inspect::exec::{Fail, all_pages, execute, rpc};
use crate::inspect::render::{fields, print_json, print_text, table, time};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc tenant`.
#[derive(Debug, Args)]
pub struct TenantArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TenantCommand,
}

/// `lhc tenant` subcommands.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a Tenant, or update its Output Topic configuration (PutTenant).
    Put(PutArgs),
    /// One Tenant (GetTenant).
    Get(IdArgs),
    /// Every Tenant (SearchTenant).
    List(ListArgs),
}

/// Arguments of `lhc tenant put`.
#[derive(Debug, Args)]
pub struct PutArgs {
    /// The Tenant's id (letters, digits, `-`, `_` and `.`); clients name it in the `tenantid`
    /// header (LHC_TENANT_ID, --tenant-id).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Publish every eligible entity change of this Tenant to its Output Topic.
    #[arg(long, conflicts_with = "no_entity_events")]
    pub all_entity_events: bool,
    /// Publish only the changes of explicitly enabled entities to the Output Topic.
    #[arg(long)]
    pub no_entity_events: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc tenant get`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The Tenant's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc tenant list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// The Tenant as `key: value` lines.
fn render(t: &Tenant) -> String {
    let level = match &t.output_topic_config {
        None => "-".to_string(),
        Some(c) => OutputTopicRecordingLevel::try_from(c.default_recording_level).map_or_else(
            |_| c.default_recording_level.to_string(),
            |l| l.as_str_name().to_string(),
        ),
    };
    fields(&[
        (
            "Tenant",
            t.id.as_ref().map_or("", |i| i.id.as_str()).to_string(),
        ),
        ("Created", time(t.created_at.as_ref())),
        ("Output topic", level),
    ])
}

fn show(t: &Tenant, format: Format) -> Result<(), Fail> {
    match format {
        Format::Json => print_json(t),
        Format::Table => {
            print_text(&render(t));
            Ok(())
        }
    }
}

/// Runs `lhc tenant ...`.
pub fn run(args: &TenantArgs, style: Style) -> ExitCode {
    match &args.command {
        TenantCommand::Put(a) => execute(&a.common, style, async |client, format| {
            let level = if a.all_entity_events {
                Some(OutputTopicRecordingLevel::AllEntityEvents)
            } else if a.no_entity_events {
                Some(OutputTopicRecordingLevel::NoEntityEvents)
            } else {
                None
            };
            let t = client
                .raw()
                .put_tenant(PutTenantRequest {
                    id: a.id.clone(),
                    output_topic_config: level.map(|l| OutputTopicConfig {
                        default_recording_level: l as i32,
                    }),
                })
                .await
                .map_err(|e| Fail::Client(format!("PutTenant {}", a.id), rpc(e)))?
                .into_inner();
            show(&t, format)
        }),
        TenantCommand::Get(a) => execute(&a.common, style, async |client, format| {
            let t = client
                .raw()
                .get_tenant(TenantId { id: a.id.clone() })
                .await
                .map_err(|e| Fail::Client(format!("Tenant {}", a.id), rpc(e)))?
                .into_inner();
            show(&t, format)
        }),
        TenantCommand::List(a) => execute(&a.common, style, async |client, format| {
            let ids = all_pages(usize::MAX, async |bookmark, _| {
                let page = client
                    .raw()
                    .search_tenant(SearchTenantRequest {
                        bookmark,
                        limit: None,
                    })
                    .await
                    .map_err(|e| Fail::Client("SearchTenant".into(), rpc(e)))?
                    .into_inner();
                Ok((page.results, page.bookmark))
            })
            .await?;
            match format {
                Format::Json => print_json(&ids),
                Format::Table => {
                    let rows: Vec<Vec<String>> = ids.iter().map(|i| vec![i.id.clone()]).collect();
                    print_text(&table(&["TENANT"], &rows));
                    Ok(())
                }
            }
        }),
    }
}
