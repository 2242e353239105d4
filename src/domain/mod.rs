//! Pure domain logic: no I/O, no connections, no requests.

pub mod fields;
pub mod ideas;
pub mod pdca;
pub mod roles;
pub mod unit_tree;
