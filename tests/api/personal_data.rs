//! Access and portability (GDPR Art. 15 and 20) on both backends: a person's export holds
//! their account, ideas (the anonymous one with its code word), co-authorship, comments,
//! votes, the steps they took and sessions, and the rounds they answered — but never an
//! answer; an admin's export for them holds the same without the participation; nobody
//! else gets one, and another organisation's admin gets 404. The web pages give the same file.

use serde_json::{Value, json};

use crate::assessment_support::{builtin_id, items, open_round, submit as answer, uniform_answers};
use crate::helpers::{PASSWORD, TestApp};
use crate::ideas::{id_of, idea_body, submit};
use crate::web::Browser;

crate::both_backends!(
    a_person_gets_everything_held_about_them_and_no_answer,
    only_the_person_and_their_admins_get_the_export,
);

async fn a_person_gets_everything_held_about_them_and_no_answer(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let anna = app.user("employee", Some(&unit)).await;
    let ben = app.user("employee", Some(&unit)).await;
    let round = open_round(app, None).await;
    let open = id_of(&submit(app, &anna, idea_body(&unit, "Online-Termine")).await);
    let mut secret = idea_body(&unit, "Weniger Formulare");
    secret["code_word"] = json!("Eule");
    let anonymous = id_of(&submit(app, &anna, secret).await);
    let mut group = idea_body(&unit, "Gemeinsame Ablage");
    group["author_share"] = json!(60);
    group["co_authors"] = json!([{"user_id": anna.user_id, "share": 40}]);
    let shared = id_of(&submit(app, &ben, group).await);
    let r = app
        .post(
            &format!("/api/v1/ideas/{shared}/comments"),
            &anna.token,
            json!({"body": "Gute Idee, mit Ordnerplan?"}),
        )
        .await;
    r.expect(201);
    app.put(&format!("/api/v1/ideas/{shared}/votes"), &anna.token, json!({}))
        .await
        .expect(200);
    let qid = builtin_id(app, &app.admin.token).await;
    let list = items(app, &qid).await;
    assert_eq!(answer(app, &round, &anna, uniform_answers(&list, |_| 4)).await, 201);

    let r = app.get("/api/v1/me/export", &anna.token).await;
    let cd = r.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment; filename=\"kaizen-daten-"), "{cd}");
    let data: Value = r.expect(200).clone();
    assert_eq!(data["account"]["id"], anna.user_id.as_str());
    assert_eq!(data["account"]["email"], anna.email.as_str());
    assert_eq!(data["account"]["unit_name"], "Bürgeramt");
    let ideas: Vec<&str> = data["ideas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ideas, vec![open.as_str(), anonymous.as_str()]);
    assert_eq!(data["ideas"][1]["code_word"], "Eule");
    assert_eq!(data["co_authorships"][0]["idea_id"], shared.as_str());
    assert_eq!(data["co_authorships"][0]["share"], 40);
    assert_eq!(data["comments"][0]["body"], "Gute Idee, mit Ordnerplan?");
    assert_eq!(data["votes"][0]["idea_id"], shared.as_str());
    let actions: Vec<(&str, &str)> = data["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["idea_id"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, vec![(open.as_str(), "submit"), (anonymous.as_str(), "submit")]);
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    assert_eq!(data["survey_participation"][0]["round_id"], round.as_str());
    // No answer, no response id: nothing of the survey but the participation.
    let text = serde_json::to_string(&data).unwrap();
    for (item, _, _) in &list {
        assert!(
            !text.contains(&format!("\"{item}\"")),
            "an item of the survey in the export"
        );
    }
    assert!(!text.contains("\"value\""));
    // Ben's export does not hold Anna's comment or vote.
    let theirs = app.get("/api/v1/me/export", &ben.token).await.expect(200).clone();
    assert!(theirs["comments"].as_array().unwrap().is_empty());
    assert!(theirs["votes"].as_array().unwrap().is_empty());
    assert_eq!(theirs["ideas"][0]["id"], shared.as_str());
    assert_eq!(theirs["survey_participation"], json!([]));

    // The browser: a link in every page's footer gives the same file.
    let mut b = Browser::new(app);
    assert_eq!(b.login(&anna.email, PASSWORD).await.status, 303);
    let home = b.get("/").await;
    assert!(home.html.contains("href=\"/account/export\""));
    let file = b.get("/account/export").await;
    assert_eq!(file.status, 200);
    assert!(
        file.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let from_web: Value = serde_json::from_str(&file.html).unwrap();
    assert_eq!(from_web["ideas"], data["ideas"]);
    assert_eq!(from_web["survey_participation"], data["survey_participation"]);
}

async fn only_the_person_and_their_admins_get_the_export(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let anna = app.user("employee", Some(&unit)).await;
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let list = items(app, &qid).await;
    assert_eq!(answer(app, &round, &anna, uniform_answers(&list, |_| 3)).await, 201);
    let path = format!("/api/v1/users/{}/export", anna.user_id);

    let data = app.get(&path, &app.admin.token).await.expect(200).clone();
    assert_eq!(data["account"]["id"], anna.user_id.as_str());
    assert_eq!(data["survey_participation"], Value::Null, "never to an admin");
    assert!(
        serde_json::to_string(&data)
            .unwrap()
            .contains("only to the person themselves")
    );
    for role in ["employee", "lead", "manager"] {
        let other = app.user(role, Some(&unit)).await;
        app.get(&path, &other.token).await.expect(403);
    }
    app.get("/api/v1/users/no-such-user/export", &app.admin.token)
        .await
        .expect(404);

    // The admin page offers the same file; others get the 403 page.
    let admin = app.user("admin", None).await;
    let mut b = Browser::new(app);
    assert_eq!(b.login(&admin.email, PASSWORD).await.status, 303);
    let page = b.get(&format!("/admin/staff/{}", anna.user_id)).await;
    assert!(
        page.html
            .contains(&format!("href=\"/admin/staff/{}/export\"", anna.user_id))
    );
    let file = b.get(&format!("/admin/staff/{}/export", anna.user_id)).await;
    assert_eq!(file.status, 200);
    let from_web: Value = serde_json::from_str(&file.html).unwrap();
    assert_eq!(from_web["account"], data["account"]);
    assert_eq!(from_web["survey_participation"], Value::Null);
    let lead = app.user("lead", Some(&unit)).await;
    let mut b = Browser::new(app);
    assert_eq!(b.login(&lead.email, PASSWORD).await.status, 303);
    assert_eq!(
        b.get(&format!("/admin/staff/{}/export", anna.user_id)).await.status,
        403
    );

    // Another organisation's admin: the person does not exist for them.
    let (_, theirs) = app.other_organization().await;
    app.get(&path, &theirs.token).await.expect(404);
}
