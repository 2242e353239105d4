//! Settings from the environment (`KAIZEN_*`, `DATABASE_URL`); secrets are never logged.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::db::DatabaseTarget;
use crate::webhook_target::TargetPolicy;

/// Participation records of a closed round are kept this long (the person sees "taken
/// part" meanwhile), then deleted.
pub const DEFAULT_PARTICIPATION_RETENTION_DAYS: i64 = 30;
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kaizen.db";
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
pub const MIN_JWT_SECRET_LEN: usize = 32;
pub const DEFAULT_WEB_IDLE_MINUTES: i64 = 30;
pub const DEFAULT_WEB_SESSION_HOURS: i64 = 10;
/// Sign-in requests with the provider (start and callback) per client address in 15
/// minutes: 150 sign-ins, enough for a town hall behind one NAT address at 8 o'clock.
pub const DEFAULT_SSO_REQUESTS_PER_ADDRESS: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the service reads at start.
#[derive(Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: String,
    /// `None`: generate one and keep it beside the SQLite file.
    pub jwt_secret: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub log_format: LogFormat,
    pub body_limit: usize,
    pub pool_size: Option<u32>,
    pub workers: Option<usize>,
    /// Password hashes computed at once; more logins queue.
    pub hash_concurrency: Option<usize>,
    /// Reverse proxies in front of the service that append the client address to
    /// `X-Forwarded-For` (0: none, the peer address is the client's). Throttling takes
    /// the address the outermost of them saw: that many entries from the right.
    pub trusted_proxies: usize,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Run the reassessment scheduler inside `serve`.
    pub scheduler: bool,
    /// Days after a round closes until its participation records (who answered, without
    /// the answers) are deleted; 0 deletes them at the first pass after the close.
    pub participation_retention_days: i64,
    /// Days after deactivation until an account is erased; `None`: never by itself.
    pub erase_deactivated_after_days: Option<i64>,
    /// The address users reach the service at (`KAIZEN_PUBLIC_URL`). With `https://`
    /// the session cookie is `Secure` with the `__Host-` prefix, and it is the origin
    /// forms must come from.
    pub public_url: Option<String>,
    /// A browser session ends after this many minutes without a request.
    pub web_idle_minutes: i64,
    /// A browser session ends this many hours after sign-in, used or not.
    pub web_session_hours: i64,
    /// Requests to `/o/{slug}/sso/start` and `/o/{slug}/sso/callback` one client address
    /// may make in 15 minutes (`KAIZEN_SSO_REQUESTS_PER_ADDRESS`); more get 429.
    pub sso_requests_per_address: i64,
    /// Links in the footer of every page (the Kommune's legal notice and privacy policy).
    pub imprint_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The notification outbox: how its worker polls, retries and leases.
    pub outbox: OutboxSettings,
}

/// The outbox worker (`KAIZEN_OUTBOX*`). Tests shorten the times so they run in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxSettings {
    /// Run the delivery worker inside `serve` (`KAIZEN_OUTBOX`, default on). Events are
    /// written to the outbox either way.
    pub worker: bool,
    /// How often the worker looks for due messages (`KAIZEN_OUTBOX_POLL_MS`).
    pub poll_ms: u64,
    /// The wait after the first failed attempt; it doubles with each further one, up to
    /// six hours (`KAIZEN_OUTBOX_BACKOFF_MS`).
    pub backoff_ms: u64,
    /// Attempts before a message is kept as failed (`KAIZEN_OUTBOX_MAX_ATTEMPTS`).
    pub max_attempts: i64,
    /// How long a claimed message is reserved for the worker that claimed it; a killed
    /// instance's messages are claimable again after it (`KAIZEN_OUTBOX_LEASE_SECS`).
    pub lease_secs: i64,
    /// The bound of one webhook request (`KAIZEN_WEBHOOK_TIMEOUT_SECS`).
    pub webhook_timeout_secs: u64,
    /// Where mail goes (`KAIZEN_SMTP_*`); none: no mail is sent.
    pub smtp: Option<SmtpSettings>,
    /// Which addresses webhooks may reach: public ones, plus what the operator permits
    /// (`KAIZEN_WEBHOOK_ALLOW_PRIVATE`, `KAIZEN_WEBHOOK_ALLOWED_NETWORKS`).
    pub webhook_targets: TargetPolicy,
}

/// How the SMTP connection is secured (`KAIZEN_SMTP_TLS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP, for a relay on the same host or in tests.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP server mail is handed to. The password never shows in Debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Kaizen <kaizen@example.org>`.
    pub from: String,
    /// The bound of one SMTP conversation.
    pub timeout_secs: u64,
    /// A PEM file of CA certificates trusted beside the built-in Mozilla roots, for a
    /// relay whose certificate an internal CA issued (`KAIZEN_SMTP_CA_FILE`).
    pub ca_file: Option<PathBuf>,
}

impl SmtpSettings {
    /// `smtp://user:password@host:port?tls=starttls|tls|none` or `smtps://…` (TLS from the
    /// first byte). Without `tls=` an `smtp://` URL uses STARTTLS. User and password are
    /// percent-decoded. The error never repeats the URL (it may hold the password).
    pub fn parse_url(raw: &str, from: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| ConfigError(why.to_owned());
        let url = url::Url::parse(raw)
            .map_err(|_| bad("KAIZEN_SMTP_URL: not a URL (smtp://user:password@host:587?tls=starttls)"))?;
        let mut tls = match url.scheme() {
            "smtp" => SmtpTls::StartTls,
            "smtps" => SmtpTls::Tls,
            _ => return Err(bad("KAIZEN_SMTP_URL: use the scheme smtp or smtps")),
        };
        for (k, v) in url.query_pairs() {
            match (k.as_ref(), v.as_ref()) {
                ("tls", "starttls") => tls = SmtpTls::StartTls,
                ("tls", "tls") => tls = SmtpTls::Tls,
                ("tls", "none") => tls = SmtpTls::None,
                _ => return Err(bad("KAIZEN_SMTP_URL: the only parameter is tls=none|starttls|tls")),
            }
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("KAIZEN_SMTP_URL: no host"))?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let username = (!url.username().is_empty()).then(|| decode(url.username()));
        let password = url.password().map(decode);
        Ok(Self {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port().unwrap_or(match tls {
                SmtpTls::None => 25,
                SmtpTls::StartTls => 587,
                SmtpTls::Tls => 465,
            }),
            tls,
            username,
            password,
            from: from.to_owned(),
            timeout_secs: 30,
            ca_file: None,
        })
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .field("from", &self.from)
            .field("timeout_secs", &self.timeout_secs)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl SmtpSettings {
    /// From `KAIZEN_SMTP_HOST` (none: mail off), `KAIZEN_SMTP_PORT`, `KAIZEN_SMTP_TLS`
    /// (`none`, `starttls` (default) or `tls`), `KAIZEN_SMTP_USER`, `KAIZEN_SMTP_PASSWORD`,
    /// `KAIZEN_SMTP_FROM` (required), `KAIZEN_SMTP_TIMEOUT_SECS` and `KAIZEN_SMTP_CA_FILE`.
    fn from_env() -> Result<Option<Self>, ConfigError> {
        if let Some(raw) = var("KAIZEN_SMTP_URL") {
            let from = var("KAIZEN_SMTP_FROM")
                .ok_or_else(|| ConfigError("KAIZEN_SMTP_URL is set: KAIZEN_SMTP_FROM is needed too".into()))?;
            let mut s = Self::parse_url(raw.trim(), from.trim())?;
            if let Some(t) = parse_var("KAIZEN_SMTP_TIMEOUT_SECS")? {
                s.timeout_secs = t;
            }
            s.ca_file = var("KAIZEN_SMTP_CA_FILE").map(PathBuf::from);
            return Ok(Some(s));
        }
        let Some(host) = var("KAIZEN_SMTP_HOST") else {
            return Ok(None);
        };
        let tls = match var("KAIZEN_SMTP_TLS").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("starttls") => SmtpTls::StartTls,
            Some("tls") => SmtpTls::Tls,
            Some("none") => SmtpTls::None,
            Some(other) => {
                return Err(ConfigError(format!(
                    "KAIZEN_SMTP_TLS={other:?}: use none, starttls or tls"
                )));
            }
        };
        let default_port = match tls {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        };
        let from = var("KAIZEN_SMTP_FROM")
            .ok_or_else(|| ConfigError("KAIZEN_SMTP_HOST is set: KAIZEN_SMTP_FROM is needed too".into()))?;
        Ok(Some(Self {
            host: host.trim().to_owned(),
            port: parse_var("KAIZEN_SMTP_PORT")?.unwrap_or(default_port),
            tls,
            username: var("KAIZEN_SMTP_USER"),
            password: var("KAIZEN_SMTP_PASSWORD"),
            from: from.trim().to_owned(),
            timeout_secs: parse_var("KAIZEN_SMTP_TIMEOUT_SECS")?.unwrap_or(30),
            ca_file: var("KAIZEN_SMTP_CA_FILE").map(PathBuf::from),
        }))
    }
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            worker: true,
            poll_ms: 2_000,
            backoff_ms: 30_000,
            max_attempts: 8,
            lease_secs: 120,
            webhook_timeout_secs: 10,
            smtp: None,
            webhook_targets: TargetPolicy::default(),
        }
    }
}

impl OutboxSettings {
    fn from_env() -> Result<Self, ConfigError> {
        let d = Self::default();
        let s = Self {
            worker: parse_bool("KAIZEN_OUTBOX", d.worker)?,
            poll_ms: parse_var("KAIZEN_OUTBOX_POLL_MS")?.unwrap_or(d.poll_ms),
            backoff_ms: parse_var("KAIZEN_OUTBOX_BACKOFF_MS")?.unwrap_or(d.backoff_ms),
            max_attempts: parse_var("KAIZEN_OUTBOX_MAX_ATTEMPTS")?.unwrap_or(d.max_attempts),
            lease_secs: parse_var("KAIZEN_OUTBOX_LEASE_SECS")?.unwrap_or(d.lease_secs),
            webhook_timeout_secs: parse_var("KAIZEN_WEBHOOK_TIMEOUT_SECS")?.unwrap_or(d.webhook_timeout_secs),
            smtp: SmtpSettings::from_env()?,
            webhook_targets: TargetPolicy {
                allow_private: parse_bool("KAIZEN_WEBHOOK_ALLOW_PRIVATE", false)?,
                allowed_networks: match var("KAIZEN_WEBHOOK_ALLOWED_NETWORKS") {
                    None => Vec::new(),
                    Some(raw) => crate::webhook_target::parse_networks(&raw)
                        .map_err(|e| ConfigError(format!("KAIZEN_WEBHOOK_ALLOWED_NETWORKS: {e}")))?,
                },
            },
        };
        if s.poll_ms < 10 || s.max_attempts < 1 || s.lease_secs < 1 || s.webhook_timeout_secs < 1 {
            return Err(ConfigError(
                "KAIZEN_OUTBOX_POLL_MS must be at least 10; KAIZEN_OUTBOX_MAX_ATTEMPTS, KAIZEN_OUTBOX_LEASE_SECS and \
                 KAIZEN_WEBHOOK_TIMEOUT_SECS at least 1"
                    .into(),
            ));
        }
        if s.lease_secs <= i64::try_from(s.webhook_timeout_secs).unwrap_or(i64::MAX) {
            return Err(ConfigError(
                "KAIZEN_OUTBOX_LEASE_SECS must be longer than KAIZEN_WEBHOOK_TIMEOUT_SECS".into(),
            ));
        }
        Ok(s)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = DatabaseTarget::parse(&self.database_url)
            .map(|t| t.describe())
            .unwrap_or_else(|_| "<invalid DATABASE_URL>".into());
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database", &target)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("admin_email", &self.admin_email)
            .field("log_format", &self.log_format)
            .field("body_limit", &self.body_limit)
            .field("pool_size", &self.pool_size)
            .field("workers", &self.workers)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("scheduler", &self.scheduler)
            .field("participation_retention_days", &self.participation_retention_days)
            .field("erase_deactivated_after_days", &self.erase_deactivated_after_days)
            .field("public_url", &self.public_url)
            .field("web_idle_minutes", &self.web_idle_minutes)
            .field("web_session_hours", &self.web_session_hours)
            .field("sso_requests_per_address", &self.sso_requests_per_address)
            .field("outbox", &self.outbox)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str) -> Result<Option<T>, ConfigError> {
    match var(name) {
        None => Ok(None),
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ConfigError(format!("{name}={raw:?} is not a valid value"))),
    }
}

fn parse_bool(name: &str, default: bool) -> Result<bool, ConfigError> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(ConfigError(format!("{name}={v:?} is not a boolean"))),
    }
}

/// `false`/`true` (one proxy) or the number of proxies in a row.
fn parse_proxies(name: &str) -> Result<usize, ConfigError> {
    if let Some(Ok(n)) = var(name).map(|v| v.trim().parse::<usize>()) {
        return if n <= 10 {
            Ok(n)
        } else {
            Err(ConfigError(format!("{name}={n}: at most 10 proxies")))
        };
    }
    parse_bool(name, false).map(usize::from)
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let log_format = match var("KAIZEN_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!("KAIZEN_LOG_FORMAT={other:?}: use text or json")));
            }
        };
        let settings = Self {
            bind: var("KAIZEN_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            jwt_secret: var("KAIZEN_JWT_SECRET"),
            admin_email: var("KAIZEN_ADMIN_EMAIL"),
            admin_password: var("KAIZEN_ADMIN_PASSWORD"),
            log_format,
            body_limit: parse_var("KAIZEN_BODY_LIMIT")?.unwrap_or(DEFAULT_BODY_LIMIT),
            pool_size: parse_var("KAIZEN_DB_POOL_SIZE")?,
            workers: parse_var("KAIZEN_WORKERS")?,
            hash_concurrency: parse_var("KAIZEN_HASH_CONCURRENCY")?,
            trusted_proxies: parse_proxies("KAIZEN_TRUST_PROXY")?,
            metrics_token: var("KAIZEN_METRICS_TOKEN"),
            scheduler: parse_bool("KAIZEN_SCHEDULER", true)?,
            participation_retention_days: parse_var("KAIZEN_PARTICIPATION_RETENTION_DAYS")?
                .unwrap_or(DEFAULT_PARTICIPATION_RETENTION_DAYS),
            erase_deactivated_after_days: parse_var("KAIZEN_ERASE_DEACTIVATED_AFTER_DAYS")?,
            public_url: var("KAIZEN_PUBLIC_URL").map(|u| u.trim().trim_end_matches('/').to_owned()),
            web_idle_minutes: parse_var("KAIZEN_WEB_IDLE_MINUTES")?.unwrap_or(DEFAULT_WEB_IDLE_MINUTES),
            web_session_hours: parse_var("KAIZEN_WEB_SESSION_HOURS")?.unwrap_or(DEFAULT_WEB_SESSION_HOURS),
            sso_requests_per_address: parse_var("KAIZEN_SSO_REQUESTS_PER_ADDRESS")?
                .unwrap_or(DEFAULT_SSO_REQUESTS_PER_ADDRESS),
            imprint_url: var("KAIZEN_IMPRINT_URL"),
            privacy_url: var("KAIZEN_PRIVACY_URL"),
            outbox: OutboxSettings::from_env()?,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Defaults for an embedded database at `database_url`, as tests and tools use them.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            jwt_secret: None,
            admin_email: None,
            admin_password: None,
            log_format: LogFormat::Text,
            body_limit: DEFAULT_BODY_LIMIT,
            pool_size: None,
            workers: None,
            hash_concurrency: None,
            trusted_proxies: 0,
            metrics_token: None,
            scheduler: true,
            participation_retention_days: DEFAULT_PARTICIPATION_RETENTION_DAYS,
            erase_deactivated_after_days: None,
            public_url: None,
            web_idle_minutes: DEFAULT_WEB_IDLE_MINUTES,
            web_session_hours: DEFAULT_WEB_SESSION_HOURS,
            sso_requests_per_address: DEFAULT_SSO_REQUESTS_PER_ADDRESS,
            imprint_url: None,
            privacy_url: None,
            outbox: OutboxSettings::default(),
        }
    }

    /// Browser sessions get `Secure` cookies with the `__Host-` prefix.
    pub fn https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        DatabaseTarget::parse(&self.database_url).map_err(|e| ConfigError(e.to_string()))?;
        if let Some(secret) = &self.jwt_secret
            && secret.len() < MIN_JWT_SECRET_LEN
        {
            return Err(ConfigError(format!(
                "KAIZEN_JWT_SECRET must be at least {MIN_JWT_SECRET_LEN} bytes long"
            )));
        }
        if self.body_limit < 1024 {
            return Err(ConfigError("KAIZEN_BODY_LIMIT must be at least 1024 bytes".into()));
        }
        if self.pool_size == Some(0) || self.workers == Some(0) || self.hash_concurrency == Some(0) {
            return Err(ConfigError(
                "KAIZEN_DB_POOL_SIZE, KAIZEN_WORKERS and KAIZEN_HASH_CONCURRENCY must be at least 1".into(),
            ));
        }
        if !(1..=24 * 60).contains(&self.web_idle_minutes) || !(1..=24 * 7).contains(&self.web_session_hours) {
            return Err(ConfigError(
                "KAIZEN_WEB_IDLE_MINUTES must be 1 to 1440 and KAIZEN_WEB_SESSION_HOURS 1 to 168".into(),
            ));
        }
        if !(1..=100_000).contains(&self.sso_requests_per_address) {
            return Err(ConfigError(
                "KAIZEN_SSO_REQUESTS_PER_ADDRESS must be 1 to 100000".into(),
            ));
        }
        if self
            .erase_deactivated_after_days
            .is_some_and(|d| !(1..=3650).contains(&d))
        {
            return Err(ConfigError(
                "KAIZEN_ERASE_DEACTIVATED_AFTER_DAYS must be 1 to 3650 (leave it unset to keep deactivated accounts)"
                    .into(),
            ));
        }
        if !(0..=3650).contains(&self.participation_retention_days) {
            return Err(ConfigError(
                "KAIZEN_PARTICIPATION_RETENTION_DAYS must be 0 to 3650".into(),
            ));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError(format!(
                "KAIZEN_PUBLIC_URL={url:?} must start with https:// or http://"
            )));
        }
        Ok(())
    }

    pub fn database_target(&self) -> Result<DatabaseTarget, ConfigError> {
        DatabaseTarget::parse(&self.database_url).map_err(|e| ConfigError(e.to_string()))
    }
}

/// Where the generated JWT secret lives for a SQLite database: beside the file.
pub fn secret_path_for(sqlite_path: &str) -> PathBuf {
    let db = Path::new(sqlite_path);
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kaizen.db".into());
    db.with_file_name(format!("{name}.jwt-secret"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_file_sits_beside_the_database() {
        assert_eq!(secret_path_for("kaizen.db"), PathBuf::from("kaizen.db.jwt-secret"));
        assert_eq!(
            secret_path_for("/var/lib/kaizen/data.db"),
            PathBuf::from("/var/lib/kaizen/data.db.jwt-secret")
        );
    }

    #[test]
    fn the_smtp_password_stays_out_of_debug_output() {
        let smtp = SmtpSettings {
            host: "mail.example.org".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: Some("kaizen".into()),
            password: Some("hunter2-very-secret".into()),
            from: "kaizen@example.org".into(),
            timeout_secs: 30,
            ca_file: None,
        };
        let shown = format!("{smtp:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<set>"), "{shown}");
    }

    #[test]
    fn smtp_urls_give_host_port_tls_and_decoded_credentials() {
        let s = SmtpSettings::parse_url(
            "smtp://kaizen:p%40ss%2Fw+rd@mail.example.org:2525?tls=starttls",
            "k@x.de",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("mail.example.org", 2525, SmtpTls::StartTls)
        );
        assert_eq!(s.username.as_deref(), Some("kaizen"));
        assert_eq!(s.password.as_deref(), Some("p@ss/w+rd"));
        let t = SmtpSettings::parse_url("smtps://relay.example.org", "k@x.de").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.port, t.tls, t.username), (465, SmtpTls::Tls, None));
        let n = SmtpSettings::parse_url("smtp://127.0.0.1?tls=none", "k@x.de").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((n.port, n.tls), (25, SmtpTls::None));
        let e = SmtpSettings::parse_url("http://u:secret@h", "k@x.de")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(e.contains("scheme") && !e.contains("secret"), "{e}");
        assert!(SmtpSettings::parse_url("smtp://h?tls=maybe", "k@x.de").is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        let mut s = Settings::for_database("sqlite://x.db");
        s.jwt_secret = Some("too-short".into());
        assert!(s.validate().is_err());
        s.jwt_secret = Some("x".repeat(32));
        assert!(s.validate().is_ok());
    }
}
