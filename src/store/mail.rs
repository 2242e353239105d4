//! E-mail through the outbox. An event is written here inside the transaction of the
//! change it reports, as one row without recipients; the worker (`crate::outbox_worker`)
//! claims due rows under a lease, works out the recipients at that moment (so no row an
//! admin could list names the author of an anonymous idea), sends and retries with the
//! same backoff as webhooks until the row is kept as `failed`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::schema::{idea_coauthors, mail_messages, mail_preferences, organizations, units, users};
use crate::db::{self, DbConnection};
use crate::domain::locale::Lang;
use crate::domain::pdca::Status;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::assessments::Round;
use crate::store::ideas::Idea;

pub const IDEA_SUBMITTED: &str = "idea.submitted";
pub const IDEA_STATUS_CHANGED: &str = "idea.status_changed";
pub const ROUND_OPENED: &str = "round.opened";
pub const ROUND_REMINDER: &str = "round.reminder";
pub const IDEA_STUCK: &str = "idea.stuck";

/// Reminders are written this long before a round closes.
pub const REMINDER_HOURS: i64 = 48;
/// Ideas waiting too long that one scheduler pass writes mails for at most.
const STUCK_PER_PASS: i64 = 5_000;
/// An idea is reported when it passes the limit, within this many days after: ideas that
/// were stuck long before mail was switched on (or the service upgraded) bring no flood.
const STUCK_WINDOW_DAYS: i64 = 7;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";
/// Written while SMTP was not configured: dropped by the worker, never sent.
pub const SKIPPED: &str = "skipped";

#[derive(Debug, Clone, Queryable)]
pub struct MailMessage {
    pub id: String,
    pub org_id: String,
    pub kind: String,
    pub subject_id: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub dedupe_key: Option<String>,
}

/// What a mail row keeps beyond its subject: never who receives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MailPayload {
    pub title: String,
    pub status: Option<String>,
    pub previous_status: Option<String>,
    pub reason: Option<String>,
    /// When a reminded round closes, or since when an idea waits in its stage.
    #[serde(default)]
    pub at: Option<NaiveDateTime>,
}

/// Whether this instance sends mail (SMTP configured). Rows written while it does not
/// are dropped by the worker (marked `skipped`) within seconds; the idea writer writes its
/// rows `skipped` at once (`NewMail::sent_as`), which spares each new idea the worker's
/// update of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    On,
    Off,
}

/// A new pending mail row: its subject and payload, never who receives it.
#[derive(Insertable)]
#[diesel(table_name = mail_messages)]
pub struct NewMail<'a> {
    pub id: String,
    pub org_id: &'a str,
    pub kind: &'a str,
    pub subject_id: &'a str,
    pub payload: String,
    pub status: &'static str,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub dedupe_key: Option<&'a str>,
}

impl<'a> NewMail<'a> {
    fn pending(org_id: &'a str, kind: &'a str, subject_id: &'a str, payload: &MailPayload) -> Result<Self, ApiError> {
        let now = db::now();
        Ok(Self {
            id: db::new_id(),
            org_id,
            kind,
            subject_id,
            payload: serde_json::to_string(payload).map_err(ApiError::internal)?,
            status: PENDING,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            delivered_at: None,
            dedupe_key: None,
        })
    }

    /// As written by an instance that sends mail or not: without SMTP the row is written
    /// as the worker would leave it, `skipped` at once.
    fn sent_as(self, sending: Sending) -> Self {
        match sending {
            Sending::On => self,
            Sending::Off => Self {
                status: SKIPPED,
                delivered_at: Some(self.created_at),
                ..self
            },
        }
    }
}

fn enqueue(
    conn: &mut DbConnection,
    org_id: &str,
    kind: &str,
    subject_id: &str,
    payload: &MailPayload,
) -> Result<(), ApiError> {
    db::execute_native(
        conn,
        diesel::insert_into(mail_messages::table).values(NewMail::pending(org_id, kind, subject_id, payload)?),
    )?;
    Ok(())
}

/// What an idea's mail keeps: its title and stage, and for a change of stage the stage
/// before and the written reason.
fn idea_payload(idea: &Idea, kind: &str, from: Option<Status>, to: Status) -> MailPayload {
    MailPayload {
        title: idea.title.clone(),
        status: Some(to.as_str().to_owned()),
        previous_status: from
            .filter(|_| kind == IDEA_STATUS_CHANGED)
            .map(|s| s.as_str().to_owned()),
        reason: idea.decision_reason.clone().filter(|_| kind == IDEA_STATUS_CHANGED),
        at: None,
    }
}

/// An idea's submission (to the leads) or change of stage (to its authors), inside the
/// caller's transaction.
pub fn idea_event(
    conn: &mut DbConnection,
    idea: &Idea,
    action: &str,
    from: Option<Status>,
    to: Status,
) -> Result<(), ApiError> {
    let kind = if action == "submit" {
        IDEA_SUBMITTED
    } else if from != Some(to) {
        IDEA_STATUS_CHANGED
    } else {
        return Ok(());
    };
    enqueue(conn, &idea.org_id, kind, &idea.id, &idea_payload(idea, kind, from, to))
}

/// The submissions of a batch written together on SQLite (`idea_writer`): the rows
/// `idea_event` writes for each. PostgreSQL's batch statement writes them itself
/// (`submitted_rows`).
pub fn ideas_submitted(conn: &mut DbConnection, ideas: &[Idea], sending: Sending) -> Result<(), ApiError> {
    let rows = submitted_rows(ideas, sending)?;
    // A statement per row, prepared once per connection (the batch's one statement on
    // PostgreSQL writes its rows itself).
    for row in &rows {
        db::execute_native(conn, diesel::insert_into(mail_messages::table).values(row))?;
    }
    Ok(())
}

/// The rows `idea_event` writes for submitted ideas (also for the batch statement of
/// `idea_writer`, which writes them itself).
pub fn submitted_rows(ideas: &[Idea], sending: Sending) -> Result<Vec<NewMail<'_>>, ApiError> {
    ideas
        .iter()
        .map(|idea| {
            let payload = idea_payload(idea, IDEA_SUBMITTED, None, idea.status());
            Ok(NewMail::pending(&idea.org_id, IDEA_SUBMITTED, &idea.id, &payload)?.sent_as(sending))
        })
        .collect()
}

/// Writes a message once for `key`: false when one was written before (by this or
/// another instance). Runs in its own statement, outside any transaction.
fn enqueue_once(
    conn: &mut DbConnection,
    org_id: &str,
    kind: &str,
    subject_id: &str,
    payload: &MailPayload,
    key: &str,
) -> Result<bool, ApiError> {
    let written = |conn: &mut DbConnection| -> Result<bool, ApiError> {
        let n: i64 = mail_messages::table
            .filter(mail_messages::dedupe_key.eq(key))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    if written(conn)? {
        return Ok(false);
    }
    let row = NewMail {
        dedupe_key: Some(key),
        ..NewMail::pending(org_id, kind, subject_id, payload)?
    };
    let inserted = diesel::insert_into(mail_messages::table).values(row).execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        // The unique key let another instance's insert win.
        Err(_) if written(conn)? => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The scheduler's mails as of `now`: one reminder per open round closing within
/// `REMINDER_HOURS`, and one mail per idea that has waited in its stage longer than its
/// organisation's `stuck_stage_days` (again when it moves on and waits again), written in
/// the `STUCK_WINDOW_DAYS` after it passed the limit. Returns how many were written.
pub fn write_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    use crate::db::schema::{assessment_rounds as r, ideas as i};
    let mut written = 0;
    let closing: Vec<(String, String, String, NaiveDateTime)> = r::table
        .filter(r::status.eq("open"))
        .filter(r::closes_at.gt(now))
        .filter(r::closes_at.le(now + chrono::Duration::hours(REMINDER_HOURS)))
        .select((r::id, r::org_id, r::title, r::closes_at))
        .load(conn)?;
    for (id, org_id, title, closes_at) in closing {
        let payload = MailPayload {
            title,
            at: Some(closes_at),
            ..MailPayload::default()
        };
        if enqueue_once(
            conn,
            &org_id,
            ROUND_REMINDER,
            &id,
            &payload,
            &format!("{ROUND_REMINDER}:{id}"),
        )? {
            written += 1;
        }
    }
    let active: Vec<&str> = [Status::Submitted, Status::Plan, Status::Do, Status::Check, Status::Act]
        .iter()
        .map(|s| s.as_str())
        .collect();
    let orgs: Vec<(String, i64)> = organizations::table
        .select((organizations::id, organizations::stuck_stage_days))
        .load(conn)?;
    for (org_id, days) in orgs {
        let waiting: Vec<(String, String, String, NaiveDateTime)> = i::table
            .filter(i::org_id.eq(&org_id))
            .filter(i::status.eq_any(&active))
            .filter(i::stage_entered_at.lt(now - chrono::Duration::days(days)))
            .filter(i::stage_entered_at.ge(now - chrono::Duration::days(days + STUCK_WINDOW_DAYS)))
            .select((i::id, i::title, i::status, i::stage_entered_at))
            .order(i::stage_entered_at.asc())
            .limit(STUCK_PER_PASS)
            .load(conn)?;
        for (id, title, status, since) in waiting {
            let key = format!("{IDEA_STUCK}:{id}:{}", since.and_utc().timestamp_micros());
            let payload = MailPayload {
                title,
                status: Some(status),
                at: Some(since),
                ..MailPayload::default()
            };
            if enqueue_once(conn, &org_id, IDEA_STUCK, &id, &payload, &key)? {
                written += 1;
            }
        }
    }
    Ok(written)
}

/// A round opened: to the staff in its scope.
pub fn round_opened(conn: &mut DbConnection, round: &Round) -> Result<(), ApiError> {
    let payload = MailPayload {
        title: round.title.clone(),
        ..MailPayload::default()
    };
    enqueue(conn, &round.org_id, ROUND_OPENED, &round.id, &payload)
}

// ---- Preferences ----

/// A person's mail settings as stored (defaults when they never changed them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub language: Option<Lang>,
    pub idea_mails: bool,
}

pub fn preferences(conn: &mut DbConnection, user_id: &str) -> Result<Preferences, ApiError> {
    let row: Option<(Option<String>, bool)> = mail_preferences::table
        .find(user_id)
        .select((mail_preferences::language, mail_preferences::idea_mails))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((language, idea_mails)) => Preferences {
            language: language.as_deref().and_then(Lang::from_tag),
            idea_mails,
        },
        None => Preferences {
            language: None,
            idea_mails: true,
        },
    })
}

pub fn set_preferences(
    conn: &mut DbConnection,
    org_id: &str,
    user_id: &str,
    prefs: &Preferences,
) -> Result<(), ApiError> {
    let language = prefs.language.map(Lang::as_str);
    let now = db::now();
    db::write_tx(conn, |conn| {
        let n = diesel::update(mail_preferences::table.find(user_id))
            .set((
                mail_preferences::language.eq(language),
                mail_preferences::idea_mails.eq(prefs.idea_mails),
                mail_preferences::updated_at.eq(now),
            ))
            .execute(conn)?;
        if n == 0 {
            diesel::insert_into(mail_preferences::table)
                .values((
                    mail_preferences::user_id.eq(user_id),
                    mail_preferences::org_id.eq(org_id),
                    mail_preferences::language.eq(language),
                    mail_preferences::idea_mails.eq(prefs.idea_mails),
                    mail_preferences::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

// ---- Recipients, worked out when sending ----

/// One person a mail goes to, in their language.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub lang: Lang,
}

/// Everything the worker needs to write the mails of one message.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub recipients: Vec<Recipient>,
    pub payload: MailPayload,
    pub unit_name: Option<String>,
    pub organization: String,
}

/// Active, not erased people among `ids`, with their language; `ideas_only` leaves out
/// those who turned idea mails off.
fn recipients(
    conn: &mut DbConnection,
    org_id: &str,
    ids: Vec<String>,
    ideas_only: bool,
    default: Lang,
) -> Result<Vec<Recipient>, ApiError> {
    let rows: Vec<(String, String, Option<String>, Option<bool>)> = users::table
        .left_join(mail_preferences::table.on(mail_preferences::user_id.eq(users::id)))
        .filter(users::org_id.eq(org_id))
        .filter(users::id.eq_any(ids))
        .filter(users::active.eq(true))
        .filter(users::erased_at.is_null())
        .select((
            users::id,
            users::email,
            mail_preferences::language.nullable(),
            mail_preferences::idea_mails.nullable(),
        ))
        .order(users::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, idea_mails)| !ideas_only || idea_mails.unwrap_or(true))
        .map(|(_, email, language, _)| Recipient {
            email,
            lang: language.as_deref().and_then(Lang::from_tag).unwrap_or(default),
        })
        .collect())
}

/// The unit and the units above it.
fn unit_and_ancestors(conn: &mut DbConnection, org_id: &str, unit_id: &str) -> Result<Vec<String>, ApiError> {
    let all: Vec<(String, Option<String>)> = units::table
        .filter(units::org_id.eq(org_id))
        .select((units::id, units::parent_id))
        .load(conn)?;
    let mut out = Vec::new();
    let mut current = Some(unit_id.to_owned());
    while let Some(id) = current {
        if out.contains(&id) {
            break;
        }
        current = all.iter().find(|(u, _)| *u == id).and_then(|(_, p)| p.clone());
        out.push(id);
    }
    Ok(out)
}

/// Works out who receives `message` now. An idea's authors learn of its new stage (the
/// author of an anonymous idea too: the mail goes to them alone and names nobody); the
/// leads of the idea's unit and of the units above it learn of a new idea; the staff in a
/// round's scope learn that it opened.
pub fn prepare(conn: &mut DbConnection, message: &MailMessage) -> Result<Prepared, ApiError> {
    let payload: MailPayload = serde_json::from_str(&message.payload).map_err(ApiError::internal)?;
    let (organization, locale): (String, String) = organizations::table
        .find(&message.org_id)
        .select((organizations::name, organizations::default_locale))
        .first(conn)?;
    let default = Lang::from_tag(&locale).unwrap_or(Lang::De);
    let org_id = message.org_id.as_str();
    let (recipients, unit_name) = match message.kind.as_str() {
        IDEA_STATUS_CHANGED | IDEA_SUBMITTED | IDEA_STUCK => {
            let idea: Option<Idea> = crate::db::schema::ideas::table
                .filter(crate::db::schema::ideas::org_id.eq(org_id))
                .filter(crate::db::schema::ideas::id.eq(&message.subject_id))
                .first(conn)
                .optional()?;
            let Some(idea) = idea else {
                return Ok(Prepared {
                    recipients: Vec::new(),
                    payload,
                    unit_name: None,
                    organization,
                });
            };
            let unit_name: Option<String> = units::table
                .find(&idea.unit_id)
                .select(units::name)
                .first(conn)
                .optional()?;
            let moved_on = message.kind == IDEA_STUCK && payload.status.as_deref() != Some(idea.status.as_str());
            let ids = if moved_on {
                Vec::new()
            } else if message.kind == IDEA_STATUS_CHANGED {
                let mut ids: Vec<String> = idea_coauthors::table
                    .filter(idea_coauthors::org_id.eq(org_id))
                    .filter(idea_coauthors::idea_id.eq(&idea.id))
                    .select(idea_coauthors::user_id)
                    .load(conn)?;
                ids.push(idea.author_id.clone());
                ids
            } else {
                let scope = unit_and_ancestors(conn, org_id, &idea.unit_id)?;
                users::table
                    .filter(users::org_id.eq(org_id))
                    .filter(users::role.eq(Role::Lead.as_str()))
                    .filter(users::unit_id.eq_any(scope))
                    .select(users::id)
                    .load(conn)?
            };
            (recipients(conn, org_id, ids, true, default)?, unit_name)
        }
        ROUND_OPENED | ROUND_REMINDER => {
            use crate::db::schema::{assessment_participation as ap, assessment_rounds as r};
            let round: Option<(Option<String>, String, NaiveDateTime)> = r::table
                .filter(r::org_id.eq(org_id))
                .filter(r::id.eq(&message.subject_id))
                .select((r::scope_unit_id, r::status, r::closes_at))
                .first(conn)
                .optional()?;
            let ids: Vec<String> = match round {
                Some((scope, status, closes_at)) if status == "open" && closes_at > db::now() => {
                    let mut q = users::table
                        .filter(users::org_id.eq(org_id))
                        .select(users::id)
                        .into_boxed();
                    if let Some(unit) = scope {
                        q = q.filter(users::unit_id.eq_any(crate::store::units::subtree_ids(conn, org_id, &unit)?));
                    }
                    if message.kind == ROUND_REMINDER {
                        // Only the service reads who took part, here and nowhere else.
                        let answered = ap::table
                            .filter(ap::round_id.eq(&message.subject_id))
                            .select(ap::user_id);
                        q = q.filter(diesel::dsl::not(users::id.eq_any(answered)));
                    }
                    q.load(conn)?
                }
                // Closed (or gone) before the mail went out: nobody to tell.
                _ => Vec::new(),
            };
            (recipients(conn, org_id, ids, false, default)?, None)
        }
        _ => (Vec::new(), None),
    };
    Ok(Prepared {
        recipients,
        payload,
        unit_name,
        organization,
    })
}

// ---- The worker's side ----

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims up to `limit` due mail rows until `lease_until`, as `outbox::claim` does for
/// webhook rows (FOR UPDATE SKIP LOCKED on PostgreSQL).
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<MailMessage>, ApiError> {
    let lock = match conn {
        DbConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE mail_messages SET claimed_until = $1 WHERE id IN (\
         SELECT id FROM mail_messages WHERE status = 'pending' AND next_attempt_at <= $2 \
         AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY next_attempt_at, id LIMIT $3{lock}) \
         RETURNING id"
    );
    let ids: Vec<ClaimedId> = diesel::sql_query(sql)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ids.into_iter().map(|c| c.id).collect();
    Ok(mail_messages::table
        .filter(mail_messages::id.eq_any(&ids))
        .filter(mail_messages::claimed_until.eq(lease_until))
        .order(mail_messages::id.asc())
        .load(conn)?)
}

/// The outcome of sending one message: delivered, or failed and why.
pub enum Outcome {
    Delivered(NaiveDateTime),
    Failed(String),
}

/// Records the outcome of a claimed row: delivered, due again at `retry_at`,
/// or failed after `max_attempts`. False when the lease was lost meanwhile.
pub fn finish(
    conn: &mut DbConnection,
    message: &MailMessage,
    lease_until: NaiveDateTime,
    outcome: &Outcome,
    retry_at: NaiveDateTime,
    max_attempts: i64,
) -> Result<bool, ApiError> {
    let attempts = message.attempts + 1;
    let target = mail_messages::table
        .filter(mail_messages::id.eq(&message.id))
        .filter(mail_messages::status.eq(PENDING))
        .filter(mail_messages::claimed_until.eq(lease_until));
    let n = match outcome {
        Outcome::Delivered(at) => diesel::update(target)
            .set((
                mail_messages::status.eq(DELIVERED),
                mail_messages::attempts.eq(attempts),
                mail_messages::delivered_at.eq(Some(*at)),
                mail_messages::claimed_until.eq(None::<NaiveDateTime>),
                mail_messages::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Failed(error) => {
            let status = if attempts >= max_attempts { FAILED } else { PENDING };
            diesel::update(target)
                .set((
                    mail_messages::status.eq(status),
                    mail_messages::attempts.eq(attempts),
                    mail_messages::next_attempt_at.eq(retry_at),
                    mail_messages::claimed_until.eq(None::<NaiveDateTime>),
                    mail_messages::last_error.eq(Some(error.clone())),
                ))
                .execute(conn)?
        }
    };
    Ok(n > 0)
}

/// Without SMTP: marks every due, unclaimed row skipped in one statement (up to `limit`),
/// so an instance with no mail server costs one write per poll, not one per message.
/// Returns how many rows it marked.
pub fn skip_due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> Result<usize, ApiError> {
    let lock = match conn {
        DbConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE mail_messages SET status = '{SKIPPED}', delivered_at = $1, claimed_until = NULL \
         WHERE id IN (SELECT id FROM mail_messages WHERE status = '{PENDING}' AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT $2{lock})"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .execute(conn)?)
}

/// Deletes delivered and skipped mail rows older than `before`; failed ones stay.
pub fn purge_delivered(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(
        mail_messages::table
            .filter(mail_messages::status.eq_any([DELIVERED, SKIPPED]))
            .filter(mail_messages::delivered_at.lt(before)),
    )
    .execute(conn)?)
}

// ---- Messages for admins (no recipients: they are never stored) ----

/// The organisation's mail rows in one state, newest first, before `before_id`.
pub fn list_messages(
    conn: &mut DbConnection,
    org_id: &str,
    status: &str,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<MailMessage>, ApiError> {
    let mut q = mail_messages::table
        .filter(mail_messages::org_id.eq(org_id))
        .filter(mail_messages::status.eq(status))
        .into_boxed();
    if let Some(before) = before_id {
        q = q.filter(mail_messages::id.lt(before.to_owned()));
    }
    Ok(q.order(mail_messages::id.desc()).limit(limit).load(conn)?)
}

pub fn find_message(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<MailMessage, ApiError> {
    Ok(mail_messages::table
        .filter(mail_messages::org_id.eq(org_id))
        .filter(mail_messages::id.eq(id))
        .first(conn)?)
}

/// A failed mail row back to pending, due now, with a fresh count of attempts. `None`
/// when it is not failed (nothing changed).
pub fn retry(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Option<MailMessage>, ApiError> {
    find_message(conn, org_id, id)?;
    let n = diesel::update(
        mail_messages::table
            .filter(mail_messages::org_id.eq(org_id))
            .filter(mail_messages::id.eq(id))
            .filter(mail_messages::status.eq(FAILED)),
    )
    .set((
        mail_messages::status.eq(PENDING),
        mail_messages::attempts.eq(0_i64),
        mail_messages::next_attempt_at.eq(db::now()),
        mail_messages::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    find_message(conn, org_id, id).map(Some)
}
