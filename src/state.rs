//! Shared application state handed to every handler.

use std::sync::Arc;

use tokio::sync::{AcquireError, Semaphore, SemaphorePermit};

use crate::auth::password::Passwords;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::store::idea_writer::IdeaWriter;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Writes idea submissions in batches (see `store::idea_writer`).
    pub idea_writer: IdeaWriter,
    /// Report queries that may run at once.
    pub report_slots: Arc<ReportSlots>,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub settings: Arc<Settings>,
    pub metrics: Metrics,
    /// Each organisation's OpenID provider (discovery and keys, cached).
    pub sso: Arc<crate::auth::sso::Providers>,
}

/// Report queries that may run at once, one per core: each scans large indexes, so more
/// at a time only adds memory and cache misses, not throughput. A report whose queries
/// split into independent parts may take several slots and run the parts side by side.
pub struct ReportSlots {
    permits: Semaphore,
    capacity: u32,
}

impl ReportSlots {
    pub fn new(capacity: usize) -> Self {
        let capacity = u32::try_from(capacity.max(1)).unwrap_or(u32::MAX);
        Self {
            permits: Semaphore::new(capacity as usize),
            capacity,
        }
    }

    /// Waits for `wanted` slots, or all there are when fewer; the permit says how many.
    pub async fn acquire(&self, wanted: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.permits.acquire_many(wanted.clamp(1, self.capacity)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_report_never_waits_for_more_slots_than_there_are() {
        let one = ReportSlots::new(1);
        let permit = one.acquire(2).await.map(|p| p.num_permits());
        assert_eq!(permit.ok(), Some(1));

        let two = ReportSlots::new(2);
        let both = two.acquire(2).await.ok();
        assert_eq!(both.as_ref().map(|p| p.num_permits()), Some(2));
        // While one report holds both, the next waits.
        assert!(two.permits.try_acquire().is_err());
        drop(both);
        assert_eq!(two.acquire(1).await.map(|p| p.num_permits()).ok(), Some(1));
    }
}
