//! The OpenID Connect relying party: discovery and signing keys of each organisation's
//! provider, cached in memory; the authorization request (code flow with PKCE S256, state
//! and nonce); the code exchange and the ID token's verification (signature, issuer,
//! audience, expiry, nonce) with the `openidconnect` crate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse, reqwest,
};
use serde_json::Value;

use crate::store::sign_in::SignInConfig;

/// Discovery documents are fetched again after this long.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// A token signed with a key we do not know fetches the keys again, at most this often.
const KEYS_REFRESH_MIN: Duration = Duration::from_secs(30);

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Why a sign-in with the provider did not work. The text is for the log only: people
/// are told in general words (it may name what the provider sent).
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider cannot be reached or answers nonsense (discovery, keys).
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider's answer failed a check (token exchange, ID token).
    #[error("provider answer refused: {0}")]
    Refused(String),
}

struct Cached {
    issuer: String,
    metadata: CoreProviderMetadata,
    fetched: Instant,
    /// When a token with an unknown key last made us fetch the keys again.
    keys_refreshed: Option<Instant>,
}

/// Each organisation's provider metadata with its keys, and the HTTP client that fetches them.
pub struct Providers {
    http: reqwest::Client,
    cache: Mutex<HashMap<String, Cached>>,
}

/// What the browser is sent to the provider with, and what must be kept for the callback.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A person as the provider vouched for them in a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// Every claim of the ID token (for the configured e-mail and group claims).
    pub claims: Value,
}

impl Identity {
    /// A claim as text (a top-level claim name).
    pub fn text(&self, claim: &str) -> Option<String> {
        self.claims.get(claim).and_then(Value::as_str).map(str::to_owned)
    }

    /// What the token says about the e-mail address: `Some(true)` verified by the provider,
    /// `Some(false)` not verified (also for a claim that is neither a boolean nor the text
    /// "true"), `None` when the token has no `email_verified` claim (Entra ID sends none).
    pub fn email_verified(&self) -> Option<bool> {
        match self.claims.get("email_verified")? {
            Value::Bool(b) => Some(*b),
            // Some providers send the flag as text.
            Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
            _ => Some(false),
        }
    }

    /// A claim as a list of texts: an array of strings, or one string.
    pub fn texts(&self, claim: &str) -> Vec<String> {
        match self.claims.get(claim) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

impl Providers {
    pub fn new() -> Result<Self, String> {
        // No redirects: a discovery or token endpoint that redirects could be led anywhere
        // (the openidconnect crate asks for this).
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for single sign-on: {e}"))?;
        Ok(Self {
            http,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Forgets an organisation's provider (its settings changed).
    pub fn forget(&self, org_id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(org_id);
        }
    }

    fn cached(&self, org_id: &str, issuer: &str) -> Option<CoreProviderMetadata> {
        let cache = self.cache.lock().ok()?;
        cache
            .get(org_id)
            .filter(|c| c.issuer == issuer && c.fetched.elapsed() < METADATA_TTL)
            .map(|c| c.metadata.clone())
    }

    /// The provider's metadata with its keys: from the cache, else discovered.
    async fn metadata(&self, config: &SignInConfig) -> Result<CoreProviderMetadata, SsoError> {
        if let Some(m) = self.cached(&config.org_id, &config.issuer_url) {
            return Ok(m);
        }
        let issuer = IssuerUrl::new(config.issuer_url.clone()).map_err(|e| SsoError::Unavailable(e.to_string()))?;
        // Discovery checks that the document names the issuer it was fetched for.
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(format!("discovery of {}: {}", config.issuer_url, error_chain(&e))))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                config.org_id.clone(),
                Cached {
                    issuer: config.issuer_url.clone(),
                    metadata: metadata.clone(),
                    fetched: Instant::now(),
                    keys_refreshed: None,
                },
            );
        }
        Ok(metadata)
    }

    /// Fetches the provider's keys again (a token named a key we do not know: the provider
    /// rotated its keys), unless an unknown key did so just now — tokens with made-up key
    /// ids must not make us fetch on every request. `None` when not refreshed.
    async fn refreshed_keys(&self, config: &SignInConfig) -> Result<Option<CoreProviderMetadata>, SsoError> {
        let current = {
            let cache = self
                .cache
                .lock()
                .map_err(|_| SsoError::Unavailable("cache poisoned".into()))?;
            match cache.get(&config.org_id) {
                Some(c) if c.keys_refreshed.is_some_and(|t| t.elapsed() < KEYS_REFRESH_MIN) => return Ok(None),
                Some(c) => c.metadata.clone(),
                None => return Ok(None),
            }
        };
        let keys = CoreJsonWebKeySet::fetch_async(current.jwks_uri(), &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(format!("keys of {}: {}", config.issuer_url, error_chain(&e))))?;
        let metadata = current.set_jwks(keys);
        if let Ok(mut cache) = self.cache.lock()
            && let Some(c) = cache.get_mut(&config.org_id)
        {
            c.metadata = metadata.clone();
            c.keys_refreshed = Some(Instant::now());
        }
        Ok(Some(metadata))
    }

    fn client(config: &SignInConfig, metadata: CoreProviderMetadata, redirect_uri: &str) -> Result<Client, SsoError> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| SsoError::Unavailable(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL for a new sign-in, with fresh state, nonce and
    /// PKCE verifier.
    pub async fn authorize(&self, config: &SignInConfig, redirect_uri: &str) -> Result<Authorization, SsoError> {
        let metadata = self.metadata(config).await?;
        let client = Self::client(config, metadata, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in config.scope_list().into_iter().filter(|s| s != "openid") {
            request = request.add_scope(Scope::new(scope));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token: signature
    /// with the provider's keys, issuer, audience, expiry and the nonce of this sign-in.
    pub async fn finish(
        &self,
        config: &SignInConfig,
        redirect_uri: &str,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Identity, SsoError> {
        let metadata = self.metadata(config).await?;
        let client = Self::client(config, metadata, redirect_uri)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SsoError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Refused(format!("token request: {}", error_chain(&e))))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| SsoError::Refused("the token response has no ID token".into()))?;
        let nonce = Nonce::new(nonce);
        let verified = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => Ok((claims.issuer().to_string(), claims.subject().to_string())),
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                match self.refreshed_keys(config).await? {
                    Some(metadata) => {
                        let client = Self::client(config, metadata, redirect_uri)?;
                        id_token
                            .claims(&client.id_token_verifier(), &nonce)
                            .map(|c| (c.issuer().to_string(), c.subject().to_string()))
                    }
                    None => Err(ClaimsVerificationError::SignatureVerification(
                        SignatureVerificationError::NoMatchingKey,
                    )),
                }
            }
            Err(e) => Err(e),
        };
        let (issuer, subject) = verified.map_err(|e| SsoError::Refused(format!("ID token: {}", error_chain(&e))))?;
        // The token is verified; its payload gives the claims the settings name.
        let claims = id_token
            .to_string()
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .ok_or_else(|| SsoError::Refused("the ID token's claims cannot be read".into()))?;
        Ok(Identity {
            issuer,
            subject,
            claims,
        })
    }
}

/// An error with its causes, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
