//! Webhooks through the transactional outbox (issue 15, part 3), against a real HTTP
//! receiver in the test process: every event type arrives signed as Standard Webhooks
//! says (checked with verification code written here, independent of the service's), a
//! tampered body fails the check, anonymous authors and answers never appear; a receiver
//! that is down gets the message once it is back; after the last attempt the message is
//! listed as failed and an admin's retry delivers it; two instances on one database
//! deliver each message once; `kill -9` with messages pending loses none; only admins of
//! the organisation reach the endpoints.

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::Child;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Backend, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};

/// Short times so retries happen within a second or two.
fn quick(settings: &mut kaizen::config::Settings) {
    settings.outbox.poll_ms = 50;
    settings.outbox.backoff_ms = 150;
    settings.outbox.max_attempts = 4;
    settings.outbox.lease_secs = 5;
    settings.outbox.webhook_timeout_secs = 2;
    // The receivers run on 127.0.0.1.
    settings.outbox.webhook_targets = kaizen::webhook_target::TargetPolicy::allow_all();
}

crate::both_backends_configured!(super::quick;
    every_event_arrives_signed_and_without_hidden_authors,
    a_receiver_that_is_down_gets_the_message_when_it_is_back,
    failed_after_the_last_attempt_is_listed_and_retried_by_an_admin,
    a_rotated_secret_signs_beside_the_old_one,
    only_admins_of_the_organisation_manage_webhooks,
    two_instances_deliver_each_message_once,
    delivered_messages_are_deleted_after_the_retention_period,
);

const PATIENCE: Duration = Duration::from_secs(30);

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Got {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Got {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A real HTTP server that records every POST and answers 204.
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Got>>>,
    handle: Option<actix_web::dev::ServerHandle>,
}

async fn record(req: HttpRequest, body: web::Bytes, got: web::Data<Arc<Mutex<Vec<Got>>>>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    got.lock().unwrap().push(Got {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    HttpResponse::NoContent().finish()
}

impl Receiver {
    /// A port nothing listens on (yet).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/hooks/kaizen")
    }

    pub fn start(port: u16) -> Receiver {
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let data = web::Data::new(got.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(record)))
            .workers(1)
            .bind(("127.0.0.1", port))
            .unwrap()
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            port,
            got,
            handle: Some(handle),
        }
    }

    pub fn all(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests came; fails the test after `PATIENCE`.
    pub async fn wait_for(&self, n: usize) -> Vec<Got> {
        let start = Instant::now();
        loop {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            assert!(start.elapsed() < PATIENCE, "only {} of {n} webhooks arrived", all.len());
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(h) = self.handle.take() {
            h.stop(false).await;
        }
    }
}

/// The receiver's check, written from the Standard Webhooks specification: HMAC-SHA256
/// with the base64 key after `whsec_` over `{id}.{timestamp}.{body}`, compared with each
/// `v1,` signature of the header.
pub fn signature_valid(secret: &str, got: &Got) -> bool {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", got.id, got.timestamp).as_bytes());
    mac.update(&got.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    got.signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

/// Subscribes `url` to `types` as the admin; returns (id, secret).
async fn subscribe(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.admin.token,
            json!({"url": url, "event_types": types}),
        )
        .await;
    let body = r.expect(201);
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{body}");
    (body["id"].as_str().unwrap().to_owned(), secret)
}

const ALL: &[&str] = &[
    "idea.submitted",
    "idea.status_changed",
    "comment.created",
    "round.opened",
    "round.closed",
];

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < PATIENCE, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_event_arrives_signed_and_without_hidden_authors(app: &TestApp) {
    let receiver = Receiver::start(Receiver::free_port());
    let (sub, secret) = subscribe(app, &Receiver::url(receiver.port), ALL).await;
    let unit = app.create_unit("Bürgeramt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let hidden = app.user("employee", Some(&unit)).await;

    let open = id_of(&submit(app, &author, idea_body(&unit, "Online-Termine")).await);
    let mut body = idea_body(&unit, "Anonyme Idee");
    body["code_word"] = json!("Eule");
    let anonymous = id_of(&submit(app, &hidden, body).await);
    step(
        app,
        &lead,
        &anonymous,
        json!({"action": "reject", "version": 1, "reason": "Bereits umgesetzt"}),
    )
    .await
    .expect(200);
    let comment = app
        .post(
            &format!("/api/v1/ideas/{open}/comments"),
            &lead.token,
            json!({"body": "Gute Idee"}),
        )
        .await;
    let comment_id = comment.expect(201)["id"].as_str().unwrap().to_owned();
    let round = crate::assessment_support::open_round(app, None).await;
    crate::assessment_support::close(app, &round).await;

    let got = receiver.wait_for(6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = if receiver.all().len() > got.len() {
        receiver.all()
    } else {
        got
    };
    assert_eq!(got.len(), 6, "exactly one message per event: {got:?}");
    let mut by_type: HashMap<String, Vec<Value>> = HashMap::new();
    for g in &got {
        assert!(signature_valid(&secret, g), "signature of {} does not verify", g.id);
        let mut tampered = g.clone();
        tampered.body.extend_from_slice(b" ");
        assert!(!signature_valid(&secret, &tampered), "a tampered body must fail");
        let mut wrong_id = g.clone();
        wrong_id.id.push('x');
        assert!(!signature_valid(&secret, &wrong_id));
        let ts: i64 = g.timestamp.parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
        let text = String::from_utf8(g.body.clone()).unwrap();
        assert!(
            !text.contains(&hidden.user_id),
            "an anonymous author is never named: {text}"
        );
        assert!(!text.contains("answers"), "{text}");
        let v = g.json();
        by_type
            .entry(v["type"].as_str().unwrap().to_owned())
            .or_default()
            .push(v);
    }
    let ids: std::collections::HashSet<&str> = got.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids.len(), 6, "webhook-ids are unique");

    let submitted = &by_type["idea.submitted"];
    assert_eq!(submitted.len(), 2);
    let named = submitted
        .iter()
        .find(|v| v["data"]["idea_id"] == open.as_str())
        .unwrap();
    assert_eq!(named["data"]["author_id"], author.user_id.as_str());
    assert_eq!(named["data"]["anonymous"], false);
    assert_eq!(named["data"]["status"], "submitted");
    let anon = submitted
        .iter()
        .find(|v| v["data"]["idea_id"] == anonymous.as_str())
        .unwrap();
    assert!(anon["data"]["author_id"].is_null());
    assert_eq!(anon["data"]["anonymous"], true);
    let changed = &by_type["idea.status_changed"][0]["data"];
    assert_eq!(changed["idea_id"], anonymous.as_str());
    assert_eq!(changed["previous_status"], "submitted");
    assert_eq!(changed["status"], "rejected");
    assert_eq!(changed["reason"], "Bereits umgesetzt");
    assert!(changed["author_id"].is_null());
    let c = &by_type["comment.created"][0]["data"];
    assert_eq!(c["comment_id"], comment_id.as_str());
    assert_eq!(c["idea_id"], open.as_str());
    assert_eq!(by_type["round.opened"][0]["data"]["round_id"], round.as_str());
    assert_eq!(by_type["round.opened"][0]["data"]["status"], "open");
    assert_eq!(by_type["round.closed"][0]["data"]["status"], "closed");

    // The delivery log and the outbox tell the same.
    wait_until("all six recorded as delivered", || async {
        let page = app
            .get("/api/v1/outbox?status=delivered&limit=200", &app.admin.token)
            .await;
        page.expect(200)["items"].as_array().unwrap().len() == 6
    })
    .await;
    let log = app
        .get(&format!("/api/v1/webhooks/{sub}/deliveries?limit=3"), &app.admin.token)
        .await;
    let log = log.expect(200).clone();
    assert_eq!(log["items"].as_array().unwrap().len(), 3);
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status_code"] == 204 && d["attempt"] == 1)
    );
    let next = log["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/webhooks/{sub}/deliveries?limit=10&cursor={next}"),
            &app.admin.token,
        )
        .await;
    assert_eq!(rest.expect(200)["items"].as_array().unwrap().len(), 3);
    receiver.stop().await;
}

async fn a_receiver_that_is_down_gets_the_message_when_it_is_back(app: &TestApp) {
    let port = Receiver::free_port();
    let (sub, secret) = subscribe(app, &Receiver::url(port), &["idea.submitted"]).await;
    let unit = app.create_unit("Ordnungsamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Parkausweise online")).await);
    wait_until("a failed attempt is logged", || async {
        let log = app
            .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
            .await;
        let items = log.expect(200)["items"].as_array().unwrap().clone();
        items
            .first()
            .is_some_and(|d| d["status_code"].is_null() && d["error"].is_string())
    })
    .await;
    let receiver = Receiver::start(port);
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["data"]["idea_id"], idea.as_str());
    assert!(signature_valid(&secret, &got[0]));
    // The worker records the answer after the receiver gave it.
    wait_until("the successful attempt is logged", || async {
        let log = app
            .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
            .await;
        log.expect(200)["items"][0]["status_code"] == 204
    })
    .await;
    let log = app
        .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
        .await;
    let items = log.expect(200)["items"].as_array().unwrap().clone();
    assert!(items.len() >= 2, "{items:?}");
    assert_eq!(items[0]["status_code"], 204);
    assert!(items[0]["attempt"].as_i64().unwrap() >= 2);
    // Every attempt carried the same id.
    assert!(items.iter().all(|d| d["message_id"] == got[0].id.as_str()));
    receiver.stop().await;
}

async fn failed_after_the_last_attempt_is_listed_and_retried_by_an_admin(app: &TestApp) {
    let port = Receiver::free_port();
    let (sub, _) = subscribe(app, &Receiver::url(port), &["idea.submitted"]).await;
    let unit = app.create_unit("Kämmerei", None).await;
    let author = app.user("employee", Some(&unit)).await;
    submit(app, &author, idea_body(&unit, "E-Rechnung")).await;
    wait_until("the message is kept as failed", || async {
        let page = app.get("/api/v1/outbox?status=failed", &app.admin.token).await;
        !page.expect(200)["items"].as_array().unwrap().is_empty()
    })
    .await;
    let page = app.get("/api/v1/outbox", &app.admin.token).await;
    let failed = page.expect(200)["items"][0].clone();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["attempts"], 4);
    assert_eq!(failed["event_type"], "idea.submitted");
    assert_eq!(failed["subscription_id"], sub.as_str());
    assert!(failed["last_error"].is_string());
    let id = failed["id"].as_str().unwrap().to_owned();
    let log = app
        .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
        .await;
    assert_eq!(log.expect(200)["items"].as_array().unwrap().len(), 4);
    // No further attempts once failed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let log = app
        .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
        .await;
    assert_eq!(log.expect(200)["items"].as_array().unwrap().len(), 4);

    let receiver = Receiver::start(port);
    let r = app
        .post(&format!("/api/v1/outbox/{id}/retry"), &app.admin.token, json!({}))
        .await;
    assert_eq!(r.expect(200)["status"], "pending");
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].id, id, "the retry keeps the message id");
    wait_until("the retried message is delivered", || async {
        let page = app.get("/api/v1/outbox?status=delivered", &app.admin.token).await;
        page.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id.as_str())
    })
    .await;
    // Only a failed message can be retried.
    app.post(&format!("/api/v1/outbox/{id}/retry"), &app.admin.token, json!({}))
        .await
        .expect(409);
    let audit = app.get("/api/v1/audit?action=outbox.retried", &app.admin.token).await;
    let audit = audit.expect(200).clone();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit["items"][0]["object_id"], id.as_str());
    app.get("/api/v1/outbox?status=lost", &app.admin.token)
        .await
        .expect(422);
    receiver.stop().await;
}

async fn a_rotated_secret_signs_beside_the_old_one(app: &TestApp) {
    let receiver = Receiver::start(Receiver::free_port());
    let (sub, old) = subscribe(app, &Receiver::url(receiver.port), &["idea.submitted"]).await;
    let r = app
        .post(
            &format!("/api/v1/webhooks/{sub}/rotate-secret"),
            &app.admin.token,
            json!({"grace_hours": 2}),
        )
        .await;
    let body = r.expect(200).clone();
    let new = body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(body["previous_secret_valid_until"].is_string());
    let unit = app.create_unit("Bauamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    submit(app, &author, idea_body(&unit, "Digitale Bauakte")).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].signature.split(' ').count(), 2, "{}", got[0].signature);
    assert!(signature_valid(&new, &got[0]));
    assert!(signature_valid(&old, &got[0]));
    // Without a grace period only the new secret signs.
    let r = app
        .post(
            &format!("/api/v1/webhooks/{sub}/rotate-secret"),
            &app.admin.token,
            json!({"grace_hours": 0}),
        )
        .await;
    let newest = r.expect(200)["secret"].as_str().unwrap().to_owned();
    submit(app, &author, idea_body(&unit, "Digitale Bauakte 2")).await;
    let got = receiver.wait_for(2).await;
    assert!(signature_valid(&newest, &got[1]));
    assert!(!signature_valid(&new, &got[1]));
    app.post(
        &format!("/api/v1/webhooks/{sub}/rotate-secret"),
        &app.admin.token,
        json!({"grace_hours": 1000}),
    )
    .await
    .expect(422);
    receiver.stop().await;
}

async fn only_admins_of_the_organisation_manage_webhooks(app: &TestApp) {
    let (sub, _) = subscribe(app, "https://ticket.kommune.example/hooks", &["round.opened"]).await;
    let list = app.get("/api/v1/webhooks", &app.admin.token).await;
    let list = list.expect(200).clone();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(
        list["items"][0].get("secret").is_none(),
        "the secret is shown once only"
    );
    assert_eq!(list["items"][0]["event_types"], json!(["round.opened"]));

    for url in [
        "ftp://example.org/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "example.org",
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                &app.admin.token,
                json!({"url": url, "event_types": ["idea.submitted"]}),
            )
            .await;
        r.expect(422);
        assert_eq!(r.error_fields(), vec!["url"], "{url}");
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.admin.token,
            json!({"url": "https://x.example/", "event_types": ["idea.deleted"]}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["event_types"]);

    for role in ["employee", "lead", "manager"] {
        let s = app.user(role, None).await;
        app.get("/api/v1/webhooks", &s.token).await.expect(403);
        app.post(
            "/api/v1/webhooks",
            &s.token,
            json!({"url": "https://x.example/", "event_types": ["idea.submitted"]}),
        )
        .await
        .expect(403);
        app.delete(&format!("/api/v1/webhooks/{sub}"), &s.token)
            .await
            .expect(403);
        app.get("/api/v1/outbox", &s.token).await.expect(403);
        app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), &s.token)
            .await
            .expect(403);
    }
    let (_, other) = app.other_organization().await;
    let theirs = app.get("/api/v1/webhooks", &other.token).await;
    assert!(theirs.expect(200)["items"].as_array().unwrap().is_empty());
    app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), &other.token)
        .await
        .expect(404);
    app.post(
        &format!("/api/v1/webhooks/{sub}/rotate-secret"),
        &other.token,
        json!({}),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/webhooks/{sub}"), &other.token)
        .await
        .expect(404);
    app.post("/api/v1/outbox/nope/retry", &other.token, json!({}))
        .await
        .expect(404);

    app.delete(&format!("/api/v1/webhooks/{sub}"), &app.admin.token)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/webhooks/{sub}"), &app.admin.token)
        .await
        .expect(404);
    let audit = app.get("/api/v1/audit", &app.admin.token).await;
    let actions: Vec<String> = audit.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"webhook.created".to_owned()), "{actions:?}");
    assert!(actions.contains(&"webhook.deleted".to_owned()), "{actions:?}");
    assert!(!audit.text.contains("whsec_"), "no secret in the audit trail");
}

/// A second instance on the same database (its own pool and worker): with both polling,
/// every message reaches the receiver exactly once (counted by `webhook-id`).
async fn two_instances_deliver_each_message_once(app: &TestApp) {
    let receiver = Receiver::start(Receiver::free_port());
    subscribe(
        app,
        &Receiver::url(receiver.port),
        &["idea.submitted", "comment.created"],
    )
    .await;
    let (sibling, handle) = app.sibling().await;
    let unit = app.create_unit("Jugendamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let n = 30;
    let mut tasks = Vec::new();
    for i in 0..n {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            sibling.clone()
        };
        let client = app.client.clone();
        let token = author.token.clone();
        let body = idea_body(&unit, &format!("Idee {i}"));
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(format!("{base}/api/v1/ideas"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    receiver.wait_for(n).await;
    // Time for a duplicate to show up, were there one.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = receiver.all();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for g in &got {
        *counts.entry(g.id.clone()).or_default() += 1;
    }
    assert_eq!(counts.len(), n, "one message per idea");
    assert!(counts.values().all(|&c| c == 1), "a message arrived twice: {counts:?}");
    handle.stop(false).await;
    receiver.stop().await;
}

async fn housekeeping_in(app: &TestApp, days: i64) {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let now = kaizen::db::now() + chrono::Duration::days(days);
        let retention = kaizen::scheduler::Retention {
            participation_days: 30,
            erase_deactivated_after_days: None,
        };
        kaizen::scheduler::housekeeping(&mut conn, now, now, retention);
    })
    .await
    .unwrap();
}

async fn outbox_count(app: &TestApp, status: &str) -> usize {
    app.get(&format!("/api/v1/outbox?status={status}&limit=200"), &app.admin.token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

/// Delivered messages and their log go after 30 days; failed ones stay for the admin.
async fn delivered_messages_are_deleted_after_the_retention_period(app: &TestApp) {
    let receiver = Receiver::start(Receiver::free_port());
    let (good, _) = subscribe(app, &Receiver::url(receiver.port), &["idea.submitted"]).await;
    let (_, _) = subscribe(app, &Receiver::url(Receiver::free_port()), &["idea.submitted"]).await;
    let unit = app.create_unit("Sozialamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    submit(app, &author, idea_body(&unit, "Anträge online")).await;
    wait_until("one delivered, one failed", || async {
        outbox_count(app, "delivered").await == 1 && outbox_count(app, "failed").await == 1
    })
    .await;
    housekeeping_in(app, 29).await;
    assert_eq!(outbox_count(app, "delivered").await, 1, "kept within 30 days");
    housekeeping_in(app, 31).await;
    assert_eq!(outbox_count(app, "delivered").await, 0);
    assert_eq!(
        outbox_count(app, "failed").await,
        1,
        "failed messages wait for the admin"
    );
    let log = app
        .get(&format!("/api/v1/webhooks/{good}/deliveries"), &app.admin.token)
        .await;
    assert!(log.expect(200)["items"].as_array().unwrap().is_empty());
    receiver.stop().await;
}

// ---- kill -9 with messages pending, against the real binary ----

pub(crate) struct Serve {
    child: Child,
    pub base: String,
    _rx: mpsc::Receiver<String>,
}

impl Serve {
    pub fn start(dir: &std::path::Path, env: &[(&str, &str)]) -> Serve {
        let (child, log, rx) = tokio::task::block_in_place(|| crate::cli::start_with(dir, &["serve"], env));
        let port = crate::cli::port_of(&log).unwrap_or_else(|| panic!("kaizen serve did not start:\n{log}"));
        Serve {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _rx: rx,
        }
    }

    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: &str,
    body: Value,
    status: u16,
) -> Value {
    let r = client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), status, "{path}");
    r.json().await.unwrap_or(Value::Null)
}

/// `kill -9` while messages wait for a receiver that is down: after the restart (the
/// receiver back up) every one of them arrives, once.
async fn killed_with_messages_pending(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("kaizen.db").display()), None),
        Backend::Postgres => {
            let Some(admin) = std::env::var("KAIZEN_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty()) else {
                eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
                return;
            };
            let name = format!("kaizen_outbox_kill_{}_{}", std::process::id(), Receiver::free_port());
            let db = PgDb::create(&admin, &name);
            (crate::helpers::postgres_url_with_db(&admin, &name), Some(db))
        }
    };
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("KAIZEN_JWT_SECRET", "outbox-kill-test-secret-long-enough-0123456789"),
        ("KAIZEN_ADMIN_EMAIL", "admin@kill.test"),
        ("KAIZEN_ADMIN_PASSWORD", "kill-admin-password"),
        ("KAIZEN_OUTBOX_POLL_MS", "50"),
        ("KAIZEN_OUTBOX_BACKOFF_MS", "100"),
        ("KAIZEN_OUTBOX_MAX_ATTEMPTS", "1000"),
        ("KAIZEN_OUTBOX_LEASE_SECS", "3"),
        ("KAIZEN_WEBHOOK_TIMEOUT_SECS", "2"),
        ("KAIZEN_WEBHOOK_ALLOW_PRIVATE", "1"),
    ];
    let mut first = Serve::start(dir.path(), &env);
    let client = reqwest::Client::new();
    let login = call(
        &client,
        &first.base,
        "/api/v1/auth/login",
        "",
        json!({"email": "admin@kill.test", "password": "kill-admin-password", "organization": "default"}),
        200,
    )
    .await;
    let admin = login["access_token"].as_str().unwrap().to_owned();
    let port = Receiver::free_port();
    call(
        &client,
        &first.base,
        "/api/v1/webhooks",
        &admin,
        json!({"url": Receiver::url(port), "event_types": ["idea.submitted"]}),
        201,
    )
    .await;
    let unit = call(
        &client,
        &first.base,
        "/api/v1/units",
        &admin,
        json!({"name": "Standesamt"}),
        201,
    )
    .await;
    let unit = unit["id"].as_str().unwrap().to_owned();
    let n = 10;
    for i in 0..n {
        call(
            &client,
            &first.base,
            "/api/v1/ideas",
            &admin,
            idea_body(&unit, &format!("Idee {i}")),
            201,
        )
        .await;
    }
    // Let the worker fail at least once on each (the receiver is down), then kill it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill();
    let receiver = Receiver::start(port);
    let second = Serve::start(dir.path(), &env);
    let got = receiver.wait_for(n).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = if receiver.all().len() > got.len() {
        receiver.all()
    } else {
        got
    };
    let ids: std::collections::HashSet<&str> = got.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids.len(), n, "every pending message arrives after the restart");
    assert_eq!(got.len(), n, "and each once");
    drop(second);
    receiver.stop().await;
}

pub(crate) struct PgDb {
    admin: String,
    name: String,
}

impl PgDb {
    pub fn create(admin: &str, name: &str) -> PgDb {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = diesel::PgConnection::establish(admin).unwrap();
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .unwrap();
        PgDb {
            admin: admin.to_owned(),
            name: name.to_owned(),
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).execute(&mut conn);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_messages_pending_delivers_after_restart_on_sqlite() {
    killed_with_messages_pending(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_messages_pending_delivers_after_restart_on_postgres() {
    killed_with_messages_pending(Backend::Postgres).await;
}
