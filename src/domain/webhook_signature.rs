//! Webhook signatures as the Standard Webhooks specification defines them: the secret is
//! `whsec_<base64 key>`, the signed content `{id}.{timestamp}.{body}`, the signature
//! `v1,<base64 HMAC-SHA256>`; several signatures (old and new secret during a rotation)
//! are separated by spaces.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret from 32 random bytes.
pub fn secret_from(key: &[u8; 32]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a `whsec_` secret; `None` when it is not one.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

/// `v1,<signature>` of one message under one secret; `None` for a malformed secret.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether any signature in `header` is the one `secret` gives (compared in constant time).
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(key) = key_of(secret) else {
        return false;
    };
    header.split(' ').any(|candidate| {
        let Some(sig) = candidate.strip_prefix("v1,").and_then(|b| STANDARD.decode(b).ok()) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            return false;
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&sig).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_specification_example() {
        // The example of the Standard Webhooks reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(secret, id, 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(secret, id, 1614265330, body, &sig));
    }

    #[test]
    fn a_tampered_body_or_another_secret_fails() {
        let a = secret_from(&[7; 32]);
        let b = secret_from(&[9; 32]);
        let h = header(&[&a, &b], "m1", 10, b"{}");
        assert!(verify(&a, "m1", 10, b"{}", &h));
        assert!(verify(&b, "m1", 10, b"{}", &h));
        assert!(!verify(&a, "m1", 10, b"{ }", &h));
        assert!(!verify(&a, "m1", 11, b"{}", &h));
        assert!(!verify(&secret_from(&[1; 32]), "m1", 10, b"{}", &h));
    }
}
