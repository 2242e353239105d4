//! Shared application state handed to every handler.

use std::sync::Arc;

use crate::auth::password::Passwords;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub settings: Arc<Settings>,
    pub metrics: Metrics,
}
