//! Access and portability (GDPR Art. 15 and 20): everything kaizen holds about a person,
//! as one JSON document — the account, the ideas they wrote (anonymous ones included, with
//! their code word), co-authorships, comments, votes, the history entries they made, their
//! sessions. Survey answers are not in it: they are stored without a link to anyone, so
//! they are not this person's data in kaizen's hands. That the person took part in a round
//! is recorded, and the person gets it; an admin asking on their behalf does not, because
//! no one but the service itself may ever learn who answered (README, "Anonymity").

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::schema::{
    assessment_participation, assessment_rounds, idea_coauthors, idea_comments, idea_events, idea_votes, ideas,
    sessions, units,
};
use crate::error::ApiError;
use crate::store::{organizations, users};

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAccount {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub active: bool,
    /// From the personnel system's list, when it was imported with one.
    pub personnel_number: Option<String>,
    /// The language chosen for mails; null: the organisation's.
    pub mail_language: Option<crate::domain::locale::Lang>,
    /// Whether the person gets mails about ideas.
    pub idea_mails: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOrganization {
    pub id: String,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportIdea {
    pub id: String,
    pub title: String,
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    pub unit_id: String,
    pub status: String,
    /// Set when the idea was handed in anonymously: others see only this word.
    pub code_word: Option<String>,
    /// The author's share in percent (the rest belongs to co-authors).
    pub author_share: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportCoAuthorship {
    pub idea_id: String,
    pub title: String,
    pub share: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportComment {
    pub id: String,
    pub idea_id: String,
    /// `null` once deleted (the text is removed then).
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportVote {
    pub idea_id: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportEvent {
    pub idea_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportSession {
    /// `web` (browser) or `api` (tokens).
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportParticipation {
    pub round_id: String,
    pub title: String,
}

/// Everything kaizen holds about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalData {
    pub exported_at: DateTime<Utc>,
    pub account: ExportAccount,
    pub organization: ExportOrganization,
    pub ideas: Vec<ExportIdea>,
    pub co_authorships: Vec<ExportCoAuthorship>,
    pub comments: Vec<ExportComment>,
    pub votes: Vec<ExportVote>,
    /// Steps the person took on ideas (submitted, accepted, moved, …).
    pub history: Vec<ExportEvent>,
    pub sessions: Vec<ExportSession>,
    /// The rounds the person answered — only in the person's own export; `null` when an
    /// admin asked on their behalf.
    pub survey_participation: Option<Vec<ExportParticipation>>,
    /// What is held elsewhere or not included, and why.
    pub notes: Vec<String>,
}

type IdeaRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    NaiveDateTime,
    NaiveDateTime,
);
type CommentRow = (
    String,
    String,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);
type EventRow = (String, String, Option<String>, String, Option<String>, NaiveDateTime);
type SessionRow = (
    String,
    NaiveDateTime,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// Collects the person's data in `org_id` (404 when they are not of it).
/// `for_self`: the person asks (survey participation included).
pub fn collect(conn: &mut DbConnection, org_id: &str, user_id: &str, for_self: bool) -> Result<PersonalData, ApiError> {
    let user = users::find(conn, org_id, user_id)?;
    let mail = crate::store::mail::preferences(conn, &user.id)?;
    let org = organizations::find(conn, org_id)?;
    let unit_name: Option<String> = match &user.unit_id {
        Some(u) => units::table
            .filter(units::org_id.eq(org_id))
            .filter(units::id.eq(u))
            .select(units::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let idea_rows: Vec<IdeaRow> = ideas::table
        .filter(ideas::org_id.eq(org_id))
        .filter(ideas::author_id.eq(user_id))
        .order(ideas::created_at.asc())
        .select((
            ideas::id,
            ideas::title,
            ideas::current_situation,
            ideas::proposal,
            ideas::expected_benefit,
            ideas::unit_id,
            ideas::status,
            ideas::code_word,
            ideas::author_share,
            ideas::created_at,
            ideas::updated_at,
        ))
        .load(conn)?;
    let co: Vec<(String, String, i64)> = idea_coauthors::table
        .inner_join(
            ideas::table.on(ideas::org_id
                .eq(idea_coauthors::org_id)
                .and(ideas::id.eq(idea_coauthors::idea_id))),
        )
        .filter(idea_coauthors::org_id.eq(org_id))
        .filter(idea_coauthors::user_id.eq(user_id))
        .order(ideas::created_at.asc())
        .select((ideas::id, ideas::title, idea_coauthors::share))
        .load(conn)?;
    let comment_rows: Vec<CommentRow> = idea_comments::table
        .filter(idea_comments::org_id.eq(org_id))
        .filter(idea_comments::author_id.eq(user_id))
        .order(idea_comments::created_at.asc())
        .select((
            idea_comments::id,
            idea_comments::idea_id,
            idea_comments::body,
            idea_comments::created_at,
            idea_comments::edited_at,
            idea_comments::deleted_at,
        ))
        .load(conn)?;
    let vote_rows: Vec<(String, NaiveDateTime)> = idea_votes::table
        .filter(idea_votes::org_id.eq(org_id))
        .filter(idea_votes::user_id.eq(user_id))
        .order(idea_votes::created_at.asc())
        .select((idea_votes::idea_id, idea_votes::created_at))
        .load(conn)?;
    let event_rows: Vec<EventRow> = idea_events::table
        .filter(idea_events::org_id.eq(org_id))
        .filter(idea_events::actor_id.eq(user_id))
        .order(idea_events::created_at.asc())
        .select((
            idea_events::idea_id,
            idea_events::action,
            idea_events::from_status,
            idea_events::to_status,
            idea_events::note,
            idea_events::created_at,
        ))
        .load(conn)?;
    let session_rows: Vec<SessionRow> = sessions::table
        .filter(sessions::org_id.eq(org_id))
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at.asc())
        .select((
            sessions::kind,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::expires_at,
            sessions::revoked_at,
        ))
        .load(conn)?;
    let participation = if for_self {
        let rows: Vec<(String, String)> = assessment_participation::table
            .inner_join(assessment_rounds::table.on(assessment_rounds::id.eq(assessment_participation::round_id)))
            .filter(assessment_rounds::org_id.eq(org_id))
            .filter(assessment_participation::user_id.eq(user_id))
            .order(assessment_rounds::opens_at.asc())
            .select((assessment_rounds::id, assessment_rounds::title))
            .load(conn)?;
        Some(
            rows.into_iter()
                .map(|(round_id, title)| ExportParticipation { round_id, title })
                .collect(),
        )
    } else {
        None
    };
    let mut notes = vec![
        "Survey answers are stored without any link to a person and are therefore not part of this export.".to_owned(),
        "Failed sign-in attempts are counted only as a digest of the account and address and deleted after minutes; \
         they are not included."
            .to_owned(),
        "Server logs name people only by their id; they are kept where the operator sends them.".to_owned(),
        "E-mails are sent to the account's address; which mails went to whom is not stored.".to_owned(),
    ];
    if !for_self {
        notes.push(
            "Which survey rounds the person answered is given only to the person themselves, never to an admin."
                .to_owned(),
        );
    }
    Ok(PersonalData {
        exported_at: Utc::now(),
        account: ExportAccount {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role,
            unit_id: user.unit_id,
            unit_name,
            active: user.active,
            personnel_number: user.personnel_number,
            mail_language: mail.language,
            idea_mails: mail.idea_mails,
            created_at: utc(user.created_at),
            updated_at: utc(user.updated_at),
        },
        organization: ExportOrganization {
            id: org.id,
            name: org.name,
            slug: org.slug,
        },
        ideas: idea_rows
            .into_iter()
            .map(
                |(
                    id,
                    title,
                    current_situation,
                    proposal,
                    expected_benefit,
                    unit_id,
                    status,
                    code_word,
                    author_share,
                    created,
                    updated,
                )| ExportIdea {
                    id,
                    title,
                    current_situation,
                    proposal,
                    expected_benefit,
                    unit_id,
                    status,
                    code_word,
                    author_share,
                    created_at: utc(created),
                    updated_at: utc(updated),
                },
            )
            .collect(),
        co_authorships: co
            .into_iter()
            .map(|(idea_id, title, share)| ExportCoAuthorship { idea_id, title, share })
            .collect(),
        comments: comment_rows
            .into_iter()
            .map(|(id, idea_id, body, created, edited, deleted)| ExportComment {
                id,
                idea_id,
                body,
                created_at: utc(created),
                edited_at: edited.map(utc),
                deleted_at: deleted.map(utc),
            })
            .collect(),
        votes: vote_rows
            .into_iter()
            .map(|(idea_id, created)| ExportVote {
                idea_id,
                created_at: utc(created),
            })
            .collect(),
        history: event_rows
            .into_iter()
            .map(|(idea_id, action, from_status, to_status, note, created)| ExportEvent {
                idea_id,
                action,
                from_status,
                to_status,
                note,
                created_at: utc(created),
            })
            .collect(),
        sessions: session_rows
            .into_iter()
            .map(|(kind, created, seen, expires, revoked)| ExportSession {
                kind,
                created_at: utc(created),
                last_seen_at: utc(seen),
                expires_at: utc(expires),
                revoked_at: revoked.map(utc),
            })
            .collect(),
        survey_participation: participation,
        notes,
    })
}

/// The file name of a download: `kaizen-daten-2026-12-04.json`.
pub fn file_name() -> String {
    format!("kaizen-daten-{}.json", Utc::now().format("%Y-%m-%d"))
}

/// An admin's export for a person, recorded in the audit trail (who exported whose data).
pub fn collect_for_admin(
    conn: &mut DbConnection,
    org_id: &str,
    actor: &str,
    user_id: &str,
) -> Result<PersonalData, ApiError> {
    use crate::store::audit::{self, Act};
    audit::record(
        conn,
        org_id,
        |conn| collect(conn, org_id, user_id, false),
        |d| {
            Some(Act::new(
                actor,
                "user.data_exported",
                "user",
                &d.account.id,
                serde_json::json!({}),
            ))
        },
    )
}
