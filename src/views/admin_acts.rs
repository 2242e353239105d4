//! Administrative acts on questionnaires, rounds and the reassessment schedule, each with
//! its audit-trail entry in the same transaction. The API and the administration pages
//! both act through here.

use serde_json::json;

use crate::db::DbConnection;
use crate::domain::questionnaire::QuestionnaireDefinition;
use crate::error::ApiError;
use crate::store::assessments::{self, NewRound, Round, RoundChangeset};
use crate::store::audit::{self, Act};
use crate::store::questionnaires::{self, Questionnaire};
use crate::store::reassessment::{self, Schedule, ScheduleSettings};

pub fn import_questionnaire(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    def: &QuestionnaireDefinition,
) -> Result<Questionnaire, ApiError> {
    audit::record(
        conn,
        org_id,
        |conn| questionnaires::import(conn, org_id, def),
        |q| {
            Some(Act::new(
                actor,
                "questionnaire.imported",
                "questionnaire",
                &q.id,
                json!({"key": q.key, "version": q.version}),
            ))
        },
    )
}

/// `publish`, `archive` or `delete` (a draft).
pub fn questionnaire_step(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    id: &str,
    step: &str,
) -> Result<(), ApiError> {
    let action = match step {
        "publish" => "questionnaire.published",
        "archive" => "questionnaire.archived",
        _ => "questionnaire.deleted",
    };
    audit::record(
        conn,
        org_id,
        |conn| match step {
            "publish" => questionnaires::publish(conn, org_id, id).map(|_| ()),
            "archive" => questionnaires::archive(conn, org_id, id).map(|_| ()),
            _ => questionnaires::delete_draft(conn, org_id, id),
        },
        |_| Some(Act::new(actor, action, "questionnaire", id, json!({}))),
    )
}

pub fn create_round(conn: &mut DbConnection, org_id: &str, actor: &str, new: &NewRound) -> Result<Round, ApiError> {
    audit::record(
        conn,
        org_id,
        |conn| assessments::create(conn, new),
        |r| {
            Some(Act::new(
                actor,
                "round.created",
                "round",
                &r.id,
                json!({"questionnaire_id": r.questionnaire_id, "scope_unit_id": r.scope_unit_id,
                       "opens_at": r.opens_at.and_utc(), "closes_at": r.closes_at.and_utc()}),
            ))
        },
    )
}

pub fn update_round(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    id: &str,
    version: i64,
    changes: &RoundChangeset,
) -> Result<Result<Round, i64>, ApiError> {
    audit::record(
        conn,
        org_id,
        |conn| assessments::update(conn, org_id, id, version, changes),
        |out| {
            out.as_ref().ok().map(|r| {
                Act::new(
                    actor,
                    "round.changed",
                    "round",
                    &r.id,
                    json!({"opens_at": r.opens_at.and_utc(), "closes_at": r.closes_at.and_utc(),
                           "title_changed": changes.title.is_some()}),
                )
            })
        },
    )
}

/// `open` (now), `close` (now) or `delete` (before it opened).
pub fn round_step(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    id: &str,
    step: &str,
) -> Result<Option<Round>, ApiError> {
    let action = match step {
        "open" => "round.opened",
        "close" => "round.closed",
        _ => "round.deleted",
    };
    audit::record(
        conn,
        org_id,
        |conn| match step {
            "open" => assessments::open_now(conn, org_id, id).map(Some),
            "close" => assessments::close_now(conn, org_id, id).map(Some),
            _ => assessments::delete(conn, org_id, id).map(|_| None),
        },
        |r| {
            Some(Act::new(
                actor,
                action,
                "round",
                id,
                match r {
                    Some(r) => json!({"eligible": r.eligible_count}),
                    None => json!({}),
                },
            ))
        },
    )
}

pub fn save_schedule(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    version: i64,
    settings: &ScheduleSettings,
) -> Result<Result<Schedule, i64>, ApiError> {
    audit::record(
        conn,
        org_id,
        |conn| reassessment::save(conn, org_id, version, settings, actor),
        |out| {
            out.as_ref().ok().map(|s| Act {
                actor_id: Some(actor.to_owned()),
                action: "schedule.saved",
                object_type: "schedule",
                object_id: None,
                details: json!({"enabled": s.enabled, "questionnaire_id": s.questionnaire_id,
                                "interval_months": s.interval_months, "window_days": s.window_days,
                                "first_due_at": s.first_due_at.and_utc(), "title_pattern": s.title_pattern}),
            })
        },
    )
}

pub fn trigger_round(conn: &mut DbConnection, org_id: &str, actor: &str) -> Result<Round, ApiError> {
    audit::record(
        conn,
        org_id,
        |conn| reassessment::trigger(conn, org_id, actor, crate::db::now()),
        |r| {
            Some(Act::new(
                actor,
                "round.opened_by_schedule_trigger",
                "round",
                &r.id,
                json!({}),
            ))
        },
    )
}
