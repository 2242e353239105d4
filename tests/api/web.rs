//! The web interface over plain HTTP, on both backends: sign-in, sessions and their end,
//! form tokens and origins, error pages, the pages of issue 13 and what each role may do
//! there. (The same pages in a real browser, with axe, are in `web_browser.rs`.)

use std::collections::HashMap;

use reqwest::header::{self, HeaderMap};
use serde_json::json;

use crate::assessment_support;
use crate::helpers::{PASSWORD, Session, TestApp};

crate::both_backends!(
    signing_in_and_out,
    forms_need_the_session_token_and_this_origin,
    a_generated_password_is_replaced_first_and_ends_other_sessions,
    deactivation_and_idleness_end_a_session,
    another_organisations_idea_is_a_missing_page,
    people_act_only_on_what_is_theirs,
    ideas_are_submitted_found_voted_and_commented,
    the_survey_is_answered_once,
    the_sign_in_form_is_throttled_like_the_api,
    assets_are_cached_compressed_and_errors_fit_the_client,
    mail_settings_are_set_in_the_browser_as_over_the_api,
);

mod https {
    crate::both_backends_configured!(
        |s| s.public_url = Some("https://kaizen.example".into());
        session_cookies_are_secure_over_https
    );

    use super::*;

    async fn session_cookies_are_secure_over_https(app: &TestApp) {
        let mut b = Browser::new(app);
        b.origin = "https://kaizen.example".into();
        let (_, employee) = b.signed_in_employee(app).await;
        let set = b.last_set_cookies.join("\n");
        assert!(set.contains("__Host-kaizen_session="), "{set}");
        let line = set.lines().find(|l| l.starts_with("__Host-kaizen_session=")).unwrap();
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
            assert!(line.contains(flag), "{flag} missing in {line}");
        }
        assert!(!line.contains("Domain="), "{line}");
        assert_eq!(b.get("/").await.status, 200, "{}", employee.email);
        // The plain-HTTP address is not this site's origin.
        b.origin = app.address.clone();
        let r = b.post_form("/ideas/new", &[("title", "x")], true).await;
        assert_eq!(r.status, 403);
    }
}

/// A browser: cookies kept by name, redirects not followed, `Origin` sent with forms.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub origin: String,
    cookies: HashMap<String, String>,
    pub last_set_cookies: Vec<String>,
    csrf: String,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub html: String,
    pub headers: HeaderMap,
}

impl Page {
    /// The value of the first `csrf_token` field.
    pub fn token(&self) -> String {
        let at = self.html.find("name=\"csrf_token\" value=\"").expect("a form token");
        let rest = &self.html[at + "name=\"csrf_token\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    pub fn count(&self, needle: &str) -> usize {
        self.html.matches(needle).count()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
            origin: app.address.clone(),
            cookies: HashMap::new(),
            last_set_cookies: Vec::new(),
            csrf: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.last_set_cookies = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for line in &self.last_set_cookies {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let html = resp.text().await.unwrap();
        let page = Page {
            status,
            location,
            html,
            headers,
        };
        if page.html.contains("name=\"csrf_token\"") {
            self.csrf = page.token();
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(resp).await
    }

    /// Sends a form with the last page's token (`with_token`) from `origin`.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)], with_token: bool) -> Page {
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if with_token {
            all.push(("csrf_token".into(), self.csrf.clone()));
        }
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
            .header(header::COOKIE, self.cookie_header())
            .form(&all);
        if !self.origin.is_empty() {
            req = req.header(header::ORIGIN, self.origin.clone());
        }
        let resp = req.send().await.unwrap();
        self.read(resp).await
    }

    /// Sends a form with a file (`multipart/form-data`) with the last page's token.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let boundary = "----kaizen-test-boundary-7f3a";
        let mut body = Vec::new();
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        all.push(("csrf_token".into(), self.csrf.clone()));
        for (k, v) in all {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
            .header(header::COOKIE, self.cookie_header())
            .header(header::ORIGIN, self.origin.clone())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(resp).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, 200, "{}", form.html);
        self.post_form(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
            true,
        )
        .await
    }

    /// A new employee (created through the API) signed in here.
    pub async fn signed_in_employee(&mut self, app: &TestApp) -> (String, Session) {
        let unit = app.create_unit(&format!("Einheit {}", rand_suffix()), None).await;
        let employee = app.user("employee", Some(&unit)).await;
        let r = self.login(&employee.email, PASSWORD).await;
        assert_eq!(r.status, 303, "{}", r.html);
        (unit, employee)
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k.ends_with("kaizen_session"))
            .map(|(_, v)| v.clone())
    }
}

fn rand_suffix() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

fn idea_fields<'a>(title: &'a str, unit: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("current_situation", "Anträge kommen auf Papier."),
        ("proposal", "Ein Online-Formular."),
        ("expected_benefit", "Weniger Abtippen."),
        ("unit_id", unit),
    ]
}

async fn my_idea_count(app: &TestApp, who: &Session) -> usize {
    let r = app.get("/api/v1/ideas?author=me", &who.token).await;
    r.expect(200)["items"].as_array().unwrap().len()
}

async fn signing_in_and_out(app: &TestApp) {
    let mut b = Browser::new(app);
    // Without a session every page leads to the sign-in, with the way back.
    let r = b.get("/ideas?sort=most_votes").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/login?next=%2Fideas%3Fsort%3Dmost_votes"));
    let form = b.get("/login?next=/ideas").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("<html lang=\"de\""));
    assert!(form.html.contains("Anmelden"));
    let csp = form
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );

    let unit = app.create_unit("Bürgeramt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    // A wrong password: the form again, with the problem named and the address kept.
    let wrong = b
        .post_form(
            "/login",
            &[
                ("email", &employee.email),
                ("password", "not the password"),
                ("next", "/ideas"),
            ],
            true,
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.html.contains("id=\"error-summary\""), "{}", wrong.html);
    assert!(wrong.html.contains("E-Mail-Adresse oder Passwort ist falsch."));
    assert!(wrong.html.contains(&format!("value=\"{}\"", employee.email)));
    assert!(b.session_cookie().is_none());
    // Another site cannot sign people in (login CSRF): the form token must match the cookie.
    let forged = b
        .post_form("/login", &[("email", &employee.email), ("password", PASSWORD)], false)
        .await;
    assert_eq!(forged.status, 403);

    let ok = b
        .post_form(
            "/login",
            &[("email", &employee.email), ("password", PASSWORD), ("next", "/ideas")],
            true,
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    assert_eq!(ok.location.as_deref(), Some("/ideas"));
    let line = b
        .last_set_cookies
        .iter()
        .find(|l| l.starts_with("kaizen_session="))
        .unwrap()
        .clone();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(flag), "{flag} missing in {line}");
    }
    assert!(!line.contains("Secure"), "plain HTTP: {line}");
    // The database keeps only a digest of the cookie's secret.
    let secret = b.session_cookie().unwrap();
    let sql = "SELECT id AS v FROM sessions WHERE kind = 'web' AND secret_hash = $1";
    assert!(assessment_support::sql_strings(app, sql, &secret).await.is_empty());
    let digest = kaizen::web::session::digest(&secret);
    assert_eq!(assessment_support::sql_strings(app, sql, &digest).await.len(), 1);

    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.html.contains(&format!(
        "employee {}",
        &employee.email["employee".len()..employee.email.find('@').unwrap()]
    )));
    // A redirect target elsewhere is not followed.
    let mut c = Browser::new(app);
    c.get("/login").await;
    let r = c
        .post_form(
            "/login",
            &[
                ("email", &employee.email),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
            true,
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));

    // Logging out needs the token too; then the cookie is worthless, even replayed.
    let out = b.post_form("/logout", &[], false).await;
    assert_eq!(out.status, 403);
    assert_eq!(b.get("/").await.status, 200);
    b.get("/").await;
    let out = b.post_form("/logout", &[], true).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login?out=1"));
    assert_eq!(b.get("/").await.status, 303);
    b.cookies.insert("kaizen_session".into(), secret);
    let replay = b.get("/").await;
    assert_eq!(replay.status, 303, "a logged-out session stays ended");
}

async fn forms_need_the_session_token_and_this_origin(app: &TestApp) {
    let mut b = Browser::new(app);
    let (unit, employee) = b.signed_in_employee(app).await;
    b.get("/ideas/new").await;
    let fields = idea_fields("Formular online", &unit);
    // No token, a wrong token, a foreign origin, no origin at all: 403, nothing written.
    let r = b.post_form("/ideas/new", &fields, false).await;
    assert_eq!(r.status, 403);
    assert!(r.html.contains("Das Formular ist abgelaufen"), "{}", r.html);
    let mut forged = fields.clone();
    forged.push(("csrf_token", "forged"));
    assert_eq!(b.post_form("/ideas/new", &forged, false).await.status, 403);
    b.origin = "http://evil.example".into();
    assert_eq!(b.post_form("/ideas/new", &fields, true).await.status, 403);
    b.origin = String::new();
    assert_eq!(b.post_form("/ideas/new", &fields, true).await.status, 403);
    assert_eq!(my_idea_count(app, &employee).await, 0);
    // A token of another session does not fit this one.
    let mut other = Browser::new(app);
    other.signed_in_employee(app).await;
    other.get("/ideas/new").await;
    let mut theirs = fields.clone();
    let their_token = other.csrf.clone();
    theirs.push(("csrf_token", &their_token));
    b.origin = app.address.clone();
    assert_eq!(b.post_form("/ideas/new", &theirs, false).await.status, 403);
    assert_eq!(my_idea_count(app, &employee).await, 0);

    // NUL in any field (PostgreSQL cannot store it) is a 400 before anything is read or
    // written, in the sign-in form as in every other.
    b.get("/ideas/new").await;
    for (name, value) in [
        ("title", "Formular\0online"),
        ("unit_id", "\0"),
        ("co_author_email_1", "a\0@b.de"),
    ] {
        let mut nul = fields.clone();
        nul.retain(|(k, _)| *k != name);
        nul.push((name, value));
        let r = b.post_form("/ideas/new", &nul, true).await;
        assert_eq!(r.status, 400, "{name}: {}", r.html);
    }
    assert_eq!(my_idea_count(app, &employee).await, 0);
    let mut stranger = Browser::new(app);
    stranger.get("/login").await;
    let r = stranger
        .post_form(
            "/login",
            &[("email", "x\0@y.de"), ("password", "p"), ("organization", "\0")],
            true,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.html);

    // The token is masked anew in every page (so compressed pages give nothing away
    // about it), and every masking of it is accepted, an older page's as well.
    let first = b.get("/ideas/new").await.token();
    let second = b.get("/ideas/new").await.token();
    assert_ne!(first, second);
    let mut with_first = fields.clone();
    with_first.push(("csrf_token", &first));

    // Votes and comments the same way.
    let created = b.post_form("/ideas/new", &with_first, false).await;
    assert_eq!(created.status, 303, "{}", created.html);
    let id = created.location.unwrap()["/ideas/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(my_idea_count(app, &employee).await, 1);
    b.get(&format!("/ideas/{id}")).await;
    assert_eq!(
        b.post_form(&format!("/ideas/{id}/vote"), &[("vote", "1")], false)
            .await
            .status,
        403
    );
    assert_eq!(
        b.post_form(&format!("/ideas/{id}/comments"), &[("body", "Gute Idee")], false)
            .await
            .status,
        403
    );
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &employee.token).await;
    assert_eq!(idea.expect(200)["vote_count"], 0);
    assert_eq!(idea.body["comment_count"], 0);
}

async fn a_generated_password_is_replaced_first_and_ends_other_sessions(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    // The same person already signed in on another PC.
    let mut elsewhere = Browser::new(app);
    assert_eq!(elsewhere.login(&employee.email, PASSWORD).await.status, 303);
    let reset = app
        .post(
            &format!("/api/v1/users/{}/password-reset", employee.user_id),
            &app.admin.token,
            json!({}),
        )
        .await;
    let generated = reset.expect(200)["initial_password"].as_str().unwrap().to_owned();
    assert_eq!(elsewhere.get("/").await.status, 303, "a reset ends every session");
    assert!(elsewhere.login(&employee.email, &generated).await.status == 303);

    let mut b = Browser::new(app);
    let r = b.login(&employee.email, &generated).await;
    assert_eq!(r.location.as_deref(), Some("/password"));
    for path in ["/", "/ideas", "/ideas/new"] {
        let r = b.get(path).await;
        assert_eq!(r.location.as_deref(), Some("/password"), "{path}");
    }
    let form = b.get("/password").await;
    assert!(form.html.contains("Ihr Passwort wurde für Sie erzeugt"));
    let mismatch = b
        .post_form(
            "/password",
            &[
                ("current_password", &generated),
                ("new_password", "ein langer neuer Satz"),
                ("repeat_password", "ein anderer Satz"),
            ],
            true,
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.html.contains("href=\"#repeat_password\""));
    let wrong = b
        .post_form(
            "/password",
            &[
                ("current_password", "falsch"),
                ("new_password", "ein langer neuer Satz"),
                ("repeat_password", "ein langer neuer Satz"),
            ],
            true,
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.html.contains("href=\"#current_password\""), "{}", wrong.html);
    let short = b
        .post_form(
            "/password",
            &[
                ("current_password", &generated),
                ("new_password", "kurz"),
                ("repeat_password", "kurz"),
            ],
            true,
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.html.contains("href=\"#new_password\""));
    let ok = b
        .post_form(
            "/password",
            &[
                ("current_password", &generated),
                ("new_password", "ein langer neuer Satz"),
                ("repeat_password", "ein langer neuer Satz"),
            ],
            true,
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    // This browser continues in a new session; the other PC is signed out.
    let home = b.get(ok.location.as_deref().unwrap()).await;
    assert_eq!(home.status, 200);
    assert!(home.html.contains("Ihr Passwort ist geändert"));
    assert_eq!(elsewhere.get("/").await.status, 303);
    app.login_ok(&employee.email, "ein langer neuer Satz").await;
}

async fn deactivation_and_idleness_end_a_session(app: &TestApp) {
    let mut b = Browser::new(app);
    let (_, employee) = b.signed_in_employee(app).await;
    assert_eq!(b.get("/").await.status, 200);
    app.deactivate(&employee.user_id).await;
    assert_eq!(b.get("/").await.status, 303, "deactivation ends the session at once");

    let mut idle = Browser::new(app);
    let (_, other) = idle.signed_in_employee(app).await;
    assert_eq!(idle.get("/ideas").await.status, 200);
    // Thirty-one minutes without a request (the default idle limit is 30).
    let then = (chrono::Utc::now() - chrono::Duration::minutes(31))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let moved = assessment_support::sql_strings(
        app,
        &format!("UPDATE sessions SET last_seen_at = '{then}' WHERE user_id = $1 AND kind = 'web' RETURNING id AS v"),
        &other.user_id,
    )
    .await;
    assert_eq!(moved.len(), 1);
    let r = idle.get("/ideas").await;
    assert_eq!(r.status, 303);
    let live = assessment_support::sql_strings(
        app,
        "SELECT id AS v FROM sessions WHERE user_id = $1 AND kind = 'web' AND revoked_at IS NULL",
        &other.user_id,
    )
    .await;
    assert!(live.is_empty(), "an idle session is ended for good");
}

async fn another_organisations_idea_is_a_missing_page(app: &TestApp) {
    let (_, other_admin) = app.other_organization().await;
    let other_unit = app
        .post("/api/v1/units", &other_admin.token, json!({"name": "Kämmerei"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = app
        .post(
            "/api/v1/ideas",
            &other_admin.token,
            json!({"title": "Fremd", "current_situation": "a", "proposal": "b", "expected_benefit": "c", "unit_id": other_unit}),
        )
        .await;
    let id = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    let mut b = Browser::new(app);
    b.get("/login").await;
    let employee = {
        let unit = app.create_unit("Bauamt", None).await;
        app.user("employee", Some(&unit)).await
    };
    // Two organisations now: the form asks for the organisation's short name.
    let form = b.get("/login").await;
    assert!(form.html.contains("name=\"organization\""));
    let r = b
        .post_form(
            "/login",
            &[
                ("email", &employee.email),
                ("password", PASSWORD),
                ("organization", &app.org_slug),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(&format!("/ideas/{id}")).await;
    assert_eq!(page.status, 404);
    assert!(page.html.contains("Diese Seite gibt es nicht"));
    assert!(!page.html.contains("Fremd"));
    // Voting or commenting on it is refused the same way, and nothing is written.
    b.get("/ideas").await;
    let vote = b.post_form(&format!("/ideas/{id}/vote"), &[("vote", "1")], true).await;
    assert_eq!(vote.status, 404);
    let after = app.get(&format!("/api/v1/ideas/{id}"), &other_admin.token).await;
    assert_eq!(after.expect(200)["vote_count"], 0);
}

async fn people_act_only_on_what_is_theirs(app: &TestApp) {
    let mut author = Browser::new(app);
    let (unit, author_session) = author.signed_in_employee(app).await;
    author.get("/ideas/new").await;
    let created = author
        .post_form("/ideas/new", &idea_fields("Meine Idee", &unit), true)
        .await;
    let id = created.location.unwrap()["/ideas/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = author.get(&format!("/ideas/{id}")).await;
    assert!(page.html.contains("Idee zurückziehen"), "the author may withdraw");
    author
        .post_form(&format!("/ideas/{id}/comments"), &[("body", "Mein Kommentar")], true)
        .await;
    let comments = app
        .get(&format!("/api/v1/ideas/{id}/comments"), &author_session.token)
        .await;
    let comment_id = comments.expect(200)["items"][0]["id"].as_str().unwrap().to_owned();

    let mut colleague = Browser::new(app);
    colleague.signed_in_employee(app).await;
    let page = colleague.get(&format!("/ideas/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.html.contains("Idee zurückziehen"),
        "only its authors see the withdrawal"
    );
    assert!(!page.html.contains("/delete\""), "no delete button on others' comments");
    let version = "1";
    let r = colleague
        .post_form(&format!("/ideas/{id}/withdraw"), &[("version", version)], true)
        .await;
    assert_eq!(r.status, 403, "{}", r.html);
    let r = colleague
        .post_form(&format!("/ideas/{id}/comments/{comment_id}/delete"), &[], true)
        .await;
    assert_eq!(r.status, 403);
    let r = colleague
        .post_form(
            &format!("/ideas/{id}/comments/{comment_id}/edit"),
            &[("version", "1"), ("body", "Übernommen")],
            true,
        )
        .await;
    assert_eq!(r.status, 403);
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &author_session.token).await;
    assert_eq!(idea.expect(200)["status"], "submitted");
    let comments = app
        .get(&format!("/api/v1/ideas/{id}/comments"), &author_session.token)
        .await;
    assert_eq!(comments.expect(200)["items"][0]["body"], "Mein Kommentar");

    // The author: edits within the window, deletes, withdraws.
    author.get(&format!("/ideas/{id}")).await;
    let r = author
        .post_form(
            &format!("/ideas/{id}/comments/{comment_id}/edit"),
            &[("version", "1"), ("body", "Mein Kommentar, ergänzt")],
            true,
        )
        .await;
    assert_eq!(r.status, 303);
    let r = author
        .post_form(&format!("/ideas/{id}/comments/{comment_id}/delete"), &[], true)
        .await;
    assert_eq!(r.status, 303);
    let page = author.get(&format!("/ideas/{id}")).await;
    assert!(page.html.contains("Dieser Kommentar wurde gelöscht."));
    let r = author
        .post_form(
            &format!("/ideas/{id}/withdraw"),
            &[("version", "1"), ("reason", "Hat sich erledigt")],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &author_session.token).await;
    assert_eq!(idea.expect(200)["status"], "withdrawn");
    assert_eq!(idea.body["decision_reason"], "Hat sich erledigt");
}

async fn ideas_are_submitted_found_voted_and_commented(app: &TestApp) {
    let mut b = Browser::new(app);
    let (unit, employee) = b.signed_in_employee(app).await;
    let lead = app.user("lead", Some(&unit)).await;
    let form = b.get("/ideas/new").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("Ist-Zustand"));
    // Errors: all named at the top, linked to their fields, what was typed kept.
    let bad = b
        .post_form(
            "/ideas/new",
            &[
                ("title", ""),
                ("current_situation", "Heute stehen Leute Schlange."),
                ("proposal", ""),
                ("expected_benefit", "Weniger Warten"),
                ("unit_id", &unit),
                ("co_author_0", "niemand@test.local"),
                ("share_0", "30"),
                ("author_share", "70"),
                ("hours", "zwölf"),
            ],
            true,
        )
        .await;
    assert_eq!(bad.status, 422);
    for link in [
        "href=\"#title\"",
        "href=\"#proposal\"",
        "href=\"#co-author-0\"",
        "href=\"#hours\"",
    ] {
        assert!(bad.html.contains(link), "{link} in {}", bad.html);
    }
    assert!(bad.html.contains("Heute stehen Leute Schlange."));
    assert!(bad.html.contains("aria-invalid=\"true\""));
    assert!(bad.html.contains("<title>Fehler:"));
    assert_eq!(my_idea_count(app, &employee).await, 0);

    let colleague = app.user("employee", Some(&unit)).await;
    let ok = b
        .post_form(
            "/ideas/new",
            &[
                ("title", "Termine online vergeben"),
                ("current_situation", "Heute stehen Leute Schlange."),
                ("proposal", "Online-Termine."),
                ("expected_benefit", "Weniger Warten"),
                ("unit_id", &unit),
                ("dimensions", "experimentation"),
                ("co_author_0", &colleague.email),
                ("share_0", "30"),
                ("author_share", "70"),
                ("hours", "1.200,5"),
            ],
            true,
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    let location = ok.location.unwrap();
    assert!(location.ends_with("?submitted=1"));
    let confirmation = b.get(&location).await;
    assert!(confirmation.html.contains("Danke! Ihre Idee ist eingereicht."));
    let lead_name = app.get("/api/v1/me", &lead.token).await.expect(200)["display_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(confirmation.html.contains(&lead_name), "names who reviews it next");
    let id = location["/ideas/".len()..].split('?').next().unwrap().to_owned();
    let stored = app.get(&format!("/api/v1/ideas/{id}"), &employee.token).await;
    let stored = stored.expect(200);
    assert_eq!(stored["co_authors"][0]["share"], 30);
    assert_eq!(stored["impact_estimate"]["hours_saved_per_year"], 1200.5);
    assert_eq!(stored["dimensions"], json!(["experimentation"]));

    // On the board, found by text and by "mine", with the vote button.
    let board = b.get("/ideas?q=Termine&author=me").await;
    assert_eq!(board.status, 200);
    assert!(board.html.contains("Termine online vergeben"));
    let none = b.get("/ideas?q=gibtesnicht").await;
    assert!(none.html.contains("Keine Idee passt zu diesen Filtern."));
    let invalid = b.get("/ideas?status=unknown").await;
    assert_eq!(invalid.status, 422);
    // Vote without JavaScript: back to the board; with htmx: the widget in place.
    let r = b
        .post_form(
            &format!("/ideas/{id}/vote"),
            &[("vote", "1"), ("back", "/ideas?q=Termine")],
            true,
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/ideas?q=Termine#idea-{id}").as_str())
    );
    let fragment = b
        .client
        .post(format!("{}/ideas/{id}/vote", b.base))
        .header("HX-Request", "true")
        .header(header::ORIGIN, b.origin.clone())
        .header(header::COOKIE, b.cookie_header())
        .header("X-CSRF-Token", b.csrf.clone())
        .form(&[("vote", "0"), ("back", "/ideas")])
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), 200);
    let html = fragment.text().await.unwrap();
    assert!(html.starts_with("<form class=\"app-vote\""), "{html}");
    assert!(html.contains("0 Stimmen"));
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &employee.token).await;
    assert_eq!(idea.expect(200)["vote_count"], 0);

    // Comments: an empty one is refused with the text field marked, a real one is shown.
    b.get(&format!("/ideas/{id}")).await;
    let empty = b
        .post_form(&format!("/ideas/{id}/comments"), &[("body", "   ")], true)
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.html.contains("href=\"#comment-body\""));
    let r = b
        .post_form(
            &format!("/ideas/{id}/comments"),
            &[("body", "Wir fangen mit Pässen an.")],
            true,
        )
        .await;
    assert_eq!(r.status, 303);
    let page = b.get(&format!("/ideas/{id}")).await;
    assert!(page.html.contains("Wir fangen mit Pässen an."));
    assert!(page.html.contains("Verlauf"));
    // In English when asked for.
    let en = b.get("/lang?to=en&back=/ideas").await;
    assert_eq!(en.location.as_deref(), Some("/ideas"));
    let board = b.get("/ideas").await;
    assert!(board.html.contains("<html lang=\"en\""));
    assert!(board.html.contains("Filter ideas"));
}

async fn the_survey_is_answered_once(app: &TestApp) {
    let mut b = Browser::new(app);
    let (_, employee) = b.signed_in_employee(app).await;
    let round = assessment_support::open_round(app, None).await;
    let home = b.get("/").await;
    assert!(
        home.html.contains(&format!("/survey/{round}")),
        "the open round is offered"
    );
    let qid = assessment_support::builtin_id(app, &app.admin.token).await;
    let items = assessment_support::items(app, &qid).await;
    let page = b.get(&format!("/survey/{round}")).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Ihre Antworten sind anonym"));
    assert_eq!(page.count("<fieldset"), items.len());
    assert_eq!(page.count("<legend"), items.len());
    assert_eq!(page.count("type=\"radio\""), items.len() * 6);
    let statement = page.html.find("Ihre Antworten sind anonym").unwrap();
    assert!(
        statement < page.html.find("<fieldset").unwrap(),
        "the statement comes first"
    );

    // All but one answered: the missing one is named and the others stay chosen.
    let mut answers: Vec<(String, String)> = items.iter().map(|(id, _, _)| (id.clone(), "4".to_owned())).collect();
    answers[1].1 = "cant_judge".into();
    let missing = answers.pop().unwrap();
    let fields: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = b.post_form(&format!("/survey/{round}"), &fields, true).await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains(&format!("href=\"#item-{}\"", missing.0)));
    assert_eq!(r.count(" checked>"), answers.len());
    assert_eq!(
        assessment_support::count_rows(app, "assessment_participation", &round).await,
        0
    );

    answers.push(missing);
    let fields: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = b.post_form(&format!("/survey/{round}"), &fields, true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some(format!("/survey/{round}/thanks").as_str()));
    let thanks = b.get(&format!("/survey/{round}/thanks")).await;
    assert!(thanks.html.contains("Vielen Dank!"));
    // A second visit shows that this person answered, and nothing else.
    let again = b.get(&format!("/survey/{round}")).await;
    assert!(again.html.contains("bereits teilgenommen"));
    assert_eq!(again.count("<fieldset"), 0);
    let twice = b.post_form(&format!("/survey/{round}"), &fields, true).await;
    assert_eq!(twice.status, 200);
    assert!(twice.html.contains("bereits teilgenommen"));
    assert_eq!(
        assessment_support::count_rows(app, "assessment_participation", &round).await,
        1
    );
    let home = b.get("/").await;
    assert!(!home.html.contains(&format!("/survey/{round}")), "not offered again");
    // The API agrees.
    let r = app.get(&format!("/api/v1/assessments/{round}"), &employee.token).await;
    assert_eq!(r.expect(200)["answered"], true);
}

async fn the_sign_in_form_is_throttled_like_the_api(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let mut b = Browser::new(app);
    for _ in 0..5 {
        b.get("/login").await;
        let r = b
            .post_form("/login", &[("email", &employee.email), ("password", "falsch")], true)
            .await;
        assert_eq!(r.status, 401);
    }
    b.get("/login").await;
    let r = b
        .post_form("/login", &[("email", &employee.email), ("password", PASSWORD)], true)
        .await;
    assert_eq!(r.status, 429, "{}", r.html);
    assert!(r.html.contains("Zu viele Versuche"));
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(b.session_cookie().is_none());
}

async fn assets_are_cached_compressed_and_errors_fit_the_client(app: &TestApp) {
    let mut b = Browser::new(app);
    let page = b.get("/login").await;
    let at = page.html.find("/assets/").unwrap();
    let prefix = &page.html[at..at + "/assets/".len() + 12];
    let client = reqwest::Client::new();
    let css = client
        .get(format!("{}{prefix}/kern/kern.min.css", app.address))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(
        css.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let size = css.bytes().await.unwrap().len();
    assert!(size < 80_000, "KERN's CSS compressed: {size} bytes");
    let old = client
        .get(format!("{}/assets/000000000000/kern/kern.min.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200);
    assert_eq!(old.headers()[header::CACHE_CONTROL], "no-cache");
    let font = client
        .get(format!(
            "{}{prefix}/kern/fonts/fira-sans/fira-sans-latin-400-normal.woff2",
            app.address
        ))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(font.headers()[header::CONTENT_TYPE], "font/woff2");
    assert_ne!(
        font.headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    // Pages leave compressed in one piece, with their length (not a chunked stream).
    let login = client
        .get(format!("{}/login", app.address))
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(login.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(login.headers().contains_key(header::CONTENT_LENGTH));
    let plain_login = client.get(format!("{}/login", app.address)).send().await.unwrap();
    assert!(!plain_login.headers().contains_key(header::CONTENT_ENCODING));
    // A browser asking for a missing page gets a page; an API client a problem document.
    let missing = b.get("/gibt-es-nicht").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let api = client
        .get(format!("{}/api/v1/gibt-es-nicht", app.address))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()[header::CONTENT_TYPE], "application/problem+json");
    let plain = client
        .get(format!("{}/gibt-es-nicht", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()[header::CONTENT_TYPE], "application/problem+json");
}

async fn mail_settings_are_set_in_the_browser_as_over_the_api(app: &TestApp) {
    let mut b = Browser::new(app);
    let (_, employee) = b.signed_in_employee(app).await;
    // Every page links to the settings; on by default, in the organisation's language.
    let home = b.get("/").await;
    assert!(home.html.contains("href=\"/account/mail\""));
    let page = b.get("/account/mail").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Benachrichtigungen per E-Mail"));
    assert!(
        page.html
            .contains("id=\"idea_mails\" name=\"idea_mails\" value=\"true\" checked")
    );
    assert!(
        page.html
            .contains("id=\"language-default\" name=\"language\" value=\"\" checked")
    );
    // Without the form token nothing changes.
    let forged = b.post_form("/account/mail", &[("language", "en")], false).await;
    assert_eq!(forged.status, 403);
    let api = app.get("/api/v1/me/mail-settings", &employee.token).await;
    assert_eq!(api.expect(200)["idea_mails"], true);
    // Turning idea mails off (the box unticked) and English: saved as over the API.
    let saved = b.post_form("/account/mail", &[("language", "en")], true).await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    assert_eq!(saved.location.as_deref(), Some("/account/mail?saved=1"));
    let api = app.get("/api/v1/me/mail-settings", &employee.token).await;
    assert_eq!(
        api.expect(200),
        &serde_json::json!({"language": "en", "idea_mails": false})
    );
    let page = b.get("/account/mail?saved=1").await;
    assert!(page.html.contains("Ihre Einstellungen sind gespeichert."));
    assert!(
        page.html
            .contains("id=\"idea_mails\" name=\"idea_mails\" value=\"true\">")
    );
    assert!(
        page.html
            .contains("id=\"language-en\" name=\"language\" value=\"en\" checked")
    );
    // Back on, the organisation's language; an unknown language is refused.
    let bad = b
        .post_form("/account/mail", &[("language", "fr"), ("idea_mails", "true")], true)
        .await;
    assert_eq!(bad.status, 422);
    let saved = b
        .post_form("/account/mail", &[("language", ""), ("idea_mails", "true")], true)
        .await;
    assert_eq!(saved.status, 303);
    let api = app.get("/api/v1/me/mail-settings", &employee.token).await;
    assert_eq!(
        api.expect(200),
        &serde_json::json!({"language": null, "idea_mails": true})
    );
    // Signed out, the page leads to the sign-in.
    let mut stranger = Browser::new(app);
    assert_eq!(stranger.get("/account/mail").await.status, 303);
}
