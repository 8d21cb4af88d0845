//! Log server settings, in two stages (as ripgrep does): [`RawConfig`] is what the TOML
//! file and the command line say, with no I/O and unknown keys rejected; [`Config`] is
//! the checked result, every default filled in, every duration and address parsed. Keys
//! are loaded from disk later, by [`crate::keys`], once the data directory exists.
//!
//! The field docs of [`Config`] are the reference for operators; `docs/operations.md`
//! repeats them with an example file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use docket_daemon::serve::ServeLimits;
use serde::Deserialize;

/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./docket-data";
/// Default listen address: loopback only, so a fresh install is not exposed by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default origin (checkpoint first line and log key name), schema-less as tlog-checkpoint
/// recommends.
pub const DEFAULT_ORIGIN: &str = "localhost/docket";
/// Default organisation name of the operator.
pub const DEFAULT_OPERATOR_ORG: &str = "operator";
/// The executive order's review window: 30 days.
pub const DEFAULT_REVIEW_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
/// Default most entries sequenced in one batch.
pub const DEFAULT_BATCH_MAX_ENTRIES: usize = 1024;
/// Default longest wait for more requests once a batch has its first one.
pub const DEFAULT_BATCH_DELAY: Duration = Duration::from_millis(5);
/// Default capacity of the write queue; beyond it writes get 503 + Retry-After.
pub const DEFAULT_QUEUE_CAPACITY: usize = 16384;
/// Default idle interval after which the log re-signs and re-witnesses its checkpoint.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(60);
/// Default time allowed to each witness per add-checkpoint round trip.
pub const DEFAULT_WITNESS_TIMEOUT: Duration = Duration::from_secs(2);
/// Default interval between witnessing attempts while the latest checkpoint does not
/// meet the receipt policy (writes are waiting for final receipts).
pub const DEFAULT_WITNESS_RETRY: Duration = Duration::from_secs(5);
/// Default largest difference between a cosignature's time and the log's clock for the
/// cosignature to be counted.
pub const DEFAULT_COSIGNATURE_MAX_SKEW: Duration = Duration::from_secs(300);
/// Default largest accepted request body: an entry must fit a tlog-tiles bundle
/// (65,535 bytes), so an envelope much larger than that can never be logged.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Default most proofs/entries listed by one JSON history request.
pub const DEFAULT_MAX_PAGE: usize = 1000;
/// Default for how far the clock may run ahead of the last `logged_at` (or checkpoint
/// time) plus the time elapsed since before writes are refused.
pub const DEFAULT_MAX_CLOCK_JUMP: Duration = Duration::from_secs(3600);

/// A setting was missing, malformed or out of range. Each variant names the key.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// The TOML file could not be read.
    #[error("reading config file {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// The TOML did not parse or had unknown keys or wrong types.
    #[error("config file {path}: {reason}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message (line, column, key).
        reason: String,
    },
    /// A key's value is not acceptable.
    #[error("config key `{key}`: {reason}")]
    Invalid {
        /// The dotted key name, e.g. `sequencer.batch_delay`.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// The `[log]` table.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    /// See [`Config::origin`].
    pub origin: Option<String>,
    /// See [`Config::log_key`].
    pub key: Option<PathBuf>,
    /// See [`Config::operator_key`].
    pub operator_key: Option<PathBuf>,
    /// See [`Config::operator_org`].
    pub operator_org: Option<String>,
    /// See [`Config::review_window`].
    pub review_window: Option<String>,
}

/// The `[sequencer]` table.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawSequencer {
    /// See [`Config::batch_max_entries`].
    pub batch_max_entries: Option<usize>,
    /// See [`Config::batch_delay`].
    pub batch_delay: Option<String>,
    /// See [`Config::queue_capacity`].
    pub queue_capacity: Option<usize>,
    /// See [`Config::heartbeat`].
    pub heartbeat: Option<String>,
    /// See [`Config::witness_timeout`].
    pub witness_timeout: Option<String>,
    /// See [`Config::witness_retry`].
    pub witness_retry: Option<String>,
    /// See [`Config::cosignature_max_skew`].
    pub cosignature_max_skew: Option<String>,
    /// See [`Config::max_clock_jump`].
    pub max_clock_jump: Option<String>,
}

/// The `[receipts]` table.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawReceipts {
    /// See [`Config::receipt_witnesses`].
    pub witnesses: Option<Vec<String>>,
    /// See [`Config::receipt_quorum`].
    pub quorum: Option<usize>,
}

/// The `[limits]` table.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// See [`Config::max_body_bytes`].
    pub max_body_bytes: Option<usize>,
    /// See [`Config::max_page`].
    pub max_page: Option<usize>,
    /// See [`Config::serve`].
    pub header_timeout: Option<String>,
    /// See [`Config::serve`].
    pub body_timeout: Option<String>,
    /// See [`Config::serve`].
    pub idle_timeout: Option<String>,
    /// See [`Config::serve`].
    pub max_connections: Option<usize>,
}

/// One `[[witness]]` entry.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawWitness {
    /// The witness's submission prefix, e.g. `http://127.0.0.1:7380`; the client posts
    /// to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's cosigner vkey (`name+id+base64(0x04 || key)`).
    pub vkey: String,
}

/// The TOML file as written, every key optional.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// See [`Config::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Config::listen`].
    pub listen: Option<String>,
    /// `[log]`.
    #[serde(default)]
    pub log: RawLog,
    /// `[sequencer]`.
    #[serde(default)]
    pub sequencer: RawSequencer,
    /// `[limits]`.
    #[serde(default)]
    pub limits: RawLimits,
    /// `[receipts]`.
    #[serde(default)]
    pub receipts: RawReceipts,
    /// `[[witness]]`, in the order cosignatures are merged.
    #[serde(default)]
    pub witness: Vec<RawWitness>,
    /// `[public]`: what the published trust policy says and how the log is served.
    #[serde(default)]
    pub public: RawPublic,
}

/// The `[public]` table (see [`crate::policy`] and docs/operations.md).
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawPublic {
    /// The URL the public reads the log at (its tlog-tiles prefix), written into the
    /// published policy; `--public-url` overrides.
    pub url: Option<String>,
    /// How many witnesses the published policy requires (default: all of them).
    pub quorum: Option<usize>,
    /// TLS certificate chain (PEM) to serve HTTPS with; `--tls-cert` overrides.
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM); `--tls-key` overrides.
    pub tls_key: Option<PathBuf>,
    /// Extra CA certificates (PEM) trusted when pushing to https:// witnesses.
    pub ca_file: Option<PathBuf>,
}

impl RawConfig {
    /// Parses TOML text; `path` is only used in the error message.
    pub fn parse(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
        toml::from_str(text).map_err(|err| ConfigError::Syntax {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })
    }

    /// Reads and parses a TOML file.
    pub fn load(path: &Path) -> Result<RawConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError::Read {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })?;
        RawConfig::parse(&text, path)
    }
}

/// A configured witness, not yet authenticated (its vkey is parsed when the server starts).
#[derive(Debug, Clone, PartialEq)]
pub struct WitnessSetting {
    /// Submission prefix; requests go to `<url>/add-checkpoint`.
    pub url: String,
    /// Cosigner vkey text.
    pub vkey: String,
}

/// Resolved settings: every default applied, every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Directory holding the RocksDB database (`db/`) and, by default, the keys.
    /// Default `./docket-data`. TOML `data_dir`, flag `--data-dir`.
    pub data_dir: PathBuf,
    /// Socket address to listen on. Default `127.0.0.1:8080`; port 0 picks a free port.
    /// TOML `listen`, flag `--listen`.
    pub listen: SocketAddr,
    /// The log's origin: first line of every checkpoint and the log key's name.
    /// Default `localhost/docket`. Used only when the log is created; afterwards the
    /// genesis entry and the key file are authoritative. TOML `log.origin`.
    pub origin: String,
    /// The log's note signing key (`PRIVATE+KEY+...`, mode 0600); its `.vkey` sits beside
    /// it. Default `<data_dir>/log.skey`. TOML `log.key` (relative paths are under
    /// `data_dir`).
    pub log_key: PathBuf,
    /// The operator's Ed25519 seed in hex (mode 0600), which signs genesis and participant
    /// statements; `.pub` beside it. Default `<data_dir>/operator.key`. TOML
    /// `log.operator_key`.
    pub operator_key: PathBuf,
    /// The operator's organisation, as written in its statements. Default `operator`.
    /// TOML `log.operator_org`.
    pub operator_org: String,
    /// The review window written into genesis. Default `30d`. TOML `log.review_window`
    /// (e.g. `"30d"`, `"90s"` for demos).
    pub review_window: Duration,
    /// Most entries in one sequencing batch (one synced write, one checkpoint).
    /// Default 1024. TOML `sequencer.batch_max_entries`.
    pub batch_max_entries: usize,
    /// How long the sequencer waits for more requests after the first of a batch.
    /// Default `5ms`. TOML `sequencer.batch_delay`.
    pub batch_delay: Duration,
    /// Write requests waiting to be sequenced; when full, writes get 503 with
    /// Retry-After. Default 16384. TOML `sequencer.queue_capacity`.
    pub queue_capacity: usize,
    /// After this long without a new batch the log re-signs and re-witnesses its
    /// checkpoint, so a frozen log is visible. Default `60s`. TOML `sequencer.heartbeat`.
    pub heartbeat: Duration,
    /// Time allowed to each witness for one add-checkpoint round trip (409 retry
    /// included). Default `2s`. TOML `sequencer.witness_timeout`.
    pub witness_timeout: Duration,
    /// Witnesses asked to cosign every checkpoint. Default none. TOML `[[witness]]`
    /// tables with `url` and `vkey`; flag `--witness URL=VKEY` (repeatable, replaces the
    /// file's list).
    pub witnesses: Vec<WitnessSetting>,
    /// While the latest checkpoint does not meet the receipt policy, the log asks the
    /// witnesses again this often (instead of waiting for the heartbeat). Default `5s`.
    /// TOML `sequencer.witness_retry`.
    pub witness_retry: Duration,
    /// A cosignature whose time differs from the log's clock by more than this (either
    /// way) is logged, counted in `docket_cosignatures_bad_time_total` and dropped.
    /// Default `5m`. TOML `sequencer.cosignature_max_skew`.
    pub cosignature_max_skew: Duration,
    /// Witnesses (by key name) whose cosignatures make a receipt final. Default: every
    /// configured witness. TOML `receipts.witnesses`.
    pub receipt_witnesses: Option<Vec<String>>,
    /// How many of the receipt witnesses must cosign a checkpoint for receipts against it
    /// to be final. Default: all of them. TOML `receipts.quorum`.
    pub receipt_quorum: Option<usize>,
    /// Largest request body accepted by `POST /v1/statements` (413 beyond).
    /// Default 65536. TOML `limits.max_body_bytes`.
    pub max_body_bytes: usize,
    /// Most items one JSON list request returns (checkpoint history, participants).
    /// Default 1000. TOML `limits.max_page`.
    pub max_page: usize,
    /// HTTP serving limits: a request head must arrive within `limits.header_timeout`
    /// (default `10s`, also the keep-alive wait for the next request), a body within
    /// `limits.body_timeout` of its head (default `30s`, in total), a connection with
    /// no request in flight and no byte moving is closed after `limits.idle_timeout`
    /// (default `60s`), and at most `limits.max_connections` (default 512) are open.
    pub serve: ServeLimits,
    /// How far the clock may run ahead of the last `logged_at` (or, at start-up, the
    /// latest checkpoint's time) plus the time elapsed since; beyond it writes are
    /// refused (`clock_jump`, 503) so one jump cannot freeze every later `logged_at`.
    /// Default `1h`. TOML `sequencer.max_clock_jump`.
    pub max_clock_jump: Duration,
    /// Do not anchor the clock check to the stored times at start-up (the log was
    /// down longer than `max_clock_jump` and the operator checked the clock). Flag
    /// `--accept-clock-jump` only.
    pub accept_clock_jump: bool,
    /// TOML `[public]` with the flags `--public-url`, `--quorum`, `--tls-cert`,
    /// `--tls-key`, `--ca-file` applied.
    pub public: RawPublic,
}

/// Command-line overrides, applied on top of the file.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--origin`.
    pub origin: Option<String>,
    /// `--review-window`.
    pub review_window: Option<String>,
    /// `--operator-org`.
    pub operator_org: Option<String>,
    /// `--witness URL=VKEY`, repeatable.
    pub witnesses: Vec<String>,
    /// `--accept-clock-jump`.
    pub accept_clock_jump: bool,
    /// `--public-url`, `--quorum`, `--tls-cert`, `--tls-key`, `--ca-file`.
    pub public: RawPublic,
}

impl Config {
    /// Every default, for a given data directory (used by tests and `init`).
    pub fn defaults(data_dir: &Path) -> Config {
        Config::resolve(
            RawConfig::default(),
            Overrides {
                data_dir: Some(data_dir.to_path_buf()),
                ..Overrides::default()
            },
        )
        .expect("the built-in defaults are valid")
    }

    /// Applies the overrides, then the defaults, and checks every value.
    pub fn resolve(raw: RawConfig, flags: Overrides) -> Result<Config, ConfigError> {
        let data_dir = flags
            .data_dir
            .or(raw.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let listen_text = flags
            .listen
            .or(raw.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            reason: format!("{listen_text:?} is not an IP:port socket address"),
        })?;
        let origin = flags
            .origin
            .or(raw.log.origin)
            .unwrap_or_else(|| DEFAULT_ORIGIN.to_string());
        check_key_name("log.origin", &origin)?;
        let operator_org = flags
            .operator_org
            .or(raw.log.operator_org)
            .unwrap_or_else(|| DEFAULT_OPERATOR_ORG.to_string());
        if operator_org.is_empty() {
            return Err(ConfigError::Invalid {
                key: "log.operator_org",
                reason: "must not be empty".into(),
            });
        }
        let under_data = |path: Option<PathBuf>, default: &str| match path {
            Some(path) if path.is_absolute() => path,
            Some(path) => data_dir.join(path),
            None => data_dir.join(default),
        };
        let log_key = under_data(raw.log.key, "log.skey");
        let operator_key = under_data(raw.log.operator_key, "operator.key");
        let review_window = duration_setting(
            "log.review_window",
            flags.review_window.or(raw.log.review_window),
            DEFAULT_REVIEW_WINDOW,
        )?;
        if review_window.as_secs() == 0 || review_window.subsec_nanos() != 0 {
            return Err(ConfigError::Invalid {
                key: "log.review_window",
                reason: "must be a whole, positive number of seconds".into(),
            });
        }
        let batch_max_entries = positive(
            "sequencer.batch_max_entries",
            raw.sequencer.batch_max_entries,
            DEFAULT_BATCH_MAX_ENTRIES,
        )?;
        let batch_delay = duration_setting(
            "sequencer.batch_delay",
            raw.sequencer.batch_delay,
            DEFAULT_BATCH_DELAY,
        )?;
        let queue_capacity = positive(
            "sequencer.queue_capacity",
            raw.sequencer.queue_capacity,
            DEFAULT_QUEUE_CAPACITY,
        )?;
        let heartbeat = duration_setting(
            "sequencer.heartbeat",
            raw.sequencer.heartbeat,
            DEFAULT_HEARTBEAT,
        )?;
        if heartbeat.is_zero() {
            return Err(ConfigError::Invalid {
                key: "sequencer.heartbeat",
                reason: "must be positive".into(),
            });
        }
        let witness_timeout = duration_setting(
            "sequencer.witness_timeout",
            raw.sequencer.witness_timeout,
            DEFAULT_WITNESS_TIMEOUT,
        )?;
        if witness_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                key: "sequencer.witness_timeout",
                reason: "must be positive".into(),
            });
        }
        let witness_retry = duration_setting(
            "sequencer.witness_retry",
            raw.sequencer.witness_retry,
            DEFAULT_WITNESS_RETRY,
        )?;
        if witness_retry.is_zero() {
            return Err(ConfigError::Invalid {
                key: "sequencer.witness_retry",
                reason: "must be positive".into(),
            });
        }
        let cosignature_max_skew = duration_setting(
            "sequencer.cosignature_max_skew",
            raw.sequencer.cosignature_max_skew,
            DEFAULT_COSIGNATURE_MAX_SKEW,
        )?;
        let max_body_bytes = positive(
            "limits.max_body_bytes",
            raw.limits.max_body_bytes,
            DEFAULT_MAX_BODY_BYTES,
        )?;
        let max_page = positive("limits.max_page", raw.limits.max_page, DEFAULT_MAX_PAGE)?;
        let defaults = ServeLimits::default();
        let serve = ServeLimits {
            header_timeout: duration_setting(
                "limits.header_timeout",
                raw.limits.header_timeout,
                defaults.header_timeout,
            )?,
            body_timeout: duration_setting(
                "limits.body_timeout",
                raw.limits.body_timeout,
                defaults.body_timeout,
            )?,
            idle_timeout: duration_setting(
                "limits.idle_timeout",
                raw.limits.idle_timeout,
                defaults.idle_timeout,
            )?,
            max_connections: positive(
                "limits.max_connections",
                raw.limits.max_connections,
                defaults.max_connections,
            )?,
        };
        serve.check().map_err(|reason| ConfigError::Invalid {
            key: "limits",
            reason,
        })?;
        let max_clock_jump = duration_setting(
            "sequencer.max_clock_jump",
            raw.sequencer.max_clock_jump,
            DEFAULT_MAX_CLOCK_JUMP,
        )?;
        let witnesses = if flags.witnesses.is_empty() {
            raw.witness
                .into_iter()
                .map(|w| check_witness("witness", w.url, w.vkey))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            flags
                .witnesses
                .iter()
                .map(|flag| {
                    let pair = docket_common::args::url_key("--witness", flag, false)
                        .map_err(|reason| ConfigError::Invalid {
                            key: "--witness",
                            reason,
                        })?;
                    if pair.old_order {
                        eprintln!(
                            "log-server: warning: --witness VKEY=URL is deprecated, write --witness URL=VKEY"
                        );
                    }
                    let url = pair.url.unwrap_or_default();
                    check_witness("--witness", url, pair.vkey)
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        let public = RawPublic {
            url: flags.public.url.or(raw.public.url),
            quorum: flags.public.quorum.or(raw.public.quorum),
            tls_cert: flags.public.tls_cert.or(raw.public.tls_cert),
            tls_key: flags.public.tls_key.or(raw.public.tls_key),
            ca_file: flags.public.ca_file.or(raw.public.ca_file),
        };
        Ok(Config {
            public,
            data_dir,
            listen,
            origin,
            log_key,
            operator_key,
            operator_org,
            review_window,
            batch_max_entries,
            batch_delay,
            queue_capacity,
            heartbeat,
            witness_timeout,
            witnesses,
            witness_retry,
            cosignature_max_skew,
            receipt_witnesses: raw.receipts.witnesses,
            receipt_quorum: raw.receipts.quorum,
            max_body_bytes,
            max_page,
            serve,
            max_clock_jump,
            accept_clock_jump: flags.accept_clock_jump,
        })
    }

    /// Where the RocksDB database lives.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("db")
    }
}

fn check_key_name(key: &'static str, name: &str) -> Result<(), ConfigError> {
    // c2sp.org/signed-note: key names are non-empty, with no whitespace and no '+'.
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(ConfigError::Invalid {
            key,
            reason: format!("{name:?} must be non-empty, without spaces or '+'"),
        });
    }
    Ok(())
}

fn check_witness(
    key: &'static str,
    url: String,
    vkey: String,
) -> Result<WitnessSetting, ConfigError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            key,
            reason: format!("witness URL {url:?} must start with http:// or https://"),
        });
    }
    if vkey.split('+').count() < 3 {
        return Err(ConfigError::Invalid {
            key,
            reason: format!("witness vkey {vkey:?} is not name+id+key"),
        });
    }
    Ok(WitnessSetting {
        url: url.trim_end_matches('/').to_string(),
        vkey,
    })
}

fn positive(key: &'static str, value: Option<usize>, default: usize) -> Result<usize, ConfigError> {
    match value {
        Some(0) => Err(ConfigError::Invalid {
            key,
            reason: "must be at least 1".into(),
        }),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn duration_setting(
    key: &'static str,
    value: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(text) => parse_duration(&text).ok_or_else(|| ConfigError::Invalid {
            key,
            reason: format!(
                "{text:?} is not a duration: write a whole number and a unit, one of ms, s, m, h, d (e.g. \"5ms\", \"30d\")"
            ),
        }),
    }
}

/// Parses `"<digits><unit>"` with unit `ms`, `s`, `m`, `h` or `d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    let millis = match unit {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        "d" => n.checked_mul(86_400_000),
        _ => None,
    }?;
    Some(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests;
