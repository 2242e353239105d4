//! Queries, one file per aggregate. Every query is scoped by the caller's organisation.

pub mod assessments;
pub mod audit;
pub mod dimensions;
pub mod idea_comments;
pub mod idea_events;
pub mod idea_votes;
pub mod idea_writer;
pub mod ideas;
pub mod mail;
pub mod organizations;
pub mod outbox;
pub mod pipeline;
pub mod progress;
pub mod questionnaires;
pub mod reassessment;
pub mod report_cache;
pub mod reports;
pub mod responses;
pub mod round_results;
pub mod sessions;
pub mod sign_in;
pub mod staff_import;
pub mod throttle;
pub mod tokens;
pub mod units;
pub mod users;
