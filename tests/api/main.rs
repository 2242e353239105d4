//! Integration tests through real HTTP, each on SQLite and (with
//! `KAIZEN_TEST_POSTGRES_URL`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod auth;
mod cli;
mod compose;
mod errors;
mod idea_lifecycle;
mod idea_social;
mod ideas;
mod openapi;
mod ops;
mod organization;
mod units;
mod users;
