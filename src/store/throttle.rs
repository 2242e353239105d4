//! Login throttling kept in the database, so the limits hold across instances.
//!
//! Failures count in a 15-minute window, three ways:
//! - per account and client address: 5. This is the limit anyone guessing from one place
//!   meets, and it leaves the owner, signing in from elsewhere, alone.
//! - per client address: 20, across accounts — except for an account signing in from an
//!   address it has signed in from in the last 90 days (a "known" address), so guesses at
//!   other accounts from a shared office address do not lock everyone there out.
//! - per account, from all addresses together: 10. It stops guessing spread over many
//!   addresses, but does not apply at a known address: knowing the mayor's e-mail is not
//!   enough to keep her out.
//!
//! Sign-in with the organisation's provider (`/o/{slug}/sso/start` and its callback) is
//! counted per client address alone (no account is known before the provider answers):
//! every request counts, and a limit set by the operator applies (`sso_request`).
//!
//! An account is an e-mail address within one organisation. IPv6 addresses count by
//! their /64 network (one client can use a whole /64).
//!
//! A pending attempt is recorded before the password is checked and counts like a failure
//! until it succeeds, so parallel attempts cannot check more passwords than the limits
//! allow. The count and the record happen under a lock per account and per address
//! (PostgreSQL advisory locks; SQLite runs write transactions one at a time).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::{login_attempts, login_known_addresses};
use crate::db::{self, DbConnection};
use crate::error::ApiError;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const KNOWN_ADDRESS_DAYS: i64 = 90;

#[derive(Debug, Insertable)]
#[diesel(table_name = login_attempts)]
struct NewAttempt<'a> {
    id: String,
    scope: &'a str,
    subject: &'a str,
    created_at: NaiveDateTime,
}

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        // A separator that cannot occur in an e-mail address or an IP address.
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The digests one attempt is counted under.
#[derive(Debug, Clone)]
struct Subjects {
    account: String,
    address: String,
    pair: String,
    known: String,
}

impl Subjects {
    fn of(org_id: &str, email: &str, address: &str) -> Self {
        let address = network(address);
        Self {
            account: digest(&["account", org_id, email]),
            address: digest(&["address", &address]),
            pair: digest(&["pair", org_id, email, &address]),
            known: digest(&["known", org_id, email, &address]),
        }
    }
}

/// The address as counted: IPv4 as it is, IPv6 by its /64 network.
fn network(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        _ => address.to_owned(),
    }
}

/// The rows recorded for one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    rows: Vec<String>,
    subjects: SubjectsRef,
}

#[derive(Debug, Clone)]
struct SubjectsRef {
    pair: String,
    known: String,
}

fn count_since(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    since: NaiveDateTime,
) -> Result<(i64, Option<NaiveDateTime>), ApiError> {
    let rows: Vec<NaiveDateTime> = login_attempts::table
        .filter(login_attempts::scope.eq(scope))
        .filter(login_attempts::subject.eq(subject))
        .filter(login_attempts::created_at.gt(since))
        .select(login_attempts::created_at)
        .order(login_attempts::created_at.asc())
        .load(conn)?;
    Ok((i64::try_from(rows.len()).unwrap_or(i64::MAX), rows.first().copied()))
}

fn retry_after(oldest: Option<NaiveDateTime>, now: NaiveDateTime) -> u64 {
    let until = oldest.map(|t| t + Duration::minutes(WINDOW_MINUTES)).unwrap_or(now);
    u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1)
}

/// Takes the locks that make counting and recording one step (PostgreSQL); always in the
/// same order, account before address, so two attempts never wait for each other in turn.
fn lock(conn: &mut DbConnection, subjects: &Subjects) -> Result<(), ApiError> {
    if let DbConnection::Postgresql(pg) = conn {
        for key in [&subjects.account, &subjects.address] {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<diesel::sql_types::Text, _>(key)
                .execute(pg)?;
        }
    }
    Ok(())
}

fn known_address(conn: &mut DbConnection, subject: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    let since = now - Duration::days(KNOWN_ADDRESS_DAYS);
    let n: i64 = login_known_addresses::table
        .filter(login_known_addresses::subject.eq(subject))
        .filter(login_known_addresses::last_success_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Deletes what has left the window (attempts) or expired (known addresses); the
/// scheduler runs it, so logins do not contend for deleting the same rows.
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let attempts = diesel::delete(login_attempts::table.filter(login_attempts::created_at.le(since))).execute(conn)?;
    let known = diesel::delete(
        login_known_addresses::table
            .filter(login_known_addresses::last_success_at.le(now - Duration::days(KNOWN_ADDRESS_DAYS))),
    )
    .execute(conn)?;
    Ok(attempts + known)
}

/// Records the attempt to sign in to the account `email` of the organisation `org_id`,
/// or refuses it with 429 when one of the limits is used up.
pub fn begin(conn: &mut DbConnection, org_id: &str, email: &str, address: &str) -> Result<Attempt, ApiError> {
    let subjects = Subjects::of(org_id, email, address);
    db::write_tx(conn, |conn| {
        lock(conn, &subjects)?;
        let now = db::now();
        let since = now - Duration::minutes(WINDOW_MINUTES);
        let known = known_address(conn, &subjects.known, now)?;
        let (pair, pair_oldest) = count_since(conn, "pair", &subjects.pair, since)?;
        if pair >= MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(pair_oldest, now),
            });
        }
        let (address, address_oldest) = count_since(conn, "address", &subjects.address, since)?;
        if address >= MAX_FAILURES_PER_ADDRESS && !known {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(address_oldest, now),
            });
        }
        let (account, account_oldest) = count_since(conn, "account", &subjects.account, since)?;
        if account >= MAX_FAILURES_PER_ACCOUNT && !known {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(account_oldest, now),
            });
        }
        let mut rows = Vec::with_capacity(3);
        for (scope, subject) in [
            ("pair", &subjects.pair),
            ("address", &subjects.address),
            ("account", &subjects.account),
        ] {
            let id = db::new_id();
            diesel::insert_into(login_attempts::table)
                .values(&NewAttempt {
                    id: id.clone(),
                    scope,
                    subject,
                    created_at: now,
                })
                .execute(conn)?;
            rows.push(id);
        }
        Ok(Attempt {
            rows,
            subjects: SubjectsRef {
                pair: subjects.pair.clone(),
                known: subjects.known.clone(),
            },
        })
    })
}

/// Counts a sign-in request with the provider (start or callback) from `address`, or
/// refuses it with 429 when `limit` requests were made from there in the window. The
/// requests of all organisations count together: it is the address that is limited.
pub fn sso_request(conn: &mut DbConnection, address: &str, limit: i64) -> Result<(), ApiError> {
    let subject = digest(&["sso", &network(address)]);
    db::write_tx(conn, |conn| {
        if let DbConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<diesel::sql_types::Text, _>(&subject)
                .execute(pg)?;
        }
        let now = db::now();
        let since = now - Duration::minutes(WINDOW_MINUTES);
        let (count, oldest) = count_since(conn, "sso", &subject, since)?;
        if count >= limit {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(oldest, now),
            });
        }
        diesel::insert_into(login_attempts::table)
            .values(&NewAttempt {
                id: db::new_id(),
                scope: "sso",
                subject: &subject,
                created_at: now,
            })
            .execute(conn)?;
        Ok(())
    })
}

/// The password was right: this attempt does not count, the failures from this address
/// for this account are forgotten, and the address is known for the account from now on.
/// Failures from other addresses stay: they may be someone else's guesses.
pub fn succeeded(conn: &mut DbConnection, attempt: &Attempt) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        diesel::delete(login_attempts::table.filter(login_attempts::id.eq_any(&attempt.rows))).execute(conn)?;
        diesel::delete(
            login_attempts::table
                .filter(login_attempts::scope.eq("pair"))
                .filter(login_attempts::subject.eq(&attempt.subjects.pair)),
        )
        .execute(conn)?;
        let now = db::now();
        let updated = diesel::update(login_known_addresses::table.find(&attempt.subjects.known))
            .set(login_known_addresses::last_success_at.eq(now))
            .execute(conn)?;
        if updated == 0 {
            // In a savepoint of its own: a failed statement must not spoil the transaction.
            let inserted = db::write_tx(conn, |conn| {
                diesel::insert_into(login_known_addresses::table)
                    .values((
                        login_known_addresses::subject.eq(&attempt.subjects.known),
                        login_known_addresses::last_success_at.eq(now),
                    ))
                    .execute(conn)
            });
            match inserted {
                // A parallel sign-in from the same place noted it first.
                Err(e) if db::is_unique_violation(&e) => {}
                other => {
                    other?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_digests_not_addresses() {
        let s = Subjects::of("org-1", "anna@example.org", "192.0.2.1");
        for d in [&s.account, &s.address, &s.pair, &s.known] {
            assert_eq!(d.len(), 64);
            assert!(!d.contains("anna") && !d.contains("192"));
        }
        assert_ne!(s.account, Subjects::of("org-1", "anna@example.org", "192.0.2.2").pair);
        assert_ne!(
            s.account,
            Subjects::of("org-2", "anna@example.org", "192.0.2.1").account
        );
        assert_ne!(s.pair, s.known);
        // The parts cannot be shifted into each other.
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    }

    #[test]
    fn ipv6_counts_by_network() {
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:bbbb::9"), network("2001:db8:1:2::5"));
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
        assert_eq!(network("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(network("192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn retry_after_counts_down_to_the_oldest_failure_leaving_the_window() {
        let now = db::now();
        assert_eq!(retry_after(Some(now - Duration::minutes(10)), now), 300);
        assert_eq!(retry_after(None, now), 1);
    }
}
