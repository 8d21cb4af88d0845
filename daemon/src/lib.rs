//! `docket-daemon`: what Docket's long-running programs (the log server and the
//! witness) share, and that touches the operating system, so it cannot live in
//! `docket-core`:
//!
//! - [`keyfile`]: refuse a private key file that group or others can read;
//! - [`clock`]: a wall clock checked against a monotonic one, so a forward jump of the
//!   system clock cannot push every later timestamp into the future;
//! - [`serve`] (feature `serve`): the HTTP serving loop with header, body and idle
//!   timeouts and a connection limit.

pub mod clock;
pub mod keyfile;
#[cfg(feature = "serve")]
pub mod serve;
