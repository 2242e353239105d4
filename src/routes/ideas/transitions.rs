//! The PDCA lifecycle over HTTP: the transitions the caller may take, taking one, and
//! the idea's append-only history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::{RefOr, Schema};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::fields;
use crate::domain::pdca::{self, Action, Field, StageValues, Status};
use crate::error::{ApiError, Problem, Validator};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::pagination::PageParams;
use crate::routes::ideas::{IdeaResponse, LONG_TEXT_MAX, load_detail};
use crate::state::AppState;
use crate::store::ideas as store;
use crate::views::transitions::history;
pub use crate::views::transitions::{IdeaEventPage, IdeaEventResponse};
pub use crate::views::transitions::{TransitionField, TransitionOption};

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

/// One lifecycle step. `action` names the step; the other fields are its stage data,
/// and only the fields of that step are accepted (see the table below and
/// `GET /ideas/{id}/transitions`). Required evidence may also have been recorded by an
/// earlier step of the same cycle (e.g. plan fields sent with `accept`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// The version you read (or send `If-Match`).
    pub version: Option<i64>,
    /// A comment for the history.
    pub note: Option<String>,
    /// accept, start, adapt: the user who runs the pilot.
    pub owner_id: Option<String>,
    /// accept, start, adapt: the problem and its root cause.
    pub problem: Option<String>,
    /// accept, start, adapt
    pub goal: Option<String>,
    /// accept, start, adapt: the key figure (KPI).
    pub kpi_name: Option<String>,
    /// accept, start, adapt: e.g. `minutes`.
    pub kpi_unit: Option<String>,
    /// accept, start, adapt
    pub kpi_baseline: Option<f64>,
    /// accept, start, adapt: must lie beyond the baseline in the KPI's direction.
    pub kpi_target: Option<f64>,
    /// accept, start, adapt: a lower KPI value is better (default false).
    pub lower_is_better: Option<bool>,
    /// accept, start, adapt: YYYY-MM-DD
    #[schema(example = "2027-03-31")]
    pub due_date: Option<String>,
    /// accept, start, adapt: what you expect to happen.
    pub prediction: Option<String>,
    /// check: what was done in the pilot.
    pub do_summary: Option<String>,
    /// check
    pub ran_as_planned: Option<bool>,
    /// check: required when `ran_as_planned` is false.
    pub deviations: Option<String>,
    /// act: the measured KPI value; `target_met` and `relative_improvement` are computed.
    pub measured_value: Option<f64>,
    /// act
    pub measured_hours_saved_per_year: Option<f64>,
    /// act: EUR
    pub measured_cost_saved_per_year: Option<f64>,
    /// act: what was learned.
    pub findings: Option<String>,
    /// adopt: the new standard.
    pub new_standard: Option<String>,
    /// adapt: what changes in the next cycle.
    pub next_cycle_changes: Option<String>,
    /// reject, mark_duplicate, abandon (required), withdraw (optional).
    pub reason: Option<String>,
    /// mark_duplicate: the earlier idea.
    pub duplicate_of: Option<String>,
}

impl TransitionRequest {
    /// Checks the values' form; whether they are complete for the step is the domain's call.
    fn parse(self) -> Result<(Action, StageValues, Option<String>), ApiError> {
        let mut v = Validator::new();
        let mut text = |field: &str, value: Option<String>, max: usize, multiline: bool| {
            value.and_then(|t| v.check(field, fields::text(&t, max, multiline)))
        };
        let note = text("note", self.note, 2000, true);
        let owner_id = text("owner_id", self.owner_id, 64, false);
        let problem = text("problem", self.problem, LONG_TEXT_MAX, true);
        let goal = text("goal", self.goal, LONG_TEXT_MAX, true);
        let kpi_name = text("kpi_name", self.kpi_name, 200, false);
        let kpi_unit = text("kpi_unit", self.kpi_unit, 40, false);
        let due_date = text("due_date", self.due_date, 10, false);
        let prediction = text("prediction", self.prediction, LONG_TEXT_MAX, true);
        let do_summary = text("do_summary", self.do_summary, LONG_TEXT_MAX, true);
        let deviations = text("deviations", self.deviations, LONG_TEXT_MAX, true);
        let findings = text("findings", self.findings, LONG_TEXT_MAX, true);
        let new_standard = text("new_standard", self.new_standard, LONG_TEXT_MAX, true);
        let next_cycle_changes = text("next_cycle_changes", self.next_cycle_changes, LONG_TEXT_MAX, true);
        let reason = text("reason", self.reason, 2000, true);
        let duplicate_of = text("duplicate_of", self.duplicate_of, 64, false);
        let due_date = due_date.and_then(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(day) => match fields::day(day) {
                // A plan is due in the future (today counts).
                Ok(day) if day < chrono::Utc::now().date_naive() => {
                    v.add("due_date", "must not be in the past");
                    None
                }
                Ok(day) => Some(day.format("%Y-%m-%d").to_string()),
                Err(message) => {
                    v.add("due_date", message);
                    None
                }
            },
            Err(_) => {
                v.add("due_date", "must be a date (YYYY-MM-DD)");
                None
            }
        });
        let mut number = |field: &str, value: Option<f64>, non_negative: bool| {
            let bad = value.is_some_and(|x| !x.is_finite() || x.abs() > 1e12 || (non_negative && x < 0.0));
            if bad {
                v.add(
                    field,
                    if non_negative {
                        "must be a number between 0 and 10^12"
                    } else {
                        "must be a number between -10^12 and 10^12"
                    },
                );
                None
            } else {
                value
            }
        };
        let values = StageValues {
            owner_id,
            problem,
            goal,
            kpi_name,
            kpi_unit,
            kpi_baseline: number("kpi_baseline", self.kpi_baseline, false),
            kpi_target: number("kpi_target", self.kpi_target, false),
            lower_is_better: self.lower_is_better,
            due_date,
            prediction,
            do_summary,
            ran_as_planned: self.ran_as_planned,
            deviations,
            measured_value: number("measured_value", self.measured_value, false),
            measured_hours_saved_per_year: number(
                "measured_hours_saved_per_year",
                self.measured_hours_saved_per_year,
                true,
            ),
            measured_cost_saved_per_year: number(
                "measured_cost_saved_per_year",
                self.measured_cost_saved_per_year,
                true,
            ),
            findings,
            new_standard,
            next_cycle_changes,
            reason,
            duplicate_of,
        };
        v.finish()?;
        Ok((self.action, values, note))
    }
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
