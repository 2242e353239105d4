//! What callers see, built once for the JSON API (`routes`) and the web pages (`web`): the
//! response models and the functions that build them from the store, with the permission
//! and anonymity decisions made here, in one place.

pub mod account;
pub mod admin_acts;
pub mod comments;
pub mod ideas;
pub mod personal_data;
pub mod sign_in;
pub mod survey;
pub mod transitions;
pub mod units;
pub mod users;
