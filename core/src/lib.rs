//! `docket-core`: everything Docket's parts must agree on, with no I/O.
//!
//! This crate holds the RFC 6962 / RFC 9162 Merkle math, the C2SP formats Docket speaks
//! (signed-note, tlog-checkpoint, tlog-cosignature, tlog-witness, tlog-tiles, tlog-proof,
//! tlog-policy), the DSSE-wrapped statements of the review regime, the logged entry, and
//! the pure rules that decide whether a statement may be logged and how a review stands.
//!
//! It never opens a socket or a file, never reads a clock and never draws randomness:
//! time (`now`) and keys are arguments, and storage is reached only through the
//! [`merkle::HashReader`] trait. The log server, witness, verifier and client build on it,
//! so that the server accepting a statement and the verifier auditing it run the same code.

pub mod checkpoint;
pub mod cosignature;
pub mod dsse;
pub mod entry;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod proof;
pub mod review;
pub mod rules;
pub mod statement;
pub mod tiles;
pub mod time;
pub mod witness;
