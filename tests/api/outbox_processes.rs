//! The outbox across real processes (spawned `kaizen serve` binaries), with a real SMTP
//! server (aiosmtpd) and a real webhook receiver: `kill -9` with mails pending loses none
//! (SQLite and PostgreSQL), and two instances on one PostgreSQL database deliver each
//! webhook message and each mail exactly once, counted at the receivers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Backend, postgres_url_with_db};
use crate::ideas::idea_body;
use crate::mail::Smtp;
use crate::webhooks::{PgDb, Receiver, Serve, call};

const PATIENCE: Duration = Duration::from_secs(40);

/// The database for a run: a SQLite file in `dir`, or a new PostgreSQL database (dropped
/// with the guard); `None` when PostgreSQL is not configured.
fn database(backend: Backend, dir: &std::path::Path, tag: &str) -> Option<(String, Option<PgDb>)> {
    match backend {
        Backend::Sqlite => Some((format!("sqlite://{}", dir.join("kaizen.db").display()), None)),
        Backend::Postgres => {
            let admin = std::env::var("KAIZEN_TEST_POSTGRES_URL")
                .ok()
                .filter(|s| !s.is_empty())?;
            let name = format!("kaizen_{tag}_{}_{}", std::process::id(), Receiver::free_port());
            let db = PgDb::create(&admin, &name);
            Some((postgres_url_with_db(&admin, &name), Some(db)))
        }
    }
}

/// The environment of a `kaizen serve` with short outbox times, mail to `smtp_port`.
fn environment(database_url: &str, smtp_port: u16) -> Vec<(String, String)> {
    [
        ("DATABASE_URL", database_url.to_owned()),
        (
            "KAIZEN_JWT_SECRET",
            "outbox-processes-secret-long-enough-0123456789".to_owned(),
        ),
        ("KAIZEN_ADMIN_EMAIL", "admin@processes.test".to_owned()),
        ("KAIZEN_ADMIN_PASSWORD", "processes-admin-password".to_owned()),
        ("KAIZEN_OUTBOX_POLL_MS", "50".to_owned()),
        ("KAIZEN_OUTBOX_BACKOFF_MS", "100".to_owned()),
        ("KAIZEN_OUTBOX_MAX_ATTEMPTS", "1000".to_owned()),
        ("KAIZEN_OUTBOX_LEASE_SECS", "3".to_owned()),
        ("KAIZEN_WEBHOOK_TIMEOUT_SECS", "2".to_owned()),
        ("KAIZEN_WEBHOOK_ALLOW_PRIVATE", "1".to_owned()),
        ("KAIZEN_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}?tls=none")),
        ("KAIZEN_SMTP_FROM", "Kaizen <kaizen@processes.test>".to_owned()),
        ("KAIZEN_SMTP_TIMEOUT_SECS", "2".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Logs the admin in, makes a unit with a lead (who gets a mail per new idea); returns
/// (admin token, unit id, lead's address).
async fn unit_with_lead(client: &reqwest::Client, base: &str) -> (String, String, String) {
    let login = call(
        client,
        base,
        "/api/v1/auth/login",
        "",
        json!({"email": "admin@processes.test", "password": "processes-admin-password", "organization": "default"}),
        200,
    )
    .await;
    let admin = login["access_token"].as_str().unwrap().to_owned();
    let unit = call(
        client,
        base,
        "/api/v1/units",
        &admin,
        json!({"name": "Standesamt"}),
        201,
    )
    .await;
    let unit = unit["id"].as_str().unwrap().to_owned();
    let lead = "leitung@processes.test";
    call(
        client,
        base,
        "/api/v1/users",
        &admin,
        json!({"email": lead, "display_name": "Leitung Standesamt", "role": "lead", "unit_id": unit}),
        201,
    )
    .await;
    (admin, unit, lead.to_owned())
}

/// Waits until `count()` reaches `n`, then a little longer for a duplicate to show.
async fn settle<T>(what: &str, n: usize, mut collect: impl FnMut() -> Vec<T>) -> Vec<T> {
    let start = Instant::now();
    loop {
        let got = collect();
        if got.len() >= n {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "only {} of {n} {what} arrived", got.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    collect()
}

/// Each key exactly once, `n` keys.
fn each_once(what: &str, n: usize, keys: impl Iterator<Item = String>) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for k in keys {
        *counts.entry(k).or_default() += 1;
    }
    assert_eq!(counts.len(), n, "{what}: one per idea");
    let twice: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "{what} arrived more than once: {twice:?}");
}

fn mail_ids(smtp: &Smtp, to: &str) -> Vec<String> {
    smtp.to(to)
        .into_iter()
        .map(|m: Value| m["message_id"].as_str().unwrap().to_owned())
        .collect()
}

/// `kill -9` while mails wait for an SMTP server that is down: after the restart (the
/// server back up) every one of them arrives, once.
async fn mail_killed_with_messages_pending(backend: Backend) {
    let Some(mut smtp) = Smtp::start_with(&[]) else { return };
    smtp.down();
    let dir = tempfile::tempdir().unwrap();
    let Some((url, _pg)) = database(backend, dir.path(), "mail_kill") else {
        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
        return;
    };
    let env = environment(&url, smtp.port);
    let mut first = Serve::start(dir.path(), &pairs(&env));
    let client = reqwest::Client::new();
    let (admin, unit, lead) = unit_with_lead(&client, &first.base).await;
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
    // Let the worker fail at least once on each (the SMTP server is down), then kill it.
    tokio::time::sleep(Duration::from_millis(600)).await;
    first.kill();
    assert!(smtp.messages().is_empty());
    smtp.up();
    let second = Serve::start(dir.path(), &pairs(&env));
    let got = settle("mails", n, || mail_ids(&smtp, &lead)).await;
    each_once("mail", n, got.into_iter());
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_mails_pending_delivers_after_restart_on_sqlite() {
    mail_killed_with_messages_pending(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_mails_pending_delivers_after_restart_on_postgres() {
    mail_killed_with_messages_pending(Backend::Postgres).await;
}

/// Two `kaizen serve` processes on one PostgreSQL database, both running the outbox
/// worker; ideas are submitted to both at once. Every webhook message and every mail
/// arrives exactly once (by `webhook-id` and by Message-ID).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_deliver_each_webhook_and_mail_once() {
    let Some(smtp) = Smtp::start_with(&[]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some((url, _pg)) = database(Backend::Postgres, dir.path(), "two_procs") else {
        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
        return;
    };
    let env = environment(&url, smtp.port);
    let one = Serve::start(dir.path(), &pairs(&env));
    let two = Serve::start(dir.path(), &pairs(&env));
    let client = reqwest::Client::new();
    let (admin, unit, lead) = unit_with_lead(&client, &one.base).await;
    let receiver = Receiver::start(Receiver::free_port());
    call(
        &client,
        &two.base,
        "/api/v1/webhooks",
        &admin,
        json!({"url": Receiver::url(receiver.port), "event_types": ["idea.submitted"]}),
        201,
    )
    .await;
    let n = 60;
    let mut tasks = Vec::new();
    for i in 0..n {
        let base = if i % 2 == 0 { one.base.clone() } else { two.base.clone() };
        let client = client.clone();
        let admin = admin.clone();
        let body = idea_body(&unit, &format!("Idee {i}"));
        tasks.push(tokio::spawn(async move {
            call(&client, &base, "/api/v1/ideas", &admin, body, 201).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let hooks = settle("webhooks", n, || receiver.all()).await;
    each_once("webhook", n, hooks.into_iter().map(|g| g.id));
    let mails = settle("mails", n, || mail_ids(&smtp, &lead)).await;
    each_once("mail", n, mails.into_iter());
    drop(one);
    drop(two);
    receiver.stop().await;
}
