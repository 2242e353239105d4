//! User administration: list, create, read, update, deactivate, reset password.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Admin, AuthUser, Lead};
use crate::db;
use crate::domain::roles::Role;
use crate::domain::staff_import;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::json_body;
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::state::AppState;
use crate::store::staff_import::ImportReport;
use crate::store::units;
use crate::store::users::{self, User, UserFilter};
use crate::views::users::{self as view, NewPerson, PersonChanges};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub active: bool,
    /// The password was generated and has not been replaced yet.
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when the person was erased: name and e-mail are placeholders from then on.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        let role = u.role();
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role,
            unit_id: u.unit_id,
            active: u.active,
            must_change_password: u.must_change_password,
            version: u.version,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
            erased_at: u.erased_at.map(|t| t.and_utc()),
        }
    }
}

page_type!(UserPage, UserResponse);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilterParams {
    pub role: Option<Role>,
    pub unit_id: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "jonas.weber@musterstadt.de", "display_name": "Jonas Weber", "role": "lead", "unit_id": null}))]
pub struct CreateUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    /// At least 12 characters. Leave out to generate one, returned once in the response;
    /// the user must replace it at first login.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserResponse,
    /// Only when the password was generated; shown this once.
    pub initial_password: Option<String>,
}

/// Fields to change; absent fields stay. `unit_id: null` removes the unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "role": "manager"}))]
pub struct UpdateUser {
    /// The version you read (or send `If-Match`).
    pub version: Option<i64>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "crate::routes::double_option")]
    #[schema(value_type = Option<String>)]
    pub unit_id: Option<Option<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    /// The new generated password, shown this once; the user must replace it at login.
    pub initial_password: String,
}

/// A lead sees the users of their unit sub-tree; managers and admins see everyone.
async fn lead_scope(state: &AppState, caller: &AuthUser) -> Result<Option<Vec<String>>, ApiError> {
    if caller.is(Role::Manager) {
        return Ok(None);
    }
    let Some(unit) = caller.unit_id.clone() else {
        return Ok(Some(Vec::new()));
    };
    let org = caller.org_id.clone();
    let ids = db::run(&state.pool, move |conn| units::subtree_ids(conn, &org, &unit)).await?;
    Ok(Some(ids))
}

/// List users of the organisation (leads: their unit sub-tree).
#[utoipa::path(
    tag = "users",
    params(PageParams, UserFilterParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Employees may not list users", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    caller: Lead,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<UserFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let scope = lead_scope(&state, &caller).await?;
    let filter = filter.into_inner();
    let org = caller.org_id.clone();
    let rows = db::run(&state.pool, move |conn| {
        let f = UserFilter {
            role: filter.role,
            unit_id: filter.unit_id,
            active: filter.active,
        };
        users::list(conn, &org, &f, scope.as_deref(), after.as_deref(), limit)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |u| u.id.clone());
    Ok(HttpResponse::Ok().json(UserPage {
        items: rows.into_iter().map(UserResponse::from).collect(),
        next_cursor,
    }))
}

/// Create a user in the caller's organisation.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedUser),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail in use", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    caller: Admin,
    state: web::Data<AppState>,
    body: Result<ApiJson<CreateUser>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map_err(|e| match e {
        ApiError::Validation(list) if list.iter().any(|f| f.message == json_body::ONE_OBJECT) => ApiError::field(
            "body",
            "one user is created per request: send one JSON object, not a list; to load many people at once, \
             use the staff import (see the README)",
        ),
        other => other,
    })?;
    let body = body.into_inner();
    let person = NewPerson {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        unit_id: body.unit_id,
        password: body.password,
    };
    let (user, initial_password) = view::create(&state, &caller, person).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(CreatedUser {
            user: user.into(),
            initial_password,
        }))
}

fn in_scope(scope: &Option<Vec<String>>, user: &User) -> bool {
    match scope {
        None => true,
        Some(units) => user.unit_id.as_ref().is_some_and(|u| units.contains(u)),
    }
}

/// Read one user.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserResponse, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    caller: Lead,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = lead_scope(&state, &caller).await?;
    let org = caller.org_id.clone();
    let user = db::run(&state.pool, move |conn| users::find(conn, &org, &id)).await?;
    if !in_scope(&scope, &user) && user.id != caller.id {
        return Err(ApiError::forbidden("this user is outside your units"));
    }
    Ok(HttpResponse::Ok()
        .insert_header(etag(user.version))
        .json(UserResponse::from(user)))
}

/// Change a user. Deactivating revokes their sessions at once; the last active admin
/// cannot be demoted or deactivated.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, e-mail in use or last admin", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let changes = view::changeset(PersonChanges {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        unit_id: body.unit_id,
        active: body.active,
    })?;
    let outcome = view::update(&state, &caller, id.into_inner(), expected.version, changes).await?;
    let user = outcome.map_err(|current| expected.stale(current))?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(user.version))
        .json(UserResponse::from(user)))
}

/// Deactivate a user: they can no longer log in, refresh, or use live access tokens.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Last active admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = view::deactivate(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm_email": "lena.berger@musterstadt.example"}))]
pub struct EraseUser {
    /// The person's current e-mail address, to confirm whom to erase.
    pub confirm_email: String,
}

/// Erase a person (GDPR Art. 17): name, e-mail and personnel number are replaced by
/// placeholders, sessions end, the record of which survey rounds they answered is deleted.
/// Their ideas, comments, votes and history stay for the organisation, shown with the
/// author "Ehemalige Beschäftigte". Cannot be undone.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    request_body = EraseUser,
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Erased already, the caller themselves, or the last active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The confirmation is not the person's e-mail", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/erase")]
pub async fn erase_user(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<EraseUser>,
) -> Result<HttpResponse, ApiError> {
    let user = view::erase(&state, &caller, id.into_inner(), body.into_inner().confirm_email).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}

/// Replace a user's password with a generated one (shown once) and end their sessions.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PasswordReset),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_password(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, password) = view::reset_password(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PasswordReset {
        initial_password: password,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: only say what would change; nothing is written.
    #[serde(default)]
    pub dry_run: bool,
    /// `true`: deactivate active people missing from the list (never administrators,
    /// never the caller). Default: they are kept and counted.
    #[serde(default)]
    pub deactivate_missing: bool,
}

/// Reads a staff list of up to `staff_import::MAX_BYTES` from the request body.
async fn read_list(mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        if bytes.len() + chunk.len() > staff_import::MAX_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: staff_import::MAX_BYTES,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Import staff from a CSV list (units are created along the listed paths).
///
/// Columns (German names work too): `personnel_number` (optional key), `name`, `email`,
/// `unit` (a path such as `Bürgerdienste/Bürgeramt`), `role` (`employee`, `lead`,
/// `manager`, `admin`). UTF-8 or Windows-1252, `;` or `,`. People are matched by
/// personnel number, else e-mail. With `dry_run=true` the answer says what would change
/// (with each line's problems) and nothing is written; otherwise everything is written
/// in one transaction, or nothing when any line has a problem. New people get no
/// password: an admin resets it (or they use single sign-on). Importing the same list
/// again changes nothing.
#[utoipa::path(
    tag = "users",
    params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The staff list"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A line has a problem; nothing was written", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/import")]
pub async fn import_users(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // A list comes as text (`text/csv`, or `text/plain` as some tools send it).
    let media = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    if !matches!(media.as_deref(), Some("text/csv" | "text/plain")) {
        return Err(ApiError::UnsupportedMediaType("send the staff list as text/csv".into()));
    }
    let bytes = read_list(payload).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::field("body", "the staff list is empty"));
    }
    let report = view::import_staff(&state, &caller, bytes, params.deactivate_missing, params.dry_run).await?;
    // A dry run lists the lines' problems; a file that is no staff list at all (no header
    // naming the columns) is refused as a whole.
    if let Some(p) = report.problems.iter().find(|p| p.field == "file") {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            format!("lines[{}].{}", p.line, p.field),
            p.message.clone(),
        )]));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// Everything kaizen holds about one person of the organisation, as a JSON file (admins,
/// for a request under GDPR Art. 15 or 20): as the person's own export, except which survey
/// rounds they answered — that is given to nobody but the person.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = crate::views::personal_data::PersonalData, headers(("Content-Disposition" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}/export")]
pub async fn export_user(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let data = db::run(&state.pool, move |conn| {
        crate::views::personal_data::collect_for_admin(conn, &org, &actor, &id)
    })
    .await?;
    tracing::info!(user_id = %data.account.id, by = %caller.id, "personal data exported for a person");
    Ok(crate::routes::me::download(&data))
}
