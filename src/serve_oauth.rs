//! The OAuth settings of `lhc dev`/`lhc server`, read as the LittleHorse server reads its own
//! (`LHServerConfig.getOAuthConfig`, littlehorse-enterprises/littlehorse,
//! `server/src/main/java/io/littlehorse/common/LHServerConfig.java`): the introspection URL
//! (`LHS_OAUTH_INTROSPECT_URL`), the client id (`LHS_OAUTH_CLIENT_ID`) and secret
//! (`LHS_OAUTH_CLIENT_SECRET`), each of the last two also from a file (`..._FILE`, trimmed,
//! winning over the plain setting), all three or none. A flag wins over its variable.

use std::path::{Path, PathBuf};

use lhw_kernel::oauth::OAuthConfig;

use crate::cli::ServeOAuthArgs;

/// `LHS_OAUTH_INTROSPECT_URL`.
pub const INTROSPECT_URL: &str = "LHS_OAUTH_INTROSPECT_URL";
/// `LHS_OAUTH_CLIENT_ID`.
pub const CLIENT_ID: &str = "LHS_OAUTH_CLIENT_ID";
/// `LHS_OAUTH_CLIENT_SECRET`.
pub const CLIENT_SECRET: &str = "LHS_OAUTH_CLIENT_SECRET";
/// `LHS_OAUTH_CLIENT_ID_FILE`.
pub const CLIENT_ID_FILE: &str = "LHS_OAUTH_CLIENT_ID_FILE";
/// `LHS_OAUTH_CLIENT_SECRET_FILE`.
pub const CLIENT_SECRET_FILE: &str = "LHS_OAUTH_CLIENT_SECRET_FILE";

/// One setting and where it came from, for messages.
struct Setting {
    value: String,
    source: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn read_file(path: &Path, source: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .map_err(|e| format!("cannot read {source} {}: {e}", path.display()))
}

/// A setting from its flag, else its variable; from its file (flag or variable) when one
/// is given.
fn setting(
    flag: Option<&str>,
    flag_name: &str,
    var: &str,
    file_flag: Option<&PathBuf>,
    file_flag_name: &str,
    file_var: Option<&str>,
) -> Result<Option<Setting>, String> {
    let file = match (file_flag, file_var.and_then(env)) {
        (Some(p), _) => Some((p.clone(), file_flag_name.to_string())),
        (None, Some(p)) => Some((PathBuf::from(p), file_var.unwrap_or_default().to_string())),
        (None, None) => None,
    };
    if let Some((path, source)) = file {
        let value = read_file(&path, &source)?;
        return Ok(Some(Setting { value, source }));
    }
    Ok(match (flag, env(var)) {
        (Some(v), _) => Some(Setting {
            value: v.to_string(),
            source: flag_name.to_string(),
        }),
        (None, Some(v)) => Some(Setting {
            value: v,
            source: var.to_string(),
        }),
        (None, None) => None,
    })
}

/// The kernel's OAuth configuration: `None` when nothing is set, an error naming the
/// settings when only some are or one cannot be used.
pub fn oauth_config(args: &ServeOAuthArgs) -> Result<Option<OAuthConfig>, String> {
    let url = setting(
        args.oauth_introspect_url.as_deref(),
        "--oauth-introspect-url",
        INTROSPECT_URL,
        None,
        "",
        None,
    )?;
    let id = setting(
        args.oauth_client_id.as_deref(),
        "--oauth-client-id",
        CLIENT_ID,
        args.oauth_client_id_file.as_ref(),
        "--oauth-client-id-file",
        Some(CLIENT_ID_FILE),
    )?;
    let secret = setting(
        None,
        "",
        CLIENT_SECRET,
        args.oauth_client_secret_file.as_ref(),
        "--oauth-client-secret-file",
        Some(CLIENT_SECRET_FILE),
    )?;
    let named = [
        ("the introspection URL", &url),
        ("the client id", &id),
        ("the client secret", &secret),
    ];
    if named.iter().all(|(_, s)| s.is_none()) {
        if args.oauth_ca_cert.is_some() {
            return Err("--oauth-ca-cert is given but OAuth is not configured".into());
        }
        return Ok(None);
    }
    if named.iter().any(|(_, s)| s.is_none()) {
        let part = |want_set: bool| {
            named
                .iter()
                .filter(|(_, s)| s.is_some() == want_set)
                .map(|(n, s)| match s {
                    Some(s) => format!("{n} ({})", s.source),
                    None => (*n).to_string(),
                })
                .collect::<Vec<_>>()
                .join(" and ")
        };
        return Err(format!(
            "OAuth is half configured: {} given but {} missing; set all three of \
             --oauth-introspect-url ({INTROSPECT_URL}), --oauth-client-id ({CLIENT_ID}) and \
             {CLIENT_SECRET} (or --oauth-client-secret-file)",
            part(true),
            part(false)
        ));
    }
    let (Some(url), Some(id), Some(secret)) = (url, id, secret) else {
        return Ok(None);
    };
    let mut config = OAuthConfig::new(id.value, secret.value, &url.value)
        .map_err(|e| format!("{} ({}): {e}", url.value, url.source))?;
    if let Some(ca) = &args.oauth_ca_cert {
        let pem = std::fs::read(ca)
            .map_err(|e| format!("cannot read --oauth-ca-cert {}: {e}", ca.display()))?;
        config = config
            .with_ca_pem(pem)
            .map_err(|e| format!("--oauth-ca-cert {}: {e}", ca.display()))?;
    }
    Ok(Some(config))
}
