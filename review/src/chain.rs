//! The audit trail's hashes: each event's hash covers the previous event's hash and every field
//! of the event, and each submission's state hash covers everything stored about it, so an edit
//! or a deletion made directly in the database breaks the chain where it was made.
//!
//! Fields are hashed length-prefixed (eight bytes little-endian, then the bytes), so no two
//! different field lists hash the same bytes.

use sha2::{Digest, Sha256};

/// The hash the first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lower-case hex of a SHA-256 digest.
pub fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// SHA-256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A SHA-256 over length-prefixed fields.
#[derive(Default)]
pub(crate) struct FieldHasher(Sha256);

impl FieldHasher {
    pub(crate) fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.field(s.as_bytes())
    }

    pub(crate) fn number(&mut self, n: i64) -> &mut Self {
        self.field(&n.to_le_bytes())
    }

    pub(crate) fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// One audit event as stored: who did what to which submission, when, and the hashes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// The submission the event changed.
    pub submission_id: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who (a key's name, or the command line's `--actor`).
    pub actor: String,
    /// In which role.
    pub role: String,
    /// What: `submit`, `resubmit` or a decision's name.
    pub action: String,
    /// The status before (empty for the first submission).
    pub from_status: String,
    /// The status after.
    pub to_status: String,
    /// The submission's version after the event.
    pub version: i64,
    /// The details as JSON: note, finding marks, revision, documents' hash, suggestion.
    pub detail: String,
    /// The submission's state hash before the event (empty for the first submission).
    pub before_hash: String,
    /// The submission's state hash after the event.
    pub after_hash: String,
    /// The previous event's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl Event {
    /// The hash this event must carry, from its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = FieldHasher::default();
        h.text("finrisk-audit-v1")
            .text(&self.prev_hash)
            .number(self.seq)
            .text(&self.submission_id)
            .text(&self.at)
            .text(&self.actor)
            .text(&self.role)
            .text(&self.action)
            .text(&self.from_status)
            .text(&self.to_status)
            .number(self.version)
            .text(&self.detail)
            .text(&self.before_hash)
            .text(&self.after_hash);
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            seq: 1,
            submission_id: "SUB-1".into(),
            at: "2026-12-02T00:00:00.000Z".into(),
            actor: "a".into(),
            role: "institution".into(),
            action: "submit".into(),
            from_status: String::new(),
            to_status: "submitted".into(),
            version: 1,
            detail: "{}".into(),
            before_hash: String::new(),
            after_hash: "x".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = event().compute_hash();
        let edits: [fn(&mut Event); 13] = [
            |e| e.seq = 2,
            |e| e.submission_id.push('x'),
            |e| e.at.push('x'),
            |e| e.actor.push('x'),
            |e| e.role.push('x'),
            |e| e.action.push('x'),
            |e| e.from_status.push('x'),
            |e| e.to_status.push('x'),
            |e| e.version = 2,
            |e| e.detail.push('x'),
            |e| e.before_hash.push('x'),
            |e| e.after_hash.push('x'),
            |e| e.prev_hash.push('x'),
        ];
        for edit in edits {
            let mut e = event();
            edit(&mut e);
            assert_ne!(e.compute_hash(), base);
        }
        // Moving bytes from one field to the next is a different hash (length prefixes).
        let mut a = event();
        a.actor = "ab".into();
        a.role = "c".into();
        let mut b = event();
        b.actor = "a".into();
        b.role = "bc".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn sha256_of_the_empty_string() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
