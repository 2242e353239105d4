//! Background work inside `serve`: opens and closes assessment rounds when their times
//! pass. Requests advance rounds themselves too (lazily), so this loop only makes the
//! change happen without anyone asking; every step is a conditional update, so several
//! instances on one database perform each transition exactly once.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::store::assessments::{self, Advanced};

/// How often the loop looks for due work.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// One pass over every organisation.
pub async fn tick(pool: &DbPool) -> Result<Advanced, ApiError> {
    db::run(pool, |conn| assessments::advance_due(conn, None, db::now())).await
}

/// Starts the loop; it runs until the returned task is aborted or the runtime stops.
pub fn spawn(pool: DbPool, interval: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            match tick(&pool).await {
                Ok(done) if done.opened + done.closed > 0 => {
                    tracing::info!(opened = done.opened, closed = done.closed, "assessment rounds advanced");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler pass failed; retrying at the next tick"),
            }
        }
    })
}
