//! Witness settings in two stages (as in ripgrep): [`RawConfig`] is what the TOML file
//! and the flags say, checked for shape only (`deny_unknown_fields`, no I/O);
//! [`Config`] is resolved: defaults applied, durations and addresses parsed, log vkeys
//! parsed, the witness key loaded. Nothing serves before resolution succeeds.
//!
//! Example `witness.toml` (every field optional; docs/witness.md repeats this):
//!
//! ```toml
//! listen = "0.0.0.0:8081"
//! data_dir = "/var/lib/docket-witness"
//! poll_interval = "30s"
//!
//! [[log]]
//! vkey = "example.org/log+1234abcd+AU..."
//! url = "https://example.org/log"       # optional: enables pull mode
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use docket_core::note::{KeyType, VerifierKey};
use docket_daemon::serve::ServeLimits;
use serde::Deserialize;

use crate::cli::ServeArgs;
use crate::keys::{self, WitnessKey};

/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./witness-data";
/// Default listen address (loopback only; put a reverse proxy in front to publish it).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8081";
/// Default witness name for `witness init`.
pub const DEFAULT_NAME: &str = "localhost/witness";
/// Default key file name inside the data directory.
pub const DEFAULT_KEY_FILE: &str = "witness.skey";
/// Default cap on an add-checkpoint body. A request is `old`, at most 63 proof lines
/// of 45 bytes, and a checkpoint note; 128 KiB leaves room for the 16 signatures a note
/// must be allowed to carry (c2sp.org/signed-note) even at ML-DSA size (~3.3 KB each).
pub const DEFAULT_MAX_BODY_BYTES: usize = 128 * 1024;
/// Default pull-mode poll interval.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// Default timeout for each HTTP request the witness makes in pull mode.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for how far the clock may run ahead of the last cosignature plus the time
/// elapsed since before the witness refuses to cosign (see `docket_daemon::clock`).
pub const DEFAULT_MAX_CLOCK_JUMP: Duration = Duration::from_secs(3600);

/// The TOML file, as written. Every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Address to listen on, `IP:PORT`. Default `127.0.0.1:8081`; `--listen` overrides.
    pub listen: Option<String>,
    /// Directory for the key and the database (`<data_dir>/db`). Default
    /// `./witness-data`; `--data-dir` overrides.
    pub data_dir: Option<PathBuf>,
    /// The witness private key (skey text, type 0x04). Relative paths are relative to
    /// the data directory. Default `witness.skey`.
    pub key_file: Option<PathBuf>,
    /// Largest accepted `POST /add-checkpoint` body in bytes; larger gets 413. Default
    /// 131072.
    pub max_body_bytes: Option<usize>,
    /// How often to poll each log that has a `url`, e.g. `"30s"`, `"500ms"`, `"5m"`.
    /// Default `"30s"`; a log's own `poll_interval` overrides.
    pub poll_interval: Option<String>,
    /// Timeout for each HTTP request in pull mode. Default `"10s"`.
    pub fetch_timeout: Option<String>,
    /// A request head must arrive in full within this, also the longest wait for the
    /// next request on a kept-alive connection. Default `"10s"`.
    pub header_timeout: Option<String>,
    /// A request body must arrive in full within this after its head. Default `"30s"`.
    pub body_timeout: Option<String>,
    /// A connection with no request in flight and no byte moving for this long is
    /// closed. Default `"60s"`.
    pub idle_timeout: Option<String>,
    /// Most connections open at once; more wait to be accepted. Default 512.
    pub max_connections: Option<usize>,
    /// How far the clock may run ahead of the last cosignature plus the time elapsed
    /// since before the witness refuses to cosign. Default `"1h"`.
    pub max_clock_jump: Option<String>,
    /// Set by `--accept-clock-jump` only: do not anchor the clock check to the stored
    /// timestamps at start-up.
    #[serde(skip)]
    pub accept_clock_jump: bool,
    /// TLS certificate chain (PEM) to serve HTTPS with; needs `tls_key`. Reloaded on
    /// SIGHUP. Default none (plain HTTP, e.g. behind a reverse proxy).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Extra CA certificates (PEM) trusted when polling https:// logs, besides the
    /// system's.
    pub ca_file: Option<PathBuf>,
    /// The logs this witness witnesses. `--log` flags add more.
    #[serde(default, rename = "log")]
    pub logs: Vec<RawLog>,
}

/// One `[[log]]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    /// The checkpoint origin line. Default: the vkey's name (which SHOULD equal the
    /// origin, but need not: sum.golang.org is the counterexample).
    pub origin: Option<String>,
    /// The log's note verifier key (`name+keyid+base64`, type 0x01). Required.
    pub vkey: String,
    /// More keys the log may sign with (key rotation). Any configured key whose line is
    /// present must verify; at least one must be present. Default none.
    #[serde(default)]
    pub extra_vkeys: Vec<String>,
    /// The log's tlog-tiles URL prefix (serving `/checkpoint` and `/tile/...`). When
    /// set, the witness polls it (pull mode). Default none (push only).
    pub url: Option<String>,
    /// Poll interval for this log. Default: the top-level `poll_interval`.
    pub poll_interval: Option<String>,
}

/// A log the witness witnesses, resolved.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// The checkpoint origin line.
    pub origin: String,
    /// The log's trusted keys.
    pub verifiers: Vec<VerifierKey>,
    /// The tlog-tiles prefix to poll, without a trailing slash; `None`: push only.
    pub url: Option<String>,
    /// How often to poll `url`.
    pub poll_interval: Duration,
}

/// Everything `witness serve` needs, resolved and checked.
#[derive(Debug)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
    /// The witness's signing key.
    pub key: WitnessKey,
    /// Cap on add-checkpoint bodies.
    pub max_body_bytes: usize,
    /// Timeout for each HTTP request in pull mode.
    pub fetch_timeout: Duration,
    /// Timeouts and the connection limit of the HTTP server.
    pub serve: ServeLimits,
    /// How far the clock may jump ahead (see [`RawConfig::max_clock_jump`]).
    pub max_clock_jump: Duration,
    /// Skip anchoring the clock check at start-up (`--accept-clock-jump`).
    pub accept_clock_jump: bool,
    /// The logs witnessed, in config order; origins are unique.
    pub logs: Vec<LogConfig>,
    /// TLS certificate and key to serve HTTPS with, if any.
    pub tls: Option<docket_common::listener::TlsFiles>,
    /// How pull mode reaches https:// logs.
    pub client_tls: docket_common::https::TlsOptions,
}

/// What was wrong with the settings.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for [`RawConfig`].
    #[error("parsing {path}: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// Why.
        source: toml::de::Error,
    },
    /// The TLS settings are incomplete.
    #[error("TLS: {reason}")]
    Tls {
        /// What is missing.
        reason: String,
    },
    /// The listen address is not `IP:PORT`.
    #[error("listen address {text:?} is not IP:PORT")]
    BadListen {
        /// What was given.
        text: String,
    },
    /// A duration is not a number followed by `ms`, `s`, `m` or `h`.
    #[error("{field}: {text:?} is not a duration like \"30s\", \"500ms\", \"5m\", \"1h\"")]
    BadDuration {
        /// Which setting.
        field: &'static str,
        /// What was given.
        text: String,
    },
    /// A log vkey does not parse.
    #[error("log vkey {text:?}: {reason}")]
    BadVkey {
        /// The vkey text.
        text: String,
        /// Why.
        reason: String,
    },
    /// A log URL is not an http(s) URL.
    #[error("log URL {text:?} must start with http:// or https://")]
    BadUrl {
        /// The URL text.
        text: String,
    },
    /// Two logs with the same origin.
    #[error("origin {origin:?} is configured twice")]
    DuplicateOrigin {
        /// The origin.
        origin: String,
    },
    /// An origin that cannot be a checkpoint origin line.
    #[error("origin {origin:?} is empty or contains a newline")]
    BadOrigin {
        /// The origin.
        origin: String,
    },
    /// `max_body_bytes` is 0.
    #[error("max_body_bytes must be at least 1")]
    ZeroBodyLimit,
    /// A serving limit is zero.
    #[error("{0}")]
    BadLimit(String),
    /// The witness key could not be loaded.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
}

impl RawConfig {
    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<RawConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        RawConfig::from_toml(&text).map_err(|source| ConfigError::Toml {
            path: path.to_owned(),
            source,
        })
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<RawConfig, toml::de::Error> {
        toml::from_str(text)
    }

    /// Applies command-line flags on top of the file: scalar flags replace, `--log`
    /// flags add logs (`VKEY` or `VKEY=URL`; Ed25519 vkeys never contain `=`).
    pub fn with_flags(mut self, flags: &ServeArgs) -> RawConfig {
        if let Some(dir) = &flags.data_dir {
            self.data_dir = Some(dir.clone());
        }
        if let Some(listen) = &flags.listen {
            self.listen = Some(listen.clone());
        }
        self.accept_clock_jump |= flags.accept_clock_jump;
        if flags.tls_cert.is_some() {
            self.tls_cert = flags.tls_cert.clone();
        }
        if flags.tls_key.is_some() {
            self.tls_key = flags.tls_key.clone();
        }
        if flags.ca_file.is_some() {
            self.ca_file = flags.ca_file.clone();
        }
        for spec in &flags.logs {
            // `URL=VKEY` like every Docket program; the old `VKEY=URL` still works. A
            // spec that parses as neither is kept whole as the vkey, so resolution
            // rejects it with the text the user gave.
            let (vkey, url) = match docket_common::args::url_key("--log", spec, true) {
                Ok(pair) => {
                    if pair.old_order {
                        eprintln!(
                            "witness: warning: --log VKEY=URL is deprecated, write --log URL=VKEY"
                        );
                    }
                    (pair.vkey, pair.url)
                }
                Err(_) => (spec.clone(), None),
            };
            self.logs.push(RawLog {
                vkey,
                url,
                ..RawLog::default()
            });
        }
        self
    }

    /// The data directory these settings name.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    /// The key file these settings name.
    pub fn key_file(&self) -> PathBuf {
        let file = self
            .key_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE));
        self.data_dir().join(file)
    }

    /// Resolves everything (reads the key file) and checks it.
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let listen_text = self.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen = listen_text
            .parse::<SocketAddr>()
            .map_err(|_| ConfigError::BadListen {
                text: listen_text.to_owned(),
            })?;
        let max_body_bytes = self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        let default_poll = optional_duration("poll_interval", self.poll_interval.as_deref())?
            .unwrap_or(DEFAULT_POLL_INTERVAL);
        let fetch_timeout = optional_duration("fetch_timeout", self.fetch_timeout.as_deref())?
            .unwrap_or(DEFAULT_FETCH_TIMEOUT);
        let defaults = ServeLimits::default();
        let serve = ServeLimits {
            header_timeout: optional_duration("header_timeout", self.header_timeout.as_deref())?
                .unwrap_or(defaults.header_timeout),
            body_timeout: optional_duration("body_timeout", self.body_timeout.as_deref())?
                .unwrap_or(defaults.body_timeout),
            idle_timeout: optional_duration("idle_timeout", self.idle_timeout.as_deref())?
                .unwrap_or(defaults.idle_timeout),
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
        };
        serve.check().map_err(ConfigError::BadLimit)?;
        let max_clock_jump = optional_duration("max_clock_jump", self.max_clock_jump.as_deref())?
            .unwrap_or(DEFAULT_MAX_CLOCK_JUMP);
        let mut logs: Vec<LogConfig> = Vec::new();
        for raw in &self.logs {
            let log = resolve_log(raw, default_poll)?;
            if logs.iter().any(|l| l.origin == log.origin) {
                return Err(ConfigError::DuplicateOrigin { origin: log.origin });
            }
            logs.push(log);
        }
        let key = keys::load_key(&self.key_file())?;
        let tls = docket_common::listener::TlsFiles::from_flags(
            self.tls_cert.clone(),
            self.tls_key.clone(),
        )
        .map_err(|reason| ConfigError::Tls { reason })?;
        Ok(Config {
            tls,
            client_tls: docket_common::https::TlsOptions::with_ca_file(self.ca_file.clone()),
            listen,
            data_dir: self.data_dir(),
            key,
            max_body_bytes,
            fetch_timeout,
            serve,
            max_clock_jump,
            accept_clock_jump: self.accept_clock_jump,
            logs,
        })
    }
}

fn resolve_log(raw: &RawLog, default_poll: Duration) -> Result<LogConfig, ConfigError> {
    let mut verifiers = Vec::new();
    for text in std::iter::once(&raw.vkey).chain(&raw.extra_vkeys) {
        let verifier = VerifierKey::parse(text).map_err(|e| ConfigError::BadVkey {
            text: text.clone(),
            reason: e.to_string(),
        })?;
        // Only an Ed25519 note key (0x01) can vouch for a checkpoint; accepting a 0x04
        // key here would let a witness's cosignature pass for the log's signature.
        if verifier.key_type() != KeyType::Ed25519 {
            return Err(ConfigError::BadVkey {
                text: text.clone(),
                reason: format!(
                    "a log key must be Ed25519 (type 0x01), not {}",
                    verifier.key_type()
                ),
            });
        }
        verifiers.push(verifier);
    }
    let origin = match &raw.origin {
        Some(origin) => origin.clone(),
        None => verifiers[0].name().as_str().to_owned(),
    };
    if origin.is_empty() || origin.contains('\n') {
        return Err(ConfigError::BadOrigin { origin });
    }
    let url = match &raw.url {
        None => None,
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Some(url.trim_end_matches('/').to_owned())
        }
        Some(url) => return Err(ConfigError::BadUrl { text: url.clone() }),
    };
    let poll_interval =
        optional_duration("poll_interval", raw.poll_interval.as_deref())?.unwrap_or(default_poll);
    Ok(LogConfig {
        origin,
        verifiers,
        url,
        poll_interval,
    })
}

fn optional_duration(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<Duration>, ConfigError> {
    text.map(|t| {
        parse_duration(t).ok_or_else(|| ConfigError::BadDuration {
            field,
            text: t.to_owned(),
        })
    })
    .transpose()
}

/// Parses `"500ms"`, `"30s"`, `"5m"`, `"1h"` (a positive decimal integer and a unit).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    if number.is_empty() || (number.len() > 1 && number.starts_with('0')) {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    if n == 0 {
        return None;
    }
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
