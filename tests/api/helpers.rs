//! `TestApp`: the real application on port 0 over a database of its own (a SQLite temp
//! file, or a freshly created PostgreSQL database when `KAIZEN_TEST_POSTGRES_URL` is set),
//! driven through real HTTP.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::Connection;
use diesel::PgConnection;
use diesel::RunQueryDsl;
use kaizen::config::Settings;
use kaizen::db::DbPool;
use kaizen::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const ADMIN_PASSWORD: &str = "admin-password-123";
pub const PASSWORD: &str = "user-password-123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed test once on SQLite and once on PostgreSQL. The PostgreSQL variant
/// reports itself skipped when `KAIZEN_TEST_POSTGRES_URL` is not set.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                        .await
                        .expect("sqlite test app");
                    super::$name(&app).await;
                    app.shutdown().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await else {
                        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
                        return;
                    };
                    super::$name(&app).await;
                    app.shutdown().await;
                }
            )*
        }
    };
}

/// As `both_backends!`, on an application whose settings `$configure` changed first.
#[macro_export]
macro_rules! both_backends_configured {
    ($configure:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $configure)
                        .await
                        .expect("sqlite test app");
                    super::$name(&app).await;
                    app.shutdown().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Postgres, $configure).await else {
                        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
                        return;
                    };
                    super::$name(&app).await;
                    app.shutdown().await;
                }
            )*
        }
    };
}

/// Settings for tests whose webhook receivers run on this machine (127.0.0.1): the
/// operator's switch that permits internal webhook targets, on.
pub fn internal_webhooks(settings: &mut Settings) {
    settings.outbox.webhook_targets = kaizen::webhook_target::TargetPolicy::allow_all();
}

/// The database a test owns; removed when dropped.
enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub(crate) fn postgres_url_with_db(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let without_db = match head.rfind('/') {
        Some(i) if i > head.find("://").map(|p| p + 2).unwrap_or(0) => &head[..i],
        _ => head,
    };
    format!("{without_db}/{db}{query}")
}

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub email: String,
    pub token: String,
    pub refresh_token: String,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub admin: Session,
    pub org_id: String,
    /// The test organisation's short name: logins name it (the installation may host
    /// several organisations once a test adds one).
    pub org_slug: String,
    pub pool: DbPool,
    handle: actix_web::dev::ServerHandle,
    _db: TestDb,
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Asserts the status and that errors come as problem documents.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        if status >= 400 {
            assert_eq!(
                self.header("content-type").as_deref(),
                Some("application/problem+json"),
                "errors must be problem documents: {}",
                self.text
            );
            assert_eq!(self.body["status"].as_u64(), Some(u64::from(status)), "{}", self.text);
            assert!(self.body["type"].is_string() && self.body["title"].is_string() && self.body["detail"].is_string());
        }
        &self.body
    }

    /// The field names of a 422.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    /// Starts the application on a new database; `None` for PostgreSQL when no server is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As `spawn`, with settings changed first.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let (database_url, db) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("kaizen.db").display());
                (url, TestDb::Sqlite(dir))
            }
            Backend::Postgres => {
                let admin_url = std::env::var("KAIZEN_TEST_POSTGRES_URL")
                    .ok()
                    .filter(|s| !s.is_empty())?;
                let name = format!(
                    "kaizen_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                ) + &uuid_suffix();
                let mut conn = PgConnection::establish(&admin_url).expect("connect to KAIZEN_TEST_POSTGRES_URL");
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .expect("create test database");
                (
                    postgres_url_with_db(&admin_url, &name),
                    TestDb::Postgres { admin_url, name },
                )
            }
        };
        let mut settings = Settings::for_database(&database_url);
        settings.jwt_secret = Some("test-secret-that-is-long-enough-0123456789".into());
        settings.admin_email = Some(ADMIN_EMAIL.into());
        settings.admin_password = Some(ADMIN_PASSWORD.into());
        settings.workers = Some(2);
        settings.pool_size = Some(8);
        settings.scheduler = false;
        configure(&mut settings);
        Some(Self::start(settings, db).await)
    }

    async fn start(settings: Settings, db: TestDb) -> TestApp {
        let app = Application::build(settings.clone()).await.expect("application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        let server = app.into_server();
        let handle = server.handle();
        tokio::spawn(server);
        // The tests read messages in English (German is tested where it is the point):
        // a client without a language would get the organisation's German.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_static("en"),
        );
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("http client");
        let mut me = TestApp {
            address,
            client,
            settings,
            admin: Session {
                user_id: String::new(),
                email: ADMIN_EMAIL.into(),
                token: String::new(),
                refresh_token: String::new(),
            },
            org_id: String::new(),
            org_slug: "default".into(),
            pool,
            handle,
            _db: db,
        };
        me.admin = me.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let who = me.get("/api/v1/me", &me.admin.token).await;
        me.org_id = who.expect(200)["organization"]["id"]
            .as_str()
            .expect("org id")
            .to_owned();
        me
    }

    pub async fn shutdown(self) {
        self.handle.stop(false).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request sent")).await
    }

    pub async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    /// A GET that names no language (an empty `Accept-Language`): the organisation's
    /// default answers.
    pub async fn get_default_language(&self, path: &str, token: &str) -> Reply {
        let req = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT_LANGUAGE, "");
        Self::read(req.send().await.expect("request sent")).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(Method::DELETE, path, Some(token), None).await
    }

    /// Logs in to the test organisation.
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.login_to(&self.org_slug, email, password).await
    }

    /// Logs in to the organisation with this slug.
    pub async fn login_to(&self, slug: &str, email: &str, password: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password, "organization": slug})),
        )
        .await
    }

    pub async fn login_ok(&self, email: &str, password: &str) -> Session {
        let slug = self.org_slug.clone();
        self.login_ok_to(&slug, email, password).await
    }

    pub async fn login_ok_to(&self, slug: &str, email: &str, password: &str) -> Session {
        let r = self.login_to(slug, email, password).await;
        let body = r.expect(200);
        let token = body["access_token"].as_str().expect("access token").to_owned();
        let refresh_token = body["refresh_token"].as_str().expect("refresh token").to_owned();
        let me = self.get("/api/v1/me", &token).await;
        Session {
            user_id: me.body["id"].as_str().unwrap_or_default().to_owned(),
            email: email.to_owned(),
            token,
            refresh_token,
        }
    }

    /// Creates a unit through the API (as admin).
    pub async fn create_unit(&self, name: &str, parent: Option<&str>) -> String {
        let r = self
            .post(
                "/api/v1/units",
                &self.admin.token,
                json!({"name": name, "parent_id": parent}),
            )
            .await;
        r.expect(201)["id"].as_str().expect("unit id").to_owned()
    }

    /// Creates a user with `PASSWORD` through the API (as admin) and logs them in.
    pub async fn user(&self, role: &str, unit: Option<&str>) -> Session {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let email = format!("{role}{n}@test.local");
        let r = self
            .post(
                "/api/v1/users",
                &self.admin.token,
                json!({"email": email, "display_name": format!("{role} {n}"), "role": role, "unit_id": unit, "password": PASSWORD}),
            )
            .await;
        r.expect(201);
        self.login_ok(&email, PASSWORD).await
    }

    /// Deactivates a user through the API (as admin).
    pub async fn deactivate(&self, user_id: &str) {
        let r = self
            .post(
                &format!("/api/v1/users/{user_id}/deactivate"),
                &self.admin.token,
                json!({}),
            )
            .await;
        assert_eq!(r.expect(200)["active"], false);
    }

    /// A second organisation with its own admin, created through the command-line path.
    pub async fn other_organization(&self) -> (String, Session) {
        let pool = self.pool.clone();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let slug = format!("other-{n}");
        let email = format!("admin-{slug}@other.local");
        let email2 = email.clone();
        let slug2 = slug.clone();
        let org_id = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("connection");
            let (org, _) = kaizen::bootstrap::create_organization(
                &mut conn,
                "Andere Kommune",
                &slug2,
                &email2,
                Some(ADMIN_PASSWORD),
            )
            .expect("create organisation");
            org.id
        })
        .await
        .expect("join");
        let session = self.login_ok_to(&slug, &email, ADMIN_PASSWORD).await;
        (org_id, session)
    }

    /// A second instance of the application over the same database (as another
    /// process would be in production).
    pub async fn sibling(&self) -> (String, actix_web::dev::ServerHandle) {
        let app = Application::build(self.settings.clone()).await.expect("sibling builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.into_server();
        let handle = server.handle();
        tokio::spawn(server);
        (address, handle)
    }
}

/// The day `days` from today (YYYY-MM-DD), for due dates that must lie ahead.
pub fn days_ahead(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn uuid_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("_{nanos}")
}

#[test]
fn postgres_urls_get_the_test_database() {
    assert_eq!(
        postgres_url_with_db("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        postgres_url_with_db("postgres://u:p@h/db?sslmode=disable", "t2"),
        "postgres://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        postgres_url_with_db("postgres://postgres@127.0.0.1:5432", "t3"),
        "postgres://postgres@127.0.0.1:5432/t3"
    );
}
