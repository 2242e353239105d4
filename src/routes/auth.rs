//! Login, token refresh and logout.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, client_address};
use crate::state::AppState;
use crate::store::tokens::{self, Rotation};
use crate::store::users;
use crate::views::account;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "anna.schmidt@musterstadt.de", "password": "correct horse battery"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The organisation's short name (slug), e.g. `musterstadt`. Required when the
    /// installation hosts more than one organisation: an e-mail address identifies a
    /// person only within their organisation.
    pub organization: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT (HS256) for `Authorization: Bearer …`, valid for `expires_in` seconds.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; exchange at `/auth/refresh` for a new pair. Each refresh token works once.
    pub refresh_token: String,
    /// True when the password was generated and must be replaced before anything else.
    pub must_change_password: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

pub(crate) fn token_response(
    state: &AppState,
    user: &users::User,
    session_id: &str,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    let (access_token, expires_in) = state.keys.issue(&user.id, &user.org_id, session_id, user.role())?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in,
        refresh_token,
        must_change_password: user.must_change_password,
    })
}

/// Log in with e-mail and password.
///
/// More than 5 failures for one account or 20 from one client address within 15 minutes
/// answer 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password, or account deactivated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Password sign-in is switched off for the organisation (admins excepted): sign in with the provider", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        email,
        password,
        organization,
    } = body.into_inner();
    let verified = account::verify(
        &state,
        account::Credentials {
            email,
            password,
            organization,
            address: client_address(&req, state.settings.trusted_proxies),
        },
    )
    .await?;
    let (user, session_id, refresh_token) = account::start_api(&state, verified).await?;
    Ok(HttpResponse::Ok().json(token_response(&state, &user, &session_id, refresh_token)?))
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Every refresh token works once. Presenting one that was already exchanged revokes its
/// whole family: whoever holds a copy is logged out.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let presented = body.into_inner().refresh_token;
    let outcome = db::run(&state.pool, move |conn| tokens::rotate(conn, &presented)).await?;
    match outcome {
        Rotation::Rotated {
            user,
            session_id,
            refresh_token,
        } => Ok(HttpResponse::Ok().json(token_response(&state, &user, &session_id, refresh_token)?)),
        Rotation::Invalid => Err(ApiError::Unauthorized("the refresh token is not valid".into())),
        Rotation::ReuseDetected => {
            tracing::warn!("refresh token reuse detected; session revoked");
            Err(ApiError::Unauthorized(
                "the refresh token was already used; the session has been revoked, log in again".into(),
            ))
        }
    }
}

/// Log out: revoke the session the refresh token belongs to.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Session revoked (also when the token was unknown)"))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let presented = body.into_inner().refresh_token;
    db::run(&state.pool, move |conn| tokens::revoke(conn, &presented)).await?;
    Ok(HttpResponse::NoContent().finish())
}
