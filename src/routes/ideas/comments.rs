//! Comments on ideas: anyone in the organisation writes, the author edits within 15
//! minutes, the author or an admin deletes (softly).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::pagination::PageParams;
use crate::state::AppState;
use crate::store::idea_comments;
use crate::store::ideas as idea_store;
pub use crate::views::comments::{CommentPage, CommentResponse};
use crate::views::comments::{comment_body, comments_page, one};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Could we start with the passport counter?"}))]
pub struct CreateComment {
    /// 1–5,000 characters.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "body": "Could we start with the passport counter first?"}))]
pub struct UpdateComment {
    /// The version you read (or send `If-Match`).
    pub version: Option<i64>,
    pub body: String,
}

/// The comments on an idea, oldest first.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommentPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ideas/{id}/comments")]
pub async fn list_comments(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let page = db::run(&state.pool, move |conn| {
        comments_page(conn, &caller, &id, after.as_deref(), limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Comment on an idea.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path)),
    request_body = CreateComment,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CommentResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ideas/{id}/comments")]
pub async fn create_comment(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<CreateComment>,
) -> Result<HttpResponse, ApiError> {
    let text = comment_body(&body.body)?;
    let comment = db::run(&state.pool, move |conn| {
        let c = idea_comments::insert(conn, &caller.org_id, &id, &caller.id, &text)?;
        let idea = idea_store::find(conn, &caller.org_id, &id)?;
        one(conn, &caller, &idea, c)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/ideas/{}/comments/{}", comment.idea_id, comment.id),
        ))
        .insert_header(etag(comment.version))
        .json(comment))
}

/// Edit one's own comment, up to 15 minutes after posting (later: 403).
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), ("comment_id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = UpdateComment,
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommentResponse, headers(("ETag" = String))),
        (status = 403, description = "Not the author, or the edit window has closed", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version or deleted comment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/ideas/{id}/comments/{comment_id}")]
pub async fn update_comment(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: ApiJson<UpdateComment>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let text = comment_body(&body.body)?;
    let (idea_id, comment_id) = path.into_inner();
    let outcome = db::run(&state.pool, move |conn| {
        let idea = idea_store::find(conn, &caller.org_id, &idea_id)?;
        match idea_comments::edit(
            conn,
            &caller.org_id,
            &idea_id,
            &comment_id,
            &caller.id,
            expected.version,
            &text,
        )? {
            Ok(c) => Ok(Ok(one(conn, &caller, &idea, c)?)),
            Err(current) => Ok(Err(current)),
        }
    })
    .await?;
    let comment = outcome.map_err(|current| expected.stale(current))?;
    Ok(HttpResponse::Ok().insert_header(etag(comment.version)).json(comment))
}

/// Delete a comment (its author or an admin). It stays in the thread as deleted, without
/// its text.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), ("comment_id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted (or was already)"),
        (status = 403, description = "Neither the author nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/ideas/{id}/comments/{comment_id}")]
pub async fn delete_comment(
    caller: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (idea_id, comment_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        idea_comments::delete(conn, &caller.org_id, &idea_id, &comment_id, &caller.id, caller.role)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
