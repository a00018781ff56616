//! A file-size limit (`RLIMIT_FSIZE`: `ulimit -f`, systemd's `LimitFSIZE=`) must not kill
//! the kernel. By default a write past the limit sends the process SIGXFSZ, whose default
//! action ends it (with a core dump) in the middle of a commit. With a handler installed the
//! write fails with `EFBIG` instead: SQLite reports an I/O error, the batch is rolled back
//! and its requests are answered UNAVAILABLE naming the data directory, as for a full disk
//! (`storage/error.rs`); the kernel keeps serving and saves again once the limit allows it.

/// Installs the SIGXFSZ handler (once per process; later calls do nothing more) and logs the
/// first time a write goes past the limit.
pub(crate) fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| match signal(SignalKind::from_raw(libc::SIGXFSZ)) {
            Ok(mut signals) => {
                tokio::spawn(async move {
                    if signals.recv().await.is_some() {
                        eprintln!(
                            "lhw-kernel: a write went past the file-size limit (RLIMIT_FSIZE): \
                             changes are refused until the limit allows them"
                        );
                    }
                    while signals.recv().await.is_some() {}
                });
            }
            Err(e) => eprintln!("lhw-kernel: cannot handle SIGXFSZ: {e}"),
        });
    }
}
