//! Votes on ideas: one per person and idea, idempotent.

use actix_web::{HttpResponse, delete, put, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::store::idea_votes;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"idea_id": "01936f0e-2b1c-7d4e-9a5b-3c2d1e0f4a5b", "vote_count": 12, "voted": true}))]
pub struct VoteResponse {
    pub idea_id: String,
    pub vote_count: i64,
    /// Whether the caller's vote is counted now.
    pub voted: bool,
}

/// Vote for an idea. Idempotent: voting again changes nothing. Votes do not change the
/// idea's `version`.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = VoteResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/ideas/{id}/votes")]
pub async fn put_vote(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let idea_id = id.into_inner();
    let id2 = idea_id.clone();
    let vote_count = db::run(&state.pool, move |conn| {
        idea_votes::put(conn, &caller.org_id, &id2, &caller.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(VoteResponse {
        idea_id,
        vote_count,
        voted: true,
    }))
}

/// Take back one's vote. Idempotent: without a vote nothing changes.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = VoteResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/ideas/{id}/votes")]
pub async fn delete_vote(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let idea_id = id.into_inner();
    let id2 = idea_id.clone();
    let vote_count = db::run(&state.pool, move |conn| {
        idea_votes::delete(conn, &caller.org_id, &id2, &caller.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(VoteResponse {
        idea_id,
        vote_count,
        voted: false,
    }))
}
