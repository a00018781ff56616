//! `lhc dev`/`lhc server --output-topic-bootstrap`: the kernel stages Output Topic records in
//! its outbox (lhw-kernel, no Kafka there) and this publisher (lhw-connect) produces them to
//! Kafka as LittleHorse names and writes them.

use std::path::Path;

use clap::{Args, ValueEnum};
use lhw_connect::output_topic::{
    Outbox, OutputTopicKind, PublisherSettings, RecordFormat, StagedRecord,
};
use lhw_kernel::storage::outbox::{OutboxReader, OutputTopic};
use tokio::sync::watch;

/// The Output Topic settings of `lhc dev` and `lhc server`.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputTopicArgs {
    /// Publish LittleHorse's output topics to this Kafka cluster (`HOST:PORT[,…]`): WfRun status
    /// changes, public variable updates, finished TaskRuns, workflow events, external events and
    /// user tasks to `<cluster-id>_<tenant>_execution` (keyed by WfRun id), and every metadata
    /// put (WfSpec, TaskDef, …) to `<cluster-id>_<tenant>_metadata` (keyed by `<type>/<id>`):
    /// the `default` tenant always, other tenants when their PutTenant set an
    /// `output_topic_config`.
    #[arg(long, value_name = "HOST:PORT")]
    pub output_topic_bootstrap: Option<String>,

    /// The Output Topic's topic prefix (LittleHorse's LHS_CLUSTER_ID).
    #[arg(long, value_name = "ID", default_value = "lhw")]
    pub cluster_id: String,

    /// Partitions of the execution topic when lhc creates it (LittleHorse's
    /// LHS_OUTPUT_TOPIC_PARTITIONS; the metadata topic is compacted, one partition).
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(i32).range(1..=10000))]
    pub output_topic_partitions: i32,

    /// How Output Topic records are written.
    #[arg(long, value_enum, default_value_t = OutputTopicFormat::Protobuf)]
    pub output_topic_format: OutputTopicFormat,
}

/// `--output-topic-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputTopicFormat {
    /// `OutputTopicRecord` protobuf bytes, as LittleHorse writes them.
    #[default]
    Protobuf,
    /// `OutputTopicRecord` as protobuf JSON.
    Json,
}

struct KernelOutbox(OutboxReader);

impl Outbox for KernelOutbox {
    fn batch(&mut self, max: usize) -> Result<Vec<StagedRecord>, String> {
        Ok(self
            .0
            .batch(max)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|r| StagedRecord {
                seq: r.seq,
                tenant: r.tenant,
                topic: match r.topic {
                    OutputTopic::Execution => OutputTopicKind::Execution,
                    OutputTopic::Metadata => OutputTopicKind::Metadata,
                },
                key: r.key,
                body: r.body,
            })
            .collect())
    }

    fn delete_through(&mut self, tenant: &str, seq: i64) -> Result<(), String> {
        self.0
            .delete_through(tenant, seq)
            .map_err(|e| e.to_string())
    }
}

/// A running publisher; [`Publisher::stop`] publishes what is staged and waits.
pub struct Publisher {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl Publisher {
    /// Starts publishing the outbox of the kernel in `data_dir` (already serving with the
    /// Output Topic on). `None` when `args` has no bootstrap servers.
    pub fn start(args: &OutputTopicArgs, data_dir: &Path) -> Result<Option<Publisher>, String> {
        let Some(bootstrap) = &args.output_topic_bootstrap else {
            return Ok(None);
        };
        let reader = OutboxReader::open(data_dir).map_err(|e| e.to_string())?;
        let settings = PublisherSettings {
            bootstrap_servers: bootstrap.clone(),
            cluster_id: args.cluster_id.clone(),
            format: match args.output_topic_format {
                OutputTopicFormat::Protobuf => RecordFormat::Protobuf,
                OutputTopicFormat::Json => RecordFormat::Json,
            },
            execution_partitions: args.output_topic_partitions,
            properties: Default::default(),
        };
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(lhw_connect::output_topic::run_publisher(
            KernelOutbox(reader),
            settings,
            rx,
        ));
        Ok(Some(Publisher { stop, task }))
    }

    /// Publishes what is staged, then stops.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(true);
        self.task
            .await
            .map_err(|e| format!("output topic publisher: {e}"))?
    }
}
