//! The PDCA lifecycle over HTTP: the transitions the caller may take, taking one, and
//! the idea's append-only history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::{RefOr, Schema};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::pdca::{self, Action, Field, Status};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::pagination::PageParams;
use crate::routes::ideas::{IdeaResponse, load_detail};
use crate::state::AppState;
use crate::store::ideas as store;
use crate::views::transitions::history;
pub use crate::views::transitions::{IdeaEventPage, IdeaEventResponse};
pub use crate::views::transitions::{TransitionField, TransitionOption, TransitionRequest};

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOptions {
    pub idea_id: String,
    pub status: Status,
    /// Send this version with the transition.
    pub version: i64,
    pub cycle: i64,
    /// What the caller may do now; empty when nothing.
    pub transitions: Vec<TransitionOption>,
}

/// The transitions the caller may take now, with the fields each needs and which of
/// them are still missing.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TransitionOptions, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ideas/{id}/transitions")]
pub async fn list_transitions(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = db::run(&state.pool, move |conn| store::lifecycle_view(conn, &caller, &id)).await?;
    let status = view.idea.status();
    let options = TransitionOptions {
        idea_id: view.idea.id.clone(),
        status,
        version: view.idea.version,
        cycle: view.idea.cycle,
        transitions: pdca::available(status, &view.actor)
            .into_iter()
            .map(|a| TransitionOption::new(a, &view.record))
            .collect(),
    };
    Ok(HttpResponse::Ok().insert_header(etag(view.idea.version)).json(options))
}

/// Take one lifecycle step.
///
/// Refusals: another organisation's idea 404; stale `version` 409 with
/// `current_version` (412 with `If-Match`); a step that does not start from the idea's
/// state 409; a caller who may not take it 403 with the reason (nobody decides on an
/// idea they authored or co-authored); missing or invalid evidence 422 naming every field.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(
        content = TransitionRequest,
        description = "The step and its stage data; one example per step.",
        examples(
            ("accept" = (summary = "submitted → plan: accept, optionally with a first plan", value = json!({
                "action": "accept", "version": 1, "note": "Good idea; Jonas runs the pilot.",
                "owner_id": "01936f0e-2b1c-7d4e-9a5b-3c2d1e0f4a5b", "goal": "Citizens wait less than 20 minutes"
            }))),
            ("reject" = (summary = "submitted → rejected", value = json!({
                "action": "reject", "version": 1, "reason": "The state law requires in-person identification here."
            }))),
            ("mark_duplicate" = (summary = "submitted → rejected as duplicate of an earlier idea", value = json!({
                "action": "mark_duplicate", "version": 1,
                "duplicate_of": "01936f0e-1111-7d4e-9a5b-3c2d1e0f4a5b", "reason": "Same proposal as the online appointments idea."
            }))),
            ("withdraw" = (summary = "submitted → withdrawn (authors only)", value = json!({
                "action": "withdraw", "version": 1, "reason": "Solved by the new booking system."
            }))),
            ("start" = (summary = "plan → do: the complete plan", value = json!({
                "action": "start", "version": 2,
                "owner_id": "01936f0e-2b1c-7d4e-9a5b-3c2d1e0f4a5b",
                "problem": "Everyone comes at opening time because there are no appointments.",
                "goal": "Citizens wait less than 20 minutes",
                "kpi_name": "Average waiting time", "kpi_unit": "minutes",
                "kpi_baseline": 40.0, "kpi_target": 20.0, "lower_is_better": true,
                "due_date": "2027-03-31", "prediction": "Waiting time halves within eight weeks."
            }))),
            ("check" = (summary = "do → check: what was done", value = json!({
                "action": "check", "version": 3,
                "do_summary": "Online booking for passports ran for eight weeks.",
                "ran_as_planned": false, "deviations": "Registrations were added only in week three."
            }))),
            ("act" = (summary = "check → act: the measurement (target_met is computed)", value = json!({
                "action": "act", "version": 4, "measured_value": 18.0,
                "measured_hours_saved_per_year": 250.0, "findings": "Mornings are calmer; afternoons unchanged."
            }))),
            ("adopt" = (summary = "act → done: the new standard", value = json!({
                "action": "adopt", "version": 5,
                "new_standard": "All passport and registration services are booked online; walk-ins from 14:00."
            }))),
            ("adapt" = (summary = "act → plan of the next cycle", value = json!({
                "action": "adapt", "version": 5,
                "next_cycle_changes": "Extend booking to vehicle registration.",
                "kpi_baseline": 30.0, "kpi_target": 15.0, "due_date": "2027-09-30",
                "prediction": "Vehicle registration waits drop like passports did."
            }))),
            ("abandon" = (summary = "plan | do | check | act → abandoned", value = json!({
                "action": "abandon", "version": 3, "reason": "The booking software contract was cancelled."
            }))),
        )
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The idea after the step", body = IdeaResponse, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed for this caller, with the reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the step does not start from the idea's state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or invalid stage data, one entry per field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ideas/{id}/transitions")]
pub async fn create_transition(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let (action, input, note) = body.parse()?;
    let outcome = db::run(&state.pool, move |conn| {
        match store::transition(conn, &caller, &id, expected.version, action, &input, note.as_deref())? {
            Ok(idea) => Ok(Ok(load_detail(conn, &caller, idea)?)),
            Err(current) => Ok(Err(current)),
        }
    })
    .await?;
    let idea = outcome.map_err(|current| expected.stale(current))?;
    tracing::info!(idea_id = %idea.summary.id, %action, to = %idea.summary.status, "idea moved");
    Ok(HttpResponse::Ok().insert_header(etag(idea.summary.version)).json(idea))
}

/// The idea's history, oldest first: the submission and every transition with actor,
/// time, note and the stage data as it stood. Events are never changed or deleted; an
/// adapted idea keeps the events of its earlier cycles.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IdeaEventPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ideas/{id}/history")]
pub async fn list_history(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let page = db::run(&state.pool, move |conn| {
        history(conn, &caller, &id, after.as_deref(), limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A table of every step's fields for the OpenAPI description, made from the same rules
/// the server enforces so the two cannot drift apart.
pub fn transition_table() -> String {
    let mut out = String::from("\n\n| action | from → to | required | optional |\n|---|---|---|---|\n");
    for action in Action::ALL {
        let from: Vec<&str> = action.from().iter().map(|s| s.as_str()).collect();
        let names = |fields: &[Field]| {
            if fields.is_empty() {
                "—".to_owned()
            } else {
                fields
                    .iter()
                    .map(|f| format!("`{}`", f.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        out.push_str(&format!(
            "| `{}` | {} → {} | {} | {} |\n",
            action,
            from.join(" \\| "),
            action.to(),
            names(action.required()),
            names(action.optional()),
        ));
    }
    out.push_str(
        "\nEvery step also takes `note`. `check` needs `deviations` when `ran_as_planned` is false. \
`start` needs `kpi_target` beyond `kpi_baseline` in the KPI's direction. After `adapt` the next cycle \
keeps owner, problem, goal and KPI name, unit and direction; baseline, target, due date and prediction \
are planned afresh. Who may: leads for ideas of their unit and its sub-units, managers and admins \
organisation-wide; the owner also for `check` and `act`; the authors for `withdraw`. Nobody accepts, \
rejects, marks as duplicate, adopts, adapts or abandons an idea they authored or co-authored.",
    );
    out
}

/// Appends the transition table to the request schema's description.
pub fn describe(doc: &mut OpenApiDoc) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut("TransitionRequest") {
        let base = schema.description.clone().unwrap_or_default();
        schema.description = Some(base + &transition_table());
    }
}
