//! A connector's configuration, read as users of LittleHorse's Kafka Connect sink connectors
//! write it: a Connect REST body (`{"name": …, "config": {…}}`), a flat JSON object, or a
//! `.properties` file. Every key is checked here; a bad value names its key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::convert::Converter;

/// Which LittleHorse connector a configuration describes (`connector.class`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorKind {
    /// `io.littlehorse.connect.WfRunSinkConnector`: RunWf per record.
    WfRun(WfRunSettings),
    /// `io.littlehorse.connect.ExternalEventSinkConnector`: PutExternalEvent per record.
    ExternalEvent {
        /// `external.event.name`.
        event_name: String,
    },
    /// `io.littlehorse.connect.CorrelatedEventSinkConnector`: PutCorrelatedEvent per record.
    CorrelatedEvent {
        /// `external.event.name`.
        event_name: String,
    },
}

/// The WfRunSinkConnector's own keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WfRunSettings {
    /// `wf.spec.name`.
    pub wf_spec_name: String,
    /// `wf.spec.major.version`.
    pub major_version: Option<i32>,
    /// `wf.spec.revision`.
    pub revision: Option<i32>,
    /// `wf.run.parent.id`.
    pub parent_id: Option<String>,
}

/// Where the records come from (`topics` or `topics.regex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topics {
    /// A comma-separated list of names.
    Names(Vec<String>),
    /// A regular expression over topic names (librdkafka's `^…` subscription).
    Regex(String),
}

impl fmt::Display for Topics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topics::Names(names) => write!(f, "{}", names.join(", ")),
            Topics::Regex(re) => write!(f, "topics matching {re}"),
        }
    }
}

/// `errors.tolerance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    /// `none` (the default): a record that cannot be applied stops the pipeline.
    None,
    /// `all`: such a record goes to the dead-letter topic (when one is set) and is skipped.
    All,
}

/// One connector's whole configuration.
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    /// `name`: the consumer group is `connect-<name>` and idempotency keys start with it.
    pub name: String,
    /// What each record does.
    pub kind: ConnectorKind,
    /// What is consumed.
    pub topics: Topics,
    /// `tasks.max`: consumers in the group run by this process.
    pub tasks: usize,
    /// `key.converter` (+ `key.converter.schemas.enable`).
    pub key_converter: Converter,
    /// `value.converter` (+ `value.converter.schemas.enable`).
    pub value_converter: Converter,
    /// `errors.tolerance`.
    pub tolerance: Tolerance,
    /// `errors.deadletterqueue.topic.name`.
    pub dlq_topic: Option<String>,
    /// `errors.deadletterqueue.context.headers.enable` (default true here).
    pub dlq_context_headers: bool,
    /// `errors.log.enable`: each failed record is also logged on stderr.
    pub errors_log: bool,
    /// `lhw.max.in.flight`: records being applied at once per task.
    pub max_in_flight: usize,
    /// The `lhc.*` keys as LittleHorse client settings (`LHC_API_HOST`, …).
    pub lh_client: BTreeMap<String, String>,
    /// `bootstrap.servers`, when the connector file names the cluster itself.
    pub bootstrap_servers: Option<String>,
    /// `consumer.override.*`: librdkafka properties for the consumers.
    pub consumer_overrides: BTreeMap<String, String>,
    /// `producer.override.*`: librdkafka properties for the dead-letter producer.
    pub producer_overrides: BTreeMap<String, String>,
}

/// A configuration that cannot be used, naming the key and the file: one variant per kind of
/// problem, so a caller can match on it; `Display` gives the message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The file could not be read.
    Unreadable { path: PathBuf, reason: String },
    /// A problem found in a file: the file's path, then the problem.
    InFile {
        path: PathBuf,
        error: Box<ConfigError>,
    },
    /// `name` is absent or empty.
    MissingName,
    /// `connector.class` is absent or empty.
    MissingClass,
    /// A key the connector class needs is absent or empty.
    MissingKey { key: &'static str, class: String },
    /// Neither `topics` nor `topics.regex` is set.
    MissingTopics,
    /// Both `topics` and `topics.regex` are set.
    TopicsAndRegex,
    /// `wf.spec.revision` without `wf.spec.major.version`.
    RevisionWithoutMajorVersion,
    /// `connector.class` names no LittleHorse sink connector.
    UnknownClass { class: String },
    /// A key this runner does not know, with the nearest known key when one is close.
    UnknownKey {
        key: String,
        suggestion: Option<&'static str>,
    },
    /// A Kafka Connect feature (`transforms`, `predicates`, …) this runner does not have.
    UnsupportedFeature { key: String, feature: &'static str },
    /// A `key.converter`/`value.converter` class this runner does not have.
    UnsupportedConverter { key: String, class: String },
    /// A value that does not have the expected form.
    BadValue {
        key: String,
        value: String,
        expected: ExpectedValue,
    },
    /// The JSON text does not parse.
    InvalidJson { reason: String },
    /// The JSON text is not an object.
    NotJsonObject,
    /// The Connect REST body's `config` is not an object.
    ConfigNotObject,
    /// A member beside `name` and `config` in a Connect REST body.
    UnexpectedMember { member: String },
    /// A JSON value that is not a string, number, boolean or null.
    BadJsonValue { key: String, value: String },
}

/// The form a value should have had ([`ConfigError::BadValue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedValue {
    /// A 32-bit integer.
    Integer,
    /// An integer above zero.
    PositiveInteger,
    /// `true` or `false`.
    Boolean,
    /// `none` or `all` (`errors.tolerance`).
    Tolerance,
}

impl fmt::Display for ExpectedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExpectedValue::Integer => "is not an integer",
            ExpectedValue::PositiveInteger => "must be a positive integer",
            ExpectedValue::Boolean => "must be true or false",
            ExpectedValue::Tolerance => "must be `none` or `all`",
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Unreadable { path, reason } => {
                write!(f, "cannot read {}: {reason}", path.display())
            }
            ConfigError::InFile { path, error } => write!(f, "{}: {error}", path.display()),
            ConfigError::MissingName => f.write_str("`name` is required (the connector's name)"),
            ConfigError::MissingClass => write!(
                f,
                "`connector.class` is required: one of {WF_RUN_CLASS}, {EXTERNAL_EVENT_CLASS}, {CORRELATED_EVENT_CLASS}"
            ),
            ConfigError::MissingKey { key, class } => write!(f, "`{key}` is required by {class}"),
            ConfigError::MissingTopics => {
                f.write_str("`topics` (a comma-separated list) or `topics.regex` is required")
            }
            ConfigError::TopicsAndRegex => {
                f.write_str("set either `topics` or `topics.regex`, not both")
            }
            ConfigError::RevisionWithoutMajorVersion => {
                f.write_str("`wf.spec.revision` needs `wf.spec.major.version`")
            }
            ConfigError::UnknownClass { class } => write!(
                f,
                "`connector.class`={class} is not a LittleHorse sink connector: use {WF_RUN_CLASS}, {EXTERNAL_EVENT_CLASS} or {CORRELATED_EVENT_CLASS}"
            ),
            ConfigError::UnknownKey { key, suggestion } => {
                write!(f, "unknown key `{key}`")?;
                match suggestion {
                    Some(k) => write!(f, " (did you mean `{k}`?)"),
                    None => Ok(()),
                }
            }
            ConfigError::UnsupportedFeature { key, feature } => write!(
                f,
                "`{key}`: Kafka Connect {feature} are not supported by lhc connect; transform the records before this topic"
            ),
            ConfigError::UnsupportedConverter { key, class } => write!(
                f,
                "`{key}`={class} is not supported: use org.apache.kafka.connect.storage.StringConverter, org.apache.kafka.connect.json.JsonConverter or org.apache.kafka.connect.converters.ByteArrayConverter"
            ),
            ConfigError::BadValue {
                key,
                value,
                expected,
            } => write!(f, "`{key}`={value} {expected}"),
            ConfigError::InvalidJson { reason } => write!(f, "invalid JSON: {reason}"),
            ConfigError::NotJsonObject => f.write_str("expected a JSON object"),
            ConfigError::ConfigNotObject => f.write_str("`config` must be a JSON object"),
            ConfigError::UnexpectedMember { member } => {
                write!(f, "unexpected `{member}` beside `name` and `config`")
            }
            ConfigError::BadJsonValue { key, value } => {
                write!(
                    f,
                    "`{key}` must be a string, number or boolean, not {value}"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

const WF_RUN_CLASS: &str = "io.littlehorse.connect.WfRunSinkConnector";
const EXTERNAL_EVENT_CLASS: &str = "io.littlehorse.connect.ExternalEventSinkConnector";
const CORRELATED_EVENT_CLASS: &str = "io.littlehorse.connect.CorrelatedEventSinkConnector";

/// The `lhc.*` keys LittleHorse's connectors accept (LHC_API_HOST → lhc.api.host).
pub const LHC_KEYS: &[&str] = &[
    "lhc.api.host",
    "lhc.api.port",
    "lhc.api.protocol",
    "lhc.tenant.id",
    "lhc.ca.cert",
    "lhc.client.cert",
    "lhc.client.key",
    "lhc.oauth.client.id",
    "lhc.oauth.client.secret",
    "lhc.oauth.access.token.url",
    "lhc.grpc.keepalive.time.ms",
    "lhc.grpc.keepalive.timeout.ms",
];

/// Keys read here besides `lhc.*` and the `*.override.*` prefixes.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "connector.class",
    "topics",
    "topics.regex",
    "tasks.max",
    "key.converter",
    "key.converter.schemas.enable",
    "value.converter",
    "value.converter.schemas.enable",
    "errors.tolerance",
    "errors.deadletterqueue.topic.name",
    "errors.deadletterqueue.topic.replication.factor",
    "errors.deadletterqueue.context.headers.enable",
    "errors.log.enable",
    "errors.log.include.messages",
    "errors.retry.timeout",
    "errors.retry.delay.max.ms",
    "wf.spec.name",
    "wf.spec.major.version",
    "wf.spec.revision",
    "wf.run.parent.id",
    "external.event.name",
    "bootstrap.servers",
    "lhw.max.in.flight",
];

/// Kafka Connect features this runner does not have: refused rather than silently ignored.
const UNSUPPORTED_PREFIXES: &[&str] = &["transforms", "predicates", "header.converter"];

impl ConnectorConfig {
    /// Reads a `.properties` or JSON file (JSON when the text starts with `{`).
    pub fn from_file(path: &Path) -> Result<ConnectorConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: io_reason(&e),
        })?;
        ConnectorConfig::from_text(&text).map_err(|e| ConfigError::InFile {
            path: path.to_path_buf(),
            error: Box::new(e),
        })
    }

    /// Reads a configuration from text (JSON or `.properties`).
    pub fn from_text(text: &str) -> Result<ConnectorConfig, ConfigError> {
        let pairs = if text.trim_start().starts_with('{') {
            json_pairs(text)?
        } else {
            lhw_runtime_client::config::parse_properties(text)
                .into_iter()
                .collect()
        };
        ConnectorConfig::from_pairs(&pairs)
    }

    /// Checks and reads every key.
    pub fn from_pairs(map: &BTreeMap<String, String>) -> Result<ConnectorConfig, ConfigError> {
        for key in map.keys() {
            check_key(key)?;
        }
        let get = |k: &str| map.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let name = get("name").ok_or(ConfigError::MissingName)?.to_string();
        let class = get("connector.class").ok_or(ConfigError::MissingClass)?;
        let event_name = || {
            get("external.event.name")
                .map(str::to_string)
                .ok_or_else(|| ConfigError::MissingKey {
                    key: "external.event.name",
                    class: class.to_string(),
                })
        };
        let kind = match class.rsplit('.').next().unwrap_or(class) {
            "WfRunSinkConnector" => ConnectorKind::WfRun(WfRunSettings {
                wf_spec_name: get("wf.spec.name")
                    .ok_or_else(|| ConfigError::MissingKey {
                        key: "wf.spec.name",
                        class: class.to_string(),
                    })?
                    .to_string(),
                major_version: int_key(map, "wf.spec.major.version")?,
                revision: int_key(map, "wf.spec.revision")?,
                parent_id: get("wf.run.parent.id").map(str::to_string),
            }),
            "ExternalEventSinkConnector" => ConnectorKind::ExternalEvent {
                event_name: event_name()?,
            },
            "CorrelatedEventSinkConnector" => ConnectorKind::CorrelatedEvent {
                event_name: event_name()?,
            },
            _ => {
                return Err(ConfigError::UnknownClass {
                    class: class.to_string(),
                });
            }
        };
        if let ConnectorKind::WfRun(s) = &kind
            && s.revision.is_some()
            && s.major_version.is_none()
        {
            return Err(ConfigError::RevisionWithoutMajorVersion);
        }
        let topics = match (get("topics"), get("topics.regex")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::TopicsAndRegex);
            }
            (Some(list), None) => Topics::Names(
                list.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
            ),
            (None, Some(re)) => Topics::Regex(re.to_string()),
            (None, None) => {
                return Err(ConfigError::MissingTopics);
            }
        };
        let tasks = positive_key(map, "tasks.max")?.unwrap_or(1);
        let tolerance = match get("errors.tolerance").unwrap_or("none") {
            "none" => Tolerance::None,
            "all" => Tolerance::All,
            other => {
                return Err(ConfigError::BadValue {
                    key: "errors.tolerance".to_string(),
                    value: other.to_string(),
                    expected: ExpectedValue::Tolerance,
                });
            }
        };
        let key_converter = Converter::from_config(
            "key.converter",
            get("key.converter"),
            bool_key(map, "key.converter.schemas.enable")?,
        )?;
        let value_converter = Converter::from_config(
            "value.converter",
            get("value.converter"),
            bool_key(map, "value.converter.schemas.enable")?,
        )?;
        let lh_client = map
            .iter()
            .filter(|(k, _)| k.starts_with("lhc."))
            .map(|(k, v)| {
                (
                    k.replace('.', "_").to_ascii_uppercase(),
                    v.trim().to_string(),
                )
            })
            .collect();
        let prefixed = |prefix: &str| -> BTreeMap<String, String> {
            map.iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
                .collect()
        };
        Ok(ConnectorConfig {
            name,
            kind,
            topics,
            tasks,
            key_converter,
            value_converter,
            tolerance,
            dlq_topic: get("errors.deadletterqueue.topic.name").map(str::to_string),
            dlq_context_headers: bool_key(map, "errors.deadletterqueue.context.headers.enable")?
                .unwrap_or(true),
            errors_log: bool_key(map, "errors.log.enable")?.unwrap_or(false),
            max_in_flight: positive_key(map, "lhw.max.in.flight")?.unwrap_or(512),
            lh_client,
            bootstrap_servers: get("bootstrap.servers").map(str::to_string),
            consumer_overrides: prefixed("consumer.override."),
            producer_overrides: prefixed("producer.override."),
        })
    }

    /// The consumer group: `connect-<name>`, as Kafka Connect names a sink connector's group.
    pub fn group_id(&self) -> String {
        format!("connect-{}", self.name)
    }

    /// The `connector.class` short name, for messages.
    pub fn class_name(&self) -> &'static str {
        match self.kind {
            ConnectorKind::WfRun(_) => "WfRunSinkConnector",
            ConnectorKind::ExternalEvent { .. } => "ExternalEventSinkConnector",
            ConnectorKind::CorrelatedEvent { .. } => "CorrelatedEventSinkConnector",
        }
    }
}

fn check_key(key: &str) -> Result<(), ConfigError> {
    if KNOWN_KEYS.contains(&key)
        || LHC_KEYS.contains(&key)
        || key.starts_with("consumer.override.")
        || key.starts_with("producer.override.")
        || key.starts_with("key.converter.")
        || key.starts_with("value.converter.")
    {
        return Ok(());
    }
    if let Some(prefix) = UNSUPPORTED_PREFIXES.iter().find(|p| key.starts_with(*p)) {
        return Err(ConfigError::UnsupportedFeature {
            key: key.to_string(),
            feature: prefix,
        });
    }
    let candidates = KNOWN_KEYS.iter().chain(LHC_KEYS);
    let suggestion = candidates
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k);
    Err(ConfigError::UnknownKey {
        key: key.to_string(),
        suggestion,
    })
}

/// An IO error as people read it: "No such file or directory", without the "(os error 2)"
/// the standard library adds.
fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    text.rfind(" (os error ")
        .map_or_else(|| text.clone(), |at| text[..at].to_owned())
}

fn json_pairs(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ConfigError::InvalidJson {
            reason: e.to_string(),
        })?;
    let serde_json::Value::Object(mut top) = value else {
        return Err(ConfigError::NotJsonObject);
    };
    // The Connect REST body: {"name": "...", "config": {...}}.
    let mut out = BTreeMap::new();
    let object = match top.remove("config") {
        Some(serde_json::Value::Object(inner)) => {
            if let Some(serde_json::Value::String(name)) = top.remove("name") {
                out.insert("name".to_string(), name);
            }
            if let Some(extra) = top.keys().next() {
                return Err(ConfigError::UnexpectedMember {
                    member: extra.clone(),
                });
            }
            inner
        }
        Some(_) => return Err(ConfigError::ConfigNotObject),
        None => top,
    };
    for (k, v) in object {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            other => {
                return Err(ConfigError::BadJsonValue {
                    key: k,
                    value: other.to_string(),
                });
            }
        };
        out.entry(k).or_insert(text);
    }
    Ok(out)
}

fn bad_value(key: &str, value: &str, expected: ExpectedValue) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        expected,
    }
}

fn int_key(map: &BTreeMap<String, String>, key: &str) -> Result<Option<i32>, ConfigError> {
    match map.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .map(Some)
            .map_err(|_| bad_value(key, v, ExpectedValue::Integer)),
    }
}

fn positive_key(map: &BTreeMap<String, String>, key: &str) -> Result<Option<usize>, ConfigError> {
    match map.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(bad_value(key, v, ExpectedValue::PositiveInteger)),
        },
    }
}

fn bool_key(map: &BTreeMap<String, String>, key: &str) -> Result<Option<bool>, ConfigError> {
    match map.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if v == "true" => Ok(Some(true)),
        Some(v) if v == "false" => Ok(Some(false)),
        Some(v) => Err(bad_value(key, &v, ExpectedValue::Boolean)),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named_with_its_reason_and_no_os_error_number() {
        let path = Path::new("/nonexistent-lhw/connector.properties");
        let err = ConnectorConfig::from_file(path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read /nonexistent-lhw/connector.properties: No such file or directory"
        );
    }

    #[test]
    fn reads_the_documented_wf_run_example() {
        let cfg = ConnectorConfig::from_text(
            r#"{"name": "names-connector", "config": {
                "tasks.max": 2, "topics": "names",
                "connector.class": "io.littlehorse.connect.WfRunSinkConnector",
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": false,
                "lhc.api.port": 2023, "lhc.api.host": "localhost", "lhc.tenant.id": "default",
                "wf.spec.name": "greetings"}}"#,
        )
        .unwrap();
        assert_eq!(cfg.name, "names-connector");
        assert_eq!(cfg.tasks, 2);
        assert_eq!(cfg.topics, Topics::Names(vec!["names".into()]));
        assert_eq!(cfg.key_converter, Converter::String);
        assert_eq!(
            cfg.value_converter,
            Converter::Json {
                schemas_enable: false
            }
        );
        assert_eq!(cfg.lh_client.get("LHC_API_PORT").unwrap(), "2023");
        assert_eq!(cfg.group_id(), "connect-names-connector");
        assert!(matches!(cfg.kind, ConnectorKind::WfRun(ref s) if s.wf_spec_name == "greetings"));
    }

    #[test]
    fn reads_properties_and_names_bad_keys() {
        let cfg = ConnectorConfig::from_text(
            "name=ev\nconnector.class=io.littlehorse.connect.ExternalEventSinkConnector\n\
             topics.regex=events-.*\nexternal.event.name=approved\nerrors.tolerance=all\n\
             errors.deadletterqueue.topic.name=dlq\n",
        )
        .unwrap();
        assert_eq!(cfg.topics, Topics::Regex("events-.*".into()));
        assert_eq!(cfg.tolerance, Tolerance::All);
        assert_eq!(cfg.dlq_topic.as_deref(), Some("dlq"));
        // The Connect default: JSON with schemas.
        assert_eq!(
            cfg.value_converter,
            Converter::Json {
                schemas_enable: true
            }
        );

        let err = ConnectorConfig::from_text(
            "name=x\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\ntopics=t\nwf.spec.nme=a\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            ConfigError::UnknownKey {
                key: "wf.spec.nme".into(),
                suggestion: Some("wf.spec.name")
            }
        );
        assert_eq!(
            err.to_string(),
            "unknown key `wf.spec.nme` (did you mean `wf.spec.name`?)"
        );
        let err = ConnectorConfig::from_text(
            "name=x\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\ntopics=t\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::MissingKey {
                    key: "wf.spec.name",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "`wf.spec.name` is required by io.littlehorse.connect.WfRunSinkConnector"
        );
        let err = ConnectorConfig::from_text(
            "name=x\nconnector.class=io.littlehorse.connect.ExternalEventSinkConnector\ntopics=t\nexternal.event.name=e\ntasks.max=0\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            ConfigError::BadValue {
                key: "tasks.max".into(),
                value: "0".into(),
                expected: ExpectedValue::PositiveInteger
            }
        );
        assert_eq!(err.to_string(), "`tasks.max`=0 must be a positive integer");
        let err = ConnectorConfig::from_text(
            "name=x\nconnector.class=io.littlehorse.connect.ExternalEventSinkConnector\ntopics=t\nexternal.event.name=e\ntransforms=a\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            ConfigError::UnsupportedFeature {
                key: "transforms".into(),
                feature: "transforms"
            }
        );
        assert!(err.to_string().contains("not supported"), "{err}");
    }
}
