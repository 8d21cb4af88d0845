//! Getting checkpoints cosigned: the async [`Cosigner`] trait the sequencer calls once
//! per checkpoint and per witness, and [`HttpWitness`], a c2sp.org/tlog-witness client
//! (digest §6.1).
//!
//! The client remembers, per witness, the size it last cosigned (0 at start). It posts
//! `old <N>`, the consistency proof from N (built from the store), an empty line and the
//! log-signed checkpoint to `<url>/add-checkpoint`. On 409 the body (`text/x.tlog.size`)
//! gives the witness's size: it rebuilds the proof from that size and resends once.
//! Of the returned lines, ONE is kept: the first that verifies under the configured
//! cosigner vkey (type 0x04). A witness may legitimately sign the same checkpoint at many
//! timestamps; keeping them all would let one witness push the note past the signed-note
//! line limit and so strip every other witness's cosignature. The response body is
//! capped while it is read, not after. Anything else is an error, counted by the
//! sequencer, never fatal, except a witness reporting a larger tree than the log's
//! ([`CosignError::WitnessAhead`]), which stops signing (see [`crate::sequencer`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use docket_core::cosignature;
use docket_core::merkle::Hash;
use docket_core::note::{Note, Signature, VerifierKey};
use docket_core::witness::{self, ADD_CHECKPOINT_PATH, AddCheckpointRequest};

/// Largest response body accepted from a witness, enforced while reading: a witness
/// answers with a few signature lines (one cosignature/v1 line is ~130 bytes; 256 kB
/// leaves room for a few post-quantum lines too).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// A boxed future, so [`Cosigner`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Consistency proofs between any two published sizes (a witness may ask, through its
/// 409, for a proof from an older size).
pub trait ConsistencySource: Send + Sync {
    /// The RFC 6962 consistency proof from `old` to `new` (0 < old <= new).
    fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, String>;
}

impl ConsistencySource for crate::store::LogStore {
    fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, String> {
        crate::store::LogStore::consistency_proof(self, old, new).map_err(|err| err.to_string())
    }
}

/// What a cosigner is asked to cosign.
#[derive(Clone)]
pub struct CosignRequest {
    /// The checkpoint note, signed by the log.
    pub note: Note,
    /// Its tree size.
    pub size: u64,
    /// Where consistency proofs come from.
    pub proofs: Arc<dyn ConsistencySource>,
}

/// Why a cosigner gave no cosignature.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CosignError {
    /// The request could not be sent or the response read.
    #[error("transport: {0}")]
    Transport(String),
    /// The witness answered with an unexpected status.
    #[error("witness answered {status}: {body}")]
    Status {
        /// HTTP status code.
        status: u16,
        /// Start of the response body.
        body: String,
    },
    /// The witness's response or 409 size could not be used.
    #[error("bad witness response: {0}")]
    BadResponse(String),
    /// The witness is ahead of the log (its size is larger): a fork, or another log
    /// instance with the same key.
    #[error("witness has size {witness} beyond the log's {log}")]
    WitnessAhead {
        /// The witness's size.
        witness: u64,
        /// The checkpoint's size.
        log: u64,
    },
    /// A consistency proof could not be built.
    #[error("consistency proof: {0}")]
    Proof(String),
    /// No answer within the configured timeout.
    #[error("timed out")]
    Timeout,
}

/// Something that cosigns the log's checkpoints (a witness).
pub trait Cosigner: Send + Sync {
    /// A short name for logs and metrics.
    fn name(&self) -> &str;

    /// The cosigner key its lines must verify under (the sequencer checks each line
    /// again and keeps one per key).
    fn key(&self) -> &VerifierKey;

    /// Cosignature lines over `request.note`'s text, already checked against this
    /// cosigner's key.
    fn cosign<'a>(
        &'a self,
        request: &'a CosignRequest,
    ) -> BoxFuture<'a, Result<Vec<Signature>, CosignError>>;
}

/// A c2sp.org/tlog-witness client.
pub struct HttpWitness {
    url: String,
    key: VerifierKey,
    client: reqwest::Client,
    /// The size this witness last cosigned, as far as we know.
    known_size: Mutex<u64>,
}

impl std::fmt::Debug for HttpWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpWitness")
            .field("url", &self.url)
            .field("key", &self.key.to_vkey())
            .finish()
    }
}

impl HttpWitness {
    /// A client for the witness at submission prefix `url` with cosigner key `key`.
    pub fn new(url: &str, key: VerifierKey, client: reqwest::Client) -> HttpWitness {
        HttpWitness {
            url: format!("{}/{ADD_CHECKPOINT_PATH}", url.trim_end_matches('/')),
            key,
            client,
            known_size: Mutex::new(0),
        }
    }

    fn known_size(&self) -> u64 {
        *self.known_size.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_known_size(&self, size: u64) {
        *self.known_size.lock().unwrap_or_else(|e| e.into_inner()) = size;
    }

    async fn proof(&self, request: &CosignRequest, old: u64) -> Result<Vec<Hash>, CosignError> {
        if old == 0 || old == request.size {
            return Ok(Vec::new());
        }
        let proofs = request.proofs.clone();
        let size = request.size;
        tokio::task::spawn_blocking(move || proofs.consistency_proof(old, size))
            .await
            .map_err(|err| CosignError::Proof(err.to_string()))?
            .map_err(CosignError::Proof)
    }

    /// One POST; `Ok(Err(size))` is a 409 with the witness's size.
    async fn post(
        &self,
        request: &CosignRequest,
        old: u64,
    ) -> Result<Result<Vec<u8>, u64>, CosignError> {
        let proof = self.proof(request, old).await?;
        let body = AddCheckpointRequest::new(old, proof, request.note.clone())
            .map_err(|err| CosignError::Proof(err.to_string()))?
            .to_text();
        let response = self
            .client
            .post(&self.url)
            .body(body)
            .send()
            .await
            .map_err(|err| CosignError::Transport(err.to_string()))?;
        let status = response.status().as_u16();
        let bytes = read_capped(response, MAX_RESPONSE_BYTES).await?;
        match status {
            200 => Ok(Ok(bytes.to_vec())),
            409 => witness::parse_size_body(&bytes)
                .map(Err)
                .map_err(|err| CosignError::BadResponse(err.to_string())),
            _ => Err(CosignError::Status {
                status,
                body: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            }),
        }
    }

    /// Keeps the returned lines from this witness's key, each verified; lines from other
    /// keys are ignored, a line from this key that does not verify is an error.
    fn check_lines(
        &self,
        request: &CosignRequest,
        body: &[u8],
    ) -> Result<Vec<Signature>, CosignError> {
        let lines = witness::parse_cosignatures(body)
            .map_err(|err| CosignError::BadResponse(err.to_string()))?;
        for line in lines {
            if line.name() != self.key.name() || line.key_id() != self.key.key_id() {
                continue;
            }
            cosignature::verify(&self.key, request.note.text(), &line)
                .map_err(|err| CosignError::BadResponse(format!("cosignature: {err}")))?;
            // One line per witness key: the rest (other timestamps) add nothing.
            return Ok(vec![line]);
        }
        Err(CosignError::BadResponse(
            "no cosignature from the witness's key".into(),
        ))
    }
}

/// Reads a response body, failing as soon as it exceeds `cap` bytes (a declared
/// Content-Length over the cap fails before anything is read).
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, CosignError> {
    let too_large = || CosignError::BadResponse(format!("response larger than {cap} bytes"));
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| CosignError::Transport(err.to_string()))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Cosigner for HttpWitness {
    fn name(&self) -> &str {
        self.key.name().as_str()
    }

    fn key(&self) -> &VerifierKey {
        &self.key
    }

    fn cosign<'a>(
        &'a self,
        request: &'a CosignRequest,
    ) -> BoxFuture<'a, Result<Vec<Signature>, CosignError>> {
        Box::pin(async move {
            let mut old = self.known_size().min(request.size);
            let mut retried = false;
            loop {
                match self.post(request, old).await? {
                    Ok(body) => {
                        let lines = self.check_lines(request, &body)?;
                        self.set_known_size(request.size);
                        return Ok(lines);
                    }
                    Err(witness_size) if witness_size > request.size => {
                        return Err(CosignError::WitnessAhead {
                            witness: witness_size,
                            log: request.size,
                        });
                    }
                    Err(witness_size) if !retried && witness_size != old => {
                        self.set_known_size(witness_size);
                        old = witness_size;
                        retried = true;
                    }
                    Err(witness_size) => {
                        return Err(CosignError::BadResponse(format!(
                            "409 again (witness size {witness_size})"
                        )));
                    }
                }
            }
        })
    }
}
