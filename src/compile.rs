//! `lhc compile`: compile files and write one request file per workflow and declaration.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lhw_compiler::Output;

use crate::cli::{CompileArgs, OutputFormat};
use crate::report::{Counts, Style, display_path, plural, render_human};
use crate::{dedup_paths, guarded, read_source};

/// Runs `lhc compile`.
pub fn run(args: &CompileArgs, style: Style) -> ExitCode {
    let mut state = State {
        style,
        out_dir: &args.out_dir,
        format: args.format,
        planned: BTreeMap::new(),
        total: Counts::default(),
        failed_files: 0,
        written: 0,
        created_dir: false,
    };
    let files = dedup_paths(&crate::lhw_files::expand(
        &args.files,
        crate::lhw_files::Under::Workflows,
    ));
    for path in &files {
        state.compile_file(path);
    }

    let State {
        total,
        failed_files,
        written,
        ..
    } = state;
    let dir = display_path(&args.out_dir);
    let mut stderr = std::io::stderr().lock();
    if failed_files > 0 {
        if written > 0 {
            let _ = writeln!(stderr, "wrote {} to {dir}", plural(written, "file"));
        }
        let _ = writeln!(
            stderr,
            "{}",
            style.error(&format!(
                "could not compile {}: {}",
                plural(failed_files, "file"),
                total.describe()
            ))
        );
    } else {
        let _ = writeln!(
            stderr,
            "compiled {}: {}; wrote {} to {dir}",
            plural(files.len(), "file"),
            total.describe(),
            plural(written, "file")
        );
    }
    if total.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// What a written file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    WfSpec,
    TaskDef,
    ExternalEventDef,
    WorkflowEventDef,
    StructDef,
    UserTaskDef,
}

impl Kind {
    /// The word for the declaration in messages.
    fn noun(self) -> &'static str {
        match self {
            Kind::WfSpec => "workflow",
            Kind::TaskDef => "task",
            Kind::ExternalEventDef => "event",
            Kind::WorkflowEventDef => "workflow-event",
            Kind::StructDef => "struct",
            Kind::UserTaskDef => "user task",
        }
    }

    /// The output file name for a declaration called `name`. A long name is cut (see
    /// [`bounded_stem`]) so that the file name stays within every file system's limit.
    fn file_name(self, name: &str, format: OutputFormat) -> String {
        let name = bounded_stem(name);
        let ext = match format {
            OutputFormat::Json => "json",
            OutputFormat::Binary => "pb",
        };
        let prefix = match self {
            Kind::WfSpec => return format!("{name}.wfspec.{ext}"),
            Kind::TaskDef => "taskdef",
            Kind::ExternalEventDef => "externaleventdef",
            Kind::WorkflowEventDef => "workfloweventdef",
            Kind::StructDef => "structdef",
            Kind::UserTaskDef => "usertaskdef",
        };
        format!("{prefix}-{name}.{ext}")
    }
}

/// One request, ready to write.
#[derive(Debug)]
struct Artifact {
    kind: Kind,
    name: String,
    file_name: String,
    body: Body,
}

/// What an artifact's file will hold.
///
/// A declaration is encoded up front: it is small, and compared byte for byte with the
/// same declaration in other files. A WfSpec is encoded straight into its file when it is
/// written (its JSON is about 35 times the size of its source: for a file of 1,000,000
/// statements, 700 MB that would otherwise be held in memory, twice; docs/performance.md,
/// "Memory on huge inputs"). Two WfSpecs never share a file, so theirs are never compared.
#[derive(Debug)]
enum Body {
    Bytes(Vec<u8>),
    /// The index of the WfSpec in `Output::wf_specs`.
    WfSpec(usize),
}

impl Artifact {
    /// The bytes of a declaration; nothing for a WfSpec.
    fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Bytes(bytes) => bytes,
            Body::WfSpec(_) => &[],
        }
    }
}

/// A file already planned for (or written to) the output directory.
#[derive(Debug)]
struct Planned {
    source: String,
    /// What a declaration's file holds (empty for a WfSpec's).
    bytes: Vec<u8>,
}

struct State<'a> {
    style: Style,
    out_dir: &'a Path,
    format: OutputFormat,
    /// Output file name → what was written there, across all input files.
    planned: BTreeMap<String, Planned>,
    total: Counts,
    failed_files: usize,
    written: usize,
    created_dir: bool,
}

impl State<'_> {
    fn error(&mut self, message: &str, help: Option<&str>) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}", self.style.error(message));
        if let Some(help) = help {
            let _ = writeln!(stderr, "  {}", self.style.help(help));
        }
        self.total.errors += 1;
    }

    /// Compiles one file and writes its outputs, or reports why it cannot.
    fn compile_file(&mut self, path: &Path) {
        let shown = display_path(path);
        let text = match read_source(path) {
            Ok(text) => text,
            Err(reason) => {
                self.error(&format!("cannot read {shown}: {reason}"), None);
                self.failed_files += 1;
                return;
            }
        };
        let compiled = match guarded(&shown, || lhw_compiler::compile(&text)) {
            Ok(compiled) => compiled,
            Err(message) => {
                self.error(&message, None);
                self.failed_files += 1;
                return;
            }
        };
        let _ = std::io::stderr()
            .lock()
            .write_all(render_human(&compiled.diagnostics, &shown, &text, self.style).as_bytes());
        let counts = Counts::of(&compiled.diagnostics);
        self.total.add(counts);
        let output = match compiled.output {
            Some(output) if counts.errors == 0 => output,
            None if counts.errors == 0 => {
                self.error(
                    &format!(
                        "internal compiler error: no output and no error for {shown}\n  \
                         this is a bug in lhc {}; please report it with the file",
                        env!("CARGO_PKG_VERSION")
                    ),
                    None,
                );
                self.failed_files += 1;
                return;
            }
            _ => {
                self.failed_files += 1;
                return;
            }
        };

        let errors_before = self.total.errors;
        let artifacts = self.encode_all(&output, &shown);
        if artifacts.is_empty() {
            let _ = writeln!(
                std::io::stderr().lock(),
                "note: {shown} declares nothing to compile (no workflow, task, event, user task \
                 or struct)"
            );
        }
        let to_write = self.resolve_clashes(&artifacts, &shown);
        if self.total.errors > errors_before {
            self.failed_files += 1;
            return;
        }
        for artifact in &to_write {
            self.planned.insert(
                artifact.file_name.clone(),
                Planned {
                    source: shown.clone(),
                    bytes: artifact.bytes().to_vec(),
                },
            );
        }
        for artifact in to_write {
            if !self.write(artifact, &output) {
                self.failed_files += 1;
                return;
            }
        }
    }

    /// Encodes every request of one file, in registration order: metadata first, then
    /// the workflows that use it.
    fn encode_all(&mut self, output: &Output, shown: &str) -> Vec<Artifact> {
        let mut out = Vec::new();
        for m in &output.task_defs {
            self.push(&mut out, Kind::TaskDef, &m.name, m, shown);
        }
        for m in &output.external_event_defs {
            self.push(&mut out, Kind::ExternalEventDef, &m.name, m, shown);
        }
        for m in &output.workflow_event_defs {
            self.push(&mut out, Kind::WorkflowEventDef, &m.name, m, shown);
        }
        for m in &output.struct_defs {
            self.push(&mut out, Kind::StructDef, &m.name, m, shown);
        }
        for m in &output.user_task_defs {
            self.push(&mut out, Kind::UserTaskDef, &m.name, m, shown);
        }
        for (index, m) in output.wf_specs.iter().enumerate() {
            if self.usable_name(Kind::WfSpec, &m.name, shown)
                && self.encodable(Kind::WfSpec, &m.name, m, shown)
            {
                out.push(Artifact {
                    kind: Kind::WfSpec,
                    name: m.name.clone(),
                    file_name: Kind::WfSpec.file_name(&m.name, self.format),
                    body: Body::WfSpec(index),
                });
            }
        }
        out
    }

    /// False (after reporting) when `name` cannot be used in a file name.
    fn usable_name(&mut self, kind: Kind, name: &str, shown: &str) -> bool {
        if is_safe_file_stem(name) {
            return true;
        }
        self.error(
            &format!(
                "{shown}: {} name `{name}` cannot be used as a file name",
                kind.noun()
            ),
            Some("use letters, digits and `-` only"),
        );
        false
    }

    /// False (after reporting) when `msg` has no JSON form and JSON is asked for: found by
    /// encoding it into nothing, so that a file whose requests cannot all be encoded
    /// writes none of them, as when every request was encoded before writing. Encoded by
    /// the writer that then writes the file (`lhw_proto::write_json_pretty`, several times
    /// faster than serde_json's), so the same message fails the same way.
    fn encodable<M: serde::Serialize>(
        &mut self,
        kind: Kind,
        name: &str,
        msg: &M,
        shown: &str,
    ) -> bool {
        if self.format == OutputFormat::Binary {
            return true;
        }
        match lhw_proto::write_json_pretty(&mut std::io::sink(), msg) {
            Ok(()) => true,
            Err(err) => {
                self.error(
                    &format!(
                        "{shown}: cannot encode {} `{name}` as JSON: {err}",
                        kind.noun()
                    ),
                    None,
                );
                false
            }
        }
    }

    fn push<M: prost::Message + serde::Serialize>(
        &mut self,
        out: &mut Vec<Artifact>,
        kind: Kind,
        name: &str,
        msg: &M,
        shown: &str,
    ) {
        if !self.usable_name(kind, name, shown) {
            return;
        }
        let bytes = match self.format {
            OutputFormat::Binary => msg.encode_to_vec(),
            OutputFormat::Json => match lhw_proto::try_to_json_pretty(msg) {
                Ok(mut json) => {
                    json.push('\n');
                    json.into_bytes()
                }
                Err(err) => {
                    self.error(
                        &format!(
                            "{shown}: cannot encode {} `{name}` as JSON: {err}",
                            kind.noun()
                        ),
                        None,
                    );
                    return;
                }
            },
        };
        out.push(Artifact {
            kind,
            name: name.to_string(),
            file_name: kind.file_name(name, self.format),
            body: Body::Bytes(bytes),
        });
    }

    /// Reports outputs that would overwrite a different output of an earlier file (or of
    /// the same file), and returns the artifacts that still need writing: a declaration
    /// identical to one already written is written once.
    fn resolve_clashes<'x>(&mut self, artifacts: &'x [Artifact], shown: &str) -> Vec<&'x Artifact> {
        let mut to_write = Vec::new();
        let mut this_file: BTreeMap<&str, &Artifact> = BTreeMap::new();
        for artifact in artifacts {
            let target = display_path(&self.out_dir.join(&artifact.file_name));
            let noun = artifact.kind.noun();
            let name = &artifact.name;
            if let Some(earlier) = this_file.get(artifact.file_name.as_str()) {
                if earlier.bytes() != artifact.bytes() || artifact.kind == Kind::WfSpec {
                    self.error(
                        &format!("{shown}: two declarations would both be written to {target}"),
                        Some(&format!(
                            "nothing from {shown} was written; rename {noun} `{name}`"
                        )),
                    );
                }
                continue;
            }
            this_file.insert(&artifact.file_name, artifact);
            let Some(planned) = self.planned.get(&artifact.file_name) else {
                to_write.push(artifact);
                continue;
            };
            let other = planned.source.clone();
            if artifact.kind == Kind::WfSpec {
                self.error(
                    &format!("workflow `{name}` in {shown} is already defined in {other}"),
                    Some(&format!(
                        "nothing from {shown} was written; rename one of the workflows, or \
                         compile the files into different directories with `-o`"
                    )),
                );
            } else if planned.bytes != artifact.bytes() {
                self.error(
                    &format!(
                        "{noun} `{name}` in {shown} differs from the {noun} `{name}` in {other}"
                    ),
                    Some(&format!(
                        "nothing from {shown} was written; both would be written to {target}: \
                         make the declarations identical or rename one"
                    )),
                );
            }
            // An identical declaration is already written: nothing to do.
        }
        to_write
    }

    /// Writes one artifact; false (after reporting) on failure.
    fn write(&mut self, artifact: &Artifact, output: &Output) -> bool {
        if !self.created_dir {
            if let Err(err) = std::fs::create_dir_all(self.out_dir) {
                let dir = display_path(self.out_dir);
                let reason = if self.out_dir.is_file() {
                    "it is a file (-o names the directory to write into)".to_string()
                } else {
                    crate::io_reason(&err)
                };
                self.error(&format!("cannot create directory {dir}: {reason}"), None);
                return false;
            }
            self.created_dir = true;
        }
        let target: PathBuf = self.out_dir.join(&artifact.file_name);
        let shown = display_path(&target);
        let written = match &artifact.body {
            Body::Bytes(bytes) => std::fs::write(&target, bytes),
            Body::WfSpec(index) => match output.wf_specs.get(*index) {
                Some(spec) => write_streamed(&target, spec, self.format),
                None => Err(std::io::Error::other("no such workflow in the output")),
            },
        };
        match written {
            Ok(()) => {
                let _ = writeln!(std::io::stderr().lock(), "wrote {shown}");
                self.written += 1;
                true
            }
            Err(err) => {
                self.error(&format!("cannot write {shown}: {err}"), None);
                false
            }
        }
    }
}

/// Writes `msg` into a new file at `target` as it is encoded (never whole in memory):
/// pretty JSON and a newline, exactly as `lhw_proto::to_json_pretty`, or the binary
/// encoding.
fn write_streamed<M: prost::Message + serde::Serialize>(
    target: &Path,
    msg: &M,
    format: OutputFormat,
) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(target)?);
    match format {
        OutputFormat::Json => {
            lhw_proto::write_json_pretty(&mut file, msg)?;
            file.write_all(b"\n")?;
        }
        OutputFormat::Binary => file.write_all(&msg.encode_to_vec())?,
    }
    file.flush()
}

/// True when `name` is safe as part of a file name in any directory: ASCII letters, digits,
/// `-`, `_` and `.`, not empty and not starting with `.`.
fn is_safe_file_stem(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The longest name used whole in a file name (file systems allow 255 bytes per name; the
/// kind prefix and extension take up to 22 more).
const MAX_STEM: usize = 120;

/// `name` if it is at most [`MAX_STEM`] bytes, else its first 100 bytes, `-` and a 16-digit
/// hash of the whole name (FNV-1a), so that long names sharing a prefix stay distinct.
fn bounded_stem(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= MAX_STEM {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut cut = 100;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    std::borrow::Cow::Owned(format!("{}-{hash:016x}", &name[..cut]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WfSpec streamed into its file is byte for byte what encoding it whole gives.
    #[test]
    fn a_streamed_wfspec_is_the_whole_encoding() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-approval.lhw"),
        )
        .expect("the example");
        let output = lhw_compiler::compile(&text).output.expect("it compiles");
        let dir = tempfile::tempdir().expect("a temporary directory");
        for spec in &output.wf_specs {
            let json = dir.path().join("w.json");
            write_streamed(&json, spec, OutputFormat::Json).expect("written");
            let whole = format!("{}\n", lhw_proto::to_json_pretty(spec));
            assert_eq!(std::fs::read_to_string(&json).expect("read"), whole);
            let pb = dir.path().join("w.pb");
            write_streamed(&pb, spec, OutputFormat::Binary).expect("written");
            assert_eq!(
                std::fs::read(&pb).expect("read"),
                prost::Message::encode_to_vec(spec)
            );
        }
        assert!(!output.wf_specs.is_empty());
    }

    #[test]
    fn long_names_give_bounded_distinct_file_names() {
        let a = format!("{}a", "t".repeat(300));
        let b = format!("{}b", "t".repeat(300));
        let fa = Kind::UserTaskDef.file_name(&a, OutputFormat::Json);
        let fb = Kind::UserTaskDef.file_name(&b, OutputFormat::Json);
        assert!(fa.len() <= 255 && fb.len() <= 255, "{fa}");
        assert_ne!(fa, fb);
        assert!(
            fa.starts_with(&format!("usertaskdef-{}-", "t".repeat(100))),
            "{fa}"
        );
        let short = "t".repeat(MAX_STEM);
        assert_eq!(
            Kind::WfSpec.file_name(&short, OutputFormat::Binary),
            format!("{short}.wfspec.pb")
        );
    }

    #[test]
    fn file_names_follow_the_kind() {
        assert_eq!(
            Kind::WfSpec.file_name("greet", OutputFormat::Json),
            "greet.wfspec.json"
        );
        assert_eq!(
            Kind::TaskDef.file_name("greet", OutputFormat::Binary),
            "taskdef-greet.pb"
        );
        assert_eq!(
            Kind::ExternalEventDef.file_name("paid", OutputFormat::Json),
            "externaleventdef-paid.json"
        );
        assert_eq!(
            Kind::UserTaskDef.file_name("approve", OutputFormat::Json),
            "usertaskdef-approve.json"
        );
    }

    #[test]
    fn unsafe_names_are_rejected() {
        assert!(is_safe_file_stem("order-approval"));
        assert!(is_safe_file_stem("customerInfo"));
        assert!(!is_safe_file_stem(""));
        assert!(!is_safe_file_stem(".."));
        assert!(!is_safe_file_stem("a/b"));
        assert!(!is_safe_file_stem("a\\b"));
    }
}
