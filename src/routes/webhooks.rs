//! Webhook subscriptions of the caller's organisation (admins): create (the secret is
//! shown once), list, delete, rotate the secret, read the delivery log; and the outbox's
//! messages by state, with a retry for failed ones.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Admin;
use crate::db;
use crate::domain::webhook_signature;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::state::AppState;
use crate::store::audit::{self, Act};
use crate::store::mail;
use crate::store::outbox::{self, Delivery, Message, Subscription};

/// Longest accepted target address.
const MAX_URL_LEN: usize = 2000;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub id: String,
    pub url: String,
    /// Of `idea.submitted`, `idea.status_changed`, `comment.created`, `round.opened`, `round.closed`.
    pub event_types: Vec<String>,
    /// Until then the previous secret signs too (after a rotation).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Subscription> for WebhookResponse {
    fn from(s: Subscription) -> Self {
        Self {
            event_types: s.events(),
            id: s.id,
            url: s.url,
            previous_secret_valid_until: s.previous_secret_until.map(|t| t.and_utc()),
            created_at: s.created_at.and_utc(),
        }
    }
}

/// A subscription with its signing secret, shown only when made or rotated.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019aeb6e-…", "url": "https://ticket.kommune.example/hooks/kaizen",
    "event_types": ["idea.submitted"], "previous_secret_valid_until": null,
    "created_at": "2026-12-04T07:00:00Z", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// `whsec_<base64>`: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
}

page_type!(WebhookPage, WebhookResponse);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://ticket.kommune.example/hooks/kaizen", "event_types": ["idea.submitted", "idea.status_changed"]}))]
pub struct CreateWebhook {
    /// An `http` or `https` address that is not, and does not resolve to, an internal
    /// address (loopback, private, link-local, …) unless the operator permits it.
    pub url: String,
    pub event_types: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Hours the old secret keeps signing beside the new one, 0–168 (default 24).
    pub grace_hours: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: String,
    /// The outbox message, which is the `webhook-id` the receiver saw.
    pub message_id: String,
    /// 1 for the first attempt of the message.
    pub attempt: i64,
    /// The receiver's answer; null when none came (see `error`).
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            message_id: d.message_id,
            attempt: d.attempt,
            status_code: d.status_code,
            error: d.error,
            duration_ms: d.duration_ms,
            at: d.at.and_utc(),
        }
    }
}

page_type!(DeliveryPage, DeliveryResponse);

/// A mail message of the outbox: one event, sent to the people it concerns. Who they
/// are is worked out when sending and never stored, so it is not shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailMessageResponse {
    pub id: String,
    /// `idea.submitted` and `idea.stuck` (to the unit's leads), `idea.status_changed` (to
    /// the idea's authors), `round.opened` (to the staff in the round's scope) or
    /// `round.reminder` (to those of them who have not answered).
    pub kind: String,
    /// The idea or round the mail is about.
    pub subject_id: String,
    /// `pending`, `delivered`, `failed` or `skipped` (written while SMTP was not configured).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<mail::MailMessage> for MailMessageResponse {
    fn from(m: mail::MailMessage) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            subject_id: m.subject_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.and_utc(),
            last_error: m.last_error,
            created_at: m.created_at.and_utc(),
            delivered_at: m.delivered_at.map(|t| t.and_utc()),
        }
    }
}

page_type!(MailMessagePage, MailMessageResponse);

/// A message of the outbox: one event for one subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageResponse {
    /// Also the `webhook-id` of every attempt.
    pub id: String,
    pub event_type: String,
    /// The idea, comment or round the event is about.
    pub subject_id: String,
    pub subscription_id: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Message> for OutboxMessageResponse {
    fn from(m: Message) -> Self {
        Self {
            id: m.id,
            event_type: m.event_type,
            subject_id: m.subject_id,
            subscription_id: m.subscription_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.and_utc(),
            last_error: m.last_error,
            created_at: m.created_at.and_utc(),
            delivered_at: m.delivered_at.map(|t| t.and_utc()),
        }
    }
}

page_type!(OutboxPage, OutboxMessageResponse);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// `failed` (default), `pending` or `delivered`.
    pub status: Option<String>,
}

/// Which mail messages to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailFilter {
    /// `failed` (default), `pending`, `delivered` or `skipped`.
    pub status: Option<String>,
}

fn new_secret() -> Result<String, ApiError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(ApiError::internal)?;
    Ok(webhook_signature::secret_from(&key))
}

/// Checks the target and the event types of a new subscription.
fn validate(body: &CreateWebhook) -> Result<(String, Vec<String>), ApiError> {
    let url = body.url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        None => return Err(ApiError::field("url", "must be an http or https address")),
        Some(host) if host.is_empty() || host.starts_with('/') => {
            return Err(ApiError::field("url", "must be an http or https address"));
        }
        Some(_) if url.len() > MAX_URL_LEN || url.chars().any(char::is_whitespace) => {
            return Err(ApiError::field("url", "must be an http or https address"));
        }
        Some(_) => {}
    }
    if body.event_types.is_empty() {
        return Err(ApiError::field("event_types", "is required"));
    }
    let mut types = Vec::new();
    for t in &body.event_types {
        if !outbox::EVENT_TYPES.contains(&t.as_str()) {
            return Err(ApiError::field(
                "event_types",
                format!("must be one of: {}", outbox::EVENT_TYPES.join(", ")),
            ));
        }
        if !types.contains(t) {
            types.push(t.clone());
        }
    }
    Ok((url.to_owned(), types))
}

/// Refuses a target that is or resolves to an internal address, unless the operator
/// permits it (the worker checks again at each delivery: DNS answers change).
async fn check_target(state: &AppState, url: &str) -> Result<(), ApiError> {
    let parsed = url::Url::parse(url).map_err(|_| ApiError::field("url", "must be an http or https address"))?;
    if parsed.host().is_none() {
        return Err(ApiError::field("url", "must be an http or https address"));
    }
    state
        .settings
        .outbox
        .webhook_targets
        .check_url(&parsed)
        .await
        .map_err(|r| {
            ApiError::field(
                "url",
                format!(
                    "points to the internal address {}; webhooks may reach public addresses only",
                    r.address
                ),
            )
        })
}

/// Subscribe a URL to events of the organisation (admins). The answer carries the
/// signing secret; it is not shown again. The target must be public: a URL that is or
/// resolves to a loopback, private (RFC 1918, `fc00::/7`), link-local (`169.254.0.0/16`
/// with cloud metadata services, `fe80::/10`), unspecified, multicast or otherwise
/// internal address is refused (422), unless the operator permits internal targets
/// (`KAIZEN_WEBHOOK_ALLOW_PRIVATE`, `KAIZEN_WEBHOOK_ALLOWED_NETWORKS`). Each delivery
/// checks again, as DNS answers change: every address a name resolves to must pass, the
/// connection goes only to a checked address, and a refused delivery is logged as a
/// failed attempt with the reason.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    security(("bearer" = [])),
    responses((status = 201, body = WebhookWithSecret))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: Admin,
    state: web::Data<AppState>,
    body: ApiJson<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let (url, types) = validate(&body.into_inner())?;
    check_target(&state, &url).await?;
    let secret = new_secret()?;
    let shown = secret.clone();
    let sub = db::run(&state.pool, move |conn| {
        let org = caller.org_id.clone();
        audit::record(
            conn,
            &org,
            |conn| outbox::create_subscription(conn, &caller.org_id, &url, &types, &secret, &caller.id),
            |s| {
                Some(Act::new(
                    &caller.id,
                    "webhook.created",
                    "webhook",
                    &s.id,
                    json!({"event_types": s.events()}),
                ))
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/webhooks/{}", sub.id),
        ))
        .json(WebhookWithSecret {
            webhook: sub.into(),
            secret: shown,
        }))
}

/// The organisation's webhook subscriptions (admins), without their secrets.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookPage))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Admin,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let rows = db::run(&state.pool, move |conn| {
        outbox::list_subscriptions(conn, &caller.org_id, after.as_deref(), limit + 1)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |s| s.id.clone());
    Ok(HttpResponse::Ok().json(WebhookPage {
        items: rows.into_iter().map(WebhookResponse::from).collect(),
        next_cursor,
    }))
}

/// Delete a subscription with its pending messages and delivery log (admins).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        let org = caller.org_id.clone();
        audit::record(
            conn,
            &org,
            |conn| outbox::delete_subscription(conn, &caller.org_id, &id),
            |_| Some(Act::new(&caller.id, "webhook.deleted", "webhook", &id, json!({}))),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret (admins); the old one keeps signing beside it for
/// `grace_hours`, so receivers can switch without missing a message.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    request_body = RotateSecret,
    security(("bearer" = [])),
    responses((status = 200, body = WebhookWithSecret))
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    let grace = body.grace_hours.unwrap_or(24);
    if !(0..=168).contains(&grace) {
        return Err(ApiError::field("grace_hours", "is out of range (0–168)"));
    }
    let id = id.into_inner();
    let secret = new_secret()?;
    let shown = secret.clone();
    let until = db::now() + chrono::Duration::hours(grace);
    let sub = db::run(&state.pool, move |conn| {
        let org = caller.org_id.clone();
        audit::record(
            conn,
            &org,
            |conn| outbox::rotate_secret(conn, &caller.org_id, &id, &secret, until),
            |s| {
                Some(Act::new(
                    &caller.id,
                    "webhook.secret_rotated",
                    "webhook",
                    &s.id,
                    json!({"grace_hours": grace}),
                ))
            },
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(WebhookWithSecret {
        webhook: sub.into(),
        secret: shown,
    }))
}

/// A subscription's delivery attempts, newest first (admins).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path), PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = DeliveryPage))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let before: Option<String> = page.after()?;
    let id = id.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        outbox::deliveries(conn, &caller.org_id, &id, before.as_deref(), limit + 1)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |d| d.id.clone());
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: rows.into_iter().map(DeliveryResponse::from).collect(),
        next_cursor,
    }))
}

/// The outbox's messages in one state, newest first (admins): by default those kept as
/// failed after their last attempt.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams, OutboxFilter),
    security(("bearer" = [])),
    responses((status = 200, body = OutboxPage))
)]
#[get("/outbox")]
pub async fn list_outbox(
    caller: Admin,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<OutboxFilter>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let before: Option<String> = page.after()?;
    let status = filter.into_inner().status.unwrap_or_else(|| outbox::FAILED.to_owned());
    if ![outbox::FAILED, outbox::PENDING, outbox::DELIVERED].contains(&status.as_str()) {
        return Err(ApiError::field("status", "must be one of: failed, pending, delivered"));
    }
    let rows = db::run(&state.pool, move |conn| {
        outbox::list_messages(conn, &caller.org_id, &status, before.as_deref(), limit + 1)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |m| m.id.clone());
    Ok(HttpResponse::Ok().json(OutboxPage {
        items: rows.into_iter().map(OutboxMessageResponse::from).collect(),
        next_cursor,
    }))
}

/// Deliver a failed message again, with a fresh count of attempts (admins); 409 when it
/// is not failed.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OutboxMessageResponse),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/outbox/{id}/retry")]
pub async fn retry_outbox_message(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let message = db::run(&state.pool, move |conn| {
        let org = caller.org_id.clone();
        audit::record(
            conn,
            &org,
            |conn| outbox::retry(conn, &caller.org_id, &id),
            |m| {
                m.as_ref()
                    .map(|m| Act::new(&caller.id, "outbox.retried", "outbox_message", &m.id, json!({})))
            },
        )
    })
    .await?
    .ok_or_else(|| ApiError::conflict("only a failed message can be retried"))?;
    Ok(HttpResponse::Ok().json(OutboxMessageResponse::from(message)))
}

/// The outbox's mail messages in one state, newest first (admins): by default those kept
/// as failed after their last attempt. They name no recipients.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams, MailFilter),
    security(("bearer" = [])),
    responses((status = 200, body = MailMessagePage))
)]
#[get("/outbox/mail")]
pub async fn list_mail_outbox(
    caller: Admin,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<MailFilter>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let before: Option<String> = page.after()?;
    let status = filter.into_inner().status.unwrap_or_else(|| mail::FAILED.to_owned());
    if ![mail::FAILED, mail::PENDING, mail::DELIVERED, mail::SKIPPED].contains(&status.as_str()) {
        return Err(ApiError::field(
            "status",
            "must be one of: failed, pending, delivered, skipped",
        ));
    }
    let rows = db::run(&state.pool, move |conn| {
        mail::list_messages(conn, &caller.org_id, &status, before.as_deref(), limit + 1)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |m| m.id.clone());
    Ok(HttpResponse::Ok().json(MailMessagePage {
        items: rows.into_iter().map(MailMessageResponse::from).collect(),
        next_cursor,
    }))
}

/// Send a failed mail message again, with a fresh count of attempts (admins); 409 when
/// it is not failed.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = MailMessageResponse),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/outbox/mail/{id}/retry")]
pub async fn retry_mail_message(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let message = db::run(&state.pool, move |conn| {
        let org = caller.org_id.clone();
        audit::record(
            conn,
            &org,
            |conn| mail::retry(conn, &caller.org_id, &id),
            |m| {
                m.as_ref()
                    .map(|m| Act::new(&caller.id, "outbox.mail_retried", "mail_message", &m.id, json!({})))
            },
        )
    })
    .await?
    .ok_or_else(|| ApiError::conflict("only a failed message can be retried"))?;
    Ok(HttpResponse::Ok().json(MailMessageResponse::from(message)))
}
