//! The fault suite (issue 15 §3): the kernel under the faults a machine inflicts, each case
//! a regression test, the whole file bounded (it runs in `cargo test --workspace`):
//!
//! - `sigkill`: N WfRuns × K SIGKILLs of a real `lhw-kernel` process at random, seeded
//!   moments while workers complete tasks;
//! - `disk`: a full disk (a small tmpfs when this machine may mount one) and a file-size
//!   limit (works without root): clear errors, no corruption, runs continue once space
//!   returns;
//! - `bad_data`: a damaged or foreign database file, refused at start with a message;
//! - `clock`: jumps of the system clock forward and back, timers fire once;
//! - `workers`: workers that vanish holding a task, and slow ones past the timeout.
//!
//! Randomised cases print their seed; `LHW_FAULT_SEED=N` replays one. Figures (runs, kills,
//! losses, recovery times) are printed, never asserted on time (`--nocapture` shows them).
//! docs/operations.md reports them.

mod common;

#[path = "faults/bad_data.rs"]
mod bad_data;
#[path = "faults/clock.rs"]
mod clock;
#[path = "faults/disk.rs"]
mod disk;
#[path = "faults/process.rs"]
mod process;
#[path = "faults/seed.rs"]
mod seed;
#[path = "faults/sigkill.rs"]
mod sigkill;
#[path = "faults/worker.rs"]
mod worker;
#[path = "faults/workers.rs"]
mod workers;
