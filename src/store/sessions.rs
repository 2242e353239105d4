//! Sessions: one row per sign-in. An API session is a family of rotating refresh tokens
//! whose access tokens name it; a browser session is a cookie whose secret is stored only
//! as a digest. Every request checks its session, so ending one ends its access at once.
//!
//! Ending and continuing a session cannot pass each other: whatever continues a session
//! (a refresh, a browser request that extends it) first locks its row, and whatever ends
//! sessions updates those rows, which waits for the lock; on PostgreSQL each statement
//! then sees the other's committed result. A sign-in locks the account's row and checks
//! that the password it verified is still the account's, so a sign-in that checked the old
//! password cannot add a session after a password change ended them all. SQLite runs
//! write transactions one at a time, which gives the same order.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{sessions, users};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::users::User;

/// How a session was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// An API login: access tokens and a family of refresh tokens.
    Api,
    /// A browser sign-in: a cookie.
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Web => "web",
        }
    }
}

/// What the checks of every request need to know about a session.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct SessionState {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl SessionState {
    /// Not ended and not past its absolute end.
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

type StateColumns = (
    sessions::id,
    sessions::user_id,
    sessions::kind,
    sessions::last_seen_at,
    sessions::expires_at,
    sessions::revoked_at,
);

const STATE: StateColumns = (
    sessions::id,
    sessions::user_id,
    sessions::kind,
    sessions::last_seen_at,
    sessions::expires_at,
    sessions::revoked_at,
);

/// Starts a session for `user` after their password (`verified_hash`) was checked. Refused
/// (401) when the account changed its password or was deactivated since the check.
pub fn start(
    conn: &mut DbConnection,
    user: &User,
    kind: SessionKind,
    lifetime: Duration,
    secret_hash: Option<&str>,
) -> Result<String, ApiError> {
    db::write_tx(conn, |conn| {
        let current: Option<(String, bool)> = match conn {
            DbConnection::Postgresql(pg) => users::table
                .find((&user.org_id, &user.id))
                .select((users::password_hash, users::active))
                .for_share()
                .get_result(pg)
                .optional()?,
            DbConnection::Sqlite(_) => users::table
                .find((&user.org_id, &user.id))
                .select((users::password_hash, users::active))
                .get_result(conn)
                .optional()?,
        };
        match current {
            Some((hash, true)) if hash == user.password_hash => {}
            _ => return Err(ApiError::Unauthorized("e-mail or password is wrong".into())),
        }
        let now = db::now();
        let id = db::new_id();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id),
                sessions::org_id.eq(&user.org_id),
                sessions::user_id.eq(&user.id),
                sessions::kind.eq(kind.as_str()),
                sessions::secret_hash.eq(secret_hash),
                sessions::created_at.eq(now),
                sessions::last_seen_at.eq(now),
                sessions::expires_at.eq(now + lifetime),
            ))
            .execute(conn)?;
        Ok(id)
    })
}

/// The session's state, its row locked for the rest of the transaction on PostgreSQL
/// (call inside a write transaction). Sessions are keyed by organisation and id (the
/// primary key on PostgreSQL, migration 2026-12-04-000029_org_leading_keys): every
/// lookup names both.
pub fn lock(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Option<SessionState>, ApiError> {
    let keyed = sessions::table
        .filter(sessions::org_id.eq(org_id))
        .filter(sessions::id.eq(id));
    Ok(match conn {
        DbConnection::Postgresql(pg) => keyed.select(STATE).for_update().get_result(pg).optional()?,
        DbConnection::Sqlite(_) => keyed.select(STATE).get_result(conn).optional()?,
    })
}

/// An account with the session its token names, in one statement of fixed text, which
/// stays prepared: on SQLite the idea writer checks a batch's submitters with it one by
/// one (lists of varying length were compiled anew for every batch, and two statements per
/// submission took an eighth of the writer's time, BENCHMARKS.md).
pub fn account_and_session(
    conn: &mut DbConnection,
    org_id: &str,
    user_id: &str,
    session_id: &str,
) -> Result<Option<(User, Option<SessionState>)>, ApiError> {
    Ok(db::get_result_native(
        conn,
        users::table
            .left_join(sessions::table.on(sessions::org_id.eq(users::org_id).and(sessions::id.eq(session_id))))
            .filter(users::org_id.eq(org_id))
            .filter(users::id.eq(user_id))
            .select((users::all_columns, STATE.nullable())),
    )
    .optional()?)
}

/// The accounts of a batch's token submitters, each with the session its token names and
/// the dimension keys of its organisation's current questionnaire
/// (`questionnaires::latest_published_keys`, empty when nothing is published), in one
/// statement: PostgreSQL's idea checker reads all it needs before writing in one round
/// trip per batch, where it took three. One row per token whose account exists in the
/// token's organisation; its session only when it is the account's own (`account`
/// refuses a missing one). Each row is found by its keys, as SQLite's
/// `account_and_session` finds it: lists matched with `= ANY` let the planner scan an
/// organisation's every session for each account (6,000 sessions: 1.8 ms a batch).
pub fn accounts_and_sessions(
    pg: &mut diesel::PgConnection,
    org_ids: &[&str],
    user_ids: &[&str],
    session_ids: &[&str],
) -> Result<Vec<AccountWithKeys>, ApiError> {
    Ok(AccountsOfTokens {
        org_ids,
        user_ids,
        session_ids,
    }
    .load(pg)?)
}

/// An account, a session it names, and its organisation's current dimension keys.
pub type AccountWithKeys = (User, Option<SessionState>, Vec<String>);

/// The statement of `accounts_and_sessions`: its text is the same for every batch (the
/// tokens bound as three arrays of equal length), so each connection prepares it once.
struct AccountsOfTokens<'a> {
    org_ids: &'a [&'a str],
    user_ids: &'a [&'a str],
    session_ids: &'a [&'a str],
}

impl diesel::query_builder::QueryId for AccountsOfTokens<'_> {
    type QueryId = AccountsOfTokens<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for AccountsOfTokens<'_> {
    type SqlType = (
        users::SqlType,
        diesel::sql_types::Nullable<<StateColumns as diesel::Expression>::SqlType>,
        diesel::sql_types::Array<diesel::sql_types::Text>,
    );
}

impl RunQueryDsl<diesel::PgConnection> for AccountsOfTokens<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for AccountsOfTokens<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Text};
        out.push_sql("SELECT ");
        users::all_columns.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        STATE.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        out.push_sql(crate::store::questionnaires::PUBLISHED_KEYS_OF_USERS_ORG);
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.org_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.user_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.session_ids)?;
        out.push_sql(
            ") AS t(org_id, user_id, session_id) \
             JOIN users ON users.org_id = t.org_id AND users.id = t.user_id \
             LEFT JOIN sessions ON sessions.org_id = t.org_id AND sessions.id = t.session_id \
             AND sessions.user_id = users.id",
        );
        Ok(())
    }
}

/// A browser session by its secret's digest with its account and the organisation's name
/// and language, in one query (every page asks).
pub fn web_lookup(
    conn: &mut DbConnection,
    secret_hash: &str,
) -> Result<Option<(SessionState, User, String, String)>, ApiError> {
    use crate::db::schema::organizations;
    Ok(sessions::table
        .inner_join(users::table.on(users::org_id.eq(sessions::org_id).and(users::id.eq(sessions::user_id))))
        .inner_join(organizations::table.on(organizations::id.eq(users::org_id)))
        .filter(sessions::secret_hash.eq(secret_hash))
        .filter(sessions::kind.eq(SessionKind::Web.as_str()))
        .select((
            STATE,
            users::all_columns,
            organizations::name,
            organizations::default_locale,
        ))
        .get_result(conn)
        .optional()?)
}

/// Moves a live session's absolute end and notes that it was used.
pub fn extend(conn: &mut DbConnection, org_id: &str, id: &str, expires_at: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .filter(sessions::org_id.eq(org_id))
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::last_seen_at.eq(db::now()),
        sessions::expires_at.eq(expires_at),
    ))
    .execute(conn)?;
    Ok(())
}

/// Notes that a session was used (the idle timeout of browser sessions counts from here).
pub fn touch(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .filter(sessions::org_id.eq(org_id))
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::last_seen_at.eq(db::now()))
    .execute(conn)?;
    Ok(())
}

/// When the person was last active in a browser session other than `current` (their
/// previous visit), if they had one in the last 30 days.
pub fn previous_visit(
    conn: &mut DbConnection,
    user_id: &str,
    current: &str,
) -> Result<Option<NaiveDateTime>, ApiError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::kind.eq(SessionKind::Web.as_str()))
        .filter(sessions::id.ne(current))
        .select(diesel::dsl::max(sessions::last_seen_at))
        .first(conn)?)
}

/// Ends one session (logout, or a refresh token presented twice).
pub fn revoke(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .filter(sessions::org_id.eq(org_id))
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(db::now())))
    .execute(conn)?;
    Ok(())
}

/// Ends every session of the user (password change or reset, deactivation).
pub fn revoke_all(conn: &mut DbConnection, user_id: &str) -> Result<usize, ApiError> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(db::now())))
    .execute(conn)?)
}

/// Deletes sessions that ended or expired more than 30 days ago, with their refresh
/// tokens (the scheduler runs it).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    use crate::db::schema::refresh_tokens;
    let before = now - Duration::days(30);
    db::write_tx(conn, |conn| {
        let gone = sessions::table
            .filter(sessions::revoked_at.le(before).or(sessions::expires_at.le(before)))
            .select(sessions::id);
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::family_id.eq_any(gone))).execute(conn)?;
        Ok(
            diesel::delete(sessions::table.filter(sessions::revoked_at.le(before).or(sessions::expires_at.le(before))))
                .execute(conn)?,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_until_ended_or_expired() {
        let now = db::now();
        let mut s = SessionState {
            id: "s".into(),
            user_id: "u".into(),
            kind: "api".into(),
            last_seen_at: now,
            expires_at: now + Duration::minutes(1),
            revoked_at: None,
        };
        assert!(s.is_live(now));
        assert!(!s.is_live(now + Duration::minutes(1)));
        s.revoked_at = Some(now);
        assert!(!s.is_live(now));
    }
}
