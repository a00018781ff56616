//! # lhw-runtime-client
//!
//! A typed async client for the LittleHorse gRPC API (`littlehorse.LittleHorse`, our own
//! .proto transcription in `lhw-proto`), configured exactly as the official SDKs are
//! ([`config`]: `~/.config/littlehorse.config` and `LHC_*` variables), plus a typed Rust
//! task-worker SDK ([`worker`]) and value conversions ([`values`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use lhw_runtime_client::{Config, LhClient, LoadOptions};
//! let cfg = Config::load(&LoadOptions::default())?;
//! let client = LhClient::connect(&cfg).await?;
//! let spec = client.get_latest_wf_spec("hello").await?;
//! println!("{:?}", spec.and_then(|s| s.id));
//! # Ok(()) }
//! ```
//!
//! PLAINTEXT only for now: `LHC_API_PROTOCOL=TLS` and OAuth are recognised and refused with
//! a clear error.

pub mod client;
pub mod config;
pub mod values;
pub mod worker;

pub use client::{ClientError, LhClient};
pub use config::{Config, ConfigError, LoadOptions};
