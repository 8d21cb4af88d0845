//! The daemons' listening socket: plain TCP, or TLS terminated here with a certificate
//! and key read from PEM files and reloaded on SIGHUP (so a renewed certificate is picked
//! up without a restart). Both kinds implement axum's `Listener`, so a daemon serves
//! them with the same `axum::serve` call; nothing above the socket changes.
//!
//! Handshakes run in their own tasks, each bounded by [`HANDSHAKE_TIMEOUT`] and at most
//! [`MAX_HANDSHAKES`] at once, so a client that opens a connection and stays silent
//! cannot stall `accept` for everyone else. A reload that fails (missing file, key that
//! does not match) keeps the certificate in use and logs why.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};

/// The longest a TLS handshake may take before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The most handshakes in progress at once; beyond it new connections wait in the
/// kernel's backlog.
pub const MAX_HANDSHAKES: usize = 256;
/// The most bytes a certificate chain or key file may have.
const MAX_PEM_BYTES: u64 = 1 << 20;

/// The certificate chain and private key files (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl TlsFiles {
    /// Both flags or neither: one without the other is a usage error.
    pub fn from_flags(
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
    ) -> Result<Option<TlsFiles>, String> {
        match (cert, key) {
            (Some(cert), Some(key)) => Ok(Some(TlsFiles { cert, key })),
            (None, None) => Ok(None),
            (Some(_), None) => Err("--tls-cert needs --tls-key".into()),
            (None, Some(_)) => Err("--tls-key needs --tls-cert".into()),
        }
    }
}

/// Why the certificate or key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TLS {what} {path}: {reason}")]
pub struct LoadError {
    /// `"certificate"` or `"key"`.
    pub what: &'static str,
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub reason: String,
}

/// The certificate in use, swapped on reload. Every new handshake reads the current one.
#[derive(Debug)]
pub struct CertReloader {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl CertReloader {
    /// Loads the files; an error here stops the daemon from starting.
    pub fn load(files: TlsFiles) -> Result<Arc<CertReloader>, LoadError> {
        let current = RwLock::new(Arc::new(load_certified_key(&files)?));
        Ok(Arc::new(CertReloader { files, current }))
    }

    /// Reads the files again and, if they are good, uses them for new handshakes.
    pub fn reload(&self) -> Result<(), LoadError> {
        let fresh = Arc::new(load_certified_key(&self.files)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// The certificate chain in use (leaf first).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cert
            .clone()
    }
}

impl ResolvesServerCert for CertReloader {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn load_certified_key(files: &TlsFiles) -> Result<CertifiedKey, LoadError> {
    let cert_error = |reason: String| LoadError {
        what: "certificate",
        path: files.cert.clone(),
        reason,
    };
    let key_error = |reason: String| LoadError {
        what: "key",
        path: files.key.clone(),
        reason,
    };
    let cert_bytes = crate::https::read_capped(&files.cert, MAX_PEM_BYTES).map_err(cert_error)?;
    let chain = CertificateDer::pem_slice_iter(&cert_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| cert_error(format!("not PEM: {err}")))?;
    if chain.is_empty() {
        return Err(cert_error("holds no PEM certificate".into()));
    }
    let key_bytes = crate::https::read_capped(&files.key, MAX_PEM_BYTES).map_err(key_error)?;
    let key = PrivateKeyDer::from_pem_slice(&key_bytes)
        .map_err(|err| key_error(format!("no PEM private key: {err}")))?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|err| key_error(format!("unusable private key: {err}")))?;
    let certified = CertifiedKey::new(chain, signing);
    certified
        .keys_match()
        .map_err(|err| key_error(format!("does not match the certificate: {err}")))?;
    Ok(certified)
}

/// The server configuration for `reloader`'s certificate: TLS 1.2 and 1.3, HTTP/1.1.
pub fn server_config(reloader: Arc<CertReloader>) -> Result<Arc<rustls::ServerConfig>, LoadError> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| LoadError {
            what: "certificate",
            path: reloader.files.cert.clone(),
            reason: err.to_string(),
        })?
        .with_no_client_auth()
        .with_cert_resolver(reloader);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Reloads `reloader` on every SIGHUP until the runtime stops. Call it before the
/// daemon says it is listening, so a SIGHUP sent afterwards never meets the default
/// action (which would end the process).
#[cfg(unix)]
pub fn reload_on_sighup(
    reloader: Arc<CertReloader>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match reloader.reload() {
                Ok(()) => tracing::info!(
                    cert = %reloader.files.cert.display(),
                    "SIGHUP: reloaded the TLS certificate and key"
                ),
                Err(error) => tracing::error!(
                    %error,
                    "SIGHUP: TLS reload failed; still serving the previous certificate"
                ),
            }
        }
    }))
}

/// A listening socket, plain or TLS.
pub enum Listener {
    /// Plain HTTP.
    Plain(TcpListener),
    /// HTTPS: connections arrive here after their handshake.
    Tls(TlsListener),
}

impl Listener {
    /// Wraps `tcp`: TLS with `tls`'s certificate when given, plain otherwise.
    pub fn new(tcp: TcpListener, tls: Option<Arc<CertReloader>>) -> Result<Listener, LoadError> {
        match tls {
            None => Ok(Listener::Plain(tcp)),
            Some(reloader) => Ok(Listener::Tls(TlsListener::new(
                tcp,
                server_config(reloader)?,
            ))),
        }
    }

    /// `"https"` or `"http"`, for the URLs a daemon prints.
    pub fn scheme(&self) -> &'static str {
        match self {
            Listener::Plain(_) => "http",
            Listener::Tls(_) => "https",
        }
    }
}

impl From<TcpListener> for Listener {
    fn from(tcp: TcpListener) -> Listener {
        Listener::Plain(tcp)
    }
}

/// Accepts TCP connections and completes their TLS handshakes in the background.
pub struct TlsListener {
    ready: mpsc::Receiver<(Stream, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`.
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> TlsListener {
        let local = tcp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (sender, ready) = mpsc::channel(MAX_HANDSHAKES);
        let acceptor = tokio::spawn(accept_loop(
            tcp,
            tokio_rustls::TlsAcceptor::from(config),
            sender,
        ));
        TlsListener {
            ready,
            local,
            acceptor,
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    sender: mpsc::Sender<(Stream, SocketAddr)>,
) {
    let permits = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let (socket, peer) = tokio::select! {
            accepted = tcp.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    accept_error(error).await;
                    continue;
                }
            },
            () = sender.closed() => return,
        };
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(socket)).await {
                Ok(Ok(stream)) => {
                    let _ = sender.send((Stream::Tls(Box::new(stream)), peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// Accept errors (out of file descriptors, a connection reset before accept) are not
/// fatal: wait a moment so a full descriptor table is not spun on, then go on.
async fn accept_error(error: std::io::Error) {
    tracing::warn!(%error, "accept failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

impl axum::serve::Listener for Listener {
    type Io = Stream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Stream, SocketAddr) {
        match self {
            Listener::Plain(tcp) => loop {
                match TcpListener::accept(tcp).await {
                    Ok((socket, peer)) => return (Stream::Plain(socket), peer),
                    Err(error) => accept_error(error).await,
                }
            },
            Listener::Tls(tls) => match tls.ready.recv().await {
                Some(pair) => pair,
                // The accept loop only ends when this receiver is gone; never reached
                // while `self` is alive, so wait forever rather than invent a stream.
                None => std::future::pending().await,
            },
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match self {
            Listener::Plain(tcp) => tcp.local_addr(),
            Listener::Tls(tls) => Ok(tls.local),
        }
    }
}

/// A connection: plain TCP or TLS over TCP.
pub enum Stream {
    /// Plain.
    Plain(TcpStream),
    /// TLS.
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }
}
