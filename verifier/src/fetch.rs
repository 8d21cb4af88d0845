//! Fetching a log's public files: the [`Fetcher`] trait (a path under a base URL →
//! bytes), its HTTP implementation, and an in-memory one for tests and tools that already
//! hold the files. Nothing fetched is trusted: callers check every byte against a
//! checkpoint that satisfied the policy.
//!
//! Paths are relative to the log's tlog-tiles prefix: `checkpoint`, `tile/0/000`,
//! `tile/entries/001.p/7`, `v1/checkpoints?from=0`.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::Mutex;
use std::time::Duration;

/// The most bytes one response may have: a full entry bundle of 256 maximal entries
/// (256 × (2 + 65,535)) is the largest thing a tlog-tiles log serves; JSON helper pages
/// are far smaller.
pub const MAX_RESPONSE_BYTES: u64 = 256 * (2 + 65_535);

/// How long one request may take before the verifier gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a fetch failed. None of these says anything about the log's honesty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server has no such file (404).
    #[error("{url}: not found (404)")]
    NotFound {
        /// The URL.
        url: String,
    },
    /// Another non-success status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The connection or the transfer failed.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// The TLS handshake failed: an untrusted, expired or misnamed certificate.
    #[error("{url}: {message}")]
    Tls {
        /// The URL.
        url: String,
        /// What was wrong and what to do.
        message: String,
    },
    /// The response is larger than [`MAX_RESPONSE_BYTES`].
    #[error("{url}: response larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge {
        /// The URL.
        url: String,
    },
}

/// A source of a log's files by path.
pub trait Fetcher: Send + Sync {
    /// The bytes at `path` (relative to the log's prefix, no leading `/`).
    fn fetch(&self, path: &str) -> Result<Vec<u8>, FetchError>;

    /// Where `path` lives, for messages.
    fn url(&self, path: &str) -> String;
}

/// Fetches over HTTP(S) with a blocking client.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    base: String,
    client: reqwest::blocking::Client,
}

impl HttpFetcher {
    /// A fetcher for the log whose tlog-tiles prefix is `base` (e.g.
    /// `http://127.0.0.1:8080`); a trailing `/` is ignored. Trusts the system's CAs.
    pub fn new(base: &str) -> Result<HttpFetcher, FetchError> {
        HttpFetcher::with_tls(base, &docket_common::https::TlsOptions::default())
    }

    /// [`HttpFetcher::new`], also trusting `tls`'s CA file.
    pub fn with_tls(
        base: &str,
        tls: &docket_common::https::TlsOptions,
    ) -> Result<HttpFetcher, FetchError> {
        let builder =
            docket_common::https::blocking_builder(tls).map_err(|e| FetchError::Transport {
                url: base.to_string(),
                message: e.to_string(),
            })?;
        let client = builder
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("docket-verifier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Transport {
                url: base.to_string(),
                message: e.to_string(),
            })?;
        Ok(HttpFetcher {
            base: base.trim_end_matches('/').to_string(),
            client,
        })
    }
}

impl Fetcher for HttpFetcher {
    fn fetch(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        let url = self.url(path);
        let transport = |e: &dyn std::fmt::Display| FetchError::Transport {
            url: url.clone(),
            message: e.to_string(),
        };
        let response = self.client.get(&url).send().map_err(|e| {
            let failure = docket_common::https::describe(&e);
            match failure.kind {
                docket_common::https::FailureKind::Tls => FetchError::Tls {
                    url: url.clone(),
                    message: failure.message,
                },
                _ => FetchError::Transport {
                    url: url.clone(),
                    message: failure.message,
                },
            }
        })?;
        let status = response.status().as_u16();
        if status == 404 {
            return Err(FetchError::NotFound { url });
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::Status { url, status });
        }
        let mut body = Vec::new();
        response
            .take(MAX_RESPONSE_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| transport(&e))?;
        if body.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(FetchError::TooLarge { url });
        }
        Ok(body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path)
    }
}

/// Serves files from memory by path, counting requests. For tests (serve a log built by
/// hand, or a tampered copy of a real one) and for tools that already hold the files.
#[derive(Debug, Default)]
pub struct MemoryFetcher {
    files: Mutex<HashMap<String, Vec<u8>>>,
    requests: Mutex<Vec<String>>,
}

impl MemoryFetcher {
    /// An empty store.
    pub fn new() -> MemoryFetcher {
        MemoryFetcher::default()
    }

    /// Sets the bytes served at `path`.
    pub fn insert(&self, path: impl Into<String>, bytes: Vec<u8>) {
        self.lock_files().insert(path.into(), bytes);
    }

    /// Removes `path`, so it answers 404.
    pub fn remove(&self, path: &str) -> Option<Vec<u8>> {
        self.lock_files().remove(path)
    }

    /// The bytes at `path`, if any.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.lock_files().get(path).cloned()
    }

    /// Every path held.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.lock_files().keys().cloned().collect();
        paths.sort();
        paths
    }

    /// Every path requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn lock_files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Fetcher for MemoryFetcher {
    fn fetch(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        self.get(path).ok_or_else(|| FetchError::NotFound {
            url: self.url(path),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("memory:/{path}")
    }
}

impl<T: Fetcher + ?Sized> Fetcher for std::sync::Arc<T> {
    fn fetch(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        (**self).fetch(path)
    }

    fn url(&self, path: &str) -> String {
        (**self).url(path)
    }
}
