//! Login throttling kept in the database, so the limits hold across instances.
//! A pending attempt is recorded before the password is checked; success removes it,
//! failure leaves it as a failure. Racing attempts therefore cannot slip past the limit.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::login_attempts;
use crate::db::{self, DbConnection};
use crate::error::ApiError;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

#[derive(Debug, Insertable)]
#[diesel(table_name = login_attempts)]
struct NewAttempt {
    id: String,
    scope: String,
    subject: String,
    created_at: NaiveDateTime,
}

fn subject(scope: &str, value: &str) -> String {
    let d = Sha256::digest(format!("{scope}:{value}").as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows recorded for one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    account_row: String,
    address_row: String,
    account_subject: String,
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

/// Records the attempt, or refuses it with 429 when the account or address has used up
/// its failures in the window.
pub fn begin(conn: &mut DbConnection, email: &str, address: &str) -> Result<Attempt, ApiError> {
    let account_subject = subject("account", email);
    let address_subject = subject("address", address);
    db::write_tx(conn, |conn| {
        let now = db::now();
        let since = now - Duration::minutes(WINDOW_MINUTES);
        diesel::delete(login_attempts::table.filter(login_attempts::created_at.le(since))).execute(conn)?;
        let (account_failures, account_oldest) = count_since(conn, "account", &account_subject, since)?;
        let (address_failures, address_oldest) = count_since(conn, "address", &address_subject, since)?;
        if account_failures >= MAX_FAILURES_PER_ACCOUNT {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(account_oldest, now),
            });
        }
        if address_failures >= MAX_FAILURES_PER_ADDRESS {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after(address_oldest, now),
            });
        }
        let attempt = Attempt {
            account_row: db::new_id(),
            address_row: db::new_id(),
            account_subject: account_subject.clone(),
        };
        for (id, scope, subj) in [
            (&attempt.account_row, "account", &account_subject),
            (&attempt.address_row, "address", &address_subject),
        ] {
            diesel::insert_into(login_attempts::table)
                .values(&NewAttempt {
                    id: id.clone(),
                    scope: scope.into(),
                    subject: subj.clone(),
                    created_at: now,
                })
                .execute(conn)?;
        }
        Ok(attempt)
    })
}

/// The password was right: forget this attempt and the account's earlier failures.
pub fn succeeded(conn: &mut DbConnection, attempt: &Attempt) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        diesel::delete(
            login_attempts::table
                .filter(login_attempts::scope.eq("account"))
                .filter(login_attempts::subject.eq(&attempt.account_subject)),
        )
        .execute(conn)?;
        diesel::delete(login_attempts::table.filter(login_attempts::id.eq(&attempt.address_row))).execute(conn)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_digests_not_addresses() {
        let s = subject("account", "anna@example.org");
        assert_eq!(s.len(), 64);
        assert!(!s.contains("anna"));
        assert_ne!(s, subject("address", "anna@example.org"));
    }

    #[test]
    fn retry_after_counts_down_to_the_oldest_failure_leaving_the_window() {
        let now = db::now();
        assert_eq!(retry_after(Some(now - Duration::minutes(10)), now), 300);
        assert_eq!(retry_after(None, now), 1);
    }
}
