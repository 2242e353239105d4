//! Refresh tokens: rotation with reuse detection per token family.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::tokens::{REFRESH_TOKEN_DAYS, digest_token, new_refresh_token};
use crate::db::schema::refresh_tokens;
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::users::{self, User};

#[derive(Debug, Clone, Queryable)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
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
}

/// Issues a refresh token in `family` (a new family for a fresh login) and returns the
/// plain token, which is never stored.
pub fn issue(conn: &mut DbConnection, user_id: &str, family: Option<&str>) -> Result<String, ApiError> {
    let (token, digest) = new_refresh_token()?;
    let now = db::now();
    let row = NewRefreshToken {
        id: db::new_id(),
        user_id: user_id.to_owned(),
        family_id: family.map(str::to_owned).unwrap_or_else(db::new_id),
        token_hash: digest,
        created_at: now,
        expires_at: now + Duration::days(REFRESH_TOKEN_DAYS),
    };
    diesel::insert_into(refresh_tokens::table).values(&row).execute(conn)?;
    Ok(token)
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: here are the user and the replacement token.
    Rotated { user: Box<User>, refresh_token: String },
    /// Unknown, expired or revoked, or its account is inactive.
    Invalid,
    /// An already rotated token came back: the whole family is revoked now.
    ReuseDetected,
}

fn revoke_family(conn: &mut DbConnection, family_id: &str) -> Result<(), ApiError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(db::now())))
    .execute(conn)?;
    Ok(())
}

/// Rotates a refresh token. The conditional update makes two concurrent uses of the same
/// token end with one rotation and one detected reuse, never two new tokens.
pub fn rotate(conn: &mut DbConnection, presented: &str) -> Result<Rotation, ApiError> {
    let digest = digest_token(presented);
    db::write_tx(conn, |conn| {
        let Some(row) = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&digest))
            .first::<RefreshToken>(conn)
            .optional()?
        else {
            return Ok(Rotation::Invalid);
        };
        if row.rotated_at.is_some() {
            revoke_family(conn, &row.family_id)?;
            return Ok(Rotation::ReuseDetected);
        }
        let now = db::now();
        if row.revoked_at.is_some() || row.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        let Some(user) = users::find_by_id_any_org(conn, &row.user_id)? else {
            return Ok(Rotation::Invalid);
        };
        if !user.active {
            revoke_family(conn, &row.family_id)?;
            return Ok(Rotation::Invalid);
        }
        let claimed = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(&row.id))
                .filter(refresh_tokens::rotated_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::rotated_at.eq(Some(now)))
        .execute(conn)?;
        if claimed == 0 {
            revoke_family(conn, &row.family_id)?;
            return Ok(Rotation::ReuseDetected);
        }
        let refresh_token = issue(conn, &user.id, Some(&row.family_id))?;
        Ok(Rotation::Rotated {
            user: Box::new(user),
            refresh_token,
        })
    })
}

/// Revokes the token's family (the session it belongs to). Unknown tokens are ignored.
pub fn revoke(conn: &mut DbConnection, presented: &str) -> Result<(), ApiError> {
    let digest = digest_token(presented);
    db::write_tx(conn, |conn| {
        let family: Option<String> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&digest))
            .select(refresh_tokens::family_id)
            .first(conn)
            .optional()?;
        if let Some(family) = family {
            revoke_family(conn, &family)?;
        }
        Ok(())
    })
}
