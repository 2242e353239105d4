//! What each role met when trying kaizen: naming co-authors, units of one name, a list of
//! users, every problem of a body at once, due dates, edits in the history.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, submit};

both_backends!(
    employees_find_colleagues_to_name_as_co_authors,
    sibling_units_have_different_names,
    a_list_of_users_is_refused_plainly,
    every_problem_of_a_body_is_reported_at_once,
    a_plan_cannot_be_due_in_the_past,
    edits_of_an_idea_are_in_its_history,
    the_idea_list_exports_as_csv,
);

/// Managers report to the council from the list: every idea matching the list's filters,
/// as a table German spreadsheets open cleanly; authors behind a code word stay hidden.
async fn the_idea_list_exports_as_csv(app: &TestApp) {
    let top = app.create_unit("Bürgerdienste", None).await;
    let amt = app.create_unit("Bürgeramt", Some(&top)).await;
    let other = app.create_unit("Bauhof", None).await;
    let employee = app.user("employee", Some(&amt)).await;
    let manager = app.user("manager", None).await;
    for i in 0..205 {
        submit(app, &employee, idea_body(&amt, &format!("Idee {i}"))).await;
    }
    submit(app, &employee, idea_body(&other, "Anderswo")).await;
    let mut anonymous = idea_body(&amt, "=SUMME(A1)");
    anonymous["code_word"] = json!("Eisvogel");
    submit(app, &employee, anonymous).await;
    let r = app
        .get_default_language(
            &format!("/api/v1/ideas?format=csv&unit={top}&status=submitted"),
            &manager.token,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").unwrap().contains("kaizen-ideen.csv"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(r.text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..3], &["ID", "Titel", "Status"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 206, "all pages, only the filtered unit's sub-tree");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(rows.iter().all(|r| r.get(col("Status")) == Some("Eingereicht")));
    assert!(rows.iter().all(|r| r.get(col("Einheit")) == Some("Bürgeramt")));
    let hidden = rows
        .iter()
        .find(|r| r.get(col("Titel")) == Some("'=SUMME(A1)"))
        .expect("defused title");
    assert_eq!(
        hidden.get(col("Eingereicht von")),
        Some("Kennwort Eisvogel"),
        "the manager sees no name"
    );
    let day = rows[0].get(col("Eingereicht am")).unwrap();
    assert!(chrono::NaiveDate::parse_from_str(day, "%d.%m.%Y").is_ok(), "{day}");
    // An employee exports what they may list; a bad format is refused.
    let mine = app
        .get("/api/v1/ideas?format=csv&lang=en&author=me", &employee.token)
        .await;
    assert_eq!(mine.status.as_u16(), 200);
    assert!(mine.text.starts_with("\u{feff}id,title,status"), "{}", mine.text);
    assert_eq!(
        mine.text.lines().count(),
        1 + 207,
        "the author lists all of their ideas"
    );
    assert!(
        !mine.text.contains("Eisvogel"),
        "the author sees their own name, not the code word"
    );
    app.get("/api/v1/ideas?format=pdf", &manager.token).await.expect(422);
}

async fn employees_find_colleagues_to_name_as_co_authors(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    for (email, name) in [
        ("tom@test.local", "Tom Krause"),
        ("toni@test.local", "Antonia Tomaschek"),
        ("ule@test.local", "Ülkü Öztürk"),
    ] {
        app.post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": email, "display_name": name, "role": "employee", "unit_id": unit, "password": "ein-passwort-123"}),
        )
        .await
        .expect(201);
    }
    let r = app.get("/api/v1/people?q=tom", &employee.token).await;
    let found = r.expect(200)["items"].as_array().unwrap().clone();
    let names: Vec<&str> = found.iter().map(|p| p["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Antonia Tomaschek", "Tom Krause"]);
    // Name and unit only: nothing else about a colleague.
    let mut keys: Vec<&String> = found[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, vec!["display_name", "id", "unit_id", "unit_name"]);
    assert_eq!(found[0]["unit_name"], "Bürgeramt");
    // Case does not matter, umlauts included.
    let r = app.get("/api/v1/people?q=%C3%BCLK%C3%9C", &employee.token).await;
    assert_eq!(r.expect(200)["items"][0]["display_name"], "Ülkü Öztürk");
    app.get("/api/v1/people?q=t", &employee.token).await.expect(422);
    // A colleague found there can be named as a co-author.
    let tom = found[1]["id"].as_str().unwrap().to_owned();
    let mut body = idea_body(&unit, "Gemeinsam");
    body["co_authors"] = json!([{"user_id": tom, "share": 40}]);
    body["author_share"] = json!(60);
    app.post("/api/v1/ideas", &employee.token, body).await.expect(201);
    // Who left is not found; another organisation's people are not found.
    app.deactivate(&tom).await;
    let r = app.get("/api/v1/people?q=krause", &employee.token).await;
    assert!(r.expect(200)["items"].as_array().unwrap().is_empty());
    let (_, other) = app.other_organization().await;
    let r = app.get("/api/v1/people?q=tomaschek", &other.token).await;
    assert!(r.expect(200)["items"].as_array().unwrap().is_empty());
}

async fn sibling_units_have_different_names(app: &TestApp) {
    let top = app.create_unit("Bürgerdienste", None).await;
    let amt = app.create_unit("Bürgeramt", Some(&top)).await;
    let twin = app
        .post(
            "/api/v1/units",
            &app.admin.token,
            json!({"name": "BÜRGERAMT", "parent_id": top}),
        )
        .await;
    twin.expect(422);
    assert_eq!(twin.error_fields(), vec!["name"]);
    // Elsewhere in the tree the name is free.
    let other = app.create_unit("Bauen", None).await;
    let moved = app.create_unit("Bürgeramt", Some(&other)).await;
    // Moving it beside its namesake, or renaming another sibling to it, is refused too.
    let r = app
        .patch(
            &format!("/api/v1/units/{moved}"),
            &app.admin.token,
            json!({"version": 1, "parent_id": top}),
        )
        .await;
    r.expect(422);
    let sibling = app.create_unit("Standesamt", Some(&top)).await;
    let r = app
        .patch(
            &format!("/api/v1/units/{sibling}"),
            &app.admin.token,
            json!({"version": 1, "name": "bürgeramt"}),
        )
        .await;
    r.expect(422);
    // Renaming a unit to its own name in other letters is fine.
    app.patch(
        &format!("/api/v1/units/{amt}"),
        &app.admin.token,
        json!({"version": 1, "name": "Bürgeramt "}),
    )
    .await
    .expect(200);
}

async fn a_list_of_users_is_refused_plainly(app: &TestApp) {
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!([
                {"email": "a@test.local", "display_name": "A", "role": "employee"},
                {"email": "b@test.local", "display_name": "B", "role": "employee"}
            ]),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["body"]);
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("one user is created per request") && message.contains("staff import"),
        "{message}"
    );
    let listed = app.get("/api/v1/users?limit=200", &app.admin.token).await;
    assert_eq!(
        listed.expect(200)["items"].as_array().unwrap().len(),
        1,
        "nothing created"
    );
}

async fn every_problem_of_a_body_is_reported_at_once(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    // A bad title and shares hide nothing else: the unknown dimension is named as well.
    let mut body = idea_body(&unit, " ");
    body["dimensions"] = json!(["leadership", "no_such_dimension"]);
    body["co_authors"] = json!([{"user_id": "nobody", "share": 120}]);
    let r = app.post("/api/v1/ideas", &employee.token, body).await;
    r.expect(422);
    let fields = r.error_fields();
    for field in ["title", "dimensions[1]", "co_authors[0].user_id"] {
        assert!(fields.contains(&field.to_string()), "{field} missing in {fields:?}");
    }
    // Type errors do not hide each other, and say what is expected in plain words.
    let r = app
        .put(
            "/api/v1/reassessment",
            &app.admin.token,
            json!({"version": 0, "enabled": "ja", "interval_months": "sechs", "window_days": 21, "first_due_at": "13.04.2027"}),
        )
        .await;
    r.expect(422);
    let message = |field: &str| -> String {
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no {field} in {}", r.text))
    };
    assert_eq!(message("enabled"), "must be true or false");
    assert_eq!(message("interval_months"), "must be a whole number");
    assert!(message("first_due_at").contains("2027-04-13T07:00:00Z"), "{}", r.text);
}

async fn a_plan_cannot_be_due_in_the_past(app: &TestApp) {
    let unit = app.create_unit("Bauhof", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let idea = id_of(&submit(app, &employee, idea_body(&unit, "Streusalz")).await);
    let path = format!("/api/v1/ideas/{idea}/transitions");
    app.post(&path, &lead.token, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    let start = |due: &str| {
        json!({"action": "start", "version": 2, "owner_id": lead.user_id, "problem": "Zu viel Salz",
               "goal": "Weniger Salz", "kpi_name": "Tonnen je Winter", "kpi_baseline": 40.0, "kpi_target": 30.0,
               "lower_is_better": true, "due_date": due, "prediction": "Wir sparen ein Viertel."})
    };
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let r = app.post(&path, &lead.token, start(&yesterday)).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["due_date"]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    app.post(&path, &lead.token, start(&today)).await.expect(200);
}

async fn edits_of_an_idea_are_in_its_history(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &employee, idea_body(&unit, "Erste Fassung")).await);
    let r = app
        .patch(
            &format!("/api/v1/ideas/{idea}"),
            &employee.token,
            json!({"version": 1, "title": "Zweite Fassung"}),
        )
        .await;
    r.expect(200);
    let history = app.get(&format!("/api/v1/ideas/{idea}/history"), &employee.token).await;
    let events = history.expect(200)["items"].as_array().unwrap().clone();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["submit", "edit"]);
    let edit: &Value = &events[1];
    assert_eq!(
        edit["stage"]["edited"]["title"], "Erste Fassung",
        "the earlier text is kept"
    );
    assert!(
        edit["stage"]["edited"]["proposal"].is_null(),
        "unchanged fields are not repeated"
    );
    assert_eq!(edit["actor"]["id"], employee.user_id.as_str());
    // An edit that changes nothing leaves no event.
    app.patch(
        &format!("/api/v1/ideas/{idea}"),
        &employee.token,
        json!({"version": 2, "title": "Zweite Fassung"}),
    )
    .await
    .expect(200);
    let history = app.get(&format!("/api/v1/ideas/{idea}/history"), &employee.token).await;
    assert_eq!(history.expect(200)["items"].as_array().unwrap().len(), 2);
}
