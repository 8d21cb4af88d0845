//! HTTPS for every Docket client (`docket`, `verifier`, the witness's pull mode, the log's
//! pushes to witnesses): one rustls configuration, built here and handed to reqwest, and
//! one way to say what went wrong when a connection fails.
//!
//! Which CAs are trusted: the platform's store, read by rustls-native-certs, which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR` as OpenSSL-based tools do; plus, for a
//! private deployment, the certificates in `--ca-file FILE` (or `DOCKET_CA_FILE`). Proxies
//! come from the standard `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`
//! variables (reqwest reads them).
//!
//! Trust assumption (docs/threat-model.md, "Transport"): TLS only protects the
//! connection. Nothing Docket checks depends on it — checkpoints, proofs and receipts
//! are verified against the log's and witnesses' keys whatever the transport — so a
//! compromised CA can at worst hide the log (a denial of service), not forge it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

/// The environment variable that stands in for `--ca-file` in every program.
pub const CA_FILE_ENV: &str = "DOCKET_CA_FILE";

/// The most bytes a CA file may have: a bundle of a few hundred certificates.
const MAX_CA_FILE_BYTES: u64 = 4 << 20;

/// How a client reaches HTTPS servers beyond the platform's store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Extra CA certificates (PEM) to trust, e.g. a private deployment's own CA.
    pub ca_file: Option<PathBuf>,
}

impl TlsOptions {
    /// Options with `ca_file`, if any.
    pub fn with_ca_file(ca_file: Option<PathBuf>) -> TlsOptions {
        TlsOptions { ca_file }
    }
}

/// Why the HTTPS client could not be set up. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// The CA file cannot be read or holds no certificate.
    #[error("CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// rustls or reqwest refused the configuration.
    #[error("cannot set up HTTPS: {0}")]
    Config(String),
}

/// Makes ring the process's default rustls provider (idempotent). reqwest is built
/// without a provider of its own (feature `rustls-no-provider`, to keep aws-lc and its
/// cmake build out), so a client built without [`client_config`] (tests, one-off tools)
/// panics unless a default is installed; Docket's programs pass [`client_config`].
pub fn install_default_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A reqwest client with the platform's CAs and nothing else configured, for tests and
/// tools that talk to plain-HTTP loopback servers.
pub fn plain_client() -> reqwest::Client {
    install_default_provider();
    reqwest::Client::new()
}

/// [`plain_client`]'s builder, for callers that set timeouts or pools.
pub fn plain_builder() -> reqwest::ClientBuilder {
    install_default_provider();
    reqwest::Client::builder()
}

/// The blocking [`plain_client`].
#[cfg(feature = "blocking")]
pub fn plain_blocking_client() -> reqwest::blocking::Client {
    install_default_provider();
    reqwest::blocking::Client::new()
}

/// The rustls client configuration every Docket client uses: the ring provider, TLS 1.2
/// and 1.3, the platform's CAs plus those in `options.ca_file`.
pub fn client_config(options: &TlsOptions) -> Result<rustls::ClientConfig, SetupError> {
    let mut roots = rustls::RootCertStore::empty();
    // A store with unreadable entries still gives the readable ones; a machine without
    // any (no ca-certificates package) can still reach http:// URLs and private CAs.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = &options.ca_file {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|err| SetupError::CaFile {
                path: path.clone(),
                reason: format!("not a usable CA certificate: {err}"),
            })?;
        }
    }
    install_default_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| SetupError::Config(err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// Reads every certificate in a PEM file; a file with none is an error, so a key file or
/// a DER file given by mistake is caught before any connection.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, SetupError> {
    let error = |reason: String| SetupError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = read_capped(path, MAX_CA_FILE_BYTES).map_err(&error)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| error(format!("not PEM certificates: {err}")))?;
    if certs.is_empty() {
        return Err(error(
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(certs)
}

/// Reads at most `cap` bytes of `path`; a longer file is an error.
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|err| err.to_string())?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| err.to_string())?;
    if bytes.len() as u64 > cap {
        return Err(format!("larger than {cap} bytes"));
    }
    Ok(bytes)
}

/// An async reqwest client builder with Docket's TLS set-up.
pub fn async_builder(options: &TlsOptions) -> Result<reqwest::ClientBuilder, SetupError> {
    Ok(reqwest::Client::builder().use_preconfigured_tls(client_config(options)?))
}

/// A blocking reqwest client builder with Docket's TLS set-up.
#[cfg(feature = "blocking")]
pub fn blocking_builder(
    options: &TlsOptions,
) -> Result<reqwest::blocking::ClientBuilder, SetupError> {
    Ok(reqwest::blocking::Client::builder().use_preconfigured_tls(client_config(options)?))
}

/// What kind of failure a request met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The TLS handshake failed: an untrusted, expired or misnamed certificate, or a
    /// server not speaking TLS. Retrying will not help; the trust set-up must change.
    Tls,
    /// The request timed out.
    Timeout,
    /// The connection could not be made or broke (refused, DNS, reset).
    Connection,
}

/// A request failure, classified and explained for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The class.
    pub kind: FailureKind,
    /// A sentence saying what happened, with the underlying errors.
    pub message: String,
}

/// Classifies a reqwest error. TLS failures are found by type anywhere in the error's
/// source chain (rustls errors arrive wrapped in `std::io::Error`, whose `source()` skips
/// the wrapped error, so each I/O error is opened with `get_ref`).
pub fn describe(err: &reqwest::Error) -> Failure {
    let chain = error_chain(err);
    if let Some(tls) = find_rustls_error(err) {
        return Failure {
            kind: FailureKind::Tls,
            message: tls_message(&tls),
        };
    }
    let kind = if err.is_timeout() {
        FailureKind::Timeout
    } else {
        FailureKind::Connection
    };
    Failure {
        kind,
        message: chain,
    }
}

/// Every message in the chain, joined with ": " (reqwest's own Display stops at the
/// outermost layer).
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
    }
    text
}

fn find_rustls_error(err: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls.clone());
            }
            if let Some(found) = find_rustls_error(inner) {
                return Some(found);
            }
        }
        current = e.source();
    }
    None
}

/// The sentence for a TLS failure: what is wrong with the certificate, and what to do.
pub fn tls_message(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let what = match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => {
                "the server's certificate was issued by a CA this machine does not trust"
                    .to_string()
            }
            C::Expired | C::ExpiredContext { .. } => {
                format!("the server's certificate has expired ({err})")
            }
            C::NotValidYet | C::NotValidYetContext { .. } => {
                format!("the server's certificate is not valid yet ({err})")
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                format!("the server's certificate is for another host name ({err})")
            }
            _ => format!("the server's certificate was refused ({err})"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            format!("the TLS handshake failed ({err}); is the server speaking HTTPS on this port?")
        }
        _ => format!("the TLS handshake failed ({err})"),
    };
    format!(
        "TLS error: {what}. This is not a temporary failure: if the log or witness uses a \
         private CA, give its certificate with --ca-file FILE (or {CA_FILE_ENV}); the \
         system's CAs are read from SSL_CERT_FILE / SSL_CERT_DIR when set"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_refused_before_any_connection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.pem");
        assert!(matches!(
            client_config(&TlsOptions::with_ca_file(Some(missing))),
            Err(SetupError::CaFile { .. })
        ));
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let err = client_config(&TlsOptions::with_ca_file(Some(empty))).unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn a_generated_ca_file_is_accepted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params.self_signed(&key).expect("ca");
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, ca.pem()).expect("write");
        assert!(client_config(&TlsOptions::with_ca_file(Some(path))).is_ok());
    }

    #[test]
    fn tls_messages_name_the_problem_and_the_remedy() {
        let expired = rustls::Error::InvalidCertificate(rustls::CertificateError::Expired);
        let text = tls_message(&expired);
        assert!(text.contains("expired"), "{text}");
        assert!(text.contains("--ca-file"), "{text}");
        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert!(tls_message(&unknown).contains("does not trust"));
    }

    #[test]
    fn a_rustls_error_inside_an_io_error_is_found() {
        let inner = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner.clone());
        assert_eq!(find_rustls_error(&io), Some(inner));
        let plain = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(find_rustls_error(&plain), None);
    }
}
