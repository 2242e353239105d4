//! The outbox's delivery worker inside `serve`: every poll it claims due messages with a
//! lease, posts each to its webhook signed as Standard Webhooks says, and records the
//! attempt; a failure is retried with exponential backoff until the last attempt. Mail
//! rows go the same way: claimed under a lease, their recipients worked out, sent over
//! SMTP, retried with the same backoff, kept as failed after the last attempt.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::task::JoinHandle;

use crate::config::OutboxSettings;
use crate::db::{self, DbPool};
use crate::domain::webhook_signature;
use crate::mailer::Mailer;
use crate::store::mail::{self, MailMessage, Outcome};
use crate::store::outbox::{self, Attempt, Message, Subscription};
use crate::webhook_target::{self, CheckingResolver, TargetPolicy};

/// Messages one poll claims at most.
const BATCH: i64 = 20;
/// Rows one statement marks skipped when no SMTP server is configured.
const SKIP_BATCH: i64 = 1_000;
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: u64 = 6 * 60 * 60 * 1000;

/// The wait after the `attempts`-th failed attempt: `base`, doubled for each further one.
pub fn backoff(base_ms: u64, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    Duration::from_millis(base_ms.saturating_mul(1u64 << doublings).min(MAX_BACKOFF_MS))
}

/// Starts the loop; it runs until the task is aborted or the runtime stops.
pub fn spawn(pool: DbPool, settings: OutboxSettings, public_url: Option<String>) -> Result<JoinHandle<()>, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.webhook_timeout_secs))
        .connect_timeout(Duration::from_secs(settings.webhook_timeout_secs.min(5)))
        // A webhook answers itself; following redirects could lead the request elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        // The address check must see the address connected to; a proxy would connect
        // in our stead, so webhooks go direct.
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(CheckingResolver {
            policy: settings.webhook_targets.clone(),
        }))
        .user_agent(concat!("kaizen-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let mailer = match &settings.smtp {
        Some(smtp) => Some(Mailer::new(smtp, public_url)?),
        None => None,
    };
    Ok(tokio::spawn(async move {
        let mut timer = tokio::time::interval(Duration::from_millis(settings.poll_ms));
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            // A full batch suggests more are due: go on without waiting.
            while matches!(poll(&pool, &client, &settings).await, Ok(true)) {}
            while matches!(poll_mail(&pool, mailer.as_ref(), &settings).await, Ok(true)) {}
        }
    }))
}

/// One claim and its deliveries; true when the batch was full.
async fn poll(pool: &DbPool, client: &reqwest::Client, settings: &OutboxSettings) -> Result<bool, ()> {
    let now = db::now();
    let lease_until = now + chrono::Duration::seconds(settings.lease_secs);
    let claimed = match db::run(pool, move |conn| outbox::claim(conn, now, lease_until, BATCH)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "outbox: could not claim messages");
            return Err(());
        }
    };
    let full = i64::try_from(claimed.len()).unwrap_or(0) >= BATCH;
    let deliveries = claimed
        .into_iter()
        .map(|(message, subscription)| deliver_and_record(pool, client, settings, message, subscription, lease_until));
    futures_util::future::join_all(deliveries).await;
    Ok(full)
}

async fn deliver_and_record(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: &OutboxSettings,
    message: Message,
    subscription: Subscription,
    lease_until: NaiveDateTime,
) {
    let attempt = post(client, &settings.webhook_targets, &message, &subscription).await;
    let retry_at = attempt.at
        + chrono::Duration::from_std(backoff(settings.backoff_ms, message.attempts + 1))
            .unwrap_or_else(|_| chrono::Duration::hours(6));
    let max = settings.max_attempts;
    let id = message.id.clone();
    let ok = attempt.succeeded();
    let error = attempt.error.clone();
    let code = attempt.status_code;
    let recorded = db::run(pool, move |conn| {
        outbox::finish(conn, &message, lease_until, &attempt, retry_at, max)
    })
    .await;
    match recorded {
        Ok(true) if ok => tracing::debug!(message_id = %id, "webhook delivered"),
        Ok(true) => {
            tracing::info!(message_id = %id, status = ?code, error = ?error, "webhook delivery failed; retrying later")
        }
        Ok(false) => tracing::warn!(message_id = %id, "webhook attempt not recorded: the lease ran out meanwhile"),
        Err(e) => tracing::warn!(message_id = %id, error = %e, "webhook attempt not recorded"),
    }
}

/// One claim of mail rows and their sending; true when the batch was full. Without SMTP
/// the rows are marked skipped.
async fn poll_mail(pool: &DbPool, mailer: Option<&Mailer>, settings: &OutboxSettings) -> Result<bool, ()> {
    let now = db::now();
    let Some(mailer) = mailer else {
        // Nothing to send: one statement marks the due rows, however many there are.
        return match db::run(pool, move |conn| mail::skip_due(conn, now, SKIP_BATCH)).await {
            Ok(n) => Ok(i64::try_from(n).unwrap_or(0) >= SKIP_BATCH),
            Err(e) => {
                tracing::warn!(error = %e, "outbox: could not mark mail messages skipped");
                Err(())
            }
        };
    };
    let lease_until = now + chrono::Duration::seconds(settings.lease_secs);
    let claimed = match db::run(pool, move |conn| mail::claim(conn, now, lease_until, BATCH)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "outbox: could not claim mail messages");
            return Err(());
        }
    };
    let full = i64::try_from(claimed.len()).unwrap_or(0) >= BATCH;
    let sends = claimed
        .into_iter()
        .map(|message| send_and_record(pool, mailer, settings, message, lease_until));
    futures_util::future::join_all(sends).await;
    Ok(full)
}

async fn send_and_record(
    pool: &DbPool,
    mailer: &Mailer,
    settings: &OutboxSettings,
    message: MailMessage,
    lease_until: NaiveDateTime,
) {
    let m = message.clone();
    let outcome = match db::run(pool, move |conn| mail::prepare(conn, &m)).await {
        Err(e) => Outcome::Failed(format!("could not work out the recipients: {e}")),
        Ok(prepared) => match mailer.send(&message, &prepared).await {
            Ok(()) => Outcome::Delivered(db::now()),
            Err(e) => Outcome::Failed(e),
        },
    };
    let retry_at = db::now()
        + chrono::Duration::from_std(backoff(settings.backoff_ms, message.attempts + 1))
            .unwrap_or_else(|_| chrono::Duration::hours(6));
    let max = settings.max_attempts;
    let id = message.id.clone();
    let failed = match &outcome {
        Outcome::Failed(e) => Some(e.clone()),
        _ => None,
    };
    let recorded = db::run(pool, move |conn| {
        mail::finish(conn, &message, lease_until, &outcome, retry_at, max)
    })
    .await;
    match recorded {
        Ok(true) if failed.is_none() => tracing::debug!(message_id = %id, "mail message done"),
        Ok(true) => tracing::info!(message_id = %id, error = ?failed, "mail not sent; retrying later"),
        Ok(false) => tracing::warn!(message_id = %id, "mail outcome not recorded: the lease ran out meanwhile"),
        Err(e) => tracing::warn!(message_id = %id, error = %e, "mail outcome not recorded"),
    }
}

/// One signed POST. The message id is the `webhook-id`, the same in every attempt, so
/// receivers can recognise a repeat.
async fn post(
    client: &reqwest::Client,
    policy: &TargetPolicy,
    message: &Message,
    subscription: &Subscription,
) -> Attempt {
    let at = db::now();
    // A name is checked by the client's resolver; an address in the URL is not looked
    // up, so it is checked here.
    let literal = url::Url::parse(&subscription.url).ok().and_then(|u| match u.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    });
    if let Some(Err(refused)) = literal.map(|ip| policy.check(ip)) {
        return Attempt {
            status_code: None,
            error: Some(refused.to_string()),
            duration_ms: 0,
            at,
        };
    }
    let timestamp = at.and_utc().timestamp();
    let body = message.payload.clone().into_bytes();
    let signature = webhook_signature::header(&subscription.signing_secrets(at), &message.id, timestamp, &body);
    let started = Instant::now();
    let sent = client
        .post(&subscription.url)
        .header("content-type", "application/json")
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match sent {
        Ok(resp) => Attempt {
            status_code: Some(i64::from(resp.status().as_u16())),
            error: None,
            duration_ms,
            at,
        },
        Err(e) => Attempt {
            status_code: None,
            error: Some(describe(e)),
            duration_ms,
            at,
        },
    }
}

/// What went wrong, without the URL (which may carry a token in its query).
fn describe(e: reqwest::Error) -> String {
    if let Some(refused) = webhook_target::refusal_in(&e) {
        refused.to_string()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        e.without_url().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(100, 1), Duration::from_millis(100));
        assert_eq!(backoff(100, 2), Duration::from_millis(200));
        assert_eq!(backoff(100, 4), Duration::from_millis(800));
        assert_eq!(backoff(30_000, 40), Duration::from_millis(MAX_BACKOFF_MS));
    }
}
