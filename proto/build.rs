//! Build script for `lhw-proto`.
//!
//! 1. Parses `schemas/littlehorse/*.proto` with `protox` (pure Rust, no
//!    system `protoc`) into a `FileDescriptorSet`, written to
//!    `$OUT_DIR/littlehorse_descriptor.bin`.
//! 2. Generates prost message types (every map is a `BTreeMap`, well-known
//!    types come from `pbjson-types`). With the `grpc` feature the tonic
//!    client and server for `service LittleHorse` are generated as well.
//! 3. Generates serde impls following the protobuf JSON mapping with
//!    `pbjson-build` (default-valued fields are emitted).

use std::env;
use std::fs;
use std::path::PathBuf;

use prost::Message as _;

/// The .proto files of the public API, relative to the include root.
const PROTO_FILES: &[&str] = &[
    "common_enums.proto",
    "object_id.proto",
    "type_definition.proto",
    "common_wfspec.proto",
    "wf_spec.proto",
    "variable.proto",
    "task_def.proto",
    "external_event.proto",
    "workflow_event.proto",
    "user_tasks.proto",
    "struct_def.proto",
    "task_run.proto",
    "node_run.proto",
    "wf_run.proto",
    "workflow_migration.proto",
    "scheduled_wf_run.proto",
    "acls.proto",
    "metrics.proto",
    "bulk_job.proto",
    "output_topic.proto",
    "service.proto",
];

fn main() {
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let include_root = manifest_dir.join("schemas").join("littlehorse");

    let fds = match protox::compile(PROTO_FILES, [&include_root]) {
        Ok(fds) => fds,
        Err(err) => {
            // protox renders a readable diagnostic with file and span.
            eprintln!("{err:?}");
            panic!("failed to compile the LittleHorse .proto files: {err}");
        }
    };

    let encoded = fds.encode_to_vec();
    fs::write(out_dir.join("littlehorse_descriptor.bin"), &encoded).unwrap();

    // Needed after `fds` has been handed to prost-build.
    let oneof_renames = oneof_renames(&fds);

    let mut config = prost_build::Config::new();
    config
        .btree_map(["."])
        .compile_well_known_types()
        .extern_path(".google.protobuf", "::pbjson_types");

    if env::var_os("CARGO_FEATURE_GRPC").is_some() {
        generate_with_grpc(fds, config);
    } else {
        config.compile_fds(fds).unwrap();
    }

    let outputs = pbjson_build::Builder::new()
        .register_descriptors(&encoded)
        .unwrap()
        .btree_map(["."])
        .emit_fields()
        .extern_path(".google.protobuf", "::pbjson_types")
        .generate(&[".littlehorse"], |_package| Ok(Vec::new()))
        .unwrap();
    assert_eq!(outputs.len(), 1, "expected serde code for one package");
    let (_package, serde_code) = outputs.into_iter().next().unwrap();
    let mut serde_code = String::from_utf8(serde_code).unwrap();
    for rename in &oneof_renames {
        serde_code = rename.apply(&serde_code);
    }
    fs::write(out_dir.join("littlehorse.serde.rs"), serde_code).unwrap();
}

/// A oneof variant path that prost-build renamed but pbjson-build does not
/// know about.
///
/// When a oneof's UpperCamel name equals a nested type of the same message
/// (`WaitForThreadsNode` has both `oneof threads_to_wait_for` and
/// `message ThreadsToWaitFor`), prost-build appends `OneOf` to the Rust enum
/// name; pbjson-build 0.9 still refers to the unsuffixed name.
struct OneofRename {
    from: String,
    to: String,
}

impl OneofRename {
    /// Replaces every whole-path occurrence of `from` with `to`; panics if
    /// there is none, so that a change in either generator is noticed.
    fn apply(&self, code: &str) -> String {
        let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
        let mut out = String::with_capacity(code.len());
        let mut rest = code;
        let mut count = 0;
        while let Some(pos) = rest.find(&self.from) {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + self.from.len()..];
            let before_ok = !out.ends_with(is_ident);
            let after_ok = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if before_ok && after_ok {
                out.push_str(&self.to);
                count += 1;
            } else {
                out.push_str(&self.from);
            }
            rest = after;
        }
        out.push_str(rest);
        assert!(
            count > 0,
            "expected pbjson output to mention `{}`; generator behaviour changed",
            self.from
        );
        out
    }
}

/// Finds every oneof that prost-build renames (see [`OneofRename`]).
fn oneof_renames(fds: &prost_types::FileDescriptorSet) -> Vec<OneofRename> {
    let mut renames = Vec::new();
    for file in fds.file.iter().filter(|f| f.package() == "littlehorse") {
        for message in &file.message_type {
            collect_oneof_renames(message, &mut Vec::new(), &mut renames);
        }
    }
    renames
}

fn collect_oneof_renames(
    message: &prost_types::DescriptorProto,
    modules: &mut Vec<String>,
    renames: &mut Vec<OneofRename>,
) {
    use heck::{ToSnakeCase, ToUpperCamelCase};

    modules.push(message.name().to_snake_case());
    let module = modules.join("::");
    let nested: Vec<String> = message
        .nested_type
        .iter()
        .map(|m| m.name().to_upper_camel_case())
        .chain(
            message
                .enum_type
                .iter()
                .map(|e| e.name().to_upper_camel_case()),
        )
        .collect();
    for (index, oneof) in message.oneof_decl.iter().enumerate() {
        let name = oneof.name().to_upper_camel_case();
        if !nested.contains(&name) {
            continue;
        }
        let members = message
            .field
            .iter()
            .filter(|f| f.oneof_index == Some(index as i32) && !f.proto3_optional());
        for field in members {
            let variant = field.name().to_upper_camel_case();
            renames.push(OneofRename {
                from: format!("{module}::{name}::{variant}"),
                to: format!("{module}::{name}OneOf::{variant}"),
            });
        }
    }
    for nested in &message.nested_type {
        collect_oneof_renames(nested, modules, renames);
    }
    modules.pop();
}

/// Messages plus the tonic client and server for `service LittleHorse`.
#[cfg(feature = "grpc")]
fn generate_with_grpc(fds: prost_types::FileDescriptorSet, config: prost_build::Config) {
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_well_known_types(true)
        .compile_fds_with_config(fds, config)
        .unwrap();
}

/// `CARGO_FEATURE_GRPC` is only set when the `grpc` feature (and with it the
/// optional `tonic-prost-build` build-dependency) is enabled.
#[cfg(not(feature = "grpc"))]
fn generate_with_grpc(_fds: prost_types::FileDescriptorSet, _config: prost_build::Config) {
    unreachable!("CARGO_FEATURE_GRPC is set but lhw-proto was built without the `grpc` feature");
}
