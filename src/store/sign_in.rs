//! Single sign-on rows: an organisation's provider settings, the people a provider has
//! signed in (by a digest of issuer and subject) and the sign-ins under way, each of which
//! can be taken exactly once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{sign_in_configs, sign_in_identities, sign_in_pending};
use crate::db::{self, DbConnection};
use crate::error::ApiError;

/// An organisation's sign-in settings as stored (the secret included: never send it;
/// `Debug` leaves it out).
#[derive(Clone, Queryable, Insertable, AsChangeset)]
#[diesel(table_name = sign_in_configs)]
#[diesel(treat_none_as_null = true)]
pub struct SignInConfig {
    pub org_id: String,
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: String,
    pub email_claim: String,
    pub groups_claim: String,
    pub group_mappings: String,
    pub password_login: bool,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    /// Whether an address may be trusted when the ID token does not say whether the
    /// provider verified it (no `email_verified` claim). `email_verified: false` is never
    /// trusted.
    pub trust_email_without_verified: bool,
}

impl std::fmt::Debug for SignInConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInConfig")
            .field("org_id", &self.org_id)
            .field("enabled", &self.enabled)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("scopes", &self.scopes)
            .field("password_login", &self.password_login)
            .field("trust_email_without_verified", &self.trust_email_without_verified)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A provider group that gives a role (and a unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMapping {
    pub group: String,
    pub role: String,
    pub unit_id: Option<String>,
}

impl SignInConfig {
    /// What an organisation that never saved its settings has: no provider, password login on.
    pub fn unset(org_id: &str) -> Self {
        Self {
            org_id: org_id.to_owned(),
            enabled: false,
            issuer_url: String::new(),
            client_id: String::new(),
            client_secret: None,
            scopes: "openid email profile".into(),
            email_claim: "email".into(),
            groups_claim: "groups".into(),
            group_mappings: "[]".into(),
            password_login: true,
            version: 0,
            updated_at: db::now(),
            trust_email_without_verified: true,
        }
    }

    pub fn mappings(&self) -> Vec<GroupMapping> {
        serde_json::from_str(&self.group_mappings).unwrap_or_default()
    }

    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }

    /// Sign-in with the provider is possible.
    pub fn usable(&self) -> bool {
        self.enabled && !self.issuer_url.is_empty() && !self.client_id.is_empty()
    }
}

/// The settings of the organisation (`unset` when never saved).
pub fn find(conn: &mut DbConnection, org_id: &str) -> Result<SignInConfig, ApiError> {
    Ok(sign_in_configs::table
        .find(org_id)
        .get_result(conn)
        .optional()?
        .unwrap_or_else(|| SignInConfig::unset(org_id)))
}

/// Whether people other than admins may sign in with a password.
pub fn password_login_allowed(conn: &mut DbConnection, org_id: &str) -> Result<bool, ApiError> {
    Ok(sign_in_configs::table
        .find(org_id)
        .select(sign_in_configs::password_login)
        .get_result::<bool>(conn)
        .optional()?
        .unwrap_or(true))
}

/// Replaces the settings when their version is still `expected`; `Ok(Err(current))`
/// otherwise. Returns the settings before and after.
pub fn replace(
    conn: &mut DbConnection,
    expected: i64,
    mut new: SignInConfig,
) -> Result<Result<(SignInConfig, SignInConfig), i64>, ApiError> {
    db::write_tx(conn, |conn| {
        crate::store::organizations::lock(conn, &new.org_id)?;
        let before = find(conn, &new.org_id)?;
        if before.version != expected {
            return Ok(Err(before.version));
        }
        new.version = expected + 1;
        new.updated_at = db::now();
        if expected == 0 {
            diesel::insert_into(sign_in_configs::table).values(&new).execute(conn)?;
        } else {
            diesel::update(sign_in_configs::table.find(&new.org_id))
                .set(&new)
                .execute(conn)?;
        }
        Ok(Ok((before, new)))
    })
}

/// The account a provider's subject signed in as before.
pub fn identity(conn: &mut DbConnection, org_id: &str, subject_hash: &str) -> Result<Option<String>, ApiError> {
    Ok(sign_in_identities::table
        .find((org_id, subject_hash))
        .select(sign_in_identities::user_id)
        .get_result(conn)
        .optional()?)
}

/// Whether the account is linked to some provider subject.
pub fn has_identity(conn: &mut DbConnection, user_id: &str) -> Result<bool, ApiError> {
    let n: i64 = sign_in_identities::table
        .filter(sign_in_identities::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn link(conn: &mut DbConnection, org_id: &str, subject_hash: &str, user_id: &str) -> Result<(), ApiError> {
    diesel::insert_into(sign_in_identities::table)
        .values((
            sign_in_identities::org_id.eq(org_id),
            sign_in_identities::subject_hash.eq(subject_hash),
            sign_in_identities::user_id.eq(user_id),
            sign_in_identities::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A sign-in under way: what the callback needs to finish it.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = sign_in_pending)]
pub struct Pending {
    pub state_hash: String,
    pub org_id: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub return_to: String,
    pub mode: String,
    pub expires_at: NaiveDateTime,
}

/// Stores a sign-in under way (and drops those that expired).
pub fn begin(conn: &mut DbConnection, pending: &Pending) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        diesel::delete(sign_in_pending::table.filter(sign_in_pending::expires_at.le(db::now()))).execute(conn)?;
        diesel::insert_into(sign_in_pending::table)
            .values(pending)
            .execute(conn)?;
        Ok(())
    })
}

/// Takes the sign-in with this state for the organisation: it is deleted here, so a
/// second callback with the same state finds nothing. `None` when unknown, taken or expired.
pub fn take(conn: &mut DbConnection, org_id: &str, state_hash: &str) -> Result<Option<Pending>, ApiError> {
    db::write_tx(conn, |conn| {
        let found: Option<Pending> = sign_in_pending::table
            .find(state_hash)
            .filter(sign_in_pending::org_id.eq(org_id))
            .get_result(conn)
            .optional()?;
        let Some(found) = found else {
            return Ok(None);
        };
        // Only the one request that deletes the row goes on (two at once: one of them).
        let deleted = diesel::delete(sign_in_pending::table.find(state_hash)).execute(conn)?;
        Ok((deleted == 1 && found.expires_at > db::now()).then_some(found))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_secret_never_shows_in_debug_output() {
        let mut config = SignInConfig::unset("org");
        config.client_secret = Some("very-secret-value".into());
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
