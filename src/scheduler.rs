//! Background work inside `serve`: opens and closes assessment rounds when their times
//! pass, and opens the round each organisation's reassessment schedule owes. It runs once
//! at start (catching up after downtime) and then every `INTERVAL`. Requests advance
//! rounds themselves too (lazily), but only the scheduler opens scheduled reassessment
//! rounds. Every step is decided by the database (conditional updates, a unique period
//! key), so several instances on one database perform each step exactly once.

use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::task::JoinHandle;

use crate::db::{self, DbConnection, DbPool};
use crate::error::ApiError;
use crate::store::reassessment::{self, Step};
use crate::store::{assessments, round_results, sessions, throttle};

/// How often the loop looks for due work.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Rounds opened because their opening time passed.
    pub opened: usize,
    /// Rounds closed because their closing time passed.
    pub closed: usize,
    /// Reassessment rounds opened for a due period.
    pub scheduled: usize,
    /// Due periods another instance opened at the same moment.
    pub taken: usize,
    /// Organisations whose schedule failed this time (logged; retried next pass).
    pub failed: usize,
}

/// One pass over every organisation as of `now`: first the rounds whose times passed
/// (so a round whose window ended during downtime is closed before anything else), then
/// each switched-on schedule.
pub fn pass(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Pass, ApiError> {
    let advanced = assessments::advance_due(conn, None, now)?;
    match crate::store::mail::write_due(conn, now) {
        Ok(0) => {}
        Ok(n) => tracing::info!(messages = n, "mail reminders written"),
        Err(e) => tracing::warn!(error = %e, "could not write mail reminders; retrying at the next pass"),
    }
    let mut done = Pass {
        opened: advanced.opened,
        closed: advanced.closed,
        ..Pass::default()
    };
    for schedule in reassessment::enabled(conn)? {
        let org = schedule.org_id.as_str();
        match reassessment::run_due(conn, &schedule, now) {
            Ok(Step::Opened(round)) => {
                done.scheduled += 1;
                tracing::info!(
                    org_id = %org,
                    assessment_id = %round.id,
                    period = round.period_key.as_deref().unwrap_or_default(),
                    "reassessment round opened"
                );
            }
            // Not an error: the unique period key let the other instance's insert win.
            Ok(Step::Taken) => {
                done.taken += 1;
                tracing::debug!(org_id = %org, "reassessment round opened by another instance");
            }
            Ok(Step::Blocked(why)) => {
                done.failed += 1;
                tracing::warn!(org_id = %org, reason = %why, "reassessment round due but cannot open");
            }
            Ok(Step::NotDue | Step::Done | Step::Waiting(_)) => {}
            Err(e) => {
                done.failed += 1;
                tracing::warn!(org_id = %org, error = %e, "reassessment schedule failed; retrying at the next pass");
            }
        }
    }
    Ok(done)
}

/// Housekeeping after a pass: vacuum the answer tables when a round closed since
/// `closed_since` (PostgreSQL), delete ended sessions and old login attempts, and the
/// participation records of rounds closed more than `retention_days` ago. Each part is
/// logged and retried at the next pass when it fails.
pub fn housekeeping(conn: &mut DbConnection, now: NaiveDateTime, closed_since: NaiveDateTime, retention: Retention) {
    match round_results::published_since(conn, closed_since) {
        Ok(true) => assessments::vacuum_answers(conn),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not check for closed rounds"),
    }
    if let Err(e) = sessions::purge(conn, now) {
        tracing::warn!(error = %e, "could not delete ended sessions");
    }
    if let Err(e) = throttle::purge(conn, now) {
        tracing::warn!(error = %e, "could not delete old login attempts");
    }
    match assessments::purge_participation(conn, now - chrono::Duration::days(retention.participation_days)) {
        Ok(0) => {}
        Ok(n) => tracing::info!(records = n, "participation records of closed rounds deleted"),
        Err(e) => tracing::warn!(error = %e, "could not delete participation records"),
    }
    match crate::store::outbox::purge_delivered(
        conn,
        now - chrono::Duration::days(crate::store::outbox::DELIVERED_RETENTION_DAYS),
    ) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            messages = n,
            "delivered outbox messages deleted after the retention period"
        ),
        Err(e) => tracing::warn!(error = %e, "could not delete delivered outbox messages"),
    }
    match crate::store::mail::purge_delivered(
        conn,
        now - chrono::Duration::days(crate::store::outbox::DELIVERED_RETENTION_DAYS),
    ) {
        Ok(0) => {}
        Ok(n) => tracing::info!(messages = n, "sent mail messages deleted after the retention period"),
        Err(e) => tracing::warn!(error = %e, "could not delete sent mail messages"),
    }
    if let Some(days) = retention.erase_deactivated_after_days {
        erase_deactivated(conn, now - chrono::Duration::days(days));
    }
}

/// How long the scheduler keeps what it deletes (`Settings`).
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub participation_days: i64,
    pub erase_deactivated_after_days: Option<i64>,
}

impl Retention {
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self {
            participation_days: settings.participation_retention_days,
            erase_deactivated_after_days: settings.erase_deactivated_after_days,
        }
    }
}

/// Erases the accounts deactivated at or before `before`. Another instance erasing the
/// same account first makes this one's attempt a harmless conflict.
fn erase_deactivated(conn: &mut DbConnection, before: NaiveDateTime) {
    let due = match crate::store::users::deactivated_before(conn, before) {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "could not list deactivated accounts");
            return;
        }
    };
    for (org_id, id, email) in due {
        match crate::store::users::erase(conn, &org_id, &id, "", &email) {
            Ok(_) => tracing::info!(user_id = %id, "deactivated account erased after the retention period"),
            Err(e) => tracing::debug!(user_id = %id, error = %e, "deactivated account not erased"),
        }
    }
}

/// `pass` on a pooled connection, off the async workers.
pub async fn tick(pool: &DbPool, now: NaiveDateTime) -> Result<Pass, ApiError> {
    db::run(pool, move |conn| pass(conn, now)).await
}

/// Starts the loop; it runs until the returned task is aborted or the runtime stops.
/// The first pass happens at once.
pub fn spawn(pool: DbPool, interval: Duration, retention: Retention) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = db::now();
        loop {
            // The first tick completes immediately.
            timer.tick().await;
            let now = db::now();
            // Overlapping the previous pass a little, so a close committed while it ran is
            // not missed.
            let since = last - chrono::Duration::seconds(5);
            last = now;
            let kept = db::run(&pool, move |conn| {
                housekeeping(conn, now, since, retention);
                Ok(())
            })
            .await;
            if let Err(e) = kept {
                tracing::warn!(error = %e, "housekeeping failed; retrying at the next tick");
            }
            match tick(&pool, now).await {
                Ok(done) if done.opened + done.closed + done.scheduled > 0 => {
                    tracing::info!(
                        opened = done.opened,
                        closed = done.closed,
                        scheduled = done.scheduled,
                        "assessment rounds advanced"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler pass failed; retrying at the next tick"),
            }
        }
    })
}
