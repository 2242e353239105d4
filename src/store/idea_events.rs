//! The history of an idea: one append-only event per submission and transition, with the
//! stage data as it stood. Nothing here updates or deletes an event (the database refuses
//! it, too).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::idea_events;
use crate::db::{self, DbConnection};
use crate::domain::pdca::{StageValues, Status};
use crate::error::ApiError;
use crate::store::ideas::{Cycle, CycleStages, Idea};

#[derive(Debug, Clone, Queryable)]
pub struct IdeaEvent {
    pub id: String,
    pub org_id: String,
    pub idea_id: String,
    pub cycle: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: String,
    pub actor_hidden: bool,
    pub note: Option<String>,
    pub stage: String,
    pub created_at: NaiveDateTime,
}

/// The stage data recorded with an event.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StageSnapshot {
    pub status: Option<Status>,
    pub cycle: i64,
    pub owner_id: Option<String>,
    /// Reason of a rejection, withdrawal or abandonment.
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
    /// The cycle's plan, pilot, measurement and decision; null before Plan.
    pub stages: Option<CycleStages>,
    /// An edit by the author (`edit` events): the fields it changed, as they read before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<EditedFields>,
}

/// What an edit replaced: the earlier value of each changed field (unchanged ones absent).
/// People may have voted on or commented on the earlier text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EditedFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_situation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_benefit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<String>>,
    /// The group or the impact estimate changed (their earlier values are not repeated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub group: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub impact_estimate: bool,
}

impl EditedFields {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Builds the snapshot of an idea after a step.
pub fn snapshot(idea: &Idea, values: &StageValues, cycle: Option<&Cycle>) -> StageSnapshot {
    StageSnapshot {
        status: Some(idea.status()),
        cycle: cycle.map(|c| c.cycle).unwrap_or(idea.cycle),
        owner_id: values.owner_id.clone(),
        reason: idea.decision_reason.clone(),
        duplicate_of: idea.duplicate_of_id.clone(),
        stages: cycle.map(CycleStages::from),
        edited: None,
    }
}

pub struct EventDraft<'a> {
    pub action: &'a str,
    pub from: Option<Status>,
    pub to: Status,
    pub cycle: i64,
    pub actor_id: &'a str,
    pub actor_hidden: bool,
    pub note: Option<&'a str>,
    pub snapshot: StageSnapshot,
    pub at: NaiveDateTime,
}

pub fn append(conn: &mut DbConnection, idea: &Idea, e: EventDraft<'_>) -> Result<(), ApiError> {
    db::execute_native(
        conn,
        diesel::insert_into(idea_events::table).values(NewEvent::of(idea, &e)?),
    )?;
    // The notification commits with the event, in the caller's transaction.
    crate::store::outbox::idea_event(conn, idea, e.action, e.from, e.to, e.at)?;
    crate::store::mail::idea_event(conn, idea, e.action, e.from, e.to)
}

/// An event's row as written (`append`, and a batch of submissions in one statement).
#[derive(Debug, Insertable)]
#[diesel(table_name = idea_events, treat_none_as_default_value = false)]
pub struct NewEvent<'a> {
    id: String,
    org_id: &'a str,
    idea_id: &'a str,
    cycle: i64,
    action: &'a str,
    from_status: Option<&'static str>,
    to_status: &'static str,
    actor_id: &'a str,
    actor_hidden: bool,
    note: Option<&'a str>,
    stage: String,
    created_at: NaiveDateTime,
}

impl<'a> NewEvent<'a> {
    pub fn of(idea: &'a Idea, e: &EventDraft<'a>) -> Result<Self, ApiError> {
        Ok(Self {
            id: db::new_id(),
            org_id: &idea.org_id,
            idea_id: &idea.id,
            cycle: e.cycle,
            action: e.action,
            from_status: e.from.map(|s| s.as_str()),
            to_status: e.to.as_str(),
            actor_id: e.actor_id,
            actor_hidden: e.actor_hidden,
            note: e.note,
            stage: stage_json(&e.snapshot)?,
            created_at: e.at,
        })
    }
}

/// The snapshot as the `stage` column stores it.
pub fn stage_json(snapshot: &StageSnapshot) -> Result<String, ApiError> {
    serde_json::to_string(snapshot).map_err(ApiError::internal)
}

/// Events of one idea, oldest first (`limit + 1` rows, for `finish_page`).
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<IdeaEvent>, ApiError> {
    let mut q = idea_events::table
        .filter(idea_events::org_id.eq(org_id))
        .filter(idea_events::idea_id.eq(idea_id))
        .into_boxed();
    if let Some(after) = after_id {
        q = q.filter(idea_events::id.gt(after.to_owned()));
    }
    Ok(q.order(idea_events::id.asc()).limit(limit + 1).load(conn)?)
}
