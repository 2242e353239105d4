//! The lifecycle steps a caller may take now, as the API lists them and the web pages
//! build their forms from: each step's fields, which are required and which are on record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::domain::fields;
use crate::domain::pdca::{self, Action, StageValues, Status};
use crate::error::{ApiError, Validator};
use crate::page_type;
use crate::pagination::finish_page;
use crate::store::idea_events::{self, StageSnapshot};
use crate::store::ideas as store;
use crate::views::ideas::{LONG_TEXT_MAX, PersonRef};

/// A field a transition takes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionField {
    pub name: String,
    /// Must be on record for the step: sent now or recorded earlier in the cycle.
    pub required: bool,
    /// Already recorded (sending it again replaces it).
    pub on_record: bool,
    pub description: String,
}

/// A transition the caller may take now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "action": "start", "to": "do",
    "fields": [{"name": "owner_id", "required": true, "on_record": true, "description": "user who runs the pilot"}],
    "missing": ["kpi_baseline", "kpi_target", "due_date"]
}))]
pub struct TransitionOption {
    pub action: Action,
    pub to: Status,
    pub fields: Vec<TransitionField>,
    /// Required fields not on record yet: send them with the transition.
    pub missing: Vec<String>,
}

impl TransitionOption {
    pub fn new(action: Action, record: &StageValues) -> Self {
        let needs = pdca::field_needs(action, record);
        Self {
            action,
            to: action.to(),
            missing: needs
                .iter()
                .filter(|n| n.required && !n.on_record)
                .map(|n| n.field.name().to_owned())
                .collect(),
            fields: needs
                .into_iter()
                .map(|n| TransitionField {
                    name: n.field.name().to_owned(),
                    required: n.required,
                    on_record: n.on_record,
                    description: n.field.description().to_owned(),
                })
                .collect(),
        }
    }
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
    pub fn parse(self) -> Result<(Action, StageValues, Option<String>), ApiError> {
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

/// One entry of an idea's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaEventResponse {
    pub id: String,
    /// `submit` or a transition's action.
    pub action: String,
    /// Null for the submission.
    pub from: Option<Status>,
    pub to: Status,
    pub cycle: i64,
    pub actor: PersonRef,
    pub note: Option<String>,
    /// The stage data as it stood after the step.
    pub stage: StageSnapshot,
    pub at: DateTime<Utc>,
}

page_type!(IdeaEventPage, IdeaEventResponse);

/// A page of an idea's history, oldest first; the actor of an anonymous author's steps
/// is shown as the idea shows its author.
pub fn history(
    conn: &mut DbConnection,
    caller: &AuthUser,
    id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<IdeaEventPage, ApiError> {
    let idea = store::find(conn, &caller.org_id, id)?;
    history_of(conn, caller, &idea, after, limit)
}

/// `history` of an idea already read.
pub fn history_of(
    conn: &mut DbConnection,
    caller: &AuthUser,
    idea: &store::Idea,
    after: Option<&str>,
    limit: i64,
) -> Result<IdeaEventPage, ApiError> {
    let rows = idea_events::list(conn, &caller.org_id, &idea.id, after, limit)?;
    let (rows, next_cursor) = finish_page(rows, limit, |e| e.id.clone());
    let people: Vec<&str> = rows.iter().map(|e| e.actor_id.as_str()).collect();
    let names = store::display_names(conn, &caller.org_id, &people)?;
    let mut items = Vec::with_capacity(rows.len());
    for e in rows {
        let actor = if e.actor_hidden {
            PersonRef::as_author(idea, &e.actor_id, caller, &names)
        } else {
            PersonRef::named(&e.actor_id, &names)
        };
        let stage: StageSnapshot = serde_json::from_str(&e.stage).map_err(ApiError::internal)?;
        items.push(IdeaEventResponse {
            from: e.from_status.as_deref().and_then(Status::parse),
            to: Status::parse(&e.to_status).unwrap_or(Status::Submitted),
            id: e.id,
            action: e.action,
            cycle: e.cycle,
            actor,
            note: e.note,
            stage,
            at: e.created_at.and_utc(),
        });
    }
    Ok(IdeaEventPage { items, next_cursor })
}
