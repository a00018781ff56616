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
//! Transport: PLAINTEXT, or TLS with `LHC_API_PROTOCOL=TLS` (rustls; [`tls`]), with a client
//! certificate for mTLS, and OAuth client credentials ([`oauth`]). Every connection is opened
//! by [`connect_channel`].

pub mod client;
pub mod config;
pub mod form_post;
pub mod ids;
pub mod oauth;
pub mod probe;
pub mod tls;
pub mod values;
pub mod worker;

pub use client::{ClientError, LhChannel, LhClient, connect_channel};
pub use config::{Config, ConfigError, LoadOptions};
