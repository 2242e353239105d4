//! Request extraction with problem-style errors: JSON bodies (content type, size limit,
//! syntax 400 vs. field-level 422), optimistic-concurrency versions, client addresses.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::config::DEFAULT_BODY_LIMIT;
use crate::error::ApiError;
use crate::json_body;
use crate::state::AppState;

/// A JSON body, read up to the configured limit.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T> Deref for ApiJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(ct) = ct.to_str() else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.body_limit)
            .unwrap_or(DEFAULT_BODY_LIMIT);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            if declared.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

/// Syntax errors are malformed requests (400); well-formed JSON with wrong fields is a
/// validation problem (422) that names the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {}", json_body::clean(&e.to_string()))))?;
    if contains_nul(&value) {
        return Err(ApiError::BadRequest(
            "JSON strings must not contain NUL characters".into(),
        ));
    }
    json_body::typed(value, json_body::ONE_OBJECT)
}

fn contains_nul(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// The version a write expects, from `If-Match` or the body. With neither, the request
/// is refused: writes must say which state they build on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedVersion {
    pub version: i64,
    pub from_if_match: bool,
}

impl ExpectedVersion {
    pub fn resolve(req: &HttpRequest, body_version: Option<i64>) -> Result<Self, ApiError> {
        if let Some(raw) = req.headers().get(header::IF_MATCH) {
            // `"3"` or `W/"3"`, as `ETag` answers give it, or the bare number (the forms
            // the OpenAPI document states).
            let parsed = raw
                .to_str()
                .ok()
                .map(str::trim)
                .map(|s| s.strip_prefix("W/").unwrap_or(s))
                .and_then(|s| match s.strip_prefix('"') {
                    Some(quoted) => quoted.strip_suffix('"'),
                    None => Some(s),
                })
                .filter(|n| (1..=18).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| ApiError::BadRequest("If-Match must be an ETag such as \"3\"".into()))?;
            return Ok(Self {
                version: parsed,
                from_if_match: true,
            });
        }
        match body_version {
            Some(v) => Ok(Self {
                version: v,
                from_if_match: false,
            }),
            None => Err(ApiError::field(
                "version",
                "is required: send the version you read (or an If-Match header)",
            )),
        }
    }

    /// The error for a stale version: 412 when it came from If-Match, else 409.
    pub fn stale(&self, current: i64) -> ApiError {
        if self.from_if_match {
            ApiError::PreconditionFailed {
                detail: format!("If-Match does not match; the current version is {current}"),
                current_version: Some(current),
            }
        } else {
            ApiError::stale_version(current)
        }
    }
}

/// `ETag` header value for a version.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The client's address for throttling: the peer's, or behind `trusted_proxies` reverse
/// proxies the address the outermost of them saw. Each proxy appends the address it
/// received the request from to `X-Forwarded-For`; entries left of those are whatever
/// the client sent and prove nothing, so the address is read from the right.
pub fn client_address(req: &HttpRequest, trusted_proxies: usize) -> String {
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    if trusted_proxies == 0 {
        if req.headers().contains_key("x-forwarded-for") {
            warn_once_about_untrusted_forwarding();
        }
        return peer;
    }
    let entries: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    forwarded_client(&entries, trusted_proxies).unwrap_or(peer)
}

/// A reverse proxy sends X-Forwarded-For, but the service was not told to trust it: every
/// client then counts as the proxy's address for login throttling. Said once per process.
fn warn_once_about_untrusted_forwarding() {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            "requests carry X-Forwarded-For but KAIZEN_TRUST_PROXY is off: login limits count every client as \
             the proxy's address; set KAIZEN_TRUST_PROXY=true (or the number of proxies) behind a reverse proxy"
        );
    }
}

/// The entry `proxies` places from the right (the left-most when the chain is shorter).
fn forwarded_client(entries: &[String], proxies: usize) -> Option<String> {
    let n = entries.len();
    let pick = n.saturating_sub(proxies);
    entries.get(pick).map(|e| strip_port(e))
}

fn strip_port(addr: &str) -> String {
    if let Ok(sock) = addr.parse::<std::net::SocketAddr>() {
        return sock.ip().to_string();
    }
    addr.trim_start_matches('[').trim_end_matches(']').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn the_forwarded_address_is_read_from_the_right() {
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // The client wrote "1.2.3.4" itself; the one proxy appended what it saw.
        let chain = list(&["1.2.3.4", "203.0.113.7"]);
        assert_eq!(forwarded_client(&chain, 1).as_deref(), Some("203.0.113.7"));
        // Two proxies: the outer one appended the client, the inner one the outer proxy.
        let chain = list(&["1.2.3.4", "203.0.113.7", "10.0.0.2"]);
        assert_eq!(forwarded_client(&chain, 2).as_deref(), Some("203.0.113.7"));
        assert_eq!(
            forwarded_client(&list(&["203.0.113.7"]), 2).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(forwarded_client(&[], 1), None);
        assert_eq!(strip_port("[2001:db8::1]:4711"), "2001:db8::1");
        assert_eq!(strip_port("198.51.100.1:80"), "198.51.100.1");
    }

    #[test]
    fn syntax_errors_are_400() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(parse_json::<Body>(b""), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_json::<Body>(b"{} x"), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_json::<Body>(b"[1,2"), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_json::<Body>(b"[1,2]"), Err(ApiError::Validation(_))));
        assert!(matches!(
            parse_json::<Body>(br#"{"name": "a\u0000b", "inner": {"count": 1}}"#),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn data_errors_name_the_field() {
        match parse_json::<Body>(br#"{"name": "x", "inner": {"count": -1}}"#) {
            Err(ApiError::Validation(errs)) => assert_eq!(errs[0].field, "inner.count"),
            other => panic!("unexpected {other:?}"),
        }
        match parse_json::<Body>(br#"{"inner": {"count": 1}}"#) {
            Err(ApiError::Validation(errs)) => {
                assert_eq!(
                    (errs[0].field.as_str(), errs[0].message.as_str()),
                    ("name", "is required")
                )
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ports_are_stripped() {
        assert_eq!(strip_port("10.0.0.1:5555"), "10.0.0.1");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("10.0.0.1"), "10.0.0.1");
    }
}
