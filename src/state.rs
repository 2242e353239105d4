//! Shared application state handed to every handler.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::auth::password::Passwords;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Reports that may be computed at once: each scans large indexes, so more at a time
    /// than there are cores only adds memory and cache misses, not throughput.
    pub report_slots: Arc<Semaphore>,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub settings: Arc<Settings>,
    pub metrics: Metrics,
}
