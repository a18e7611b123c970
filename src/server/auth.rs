//! API keys: `authorization: Bearer <key>` checked against SHA-256 hashes from the config, and
//! the tenancy rules (an institution key sees only its own products and cases).

use super::config::{KeyEntry, Role};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tonic::{Request, Status};

/// Who is calling, attached to each request by the interceptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No keys configured (loopback only): everything is allowed.
    Open,
    /// A court key: any case, any product.
    Court,
    /// A mediator key: any case, any product (it reviews every institution's submissions).
    Mediator,
    /// An institution key: its own institution only.
    Institution(String),
}

impl Caller {
    /// `PERMISSION_DENIED` unless the caller may act for `institution_id`.
    pub(crate) fn may_access(&self, institution_id: &str, what: &str) -> Result<(), Status> {
        match self {
            Self::Open | Self::Court | Self::Mediator => Ok(()),
            Self::Institution(own) if own == institution_id => Ok(()),
            Self::Institution(_) => Err(Status::permission_denied(format!(
                "{what}: belongs to another institution than this API key's"
            ))),
        }
    }
}

/// The name of the key a request came with (`name` in the key file, or `key-<hash prefix>`):
/// what the audit trail records as the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyName(pub(crate) String);

/// The key name attached by [`KeyCheck`], or `open` on a server without keys.
pub(crate) fn key_name<T>(req: &Request<T>) -> String {
    req.extensions()
        .get::<KeyName>()
        .map_or_else(|| "open".to_string(), |n| n.0.clone())
}

/// Checks the key of every request and attaches the [`Caller`].
#[derive(Clone)]
pub(crate) struct KeyCheck {
    keys: std::sync::Arc<Vec<(String, Caller, KeyName)>>,
}

impl KeyCheck {
    pub(crate) fn new(entries: &[KeyEntry]) -> Self {
        let keys = entries
            .iter()
            .map(|k| {
                let name = k
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("key-{}", k.sha256.get(..8).unwrap_or("")));
                let caller = match k.role {
                    Role::Court => Caller::Court,
                    Role::Mediator => Caller::Mediator,
                    Role::Institution => {
                        Caller::Institution(k.institution_id.clone().unwrap_or_default())
                    }
                };
                (k.sha256.to_ascii_lowercase(), caller, KeyName(name))
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
        // Every stored hash is compared, in constant time, whichever matches: the time taken
        // tells neither where the digest differs from a stored one nor which key matched.
        let mut found = None;
        for (hash, caller, name) in self.keys.iter() {
            if constant_time_eq(hash.as_bytes(), digest.as_bytes()) && found.is_none() {
                found = Some((caller, name));
            }
        }
        match found {
            Some((caller, name)) => {
                req.extensions_mut().insert(caller.clone());
                req.extensions_mut().insert(name.clone());
                Ok(req)
            }
            None => Err(Status::unauthenticated("authorization: unknown API key")),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equality whose time depends on the lengths only, never on where the bytes differ (`subtle`,
/// which keeps the optimiser from turning it into an early exit).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;
    use std::time::Instant;

    /// An equality that stops at the first difference: what `constant_time_eq` must not be.
    fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        for (x, y) in a.iter().zip(b) {
            if x != y {
                return false;
            }
        }
        true
    }

    /// How much longer `compare` takes against a digest that differs from the stored one in its
    /// last byte than against one that differs in its first, as a fraction of the time: the
    /// median of 20,000 timings of 32 calls per class, the classes drawn at random and
    /// interleaved so that anything else the machine does slows both alike.
    fn timing_gap(compare: fn(&[u8], &[u8]) -> bool) -> f64 {
        let stored = key_hash("the stored key").into_bytes();
        let mut first = stored.clone();
        first[0] ^= 0x01;
        let mut last = stored.clone();
        last[63] ^= 0x01;
        let mut samples = [Vec::with_capacity(24_000), Vec::with_capacity(24_000)];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        while samples[0].len() < 20_000 || samples[1].len() < 20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let class = (state & 1) as usize;
            let probe = if class == 0 { &first } else { &last };
            let start = Instant::now();
            for _ in 0..32 {
                black_box(compare(black_box(&stored), black_box(probe)));
            }
            samples[class].push(start.elapsed().as_nanos() as f64);
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (a, b) = (median(&mut samples[0]), median(&mut samples[1]));
        (b - a) / a.min(b)
    }

    #[test]
    fn key_comparison_takes_the_same_time_wherever_the_digests_differ() {
        // The harness finds the leak of an early-exit comparison (a 64-byte scan against a
        // 1-byte one)...
        let leaky = timing_gap(early_exit_eq);
        assert!(
            leaky > 1.0,
            "the harness missed an early exit: gap {leaky:.3}"
        );
        // ...and none in the comparison the server uses.
        let constant = timing_gap(constant_time_eq);
        println!(
            "timing gap, last-byte vs first-byte difference: early exit {leaky:.3}, constant time {constant:.3}"
        );
        assert!(
            constant.abs() < 0.15,
            "key comparison time depends on where the digests differ: gap {constant:.3}"
        );
    }

    #[test]
    fn only_a_configured_key_is_accepted_and_its_caller_attached() {
        let entries = [
            KeyEntry {
                sha256: key_hash("bank-a-key").to_ascii_uppercase(),
                role: Role::Institution,
                institution_id: Some("INST-A".into()),
                name: None,
            },
            KeyEntry {
                sha256: key_hash("court-key"),
                role: Role::Court,
                institution_id: None,
                name: None,
            },
        ];
        let check = KeyCheck::new(&entries);
        let with = |key: &str| {
            let mut req = Request::new(());
            req.metadata_mut()
                .insert("authorization", format!("Bearer {key}").parse().unwrap());
            check.check(req).map(|r| caller(&r))
        };
        assert_eq!(
            with("bank-a-key").unwrap(),
            Caller::Institution("INST-A".into())
        );
        assert_eq!(with("court-key").unwrap(), Caller::Court);
        assert_eq!(
            with("bank-a-kez").unwrap_err().code(),
            tonic::Code::Unauthenticated
        );
        assert_eq!(
            check.check(Request::new(())).unwrap_err().code(),
            tonic::Code::Unauthenticated
        );
    }
}
