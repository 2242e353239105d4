//! The audit trail: an append-only log of administrative acts per organisation, chained by
//! SHA-256 so that any edited, inserted or deleted entry is found (`verify`). Entries carry
//! ids and changed values only — never names, e-mail addresses or survey answers — so an
//! erasure leaves nothing to rewrite and the chain stays verifiable.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_heads, audit_log};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::organizations;

/// The hash before an organisation's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Queryable)]
pub struct Entry {
    pub id: String,
    pub org_id: String,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: over the previous hash and every field, each with its length, so
/// no field's text can be moved into another.
pub fn hash_of(e: &Entry) -> String {
    let mut h = Sha256::new();
    for part in [
        e.prev_hash.as_str(),
        &e.org_id,
        &e.seq.to_string(),
        &e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor_id.as_deref().unwrap_or(""),
        &e.action,
        &e.object_type,
        e.object_id.as_deref().unwrap_or(""),
        &e.details,
    ] {
        h.update(part.len().to_string().as_bytes());
        h.update(b":");
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An administrative act: who, what, to which object, and what changed.
pub struct Act {
    pub actor_id: Option<String>,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<String>,
    pub details: Value,
}

impl Act {
    pub fn new(
        actor_id: &str,
        action: &'static str,
        object_type: &'static str,
        object_id: &str,
        details: Value,
    ) -> Self {
        Self {
            actor_id: (!actor_id.is_empty()).then(|| actor_id.to_owned()),
            action,
            object_type,
            object_id: Some(object_id.to_owned()),
            details,
        }
    }
}

/// Runs `change` and, when `entry` makes one of its outcome, appends that entry in the
/// same transaction: the act and its record commit together or not at all.
pub fn record<T>(
    conn: &mut DbConnection,
    org_id: &str,
    change: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    entry: impl FnOnce(&T) -> Option<Act>,
) -> Result<T, ApiError> {
    db::write_tx(conn, |conn| {
        let out = change(conn)?;
        if let Some(act) = entry(&out) {
            append(conn, org_id, act)?;
        }
        Ok(out)
    })
}

/// Appends an entry, in the caller's transaction when there is one (so the act and its
/// entry commit together). The organisation's row lock orders the appends.
pub fn append(conn: &mut DbConnection, org_id: &str, act: Act) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let last: Option<(i64, String)> = audit_log::table
            .filter(audit_log::org_id.eq(org_id))
            .order(audit_log::seq.desc())
            .select((audit_log::seq, audit_log::hash))
            .first(conn)
            .optional()?;
        let (seq, prev) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_owned()),
        };
        let mut e = Entry {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: org_id.to_owned(),
            seq,
            at: db::now(),
            actor_id: act.actor_id,
            action: act.action.to_owned(),
            object_type: act.object_type.to_owned(),
            object_id: act.object_id,
            details: act.details.to_string(),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = hash_of(&e);
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::id.eq(&e.id),
                audit_log::org_id.eq(&e.org_id),
                audit_log::seq.eq(e.seq),
                audit_log::at.eq(e.at),
                audit_log::actor_id.eq(&e.actor_id),
                audit_log::action.eq(&e.action),
                audit_log::object_type.eq(&e.object_type),
                audit_log::object_id.eq(&e.object_id),
                audit_log::details.eq(&e.details),
                audit_log::prev_hash.eq(&e.prev_hash),
                audit_log::hash.eq(&e.hash),
            ))
            .execute(conn)?;
        let head = diesel::update(audit_heads::table.find(org_id))
            .set((audit_heads::seq.eq(e.seq), audit_heads::hash.eq(&e.hash)))
            .execute(conn)?;
        if head == 0 {
            diesel::insert_into(audit_heads::table)
                .values((
                    audit_heads::org_id.eq(org_id),
                    audit_heads::seq.eq(e.seq),
                    audit_heads::hash.eq(&e.hash),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Filters of the admin's list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub object_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Newest first, after the entry `before_seq` (keyset paging).
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, ApiError> {
    let mut q = audit_log::table.filter(audit_log::org_id.eq(org_id)).into_boxed();
    if let Some(a) = &filter.action {
        q = q.filter(audit_log::action.eq(a.clone()));
    }
    if let Some(a) = &filter.actor_id {
        q = q.filter(audit_log::actor_id.eq(a.clone()));
    }
    if let Some(o) = &filter.object_id {
        q = q.filter(audit_log::object_id.eq(o.clone()));
    }
    if let Some(t) = filter.from {
        q = q.filter(audit_log::at.ge(t));
    }
    if let Some(t) = filter.to {
        q = q.filter(audit_log::at.lt(t));
    }
    if let Some(s) = before_seq {
        q = q.filter(audit_log::seq.lt(s));
    }
    Ok(q.order(audit_log::seq.desc()).limit(limit).load(conn)?)
}

/// One thing wrong with the chain, naming the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The sequence number where it was found.
    pub seq: i64,
    pub id: Option<String>,
    /// `edited`, `inserted or reordered`, `deleted`.
    pub problem: String,
}

/// Walks an organisation's chain from the start: an entry whose hash does not match its
/// fields was edited; one whose previous hash is not its predecessor's was inserted (or
/// its predecessor deleted); a gap in the numbers is a deleted entry.
pub fn verify(conn: &mut DbConnection, org_id: &str) -> Result<(i64, Vec<Finding>), ApiError> {
    let entries: Vec<Entry> = audit_log::table
        .filter(audit_log::org_id.eq(org_id))
        .order(audit_log::seq.asc())
        .load(conn)?;
    let mut findings = Vec::new();
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1;
    for e in &entries {
        if e.seq != expected_seq {
            findings.push(Finding {
                seq: expected_seq,
                id: None,
                problem: format!("deleted: entries {expected_seq} to {} are missing", e.seq - 1),
            });
        }
        if e.prev_hash != prev_hash {
            findings.push(Finding {
                seq: e.seq,
                id: Some(e.id.clone()),
                problem: "inserted or its predecessor deleted: the previous hash does not match".into(),
            });
        }
        if hash_of(e) != e.hash {
            findings.push(Finding {
                seq: e.seq,
                id: Some(e.id.clone()),
                problem: "edited: the entry does not match its hash".into(),
            });
        }
        prev_hash = e.hash.clone();
        expected_seq = e.seq + 1;
    }
    let head: Option<(i64, String)> = audit_heads::table
        .find(org_id)
        .select((audit_heads::seq, audit_heads::hash))
        .first(conn)
        .optional()?;
    let last = entries.last().map(|e| (e.seq, e.hash.clone()));
    match (head, last) {
        (Some((seq, hash)), Some((last_seq, last_hash))) if seq != last_seq || hash != last_hash => {
            findings.push(Finding {
                seq: last_seq.max(seq),
                id: entries.last().filter(|_| last_seq > seq).map(|e| e.id.clone()),
                problem: format!(
                    "the chain ends at entry {last_seq}, but the last entry written was {seq}: entries were deleted \
                     at the end or appended outside the service"
                ),
            });
        }
        (Some((seq, _)), None) => findings.push(Finding {
            seq,
            id: None,
            problem: format!("deleted: no entries, but {seq} were written"),
        }),
        _ => {}
    }
    Ok((entries.len() as i64, findings))
}

/// `verify` for every organisation (or the one with `slug`): (slug, entries, findings).
pub fn verify_all(conn: &mut DbConnection, slug: Option<&str>) -> Result<Vec<(String, i64, Vec<Finding>)>, ApiError> {
    use crate::db::schema::organizations;
    let mut q = organizations::table.into_boxed();
    if let Some(s) = slug {
        q = q.filter(organizations::slug.eq(s.to_owned()));
    }
    let orgs: Vec<(String, String)> = q
        .order(organizations::slug.asc())
        .select((organizations::id, organizations::slug))
        .load(conn)?;
    if orgs.is_empty() && slug.is_some() {
        return Err(ApiError::NotFound);
    }
    let mut out = Vec::with_capacity(orgs.len());
    for (id, slug) in orgs {
        let (entries, findings) = verify(conn, &id)?;
        out.push((slug, entries, findings));
    }
    Ok(out)
}
