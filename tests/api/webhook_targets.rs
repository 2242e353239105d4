//! Webhook targets inside the network are refused (no server-side request forgery):
//! with the operator's switch off, a subscription to a loopback, private, link-local or
//! otherwise internal address, or to a name resolving to one, is refused with a German
//! problem; a subscription whose host resolves internally by the time of delivery gets
//! no request and its messages end as failed with the reason. An allow-list of networks
//! permits just those.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, submit};
use crate::webhooks::Receiver;

/// The operator permits one network (documentation addresses, reached by no test), not
/// the loopback or private ones the tests try.
fn strict(settings: &mut kaizen::config::Settings) {
    settings.outbox.poll_ms = 50;
    settings.outbox.backoff_ms = 100;
    settings.outbox.max_attempts = 3;
    settings.outbox.lease_secs = 5;
    settings.outbox.webhook_timeout_secs = 2;
    settings.outbox.webhook_targets = kaizen::webhook_target::TargetPolicy {
        allow_private: false,
        allowed_networks: vec!["198.51.100.0/25".parse().unwrap()],
    };
}

crate::both_backends_configured!(super::strict;
    internal_targets_are_refused_when_the_operator_does_not_permit_them,
    a_host_that_now_resolves_internally_gets_no_request,
);

async fn internal_targets_are_refused_when_the_operator_does_not_permit_them(app: &TestApp) {
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://127.1.2.3/hook",
        "http://10.1.2.3/hook",
        "http://172.16.5.4/hook",
        "http://192.168.178.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:8080/hook",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://localhost:8080/hook",
        "https://LOCALHOST./hook",
        "http://intranet.localhost/hook",
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                &app.admin.token,
                json!({"url": url, "event_types": ["idea.submitted"]}),
            )
            .await;
        r.expect(422);
        assert_eq!(r.error_fields(), vec!["url"], "{url}: {}", r.text);
        assert!(r.text.contains("internal address"), "{url}: {}", r.text);
    }
    // In German for a German reader.
    let r = app
        .client
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&app.admin.token)
        .header("accept-language", "de")
        .json(&json!({"url": "http://169.254.169.254/", "event_types": ["idea.submitted"]}))
        .send()
        .await
        .unwrap();
    let r = TestApp::read(r).await;
    r.expect(422);
    assert!(
        r.text.contains(
            "zeigt auf die interne Adresse 169.254.169.254; Webhooks dürfen nur öffentliche Adressen erreichen"
        ),
        "{}",
        r.text
    );
    let listed = app.get("/api/v1/webhooks", &app.admin.token).await;
    assert!(
        listed.expect(200)["items"].as_array().unwrap().is_empty(),
        "nothing refused was stored"
    );

    // Public addresses, and the network the operator permits, are accepted.
    for url in ["https://93.184.215.14/hook", "http://198.51.100.7:8080/hook"] {
        app.post(
            "/api/v1/webhooks",
            &app.admin.token,
            json!({"url": url, "event_types": ["round.opened"]}),
        )
        .await
        .expect(201);
    }
    // A neighbour of the permitted network is not.
    app.post(
        "/api/v1/webhooks",
        &app.admin.token,
        json!({"url": "http://198.51.100.200/hook", "event_types": ["round.opened"]}),
    )
    .await
    .expect(422);
}

/// Points a stored subscription elsewhere, as a changed DNS answer would.
async fn repoint(app: &TestApp, id: &str, url: String) {
    let pool = app.pool.clone();
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || {
        use kaizen::db::schema::webhook_subscriptions as w;
        let mut conn = pool.get().unwrap();
        diesel::update(w::table.filter(w::id.eq(id)))
            .set(w::url.eq(url))
            .execute(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
}

/// Two subscriptions made while their names did not resolve (`.invalid` never does);
/// by delivery time one host resolves to the loopback (`localhost`), the other is given
/// as the loopback address itself. The receiver listens there and gets nothing; both
/// messages end as failed after their attempts, the reason in the log.
async fn a_host_that_now_resolves_internally_gets_no_request(app: &TestApp) {
    let receiver = Receiver::start(Receiver::free_port());
    let mut subs = Vec::new();
    for name in ["one", "two"] {
        let r = app
            .post(
                "/api/v1/webhooks",
                &app.admin.token,
                json!({"url": format!("http://{name}.kaizen.invalid/hook"), "event_types": ["idea.submitted"]}),
            )
            .await;
        subs.push(r.expect(201)["id"].as_str().unwrap().to_owned());
    }
    repoint(
        app,
        &subs[0],
        format!("http://localhost:{}/hooks/kaizen", receiver.port),
    )
    .await;
    repoint(
        app,
        &subs[1],
        format!("http://127.0.0.1:{}/hooks/kaizen", receiver.port),
    )
    .await;
    let unit = app.create_unit("Hauptamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Intranet-Formulare")).await);

    let start = Instant::now();
    let failed = loop {
        let page = app.get("/api/v1/outbox?status=failed", &app.admin.token).await;
        let items = page.expect(200)["items"].as_array().unwrap().clone();
        if items.len() == 2 {
            break items;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not failed in time: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for m in &failed {
        assert_eq!(m["subject_id"], idea.as_str());
        assert_eq!(m["attempts"], 3);
        let error = m["last_error"].as_str().unwrap();
        assert!(
            error.starts_with("refused: the target resolves to") && error.contains("(loopback)"),
            "{error}"
        );
    }
    for sub in &subs {
        let log = app
            .get(&format!("/api/v1/webhooks/{sub}/deliveries"), &app.admin.token)
            .await;
        let items = log.expect(200)["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(
            items
                .iter()
                .all(|d| d["status_code"].is_null() && d["error"].as_str().unwrap().contains("not a public address")),
            "{items:?}"
        );
    }
    assert!(receiver.all().is_empty(), "no request reached the loopback");
    receiver.stop().await;
}
