//! `docket-common`: what Docket's programs share at their edges, so they behave alike.
//!
//! [`https`] (the HTTPS client set-up and its error messages), [`listener`] (TLS
//! termination for the daemons, certificate reloaded on SIGHUP; feature `server`),
//! [`exit`] (the one exit-code table), [`args`] (key-or-file and `URL=VKEY` values),
//! [`policy_file`] (reading a c2sp.org/tlog-policy file and refusing a quorum of none
//! where witnessing is claimed), [`human`] (durations for people), [`manual`] (shell
//! completions and man pages from the clap definitions).

pub mod args;
pub mod exit;
pub mod https;
pub mod human;
#[cfg(feature = "server")]
pub mod listener;
pub mod manual;
pub mod policy_file;
