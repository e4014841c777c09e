//! The NEN 7513 access-log record and its hash chain, without I/O.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the chain starts from.
pub const GENESIS: &str = "genesis";

/// One access-log event (NEN 7513: event, user, source, subject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub event_id: String,
    pub occurred_at: i64,
    /// create, read, update, delete, export, print, search, or an account event (login, logout, …).
    pub action: String,
    /// success, denied or failure.
    pub outcome: String,
    pub user_id: Option<String>,
    pub user_role: Option<String>,
    pub organisation_id: Option<String>,
    pub on_behalf_of: Option<String>,
    /// The relationship that allowed it (or the reason it was refused).
    pub purpose: String,
    pub network_address: Option<String>,
    /// The system that logged it (installation and node).
    pub source: String,
    pub subject_person_id: Option<String>,
    pub data_category: Option<String>,
    pub detail: Option<String>,
}

impl AuditRecord {
    /// The hash of this record chained to `prev_hash`. Every field takes part, each length-prefixed,
    /// so no two different records can produce the same input.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut put = |value: Option<&str>| match value {
            Some(v) => {
                h.update((v.len() as u64).to_be_bytes());
                h.update(v.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        };
        put(Some(prev_hash));
        put(Some(&self.seq.to_string()));
        put(Some(&self.event_id));
        put(Some(&self.occurred_at.to_string()));
        put(Some(&self.action));
        put(Some(&self.outcome));
        put(self.user_id.as_deref());
        put(self.user_role.as_deref());
        put(self.organisation_id.as_deref());
        put(self.on_behalf_of.as_deref());
        put(Some(&self.purpose));
        put(self.network_address.as_deref());
        put(Some(&self.source));
        put(self.subject_person_id.as_deref());
        put(self.data_category.as_deref());
        put(self.detail.as_deref());
        hex::encode(h.finalize())
    }
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The record's stored hash does not match its content (it was altered).
    Altered { seq: i64 },
    /// The record does not follow its predecessor (one was removed or inserted).
    Broken { seq: i64 },
    /// Records after `last_seq` were removed (the stored head points further).
    Truncated { last_seq: i64 },
}

/// Checks a chain given as (record, prev_hash, hash) in sequence order, and the stored head.
pub fn verify_chain<'a>(
    records: impl IntoIterator<Item = (&'a AuditRecord, &'a str, &'a str)>,
    head: (i64, &str),
) -> Result<i64, ChainProblem> {
    let mut expected_prev = GENESIS.to_string();
    let mut last_seq = 0;
    for (record, prev_hash, hash) in records {
        if prev_hash != expected_prev || record.seq != last_seq + 1 {
            return Err(ChainProblem::Broken { seq: record.seq });
        }
        if record.chain_hash(prev_hash) != hash {
            return Err(ChainProblem::Altered { seq: record.seq });
        }
        expected_prev = hash.to_string();
        last_seq = record.seq;
    }
    if head.0 != last_seq || head.1 != expected_prev {
        return Err(ChainProblem::Truncated { last_seq });
    }
    Ok(last_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64) -> AuditRecord {
        AuditRecord {
            seq,
            event_id: format!("e{seq}"),
            occurred_at: 1000 + seq,
            action: "read".into(),
            outcome: "success".into(),
            user_id: Some("u1".into()),
            user_role: Some("professional".into()),
            organisation_id: None,
            on_behalf_of: None,
            purpose: "network_member".into(),
            network_address: Some("127.0.0.1".into()),
            source: "test".into(),
            subject_person_id: Some("p1".into()),
            data_category: Some("situation".into()),
            detail: None,
        }
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let r = record(seq);
                let hash = r.chain_hash(&prev);
                let item = (r, prev.clone(), hash.clone());
                prev = hash;
                item
            })
            .collect()
    }

    fn check(c: &[(AuditRecord, String, String)], head: (i64, &str)) -> Result<i64, ChainProblem> {
        verify_chain(c.iter().map(|(r, p, h)| (r, p.as_str(), h.as_str())), head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(check(&c, (5, &c[4].2)), Ok(5));
        assert_eq!(check(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn altering_removing_or_truncating_is_caught() {
        let c = chain(5);
        let mut altered = c.clone();
        altered[2].0.user_id = Some("someone-else".into());
        assert_eq!(
            check(&altered, (5, &c[4].2)),
            Err(ChainProblem::Altered { seq: 3 })
        );

        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            check(&removed, (5, &c[4].2)),
            Err(ChainProblem::Broken { seq: 3 })
        );

        let truncated = &c[..4];
        assert_eq!(
            check(truncated, (5, &c[4].2)),
            Err(ChainProblem::Truncated { last_seq: 4 })
        );
    }

    #[test]
    fn a_none_field_differs_from_an_empty_one() {
        let mut a = record(1);
        let mut b = record(1);
        a.detail = None;
        b.detail = Some(String::new());
        assert_ne!(a.chain_hash(GENESIS), b.chain_hash(GENESIS));
    }
}
