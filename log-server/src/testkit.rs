//! Test and benchmark support, not used by the server itself: an in-process witness
//! ([`FakeWitness`], a [`Cosigner`] that runs the real `docket_core::witness::decide`)
//! and a tiny HTTP tlog-witness ([`spawn_http_witness`]) for exercising the real
//! [`crate::cosign::HttpWitness`] client. Both keep their state in memory. Both can be
//! made to lie: a clock offset (cosignatures dated in the future or past) and extra
//! valid cosignature lines at other timestamps (a witness flooding the note).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_core::cosignature;
use docket_core::note::{KeyName, KeyType, Signature, SignerKey, VerifierKey};
use docket_core::time::UnixSeconds;
use docket_core::witness::{self, AddCheckpointRequest, KnownLog, TreeState};

use crate::cosign::{BoxFuture, CosignError, CosignRequest, Cosigner};

/// A witness's key pair from a fixed seed.
pub fn witness_key(name: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(
        KeyName::new(name).expect("test witness names are valid"),
        KeyType::CosignatureV1,
        [seed; 32],
    )
    .expect("a cosignature key from a seed")
}

fn now_seconds() -> UnixSeconds {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixSeconds(now.as_secs().max(1))
}

/// Witness state and logic shared by both fakes.
struct WitnessCore {
    key: SignerKey,
    vkey: VerifierKey,
    log_keys: Vec<VerifierKey>,
    state: Mutex<Option<TreeState>>,
    /// Seconds added to the real clock for cosignature times.
    offset_secs: AtomicI64,
    /// Extra valid lines (at later timestamps) returned with each cosignature.
    extra_lines: AtomicUsize,
}

impl WitnessCore {
    /// Decides a request and, if accepted, records the state and cosigns: the same
    /// steps as a real witness (compare-and-swap under one lock).
    fn new(key: SignerKey, log_keys: Vec<VerifierKey>) -> WitnessCore {
        WitnessCore {
            vkey: key.verifier(),
            key,
            log_keys,
            state: Mutex::new(None),
            offset_secs: AtomicI64::new(0),
            extra_lines: AtomicUsize::new(0),
        }
    }

    fn handle(&self, request: &AddCheckpointRequest) -> Result<Vec<Signature>, witness::Rejection> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let accepted = witness::decide(
            request,
            Some(KnownLog {
                keys: &self.log_keys,
                state: *state,
            }),
        )?;
        *state = Some(accepted.state());
        let offset = self.offset_secs.load(Ordering::Relaxed);
        let now = now_seconds().0.saturating_add_signed(offset).max(1);
        let extra = self.extra_lines.load(Ordering::Relaxed) as u64;
        Ok((now..=now + extra)
            .map(|time| {
                cosignature::sign(&self.key, accepted.note().text(), UnixSeconds(time))
                    .expect("cosigning an accepted checkpoint")
            })
            .collect())
    }

    fn size(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map_or(0, |s| s.size)
    }
}

/// An in-process witness: a [`Cosigner`] that checks each checkpoint like a real
/// witness (log signature, stored size, consistency proof) without HTTP.
pub struct FakeWitness {
    name: String,
    core: WitnessCore,
    /// When set, every request fails (to test that failures are not fatal).
    pub fail: std::sync::atomic::AtomicBool,
    /// Milliseconds to wait before answering (to test timeouts and back-pressure).
    pub delay_ms: std::sync::atomic::AtomicU64,
}

impl FakeWitness {
    /// A witness named `name` (key from `seed`) that trusts `log_vkey`.
    pub fn new(name: &str, seed: u8, log_vkey: &str) -> FakeWitness {
        FakeWitness {
            name: name.to_string(),
            core: WitnessCore::new(
                witness_key(name, seed),
                vec![VerifierKey::parse(log_vkey).expect("a valid log vkey")],
            ),
            fail: std::sync::atomic::AtomicBool::new(false),
            delay_ms: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Its cosigner vkey.
    pub fn vkey(&self) -> String {
        self.core.key.verifier().to_vkey()
    }

    /// The size it last cosigned.
    pub fn size(&self) -> u64 {
        self.core.size()
    }

    /// Dates its cosignatures `secs` seconds away from the real clock.
    pub fn set_clock_offset(&self, secs: i64) {
        self.core.offset_secs.store(secs, Ordering::Relaxed);
    }
}

impl Cosigner for FakeWitness {
    fn name(&self) -> &str {
        &self.name
    }

    fn key(&self) -> &VerifierKey {
        &self.core.vkey
    }

    fn cosign<'a>(
        &'a self,
        request: &'a CosignRequest,
    ) -> BoxFuture<'a, Result<Vec<Signature>, CosignError>> {
        Box::pin(async move {
            let delay = self.delay_ms.load(std::sync::atomic::Ordering::Relaxed);
            if delay > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            }
            if self.fail.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(CosignError::Transport("configured to fail".into()));
            }
            let old = self.core.size().min(request.size);
            let proof = if old == 0 || old == request.size {
                Vec::new()
            } else {
                request
                    .proofs
                    .consistency_proof(old, request.size)
                    .map_err(CosignError::Proof)?
            };
            let add = AddCheckpointRequest::new(old, proof, request.note.clone())
                .map_err(|err| CosignError::Proof(err.to_string()))?;
            self.core.handle(&add).map_err(|err| CosignError::Status {
                status: err.http_status(),
                body: err.to_string(),
            })
        })
    }
}

/// A running HTTP witness.
pub struct HttpWitnessServer {
    /// Its submission prefix, e.g. `http://127.0.0.1:1234`.
    pub url: String,
    /// Its cosigner vkey.
    pub vkey: String,
    core: Arc<WitnessCore>,
    task: tokio::task::JoinHandle<()>,
}

impl HttpWitnessServer {
    /// The size it last cosigned.
    pub fn size(&self) -> u64 {
        self.core.size()
    }

    /// Makes every answer carry `count` extra valid cosignature lines (other timestamps).
    pub fn set_extra_lines(&self, count: usize) {
        self.core.extra_lines.store(count, Ordering::Relaxed);
    }

    /// Dates its cosignatures `secs` seconds away from the real clock.
    pub fn set_clock_offset(&self, secs: i64) {
        self.core.offset_secs.store(secs, Ordering::Relaxed);
    }

    /// Sets its stored state (to make the log's next request stale and get a 409).
    pub fn set_state(&self, state: Option<TreeState>) {
        *self.core.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

impl Drop for HttpWitnessServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn add_checkpoint(State(core): State<Arc<WitnessCore>>, body: Bytes) -> Response {
    let result = AddCheckpointRequest::parse(&body)
        .map_err(witness::Rejection::Malformed)
        .and_then(|request| core.handle(&request));
    match result {
        Ok(lines) => (StatusCode::OK, witness::format_cosignatures(&lines)).into_response(),
        Err(rejection) => {
            let status = StatusCode::from_u16(rejection.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match rejection.conflict_size() {
                Some(size) => (
                    status,
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(witness::SIZE_CONTENT_TYPE),
                    )],
                    witness::format_size_body(size),
                )
                    .into_response(),
                None => (status, rejection.to_string()).into_response(),
            }
        }
    }
}

/// Starts an HTTP tlog-witness on a free loopback port, trusting `log_vkey`.
pub async fn spawn_http_witness(
    name: &str,
    seed: u8,
    log_vkey: &str,
) -> std::io::Result<HttpWitnessServer> {
    let core = Arc::new(WitnessCore::new(
        witness_key(name, seed),
        vec![VerifierKey::parse(log_vkey).map_err(std::io::Error::other)?],
    ));
    let app = axum::Router::new()
        .route(
            &format!("/{}", witness::ADD_CHECKPOINT_PATH),
            axum::routing::post(add_checkpoint),
        )
        .with_state(core.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(HttpWitnessServer {
        url: format!("http://{addr}"),
        vkey: core.key.verifier().to_vkey(),
        core,
        task,
    })
}
