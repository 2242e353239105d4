//! The staff import (issue 15, part 2) on both backends: a dry run writes nothing, the
//! list is applied in one transaction or not at all, the same list again changes nothing,
//! Excel's Windows-1252 files read like UTF-8, people are found again by personnel number
//! after their e-mail changed, leavers are deactivated only when asked (administrators
//! never), and only an organisation's admins import into it — over the API and on the
//! command line.

use std::process::Stdio;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

crate::both_backends!(
    a_list_is_tried_then_applied_once,
    problems_name_their_lines_and_write_nothing,
    only_admins_import_into_their_organisation,
    the_command_line_imports_the_same_way,
);

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Reply {
    let resp = app
        .client
        .request(Method::POST, app.url(&format!("/api/v1/users/import{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    TestApp::read(resp).await
}

async fn people(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/v1/users?limit=200", &app.admin.token).await;
    r.expect(200)["items"].as_array().unwrap().clone()
}

async fn unit_names(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    let r = app.get("/api/v1/units?limit=200", &app.admin.token).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_owned(),
                u["name"].as_str().unwrap().to_owned(),
                u["parent_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn person<'a>(list: &'a [Value], email: &str) -> &'a Value {
    list.iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {list:?}"))
}

/// Windows-1252 bytes of a text of Latin-1 characters (what Excel writes in Germany).
fn cp1252(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect()
}

const LIST: &str = "\u{feff}Personalnummer;Name;E-Mail;Einheit;Rolle\n\
    P-1;Jürgen Weiß;j.weiss@stadt.example;Bürgerdienste/Bürgeramt;Führungskraft\n\
    P-2;Anna Öztürk;a.oeztuerk@stadt.example;Bürgerdienste/Bürgeramt;Beschäftigte\n\
    P-3;Carl Groß;c.gross@stadt.example;Bürgerdienste/Standesamt;\n\
    P-4;Dana Stein;d.stein@stadt.example;Bauamt;manager\n";

async fn a_list_is_tried_then_applied_once(app: &TestApp) {
    let before = people(app).await.len();
    let stay = app.user("employee", None).await;

    // A dry run says what would change and writes nothing.
    let dry = import(app, &app.admin.token, "?dry_run=true", LIST.as_bytes().to_vec()).await;
    let report = dry.expect(200).clone();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["applied"], false);
    assert_eq!(report["created"].as_array().unwrap().len(), 4);
    let mut units: Vec<&str> = report["units_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    units.sort();
    assert_eq!(
        units,
        vec![
            "Bauamt",
            "Bürgerdienste",
            "Bürgerdienste/Bürgeramt",
            "Bürgerdienste/Standesamt"
        ]
    );
    assert_eq!(report["problems"].as_array().unwrap().len(), 0);
    assert_eq!(people(app).await.len(), before + 1);
    assert!(unit_names(app).await.is_empty());

    // Applied: everything, in the units along the paths, with the roles named.
    let applied = import(app, &app.admin.token, "", LIST.as_bytes().to_vec()).await;
    assert_eq!(applied.expect(200)["applied"], true);
    let all = people(app).await;
    assert_eq!(all.len(), before + 5);
    let units = unit_names(app).await;
    let id_of = |name: &str| units.iter().find(|u| u.1 == name).unwrap().0.clone();
    let parent_of = |name: &str| units.iter().find(|u| u.1 == name).unwrap().2.clone();
    assert_eq!(parent_of("Bürgeramt"), Some(id_of("Bürgerdienste")));
    assert_eq!(parent_of("Bauamt"), None);
    let weiss = person(&all, "j.weiss@stadt.example");
    assert_eq!(weiss["display_name"], "Jürgen Weiß");
    assert_eq!(weiss["role"], "lead");
    assert_eq!(weiss["unit_id"], id_of("Bürgeramt").as_str());
    assert_eq!(person(&all, "c.gross@stadt.example")["role"], "employee");
    assert_eq!(person(&all, "d.stein@stadt.example")["role"], "manager");
    // No password yet: nobody can sign in with any until an admin resets it.
    assert_eq!(weiss["must_change_password"], true);
    assert_eq!(app.login("j.weiss@stadt.example", "!imported").await.status, 401);

    // The same list again changes nothing, not even a version.
    let again = import(app, &app.admin.token, "", LIST.as_bytes().to_vec()).await;
    let again = again.expect(200).clone();
    assert_eq!(again["unchanged"], 4);
    assert!(again["created"].as_array().unwrap().is_empty());
    assert!(again["updated"].as_array().unwrap().is_empty());
    assert!(again["units_created"].as_array().unwrap().is_empty());
    let versions: Vec<&Value> = all.iter().map(|p| &p["version"]).collect();
    let after = people(app).await;
    assert_eq!(versions, after.iter().map(|p| &p["version"]).collect::<Vec<_>>());

    // Excel's own file: Windows-1252 with commas. Anna married and has a new e-mail: her
    // personnel number finds her; Carl moved; Dana is missing (she left).
    let excel = cp1252(
        "Personalnummer,Name,E-Mail,Einheit,Rolle\r\n\
         P-1,Jürgen Weiß,j.weiss@stadt.example,Bürgeramt,Führungskraft\r\n\
         P-2,Anna Schäfer,a.schaefer@stadt.example,Bürgeramt,\r\n\
         P-3,Carl Groß,c.gross@stadt.example,Bürgeramt,\r\n",
    );
    let anna_id = person(&after, "a.oeztuerk@stadt.example")["id"].clone();
    let kept = import(app, &app.admin.token, "", excel.clone()).await;
    let kept = kept.expect(200).clone();
    let updated: Vec<(&str, Vec<&str>)> = kept["updated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap(),
                u["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        updated,
        vec![
            ("a.schaefer@stadt.example", vec!["name", "email"]),
            ("c.gross@stadt.example", vec!["unit"]),
        ]
    );
    assert!(kept["deactivated"].as_array().unwrap().is_empty(), "not asked");
    let now = people(app).await;
    let anna = person(&now, "a.schaefer@stadt.example");
    assert_eq!(anna["id"], anna_id);
    assert_eq!(anna["display_name"], "Anna Schäfer");
    assert_eq!(person(&now, "d.stein@stadt.example")["active"], true);
    // Asked: Dana and the other people not listed are deactivated, the admin is not.
    let leavers = import(app, &app.admin.token, "?deactivate_missing=true", excel).await;
    let leavers = leavers.expect(200).clone();
    let gone: Vec<&str> = leavers["deactivated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["email"].as_str().unwrap())
        .collect();
    assert!(gone.contains(&"d.stein@stadt.example"));
    assert!(gone.contains(&stay.email.as_str()));
    let now = people(app).await;
    assert_eq!(person(&now, "d.stein@stadt.example")["active"], false);
    assert_eq!(person(&now, crate::helpers::ADMIN_EMAIL)["active"], true);
    // A deactivated person's session ends with it.
    app.get("/api/v1/me", &stay.token).await.expect(401);
}

async fn problems_name_their_lines_and_write_nothing(app: &TestApp) {
    let before = people(app).await.len();
    let list = "name;email;unit;role\n\
        Gute Zeile;gut@stadt.example;Kämmerei;\n\
        ;leer@stadt.example;Kämmerei;\n\
        Ohne At;kein-at;Kämmerei;\n\
        Doppelt;gut@stadt.example;Kämmerei;\n\
        Chefin;chefin@stadt.example;Kämmerei;Chefin\n";
    let dry = import(app, &app.admin.token, "?dry_run=true", list.as_bytes().to_vec()).await;
    let problems: Vec<(u64, String)> = dry.expect(200)["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["field"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "name".to_owned()),
            (4, "email".to_owned()),
            (5, "email".to_owned()),
            (6, "role".to_owned())
        ]
    );
    let applied = import(app, &app.admin.token, "", list.as_bytes().to_vec()).await;
    applied.expect(422);
    let fields = applied.error_fields();
    assert_eq!(
        fields,
        vec!["lines[3].name", "lines[4].email", "lines[5].email", "lines[6].role"]
    );
    assert_eq!(people(app).await.len(), before, "nothing of the good line either");
    assert!(unit_names(app).await.is_empty());
    // A list without the needed columns, an empty body, NUL, a list that would leave no
    // admin: 4xx, nothing written.
    let r = import(app, &app.admin.token, "", b"Vorname;Nachname\nA;B\n".to_vec()).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["lines[1].file", "lines[1].file"]);
    import(app, &app.admin.token, "", Vec::new()).await.expect(422);
    let r = import(app, &app.admin.token, "", b"name;email\nA\0;a@b.de\n".to_vec()).await;
    r.expect(422);
    let demote = format!("name;email;role\nAdmin;{};employee\n", crate::helpers::ADMIN_EMAIL);
    let r = import(app, &app.admin.token, "", demote.into_bytes()).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["lines[1].role"]);
    assert_eq!(person(&people(app).await, crate::helpers::ADMIN_EMAIL)["role"], "admin");
    assert_eq!(people(app).await.len(), before);
}

async fn only_admins_import_into_their_organisation(app: &TestApp) {
    let list = "name;email\nNeu;neu@stadt.example\n".as_bytes().to_vec();
    for role in ["employee", "lead", "manager"] {
        let who = app.user(role, None).await;
        import(app, &who.token, "?dry_run=true", list.clone()).await.expect(403);
    }
    let anonymous = app
        .client
        .post(app.url("/api/v1/users/import"))
        .body(list.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Another organisation's admin imports into theirs only, even the same e-mails.
    let ours = app.user("employee", None).await;
    let (_, theirs) = app.other_organization().await;
    let same = format!("name;email;role\nDoppelgänger;{};lead\n", ours.email);
    let r = import(app, &theirs.token, "", same.into_bytes()).await;
    assert_eq!(r.expect(200)["created"].as_array().unwrap().len(), 1);
    let mine = person(&people(app).await, &ours.email).clone();
    assert_eq!(mine["role"], "employee");
    assert_eq!(
        people(app)
            .await
            .iter()
            .filter(|p| p["email"] == ours.email.as_str())
            .count(),
        1
    );
}

async fn the_command_line_imports_the_same_way(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("personal.csv");
    std::fs::write(
        &file,
        cp1252("Name;E-Mail;Einheit\nJörg Müller;j.mueller@stadt.example;Bauhof\n"),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = crate::cli::kaizen();
        cmd.args(["import", "staff"])
            .arg(&file)
            .args(["--org", &app.org_slug])
            .args(extra)
            .env("DATABASE_URL", &app.settings.database_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = run(&["--dry-run"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("dry run, nothing written"), "{out}");
    assert!(out.contains("1 people created"), "{out}");
    assert!(
        people(app)
            .await
            .iter()
            .all(|p| p["email"] != "j.mueller@stadt.example")
    );
    let (code, out) = run(&[]);
    assert_eq!(code, Some(0), "{out}");
    let all = people(app).await;
    assert_eq!(person(&all, "j.mueller@stadt.example")["display_name"], "Jörg Müller");
    let (_, out) = run(&[]);
    assert!(out.contains("1 unchanged"), "{out}");
    std::fs::write(&file, "Name;E-Mail\nX;kaputt\n").unwrap();
    let (code, out) = run(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 2: email"), "{out}");
}
