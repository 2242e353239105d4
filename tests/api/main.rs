//! Integration tests through real HTTP, each on SQLite and (with
//! `KAIZEN_TEST_POSTGRES_URL`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod assessment_logs;
mod assessment_support;

mod anonymity;
mod assessments;
mod audit;
mod auth;
mod backup;
mod browser;
mod charts;
mod cli;
mod compose;
mod conformance;
mod cross_org;
mod demo;
mod dimensions;
mod erasure;
mod errors;
mod faults;
mod hostile_input;
mod idea_batches;
mod idea_dimensions;
mod idea_lifecycle;
mod idea_social;
mod ideas;
mod login_limits;
mod mail;
mod mail_tls;
mod measurement;
mod openapi;
mod ops;
mod org_keys;
mod organization;
mod outbox_processes;
mod personal_data;
mod pipeline;
mod questionnaires;
mod reassessment;
mod report_cache;
mod reports;
mod retention;
mod role_findings;
mod sessions;
mod sso;
mod staff_import;
mod units;
mod users;
mod web;
mod web_admin;
mod web_admin_staff;
mod web_browser;
mod web_browser_admin;
mod web_browser_lead;
mod web_lead;
mod web_reports;
mod webhook_targets;
mod webhooks;
