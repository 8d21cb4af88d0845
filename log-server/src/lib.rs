//! Docket's log server: a durable RocksDB log that accepts DSSE-signed statements when
//! the review rules allow them, answers each with a receipt (an inclusion proof against
//! a checkpoint cosigned by witnesses), and serves the log as c2sp.org/tlog-tiles plus
//! JSON helpers.
//!
//! `main.rs` only parses flags and calls [`run`]; everything else lives here so tests
//! drive the server in-process ([`server::Server::start`]).
//!
//! Modules: [`config`] (settings), [`keys`] (key files), [`store`] (RocksDB),
//! [`apply`] (verify, dedup, rules, entries for one batch), [`sequencer`] (the write
//! loop), [`cosign`] (witness client), [`receipt`], [`published`], [`http`] (routes),
//! [`metrics`], [`server`] (start-up and shutdown), [`signed_state`] (what the key has
//! signed, kept where a database restore cannot roll it back).

pub mod apply;
pub mod cli;
pub mod config;
pub mod cosign;
pub mod explorer;
pub mod http;
pub mod keys;
pub mod listen;
pub mod metrics;
pub mod policy;
pub mod published;
pub mod receipt;
pub mod receipt_policy;
pub mod sequencer;
pub mod server;
pub mod signed_state;
pub mod store;
pub mod testkit;

pub use cli::{Cli, run};
