//! `lhc version`: lhc's version and the server's (GetServerVersion), as `lhctl version`
//! prints them (`lhctl/internal/version.go`): `major.minor[.patch][-pre-release]`, and
//! "outdated" for a server that does not answer GetServerVersion (UNIMPLEMENTED).

use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::LittleHorseVersion;
use serde::Serialize;
use tonic::Code;

use crate::inspect::exec::{Fail, execute, rpc};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// What `--format json` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Versions {
    lhc: String,
    /// The server's version, or `None` when it is too old to say.
    server: Option<String>,
}

/// `1.3.0-rc1` from the parts the server sends.
fn text(v: &LittleHorseVersion) -> String {
    let mut s = format!("{}.{}", v.major_version, v.minor_version);
    if let Some(p) = v.patch_version {
        s.push_str(&format!(".{p}"));
    }
    if let Some(pre) = &v.pre_release_identifier {
        s.push('-');
        s.push_str(pre);
    }
    s
}

/// Runs `lhc version`.
pub fn run(args: &VersionArgs, style: Style) -> ExitCode {
    execute(&args.common, style, async |client, format| {
        let server = match client
            .raw()
            .get_server_version(pbjson_types::Empty {})
            .await
        {
            Ok(v) => Some(text(&v.into_inner())),
            Err(s) if s.code() == Code::Unimplemented => None,
            Err(s) => return Err(Fail::Client("the server's version".into(), rpc(s))),
        };
        let versions = Versions {
            lhc: env!("CARGO_PKG_VERSION").to_string(),
            server,
        };
        if format == Format::Json {
            let out = serde_json::to_string_pretty(&versions)
                .map_err(|e| Fail::Msg(format!("cannot print the versions: {e}")))?;
            println!("{out}");
            return Ok(());
        }
        println!("lhc version: {}", versions.lhc);
        match &versions.server {
            Some(v) => println!("server version: {v} ({})", client.target()),
            None => println!(
                "server version: unknown ({} does not answer GetServerVersion: it is outdated)",
                client.target()
            ),
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_read_as_lhctl_prints_them() {
        let v = lhw_proto::littlehorse::LittleHorseVersion {
            major_version: 1,
            minor_version: 3,
            patch_version: Some(0),
            pre_release_identifier: Some("rc1".into()),
        };
        assert_eq!(super::text(&v), "1.3.0-rc1");
    }
}
