//! Signing in and replacing one's password: the same checks, throttling and session rules
//! for an API login and a browser sign-in.

use crate::auth::AuthUser;
use crate::db;
use crate::domain::fields::{self, Email, MAX_PASSWORD_BYTES};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::sessions::{self, SessionKind};
use crate::store::throttle::{self, Attempt};
use crate::store::users::{self, User, UserChangeset};
use crate::store::{organizations, sign_in, tokens};

/// What a sign-in needs: the typed credentials and where they came from.
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// The organisation's slug; required when the installation hosts several.
    pub organization: Option<String>,
    /// The client address as the throttle counts it.
    pub address: String,
}

/// A verified sign-in that has not started its session yet.
pub struct Verified {
    pub user: User,
    attempt: Attempt,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("e-mail or password is wrong".into())
}

/// Checks the credentials under the login limits (429 when exceeded). An unknown
/// organisation or account is answered like a wrong password, after the same work.
pub async fn verify(state: &AppState, credentials: Credentials) -> Result<Verified, ApiError> {
    let Credentials {
        email,
        password,
        organization,
        address,
    } = credentials;
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::field(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    // Malformed addresses are looked up as typed; they simply match no account.
    let email = Email::parse(&email)
        .map(Email::into_inner)
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let (attempt, user) = db::run(&state.pool, move |conn| {
        // Which organisation: named, or the only one. Never found from the e-mail: which
        // organisations an address is used in must not show in any answer.
        let org = match organization.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => organizations::find_by_slug(conn, slug)?,
            None => match organizations::only_one(conn)? {
                Some(org) => Some(org),
                None => {
                    return Err(ApiError::field(
                        "organization",
                        "this installation hosts several organisations: give your organisation's short name (slug)",
                    ));
                }
            },
        };
        // An unknown organisation is throttled and answered like a wrong password.
        let org_id = org.map(|o| o.id).unwrap_or_default();
        let attempt = throttle::begin(conn, &org_id, &email, &address)?;
        let user = users::find_by_email(conn, &org_id, &email)?;
        Ok((attempt, user))
    })
    .await?;
    let ok = state
        .passwords
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    match user {
        Some(user) if ok && user.active => {
            // Where the organisation signs in through its provider, a password opens only an
            // admin's account (break-glass). Said only after the password proved right.
            if user.role() != Role::Admin {
                let org = user.org_id.clone();
                if !db::run(&state.pool, move |conn| sign_in::password_login_allowed(conn, &org)).await? {
                    tracing::info!("password login refused: switched off for the organisation");
                    return Err(ApiError::forbidden(
                        "password sign-in is switched off for this organisation: sign in with your work account",
                    ));
                }
            }
            Ok(Verified { user, attempt })
        }
        _ => {
            tracing::info!("login failed");
            Err(invalid_credentials())
        }
    }
}

/// Starts an API session: its id and the first refresh token.
pub async fn start_api(state: &AppState, verified: Verified) -> Result<(User, String, String), ApiError> {
    let Verified { user, attempt } = verified;
    let account = user.clone();
    let (session_id, refresh_token) = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            throttle::succeeded(conn, &attempt)?;
            let session = sessions::start(conn, &account, SessionKind::Api, tokens::lifetime(), None)?;
            let refresh_token = tokens::issue(conn, &account, &session)?;
            Ok((session, refresh_token))
        })
    })
    .await?;
    // Without the account: a line naming the person next to their survey submission
    // would tie the two together by time. Administrative acts are audited separately.
    tracing::info!("login");
    Ok((user, session_id, refresh_token))
}

/// Starts a browser session whose cookie secret has this digest.
pub async fn start_web(state: &AppState, verified: Verified, secret_hash: String) -> Result<User, ApiError> {
    let Verified { user, attempt } = verified;
    let account = user.clone();
    let lifetime = chrono::Duration::hours(state.settings.web_session_hours);
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            throttle::succeeded(conn, &attempt)?;
            sessions::start(conn, &account, SessionKind::Web, lifetime, Some(&secret_hash))?;
            Ok(())
        })
    })
    .await?;
    tracing::info!("login");
    Ok(user)
}

/// Replaces the caller's password after checking the current one (throttled like a
/// login). Every session of the account ends; the caller signs in again or, in the
/// browser, gets a new session.
pub async fn change_password(
    state: &AppState,
    caller: &AuthUser,
    address: String,
    current_password: String,
    new_password: &str,
) -> Result<User, ApiError> {
    let new_password = fields::new_password(new_password).map_err(|m| ApiError::field("new_password", m))?;
    if new_password == current_password {
        return Err(ApiError::field("new_password", "must differ from the current password"));
    }
    let (org, id, email) = (caller.org_id.clone(), caller.id.clone(), caller.email.clone());
    // Guessing the current password with a stolen session is throttled like a login.
    let (attempt, user) = db::run(&state.pool, move |conn| {
        let attempt = throttle::begin(conn, &org, &email, &address)?;
        Ok((attempt, users::find(conn, &org, &id)?))
    })
    .await?;
    if !state
        .passwords
        .verify(current_password, Some(user.password_hash.clone()))
        .await?
    {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    let hash = state.passwords.hash(new_password).await?;
    let changes = UserChangeset {
        password_hash: Some(hash),
        must_change_password: Some(false),
        ..Default::default()
    };
    let (org, id) = (caller.org_id.clone(), caller.id.clone());
    let updated = db::run(&state.pool, move |conn| {
        throttle::succeeded(conn, &attempt)?;
        users::update(conn, &org, &id, None, &changes)
    })
    .await?
    .map_err(ApiError::stale_version)?;
    // Not naming the person, for the reason given at login.
    tracing::info!("password changed");
    // The account as this change left it: a session started for it fails when anything
    // (an administrator's reset) changed the password since.
    Ok(updated)
}
