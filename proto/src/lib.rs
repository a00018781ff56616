//! # lhw-proto
//!
//! Rust types for the public LittleHorse protobuf API (package
//! `littlehorse`), generated at build time from this crate's own
//! transcription of the official `.proto` files in `schemas/littlehorse/`.
//!
//! - [`littlehorse`] holds one prost message or enum per protobuf type, each
//!   with serde `Serialize`/`Deserialize` impls that follow the protobuf JSON
//!   mapping: lowerCamelCase field names, `int64` as strings, enums by name,
//!   fields with default values emitted (like the LittleHorse canonical JSON),
//!   and every protobuf `map` as a [`BTreeMap`](std::collections::BTreeMap)
//!   so output is deterministic.
//! - [`FILE_DESCRIPTOR_SET`] is the encoded `google.protobuf.FileDescriptorSet`
//!   of those files (imports included).
//! - [`to_json_pretty`] and [`from_json`] convert messages to and from JSON;
//!   [`write_json_pretty`] streams the same text to a writer. Both write with this crate's
//!   own serializer (`pretty.rs`), byte for byte what `serde_json::to_string_pretty` writes.
//! - With the `grpc` feature (off by default) the tonic client
//!   (`littlehorse::little_horse_client`) and server
//!   (`littlehorse::little_horse_server`) for `service LittleHorse` are
//!   generated too.
//!
//! Dependencies: only `prost`, `pbjson`, `pbjson-types`, `serde` and
//! `serde_json` by default; `tonic`/`tonic-prost` (and through them tokio)
//! only with the `grpc` feature. Crates that just need the messages, such as
//! the compiler, must not enable `grpc`.

/// The generated types of protobuf package `littlehorse`.
///
/// Every message derives `prost::Message`, `Clone`, `PartialEq` and `Debug`
/// and implements serde's `Serialize` and `Deserialize` in the protobuf JSON
/// mapping. Oneofs are nested enums in a module named after the message
/// (for example `node::Node` for the `oneof node` of `Node`).
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
pub mod littlehorse {
    include!(concat!(env!("OUT_DIR"), "/littlehorse.rs"));
    include!(concat!(env!("OUT_DIR"), "/littlehorse.serde.rs"));
}

/// The encoded `google.protobuf.FileDescriptorSet` of the LittleHorse API as
/// compiled by this crate: every file of `schemas/littlehorse/` plus the
/// well-known types it imports, with source info.
///
/// Decode it with `prost_types::FileDescriptorSet::decode` (or hand it to a
/// reflection service).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/littlehorse_descriptor.bin"));

/// Serializes a message to pretty JSON (2-space indentation, no trailing
/// newline) in the protobuf JSON mapping.
///
/// The output is deterministic: fields appear in declaration order and map
/// entries sorted by key.
///
/// # Errors
///
/// Fails only if a value has no JSON representation, e.g. a
/// `google.protobuf.Timestamp` outside the range the JSON mapping allows.
pub fn try_to_json_pretty<T: serde::Serialize>(msg: &T) -> Result<String, serde_json::Error> {
    let mut writer = pretty::Pretty::to_vec();
    match msg.serialize(&mut writer) {
        // The writer writes only valid UTF-8 (strings are copied from `&str`s, the rest is
        // ASCII), so this never falls back in practice.
        Ok(()) => match String::from_utf8(writer.into_bytes()) {
            Ok(json) => Ok(json),
            Err(_) => serde_json::to_string_pretty(msg),
        },
        // serde_json writes what the fast writer does not, and reports the same errors.
        Err(_) => serde_json::to_string_pretty(msg),
    }
}

/// Writes a message to `sink` as pretty JSON (exactly [`try_to_json_pretty`]'s text, no
/// trailing newline), in chunks of about 64 KiB: the document is never whole in memory.
///
/// # Errors
///
/// Fails if the sink fails or, as [`try_to_json_pretty`], if a value has no JSON
/// representation (then part of the document may have been written).
pub fn write_json_pretty<T: serde::Serialize>(
    sink: &mut dyn std::io::Write,
    msg: &T,
) -> std::io::Result<()> {
    let mut writer = pretty::Pretty::to_sink(sink);
    let result = msg.serialize(&mut writer).and_then(|()| writer.finish());
    match result {
        Ok(()) => Ok(()),
        Err(pretty::Error::Io(err)) => Err(err),
        Err(err) if writer.flushed => Err(std::io::Error::other(err.to_string())),
        Err(_) => {
            drop(writer);
            serde_json::to_writer_pretty(sink, msg).map_err(std::io::Error::from)
        }
    }
}

mod pretty;

/// Serializes a message to pretty JSON (2-space indentation, no trailing
/// newline) in the protobuf JSON mapping; see [`try_to_json_pretty`].
///
/// # Panics
///
/// Panics if the message has no JSON representation (only possible for an
/// out-of-range `google.protobuf.Timestamp` or `Duration`); use
/// [`try_to_json_pretty`] to handle that case.
pub fn to_json_pretty<T: serde::Serialize>(msg: &T) -> String {
    match try_to_json_pretty(msg) {
        Ok(json) => json,
        Err(err) => panic!("message cannot be represented as JSON: {err}"),
    }
}

/// Parses a message from JSON in the protobuf JSON mapping.
///
/// Both lowerCamelCase and original snake_case field names are accepted,
/// absent fields take their default values, and unknown fields are errors.
///
/// # Errors
///
/// Returns the `serde_json` error if `s` is not valid JSON for `T`.
pub fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(s)
}

#[cfg(test)]
mod tests;
