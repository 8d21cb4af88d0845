//! A throwaway certificate authority made at test time (rcgen): a CA, and leaf
//! certificates it signs for `localhost` and `127.0.0.1` — valid, expired, or for another
//! name — written as PEM files the daemons and clients are given.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A test CA: its certificate and key, and its PEM file.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    /// The CA certificate (PEM) file.
    pub cert_file: PathBuf,
}

/// A leaf certificate's validity or names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// For localhost and 127.0.0.1, valid now.
    Good,
    /// For localhost and 127.0.0.1, expired in 2021.
    Expired,
    /// Valid now, but for `other.example` only.
    OtherName,
}

impl TestCa {
    /// Makes a CA named `name` and writes its certificate to `dir/<name>-ca.pem`.
    pub fn new(dir: &Path, name: &str) -> Result<TestCa> {
        let key = rcgen::KeyPair::generate().context("CA key")?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).context("CA")?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("Docket test CA {name}"));
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let cert = params.self_signed(&key).context("self-signing the CA")?;
        let cert_file = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&cert_file, cert.pem()).context("writing the CA")?;
        Ok(TestCa {
            issuer: rcgen::Issuer::new(params, key),
            cert_file,
        })
    }

    /// Signs a leaf and writes `dir/<stem>.pem` and `dir/<stem>.key`; returns both paths.
    pub fn leaf(&self, dir: &Path, stem: &str, kind: Leaf) -> Result<(PathBuf, PathBuf)> {
        let names = match kind {
            Leaf::OtherName => vec!["other.example".to_string()],
            _ => vec!["localhost".to_string(), "127.0.0.1".to_string()],
        };
        let mut params = rcgen::CertificateParams::new(names).context("leaf")?;
        if kind == Leaf::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = rcgen::KeyPair::generate().context("leaf key")?;
        let cert = params.signed_by(&key, &self.issuer).context("signing")?;
        let cert_file = dir.join(format!("{stem}.pem"));
        let key_file = dir.join(format!("{stem}.key"));
        std::fs::write(&cert_file, cert.pem()).context("writing the leaf")?;
        std::fs::write(&key_file, key.serialize_pem()).context("writing the leaf key")?;
        Ok((cert_file, key_file))
    }
}
