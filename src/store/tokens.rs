//! Refresh tokens: each belongs to a session (its family) and works once; presenting a
//! used one again ends the session (reuse detection).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::tokens::{REFRESH_TOKEN_DAYS, digest_token, new_refresh_token};
use crate::db::schema::refresh_tokens;
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::sessions;
use crate::store::users::{self, User};

#[derive(Debug, Clone, Queryable)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    /// The session the token belongs to.
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// The account's organisation: keys the account and the session.
    pub org_id: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken {
    id: String,
    user_id: String,
    family_id: String,
    token_hash: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    org_id: String,
}

/// How long an API session lasts without a refresh.
pub fn lifetime() -> Duration {
    Duration::days(REFRESH_TOKEN_DAYS)
}

/// Issues a refresh token of the session and returns the plain token, which is never
/// stored.
pub fn issue(conn: &mut DbConnection, user: &User, session_id: &str) -> Result<String, ApiError> {
    let (token, digest) = new_refresh_token()?;
    let now = db::now();
    let row = NewRefreshToken {
        id: db::new_id(),
        user_id: user.id.clone(),
        family_id: session_id.to_owned(),
        token_hash: digest,
        created_at: now,
        expires_at: now + lifetime(),
        org_id: user.org_id.clone(),
    };
    diesel::insert_into(refresh_tokens::table).values(&row).execute(conn)?;
    Ok(token)
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: here are the user, the session and the replacement token.
    Rotated {
        user: Box<User>,
        session_id: String,
        refresh_token: String,
    },
    /// Unknown or expired, its session ended, or its account inactive.
    Invalid,
    /// An already rotated token came back: its session is ended now.
    ReuseDetected,
}

fn find(conn: &mut DbConnection, digest: &str) -> Result<Option<RefreshToken>, ApiError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest))
        .get_result::<RefreshToken>(conn)
        .optional()?)
}

/// Rotates a refresh token. The session's row is locked first, so a rotation and anything
/// ending the session happen one after the other: two uses of the same token end with one
/// rotation and one detected reuse, and a session ended meanwhile rotates no more.
pub fn rotate(conn: &mut DbConnection, presented: &str) -> Result<Rotation, ApiError> {
    let digest = digest_token(presented);
    let Some(first) = find(conn, &digest)? else {
        return Ok(Rotation::Invalid);
    };
    db::write_tx(conn, |conn| {
        // The account's row first, as every change of the account takes it (and the new
        // token's foreign key would take it after the session's lock otherwise: a deadlock
        // with an account change that ends the sessions).
        // The token's organisation keys the account and the session.
        let org_id = first.org_id.clone();
        if !lock_account(conn, &org_id, &first.user_id)? {
            return Ok(Rotation::Invalid);
        }
        let Some(session) = sessions::lock(conn, &org_id, &first.family_id)? else {
            return Ok(Rotation::Invalid);
        };
        // Read again under the lock: another rotation may have used it meanwhile.
        let Some(row) = find(conn, &digest)? else {
            return Ok(Rotation::Invalid);
        };
        let now = db::now();
        if !session.is_live(now) || session.user_id != row.user_id {
            return Ok(Rotation::Invalid);
        }
        if row.rotated_at.is_some() {
            sessions::revoke(conn, &org_id, &session.id)?;
            return Ok(Rotation::ReuseDetected);
        }
        if row.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        let Some(user) = users::find_optional(conn, &org_id, &row.user_id)? else {
            return Ok(Rotation::Invalid);
        };
        if !user.active {
            sessions::revoke(conn, &org_id, &session.id)?;
            return Ok(Rotation::Invalid);
        }
        diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq(&row.id)))
            .set(refresh_tokens::rotated_at.eq(Some(now)))
            .execute(conn)?;
        let refresh_token = issue(conn, &user, &session.id)?;
        sessions::extend(conn, &org_id, &session.id, now + lifetime())?;
        Ok(Rotation::Rotated {
            user: Box::new(user),
            session_id: session.id,
            refresh_token,
        })
    })
}

/// Ends the session the token belongs to (logout). Unknown tokens are ignored.
pub fn revoke(conn: &mut DbConnection, presented: &str) -> Result<(), ApiError> {
    let digest = digest_token(presented);
    let Some(row) = find(conn, &digest)? else {
        return Ok(());
    };
    db::write_tx(conn, |conn| sessions::revoke(conn, &row.org_id, &row.family_id))
}

/// Whether the token's account exists; on PostgreSQL its row is locked against key
/// changes.
fn lock_account(conn: &mut DbConnection, org_id: &str, user_id: &str) -> Result<bool, ApiError> {
    use crate::db::schema::users as accounts;
    let account = accounts::table.find((org_id, user_id)).select(accounts::id);
    let found: Option<String> = match conn {
        DbConnection::Postgresql(pg) => account.for_key_share().get_result(pg).optional()?,
        _ => account.get_result(conn).optional()?,
    };
    Ok(found.is_some())
}
