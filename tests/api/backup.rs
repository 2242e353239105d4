//! `kaizen backup`: a consistent copy of the SQLite database taken while ideas are being
//! written, which opens, passes SQLite's integrity check and holds every idea acknowledged
//! before the copy began; PostgreSQL is pointed to pg_dump.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use crate::helpers::{Backend, TestApp};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_is_whole() {
    let app = Arc::new(TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app"));
    let unit = app.create_unit("Bürgeramt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (app, unit, token, acknowledged, stop) = (
            app.clone(),
            unit.clone(),
            author.token.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let r = app
                    .post(
                        "/api/v1/ideas",
                        &token,
                        json!({"title": format!("Idee {w}-{n}"), "current_situation": "a", "proposal": "b",
                               "expected_benefit": "c", "unit_id": unit}),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
                acknowledged.fetch_add(1, Ordering::SeqCst);
                n += 1;
            }
        }));
    }
    // Let the writes run, then copy while they go on.
    while acknowledged.load(Ordering::SeqCst) < 30 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("kopie.db");
    let before = acknowledged.load(Ordering::SeqCst);
    let url = app.settings.database_url.clone();
    let copy2 = copy.clone();
    let out = tokio::task::spawn_blocking(move || {
        crate::cli::kaizen()
            .args(["backup"])
            .arg(&copy2)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let after = acknowledged.load(Ordering::SeqCst);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // More writes after the copy: the service went on.
    while acknowledged.load(Ordering::SeqCst) < after + 10 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }

    // One self-contained file (SQLite's online backup API wrote it; no log beside it).
    assert!(!dir.path().join("kopie.db-wal").exists());
    let mut conn = SqliteConnection::establish(copy.to_str().unwrap()).unwrap();
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(check.integrity_check, "ok");
    let ideas: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM ideas")
        .get_result(&mut conn)
        .unwrap();
    let ideas = usize::try_from(ideas.n).unwrap();
    assert!(
        (before..=after).contains(&ideas),
        "the copy holds {ideas} ideas; {before} were acknowledged before it began, {after} when it ended"
    );
    // Every idea in the copy has its history entry: one snapshot, not a torn read.
    let events: Count = diesel::sql_query("SELECT COUNT(DISTINCT idea_id) AS n FROM idea_events")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(usize::try_from(events.n).unwrap(), ideas);
    drop(conn);
    // The copy is a database kaizen serves (restoring = putting it in place while stopped).
    let migrate = crate::cli::kaizen()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", copy.display()))
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    // Restored: a server started on the copy serves its ideas to the sessions it holds,
    // and takes new ones.
    let newest: String = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = Text)]
            id: String,
        }
        let mut conn = SqliteConnection::establish(copy.to_str().unwrap()).unwrap();
        diesel::sql_query("SELECT id FROM ideas ORDER BY created_at DESC, id DESC LIMIT 1")
            .get_result::<Id>(&mut conn)
            .unwrap()
            .id
    };
    let secret = app.settings.jwt_secret.clone().unwrap();
    let restored_url = format!("sqlite://{}", copy.display());
    let (mut restored, log, lines) = crate::cli::start(
        dir.path(),
        &[
            ("DATABASE_URL", restored_url.as_str()),
            ("KAIZEN_JWT_SECRET", secret.as_str()),
        ],
    );
    let port = crate::cli::port_of(&log).unwrap_or_else(|| panic!("the restored copy did not start:\n{log}"));
    // A connection per request: a kept-alive one the server may close just then would
    // fail the request for the wrong reason on a busy machine.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v1/ideas");
    let shown = client
        .get(format!("{base}/{newest}"))
        .bearer_auth(&author.token)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    let shown: serde_json::Value = shown.json().await.unwrap();
    assert_eq!(shown["id"], newest.as_str());
    let created = client
        .post(&base)
        .bearer_auth(&author.token)
        .json(
            &json!({"title": "Nach der Wiederherstellung", "current_situation": "a", "proposal": "b",
                      "expected_benefit": "c", "unit_id": unit}),
        )
        .send()
        .await;
    let created = created.unwrap_or_else(|e| {
        let more: Vec<String> = lines.try_iter().collect();
        panic!("{e}\n{log}\n{}", more.join("\n"))
    });
    assert_eq!(created.status(), 201);
    crate::cli::sigterm(&restored);
    assert!(crate::cli::wait_exit(&mut restored, std::time::Duration::from_secs(20)).is_some());
    // A second backup to the same file is refused; nothing is overwritten.
    let again = crate::cli::kaizen()
        .args(["backup"])
        .arg(&copy)
        .env("DATABASE_URL", &app.settings.database_url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[tokio::test]
async fn postgres_is_pointed_to_pg_dump() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = crate::cli::kaizen()
        .args(["backup"])
        .arg(dir.path().join("x.db"))
        .env("DATABASE_URL", &app.settings.database_url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
    assert!(!dir.path().join("x.db").exists());
}
