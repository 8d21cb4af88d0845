//! The log's listening socket: plain HTTP, or HTTPS terminated here when `[public]`
//! names a certificate and key (`--tls-cert`, `--tls-key`), reloaded on SIGHUP. Kept
//! apart from the server's start-up so the serving code does not change with it; the
//! TLS work itself is `docket_common::listener`.

use std::net::SocketAddr;

use docket_common::listener::{CertReloader, Listener, TlsFiles};

use crate::config::Config;
use crate::server::ServerError;

/// A bound socket, ready for `axum::serve`.
pub struct Bound {
    /// The listener.
    pub listener: Listener,
    /// The address bound (with the real port when 0 was asked).
    pub addr: SocketAddr,
    /// `"https"` or `"http"`.
    pub scheme: &'static str,
}

/// Loads the certificate (if any) before binding, so a bad one stops start-up with its
/// reason, then binds `config.listen` and starts reloading the certificate on SIGHUP.
pub async fn bind(config: &Config) -> Result<Bound, ServerError> {
    let io = |what: String, err: &dyn std::fmt::Display| ServerError::Io {
        what,
        reason: err.to_string(),
    };
    let files = TlsFiles::from_flags(
        config.public.tls_cert.clone(),
        config.public.tls_key.clone(),
    )
    .map_err(|reason| io("TLS settings".into(), &reason))?;
    let tls = match files {
        Some(files) => Some(CertReloader::load(files).map_err(|err| io("TLS".into(), &err))?),
        None => None,
    };
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|err| io(format!("binding {}", config.listen), &err))?;
    let addr = tcp
        .local_addr()
        .map_err(|err| io("reading the bound address".into(), &err))?;
    #[cfg(unix)]
    if let Some(reloader) = &tls {
        docket_common::listener::reload_on_sighup(reloader.clone())
            .map_err(|err| io("listening for SIGHUP".into(), &err))?;
    }
    let listener = Listener::new(tcp, tls).map_err(|err| io("TLS".into(), &err))?;
    let scheme = listener.scheme();
    Ok(Bound {
        listener,
        addr,
        scheme,
    })
}
