//! A guard against forward jumps of the system clock.
//!
//! The log's `logged_at` and a witness's cosignature timestamps never decrease: each is
//! `max(now, last)`. So one forward jump of the clock (a bad NTP server, a mistyped
//! `date`, a VM restored with a wrong clock) would be permanent: the jumped value is
//! recorded, and every later value is frozen at it until real time catches up.
//!
//! [`JumpGuard`] keeps an *anchor*: the last value issued and the monotonic time at
//! which it was issued (or, at start-up, the last value on disk and the start time).
//! The wall clock may run ahead of `anchor + monotonic time elapsed since` by at most
//! `max_ahead`; beyond that [`JumpGuard::check`] refuses, and the caller refuses to
//! sign or log, says why, and counts it. Trust assumption: the monotonic clock
//! (`CLOCK_MONOTONIC`) is not set by anyone, so it measures elapsed time honestly
//! while the process runs. It does not count time the machine was suspended, so a
//! resume after a suspension longer than `max_ahead` is refused like a jump.
//!
//! Across a restart there is no monotonic reference: the time the daemon was down
//! looks exactly like a jump. The caller anchors at start-up to the last value it
//! stored (including heartbeat times, so that idle periods do not count), and an
//! operator who has checked the clock after a longer outage says so with a flag,
//! which skips that start-up anchor only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Monotonic time elapsed since an arbitrary fixed point. Tests inject their own.
pub type Monotonic = Arc<dyn Fn() -> Duration + Send + Sync>;

/// The process's monotonic clock ([`Instant`]), as time since this call.
pub fn system_monotonic() -> Monotonic {
    let start = Instant::now();
    Arc::new(move || start.elapsed())
}

/// The wall clock is further ahead of the last issued value than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the system clock jumped forward: it reads {now_ms} ms since the epoch, {ahead_ms} ms \
     ahead of the last timestamp issued ({last_ms}) plus the time elapsed since, which is \
     more than the {max_ms} ms allowed; refusing to issue timestamps from this clock. Fix \
     the clock, or, if it is right (e.g. the daemon was down for that long), restart with \
     --accept-clock-jump or raise max_clock_jump"
)]
pub struct ClockJump {
    /// The wall clock's reading, milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// The anchor's value: the last timestamp issued (or stored), milliseconds.
    pub last_ms: u64,
    /// How far the clock is ahead of the anchor plus elapsed time, milliseconds.
    pub ahead_ms: u64,
    /// The allowed lead, milliseconds.
    pub max_ms: u64,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    value_ms: u64,
    at: Duration,
}

/// See the module documentation. All methods take `&self` and may be called from any
/// thread; values are milliseconds since the Unix epoch.
pub struct JumpGuard {
    max_ahead_ms: u64,
    monotonic: Monotonic,
    anchor: Mutex<Option<Anchor>>,
    refusals: AtomicU64,
}

impl std::fmt::Debug for JumpGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JumpGuard")
            .field("max_ahead_ms", &self.max_ahead_ms)
            .field("refusals", &self.refusals())
            .finish()
    }
}

impl JumpGuard {
    /// A guard allowing the wall clock `max_ahead` of the anchor plus elapsed time,
    /// with no anchor yet (the first check passes).
    pub fn new(max_ahead: Duration, monotonic: Monotonic) -> JumpGuard {
        JumpGuard {
            max_ahead_ms: u64::try_from(max_ahead.as_millis()).unwrap_or(u64::MAX),
            monotonic,
            anchor: Mutex::new(None),
            refusals: AtomicU64::new(0),
        }
    }

    /// Anchors to `value_ms`, a timestamp issued (or stored) as of now, unless the
    /// anchor already expects a later value.
    pub fn anchor(&self, value_ms: u64) {
        let at = (self.monotonic)();
        let mut anchor = self.anchor.lock().unwrap_or_else(|e| e.into_inner());
        let keep = anchor.is_some_and(|a| expected(a, at) >= value_ms);
        if !keep {
            *anchor = Some(Anchor { value_ms, at });
        }
    }

    /// Checks a wall-clock reading before a timestamp is issued from it. A refusal is
    /// counted ([`JumpGuard::refusals`]).
    pub fn check(&self, now_ms: u64) -> Result<(), ClockJump> {
        let at = (self.monotonic)();
        let anchor = *self.anchor.lock().unwrap_or_else(|e| e.into_inner());
        let Some(anchor) = anchor else {
            return Ok(());
        };
        let ahead_ms = now_ms.saturating_sub(expected(anchor, at));
        if ahead_ms > self.max_ahead_ms {
            self.refusals.fetch_add(1, Ordering::Relaxed);
            return Err(ClockJump {
                now_ms,
                last_ms: anchor.value_ms,
                ahead_ms,
                max_ms: self.max_ahead_ms,
            });
        }
        Ok(())
    }

    /// `now_ms`, or the latest value the guard would accept if `now_ms` is beyond it:
    /// for times that are recorded but must not stop anything (a heartbeat's
    /// publication time), so that a jumped clock does not leak into them either.
    pub fn clamp(&self, now_ms: u64) -> u64 {
        let at = (self.monotonic)();
        let anchor = *self.anchor.lock().unwrap_or_else(|e| e.into_inner());
        match anchor {
            None => now_ms,
            Some(anchor) => now_ms.min(expected(anchor, at).saturating_add(self.max_ahead_ms)),
        }
    }

    /// How many readings [`JumpGuard::check`] refused since start.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }
}

/// The value the anchor expects at monotonic time `at`.
fn expected(anchor: Anchor, at: Duration) -> u64 {
    let elapsed = u64::try_from(at.saturating_sub(anchor.at).as_millis()).unwrap_or(u64::MAX);
    anchor.value_ms.saturating_add(elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_monotonic() -> (Arc<AtomicU64>, Monotonic) {
        let ms = Arc::new(AtomicU64::new(0));
        let read = ms.clone();
        (
            ms,
            Arc::new(move || Duration::from_millis(read.load(Ordering::SeqCst))),
        )
    }

    #[test]
    fn a_jump_beyond_the_bound_is_refused_and_elapsed_time_is_not_a_jump() {
        let (mono, monotonic) = fake_monotonic();
        let guard = JumpGuard::new(Duration::from_secs(60), monotonic);
        // No anchor: anything goes.
        assert_eq!(guard.check(5_000_000), Ok(()));
        guard.anchor(1_000_000);
        assert_eq!(guard.check(1_000_000 + 60_000), Ok(()));
        let jump = guard.check(1_000_000 + 60_001).unwrap_err();
        assert_eq!(jump.ahead_ms, 60_001);
        assert!(jump.to_string().contains("--accept-clock-jump"), "{jump}");
        assert_eq!(guard.refusals(), 1);
        // A day of idle time later, a day-later clock is right, not a jump.
        mono.store(86_400_000, Ordering::SeqCst);
        assert_eq!(guard.check(1_000_000 + 86_400_000 + 30_000), Ok(()));
        // A clock behind the anchor is never a forward jump.
        assert_eq!(guard.check(0), Ok(()));
        // Anchoring to an older value keeps the later expectation.
        guard.anchor(1_000);
        assert!(guard.check(1_000_000 + 86_400_000 + 30_000).is_ok());
        // Clamping caps a jumped reading at the most the guard accepts.
        assert_eq!(guard.clamp(5), 5);
        assert_eq!(guard.clamp(u64::MAX), 1_000_000 + 86_400_000 + 60_000);
    }
}
