//! Access tokens (JWT, HS256, 15 minutes) and opaque refresh tokens (256 random bits,
//! stored only as a SHA-256 digest).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::roles::Role;
use crate::error::ApiError;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const REFRESH_TOKEN_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    /// The session the token belongs to: ending it ends the token's access at once.
    pub sid: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A signed access token and its lifetime in seconds.
    pub fn issue(&self, user_id: &str, org_id: &str, session_id: &str, role: Role) -> Result<(String, i64), ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            org: org_id.to_owned(),
            sid: session_id.to_owned(),
            role,
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, ACCESS_TOKEN_SECONDS))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::Unauthorized("the access token has expired".into())
                }
                _ => ApiError::Unauthorized("the access token is invalid".into()),
            })
    }
}

/// A new refresh token and the digest that is stored instead of it.
pub fn new_refresh_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = digest_token(&token);
    Ok((token, digest))
}

/// SHA-256 in hex: enough for a 256-bit random secret, which no one can guess.
pub fn digest_token(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_and_verify() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let (t, ttl) = keys.issue("u1", "o1", "s1", Role::Lead).unwrap();
        assert_eq!(ttl, 900);
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.org.as_str(), c.role), ("u1", "o1", Role::Lead));
        assert_eq!(c.sid, "s1");
        assert_eq!(c.exp - c.iat, 900);
        let other = TokenKeys::new(&[8u8; 32]);
        assert!(other.verify(&t).is_err());
        assert!(keys.verify("garbage").is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: "u".into(),
            org: "o".into(),
            sid: "s".into(),
            role: Role::Admin,
            iat: now - 2000,
            exp: now - 1000,
            jti: "j".into(),
        };
        let t = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert!(matches!(keys.verify(&t), Err(ApiError::Unauthorized(m)) if m.contains("expired")));
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token().unwrap();
        let (b, _) = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha, digest_token(&a));
        assert_eq!(ha.len(), 64);
    }
}
