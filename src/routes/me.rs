//! The caller's own account.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AnyAuthUser;
use crate::db;
use crate::domain::fields;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, client_address};
use crate::routes::users::UserResponse;
use crate::state::AppState;
use crate::store::users::{self, UserChangeset};
use crate::store::{organizations, throttle};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: String,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    pub organization: OrganizationRef,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// The caller's account and organisation.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MeResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn get_me(caller: AnyAuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let (user, org) = db::run(&state.pool, move |conn| {
        let user = users::find(conn, &caller.org_id, &caller.id)?;
        let org = organizations::find(conn, &caller.org_id)?;
        Ok((user, org))
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeResponse {
        user: user.into(),
        organization: OrganizationRef {
            id: org.id,
            name: org.name,
            slug: org.slug,
        },
    }))
}

/// Change the caller's password. Ends every session of the account, the one it is made
/// from included: log in again with the new password.
#[utoipa::path(
    tag = "me",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every session ended, log in again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Current password wrong", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    caller: AnyAuthUser,
    state: web::Data<AppState>,
    body: ApiJson<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let body = body.into_inner();
    let new_password = fields::new_password(&body.new_password).map_err(|m| ApiError::field("new_password", m))?;
    if new_password == body.current_password {
        return Err(ApiError::field("new_password", "must differ from the current password"));
    }
    let address = client_address(&req, state.settings.trusted_proxies);
    let (org, id, email) = (caller.org_id.clone(), caller.id.clone(), caller.email.clone());
    // Guessing the current password with a stolen access token is throttled like a login.
    let (attempt, user) = db::run(&state.pool, move |conn| {
        let attempt = throttle::begin(conn, &org, &email, &address)?;
        Ok((attempt, users::find(conn, &org, &id)?))
    })
    .await?;
    if !state
        .passwords
        .verify(body.current_password, Some(user.password_hash.clone()))
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
    db::run(&state.pool, move |conn| {
        throttle::succeeded(conn, &attempt)?;
        users::update(conn, &org, &id, None, &changes)
    })
    .await?
    .map_err(ApiError::stale_version)?;
    // Not naming the person, for the reason given at login.
    tracing::info!("password changed");
    Ok(HttpResponse::NoContent().finish())
}
