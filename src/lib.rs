//! kaizen: continuous improvement (PDCA) and learning-culture self-assessment for
//! municipalities, as a REST service on SQLite or PostgreSQL.

pub mod auth;
pub mod bootstrap;
pub mod charts;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod json_body;
pub mod mailer;
pub mod messages;
pub mod metrics;
pub mod openapi;
pub mod openapi_rules;
pub mod outbox_worker;
pub mod pagination;
pub mod routes;
pub mod scheduler;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod views;
pub mod web;
pub mod webhook_target;
