//! Authentication: password hashing, access and refresh tokens, request extractors,
//! login throttling.

pub mod extractors;
pub mod password;
pub mod secret;
pub mod sso;
pub mod tokens;

pub use extractors::{Admin, AnyAuthUser, AuthUser, Lead, Manager, TokenCaller};
