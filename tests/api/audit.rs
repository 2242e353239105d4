//! The audit trail (issue 16, part 1) on both backends: administrative acts through the
//! API and the pages are recorded with actor, object and what changed (never a name,
//! e-mail or answer), listed newest first with filters and keyset paging; the hash chain
//! verifies, and an entry edited, deleted or appended with SQL is found and named — by the
//! endpoint and by `kaizen audit verify`. Only admins read it, each their own organisation.

use std::process::Command;

use serde_json::{Value, json};

use crate::assessment_support::{close, is_postgres, open_round};
use crate::helpers::{PASSWORD, TestApp};
use crate::web::Browser;

crate::both_backends!(
    administrative_acts_are_recorded_and_listed,
    altered_entries_are_found_and_named,
    only_admins_read_their_own_trail,
);

async fn actions(app: &TestApp, query: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/audit?limit=200{query}"), &app.admin.token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn sql(app: &TestApp, statement: String) {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = pool.get().unwrap();
        diesel::sql_query(statement).execute(&mut *conn).unwrap();
    })
    .await
    .unwrap();
}

async fn verify(app: &TestApp) -> Value {
    app.get("/api/v1/audit/verify", &app.admin.token)
        .await
        .expect(200)
        .clone()
}

/// `kaizen audit verify` on the test's database: (exit success, output).
fn cli_verify(app: &TestApp) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kaizen"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.settings.database_url)
        .env("KAIZEN_JWT_SECRET", "a-test-secret-that-is-long-enough-to-pass")
        .env_remove("KAIZEN_BIND")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn administrative_acts_are_recorded_and_listed(app: &TestApp) {
    let me = app.get("/api/v1/me", &app.admin.token).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unit = app.create_unit("Bürgeramt", None).await;
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "gisela.trommelfell@test.local", "display_name": "Gisela Trommelfell", "role": "employee", "unit_id": unit}),
        )
        .await;
    let gisela = r.expect(201)["user"]["id"].as_str().unwrap().to_owned();
    let v = app
        .get(&format!("/api/v1/users/{gisela}"), &app.admin.token)
        .await
        .expect(200)["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/users/{gisela}"),
        &app.admin.token,
        json!({"version": v, "role": "lead"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/users/{gisela}/password-reset"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    app.get(&format!("/api/v1/users/{gisela}/export"), &app.admin.token)
        .await
        .expect(200);
    let org = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    app.patch(
        "/api/v1/organization",
        &app.admin.token,
        json!({"version": org["version"], "min_group_size": 7}),
    )
    .await
    .expect(200);
    let round = open_round(app, None).await;
    close(app, &round).await;
    app.put(
        "/api/v1/reassessment",
        &app.admin.token,
        json!({"version": 0, "enabled": true, "interval_months": 6, "window_days": 21, "first_due_at": "2027-03-01T07:00:00Z"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/users/{gisela}/deactivate"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/users/{gisela}/erase"),
        &app.admin.token,
        json!({"confirm_email": "gisela.trommelfell@test.local"}),
    )
    .await
    .expect(200);
    // And one through the pages: a questionnaire published by another admin.
    let other_admin = app.user("admin", None).await;
    let mut b = Browser::new(app);
    assert_eq!(b.login(&other_admin.email, PASSWORD).await.status, 303);
    b.get("/admin/questionnaires").await;
    let r = b
        .post_file(
            "/admin/questionnaires/import",
            &[],
            "file",
            "t.json",
            serde_json::to_vec(&crate::questionnaires::custom("teamklima")).unwrap(),
        )
        .await;
    let qid = r.location.unwrap()["/admin/questionnaires/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    b.get("/admin/questionnaires").await;
    assert_eq!(
        b.post_form(&format!("/admin/questionnaires/{qid}/publish"), &[], true)
            .await
            .status,
        303
    );

    let all = actions(app, "").await;
    let names: Vec<&str> = all.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    let expected = [
        "unit.created",
        "user.created",
        "user.changed",
        "user.password_reset",
        "user.data_exported",
        "organization.settings_changed",
        "round.created",
        "round.closed",
        "schedule.saved",
        "user.deactivated",
        "user.erased",
        "questionnaire.imported",
        "questionnaire.published",
    ];
    let mut at = 0;
    for want in expected {
        let found = names[at..]
            .iter()
            .position(|n| *n == want)
            .unwrap_or_else(|| panic!("{want} in {names:?}"));
        at += found + 1;
    }
    let settings = all
        .iter()
        .find(|e| e["action"] == "organization.settings_changed")
        .unwrap();
    assert_eq!(settings["details"], json!({"min_group_size": {"from": 5, "to": 7}}));
    assert_eq!(settings["actor_id"], me.as_str());
    let published = all.iter().find(|e| e["action"] == "questionnaire.published").unwrap();
    assert_eq!(published["actor_id"], other_admin.user_id.as_str());
    assert_eq!(published["object_id"], qid.as_str());
    let changed = all.iter().find(|e| e["action"] == "user.changed").unwrap();
    assert_eq!(changed["details"]["role"], "lead");
    // No name and no e-mail anywhere in the trail.
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("Trommelfell") && !text.contains("gisela"), "{text}");
    // Newest first; filters; keyset pages without overlap.
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
    let created = actions(app, "&action=user.created").await;
    assert!(created.iter().all(|e| e["action"] == "user.created"));
    assert!(created.iter().any(|e| e["object_id"] == gisela.as_str()));
    let about = actions(app, &format!("&object_id={gisela}")).await;
    assert!(about.len() >= 6, "{about:?}");
    let first = app
        .get("/api/v1/audit?limit=3", &app.admin.token)
        .await
        .expect(200)
        .clone();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("/api/v1/audit?limit=3&cursor={cursor}"), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(
        second["items"][0]["seq"].as_i64().unwrap(),
        first["items"][2]["seq"].as_i64().unwrap() - 1
    );
    // The chain is intact.
    let check = verify(app).await;
    assert_eq!(check["intact"], true, "{check}");
    assert_eq!(check["entries"].as_i64().unwrap(), all.len() as i64);
    let (ok, out) = cli_verify(app);
    assert!(ok, "{out}");
    assert!(out.contains("chain intact"), "{out}");
}

async fn altered_entries_are_found_and_named(app: &TestApp) {
    for n in 0..5 {
        app.create_unit(&format!("Einheit {n}"), None).await;
    }
    let all = actions(app, "").await;
    assert_eq!(all.len(), 5);
    let org = app.get("/api/v1/organization", &app.admin.token).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id_of = |seq: i64| {
        all.iter().find(|e| e["seq"] == seq).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(verify(app).await["intact"], true);

    // Edited: the details of entry 2.
    sql(
        app,
        format!(
            "UPDATE audit_log SET details = '{{\"name\":\"Anders\"}}' WHERE id = '{}'",
            id_of(2)
        ),
    )
    .await;
    let check = verify(app).await;
    assert_eq!(check["intact"], false);
    assert_eq!(check["findings"][0]["seq"], 2);
    assert_eq!(check["findings"][0]["id"], id_of(2).as_str());
    assert!(check["findings"][0]["problem"].as_str().unwrap().starts_with("edited"));
    let (ok, out) = cli_verify(app);
    assert!(!ok, "{out}");
    assert!(out.contains("entry 2") && out.contains("edited"), "{out}");

    // Deleted: entry 4 (entry 2 still edited).
    sql(app, format!("DELETE FROM audit_log WHERE id = '{}'", id_of(4))).await;
    let check = verify(app).await;
    let problems: Vec<(i64, String)> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["seq"].as_i64().unwrap(), f["problem"].as_str().unwrap().to_owned()))
        .collect();
    assert!(
        problems.iter().any(|(s, p)| *s == 4 && p.starts_with("deleted")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|(s, p)| *s == 2 && p.starts_with("edited")),
        "{problems:?}"
    );

    // Deleted at the end, which leaves no gap: found by the head.
    sql(app, format!("DELETE FROM audit_log WHERE id = '{}'", id_of(5))).await;
    let check = verify(app).await;
    let text = check.to_string();
    assert!(
        text.contains("the chain ends at entry 3, but the last entry written was 5"),
        "{text}"
    );

    // Appended by hand, with a hash that does not fit: named as edited, and the head disagrees.
    let at = if is_postgres(app) {
        "NOW()"
    } else {
        "'2026-12-04 05:00:00'"
    };
    sql(
        app,
        format!(
            "INSERT INTO audit_log (id, org_id, seq, at, actor_id, action, object_type, object_id, details, prev_hash, hash) \
             VALUES ('forged', '{org}', 6, {at}, NULL, 'unit.created', 'unit', NULL, '{{}}', 'x', 'y')"
        ),
    )
    .await;
    let check = verify(app).await;
    let text = check.to_string();
    assert!(text.contains("\"id\":\"forged\""), "{text}");
}

async fn only_admins_read_their_own_trail(app: &TestApp) {
    app.create_unit("Bürgeramt", None).await;
    for role in ["employee", "lead", "manager"] {
        let who = app.user(role, None).await;
        app.get("/api/v1/audit", &who.token).await.expect(403);
        app.get("/api/v1/audit/verify", &who.token).await.expect(403);
    }
    let (_, theirs) = app.other_organization().await;
    let their = app.get("/api/v1/audit", &theirs.token).await.expect(200).clone();
    assert!(
        their["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "unit.created"),
        "{their}"
    );
    let ours = actions(app, "").await;
    assert!(ours.iter().any(|e| e["action"] == "unit.created"));
    assert_eq!(
        app.get("/api/v1/audit?cursor=nonsense", &app.admin.token)
            .await
            .status
            .as_u16(),
        400
    );
}
