//! LittleHorse Connect in Rust: sink pipelines that behave like LittleHorse's Kafka Connect
//! connectors (`WfRunSinkConnector`, `ExternalEventSinkConnector`,
//! `CorrelatedEventSinkConnector`), run by `lhc connect`. The Kafka client is librdkafka
//! (rdkafka); nothing here is used by the kernel or the compiler.

pub mod config;
pub mod convert;
pub mod offsets;
pub mod output_topic;
pub mod pipeline;
pub mod progress;
pub mod sink;

pub use config::{ConfigError, ConnectorConfig, ExpectedValue};
pub use pipeline::{KafkaOptions, PipelineError, run_connector};
pub use progress::{Metrics, Reporter, State, Status};

/// The Kafka client, for callers that produce or inspect records (tests, benchmarks).
pub use rdkafka;
