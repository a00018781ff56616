//! End-to-end scenarios: every workflow under `examples/e2e/`, compiled by our compiler,
//! run by the embedded kernel over gRPC with Rust task workers; each scenario drives
//! events and user tasks over gRPC and checks the run's final status, its variables and
//! output, the NodeRuns each thread went through and the failures on the way.
//!
//! One module per example file; each test is one scenario on a kernel of its own.

mod coverage;
mod harness;

mod approval_quorum;
mod delivery_schedule;
mod expense_approval;
mod loyalty_statement;
mod notification_routing;
mod order_billing;
mod order_payment;
mod order_shipment;
mod parallel_packing;
mod payment_retries;
mod stock_reservation;
mod supplier_quotes;
