//! Who is calling: `AuthUser` validates the bearer token and loads the account on every
//! request (so deactivation takes effect at once); `Lead`, `Manager` and `Admin` add a
//! minimum role. Auth is visible in each handler's signature. `TokenCaller` (idea
//! submissions only) verifies the token alone: the account is loaded and checked with
//! the submission's batch, before anything is written, so deactivation still takes
//! effect at once.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::tokens::Claims;
use crate::db;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::sessions::SessionState;
use crate::store::users::{self, User};

/// The default language of the caller's organisation, noted in the request's extensions
/// when the caller is authenticated (problem documents fall back to it).
#[derive(Debug, Clone)]
pub struct OrgLocale(pub String);

/// An authenticated, active user of some organisation.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub org_id: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub email: String,
    pub display_name: String,
    pub must_change_password: bool,
}

impl AuthUser {
    pub fn is(&self, role: Role) -> bool {
        self.role.at_least(role)
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.is(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("this needs the role {role} or higher")))
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let raw = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("send an access token: Authorization: Bearer <token>".into()))?;
    let raw = raw
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid".into()))?;
    let (scheme, token) = raw
        .trim()
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must be 'Bearer <token>'".into(),
        ));
    }
    Ok(token.trim().to_owned())
}

/// The application state and the verified claims of the request's access token.
fn verified(req: &HttpRequest) -> Result<(web::Data<AppState>, Claims), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let token = bearer(req)?;
    let claims = state.keys.verify(&token)?;
    Ok((state, claims))
}

async fn authenticate(req: HttpRequest) -> Result<AuthUser, ApiError> {
    let (state, claims) = verified(&req)?;
    let token_org = claims.org.clone();
    let found = db::run(&state.pool, move |conn| {
        users::find_with_session(conn, &claims.org, &claims.sub, &claims.sid)
    })
    .await?;
    let (user, session) = match found {
        Some((u, s, locale)) => {
            // Messages to this caller fall back to their organisation's language.
            req.extensions_mut().insert(OrgLocale(locale));
            (Some(u), s)
        }
        None => (None, None),
    };
    account(user, session.as_ref(), &token_org)
}

/// The account behind a verified token, as every request sees it: it must still exist,
/// belong to the organisation the token was issued for, and be active, and the token's
/// session must not have ended.
pub fn account(user: Option<User>, session: Option<&SessionState>, token_org: &str) -> Result<AuthUser, ApiError> {
    // The token names the organisation it was issued for; a user moved elsewhere or a
    // deactivated account must not keep using it.
    let Some(user) = user else {
        return Err(ApiError::Unauthorized("the account no longer exists".into()));
    };
    if user.org_id != token_org {
        return Err(ApiError::Unauthorized("the access token is invalid".into()));
    }
    if !user.active {
        return Err(ApiError::Unauthorized("the account is deactivated".into()));
    }
    match session {
        Some(s) if s.user_id == user.id && s.is_live(db::now()) => {}
        _ => {
            return Err(ApiError::Unauthorized("the session has ended; log in again".into()));
        }
    }
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal(format!("unknown role {:?}", user.role)))?;
    Ok(AuthUser {
        id: user.id,
        org_id: user.org_id,
        role,
        unit_id: user.unit_id,
        email: user.email,
        display_name: user.display_name,
        must_change_password: user.must_change_password,
    })
}

/// What every endpoint but `/me` requires beyond a sound account: the generated
/// password replaced.
pub fn may_act(user: AuthUser) -> Result<AuthUser, ApiError> {
    if user.must_change_password {
        return Err(ApiError::forbidden(
            "replace the generated password first: PUT /api/v1/me/password",
        ));
    }
    Ok(user)
}

/// A caller whose access token is verified but whose account is not loaded yet: for an
/// endpoint that loads it later together with others' (idea submissions, see
/// `store::idea_writer`), which must then apply `account` and `may_act` before acting.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    pub user_id: String,
    pub org_id: String,
    pub session_id: String,
}

impl FromRequest for TokenCaller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verified(req).map(|(_, claims)| TokenCaller {
            user_id: claims.sub,
            org_id: claims.org,
            session_id: claims.sid,
        }))
    }
}

/// Loads and checks the caller's account as the `AuthUser` extractor does.
pub async fn authenticated(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    may_act(authenticate(req.clone()).await?)
}

/// Any authenticated user, even one who still has to replace a generated password.
/// Only `/me` and `/me/password` accept this.
#[derive(Debug, Clone)]
pub struct AnyAuthUser(pub AuthUser);

impl FromRequest for AnyAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(AnyAuthUser) })
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticated(&req).await })
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        impl Deref for $name {
            type Target = AuthUser;
            fn deref(&self) -> &AuthUser {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let fut = AuthUser::from_request(req, payload);
                Box::pin(async move {
                    let user = fut.await?;
                    user.require($role)?;
                    Ok($name(user))
                })
            }
        }
    };
}

role_extractor!(
    /// A lead, manager or admin.
    Lead,
    Role::Lead
);
role_extractor!(
    /// A manager or admin.
    Manager,
    Role::Manager
);
role_extractor!(
    /// An admin of the caller's organisation.
    Admin,
    Role::Admin
);
