//! Keyset pagination: `?limit=&cursor=` in, `{items, next_cursor}` out. Cursors are opaque
//! to clients (base64url JSON of the last row's sort key), so they stay stable under inserts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(format = "kaizen-cursor")]
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
            Some(_) => Err(ApiError::field("limit", format!("must be between 1 and {MAX_LIMIT}"))),
        }
    }

    /// The key to continue after; an empty `cursor` is the first page, as no cursor is.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(decode_cursor)
            .transpose()
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<K: DeserializeOwned>(raw: &str) -> Result<K, ApiError> {
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        // A NUL could not be stored or compared by PostgreSQL; no real cursor has one.
        .filter(|bytes| !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")))
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::BadRequest("the cursor is not valid; start again without it".into()))
}

/// Cuts a result fetched with `limit + 1` rows down to one page and names the next cursor.
pub fn finish_page<T, K: Serialize>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| encode_cursor(&key(r)));
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Declares a concrete page type for the OpenAPI document.
#[macro_export]
macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode_cursor(&("2026-01-01T00:00:00Z", "id-1"));
        let back: (String, String) = decode_cursor(&c).unwrap();
        assert_eq!(back, ("2026-01-01T00:00:00Z".to_string(), "id-1".to_string()));
        assert!(decode_cursor::<(String, String)>("%%%").is_err());
        assert!(decode_cursor::<(String, String)>(&encode_cursor(&42)).is_err());
        assert!(decode_cursor::<String>(&encode_cursor(&"a\u{0}b")).is_err());
    }

    #[test]
    fn pages_cut_at_the_limit() {
        let (rows, next) = finish_page(vec![1, 2, 3], 2, |r| *r);
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(next, Some(encode_cursor(&2)));
        let (rows, next) = finish_page(vec![1, 2], 2, |r| *r);
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(next, None);
    }

    #[test]
    fn limits_are_bounded() {
        let p = |l| PageParams {
            limit: Some(l),
            cursor: None,
        };
        assert!(p(0).limit().is_err());
        assert!(p(201).limit().is_err());
        assert_eq!(p(200).limit().unwrap(), 200);
        assert_eq!(PageParams::default().limit().unwrap(), 50);
    }
}
