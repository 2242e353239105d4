//! The management dashboard (`/reports`) over HTTP on both backends: the same figures as
//! the JSON report, the comparisons, a suppressed unit, the CSV downloads, and who may see
//! which scope. (In Chromium with axe: `web_browser_reports.rs`.)

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Session, TestApp};
use crate::ideas::{id_of, idea_body, submit};
use crate::reports::{adopt, round, scores_of};
use crate::web::Browser;

crate::both_backends!(
    the_dashboard_shows_what_the_reports_say,
    the_dashboard_keeps_each_role_in_its_scope,
);

async fn signed_in(app: &TestApp, who: &Session) -> Browser {
    let mut b = Browser::new(app);
    let r = b.login(&who.email, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.html);
    b
}

/// Signed in where several organisations exist: the form names the organisation.
async fn signed_in_at(app: &TestApp, who: &Session, password: &str) -> Browser {
    let slug = app.get("/api/v1/organization", &who.token).await.expect(200)["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = Browser::new(app);
    b.get("/login").await;
    let r = b
        .post_form(
            "/login",
            &[("email", &who.email), ("password", password), ("organization", &slug)],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    b
}

/// The text of the row of `table` whose header cell is `name`, tags removed.
fn row(html: &str, table: &str, name: &str) -> String {
    let start = html
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("table {table}"));
    let rest = &html[start..];
    let rest = &rest[..rest.find("</table>").unwrap()];
    let cell = format!(">{name}");
    let tr = rest
        .split("<tr")
        .find(|tr| tr.contains(&cell))
        .unwrap_or_else(|| panic!("row {name} in {table}"));
    let tr = &tr[tr.find('>').unwrap() + 1..];
    let mut text = String::new();
    let mut in_tag = false;
    for c in tr.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `3.456` as the German page writes it with `decimals` places.
fn de(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}").replace('.', ",").replace('-', "−")
}

fn dimension<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|d| d["key"] == key).unwrap()
}

async fn the_dashboard_shows_what_the_reports_say(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let small = app.create_unit("Standesamt", None).await;
    let mut people = Vec::new();
    for _ in 0..8 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let lead = app.user("lead", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let r1 = round(app, &people, 6, scores_of(0)).await;
    let r2 = round(app, &people, 8, scores_of(1)).await;
    let mut idea = idea_body(&unit, "Offene Sprechstunde der Amtsleitung");
    idea["dimensions"] = json!(["leadership"]);
    let idea = id_of(&submit(app, &people[1], idea).await);
    adopt(app, &lead, &people[2], &idea, 120.0, 4500.0).await;
    let r3 = round(app, &people, 5, scores_of(2)).await;
    let api = app
        .get_default_language("/api/v1/reports/progress", &manager.token)
        .await
        .expect(200)
        .clone();

    let mut b = signed_in(app, &manager).await;
    let page = b.get("/reports").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Auswertung: Gesamte Organisation"));
    // The latest round's scores with their confidence intervals, as the API has them.
    let latest = api["rounds"].as_array().unwrap().last().unwrap();
    assert_eq!(latest["id"], r3.as_str());
    for key in ["leadership", "error_culture"] {
        let d = dimension(&latest["dimensions"], key);
        let line = row(&page.html, "scores", d["name"].as_str().unwrap());
        let score = d["score"].as_f64().unwrap();
        let low = ((d["ci95_low"].as_f64().unwrap() - 1.0) / 4.0 * 100.0).max(0.0);
        let high = ((d["ci95_high"].as_f64().unwrap() - 1.0) / 4.0 * 100.0).min(100.0);
        let band = d["band"]["label"].as_str().unwrap();
        let expected = format!("{} {} – {} {band} {}", de(score, 1), de(low, 1), de(high, 1), d["n"]);
        assert!(line.ends_with(&expected), "{line} / {expected}");
    }
    // Both charts inline, each with its own ids, and their data as tables.
    assert!(page.html.contains("aria-labelledby=\"radar-title radar-desc\""));
    assert!(page.html.contains("aria-labelledby=\"trend-title trend-desc\""));
    assert!(!page.html.contains("chart-title"));
    assert!(page.html.contains("id=\"radar-data\"") && page.html.contains("id=\"trend-data\""));

    // Previous → latest by default: the verdict in words, the figures one click away,
    // the adopted improvement beside its dimension.
    let previous = api["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "previous_vs_latest")
        .unwrap();
    assert_eq!(previous["baseline_round_id"], r2.as_str());
    let leadership = dimension(&previous["dimensions"], "leadership");
    let said = leadership["verdict"]["label"]
        .as_str()
        .or(leadership["verdict_withheld"].as_str())
        .unwrap();
    let line = row(&page.html, "changes", leadership["name"].as_str().unwrap());
    assert!(line.contains(said), "{line} / {said}");
    assert!(
        line.contains(&format!("p-Wert {}", de(leadership["p_value"].as_f64().unwrap(), 3)))
            || leadership["p_value"].as_f64().unwrap() < 0.001,
        "{line}"
    );
    assert!(line.contains("Hedges"), "{line}");
    assert!(line.ends_with("1 (120 h)"), "adopted improvement: {line}");
    // Any two rounds, chosen.
    let chosen = b.get(&format!("/reports?cmp=chosen&baseline={r1}&compare={r3}")).await;
    assert_eq!(chosen.status, 200);
    let titles: Vec<String> = api["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        chosen.html.contains(&format!("{} → {}", titles[0], titles[2])),
        "chosen pair shown"
    );
    assert!(
        chosen
            .html
            .contains("id=\"cmp-chosen\" name=\"cmp\" value=\"chosen\" checked")
    );
    // The same round twice cannot be compared: said, and the default shown instead.
    let same = b.get(&format!("/reports?cmp=chosen&baseline={r1}&compare={r1}")).await;
    assert_eq!(same.status, 200);
    assert!(same.html.contains("kern-alert--warning"), "{}", same.html);
    assert!(same.html.contains(&format!("{} → {}", titles[1], titles[2])));

    // A unit where fewer than k answered: said, no figures, no tables of dashes.
    let mut few = Vec::new();
    for _ in 0..3 {
        few.push(app.user("employee", Some(&small)).await);
    }
    let r4 = round(app, &few, 3, |_, _| 2).await;
    let _ = r4;
    let suppressed = b.get(&format!("/reports?unit={small}")).await;
    assert_eq!(suppressed.status, 200);
    assert!(suppressed.html.contains("Auswertung: Standesamt"));
    assert!(
        suppressed.html.contains("zu wenige Antworten (unter 5)"),
        "{}",
        suppressed.html
    );
    assert!(!suppressed.html.contains("id=\"scores\""));
    assert!(!suppressed.html.contains("id=\"radar-data\""));

    // The CSV downloads: what the API gives, for German Excel.
    let csv = b.get("/reports/export?table=comparisons").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers["content-type"].to_str().unwrap(), "text/csv; charset=utf-8");
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kaizen-fortschritt.csv")
    );
    assert!(
        csv.html.starts_with("\u{feff}Vergleich;Ausgangsrunde;"),
        "{}",
        &csv.html[..80]
    );
    let from_api = app
        .get_default_language("/api/v1/reports/progress?format=csv", &manager.token)
        .await;
    assert_eq!(csv.html, from_api.text, "the same table as the API's");
    let stages = b.get("/reports/export?table=stages").await;
    assert!(stages.html.starts_with("\u{feff}Phase;Ideen jetzt;"), "{}", stages.html);
    assert_eq!(b.get("/reports/export?table=nonsense").await.status, 422);
    assert_eq!(b.get("/reports/export").await.status, 400);

    // The pipeline: the adopted idea counted, each stage a link to its ideas.
    let line = row(&page.html, "stages", "Umgesetzt");
    assert!(line.starts_with("Umgesetzt 1"), "{line}");
    assert!(page.html.contains("href=\"/ideas?status=done\""));
    // English by the switch.
    b.get("/lang?to=en&back=/reports").await;
    let en = b.get("/reports").await;
    assert!(en.html.contains("Reports: Whole organisation"), "{}", en.html);
}

async fn the_dashboard_keeps_each_role_in_its_scope(app: &TestApp) {
    let amt = app.create_unit("Bürgeramt", None).await;
    let stelle = app.create_unit("Meldestelle", Some(&amt)).await;
    let other = app.create_unit("Kämmerei", None).await;
    let employee = app.user("employee", Some(&amt)).await;
    let lead = app.user("lead", Some(&amt)).await;
    let unitless_lead = app.user("lead", None).await;

    let mut e = signed_in(app, &employee).await;
    for path in [
        "/reports",
        "/reports/export?table=comparisons",
        "/reports/export?table=stages",
    ] {
        let r = e.get(path).await;
        assert_eq!(r.status, 403, "{path}");
    }
    assert!(!e.get("/").await.html.contains("href=\"/reports\""));
    let mut none = signed_in(app, &unitless_lead).await;
    assert_eq!(none.get("/reports").await.status, 403);

    // A lead: their unit by default, the units below it to choose, no other.
    let mut l = signed_in(app, &lead).await;
    let page = l.get("/reports").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Auswertung: Bürgeramt"));
    assert!(page.html.contains(&format!("value=\"{stelle}\"")));
    assert!(!page.html.contains(&format!("value=\"{other}\"")));
    assert!(!page.html.contains("Gesamte Organisation"));
    assert!(page.html.contains("href=\"/reports\""), "in the navigation");
    assert_eq!(l.get(&format!("/reports?unit={stelle}")).await.status, 200);
    assert_eq!(l.get(&format!("/reports?unit={other}")).await.status, 403);
    assert_eq!(
        l.get(&format!("/reports/export?table=stuck&unit={other}")).await.status,
        403
    );

    // Another organisation's manager: none of these units, none of these figures.
    let (_, their_admin) = app.other_organization().await;
    let mut t = signed_in_at(app, &their_admin, crate::helpers::ADMIN_PASSWORD).await;
    let theirs = t.get("/reports").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.html.contains("Bürgeramt"));
    let r = t.get(&format!("/reports?unit={amt}")).await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(!r.html.contains("Bürgeramt"));
    let r = t.get(&format!("/reports/export?table=rounds&unit={amt}")).await;
    assert_eq!(r.status, 422);
}
