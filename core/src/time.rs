//! Time as Docket uses it: Unix milliseconds for `logged_at`, Unix seconds for
//! cosignature/v1 timestamps. Units live in the types so they cannot be mixed up.
//! Pure: the clock is read by the binaries and passed in.

/// Milliseconds since the Unix epoch (UTC): the log's `logged_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixMillis(pub u64);

/// Seconds since the Unix epoch (UTC): c2sp.org/tlog-cosignature timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixSeconds(pub u64);
