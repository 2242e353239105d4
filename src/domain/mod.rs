//! Pure domain logic: no I/O, no connections, no requests.

pub mod compare;
pub mod fields;
pub mod ideas;
pub mod locale;
pub mod pdca;
pub mod pipeline;
pub mod progress;
pub mod questionnaire;
pub mod reassessment;
pub mod results;
pub mod roles;
pub mod rounds;
pub mod scoring;
pub mod staff_import;
pub mod stats;
pub mod suppression;
pub mod unit_tree;
pub mod weakness;
pub mod webhook_signature;
