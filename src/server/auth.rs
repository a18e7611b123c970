//! API keys: `authorization: Bearer <key>` checked against SHA-256 hashes from the config, and
//! the tenancy rules (an institution key sees only its own products and cases).

use super::config::{KeyEntry, Role};
use sha2::{Digest, Sha256};
use tonic::{Request, Status};

/// Who is calling, attached to each request by the interceptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No keys configured (loopback only): everything is allowed.
    Open,
    /// A court key: any case, any product.
    Court,
    /// An institution key: its own institution only.
    Institution(String),
}

impl Caller {
    /// `PERMISSION_DENIED` unless the caller may act for `institution_id`.
    pub(crate) fn may_access(&self, institution_id: &str, what: &str) -> Result<(), Status> {
        match self {
            Self::Open | Self::Court => Ok(()),
            Self::Institution(own) if own == institution_id => Ok(()),
            Self::Institution(_) => Err(Status::permission_denied(format!(
                "{what}: belongs to another institution than this API key's"
            ))),
        }
    }
}

/// Checks the key of every request and attaches the [`Caller`].
#[derive(Clone)]
pub(crate) struct KeyCheck {
    keys: std::sync::Arc<Vec<(String, Caller)>>,
}

impl KeyCheck {
    pub(crate) fn new(entries: &[KeyEntry]) -> Self {
        let keys = entries
            .iter()
            .map(|k| {
                let caller = match k.role {
                    Role::Court => Caller::Court,
                    Role::Institution => {
                        Caller::Institution(k.institution_id.clone().unwrap_or_default())
                    }
                };
                (k.sha256.to_ascii_lowercase(), caller)
            })
            .collect();
        Self {
            keys: std::sync::Arc::new(keys),
        }
    }

    fn open(&self) -> bool {
        self.keys.is_empty()
    }

    /// The interceptor.
    pub(crate) fn check(&self, mut req: Request<()>) -> Result<Request<()>, Status> {
        if self.open() {
            req.extensions_mut().insert(Caller::Open);
            return Ok(req);
        }
        let header = req
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some(key) = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|k| !k.is_empty())
        else {
            return Err(Status::unauthenticated(
                "authorization: send `authorization: Bearer <API key>`",
            ));
        };
        let digest = hex(&Sha256::digest(key.as_bytes()));
        match self
            .keys
            .iter()
            .find(|(h, _)| constant_time_eq(h.as_bytes(), digest.as_bytes()))
        {
            Some((_, caller)) => {
                req.extensions_mut().insert(caller.clone());
                Ok(req)
            }
            None => Err(Status::unauthenticated("authorization: unknown API key")),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller attached by [`KeyCheck`] (`Open` if none: only in tests of the service alone).
pub(crate) fn caller<T>(req: &Request<T>) -> Caller {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller::Open)
}

/// Hex SHA-256 of a key, as the config file stores it.
pub(crate) fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}
