//! The lifecycle steps a caller may take now, as the API lists them and the web pages
//! build their forms from: each step's fields, which are required and which are on record.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::domain::pdca::{self, Action, StageValues, Status};
use crate::error::ApiError;
use crate::page_type;
use crate::pagination::finish_page;
use crate::store::idea_events::{self, StageSnapshot};
use crate::store::ideas as store;
use crate::views::ideas::PersonRef;

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
    let rows = idea_events::list(conn, &caller.org_id, &idea.id, after, limit)?;
    let (rows, next_cursor) = finish_page(rows, limit, |e| e.id.clone());
    let people: Vec<&str> = rows.iter().map(|e| e.actor_id.as_str()).collect();
    let names = store::display_names(conn, &caller.org_id, &people)?;
    let mut items = Vec::with_capacity(rows.len());
    for e in rows {
        let actor = if e.actor_hidden {
            PersonRef::as_author(&idea, &e.actor_id, caller, &names)
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
