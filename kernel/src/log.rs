//! Where the kernel reports what happens beside the API (refused TLS handshakes, a failing
//! identity provider): a function of a level and a message, by default standard error;
//! `lhc server` turns each into a timestamped log line.

use std::fmt;
use std::sync::Arc;

/// How much a message matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Normal operation.
    Info,
    /// Something was refused or failed.
    Warn,
}

impl Level {
    /// `INFO` or `WARN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
        }
    }
}

type Sink = dyn Fn(Level, &str) + Send + Sync;

/// Receives the kernel's log messages.
#[derive(Clone)]
pub struct Logger(Arc<Sink>);

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Logger(..)")
    }
}

impl Default for Logger {
    /// `lhw-kernel: WARN <message>` on standard error.
    fn default() -> Logger {
        Logger::new(|level, message| eprintln!("lhw-kernel: {} {message}", level.as_str()))
    }
}

impl Logger {
    /// Sends every message to `sink`.
    pub fn new(sink: impl Fn(Level, &str) + Send + Sync + 'static) -> Logger {
        Logger(Arc::new(sink))
    }

    /// Logs `message` at `level`.
    pub(crate) fn log(&self, level: Level, message: &str) {
        (self.0)(level, message);
    }

    /// Logs a warning.
    pub(crate) fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }
}
