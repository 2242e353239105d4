//! The caller's own account.

use crate::domain::locale::Lang;
use crate::store::mail;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AnyAuthUser;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, client_address};
use crate::routes::users::UserResponse;
use crate::state::AppState;
use crate::store::{organizations, users};
use crate::views::account;
use crate::views::personal_data::{self, PersonalData};

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

/// The caller's mail settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The language of the caller's mails; null: the organisation's default language.
    #[serde(default)]
    pub language: Option<Lang>,
    /// Mails about ideas: one's own ideas changing stage and, for leads, new ideas for
    /// their units. On unless turned off.
    pub idea_mails: bool,
}

/// The caller's mail settings (language and idea mails).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MailSettings),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/mail-settings")]
pub async fn get_mail_settings(caller: AnyAuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let prefs = db::run(&state.pool, move |conn| mail::preferences(conn, &caller.id)).await?;
    Ok(HttpResponse::Ok().json(MailSettings {
        language: prefs.language,
        idea_mails: prefs.idea_mails,
    }))
}

/// Set the caller's mail settings: the language of their mails and whether they get
/// idea mails.
#[utoipa::path(
    tag = "me",
    request_body = MailSettings,
    security(("bearer" = [])),
    responses(
        (status = 200, body = MailSettings),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/mail-settings")]
pub async fn put_mail_settings(
    caller: AnyAuthUser,
    state: web::Data<AppState>,
    body: ApiJson<MailSettings>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let body = body.into_inner();
    let prefs = mail::Preferences {
        language: body.language,
        idea_mails: body.idea_mails,
    };
    db::run(&state.pool, move |conn| {
        mail::set_preferences(conn, &caller.org_id, &caller.id, &prefs)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
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
    let address = client_address(&req, state.settings.trusted_proxies);
    account::change_password(&state, &caller, address, body.current_password, &body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everything kaizen holds about the caller, as a JSON file (GDPR Art. 15 and 20): the
/// account, ideas (anonymous ones with their code word), co-authorships, comments, votes,
/// the steps they took on ideas, sessions and the survey rounds they answered. Survey
/// answers are not in it: they are stored without a link to anyone.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PersonalData, headers(("Content-Disposition" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/export")]
pub async fn export_me(caller: AnyAuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let data = db::run(&state.pool, move |conn| {
        personal_data::collect(conn, &caller.org_id, &caller.id, true)
    })
    .await?;
    Ok(download(&data))
}

/// The export as a file to save.
pub(crate) fn download(data: &PersonalData) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", personal_data::file_name()),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(data)
}
