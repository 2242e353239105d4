//! The progress report: rounds, Welch comparisons against SciPy reference values, the
//! closed loop with ideas, group-size rules, roles, CSV and SVG charts.

use serde_json::{Value, json};

use crate::assessment_support::{self, DIMENSIONS};
use crate::both_backends;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(
    progress_compares_rounds_with_welch_statistics,
    progress_respects_roles_scopes_and_group_size,
    reports_come_as_csv_and_charts_as_svg,
);

/// Per-respondent scores of two dimensions in three rounds; every other dimension is 3
/// for everyone (so it cannot be tested: no variation).
const LEADERSHIP: [&[i64]; 3] = [&[2, 2, 3, 3, 3, 4], &[3, 4, 4, 4, 5, 5, 4, 3], &[4, 5, 5, 4, 5]];
const ERROR_CULTURE: [&[i64]; 3] = [&[4, 4, 5, 5, 4, 3], &[3, 3, 4, 3, 2, 3, 4, 3], &[2, 3, 2, 3, 2]];

/// Runs one round of the built-in questionnaire in which person i gives `score(i, dim)`.
pub(crate) async fn round(app: &TestApp, people: &[Session], n: usize, score: impl Fn(usize, &str) -> i64) -> String {
    let id = assessment_support::open_round(app, None).await;
    let qid = assessment_support::builtin_id(app, &app.admin.token).await;
    let items = assessment_support::items(app, &qid).await;
    for (i, who) in people.iter().take(n).enumerate() {
        let body = assessment_support::uniform_answers(&items, |dim| score(i, dim));
        assert_eq!(assessment_support::submit(app, &id, who, body).await, 201);
    }
    assessment_support::close(app, &id).await;
    id
}

pub(crate) fn scores_of(r: usize) -> impl Fn(usize, &str) -> i64 {
    move |i, dim| match dim {
        "leadership" => LEADERSHIP[r][i],
        "error_culture" => ERROR_CULTURE[r][i],
        _ => 3,
    }
}

/// Walks an idea through one PDCA cycle to `done` with the given measured impact.
pub(crate) async fn adopt(app: &TestApp, lead: &Session, owner: &Session, id: &str, hours: f64, cost: f64) {
    let steps = [
        json!({"action": "accept", "version": 1, "owner_id": owner.user_id}),
        json!({"action": "start", "version": 2, "problem": "Lange Wege", "goal": "Kürzere Wege", "kpi_name": "Minuten",
               "kpi_baseline": 40.0, "kpi_target": 20.0, "lower_is_better": true, "due_date": crate::helpers::days_ahead(118), "prediction": "halbiert"}),
        json!({"action": "check", "version": 3, "do_summary": "Pilot lief.", "ran_as_planned": true}),
        json!({"action": "act", "version": 4, "measured_value": 18.0, "measured_hours_saved_per_year": hours, "measured_cost_saved_per_year": cost}),
        json!({"action": "adopt", "version": 5, "new_standard": "Gilt ab sofort für alle."}),
    ];
    for (n, body) in steps.into_iter().enumerate() {
        let who = if n == 2 || n == 3 { owner } else { lead };
        step(app, who, id, body).await.expect(200);
    }
}

fn close_to(v: &Value, expected: f64, tol: f64) -> bool {
    v.as_f64()
        .is_some_and(|x| (x - expected).abs() <= tol * expected.abs().max(1.0))
}

fn dim<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == key)
        .unwrap_or_else(|| panic!("{key} missing in {list}"))
}

fn comparison<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} missing"))
}

/// Expected values from SciPy 1.17: `scipy.stats.ttest_ind(later, earlier,
/// equal_var=False)` (t, df, p, `confidence_interval(0.95)`), Hedges' g with numpy as
/// (m2 − m1) / pooled sd × (1 − 3 / (4 (n1 + n2) − 9)); per-round CI as
/// mean ± t.ppf(0.975, n − 1) · sd / √n.
/// dimension, comparison, diff, t, df, p, ci_low, ci_high, g, verdict
type Expected = (
    &'static str,
    &'static str,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    &'static str,
);

#[rustfmt::skip]
const EXPECTED: [Expected; 4] = [
    // dimension, comparison, diff, t, df, p, ci_low, ci_high, g, verdict
    ("leadership", "previous_vs_latest", 0.6, 1.6550318531021104, 10.604617862896012, 0.12717656640845496, -0.20156959875753455, 1.4015695987575338, 0.8117783356503339, "no_clear_change"),
    ("leadership", "first_vs_latest", 1.7666666666666662, 4.495401327303845, 8.887304507819687, 0.001546965547449644, 0.8759306130169084, 2.6574027203164237, 2.41282456500977, "improved"),
    ("error_culture", "previous_vs_latest", -0.725, -2.1727701748132824, 9.711028756433464, 0.05569762466834049, -1.4714849274435688, 0.021484927443568558, -1.1080569404978615, "no_clear_change"),
    ("error_culture", "first_vs_latest", -1.766666666666667, -4.495401327303847, 8.887304507819687, 0.001546965547449639, -2.6574027203164245, -0.8759306130169093, -2.4128245650097715, "declined"),
];

async fn progress_compares_rounds_with_welch_statistics(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let mut people = Vec::new();
    for _ in 0..8 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let lead = app.user("lead", Some(&unit)).await;
    let manager = app.user("manager", None).await;

    let r1 = round(app, &people, 6, scores_of(0)).await;
    // Between round 1 and 2: an idea on leadership that is only submitted.
    let mut early = idea_body(&unit, "Führungskräfte-Feedback");
    early["dimensions"] = json!(["leadership"]);
    submit(app, &people[0], early).await;
    let r2 = round(app, &people, 8, scores_of(1)).await;
    // Between round 2 and 3: an adopted leadership idea and a submitted error-culture idea.
    let mut adopted = idea_body(&unit, "Offene Sprechstunde der Amtsleitung");
    adopted["dimensions"] = json!(["leadership", "knowledge_sharing"]);
    let adopted = id_of(&submit(app, &people[1], adopted).await);
    adopt(app, &lead, &people[2], &adopted, 120.0, 4500.0).await;
    let mut errors = idea_body(&unit, "Fehler-Logbuch");
    errors["dimensions"] = json!(["error_culture"]);
    submit(app, &people[3], errors).await;
    let r3 = round(app, &people, 5, scores_of(2)).await;

    let report = app.get("/api/v1/reports/progress?lang=en", &manager.token).await;
    let report = report.expect(200).clone();
    assert_eq!(report["lang"], "en");
    assert!(report["scope"]["unit_id"].is_null());
    let rounds = report["rounds"].as_array().unwrap();
    assert_eq!(
        rounds.iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(),
        vec![&r1, &r2, &r3]
    );
    // Eligible: the 8 employees, the lead, the manager and the admin.
    assert_eq!(rounds[1]["eligible"], 11);
    assert_eq!(rounds[1]["responses"], 8);
    assert!(close_to(&rounds[1]["response_rate"], 8.0 / 11.0, 1e-12));
    #[rustfmt::skip]
    let per_round = [(6, 2.8333333333333335, 0.752772652709081, 2.0433468828413814, 3.6233197838252855),
                     (8, 4.0, 0.7559289460184544, 3.3680275858630755, 4.631972414136924),
                     (5, 4.6, 0.5477225575051662, 3.919912619341744, 5.280087380658255)];
    for (r, (n, mean, sd, lo, hi)) in rounds.iter().zip(per_round) {
        let d = dim(&r["dimensions"], "leadership");
        assert_eq!(d["n"], n);
        assert!(close_to(&d["mean"], mean, 1e-12), "{d}");
        assert!(close_to(&d["sd"], sd, 1e-9), "{d}");
        assert!(
            close_to(&d["ci95_low"], lo, 1e-9) && close_to(&d["ci95_high"], hi, 1e-9),
            "{d}"
        );
        assert!(close_to(&d["score"], (mean - 1.0) * 25.0, 1e-9));
        assert_eq!(d["name"], "Leadership for learning");
    }

    for (key, kind, diff, t, df, p, lo, hi, g, verdict) in EXPECTED {
        let c = dim(&comparison(&report, kind)["dimensions"], key);
        assert!(close_to(&c["difference"], diff, 1e-12), "{kind} {key} {c}");
        assert!(close_to(&c["score_change"], diff * 25.0, 1e-9));
        assert!(close_to(&c["t"], t, 1e-9), "{kind} {key} t {c}");
        assert!(close_to(&c["df"], df, 1e-9), "{kind} {key} df {c}");
        assert!(close_to(&c["p_value"], p, 1e-6), "{kind} {key} p {c}");
        assert!(
            close_to(&c["ci95_low"], lo, 1e-6) && close_to(&c["ci95_high"], hi, 1e-6),
            "{kind} {key} ci {c}"
        );
        assert!(close_to(&c["hedges_g"], g, 1e-9), "{kind} {key} g {c}");
        assert_eq!(c["verdict"]["key"], verdict, "{kind} {key}");
        assert!(c["not_compared"].is_null());
    }
    // A dimension without any variation cannot be tested.
    let flat = dim(&comparison(&report, "first_vs_latest")["dimensions"], "motivation");
    assert_eq!(flat["not_compared"], "no_variation");
    assert!(flat["verdict"].is_null() && flat["t"].is_null());
    assert!(report["verdict_rule"].as_str().unwrap().contains("0.2"));

    // Closed loop: ideas between the compared rounds.
    let latest = comparison(&report, "previous_vs_latest");
    let lead_ideas = &dim(&latest["dimensions"], "leadership")["ideas"];
    assert_eq!(lead_ideas["submitted"], 1);
    assert_eq!(lead_ideas["by_status"], json!({"done": 1}));
    assert_eq!(lead_ideas["adopted"], 1);
    assert_eq!(lead_ideas["measured_hours_saved_per_year"], 120.0);
    assert_eq!(lead_ideas["measured_cost_saved_per_year"], 4500.0);
    let sharing = &dim(&latest["dimensions"], "knowledge_sharing")["ideas"];
    assert_eq!(sharing["adopted"], 1);
    assert_eq!(dim(&latest["dimensions"], "error_culture")["ideas"]["submitted"], 1);
    assert_eq!(dim(&latest["dimensions"], "error_culture")["ideas"]["adopted"], 0);
    let whole = comparison(&report, "first_vs_latest");
    let lead_ideas = &dim(&whole["dimensions"], "leadership")["ideas"];
    assert_eq!(lead_ideas["submitted"], 2);
    assert_eq!(lead_ideas["by_status"], json!({"done": 1, "submitted": 1}));
    // Association: of the compared dimensions, leadership had an adopted improvement.
    let assoc = &latest["association"];
    assert_eq!(assoc["with_adopted_improvements"]["dimensions"], 1);
    assert!(close_to(
        &assoc["with_adopted_improvements"]["mean_score_change"],
        15.0,
        1e-9
    ));
    assert_eq!(assoc["without_adopted_improvements"]["dimensions"], 1);
    assert!(close_to(
        &assoc["without_adopted_improvements"]["mean_score_change"],
        -18.125,
        1e-9
    ));
    assert!(assoc["note"].as_str().unwrap().starts_with("Association, not proof"));

    // A chosen pair.
    let chosen = app
        .get_default_language(
            &format!("/api/v1/reports/progress?baseline={r1}&compare={r2}"),
            &manager.token,
        )
        .await;
    let chosen = chosen.expect(200);
    assert_eq!(chosen["comparisons"].as_array().unwrap().len(), 1);
    assert_eq!(chosen["comparisons"][0]["kind"], "chosen");
    let c = dim(&chosen["comparisons"][0]["dimensions"], "leadership");
    assert!(close_to(&c["difference"], 4.0 - 2.8333333333333335, 1e-12));
    assert_eq!(chosen["lang"], "de", "German is the default");
    assert_eq!(c["name"], "Führung für Lernen");
    let r = app
        .get(&format!("/api/v1/reports/progress?baseline={r1}"), &manager.token)
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["compare"]);
    let r = app
        .get(
            &format!("/api/v1/reports/progress?baseline={r1}&compare=nope"),
            &manager.token,
        )
        .await;
    r.expect(422);
    let r = app
        .get(
            &format!("/api/v1/reports/progress?baseline={r1}&compare={r1}"),
            &manager.token,
        )
        .await;
    r.expect(422);
    // Leads see the same figures for their unit, which holds every respondent here.
    let mine = app.get("/api/v1/reports/progress?lang=en", &lead.token).await;
    let mine = mine.expect(200);
    assert_eq!(mine["scope"]["unit_id"], unit.as_str());
    assert_eq!(mine["scope"]["unit_name"], "Bürgeramt");
    assert!(mine["rounds"][0]["eligible"].is_null(), "no frozen headcount per unit");
    let c = dim(&comparison(mine, "first_vs_latest")["dimensions"], "leadership");
    assert!(close_to(&c["t"], EXPECTED[1].3, 1e-9));
}

async fn progress_respects_roles_scopes_and_group_size(app: &TestApp) {
    let big = app.create_unit("Bauamt", None).await;
    let small = app.create_unit("Standesamt", None).await;
    let mut people = Vec::new();
    for _ in 0..6 {
        people.push(app.user("employee", Some(&big)).await);
    }
    for _ in 0..3 {
        people.push(app.user("employee", Some(&small)).await);
    }
    let lead_big = app.user("lead", Some(&big)).await;
    let lead_small = app.user("lead", Some(&small)).await;
    let lead_none = app.user("lead", None).await;
    let employee = app.user("employee", Some(&big)).await;
    round(app, &people, 9, |i, _| if i < 6 { 4 } else { 2 }).await;

    for path in [
        "/api/v1/reports/progress",
        "/api/v1/reports/pipeline",
        "/api/v1/reports/progress/radar.svg",
        "/api/v1/reports/progress/trend.svg",
    ] {
        app.get(path, &employee.token).await.expect(403);
        app.get(path, &lead_none.token).await.expect(403);
        app.send(reqwest::Method::GET, path, None, None).await.expect(401);
        let r = app.get(&format!("{path}?unit={small}"), &lead_big.token).await;
        r.expect(403);
        let r = app.get(&format!("{path}?unit=not-a-unit"), &app.admin.token).await;
        r.expect(422);
        assert_eq!(r.error_fields(), vec!["unit"]);
        assert_eq!(app.get(path, &lead_big.token).await.status, 200);
        assert_eq!(
            app.get(&format!("{path}?unit={small}"), &app.admin.token).await.status,
            200
        );
    }

    // Three responses in the small unit: below k = 5, so nothing of it is shown; and since
    // the organisation total is shown, the big unit is hidden too (else 9 − 6 = 3).
    let small_report = app.get("/api/v1/reports/progress", &lead_small.token).await;
    let r = &small_report.expect(200)["rounds"][0];
    assert!(r["responses"].is_null());
    assert_eq!(r["suppressed"]["reason"], "below_min_group_size");
    assert!(r["dimensions"].as_array().unwrap().iter().all(|d| d["mean"].is_null()));
    let big_report = app.get("/api/v1/reports/progress", &lead_big.token).await;
    let r = &big_report.expect(200)["rounds"][0];
    assert!(r["responses"].is_null(), "{r}");
    assert_eq!(r["suppressed"]["reason"], "complementary");
    assert!(r["dimensions"].as_array().unwrap().iter().all(|d| d["mean"].is_null()));
    // The organisation as a whole is shown.
    let org = app.get("/api/v1/reports/progress", &app.admin.token).await;
    let r = &org.expect(200)["rounds"][0];
    assert_eq!(r["responses"], 9);
    assert!(close_to(
        &dim(&r["dimensions"], "leadership")["mean"],
        30.0 / 9.0,
        1e-12
    ));

    // Another organisation sees none of it.
    let (_, other) = app.other_organization().await;
    let theirs = app.get("/api/v1/reports/progress", &other.token).await;
    assert!(theirs.expect(200)["rounds"].as_array().unwrap().is_empty());
    app.get(&format!("/api/v1/reports/progress?unit={big}"), &other.token)
        .await
        .expect(422);
    let pipeline = app.get("/api/v1/reports/pipeline", &other.token).await;
    assert!(pipeline.expect(200)["by_unit"].as_array().unwrap().is_empty());
}

async fn reports_come_as_csv_and_charts_as_svg(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let mut people = Vec::new();
    for _ in 0..8 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let empty = app
        .get("/api/v1/reports/progress/radar.svg?lang=en", &app.admin.token)
        .await;
    assert!(empty.text.contains("No closed assessment round yet"));
    let first = round(app, &people, 6, scores_of(0)).await;
    let second = round(app, &people, 8, scores_of(1)).await;
    let mut titles = Vec::new();
    for id in [&first, &second] {
        let r = app.get(&format!("/api/v1/assessments/{id}"), &app.admin.token).await;
        titles.push(r.expect(200)["title"].as_str().unwrap().to_owned());
    }

    // CSV in German (the organisation's default): UTF-8 with a byte order mark, `;`,
    // German headers and labels, decimal commas, rounded figures, dates a spreadsheet reads.
    let r = app
        .get_default_language("/api/v1/reports/progress?format=csv", &app.admin.token)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(r.header("content-language").as_deref(), Some("de"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("kaizen-fortschritt.csv")
    );
    assert!(r.text.starts_with('\u{feff}'), "byte order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(r.text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "Vergleich");
    assert!(
        header.contains(&"p-Wert".to_owned()) && header.contains(&"Urteil".to_owned()),
        "{header:?}"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), DIMENSIONS.len());
    assert!(rows.iter().all(|row| row.len() == header.len()));
    assert!(rows.iter().all(|row| row.get(0) == Some("vorherige → letzte Runde")));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let names: Vec<&str> = rows.iter().map(|row| row.get(col("Dimension")).unwrap()).collect();
    assert!(names.contains(&"Führung für Lernen"), "umlauts intact: {names:?}");
    for row in &rows {
        let mean = row.get(col("Mittelwert vorher")).unwrap();
        assert!(
            mean.is_empty() || (mean.contains(',') && mean.split(',').nth(1).unwrap().len() == 2),
            "{mean}"
        );
        let p = row.get(col("p-Wert")).unwrap();
        let digits = p.trim_start_matches("0,").trim_start_matches('0').len();
        assert!(p.is_empty() || p == "0" || digits == 3, "three significant digits: {p}");
    }
    // English: comma and decimal point, English labels; the rounds table through Accept.
    let accept = app
        .client
        .get(app.url("/api/v1/reports/progress?table=rounds&lang=en"))
        .bearer_auth(&app.admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let text = TestApp::read(accept).await.text;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * DIMENSIONS.len());
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let leadership = rows
        .iter()
        .find(|r| r.get(col("dimension_key")) == Some("leadership"))
        .unwrap();
    assert_eq!(leadership.get(col("mean")), Some("2.83"), "rounded to two decimals");
    let closed = leadership.get(col("closed")).unwrap();
    assert!(
        chrono::NaiveDate::parse_from_str(closed, "%Y-%m-%d").is_ok(),
        "{closed}"
    );
    // A semicolon asked for in English gets decimal commas.
    let semi = app
        .get(
            "/api/v1/reports/progress?format=csv&table=rounds&lang=en&delimiter=semicolon",
            &app.admin.token,
        )
        .await;
    assert!(semi.text.contains(";2,83;"), "{}", semi.text);
    let r = app.get("/api/v1/reports/progress?format=xml", &app.admin.token).await;
    r.expect(400);
    let pipeline = app
        .get("/api/v1/reports/pipeline?format=csv&lang=en", &app.admin.token)
        .await;
    assert_eq!(pipeline.status, 200);
    assert!(
        pipeline.text.starts_with("\u{feff}unit_id,unit,total,Submitted"),
        "{}",
        pipeline.text
    );
    let pipeline = app
        .get_default_language("/api/v1/reports/pipeline?format=csv&table=stages", &app.admin.token)
        .await;
    assert!(
        pipeline.text.starts_with("\u{feff}Phase;Ideen jetzt;"),
        "{}",
        pipeline.text
    );
    assert!(pipeline.text.contains("Eingereicht;"), "{}", pipeline.text);

    // Charts: well-formed SVG naming every dimension in the caller's language.
    for (lang, labels, title) in [
        ("de", ["Führung für Lernen", "Fehlerkultur"], "Lernkultur je Dimension"),
        (
            "en",
            ["Leadership for learning", "Error culture"],
            "Learning culture by dimension",
        ),
    ] {
        let radar = app
            .get(
                &format!("/api/v1/reports/progress/radar.svg?lang={lang}"),
                &app.admin.token,
            )
            .await;
        assert_eq!(radar.status, 200);
        assert_eq!(
            radar.header("content-type").as_deref(),
            Some("image/svg+xml; charset=utf-8")
        );
        // Long labels are wrapped onto several text lines, in reading order.
        let texts = svg_texts(&radar.text).join(" ");
        assert!(texts.contains(title), "{texts:?}");
        for label in labels {
            assert!(texts.contains(label), "{label} missing in {texts:?}");
        }
        let trend = app
            .get(
                &format!("/api/v1/reports/progress/trend.svg?lang={lang}"),
                &app.admin.token,
            )
            .await;
        assert_eq!(trend.status, 200);
        let lines = svg_texts(&trend.text);
        let texts = lines.join(" ");
        for label in labels {
            assert!(texts.contains(label), "{label} missing in {texts:?}");
        }
        // The description names each round in full; the axis keeps what tells the
        // rounds apart ("Lernkultur 7" and "Lernkultur 8" become "7" and "8").
        for title in &titles {
            assert!(lines[1].contains(title.as_str()), "{title} not in {:?}", lines[1]);
            let short = title.trim_start_matches("Lernkultur ");
            assert!(lines.iter().any(|t| t == short), "axis label {short} in {lines:?}");
        }
    }
    app.get("/api/v1/reports/progress/radar.svg?rounds=0", &app.admin.token)
        .await
        .expect(422);
}

/// Parses the SVG as XML (failing on any well-formedness error) and returns its texts.
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if root.is_none() => {
                root = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::Text(t)) => {
                let s = t.decode().unwrap().into_owned();
                let s = quick_xml::escape::unescape(&s).unwrap().trim().to_owned();
                if !s.is_empty() {
                    texts.push(s);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    texts
}
