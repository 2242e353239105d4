//! The transactional outbox and the webhook subscriptions it delivers to. Events are
//! written here inside the transaction of the change they report (one row per
//! subscribed webhook); the worker (`crate::outbox_worker`) claims due rows with a lease,
//! records each attempt and retries with backoff until the last attempt, after which the
//! row is kept as `failed` for an admin to retry.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{outbox_messages, webhook_deliveries, webhook_subscriptions};
use crate::db::{self, DbConnection};
use crate::domain::pdca::Status;
use crate::error::ApiError;
use crate::store::assessments::Round;
use crate::store::ideas::Idea;

/// The event types a subscription can name.
pub const EVENT_TYPES: &[&str] = &[
    IDEA_SUBMITTED,
    IDEA_STATUS_CHANGED,
    COMMENT_CREATED,
    ROUND_OPENED,
    ROUND_CLOSED,
];
pub const IDEA_SUBMITTED: &str = "idea.submitted";
pub const IDEA_STATUS_CHANGED: &str = "idea.status_changed";
pub const COMMENT_CREATED: &str = "comment.created";
pub const ROUND_OPENED: &str = "round.opened";
pub const ROUND_CLOSED: &str = "round.closed";

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable)]
pub struct Subscription {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Subscription {
    pub fn events(&self) -> Vec<String> {
        self.event_types.split(',').map(str::to_owned).collect()
    }

    /// The secrets that sign at `now`: the current one and, during a rotation's grace
    /// period, the previous one.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && until > now
        {
            out.push(old.as_str());
        }
        out
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct Message {
    pub id: String,
    pub org_id: String,
    pub event_type: String,
    pub subject_id: String,
    pub subscription_id: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    pub id: String,
    pub org_id: String,
    pub subscription_id: String,
    pub message_id: String,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: NaiveDateTime,
}

// ---- Payloads (documented in the OpenAPI document's `webhooks` section) ----

/// An idea event. An anonymous idea's author is never named (`author_id` is null).
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaEventData {
    pub idea_id: String,
    pub unit_id: String,
    pub title: String,
    pub status: String,
    /// The stage before (`idea.status_changed`); null for a submission.
    pub previous_status: Option<String>,
    /// The written reason of a rejection, withdrawal, abandonment or duplicate.
    pub reason: Option<String>,
    pub anonymous: bool,
    /// Null for an anonymous idea.
    pub author_id: Option<String>,
}

/// A comment on an idea (its text and author are read through the API).
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentEventData {
    pub comment_id: String,
    pub idea_id: String,
}

/// An assessment round opened or closed. Never carries answers or who answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundEventData {
    pub round_id: String,
    pub title: String,
    pub status: String,
    pub scope_unit_id: Option<String>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// The body of `idea.submitted` and `idea.status_changed`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "idea.status_changed", "timestamp": "2026-12-04T07:00:00Z",
    "data": {"idea_id": "019aeb6e-…", "unit_id": "019a6a8f-…", "title": "Online-Termine",
    "status": "rejected", "previous_status": "submitted", "reason": "Bereits umgesetzt",
    "anonymous": false, "author_id": "019a6a90-…"}}))]
pub struct IdeaWebhook {
    /// `idea.submitted` or `idea.status_changed`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub timestamp: DateTime<Utc>,
    pub data: IdeaEventData,
}

/// The body of `comment.created`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentWebhook {
    /// `comment.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub timestamp: DateTime<Utc>,
    pub data: CommentEventData,
}

/// The body of `round.opened` and `round.closed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundWebhook {
    /// `round.opened` or `round.closed`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub timestamp: DateTime<Utc>,
    pub data: RoundEventData,
}

// ---- Writing events (inside the caller's transaction) ----

/// Writes one outbox row per subscription of the organisation that wants `event_type`.
/// The caller holds the transaction of the change the event reports.
fn enqueue(
    conn: &mut DbConnection,
    org_id: &str,
    event_type: &str,
    subject_id: &str,
    payload: &impl Serialize,
) -> Result<(), ApiError> {
    let subscribers: Vec<(String, String)> = db::load_native(
        conn,
        webhook_subscriptions::table
            .filter(webhook_subscriptions::org_id.eq(org_id))
            .select((webhook_subscriptions::id, webhook_subscriptions::event_types)),
    )?;
    let wanted: Vec<String> = subscribers
        .into_iter()
        .filter(|(_, types)| types.split(',').any(|t| t == event_type))
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let body = serde_json::to_string(payload).map_err(ApiError::internal)?;
    let now = db::now();
    for subscription_id in wanted {
        diesel::insert_into(outbox_messages::table)
            .values((
                outbox_messages::id.eq(db::new_id()),
                outbox_messages::org_id.eq(org_id),
                outbox_messages::event_type.eq(event_type),
                outbox_messages::subject_id.eq(subject_id),
                outbox_messages::subscription_id.eq(subscription_id),
                outbox_messages::payload.eq(&body),
                outbox_messages::status.eq(PENDING),
                outbox_messages::attempts.eq(0_i64),
                outbox_messages::next_attempt_at.eq(now),
                outbox_messages::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The submissions of a batch written together on SQLite (`idea_writer`): one query for
/// the subscriptions of their organisations, and events only where one is subscribed; the
/// same rows as `idea_event` per idea. PostgreSQL's batch statement writes them itself
/// (`submitted_body`).
pub fn ideas_submitted(conn: &mut DbConnection, ideas: &[Idea]) -> Result<(), ApiError> {
    let mut orgs: Vec<&str> = ideas.iter().map(|i| i.org_id.as_str()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    // A question per organisation (nearly always one): a statement of fixed text stays
    // prepared, where a list of organisations would be compiled anew every time.
    let mut subscribed: Vec<&str> = Vec::with_capacity(orgs.len());
    for org in orgs {
        let any: bool = db::get_result_native(
            conn,
            diesel::select(diesel::dsl::exists(
                webhook_subscriptions::table.filter(webhook_subscriptions::org_id.eq(org)),
            )),
        )?;
        if any {
            subscribed.push(org);
        }
    }
    for idea in ideas.iter().filter(|i| subscribed.contains(&i.org_id.as_str())) {
        idea_event(conn, idea, "submit", None, idea.status(), idea.created_at)?;
    }
    Ok(())
}

/// An idea's submission or change of stage, from the history event written with it
/// (`idea_events::append`). Edits, which keep the stage, are no event here.
pub fn idea_event(
    conn: &mut DbConnection,
    idea: &Idea,
    action: &str,
    from: Option<Status>,
    to: Status,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let event_type = if action == "submit" {
        IDEA_SUBMITTED
    } else if from != Some(to) {
        IDEA_STATUS_CHANGED
    } else {
        return Ok(());
    };
    let payload = idea_webhook(idea, event_type, from, to, at);
    enqueue(conn, &idea.org_id, event_type, &idea.id, &payload)
}

/// What a subscriber receives about an idea's submission or change of stage.
fn idea_webhook(idea: &Idea, event_type: &str, from: Option<Status>, to: Status, at: NaiveDateTime) -> IdeaWebhook {
    IdeaWebhook {
        event_type: event_type.to_owned(),
        timestamp: at.and_utc(),
        data: IdeaEventData {
            idea_id: idea.id.clone(),
            unit_id: idea.unit_id.clone(),
            title: idea.title.clone(),
            status: to.as_str().to_owned(),
            previous_status: if event_type == IDEA_SUBMITTED {
                None
            } else {
                from.map(|s| s.as_str().to_owned())
            },
            reason: idea.decision_reason.clone(),
            anonymous: idea.anonymous(),
            author_id: (!idea.anonymous()).then(|| idea.author_id.clone()),
        },
    }
}

/// The body of a submitted idea's event, as `idea_event` writes it for each subscription
/// (for the batch statement of `idea_writer`, which writes the rows itself).
pub fn submitted_body(idea: &Idea) -> Result<String, ApiError> {
    let payload = idea_webhook(idea, IDEA_SUBMITTED, None, idea.status(), idea.created_at);
    serde_json::to_string(&payload).map_err(ApiError::internal)
}

/// A new comment.
pub fn comment_created(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    comment_id: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let payload = CommentWebhook {
        event_type: COMMENT_CREATED.to_owned(),
        timestamp: at.and_utc(),
        data: CommentEventData {
            comment_id: comment_id.to_owned(),
            idea_id: idea_id.to_owned(),
        },
    };
    enqueue(conn, org_id, COMMENT_CREATED, comment_id, &payload)
}

/// A round opened or closed (`event_type` is `ROUND_OPENED` or `ROUND_CLOSED`).
pub fn round_event(
    conn: &mut DbConnection,
    round: &Round,
    event_type: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let status = if event_type == ROUND_OPENED { "open" } else { "closed" };
    let payload = RoundWebhook {
        event_type: event_type.to_owned(),
        timestamp: at.and_utc(),
        data: RoundEventData {
            round_id: round.id.clone(),
            title: round.title.clone(),
            status: status.to_owned(),
            scope_unit_id: round.scope_unit_id.clone(),
            opens_at: round.opens_at.and_utc(),
            closes_at: round.closes_at.and_utc(),
        },
    };
    enqueue(conn, &round.org_id, event_type, &round.id, &payload)
}

// ---- Subscriptions ----

pub fn create_subscription(
    conn: &mut DbConnection,
    org_id: &str,
    url: &str,
    event_types: &[String],
    secret: &str,
    created_by: &str,
) -> Result<Subscription, ApiError> {
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::id.eq(&id),
            webhook_subscriptions::org_id.eq(org_id),
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::event_types.eq(event_types.join(",")),
            webhook_subscriptions::secret.eq(secret),
            webhook_subscriptions::created_by.eq(created_by),
            webhook_subscriptions::created_at.eq(now),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .execute(conn)?;
    find_subscription(conn, org_id, &id)
}

pub fn find_subscription(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Subscription, ApiError> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::org_id.eq(org_id))
        .filter(webhook_subscriptions::id.eq(id))
        .first(conn)?)
}

/// Subscriptions after `after_id`, by id (`limit` rows; the caller asks one more).
pub fn list_subscriptions(
    conn: &mut DbConnection,
    org_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Subscription>, ApiError> {
    let mut q = webhook_subscriptions::table
        .filter(webhook_subscriptions::org_id.eq(org_id))
        .into_boxed();
    if let Some(after) = after_id {
        q = q.filter(webhook_subscriptions::id.gt(after.to_owned()));
    }
    Ok(q.order(webhook_subscriptions::id.asc()).limit(limit).load(conn)?)
}

/// Deletes a subscription with its pending messages and delivery log.
pub fn delete_subscription(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        find_subscription(conn, org_id, id)?;
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id))).execute(conn)?;
        diesel::delete(outbox_messages::table.filter(outbox_messages::subscription_id.eq(id))).execute(conn)?;
        diesel::delete(webhook_subscriptions::table.filter(webhook_subscriptions::id.eq(id))).execute(conn)?;
        Ok(())
    })
}

/// Replaces the secret; the old one keeps signing until `grace_until`.
pub fn rotate_secret(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    new_secret: &str,
    grace_until: NaiveDateTime,
) -> Result<Subscription, ApiError> {
    db::write_tx(conn, |conn| {
        let current = find_subscription(conn, org_id, id)?;
        diesel::update(webhook_subscriptions::table.filter(webhook_subscriptions::id.eq(id)))
            .set((
                webhook_subscriptions::secret.eq(new_secret),
                webhook_subscriptions::previous_secret.eq(Some(current.secret)),
                webhook_subscriptions::previous_secret_until.eq(Some(grace_until)),
                webhook_subscriptions::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        find_subscription(conn, org_id, id)
    })
}

/// A subscription's delivery attempts, newest first, before `before_id`.
pub fn deliveries(
    conn: &mut DbConnection,
    org_id: &str,
    subscription_id: &str,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>, ApiError> {
    find_subscription(conn, org_id, subscription_id)?;
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::org_id.eq(org_id))
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .into_boxed();
    if let Some(before) = before_id {
        q = q.filter(webhook_deliveries::id.lt(before.to_owned()));
    }
    Ok(q.order(webhook_deliveries::id.desc()).limit(limit).load(conn)?)
}

// ---- Messages for admins ----

/// The organisation's messages in one state, newest first, before `before_id`.
pub fn list_messages(
    conn: &mut DbConnection,
    org_id: &str,
    status: &str,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Message>, ApiError> {
    let mut q = outbox_messages::table
        .filter(outbox_messages::org_id.eq(org_id))
        .filter(outbox_messages::status.eq(status))
        .into_boxed();
    if let Some(before) = before_id {
        q = q.filter(outbox_messages::id.lt(before.to_owned()));
    }
    Ok(q.order(outbox_messages::id.desc()).limit(limit).load(conn)?)
}

pub fn find_message(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Message, ApiError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::org_id.eq(org_id))
        .filter(outbox_messages::id.eq(id))
        .first(conn)?)
}

/// A failed message back to pending, due now, with a fresh count of attempts. `None`
/// when it is not failed (nothing changed).
pub fn retry(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Option<Message>, ApiError> {
    find_message(conn, org_id, id)?;
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::org_id.eq(org_id))
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::status.eq(FAILED)),
    )
    .set((
        outbox_messages::status.eq(PENDING),
        outbox_messages::attempts.eq(0_i64),
        outbox_messages::next_attempt_at.eq(db::now()),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    find_message(conn, org_id, id).map(Some)
}

/// Delivered messages (with their delivery log) are kept this long, then deleted.
pub const DELIVERED_RETENTION_DAYS: i64 = 30;

/// Deletes the messages delivered before `before` and their attempts. Failed and pending
/// ones stay until delivered.
pub fn purge_delivered(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, ApiError> {
    db::write_tx(conn, |conn| {
        let old = outbox_messages::table
            .filter(outbox_messages::status.eq(DELIVERED))
            .filter(outbox_messages::delivered_at.lt(before))
            .select(outbox_messages::id);
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::message_id.eq_any(old))).execute(conn)?;
        Ok(diesel::delete(
            outbox_messages::table
                .filter(outbox_messages::status.eq(DELIVERED))
                .filter(outbox_messages::delivered_at.lt(before)),
        )
        .execute(conn)?)
    })
}

// ---- The worker's side ----

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims up to `limit` due messages until `lease_until`: pending, due, and not leased
/// to a worker (or that worker's lease ran out: it was killed or hangs). On PostgreSQL
/// concurrent workers skip each other's locked rows, so each row goes to one worker.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(Message, Subscription)>, ApiError> {
    let lock = match conn {
        DbConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE outbox_messages SET claimed_until = $1 WHERE id IN (\
         SELECT id FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= $2 \
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
    let rows: Vec<(Message, Subscription)> = outbox_messages::table
        .inner_join(webhook_subscriptions::table.on(webhook_subscriptions::id.eq(outbox_messages::subscription_id)))
        .filter(outbox_messages::id.eq_any(&ids))
        .filter(outbox_messages::claimed_until.eq(lease_until))
        .order(outbox_messages::id.asc())
        .load(conn)?;
    Ok(rows)
}

/// The outcome of one delivery attempt.
pub struct Attempt {
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: NaiveDateTime,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// Records an attempt of a claimed message and its consequence: delivered, due again at
/// `retry_at`, or failed after `max_attempts`. Nothing changes when the worker's lease
/// was lost meanwhile (another worker has the message now).
pub fn finish(
    conn: &mut DbConnection,
    message: &Message,
    lease_until: NaiveDateTime,
    attempt: &Attempt,
    retry_at: NaiveDateTime,
    max_attempts: i64,
) -> Result<bool, ApiError> {
    db::write_tx(conn, |conn| {
        let attempts = message.attempts + 1;
        let target = outbox_messages::table
            .filter(outbox_messages::id.eq(&message.id))
            .filter(outbox_messages::status.eq(PENDING))
            .filter(outbox_messages::claimed_until.eq(lease_until));
        let n = if attempt.succeeded() {
            diesel::update(target)
                .set((
                    outbox_messages::status.eq(DELIVERED),
                    outbox_messages::attempts.eq(attempts),
                    outbox_messages::delivered_at.eq(Some(attempt.at)),
                    outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
                    outbox_messages::last_error.eq(None::<String>),
                ))
                .execute(conn)?
        } else {
            let error = attempt
                .error
                .clone()
                .or_else(|| attempt.status_code.map(|c| format!("answered {c}")));
            let status = if attempts >= max_attempts { FAILED } else { PENDING };
            diesel::update(target)
                .set((
                    outbox_messages::status.eq(status),
                    outbox_messages::attempts.eq(attempts),
                    outbox_messages::next_attempt_at.eq(retry_at),
                    outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
                    outbox_messages::last_error.eq(error),
                ))
                .execute(conn)?
        };
        if n == 0 {
            return Ok(false);
        }
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(db::new_id()),
                webhook_deliveries::org_id.eq(&message.org_id),
                webhook_deliveries::subscription_id.eq(&message.subscription_id),
                webhook_deliveries::message_id.eq(&message.id),
                webhook_deliveries::attempt.eq(attempts),
                webhook_deliveries::status_code.eq(attempt.status_code),
                webhook_deliveries::error.eq(&attempt.error),
                webhook_deliveries::duration_ms.eq(attempt.duration_ms),
                webhook_deliveries::at.eq(attempt.at),
            ))
            .execute(conn)?;
        Ok(true)
    })
}
