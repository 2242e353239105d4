//! The administration over HTTP on both backends: units and staff. Every change made
//! through a page is checked through the API; refusals (a cycle, a unit still in use, a
//! stale version, the last admin, oneself) change nothing; employees, leads and managers
//! get 403 for every page and form; another organisation's ids are missing pages.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp};
use crate::web::Browser;

crate::both_backends!(
    units_are_created_renamed_moved_and_deleted,
    people_are_created_changed_reset_and_deactivated,
    a_form_with_problems_keeps_what_was_typed,
    the_staff_list_is_checked_then_applied,
    only_admins_of_the_organisation_get_these_pages,
);

async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut b = Browser::new(app);
    let r = b.login(email, password).await;
    assert_eq!(r.status, 303, "{}", r.html);
    b
}

async fn admin(app: &TestApp) -> Browser {
    signed_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await
}

async fn units_by_name(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/units?limit=200", &app.admin.token).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn unit_named(app: &TestApp, name: &str) -> Value {
    units_by_name(app)
        .await
        .into_iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("no unit {name}"))
}

async fn user_by_email(app: &TestApp, email: &str) -> Option<Value> {
    let r = app.get("/api/v1/users?limit=200", &app.admin.token).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
}

/// The text of the element with this id (its first text up to the next tag).
fn text_of(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    rest[start..start + end].trim().to_owned()
}

/// The value of the (first) hidden input with this name, HTML entities undone.
fn input_value(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = html.find(&needle).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &html[at + needle.len()..];
    unescape(&rest[..rest.find('"').unwrap()])
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#x3d;", "=")
        .replace("&#43;", "+")
        .replace("&#x2b;", "+")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn units_are_created_renamed_moved_and_deleted(app: &TestApp) {
    let mut b = admin(app).await;
    let page = b.get("/admin/units").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Neue Einheit anlegen"));

    // Create two top-level units and one below the first.
    let r = b
        .post_form("/admin/units", &[("name", "Bürgerdienste"), ("parent_id", "")], true)
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some("/admin/units?done=created"));
    let dienste = unit_named(app, "Bürgerdienste").await;
    assert!(dienste["parent_id"].is_null());
    let dienste_id = dienste["id"].as_str().unwrap().to_owned();
    b.get("/admin/units").await;
    let r = b
        .post_form(
            "/admin/units",
            &[("name", "Bürgeramt"), ("parent_id", &dienste_id)],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let amt = unit_named(app, "Bürgeramt").await;
    assert_eq!(amt["parent_id"], dienste_id.as_str());
    let amt_id = amt["id"].as_str().unwrap().to_owned();
    b.get("/admin/units").await;
    assert_eq!(
        b.post_form("/admin/units", &[("name", "Ordnungsamt"), ("parent_id", "")], true)
            .await
            .status,
        303
    );
    let ordnung_id = unit_named(app, "Ordnungsamt").await["id"].as_str().unwrap().to_owned();

    // The tree nests the sub-unit in its parent's list, with its number of people.
    let tree = b.get("/admin/units?done=created").await;
    assert!(tree.html.contains("Die Einheit wurde angelegt."));
    let parent_at = tree.html.find(&format!("id=\"unit-{dienste_id}\"")).unwrap();
    let child_at = tree.html.find(&format!("id=\"unit-{amt_id}\"")).unwrap();
    let between = &tree.html[parent_at..child_at];
    assert!(between.contains("<ul>") && !between.contains("</li>"), "{between}");
    assert!(tree.html.contains("(0 Personen)"));

    // Rename.
    let page = b.get(&format!("/admin/units/{amt_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Bürgerdienste / Bürgeramt"));
    let r = b
        .post_form(
            &format!("/admin/units/{amt_id}"),
            &[("name", "Bürgerbüro"), ("parent_id", &dienste_id), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let got = app.get(&format!("/api/v1/units/{amt_id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["name"], "Bürgerbüro");
    assert_eq!(got.body["version"], 2);

    // Move under another parent.
    b.get(&format!("/admin/units/{amt_id}")).await;
    let r = b
        .post_form(
            &format!("/admin/units/{amt_id}"),
            &[("name", "Bürgerbüro"), ("parent_id", &ordnung_id), ("version", "2")],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let got = app.get(&format!("/api/v1/units/{amt_id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["parent_id"], ordnung_id.as_str());

    // A stale version changes nothing and says so, with what was typed kept.
    let r = b
        .post_form(
            &format!("/admin/units/{amt_id}"),
            &[("name", "Veraltet"), ("parent_id", &dienste_id), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("inzwischen von jemand anderem geändert"), "{}", r.html);
    assert!(r.html.contains("value=\"Veraltet\""));
    let got = app.get(&format!("/api/v1/units/{amt_id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["name"], "Bürgerbüro");
    assert_eq!(got.body["parent_id"], ordnung_id.as_str());

    // Moving a unit below its own sub-unit is refused as the API refuses it.
    let r = b
        .post_form(
            &format!("/admin/units/{ordnung_id}"),
            &[("name", "Ordnungsamt"), ("parent_id", &amt_id), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("id=\"error-summary\""));
    assert!(
        r.html.contains("Würde die Einheit sich selbst unterordnen."),
        "{}",
        r.html
    );
    assert!(r.html.contains("href=\"#parent_id\""));
    let got = app.get(&format!("/api/v1/units/{ordnung_id}"), &app.admin.token).await;
    assert!(got.expect(200)["parent_id"].is_null());

    // A unit with sub-units or people is not deleted; the refusal is shown.
    let r = b
        .post_form(&format!("/admin/units/{ordnung_id}/delete"), &[], true)
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("Die Einheit hat 1 Untereinheit(en)"), "{}", r.html);
    app.user("employee", Some(&amt_id)).await;
    let r = b.post_form(&format!("/admin/units/{amt_id}/delete"), &[], true).await;
    assert_eq!(r.status, 409);
    assert!(r.html.contains("Die Einheit hat 1 Mitglied(er)"), "{}", r.html);
    app.get(&format!("/api/v1/units/{amt_id}"), &app.admin.token)
        .await
        .expect(200);
    assert!(b.get("/admin/units").await.html.contains("(1 Person)"));

    // An empty unit is deleted.
    b.get("/admin/units").await;
    b.post_form("/admin/units", &[("name", "Leer"), ("parent_id", &dienste_id)], true)
        .await;
    let leer = unit_named(app, "Leer").await["id"].as_str().unwrap().to_owned();
    let r = b.post_form(&format!("/admin/units/{leer}/delete"), &[], true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some("/admin/units?done=deleted"));
    app.get(&format!("/api/v1/units/{leer}"), &app.admin.token)
        .await
        .expect(404);
}

async fn people_are_created_changed_reset_and_deactivated(app: &TestApp) {
    let amt = app.create_unit("Bürgeramt", None).await;
    let kasse = app.create_unit("Stadtkasse", None).await;
    let mut b = admin(app).await;
    let form = b.get("/admin/staff/new").await;
    assert_eq!(form.status, 200, "{}", form.html);
    let r = b
        .post_form(
            "/admin/staff/new",
            &[
                ("display_name", "Jonas Weber"),
                ("email", "Jonas.Weber@test.local"),
                ("role", "lead"),
                ("unit_id", &amt),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.html);
    assert!(r.location.is_none());
    let password = text_of(&r.html, "initial-password");
    assert!(password.len() >= 12, "{password}");
    assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
    let user = user_by_email(app, "jonas.weber@test.local").await.expect("created");
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(user["role"], "lead");
    assert_eq!(user["unit_id"], amt.as_str());
    assert_eq!(user["must_change_password"], true);
    // The password works over the API, and is not shown again.
    app.login("jonas.weber@test.local", &password).await.expect(200);
    let person = b.get(&format!("/admin/staff/{id}")).await;
    assert_eq!(person.status, 200);
    assert!(!person.html.contains(&password));
    assert!(person.html.contains("Erstes Passwort noch nicht ersetzt"));

    // Search and filters.
    let list = b.get("/admin/staff?q=WEBER").await;
    assert!(list.html.contains("Jonas Weber"), "{}", list.html);
    assert!(!list.html.contains(ADMIN_EMAIL));
    assert!(b.get("/admin/staff?role=admin").await.html.contains(ADMIN_EMAIL));
    assert!(!b.get("/admin/staff?role=admin").await.html.contains("Jonas Weber"));
    assert!(
        b.get(&format!("/admin/staff?unit={amt}"))
            .await
            .html
            .contains("Jonas Weber")
    );
    assert!(b.get("/admin/staff?q=niemand").await.html.contains("Niemand passt"));
    assert!(b.get("/admin/staff?active=false").await.html.contains("Niemand passt"));

    // Role and unit.
    b.get(&format!("/admin/staff/{id}")).await;
    let r = b
        .post_form(
            &format!("/admin/staff/{id}"),
            &[("role", "manager"), ("unit_id", &kasse), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let got = app.get(&format!("/api/v1/users/{id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["role"], "manager");
    assert_eq!(got.body["unit_id"], kasse.as_str());
    let version = got.body["version"].as_i64().unwrap();
    // A stale form changes nothing.
    let r = b
        .post_form(
            &format!("/admin/staff/{id}"),
            &[("role", "employee"), ("unit_id", ""), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("inzwischen von jemand anderem geändert"));
    let got = app.get(&format!("/api/v1/users/{id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["role"], "manager");
    assert_eq!(got.body["version"].as_i64().unwrap(), version);

    // Password reset: a new one, shown once; the old one no longer works.
    let r = b.post_form(&format!("/admin/staff/{id}/password"), &[], true).await;
    assert_eq!(r.status, 200, "{}", r.html);
    let second = text_of(&r.html, "initial-password");
    assert_ne!(second, password);
    assert_eq!(app.login("jonas.weber@test.local", &password).await.status, 401);
    app.login("jonas.weber@test.local", &second).await.expect(200);

    // Deactivation: the sign-in is refused afterwards.
    b.get(&format!("/admin/staff/{id}")).await;
    let r = b.post_form(&format!("/admin/staff/{id}/deactivate"), &[], true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let got = app.get(&format!("/api/v1/users/{id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["active"], false);
    assert_eq!(app.login("jonas.weber@test.local", &second).await.status, 401);
    let page = b.get(&format!("/admin/staff/{id}?done=deactivated")).await;
    assert!(page.html.contains("Die Person wurde deaktiviert."));
    assert!(b.get("/admin/staff?active=false").await.html.contains("Jonas Weber"));

    // An admin cannot deactivate themselves, nor demote the last admin.
    let me = app.admin.user_id.clone();
    let mine = b.get(&format!("/admin/staff/{me}")).await;
    assert!(!mine.html.contains("id=\"deactivate-person\""));
    let r = b.post_form(&format!("/admin/staff/{me}/deactivate"), &[], true).await;
    assert_eq!(r.status, 409);
    assert!(r.html.contains("Sie können sich nicht selbst deaktivieren."));
    let admin_version = app
        .get(&format!("/api/v1/users/{me}"), &app.admin.token)
        .await
        .expect(200)["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let r = b
        .post_form(
            &format!("/admin/staff/{me}"),
            &[("role", "employee"), ("unit_id", ""), ("version", &admin_version)],
            true,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("letzte aktive Administration"), "{}", r.html);
    let got = app.get(&format!("/api/v1/users/{me}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["role"], "admin");
    assert_eq!(got.body["active"], true);
}

async fn a_form_with_problems_keeps_what_was_typed(app: &TestApp) {
    let mut b = admin(app).await;
    b.get("/admin/staff/new").await;
    let r = b
        .post_form(
            "/admin/staff/new",
            &[
                ("display_name", "Erika Muster"),
                ("email", "erika-at-example"),
                ("role", "employee"),
                ("unit_id", ""),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("id=\"error-summary\""));
    assert!(r.html.contains("href=\"#email\""));
    assert!(r.html.contains("Ist keine gültige E-Mail-Adresse."), "{}", r.html);
    assert!(r.html.contains("id=\"email-error\""));
    assert!(r.html.contains("value=\"erika-at-example\""));
    assert!(r.html.contains("value=\"Erika Muster\""));
    assert!(r.html.contains("<title>Fehler:") || r.html.contains("<title>"), "title");
    assert!(user_by_email(app, "erika-at-example").await.is_none());

    // An e-mail in use already is named at the field.
    let r = b
        .post_form(
            "/admin/staff/new",
            &[
                ("display_name", "Zweiter Admin"),
                ("email", ADMIN_EMAIL),
                ("role", "nonsense"),
                ("unit_id", ""),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("href=\"#role\""), "{}", r.html);
    let r = b
        .post_form(
            "/admin/staff/new",
            &[
                ("display_name", "Zweiter Admin"),
                ("email", ADMIN_EMAIL),
                ("role", "admin"),
                ("unit_id", ""),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("schon ein Konto mit der E-Mail-Adresse"), "{}", r.html);
    assert!(r.html.contains("value=\"Zweiter Admin\""));

    // A unit name too long, at the unit form.
    b.get("/admin/units").await;
    let long = "x".repeat(121);
    let r = b
        .post_form("/admin/units", &[("name", &long), ("parent_id", "")], true)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("href=\"#name\""));
    assert!(r.html.contains(&format!("value=\"{long}\"")));
    assert!(units_by_name(app).await.is_empty());
}

/// A `multipart/form-data` form sent as a browser would, with this browser's session.
async fn post_multipart(
    app: &TestApp,
    b: &Browser,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (u16, String) {
    let boundary = "----kaizen-test-boundary-8d1f";
    let mut body: Vec<u8> = Vec::new();
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf_token", token));
    for (name, value) in all {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let resp = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("accept", "text/html")
        .header("accept-language", "de-DE,de;q=0.9")
        .header("origin", app.address.clone())
        .header(
            "cookie",
            format!("kaizen_session={}", b.session_cookie().expect("signed in")),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

const LIST: &str = "personalnummer;name;email;einheit;rolle\n\
1001;Anna Schmidt;anna.schmidt@test.local;Bürgerdienste/Bürgeramt;employee\n\
1002;Ben Koch;ben.koch@test.local;Bürgerdienste;teamleitung\n";

async fn the_staff_list_is_checked_then_applied(app: &TestApp) {
    let mut b = admin(app).await;
    let form = b.get("/admin/staff/import").await;
    assert_eq!(form.status, 200, "{}", form.html);
    assert!(form.html.contains("enctype=\"multipart/form-data\""));
    let token = form.token();

    // No file: a problem at the field.
    let (status, html) = post_multipart(app, &b, "/admin/staff/import", &token, &[], None).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("href=\"#file\""));

    // The check writes nothing and shows what would change.
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import",
        &token,
        &[],
        Some(("personal.csv", LIST.as_bytes())),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Was sich ändern würde"), "{html}");
    assert!(html.contains("id=\"import-created\""));
    assert!(html.contains("Anna Schmidt") && html.contains("Ben Koch"));
    assert!(html.contains("Bürgerdienste/Bürgeramt"));
    assert!(user_by_email(app, "anna.schmidt@test.local").await.is_none());
    assert!(units_by_name(app).await.is_empty());
    let content = input_value(&html, "content");
    assert!(!content.is_empty());

    // Applying imports the file again, from the bytes the page carried.
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import/apply",
        &token,
        &[("content", &content), ("file_name", "personal.csv")],
        None,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Die Liste wurde übernommen"), "{html}");
    let anna = user_by_email(app, "anna.schmidt@test.local").await.expect("imported");
    let ben = user_by_email(app, "ben.koch@test.local").await.expect("imported");
    assert_eq!(ben["role"], "lead");
    let amt = unit_named(app, "Bürgeramt").await;
    assert_eq!(anna["unit_id"], amt["id"]);
    assert_eq!(units_by_name(app).await.len(), 2);

    // The same list again changes nothing, and offers nothing to apply.
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import",
        &token,
        &[("deactivate_missing", "")],
        Some(("personal.csv", LIST.as_bytes())),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"nothing-to-do\""), "{html}");
    assert!(!html.contains("id=\"apply-import\""));

    // Deactivating those missing from a shorter list: shown first, done on apply; never
    // the admin.
    let short = "name;email;einheit\nAnna Schmidt;anna.schmidt@test.local;Bürgerdienste/Bürgeramt\n";
    let (_, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import",
        &token,
        &[("deactivate_missing", "true")],
        Some(("kurz.csv", short.as_bytes())),
    )
    .await;
    assert!(html.contains("id=\"import-deactivated\""), "{html}");
    assert!(html.contains("ben.koch@test.local"));
    assert_eq!(user_by_email(app, "ben.koch@test.local").await.unwrap()["active"], true);
    let content = input_value(&html, "content");
    assert_eq!(input_value(&html, "deactivate_missing"), "true");
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import/apply",
        &token,
        &[("content", &content), ("deactivate_missing", "true")],
        None,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        user_by_email(app, "ben.koch@test.local").await.unwrap()["active"],
        false
    );
    assert_eq!(user_by_email(app, ADMIN_EMAIL).await.unwrap()["active"], true);

    // Problems are named by line, and nothing is offered to apply.
    let bad = "name;email;rolle\nCarla Neu;carla.neu@test.local;employee\nDora Falsch;keine-adresse;employee\n";
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import",
        &token,
        &[],
        Some(("fehler.csv", bad.as_bytes())),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"import-problems\""), "{html}");
    assert!(
        html.contains("<th scope=\"row\" class=\"kern-table__cell kern-table__cell--numeric\">3</th>"),
        "{html}"
    );
    assert!(html.contains("Ist keine gültige E-Mail-Adresse"), "{html}");
    assert!(!html.contains("id=\"apply-import\""));
    // Applying such a file anyway (a hand-made form) writes nothing.
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bad)
    };
    let (status, html) = post_multipart(
        app,
        &b,
        "/admin/staff/import/apply",
        &token,
        &[("content", &encoded)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Die Liste wurde nicht übernommen"), "{html}");
    assert!(user_by_email(app, "carla.neu@test.local").await.is_none());

    // Without the form token nothing is read.
    let (status, _) = post_multipart(
        app,
        &b,
        "/admin/staff/import",
        "falsch",
        &[],
        Some(("personal.csv", LIST.as_bytes())),
    )
    .await;
    assert_eq!(status, 403);
}

async fn only_admins_of_the_organisation_get_these_pages(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let person = app.user("employee", Some(&unit)).await;
    let mut browsers = Vec::new();
    for role in ["employee", "lead", "manager"] {
        let who = app.user(role, Some(&unit)).await;
        browsers.push((role, signed_in(app, &who.email, PASSWORD).await));
    }
    let mut admin = admin(app).await;
    let gets = [
        "/admin/units".to_owned(),
        format!("/admin/units/{unit}"),
        "/admin/staff".to_owned(),
        "/admin/staff/new".to_owned(),
        format!("/admin/staff/{}", person.user_id),
        "/admin/staff/import".to_owned(),
    ];
    let posts: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            "/admin/units".into(),
            vec![("name", "Neu".into()), ("parent_id", String::new())],
        ),
        (
            format!("/admin/units/{unit}"),
            vec![
                ("name", "Umbenannt".into()),
                ("parent_id", String::new()),
                ("version", "1".into()),
            ],
        ),
        (format!("/admin/units/{unit}/delete"), vec![]),
        (
            "/admin/staff/new".into(),
            vec![
                ("display_name", "X".into()),
                ("email", "x@test.local".into()),
                ("role", "admin".into()),
            ],
        ),
        (
            format!("/admin/staff/{}", person.user_id),
            vec![
                ("role", "admin".into()),
                ("unit_id", String::new()),
                ("version", "1".into()),
            ],
        ),
        (format!("/admin/staff/{}/deactivate", person.user_id), vec![]),
        (format!("/admin/staff/{}/password", person.user_id), vec![]),
    ];
    for (role, b) in &mut browsers {
        for path in &gets {
            let r = b.get(path).await;
            assert_eq!(r.status, 403, "{role} GET {path}");
            assert!(r.html.contains("Dafür fehlt Ihnen die Berechtigung."));
        }
        let token = b.get("/").await.token();
        for (path, fields) in &posts {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = b.post_form(path, &fields, true).await;
            assert_eq!(r.status, 403, "{role} POST {path}");
        }
        for path in ["/admin/staff/import", "/admin/staff/import/apply"] {
            let (status, _) = post_multipart(
                app,
                b,
                path,
                &token,
                &[("content", "bmFtZTtlbWFpbApYO3hAdGVzdC5sb2NhbAo=")],
                Some(("l.csv", b"name;email\nX;x@test.local\n")),
            )
            .await;
            assert_eq!(status, 403, "{role} POST {path}");
        }
    }
    // Nothing changed.
    let got = app.get(&format!("/api/v1/units/{unit}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["name"], "Bürgeramt");
    let got = app
        .get(&format!("/api/v1/users/{}", person.user_id), &app.admin.token)
        .await;
    assert_eq!(got.expect(200)["active"], true);
    assert_eq!(got.body["role"], "employee");
    app.login(&person.email, PASSWORD).await.expect(200);
    assert!(user_by_email(app, "x@test.local").await.is_none());
    assert_eq!(units_by_name(app).await.len(), 1);

    // Another organisation's unit and person are missing pages, for reading and changing.
    let token = admin.get("/admin/units").await.token();
    let (_, other) = app.other_organization().await;
    let foreign_unit = app
        .post("/api/v1/units", &other.token, json!({"name": "Fremd"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign_user = other.user_id.clone();
    for path in [
        format!("/admin/units/{foreign_unit}"),
        format!("/admin/staff/{foreign_user}"),
    ] {
        assert_eq!(admin.get(&path).await.status, 404, "GET {path}");
    }
    admin.get("/admin/units").await;
    for (path, fields) in [
        (
            format!("/admin/units/{foreign_unit}"),
            vec![("name", "Meins"), ("parent_id", ""), ("version", "1")],
        ),
        (format!("/admin/units/{foreign_unit}/delete"), vec![]),
        (
            format!("/admin/staff/{foreign_user}"),
            vec![("role", "employee"), ("unit_id", ""), ("version", "1")],
        ),
        (format!("/admin/staff/{foreign_user}/deactivate"), vec![]),
        (format!("/admin/staff/{foreign_user}/password"), vec![]),
    ] {
        let r = admin.post_form(&path, &fields, true).await;
        assert_eq!(r.status, 404, "POST {path}: {}", r.html);
    }
    // Their unit is no parent and no unit to choose here.
    let r = admin
        .post_form(
            "/admin/units",
            &[("name", "Unter Fremd"), ("parent_id", &foreign_unit)],
            true,
        )
        .await;
    assert_eq!(r.status, 422);
    let r = admin
        .post_form(
            "/admin/staff/new",
            &[
                ("display_name", "Y"),
                ("email", "y@test.local"),
                ("role", "employee"),
                ("unit_id", &foreign_unit),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("href=\"#unit_id\""));
    let got = app.get(&format!("/api/v1/units/{foreign_unit}"), &other.token).await;
    assert_eq!(got.expect(200)["name"], "Fremd");
    let got = app.get(&format!("/api/v1/users/{foreign_user}"), &other.token).await;
    assert_eq!(got.expect(200)["active"], true);
    let _ = token;
}
