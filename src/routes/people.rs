//! Finding colleagues by name: every member may, to name co-authors of an idea. Only
//! names and units are shown — no e-mail, no role, no one who has left.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::store::users;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Part of the name, at least two characters (case does not matter).
    #[param(min_length = 2, max_length = 100)]
    pub q: String,
    /// At most this many (1–50, default 20), in name order.
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019a6a9e-2222-7abc-8def-0123456789ab", "display_name": "Tom Krause", "unit_id": "019a6a9d-1111-7abc-8def-0123456789ab", "unit_name": "Bürgeramt"}))]
pub struct Person {
    /// Pass as a co-author's `user_id`.
    pub id: String,
    pub display_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeoplePage {
    pub items: Vec<Person>,
}

/// Colleagues of the caller's organisation whose name contains `q`: name and unit only,
/// active accounts only. For naming co-authors of an idea.
#[utoipa::path(
    tag = "users",
    params(PeopleParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PeoplePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people")]
pub async fn search_people(
    caller: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<PeopleParams>,
) -> Result<HttpResponse, ApiError> {
    let q = params.q.trim().to_owned();
    if q.chars().count() < 2 || q.chars().count() > 100 {
        return Err(ApiError::field("q", "must be 2 to 100 characters"));
    }
    let limit = match params.limit {
        None => 20,
        Some(l) if (1..=50).contains(&l) => l,
        Some(_) => return Err(ApiError::field("limit", "must be between 1 and 50")),
    };
    let org = caller.org_id.clone();
    let found = db::run(&state.pool, move |conn| users::search_people(conn, &org, &q, limit)).await?;
    Ok(HttpResponse::Ok().json(PeoplePage {
        items: found
            .into_iter()
            .map(|p| Person {
                id: p.id,
                display_name: p.display_name,
                unit_id: p.unit_id,
                unit_name: p.unit_name,
            })
            .collect(),
    }))
}
