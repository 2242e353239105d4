//! Single sign-on with OpenID Connect against a real provider: `tests/oidc/provider.mjs`
//! (the `oidc-provider` package, installed with `npm ci --prefix tests/oidc`) runs as a
//! process per test; its development login pages are filled in over plain HTTP. The
//! provider can be told to misbehave (`KAIZEN_OIDC_TAMPER`) — each refusal test passes only
//! because kaizen checks what it checks. Without node or the installed package these tests
//! say they were skipped; `KAIZEN_REQUIRE_OIDC=1` (CI) makes that a failure.

use std::path::PathBuf;
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};

const CLIENT_ID: &str = "kaizen";
const CLIENT_SECRET: &str = "kaizen-test-secret";

/// The provider process; killed when dropped.
struct Provider {
    issuer: String,
    _child: tokio::process::Child,
}

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// What is missing to run a provider, if anything.
fn missing() -> Option<String> {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("node is not installed".into());
    }
    if !provider_dir().join("node_modules/oidc-provider/package.json").exists() {
        return Some("tests/oidc/node_modules is missing (run: npm ci --prefix tests/oidc)".into());
    }
    None
}

impl Provider {
    /// Starts a provider for `app`'s test organisation with these accounts and misbehaviour;
    /// `None` (skip) when node or the package is missing.
    async fn start(app: &TestApp, accounts: Value, tamper: &str) -> Option<Provider> {
        if let Some(why) = missing() {
            let required = std::env::var("KAIZEN_REQUIRE_OIDC").is_ok_and(|v| v == "1");
            assert!(!required, "KAIZEN_REQUIRE_OIDC=1 but {why}");
            eprintln!("skipped: {why}");
            return None;
        }
        let redirect = app.url(&format!("/o/{}/sso/callback", app.org_slug));
        let mut child = tokio::process::Command::new("node")
            .arg("provider.mjs")
            .current_dir(provider_dir())
            .env("KAIZEN_OIDC_REDIRECT_URI", redirect)
            .env("KAIZEN_OIDC_CLIENT_ID", CLIENT_ID)
            .env("KAIZEN_OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("KAIZEN_OIDC_ACCOUNTS", accounts.to_string())
            .env("KAIZEN_OIDC_TAMPER", tamper)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().expect("provider stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.expect("provider output") {
                if let Some(port) = line.strip_prefix("listening ") {
                    return port.trim().to_owned();
                }
            }
            panic!("the provider ended before listening");
        })
        .await
        .expect("the provider listens within 20 s");
        // Keep reading: the provider writes notices later, and a closed pipe would end it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Some(Provider {
            issuer: format!("http://127.0.0.1:{port}"),
            _child: child,
        })
    }

    async fn token_requests(&self) -> u64 {
        let r: Value = reqwest::get(format!("{}/__test/token-requests", self.issuer))
            .await
            .expect("provider answers")
            .json()
            .await
            .expect("json");
        r["count"].as_u64().expect("count")
    }

    async fn set_accounts(&self, accounts: Value) {
        let r = reqwest::Client::new()
            .put(format!("{}/__test/accounts", self.issuer))
            .body(accounts.to_string())
            .send()
            .await
            .expect("provider answers");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
}

/// A browser: cookies kept, redirects followed by hand, pages in English unless a request
/// asks for German.
fn browser() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("en"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn location(r: &reqwest::Response, base: &str) -> String {
    let l = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect");
    if l.starts_with("http") {
        l.to_owned()
    } else {
        format!("{base}{l}")
    }
}

/// Configures the test organisation's sign-in with this provider.
async fn configure(app: &TestApp, provider: &Provider, extra: Value) -> Value {
    let current = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    let version = current.expect(200)["version"].as_i64().unwrap();
    let mut body = json!({
        "version": version,
        "enabled": true,
        "issuer_url": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": ["openid", "email", "profile", "groups"],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.put("/api/v1/organization/sign-in", &app.admin.token, body).await;
    r.expect(200).clone()
}

/// Starts a sign-in in `browser` (`?format=json` when `json`) and signs in at the provider
/// as `login`; returns the callback URL the provider sends the browser back to (not yet
/// visited).
async fn to_callback(app: &TestApp, browser: &reqwest::Client, provider: &Provider, login: &str, json: bool) -> String {
    let start = format!(
        "/o/{}/sso/start{}",
        app.org_slug,
        if json { "?format=json" } else { "" }
    );
    let r = browser.get(app.url(&start)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "start redirects to the provider");
    let mut next = location(&r, &app.address);
    assert!(next.starts_with(&provider.issuer), "to the provider: {next}");
    assert!(
        next.contains("code_challenge_method=S256") && next.contains("nonce="),
        "{next}"
    );
    let callback_prefix = app.url(&format!("/o/{}/sso/callback", app.org_slug));
    for _ in 0..20 {
        if next.starts_with(&callback_prefix) {
            return next;
        }
        let r = browser.get(&next).send().await.unwrap();
        if r.status().is_redirection() {
            next = location(&r, &provider.issuer);
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "provider page {next}");
        let page = r.text().await.unwrap();
        let form = if page.contains(r#"name="prompt" value="login""#) {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        let r = browser.post(&next).form(&form).send().await.unwrap();
        assert!(r.status().is_redirection(), "provider form answered {}", r.status());
        next = location(&r, &provider.issuer);
    }
    panic!("the provider never sent the browser back");
}

/// A complete browser sign-in: the callback's answer.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, provider: &Provider, login: &str) -> reqwest::Response {
    let callback = to_callback(app, browser, provider, login, false).await;
    browser.get(callback).send().await.unwrap()
}

fn sets_session(r: &reqwest::Response) -> bool {
    r.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str()
            .is_ok_and(|c| c.starts_with("kaizen_session=") && !c.starts_with("kaizen_session=;"))
    })
}

/// The account of the organisation with this e-mail (as the admin sees it).
async fn account(app: &TestApp, email: &str) -> Option<Value> {
    let r = app.get("/api/v1/users?limit=200", &app.admin.token).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
}

async fn audit(app: &TestApp, action: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/audit?action={action}&limit=200"), &app.admin.token)
        .await;
    r.expect(200)["items"].as_array().unwrap().clone()
}

/// A refused callback: the status, the page's words, and nobody signed in.
async fn assert_refused(r: reqwest::Response, status: u16, words: &str) {
    assert_eq!(r.status().as_u16(), status);
    assert!(!sets_session(&r), "a refused sign-in starts no session");
    let page = r.text().await.unwrap();
    assert!(page.contains(words), "{page}");
}

fn anna() -> Value {
    json!({"anna": {"email": "Anna.Sonne@Test.Local", "name": "Anna Sonne", "groups": ["staff"]}})
}

async fn a_full_login_creates_the_account_just_in_time(app: &TestApp) {
    let Some(provider) = Provider::start(app, anna(), "").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    // The sign-in page offers the provider.
    let page = app
        .client
        .get(app.url(&format!("/o/{}/login", app.org_slug)))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Mit Dienstkonto anmelden"), "{html}");
    assert!(html.contains(&format!("/o/{}/sso/start", app.org_slug)));
    assert!(account(app, "anna.sonne@test.local").await.is_none());

    let b = browser();
    let r = sign_in(app, &b, &provider, "anna").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    assert!(sets_session(&r));
    // The same web session as a password sign-in: a protected page opens.
    let home = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Anna Sonne"));
    let ideas = b.get(app.url("/ideas")).send().await.unwrap();
    assert_eq!(ideas.status(), StatusCode::OK);

    let created = account(app, "anna.sonne@test.local")
        .await
        .expect("created just in time");
    assert_eq!(created["role"], "employee");
    assert_eq!(created["display_name"], "Anna Sonne");
    let entries = audit(app, "user.created_by_sign_in").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["object_id"], created["id"]);
    assert!(!entries[0].to_string().contains("anna"), "no e-mail in the audit trail");
    assert_eq!(provider.token_requests().await, 1);

    // A later sign-in (the API variant) finds the same account and gives the same tokens
    // as a password login.
    let b2 = browser();
    let callback = to_callback(app, &b2, &provider, "anna", true).await;
    let r = b2.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["must_change_password"], false);
    let me = app.get("/api/v1/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me.expect(200)["id"], created["id"]);
    assert_eq!(me.body["organization"]["id"], app.org_id.as_str());
    let refreshed = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": tokens["refresh_token"]})),
        )
        .await;
    refreshed.expect(200);
    assert_eq!(
        audit(app, "user.created_by_sign_in").await.len(),
        1,
        "no second account"
    );
}

async fn a_group_maps_to_lead_of_a_unit_and_later_logins_update_the_role(app: &TestApp) {
    let accounts = json!({"ben": {"email": "ben@test.local", "name": "Ben Brandt", "groups": ["staff", "kaizen-leads-buergeramt"]}});
    let Some(provider) = Provider::start(app, accounts, "").await else {
        return;
    };
    let buergeramt = app.create_unit("Bürgeramt", None).await;
    let config = configure(
        app,
        &provider,
        json!({"group_mappings": [
            {"group": "kaizen-leads-buergeramt", "role": "lead", "unit_id": buergeramt},
            {"group": "kaizen-management", "role": "manager", "unit_id": null},
        ]}),
    )
    .await;
    assert_eq!(config["group_mappings"][0]["role"], "lead");

    let r = sign_in(app, &browser(), &provider, "ben").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ben = account(app, "ben@test.local").await.unwrap();
    assert_eq!(ben["role"], "lead");
    assert_eq!(ben["unit_id"], buergeramt.as_str());
    let created = audit(app, "user.created_by_sign_in").await;
    assert_eq!(created[0]["details"]["role"], "lead");
    assert_eq!(created[0]["details"]["unit_id"], buergeramt.as_str());

    // Ben moves to management at the provider: the next sign-in makes him manager.
    provider
        .set_accounts(
            json!({"ben": {"email": "ben@test.local", "name": "Ben Brandt", "groups": ["kaizen-management"]}}),
        )
        .await;
    let r = sign_in(app, &browser(), &provider, "ben").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ben2 = account(app, "ben@test.local").await.unwrap();
    assert_eq!(ben2["id"], ben["id"]);
    assert_eq!(ben2["role"], "manager");
    assert_eq!(ben2["unit_id"], buergeramt.as_str(), "no mapped unit: the unit stays");
    let changed = audit(app, "user.changed_by_sign_in").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["details"]["role"], json!({"from": "lead", "to": "manager"}));

    // In no mapped group any more: employee.
    provider
        .set_accounts(json!({"ben": {"email": "ben@test.local", "groups": []}}))
        .await;
    sign_in(app, &browser(), &provider, "ben").await;
    assert_eq!(account(app, "ben@test.local").await.unwrap()["role"], "employee");
    assert_eq!(audit(app, "user.changed_by_sign_in").await.len(), 2);
}

async fn a_deactivated_account_stays_refused(app: &TestApp) {
    let accounts = json!({
        "anna": {"email": "anna@test.local"},
        "carl": {"email": "carl@test.local"},
    });
    let Some(provider) = Provider::start(app, accounts, "").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    let r = sign_in(app, &browser(), &provider, "anna").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let anna = account(app, "anna@test.local").await.unwrap();
    app.deactivate(anna["id"].as_str().unwrap()).await;
    let b = browser();
    let r = sign_in(app, &b, &provider, "anna").await;
    assert_refused(r, 403, "You cannot sign in to kaizen with this work account").await;
    let home = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "not signed in");

    // Erased (name and e-mail gone): the provider's identity is still recognised, and no
    // new account is made for the person.
    let r = app
        .post(
            &format!("/api/v1/users/{}/erase", anna["id"].as_str().unwrap()),
            &app.admin.token,
            json!({"confirm_email": "anna@test.local"}),
        )
        .await;
    r.expect(200);
    let r = sign_in(app, &browser(), &provider, "anna").await;
    assert_refused(r, 403, "You cannot sign in to kaizen with this work account").await;
    assert!(account(app, "anna@test.local").await.is_none());
    assert_eq!(audit(app, "user.created_by_sign_in").await.len(), 1);

    // An account made by an admin and deactivated before its first sign-in with the
    // provider: refused with the same words (nothing tells which case it was).
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "carl@test.local", "display_name": "Carl", "role": "employee", "password": PASSWORD}),
        )
        .await;
    let carl = r.expect(201)["user"]["id"].as_str().unwrap().to_owned();
    app.deactivate(&carl).await;
    let r = sign_in(app, &browser(), &provider, "carl").await;
    assert_refused(r, 403, "You cannot sign in to kaizen with this work account").await;
}

/// A German refusal page for an address the provider does not vouch for.
async fn refused_as_unverified(app: &TestApp, provider: &Provider, login: &str) {
    let b = browser();
    let callback = to_callback(app, &b, provider, login, false).await;
    let r = b.get(callback).header("accept-language", "de").send().await.unwrap();
    assert_refused(
        r,
        403,
        "Der Anmeldedienst bestätigt die E-Mail-Adresse Ihres Dienstkontos nicht als geprüft",
    )
    .await;
    let home = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "not signed in");
}

async fn an_unverified_address_makes_and_links_no_account(app: &TestApp) {
    let accounts = json!({
        "uwe": {"email": "uwe@test.local", "email_verified": false},
        "carl": {"email": "carl@test.local", "email_verified": false},
        "carl2": {"email": "carl@test.local", "email_verified": true},
        "nora": {"email": "nora@test.local", "email_verified": null},
        "oskar": {"email": "oskar@test.local", "email_verified": null},
    });
    let Some(provider) = Provider::start(app, accounts, "").await else {
        return;
    };
    let config = configure(app, &provider, json!({})).await;
    assert_eq!(config["trust_email_without_verified"], true, "the default");

    // email_verified: false — no account made, in the browser or over the API.
    refused_as_unverified(app, &provider, "uwe").await;
    assert!(account(app, "uwe@test.local").await.is_none());
    let b = browser();
    let callback = to_callback(app, &b, &provider, "uwe", true).await;
    let r = b.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("e-mail address is verified"),
        "{problem}"
    );
    assert!(problem.get("access_token").is_none());
    assert!(account(app, "uwe@test.local").await.is_none());

    // An existing account with that address is not linked to the unverified identity.
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "carl@test.local", "display_name": "Carl", "role": "employee", "password": PASSWORD}),
        )
        .await;
    let carl = r.expect(201)["user"]["id"].as_str().unwrap().to_owned();
    refused_as_unverified(app, &provider, "carl").await;
    // Proof that nothing was linked: another identity with the verified address links to
    // the account now (an account is linked to one identity only) ...
    let b = browser();
    let callback = to_callback(app, &b, &provider, "carl2", true).await;
    let r = b.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    let me = app.get("/api/v1/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me.expect(200)["id"], carl.as_str());
    // ... and the first one, verified by now, finds it taken.
    provider
        .set_accounts(json!({"carl": {"email": "carl@test.local", "email_verified": true}}))
        .await;
    let r = sign_in(app, &browser(), &provider, "carl").await;
    assert_refused(r, 403, "You cannot sign in to kaizen with this work account").await;

    // No claim at all (as Entra ID sends it): trusted by default ...
    let r = sign_in(app, &browser(), &provider, "nora").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(sets_session(&r));
    assert!(account(app, "nora@test.local").await.is_some());
    // ... refused when the organisation asks for verified addresses, except for a person
    // whose identity is linked already (the address is not looked at then).
    let config = configure(app, &provider, json!({"trust_email_without_verified": false})).await;
    assert_eq!(config["trust_email_without_verified"], false);
    refused_as_unverified(app, &provider, "oskar").await;
    assert!(account(app, "oskar@test.local").await.is_none());
    let r = sign_in(app, &browser(), &provider, "nora").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(sets_session(&r));

    // Each refusal is in the audit trail, without the address.
    let entries = audit(app, "sign_in.refused_unverified_email").await;
    assert_eq!(entries.len(), 4, "{entries:?}");
    let stated: Vec<&Value> = entries.iter().map(|e| &e["details"]["email_verified"]).collect();
    assert_eq!(stated.iter().filter(|v| **v == &json!(false)).count(), 3);
    assert_eq!(stated.iter().filter(|v| v.is_null()).count(), 1);
    for e in &entries {
        assert!(e["actor_id"].is_null());
        assert!(!e.to_string().contains("test.local"), "no address in the audit trail");
    }
    let changes = audit(app, "organization.sign_in_changed").await;
    assert!(
        changes
            .iter()
            .any(|c| c["details"]["trust_email_without_verified"] == json!({"from": true, "to": false})),
        "{changes:?}"
    );
}

async fn password_login_can_be_switched_off_except_for_admins(app: &TestApp) {
    let employee = app.user("employee", None).await;
    // Not without a provider: nobody but admins could sign in at all.
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 0, "enabled": false, "password_login": false}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["password_login"]);

    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 0, "enabled": true, "issuer_url": "https://sso.example.org/realms/test",
                   "client_id": "kaizen", "client_secret": "s3cret-value", "password_login": false}),
        )
        .await;
    assert_eq!(r.expect(200)["password_login"], false);
    let r = app.login(&employee.email, PASSWORD).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("switched off"));
    // A wrong password still reads as a wrong password.
    app.login(&employee.email, "not-the-password-1").await.expect(401);
    // Break-glass: admins keep their password.
    app.login(&app.admin.email, crate::helpers::ADMIN_PASSWORD)
        .await
        .expect(200);
    // Sessions the employee had are not a way around it: a new sign-in is refused in the
    // browser as well, with the reason in German.
    let b = browser();
    let form = b
        .get(app.url(&format!("/o/{}/login", app.org_slug)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = form
        .split(r#"name="csrf_token" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let r = b
        .post(app.url("/login"))
        .header("origin", &app.address)
        .header("accept-language", "de")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", employee.email.as_str()),
            ("password", PASSWORD),
            ("organization", app.org_slug.as_str()),
            ("fixed_organization", "1"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!sets_session(&r));
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Die Anmeldung mit Passwort ist für Ihre Kommune abgeschaltet"),
        "{page}"
    );
    assert!(page.contains("Mit Dienstkonto anmelden"));

    // Switched on again: the employee signs in with the password.
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 1, "enabled": true, "issuer_url": "https://sso.example.org/realms/test",
                   "client_id": "kaizen", "password_login": true}),
        )
        .await;
    assert_eq!(r.expect(200)["client_secret_set"], true, "an absent secret stays");
    app.login(&employee.email, PASSWORD).await.expect(200);
}

/// A refusal of the provider's answer: no session, no account, the words for it.
async fn refused_with(app: &TestApp, tamper: &str) {
    let Some(provider) = Provider::start(app, anna(), tamper).await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    let b = browser();
    let r = sign_in(app, &b, &provider, "anna").await;
    assert_refused(r, 401, "did not pass the security checks").await;
    assert_eq!(provider.token_requests().await, 1, "the code was exchanged");
    assert!(account(app, "anna.sonne@test.local").await.is_none(), "no account");
    let home = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "not signed in");
}

async fn an_id_token_from_another_issuer_is_refused(app: &TestApp) {
    refused_with(app, "issuer").await;
}

async fn an_id_token_for_another_audience_is_refused(app: &TestApp) {
    refused_with(app, "audience").await;
}

async fn an_expired_id_token_is_refused(app: &TestApp) {
    refused_with(app, "expired").await;
}

async fn an_id_token_with_a_foreign_signature_is_refused(app: &TestApp) {
    refused_with(app, "signature").await;
}

async fn a_rotated_signing_key_is_fetched_again(app: &TestApp) {
    // The provider signs with a key its JWKS did not list when kaizen first read it: kaizen
    // fetches the keys again and the signature checks out.
    let Some(provider) = Provider::start(app, anna(), "rotate").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    let b = browser();
    let r = sign_in(app, &b, &provider, "anna").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(sets_session(&r));
    assert!(account(app, "anna.sonne@test.local").await.is_some());
}

async fn a_replayed_nonce_is_refused(app: &TestApp) {
    // The provider answers every later code with the first ID token: genuine, signed,
    // for this client, not expired — but with the first sign-in's nonce.
    let Some(provider) = Provider::start(app, anna(), "replay-nonce").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    let r = sign_in(app, &browser(), &provider, "anna").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the first sign-in works");
    let b = browser();
    let r = sign_in(app, &b, &provider, "anna").await;
    assert_refused(r, 401, "did not pass the security checks").await;
    assert_eq!(provider.token_requests().await, 2);
}

async fn a_replayed_callback_is_refused(app: &TestApp) {
    let Some(provider) = Provider::start(app, anna(), "").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    let b = browser();
    let callback = to_callback(app, &b, &provider, "anna", false).await;
    let state = callback
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The same callback again, with the state cookie it had: the sign-in was taken.
    let again = browser();
    let r = again
        .get(&callback)
        .header("cookie", format!("kaizen_sso={state}"))
        .send()
        .await
        .unwrap();
    assert_refused(r, 400, "was used already").await;
    assert_eq!(
        provider.token_requests().await,
        1,
        "refused before the code went to the provider"
    );
}

async fn a_callback_in_another_browser_is_refused(app: &TestApp) {
    let accounts = json!({"mallory": {"email": "mallory@test.local"}});
    let Some(provider) = Provider::start(app, accounts, "").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    // Someone signs in up to the callback and hands the link to another person, whose
    // browser has a sign-in of its own under way.
    let attacker = browser();
    let callback = to_callback(app, &attacker, &provider, "mallory", false).await;
    let victim = browser();
    let own = victim
        .get(app.url(&format!("/o/{}/sso/start", app.org_slug)))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let r = victim.get(&callback).send().await.unwrap();
    assert_refused(r, 400, "started in another browser").await;
    let r = browser().get(&callback).send().await.unwrap();
    assert_refused(r, 400, "started in another browser").await;
    // A state that was never issued, in the browser whose cookie it matches.
    let r = browser()
        .get(app.url(&format!("/o/{}/sso/callback?code=x&state=made-up", app.org_slug)))
        .header("cookie", "kaizen_sso=made-up")
        .send()
        .await
        .unwrap();
    assert_refused(r, 400, "expired").await;
    assert_eq!(provider.token_requests().await, 0);
    assert!(account(app, "mallory@test.local").await.is_none());
    // The browser that started it still can finish it.
    let r = attacker.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn an_address_of_another_organisation_signs_in_only_here(app: &TestApp) {
    let (other_org, other_admin) = app.other_organization().await;
    let accounts = json!({"dora": {"email": other_admin.email}});
    let Some(provider) = Provider::start(app, accounts, "").await else {
        return;
    };
    configure(app, &provider, json!({})).await;
    // Our provider's callback at the other organisation's address: no sign-in there.
    let b = browser();
    let callback = to_callback(app, &b, &provider, "dora", true).await;
    let slug = app.get("/api/v1/organization", &other_admin.token).await.expect(200)["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let elsewhere = callback.replace(&format!("/o/{}/", app.org_slug), &format!("/o/{slug}/"));
    let r = b.get(&elsewhere).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "another organisation takes no sign-in of ours"
    );
    // Here it creates an account of this organisation, never the other one's.
    let b = browser();
    let callback = to_callback(app, &b, &provider, "dora", true).await;
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    let me = app.get("/api/v1/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me.expect(200)["organization"]["id"], app.org_id.as_str());
    assert_ne!(me.body["id"], other_admin.user_id.as_str());
    assert_eq!(me.body["role"], "employee");
    let them = app.get("/api/v1/me", &other_admin.token).await;
    assert_eq!(them.expect(200)["role"], "admin");
    assert_eq!(them.body["organization"]["id"], other_org.as_str());
}

async fn the_settings_are_for_admins_validated_versioned_and_audited(app: &TestApp) {
    let r = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    let unset = r.expect(200).clone();
    assert_eq!(unset["version"], 0);
    assert_eq!(unset["enabled"], false);
    assert_eq!(unset["password_login"], true);
    assert_eq!(unset["client_secret_set"], false);
    assert_eq!(
        unset["redirect_uri"],
        app.url(&format!("/o/{}/sso/callback", app.org_slug)).as_str()
    );

    let unit = app.create_unit("Bürgeramt", None).await;
    let secret = "the-client-secret-value-4711";
    let body = json!({
        "version": 0, "enabled": true,
        "issuer_url": "https://login.microsoftonline.com/0000-tenant/v2.0",
        "client_id": "kaizen-app", "client_secret": secret,
        "scopes": ["openid", "email", "profile"],
        "email_claim": "preferred_username", "groups_claim": "groups",
        "group_mappings": [{"group": "kaizen-leads-buergeramt", "role": "lead", "unit_id": unit}],
    });
    let r = app
        .put("/api/v1/organization/sign-in", &app.admin.token, body.clone())
        .await;
    let saved = r.expect(200).clone();
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["client_secret_set"], true);
    assert_eq!(saved["email_claim"], "preferred_username");
    assert!(
        saved.get("client_secret").is_none() && !r.text.contains(secret),
        "write-only"
    );
    let read = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    assert!(!read.text.contains(secret));
    assert_eq!(read.expect(200)["group_mappings"], saved["group_mappings"]);

    // A stale version is refused, nothing overwritten.
    let r = app
        .put("/api/v1/organization/sign-in", &app.admin.token, body.clone())
        .await;
    assert_eq!(r.expect(409)["current_version"], 1);

    // Each bad field named.
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 1, "enabled": true, "issuer_url": "http://sso.example.org/realms/x", "client_id": "",
                   "scopes": ["email"], "email_claim": "e mail",
                   "group_mappings": [{"group": "a", "role": "boss"}, {"group": "a", "role": "lead", "unit_id": "no-such-unit"}]}),
        )
        .await;
    r.expect(422);
    let fields = r.error_fields();
    for f in [
        "issuer_url",
        "client_id",
        "scopes",
        "email_claim",
        "group_mappings[0].role",
        "group_mappings[1].group",
    ] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 1, "enabled": true, "issuer_url": "https://sso.example.org", "client_id": "k",
                   "group_mappings": [{"group": "a", "role": "lead", "unit_id": "no-such-unit"}]}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["group_mappings[0].unit_id"]);
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 1, "enabled": true, "unknown": 1}),
        )
        .await;
    assert!(r.status.is_client_error());

    // The audit trail has the change, of the secret only that it was replaced.
    let entries = audit(app, "organization.sign_in_changed").await;
    assert_eq!(entries.len(), 1);
    let details = &entries[0]["details"];
    assert_eq!(details["client_secret"], "replaced");
    assert_eq!(details["client_id"]["to"], "kaizen-app");
    let all = app.get("/api/v1/audit?limit=200", &app.admin.token).await;
    assert!(!all.text.contains(secret), "the secret is never audited");

    // Other roles may neither read nor change it.
    for role in ["employee", "lead", "manager"] {
        let s = app.user(role, None).await;
        app.get("/api/v1/organization/sign-in", &s.token).await.expect(403);
        app.put("/api/v1/organization/sign-in", &s.token, body.clone())
            .await
            .expect(403);
    }
    app.send(reqwest::Method::GET, "/api/v1/organization/sign-in", None, None)
        .await
        .expect(401);

    // Another organisation's admin sees and changes only their own.
    let (_, other) = app.other_organization().await;
    let theirs = app.get("/api/v1/organization/sign-in", &other.token).await;
    assert_eq!(theirs.expect(200)["version"], 0);
    assert_eq!(theirs.body["issuer_url"], "");
    let mut their_body = body.clone();
    their_body["issuer_url"] = json!("https://sso.other.example/realms/other");
    // Our unit is no unit of theirs.
    app.put("/api/v1/organization/sign-in", &other.token, their_body.clone())
        .await
        .expect(422);
    their_body["group_mappings"] = json!([]);
    app.put("/api/v1/organization/sign-in", &other.token, their_body)
        .await
        .expect(200);
    let ours = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    assert_eq!(
        ours.expect(200)["issuer_url"],
        "https://login.microsoftonline.com/0000-tenant/v2.0"
    );
    assert_eq!(audit(app, "organization.sign_in_changed").await.len(), 1);

    // Without a provider there is nothing to start; an unknown organisation is unknown.
    let r = app
        .client
        .get(app.url("/o/no-such-organisation/login"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn a_provider_that_cannot_be_reached_is_a_clear_page(app: &TestApp) {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let r = app
        .put(
            "/api/v1/organization/sign-in",
            &app.admin.token,
            json!({"version": 0, "enabled": true, "issuer_url": format!("http://127.0.0.1:{port}"), "client_id": "kaizen"}),
        )
        .await;
    r.expect(200);
    let r = browser()
        .get(app.url(&format!("/o/{}/sso/start", app.org_slug)))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Der Anmeldedienst Ihrer Kommune ist gerade nicht erreichbar"),
        "{page}"
    );
}

both_backends!(
    a_full_login_creates_the_account_just_in_time,
    a_group_maps_to_lead_of_a_unit_and_later_logins_update_the_role,
    a_deactivated_account_stays_refused,
    an_unverified_address_makes_and_links_no_account,
    password_login_can_be_switched_off_except_for_admins,
    an_id_token_from_another_issuer_is_refused,
    an_id_token_for_another_audience_is_refused,
    an_expired_id_token_is_refused,
    an_id_token_with_a_foreign_signature_is_refused,
    a_rotated_signing_key_is_fetched_again,
    a_replayed_nonce_is_refused,
    a_replayed_callback_is_refused,
    a_callback_in_another_browser_is_refused,
    an_address_of_another_organisation_signs_in_only_here,
    the_settings_are_for_admins_validated_versioned_and_audited,
    a_provider_that_cannot_be_reached_is_a_clear_page,
);

/// The whole sign-in clicked through in Chromium: the organisation's sign-in page with the
/// button (axe finds nothing, in German and with the password form beside it), the
/// provider's pages, and back signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_button_signs_in_through_the_provider_in_a_real_browser() {
    use crate::browser::Browser;
    use crate::web_browser::{accessible, click, go, path_of, source};
    use fantoccini::Locator;

    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .expect("sqlite test app");
    let Some(provider) = Provider::start(&app, anna(), "").await else {
        return;
    };
    configure(&app, &provider, json!({})).await;
    go(&browser, &app, &format!("/o/{}/login", app.org_slug)).await;
    let page = source(&browser).await;
    assert!(page.contains("Mit Dienstkonto anmelden"), "{page}");
    assert!(page.contains(r#"id="password""#), "the password form stays beside it");
    accessible(&browser, "sign-in page with the provider's button").await;
    click(&browser, "a[href^='/o/']").await;
    // The provider's development login page, then its consent page.
    browser.wait_for("input[name=login]").await.unwrap();
    let login = browser.client.find(Locator::Css("input[name=login]")).await.unwrap();
    login.send_keys("anna").await.unwrap();
    let password = browser.client.find(Locator::Css("input[name=password]")).await.unwrap();
    password.send_keys("any").await.unwrap();
    click(&browser, "button[type=submit]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let url = browser.client.current_url().await.unwrap();
        if url.as_str().starts_with(&app.address) {
            break;
        }
        if source(&browser).await.contains(r#"value="consent""#) {
            click(&browser, "button[type=submit]").await;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never came back from the provider: {url}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser.wait_for("main").await.unwrap();
    assert_eq!(path_of(&browser).await, "/");
    assert!(source(&browser).await.contains("Anna Sonne"), "signed in");
    accessible(&browser, "start page after signing in with the provider").await;
    app.shutdown().await;
}

/// Start and callback are throttled per client address (behind one trusted proxy, whose
/// `X-Forwarded-For` names the client).
mod throttled {
    use super::*;
    use crate::both_backends_configured;

    const LIMIT: i64 = 4;

    fn from(address: &'static str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", reqwest::header::HeaderValue::from_static(address));
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_static("de"),
        );
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    async fn sign_in_requests_are_throttled_per_address(app: &TestApp) {
        let Some(provider) = Provider::start(app, anna(), "").await else {
            return;
        };
        configure(app, &provider, json!({})).await;
        let start = app.url(&format!("/o/{}/sso/start", app.org_slug));
        let busy = from("192.0.2.1");
        for i in 0..LIMIT {
            let r = busy.get(&start).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "start {i} goes to the provider");
        }
        let r = busy.get(&start).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "Retry-After {retry}");
        assert!(r.headers().get("location").is_none(), "not sent to the provider");
        let page = r.text().await.unwrap();
        assert!(page.contains("Zu viele Versuche"), "{page}");
        // The callback counts as well (an API start too).
        let r = busy
            .get(app.url(&format!("/o/{}/sso/callback?code=x&state=y", app.org_slug)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        let r = busy
            .get(format!("{start}?format=json"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        // A start at a slug that names no organisation is counted and refused alike.
        let r = busy
            .get(app.url("/o/no-such-organisation/sso/start"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

        // Another address is not affected: a whole sign-in (start and callback) works.
        let other = from("192.0.2.77");
        let callback = to_callback(app, &other, &provider, "anna", false).await;
        let r = other.get(callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(sets_session(&r));
        // Password sign-in from the busy address is unaffected (its own limits).
        let employee = app.user("employee", None).await;
        let r = busy
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": employee.email, "password": PASSWORD, "organization": app.org_slug}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    both_backends_configured!(
        |s: &mut kaizen::config::Settings| {
            s.sso_requests_per_address = super::LIMIT;
            s.trusted_proxies = 1;
        };
        sign_in_requests_are_throttled_per_address,
    );
}
