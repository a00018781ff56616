//! Client configuration, read exactly as LittleHorse users already have it.
//!
//! Sources, lowest precedence first:
//! 1. defaults (`localhost:2023`, PLAINTEXT, no tenant);
//! 2. the properties file `~/.config/littlehorse.config` (when it exists);
//! 3. `LHC_*` / `LHW_*` environment variables (the official SDKs let the environment
//!    override the properties file);
//! 4. a file named explicitly (`lhc --config FILE`): an explicit choice beats the
//!    environment;
//! 5. individual overrides (command-line flags such as `--api-host`).
//!
//! Keys are the official ones: `LHC_API_HOST`, `LHC_API_PORT`, `LHC_API_PROTOCOL`
//! (`PLAINTEXT` or `TLS`), `LHC_CA_CERT`, `LHC_CLIENT_CERT`, `LHC_CLIENT_KEY`, `LHC_TENANT_ID`,
//! `LHC_OAUTH_CLIENT_ID`, `LHC_OAUTH_CLIENT_SECRET`, `LHC_OAUTH_ACCESS_TOKEN_URL`. Only keys
//! starting with `LHC_` or `LHW_` are read; keys are case-insensitive (upper-cased).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// `LHC_API_HOST`.
pub const API_HOST: &str = "LHC_API_HOST";
/// `LHC_API_PORT`.
pub const API_PORT: &str = "LHC_API_PORT";
/// `LHC_API_PROTOCOL`: `PLAINTEXT` or `TLS`.
pub const API_PROTOCOL: &str = "LHC_API_PROTOCOL";
/// `LHC_CA_CERT`: path of the CA certificate (PEM).
pub const CA_CERT: &str = "LHC_CA_CERT";
/// `LHC_CLIENT_CERT`: path of the client certificate for mTLS (PEM).
pub const CLIENT_CERT: &str = "LHC_CLIENT_CERT";
/// `LHC_CLIENT_KEY`: path of the client key for mTLS (PEM).
pub const CLIENT_KEY: &str = "LHC_CLIENT_KEY";
/// `LHC_TENANT_ID`: sent as the `tenantid` header.
pub const TENANT_ID: &str = "LHC_TENANT_ID";
/// `LHC_OAUTH_CLIENT_ID`.
pub const OAUTH_CLIENT_ID: &str = "LHC_OAUTH_CLIENT_ID";
/// `LHC_OAUTH_CLIENT_SECRET`.
pub const OAUTH_CLIENT_SECRET: &str = "LHC_OAUTH_CLIENT_SECRET";
/// `LHC_OAUTH_ACCESS_TOKEN_URL`.
pub const OAUTH_ACCESS_TOKEN_URL: &str = "LHC_OAUTH_ACCESS_TOKEN_URL";

/// The default host when nothing is configured (the official SDKs use `localhost`).
pub const DEFAULT_HOST: &str = "localhost";
/// The default port.
pub const DEFAULT_PORT: u16 = 2023;

const PREFIXES: [&str; 2] = ["LHC_", "LHW_"];

/// The transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Unencrypted HTTP/2.
    Plaintext,
    /// TLS (optionally mTLS).
    Tls,
}

/// Where a configuration value came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built-in default.
    Default,
    /// A properties file.
    File(PathBuf),
    /// The environment.
    Env,
    /// A command-line flag or a programmatic override.
    Override,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env => write!(f, "environment"),
            Source::Override => write!(f, "command line"),
        }
    }
}

/// A configuration problem, with the offending key and where it came from (`from`: the
/// environment, a file, the command line). Its `Display` is the message shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file given explicitly does not exist.
    FileMissing {
        /// The file.
        path: PathBuf,
    },
    /// The config file cannot be read.
    FileUnreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// `LHC_API_PORT` is not a port number.
    BadPort {
        /// The value.
        value: String,
        /// Where it came from.
        from: String,
    },
    /// `LHC_API_PROTOCOL` is neither PLAINTEXT nor TLS.
    BadProtocol {
        /// The value.
        value: String,
        /// Where it came from.
        from: String,
    },
    /// A setting's value (a URL, a file it names) cannot be used.
    BadValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Where it came from.
        from: String,
        /// Why it cannot be used.
        problem: String,
    },
    /// Some of the three OAuth client-credential keys are set, not all.
    OAuthHalfConfigured {
        /// The keys that are set, each with where it came from.
        set: Vec<String>,
        /// The keys that are missing.
        missing: Vec<String>,
        /// All three keys.
        keys: Vec<String>,
    },
    /// OAuth client credentials with the PLAINTEXT protocol.
    OAuthWithoutTls {
        /// Where `LHC_OAUTH_CLIENT_ID` came from.
        client_id_from: String,
        /// The protocol setting, worded (`LHC_API_PROTOCOL=... from ...` or "... is not set").
        protocol: String,
    },
    /// A client certificate without its key, or the reverse.
    HalfIdentity {
        /// The key that is set.
        set: String,
        /// Where it came from.
        from: String,
        /// The key that is missing.
        missing: String,
    },
    /// The client certificate and key do not form a usable identity.
    BadIdentity {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// rustls' reason.
        reason: String,
    },
    /// `LHC_TENANT_ID` cannot be sent as a header.
    BadTenantId {
        /// The value.
        value: String,
    },
    /// The server address does not form a URI.
    BadAddress {
        /// `host:port`.
        target: String,
        /// Why.
        reason: String,
    },
    /// TLS cannot be set up.
    Tls {
        /// The reason.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::FileMissing { path } => {
                write!(f, "config file {} does not exist", path.display())
            }
            ConfigError::FileUnreadable { path, reason } => {
                write!(f, "cannot read config file {}: {reason}", path.display())
            }
            ConfigError::BadPort { value, from } => {
                write!(f, "{API_PORT}={value} (from {from}) is not a port number")
            }
            ConfigError::BadProtocol { value, from } => write!(
                f,
                "{API_PROTOCOL}={value} (from {from}) must be PLAINTEXT or TLS"
            ),
            ConfigError::BadValue {
                key,
                value,
                from,
                problem,
            } => write!(f, "{key}={value} (from {from}): {problem}"),
            ConfigError::OAuthHalfConfigured { set, missing, keys } => write!(
                f,
                "OAuth is half configured: {} set but {} missing; client credentials need all \
                 three of {}",
                set.join(" and "),
                missing.join(" and "),
                keys.join(", ")
            ),
            ConfigError::OAuthWithoutTls {
                client_id_from,
                protocol,
            } => write!(
                f,
                "OAuth client credentials are configured ({OAUTH_CLIENT_ID} from {client_id_from}) \
                 but the protocol is PLAINTEXT ({protocol}): like the official SDKs, lhw sends \
                 OAuth tokens only over TLS; set {API_PROTOCOL}=TLS"
            ),
            ConfigError::HalfIdentity { set, from, missing } => write!(
                f,
                "{set} is set (from {from}) but {missing} is not: mTLS needs both the client \
                 certificate and its private key"
            ),
            ConfigError::BadIdentity { cert, key, reason } => write!(
                f,
                "{CLIENT_CERT}={cert} and {CLIENT_KEY}={key} do not form a usable client \
                 identity: {reason}"
            ),
            ConfigError::BadTenantId { value } => write!(
                f,
                "{TENANT_ID}={value}: a tenant id must be printable ASCII"
            ),
            ConfigError::BadAddress { target, reason } => {
                write!(f, "invalid server address {target}: {reason}")
            }
            ConfigError::Tls { reason } => write!(f, "cannot set up TLS: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// What to read. `Default` reads the user's file and the process environment.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The default properties file; `None` means `~/.config/littlehorse.config`.
    pub default_file: Option<PathBuf>,
    /// An explicitly named properties file (`--config`): it must exist.
    pub explicit_file: Option<PathBuf>,
    /// The environment to read; `None` reads the process environment.
    pub env: Option<BTreeMap<String, String>>,
    /// Overrides with the highest precedence, by key (e.g. `LHC_API_HOST`).
    pub overrides: BTreeMap<String, String>,
}

/// The merged configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    values: BTreeMap<String, (String, Source)>,
}

impl Config {
    /// Reads every source in precedence order.
    pub fn load(opts: &LoadOptions) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        let default_file = opts.default_file.clone().or_else(default_config_file);
        if let Some(path) = default_file
            && path.is_file()
        {
            cfg.merge_file(&path)?;
        }
        let env: BTreeMap<String, String> = match &opts.env {
            Some(env) => env.clone(),
            None => std::env::vars().collect(),
        };
        for (k, v) in env {
            let key = k.to_ascii_uppercase();
            if PREFIXES.iter().any(|p| key.starts_with(p)) {
                cfg.values.insert(key, (v, Source::Env));
            }
        }
        if let Some(path) = &opts.explicit_file {
            if !path.is_file() {
                return Err(ConfigError::FileMissing {
                    path: path.to_path_buf(),
                });
            }
            cfg.merge_file(path)?;
        }
        for (k, v) in &opts.overrides {
            cfg.values
                .insert(k.to_ascii_uppercase(), (v.clone(), Source::Override));
        }
        cfg.validate()?;
        Ok(cfg)
    }

    /// A configuration from explicit key/value pairs only (no file, no environment).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Config {
        let mut cfg = Config::default();
        for (k, v) in pairs {
            cfg.values
                .insert(k.to_ascii_uppercase(), (v.to_string(), Source::Override));
        }
        cfg
    }

    /// This configuration with one value replaced (as a programmatic override), e.g. the
    /// host and port of one server a task worker was told to poll.
    #[must_use]
    pub fn with_value(&self, key: &str, value: impl Into<String>) -> Config {
        let mut cfg = self.clone();
        cfg.values
            .insert(key.to_ascii_uppercase(), (value.into(), Source::Override));
        cfg
    }

    fn merge_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::FileUnreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        for (key, value) in parse_properties(&text) {
            let key = key.to_ascii_uppercase();
            if PREFIXES.iter().any(|p| key.starts_with(p)) {
                self.values
                    .insert(key, (value, Source::File(path.to_path_buf())));
            }
        }
        Ok(())
    }

    /// Checks the values that can be checked without reading files: the port, the protocol
    /// and the OAuth settings (all three keys or none; only over TLS, as the official SDKs
    /// send tokens only on secure channels). [`Config::load`] calls it; connecting calls it
    /// again for configurations built otherwise.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some((port, src)) = self.values.get(API_PORT)
            && port.trim().parse::<u16>().is_err()
        {
            return Err(ConfigError::BadPort {
                value: port.clone(),
                from: src.to_string(),
            });
        }
        if let Some((proto, src)) = self.values.get(API_PROTOCOL) {
            let p = proto.trim().to_ascii_uppercase();
            if p != "PLAINTEXT" && p != "TLS" {
                return Err(ConfigError::BadProtocol {
                    value: proto.clone(),
                    from: src.to_string(),
                });
            }
        }
        if crate::oauth::Credentials::from_config(self)?.is_some()
            && self.protocol() != Protocol::Tls
        {
            return Err(ConfigError::OAuthWithoutTls {
                client_id_from: self.source(OAUTH_CLIENT_ID).to_string(),
                protocol: match self.get(API_PROTOCOL) {
                    Some(p) => format!("{API_PROTOCOL}={p} from {}", self.source(API_PROTOCOL)),
                    None => format!("{API_PROTOCOL} is not set"),
                },
            });
        }
        Ok(())
    }

    /// A raw value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(&key.to_ascii_uppercase())
            .map(|(v, _)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Where a value came from.
    pub fn source(&self, key: &str) -> Source {
        self.values
            .get(&key.to_ascii_uppercase())
            .map_or(Source::Default, |(_, s)| s.clone())
    }

    /// Whether a server was configured at all (`LHC_API_HOST` from any source). When not,
    /// tools may fall back to a local embedded kernel.
    pub fn host_configured(&self) -> bool {
        self.get(API_HOST).is_some()
    }

    /// `LHC_API_HOST` or `localhost`.
    pub fn api_host(&self) -> &str {
        self.get(API_HOST).unwrap_or(DEFAULT_HOST)
    }

    /// `LHC_API_PORT` or 2023 (validated by [`Config::load`]).
    pub fn api_port(&self) -> u16 {
        self.get(API_PORT)
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_PORT)
    }

    /// `LHC_API_PROTOCOL` (PLAINTEXT when unset).
    pub fn protocol(&self) -> Protocol {
        match self.get(API_PROTOCOL) {
            Some(p) if p.eq_ignore_ascii_case("TLS") => Protocol::Tls,
            _ => Protocol::Plaintext,
        }
    }

    /// `LHC_TENANT_ID`.
    pub fn tenant_id(&self) -> Option<&str> {
        self.get(TENANT_ID)
    }

    /// Whether OAuth client credentials are configured (any `LHC_OAUTH_*` key of the three).
    pub fn has_oauth(&self) -> bool {
        [OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_ACCESS_TOKEN_URL]
            .iter()
            .any(|k| self.get(k).is_some())
    }

    /// `host:port`.
    pub fn target(&self) -> String {
        format!("{}:{}", self.api_host(), self.api_port())
    }
}

/// `~/.config/littlehorse.config`, the file `lhctl` and the SDK examples use.
pub fn default_config_file() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".config").join("littlehorse.config"))
}

/// Parses Java-style properties: `key=value`, `key: value` or `key value`; `#` and `!`
/// start comments; a trailing backslash continues the value on the next line.
pub fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut logical = line.trim_start().to_string();
        if logical.is_empty() || logical.starts_with('#') || logical.starts_with('!') {
            continue;
        }
        while logical.ends_with('\\') && !logical.ends_with("\\\\") {
            logical.pop();
            match lines.next() {
                Some(next) => logical.push_str(next.trim_start()),
                None => break,
            }
        }
        let sep = logical.find(['=', ':', ' ', '\t']);
        let (key, value) = match sep {
            Some(i) => {
                let key = &logical[..i];
                let rest = logical[i..].trim_start();
                let rest = rest
                    .strip_prefix('=')
                    .or_else(|| rest.strip_prefix(':'))
                    .unwrap_or(rest);
                (key.to_string(), rest.trim().to_string())
            }
            None => (logical.trim().to_string(), String::new()),
        };
        out.push((key, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn properties_syntax() {
        let text = "# comment\n! other\nLHC_API_HOST=example.com\nLHC_API_PORT : 2024\n\
                    LHC_TENANT_ID  acme\nLHC_CA_CERT=/a/\\\n  b.pem\n\n";
        assert_eq!(
            parse_properties(text),
            vec![
                ("LHC_API_HOST".into(), "example.com".into()),
                ("LHC_API_PORT".into(), "2024".into()),
                ("LHC_TENANT_ID".into(), "acme".into()),
                ("LHC_CA_CERT".into(), "/a/b.pem".into()),
            ]
        );
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = Config::load(&LoadOptions {
            default_file: Some(dir.path().join("missing.config")),
            env: env(&[("PATH", "/bin")]),
            ..LoadOptions::default()
        })
        .expect("loads");
        assert_eq!(cfg.target(), "localhost:2023");
        assert!(!cfg.host_configured());
        assert_eq!(cfg.protocol(), Protocol::Plaintext);
        assert_eq!(cfg.tenant_id(), None);
    }

    #[test]
    fn precedence_file_env_explicit_file_overrides() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("littlehorse.config");
        std::fs::write(
            &home,
            "LHC_API_HOST=file-host\nLHC_API_PORT=1111\nLHC_TENANT_ID=file-tenant\nother=x\n",
        )
        .expect("write");
        let explicit = dir.path().join("explicit.config");
        std::fs::write(&explicit, "LHC_API_PORT=3333\n").expect("write");

        let base = LoadOptions {
            default_file: Some(home.clone()),
            env: env(&[("LHC_API_PORT", "2222"), ("lhc_tenant_id", "env-tenant")]),
            ..LoadOptions::default()
        };
        let cfg = Config::load(&base).expect("loads");
        assert_eq!(cfg.target(), "file-host:2222", "env beats the file");
        assert_eq!(cfg.tenant_id(), Some("env-tenant"));
        assert_eq!(cfg.source(API_HOST), Source::File(home));
        assert!(cfg.get("OTHER").is_none(), "only LHC_/LHW_ keys are read");

        let cfg = Config::load(&LoadOptions {
            explicit_file: Some(explicit.clone()),
            ..base.clone()
        })
        .expect("loads");
        assert_eq!(cfg.api_port(), 3333, "--config beats the environment");

        let mut overrides = BTreeMap::new();
        overrides.insert(API_PORT.to_string(), "4444".to_string());
        let cfg = Config::load(&LoadOptions {
            explicit_file: Some(explicit),
            overrides,
            ..base
        })
        .expect("loads");
        assert_eq!(cfg.api_port(), 4444, "flags beat everything");
    }

    #[test]
    fn invalid_values_are_reported_with_their_source() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Config::load(&LoadOptions {
            default_file: Some(dir.path().join("none")),
            env: env(&[("LHC_API_PORT", "http")]),
            ..LoadOptions::default()
        })
        .expect_err("bad port");
        assert_eq!(
            err.to_string(),
            "LHC_API_PORT=http (from environment) is not a port number"
        );
        let err = Config::load(&LoadOptions {
            default_file: Some(dir.path().join("none")),
            env: env(&[("LHC_API_PROTOCOL", "SSL")]),
            ..LoadOptions::default()
        })
        .expect_err("bad protocol");
        assert!(
            err.to_string().contains("must be PLAINTEXT or TLS"),
            "{err}"
        );
        let err = Config::load(&LoadOptions {
            default_file: Some(dir.path().join("none")),
            explicit_file: Some(dir.path().join("nope.config")),
            env: env(&[]),
            ..LoadOptions::default()
        })
        .expect_err("missing explicit file");
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
