//! Organisational units (a tree per organisation).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Admin, AuthUser};
use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::state::AppState;
use crate::store::units::{self, Unit};
use crate::views::units as view;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitResponse {
    pub id: String,
    pub name: String,
    /// `null` for a top-level unit.
    pub parent_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Unit> for UnitResponse {
    fn from(u: Unit) -> Self {
        Self {
            id: u.id,
            name: u.name,
            parent_id: u.parent_id,
            version: u.version,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
        }
    }
}

page_type!(UnitPage, UnitResponse);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Bürgeramt", "parent_id": null}))]
pub struct CreateUnit {
    pub name: String,
    pub parent_id: Option<String>,
}

/// Absent fields stay; `parent_id: null` makes the unit top-level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "name": "Bürgerservice"}))]
pub struct UpdateUnit {
    pub version: Option<i64>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
}

/// List the organisation's units (everyone in the organisation may read them).
#[utoipa::path(
    tag = "units",
    params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = UnitPage), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/units")]
pub async fn list_units(
    caller: AuthUser,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let rows = db::run(&state.pool, move |conn| {
        units::list(conn, &caller.org_id, after.as_deref(), limit)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |u| u.id.clone());
    Ok(HttpResponse::Ok().json(UnitPage {
        items: rows.into_iter().map(UnitResponse::from).collect(),
        next_cursor,
    }))
}

/// Create a unit.
#[utoipa::path(
    tag = "units",
    request_body = CreateUnit,
    security(("bearer" = [])),
    responses(
        (status = 201, body = UnitResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/units")]
pub async fn create_unit(
    caller: Admin,
    state: web::Data<AppState>,
    body: ApiJson<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let unit = view::create(&state, &caller, &body.name, body.parent_id).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/units/{}", unit.id)))
        .json(UnitResponse::from(unit)))
}

/// Read one unit.
#[utoipa::path(
    tag = "units",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = UnitResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/units/{id}")]
pub async fn get_unit(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unit = db::run(&state.pool, move |conn| units::find(conn, &caller.org_id, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(unit.version))
        .json(UnitResponse::from(unit)))
}

/// Rename or move a unit; moving it below itself is refused (422).
#[utoipa::path(
    tag = "units",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = UpdateUnit,
    security(("bearer" = [])),
    responses(
        (status = 200, body = UnitResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<UpdateUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let changes = view::changeset(body.name.as_deref(), body.parent_id)?;
    let outcome = view::update(&state, &caller, id.into_inner(), expected.version, changes).await?;
    let unit = outcome.map_err(|current| expected.stale(current))?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(unit.version))
        .json(UnitResponse::from(unit)))
}

/// Delete a unit that has neither members nor sub-units (else 409).
#[utoipa::path(
    tag = "units",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Unit has members or sub-units", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/units/{id}")]
pub async fn delete_unit(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    view::delete(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
