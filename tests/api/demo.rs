//! The demo data: the believable Kommune (logins, rounds, scores, ideas), the large data
//! sets with exact counts, rows identical to what the live API writes, and the commands.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text, Timestamp};
use kaizen::demo::lifecycle::{self, Caller, Step, Submission};
use kaizen::demo::survey::{Direction, TRENDS, Trend};
use kaizen::demo::{self, DemoError, Options, Summary};
use kaizen::domain::pdca::{Action, StageValues, Status};
use kaizen::domain::roles::Role;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(
    the_demo_is_a_believable_kommune,
    the_demo_runs_only_once,
    bulk_data_has_exactly_the_requested_counts,
    demo_rows_are_the_rows_the_api_writes,
    many_organisations_share_the_totals_most_small_a_few_large,
);

async fn create(app: &TestApp, options: Options) -> Result<Summary, DemoError> {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        demo::create(&mut conn, &options, &mut |_| {})
    })
    .await
    .unwrap()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A count query with `$1` bound to `arg`.
async fn count(app: &TestApp, sql: &str, arg: &str) -> i64 {
    let pool = app.pool.clone();
    let (sql, arg) = (sql.to_owned(), arg.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(&sql)
            .bind::<Text, _>(arg)
            .get_result::<Count>(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .n
    })
    .await
    .unwrap()
}

/// Every denormalised counter and every lifecycle trace of the organisation's ideas agrees
/// with the rows it summarises; each check counts the ideas that break it.
async fn assert_consistent(app: &TestApp, org: &str) {
    let checks = [
        (
            "dimension links carry their idea's status, unit and submission time",
            "SELECT COUNT(*) AS n FROM idea_dimensions d JOIN ideas i ON i.id = d.idea_id WHERE d.org_id = $1 \
             AND (d.status <> i.status OR d.unit_id <> i.unit_id OR d.created_at <> i.created_at)",
        ),
        (
            "dimension links carry the adoption and its measured impact",
            "SELECT COUNT(*) AS n FROM idea_dimensions d LEFT JOIN idea_cycles c \
               ON c.idea_id = d.idea_id AND c.outcome = 'adopted' WHERE d.org_id = $1 \
             AND ((c.idea_id IS NULL) <> (d.adopted_at IS NULL) OR d.adopted_at <> c.closed_at \
                  OR COALESCE(d.adopted_hours_saved, -1) <> COALESCE(c.measured_hours_saved_per_year, -1) \
                  OR COALESCE(d.adopted_cost_saved, -1) <> COALESCE(c.measured_cost_saved_per_year, -1))",
        ),
        (
            "vote_count equals the votes",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND i.vote_count <> \
             (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id)",
        ),
        (
            "comment_count equals the comments not deleted",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND i.comment_count <> \
             (SELECT COUNT(*) FROM idea_comments c WHERE c.idea_id = i.id AND c.deleted_at IS NULL)",
        ),
        (
            "the last event leads to the current status",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND i.status <> \
             (SELECT e.to_status FROM idea_events e WHERE e.idea_id = i.id ORDER BY e.id DESC LIMIT 1)",
        ),
        (
            "the version counts submission and transitions",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND i.version <> \
             (SELECT COUNT(*) FROM idea_events e WHERE e.idea_id = i.id)",
        ),
        (
            "the first event is the submission, at creation",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM idea_events e WHERE e.idea_id = i.id AND e.action = 'submit' \
              AND e.created_at = i.created_at AND e.from_status IS NULL)",
        ),
        (
            "the stage was entered at the last event",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND i.stage_entered_at <> \
             (SELECT MAX(e.created_at) FROM idea_events e WHERE e.idea_id = i.id)",
        ),
        (
            "one stage span per stage left",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND \
             (SELECT COUNT(*) FROM idea_stage_spans s WHERE s.idea_id = i.id) <> \
             (SELECT COUNT(*) FROM idea_events e WHERE e.idea_id = i.id) - 1",
        ),
        (
            "one cycle row per cycle once accepted",
            "SELECT COUNT(*) AS n FROM ideas i WHERE i.org_id = $1 AND \
             (SELECT COUNT(*) FROM idea_cycles c WHERE c.idea_id = i.id) <> \
             CASE WHEN i.status IN ('submitted', 'rejected', 'withdrawn') THEN 0 ELSE i.cycle END",
        ),
        (
            "events are ordered by id as by time",
            "SELECT COUNT(*) AS n FROM idea_events a JOIN idea_events b \
             ON a.idea_id = b.idea_id AND a.id < b.id AND a.created_at >= b.created_at WHERE a.org_id = $1",
        ),
        (
            "spans start where the previous span ended",
            "SELECT COUNT(*) AS n FROM idea_stage_spans a JOIN idea_stage_spans b \
             ON a.idea_id = b.idea_id AND b.entered_at > a.entered_at \
             WHERE a.org_id = $1 AND NOT EXISTS (SELECT 1 FROM idea_stage_spans c \
             WHERE c.idea_id = a.idea_id AND c.entered_at > a.entered_at AND c.entered_at < b.entered_at) \
             AND b.entered_at <> a.left_at",
        ),
        (
            "adopted ideas have an adopted, measured cycle with a new standard",
            "SELECT COUNT(*) AS n FROM ideas i JOIN idea_cycles c ON c.idea_id = i.id AND c.cycle = i.cycle \
             WHERE i.org_id = $1 AND i.status = 'done' AND (c.outcome IS NULL OR c.outcome <> 'adopted' \
             OR c.target_met IS NULL OR c.measured_value IS NULL OR c.new_standard IS NULL OR c.closed_at IS NULL)",
        ),
        (
            "duplicates point to an earlier idea",
            "SELECT COUNT(*) AS n FROM ideas d JOIN ideas t ON t.id = d.duplicate_of_id \
             WHERE d.org_id = $1 AND (t.created_at >= d.created_at OR t.duplicate_of_id IS NOT NULL)",
        ),
        (
            "votes come after the submission",
            "SELECT COUNT(*) AS n FROM idea_votes v JOIN ideas i ON i.id = v.idea_id \
             WHERE v.org_id = $1 AND v.created_at < i.created_at",
        ),
        (
            "people act only once they work here",
            "SELECT COUNT(*) AS n FROM idea_events e JOIN users u ON u.id = e.actor_id \
             WHERE e.org_id = $1 AND u.created_at > e.created_at",
        ),
        (
            "people vote only once they work here",
            "SELECT COUNT(*) AS n FROM idea_votes v JOIN users u ON u.id = v.user_id \
             WHERE v.org_id = $1 AND u.created_at > v.created_at",
        ),
        (
            "people comment only once they work here",
            "SELECT COUNT(*) AS n FROM idea_comments c JOIN users u ON u.id = c.author_id \
             WHERE c.org_id = $1 AND u.created_at > c.created_at",
        ),
        (
            "every response answers all 28 items",
            "SELECT COUNT(*) AS n FROM assessment_responses r JOIN assessment_rounds o ON o.id = r.round_id \
             WHERE o.org_id = $1 AND (SELECT COUNT(*) FROM assessment_answers a WHERE a.response_id = r.id) <> 28",
        ),
        (
            "each round has one participation per response",
            "SELECT COUNT(*) AS n FROM assessment_rounds o WHERE o.org_id = $1 AND \
             (SELECT COUNT(*) FROM assessment_responses r WHERE r.round_id = o.id) <> \
             (SELECT COUNT(*) FROM assessment_participation p WHERE p.round_id = o.id)",
        ),
        (
            "participants were eligible: in the organisation before the round opened",
            "SELECT COUNT(*) AS n FROM assessment_participation p JOIN assessment_rounds o ON o.id = p.round_id \
             JOIN users u ON u.id = p.user_id WHERE o.org_id = $1 AND (u.org_id <> o.org_id OR u.created_at > o.opened_at)",
        ),
    ];
    for (what, sql) in checks {
        assert_eq!(count(app, sql, org).await, 0, "{what}");
    }
    // Nothing lies in the future.
    let pool = app.pool.clone();
    let org_id = org.to_owned();
    let future: i64 = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let now: NaiveDateTime = kaizen::db::now();
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM idea_events WHERE org_id = $1 AND created_at > $2 \
             UNION ALL SELECT COUNT(*) FROM idea_votes WHERE org_id = $1 AND created_at > $2 \
             UNION ALL SELECT COUNT(*) FROM idea_comments WHERE org_id = $1 AND created_at > $2 \
             UNION ALL SELECT COUNT(*) FROM assessment_rounds WHERE org_id = $1 AND closed_at > $2",
        )
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(now)
        .load::<Count>(&mut conn)
        .unwrap()
        .iter()
        .map(|c| c.n)
        .sum()
    })
    .await
    .unwrap();
    assert_eq!(future, 0, "demo data lies in the past");
}

async fn login(app: &TestApp, summary: &Summary, role: Role) -> Session {
    let l = summary.logins.iter().find(|l| l.role == role).unwrap();
    app.login_ok_to("musterstadt", &l.email, &l.password).await
}

/// All pages of a list.
async fn all(app: &TestApp, s: &Session, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
            None => format!("{path}{sep}limit=200"),
        };
        let page = app.get(&url, &s.token).await.expect(200).clone();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// The verdict of DESIGN.md between two result dimensions (n, mean, sd), computed here
/// independently of the service's code: Welch's t-test with Welch–Satterthwaite degrees
/// of freedom, the 95 % CI of the difference, Hedges' g; "improved"/"declined" only when
/// the CI excludes 0 and |g| >= 0.2.
fn verdict(earlier: &Value, later: &Value) -> Direction {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let read = |d: &Value| {
        (
            d["n"].as_f64().unwrap(),
            d["mean"].as_f64().unwrap(),
            d["sd"].as_f64().unwrap(),
        )
    };
    let ((n1, m1, s1), (n2, m2, s2)) = (read(earlier), read(later));
    let (v1, v2) = (s1 * s1 / n1, s2 * s2 / n2);
    let df = (v1 + v2).powi(2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    let margin = StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(0.975) * (v1 + v2).sqrt();
    let diff = m2 - m1;
    let pooled = (((n1 - 1.0) * s1 * s1 + (n2 - 1.0) * s2 * s2) / (n1 + n2 - 2.0)).sqrt();
    let g = diff / pooled * (1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0));
    if diff - margin > 0.0 && g.abs() >= 0.2 {
        Direction::Improves
    } else if diff + margin < 0.0 && g.abs() >= 0.2 {
        Direction::Declines
    } else {
        Direction::Flat
    }
}

async fn the_demo_is_a_believable_kommune(app: &TestApp) {
    let summary = create(app, Options::default()).await.unwrap();

    // Every role logs in with the printed password, without a forced change.
    assert_eq!(summary.logins.len(), 4);
    for role in Role::ALL {
        let s = login(app, &summary, role).await;
        let me = app.get("/api/v1/me", &s.token).await;
        let me = me.expect(200);
        assert_eq!(me["role"], role.as_str());
        assert_eq!(me["must_change_password"], false);
        assert_eq!(me["organization"]["id"], summary.org_id.as_str());
    }
    let admin = login(app, &summary, Role::Admin).await;
    let manager = login(app, &summary, Role::Manager).await;
    let employee = login(app, &summary, Role::Employee).await;
    // The rounds' rhythm goes on as a reassessment schedule, due in the future.
    let schedule = app.get("/api/v1/reassessment", &manager.token).await;
    let schedule = schedule.expect(200);
    assert_eq!(schedule["enabled"], true);
    assert_eq!(schedule["interval_months"], 6);
    let next: chrono::DateTime<chrono::Utc> = schedule["next_due_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next > chrono::Utc::now() && next < chrono::Utc::now() + chrono::Duration::days(190),
        "{next}"
    );
    // A scheduler pass now opens nothing: the past periods had their rounds.
    let pool = app.pool.clone();
    let pass = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        kaizen::scheduler::pass(&mut conn, kaizen::db::now()).unwrap()
    })
    .await
    .unwrap();
    assert_eq!((pass.opened, pass.scheduled), (0, 0));

    // The demo's own organisation: the test app's default one is untouched.
    assert_ne!(summary.org_id, app.org_id);
    assert!(summary.logins.iter().all(|l| l.accounts >= 1));
    assert!(
        summary
            .logins
            .iter()
            .any(|l| l.role == Role::Employee && l.accounts >= 60)
    );

    // The unit tree: one root, the usual offices below it.
    let units = all(app, &admin, "/api/v1/units").await;
    let names: Vec<&str> = units.iter().map(|u| u["name"].as_str().unwrap()).collect();
    for expected in ["Bürgeramt", "Ordnungsamt", "Bauamt", "Personal", "IT"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert_eq!(units.iter().filter(|u| u["parent_id"].is_null()).count(), 1);
    assert!(units.len() >= 8);
    let users = all(app, &admin, "/api/v1/users").await;
    assert_eq!(users.len(), summary.users);
    for role in Role::ALL {
        assert!(users.iter().any(|u| u["role"] == role.as_str()), "{role}");
    }

    // Three closed rounds, about half a year apart, the last about a month ago.
    let rounds = all(app, &manager, "/api/v1/assessments").await;
    assert_eq!(rounds.len(), 3);
    assert!(rounds.iter().all(|r| r["status"] == "closed"));
    let mut closes: Vec<(DateTime<Utc>, String)> = rounds
        .iter()
        .map(|r| (r["closes_at"].as_str().unwrap().parse().unwrap(), id_of(r)))
        .collect();
    closes.sort();
    let now = Utc::now();
    let months_ago: Vec<i64> = closes.iter().map(|(t, _)| (now - *t).num_days()).collect();
    assert!((20..45).contains(&months_ago[2]), "{months_ago:?}");
    for w in closes.windows(2) {
        assert!((170..200).contains(&(w[1].0 - w[0].0).num_days()), "{closes:?}");
    }

    // Realistic response rates on the frozen headcount; some "can't judge".
    let mut results = Vec::new();
    for (_, id) in &closes {
        let r = app
            .get(
                &format!("/api/v1/assessments/{id}/results?breakdown=unit"),
                &manager.token,
            )
            .await;
        let r = r.expect(200).clone();
        let rate = r["response_rate"].as_f64().unwrap();
        assert!((0.5..=0.9).contains(&rate), "response rate {rate}");
        let expected = summary.rounds.iter().find(|s| s.id == *id).unwrap();
        assert_eq!(r["eligible"].as_i64(), Some(expected.eligible));
        assert_eq!(r["responses"].as_u64(), Some(expected.responses as u64));
        let cant_judge: i64 = r["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["items"].as_array().unwrap())
            .map(|i| i["cant_judge"].as_i64().unwrap())
            .sum();
        assert!(cant_judge > 0);
        // Several units are big enough to be shown on their own.
        let shown = r["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["parent_id"].is_string() && u["suppressed"].is_null())
            .count();
        assert!(shown >= 4, "units shown: {shown}");
        results.push(r);
    }
    // The eligible headcount grew with new hires.
    assert!(summary.rounds[0].eligible < summary.rounds[2].eligible);

    // First and previous against the latest round, per dimension, as the progress
    // report judges them: the verdicts are the plan's.
    for trend in TRENDS {
        let pick = |r: &Value| {
            r["dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["key"] == trend.key)
                .cloned()
                .unwrap()
        };
        for (earlier, planned) in [(&results[0], trend.first), (&results[1], trend.middle)] {
            let seen = verdict(&pick(earlier), &pick(&results[2]));
            let expected = Trend::between(planned, trend.last);
            assert_eq!(seen, expected, "{} from {planned} to {}", trend.key, trend.last);
        }
    }
    assert!(TRENDS.iter().any(|t| t.direction() == Direction::Improves));
    assert!(TRENDS.iter().any(|t| t.direction() == Direction::Flat));
    assert!(TRENDS.iter().any(|t| t.direction() == Direction::Declines));

    // The latest round leaves weak dimensions, below the threshold.
    let dims = app.get("/api/v1/dimensions", &employee.token).await;
    let dims = dims.expect(200);
    assert_eq!(dims["latest_round"]["id"], closes[2].1.as_str());
    let weak: Vec<&Value> = dims["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["weak"] == true)
        .collect();
    assert!(weak.len() >= 2, "{dims}");
    assert!(weak.iter().any(|d| d["score"].as_f64().unwrap() < 60.0));
    let weak_keys: Vec<&str> = weak.iter().map(|d| d["key"].as_str().unwrap()).collect();

    // 60+ ideas in every status, mostly linked to weak dimensions, with history.
    let ideas = all(app, &employee, "/api/v1/ideas").await;
    assert!(ideas.len() >= 60, "{}", ideas.len());
    assert_eq!(ideas.len(), summary.ideas);
    for status in Status::ALL {
        assert!(
            ideas.iter().any(|i| i["status"] == status.as_str()),
            "no idea in {status}"
        );
    }
    let linked_to_weak = ideas
        .iter()
        .filter(|i| {
            i["dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| weak_keys.contains(&d.as_str().unwrap()))
        })
        .count();
    assert!(linked_to_weak * 2 > ideas.len(), "{linked_to_weak} of {}", ideas.len());
    assert!(ideas.iter().any(|i| i["cycle"] == 2), "second cycles after adapt");
    assert!(ideas.iter().any(|i| i["duplicate_of"].is_string()));
    assert!(ideas.iter().any(|i| i["code_word"].is_string()));
    assert!(
        ideas
            .iter()
            .any(|i| i["days_in_stage"].as_i64().unwrap() > 30 && i["status"] == "do")
    );
    let units_with_ideas: std::collections::HashSet<&str> =
        ideas.iter().map(|i| i["unit_id"].as_str().unwrap()).collect();
    assert!(units_with_ideas.len() >= 6);
    let mut groups = 0;
    for idea in &ideas {
        let detail = app.get(&format!("/api/v1/ideas/{}", id_of(idea)), &manager.token).await;
        if !detail.expect(200)["co_authors"].as_array().unwrap().is_empty() {
            groups += 1;
        }
    }
    assert!(groups >= 2, "group submissions: {groups}");
    let votes: i64 = ideas.iter().map(|i| i["vote_count"].as_i64().unwrap()).sum();
    assert_eq!(votes as usize, summary.votes);
    assert!(votes > 200);

    // An adopted idea of the second cycle: its full history, with the measurement.
    let adopted = ideas.iter().find(|i| i["status"] == "done" && i["cycle"] == 2).unwrap();
    let history = all(app, &employee, &format!("/api/v1/ideas/{}/history", id_of(adopted))).await;
    let actions: Vec<&str> = history.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "submit", "accept", "start", "check", "act", "adapt", "start", "check", "act", "adopt"
        ]
    );
    let check = &history[8]["stage"]["stages"]["check"];
    assert_eq!(check["target_met"], true);
    assert!(check["relative_improvement"].as_f64().unwrap() > 0.0);
    assert_eq!(
        history[4]["stage"]["stages"]["check"]["target_met"], false,
        "cycle 1 missed"
    );
    let at: Vec<DateTime<Utc>> = history
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]));

    // Ideas adopted between the second and the latest round lean on improved dimensions.
    let (second, latest) = (closes[1].0, closes[2].0);
    let improving: Vec<&str> = TRENDS
        .iter()
        .filter(|t| t.direction() == Direction::Improves)
        .map(|t| t.key)
        .collect();
    let (mut between, mut on_improving) = (0, 0);
    for idea in ideas.iter().filter(|i| i["status"] == "done") {
        let done_at: DateTime<Utc> = idea["stage_entered_at"].as_str().unwrap().parse().unwrap();
        if done_at > second && done_at < latest {
            between += 1;
            let dims = idea["dimensions"].as_array().unwrap();
            if dims.iter().any(|d| improving.contains(&d.as_str().unwrap())) {
                on_improving += 1;
            }
        }
    }
    assert!(between >= 5, "{between} adopted between the rounds");
    // Mostly, not only: the report shows association, not proof.
    assert!(on_improving * 4 >= between * 3, "{on_improving} of {between}");

    assert_consistent(app, &summary.org_id).await;
}

async fn the_demo_runs_only_once(app: &TestApp) {
    // Two at once (two `serve --demo` starting together): one creates it, the other
    // finds it there.
    let (a, b) = tokio::join!(create(app, Options::default()), create(app, Options::default()));
    let (first, refused) = match (a, b) {
        (Ok(s), Err(e)) | (Err(e), Ok(s)) => (s, e),
        (a, b) => panic!("exactly one run must create the demo: {:?} / {:?}", a.err(), b.err()),
    };
    assert!(matches!(refused, DemoError::Exists), "{refused}");
    let again = create(
        app,
        Options {
            seed: 99,
            ..Options::default()
        },
    )
    .await;
    let err = again.unwrap_err();
    assert!(matches!(err, DemoError::Exists), "{err}");
    assert!(err.to_string().contains("exists already"));
    // Nothing of the refused run was written.
    let users = count(app, "SELECT COUNT(*) AS n FROM users WHERE org_id = $1", &first.org_id).await;
    assert_eq!(users as usize, first.users);
    let orgs = count(
        app,
        "SELECT COUNT(*) AS n FROM organizations WHERE slug = $1",
        demo::SLUG,
    )
    .await;
    assert_eq!(orgs, 1);
    // Bad options are refused before anything is written.
    for bad in [
        Options {
            rounds: Some(0),
            ..Options::default()
        },
        Options {
            responses: Some(0),
            ..Options::default()
        },
        Options {
            password: Some("short".into()),
            ..Options::default()
        },
    ] {
        assert!(matches!(create(app, bad).await, Err(DemoError::Invalid(_))));
    }
}

async fn bulk_data_has_exactly_the_requested_counts(app: &TestApp) {
    let summary = create(
        app,
        Options {
            ideas: Some(2000),
            responses: Some(60),
            rounds: Some(2),
            password: Some("demo-password-123".into()),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let org = summary.org_id.as_str();
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM ideas WHERE org_id = $1", org).await,
        2000
    );
    assert_eq!(summary.ideas, 2000);
    let votes = count(app, "SELECT COUNT(*) AS n FROM idea_votes WHERE org_id = $1", org).await;
    assert_eq!(votes as usize, summary.votes);
    assert!((6_000..16_000).contains(&votes), "about five votes per idea: {votes}");
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM assessment_rounds WHERE org_id = $1",
            org
        )
        .await,
        2
    );
    for round in &summary.rounds {
        for table in ["assessment_responses", "assessment_participation"] {
            let n = count(
                app,
                &format!("SELECT COUNT(*) AS n FROM {table} WHERE round_id = $1"),
                &round.id,
            )
            .await;
            assert_eq!(n, 60, "{table}");
        }
        let answers = count(
            app,
            "SELECT COUNT(*) AS n FROM assessment_answers WHERE round_id = $1",
            &round.id,
        )
        .await;
        assert_eq!(answers, 60 * 28);
        assert!(round.eligible >= 60);
    }
    // Every status, with the statuses' traces.
    for status in Status::ALL {
        let n = count(
            app,
            &format!("SELECT COUNT(*) AS n FROM ideas WHERE org_id = $1 AND status = '{status}'"),
            org,
        )
        .await;
        assert!(n > 0, "{status}");
    }
    assert_consistent(app, org).await;

    // The real endpoints work on it.
    let manager = app
        .login_ok_to("musterstadt", &summary.logins[1].email, "demo-password-123")
        .await;
    let r = app
        .get(
            &format!("/api/v1/assessments/{}/results", summary.rounds[1].id),
            &manager.token,
        )
        .await;
    assert_eq!(r.expect(200)["responses"], 60);
    let page = app.get("/api/v1/ideas?sort=most_votes&limit=5", &manager.token).await;
    let page = page.expect(200);
    let top = &page["items"][0];
    let top_votes = count(app, "SELECT MAX(vote_count) AS n FROM ideas WHERE org_id = $1", org).await;
    assert_eq!(top["vote_count"].as_i64(), Some(top_votes));
}

/// JSON of a transition request as the stage values the rules receive.
fn values(body: &Value) -> StageValues {
    let s = |k: &str| body[k].as_str().map(str::to_owned);
    let f = |k: &str| body[k].as_f64();
    StageValues {
        owner_id: s("owner_id"),
        problem: s("problem"),
        goal: s("goal"),
        kpi_name: s("kpi_name"),
        kpi_unit: s("kpi_unit"),
        kpi_baseline: f("kpi_baseline"),
        kpi_target: f("kpi_target"),
        lower_is_better: body["lower_is_better"].as_bool(),
        due_date: s("due_date"),
        prediction: s("prediction"),
        do_summary: s("do_summary"),
        ran_as_planned: body["ran_as_planned"].as_bool(),
        deviations: s("deviations"),
        measured_value: f("measured_value"),
        measured_hours_saved_per_year: f("measured_hours_saved_per_year"),
        measured_cost_saved_per_year: f("measured_cost_saved_per_year"),
        findings: s("findings"),
        new_standard: s("new_standard"),
        next_cycle_changes: s("next_cycle_changes"),
        reason: s("reason"),
        duplicate_of: s("duplicate_of"),
    }
}

struct Person<'a> {
    session: &'a Session,
    role: Role,
    unit: &'a str,
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct EventTrace {
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    from_status: Option<String>,
    #[diesel(sql_type = Text)]
    to_status: String,
    #[diesel(sql_type = BigInt)]
    cycle: i64,
    #[diesel(sql_type = Text)]
    actor_id: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    actor_hidden: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    note: Option<String>,
    #[diesel(sql_type = Text)]
    stage: String,
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct SpanTrace {
    #[diesel(sql_type = Text)]
    stage: String,
    #[diesel(sql_type = BigInt)]
    cycle: i64,
}

/// The rows of an idea that do not depend on ids and moments.
#[derive(Debug, PartialEq)]
struct Trace {
    idea: String,
    cycles: Vec<String>,
    events: Vec<EventTrace>,
    spans: Vec<SpanTrace>,
}

fn idea_trace(i: &kaizen::store::ideas::Idea) -> String {
    format!(
        "{:?}",
        (
            &i.status,
            i.cycle,
            &i.owner_id,
            &i.duplicate_of_id,
            &i.decision_reason,
            i.version,
            &i.code_word,
            i.author_share,
            i.vote_count,
            i.comment_count,
            &i.title,
        )
    )
}

fn cycle_trace(c: &kaizen::store::ideas::Cycle) -> String {
    format!(
        "{:?}",
        (
            c.cycle,
            (
                &c.problem,
                &c.goal,
                &c.kpi_name,
                &c.kpi_unit,
                c.kpi_baseline,
                c.kpi_target
            ),
            (
                c.lower_is_better,
                &c.due_date,
                &c.prediction,
                &c.do_summary,
                c.ran_as_planned
            ),
            (&c.deviations, c.measured_value, c.target_met, c.relative_improvement),
            (
                c.measured_hours_saved_per_year,
                c.measured_cost_saved_per_year,
                &c.findings
            ),
            (
                &c.outcome,
                &c.new_standard,
                &c.next_cycle_changes,
                c.closed_at.is_some()
            ),
        )
    )
}

async fn stored_trace(app: &TestApp, idea_id: &str) -> (Trace, kaizen::store::ideas::Idea) {
    let pool = app.pool.clone();
    let (org, id) = (app.org_id.clone(), idea_id.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let idea = kaizen::store::ideas::find(&mut conn, &org, &id).unwrap();
        let cycles = kaizen::store::ideas::cycles(&mut conn, &org, &id).unwrap();
        let events = diesel::sql_query(
            "SELECT action, from_status, to_status, cycle, actor_id, actor_hidden, note, stage \
             FROM idea_events WHERE idea_id = $1 ORDER BY id",
        )
        .bind::<Text, _>(&id)
        .load::<EventTrace>(&mut conn)
        .unwrap();
        let spans =
            diesel::sql_query("SELECT stage, cycle FROM idea_stage_spans WHERE idea_id = $1 ORDER BY entered_at")
                .bind::<Text, _>(&id)
                .load::<SpanTrace>(&mut conn)
                .unwrap();
        (
            Trace {
                idea: idea_trace(&idea),
                cycles: cycles.iter().map(cycle_trace).collect(),
                events,
                spans,
            },
            idea,
        )
    })
    .await
    .unwrap()
}

/// Takes `steps` through the API on a new idea and through `lifecycle::live`, and
/// compares every row that does not depend on ids and moments.
async fn replay(
    app: &TestApp,
    author: &Person<'_>,
    co_authors: &[(&Person<'_>, i64)],
    code_word: Option<&str>,
    title: &str,
    steps: &[(&Person<'_>, Value)],
    duplicate_target: Option<&kaizen::store::ideas::Idea>,
) -> kaizen::store::ideas::Idea {
    let mut body = idea_body(author.unit, title);
    if let Some(word) = code_word {
        body["code_word"] = json!(word);
    }
    let author_share = 100 - co_authors.iter().map(|(_, s)| s).sum::<i64>();
    if !co_authors.is_empty() {
        body["author_share"] = json!(author_share);
        body["co_authors"] = co_authors
            .iter()
            .map(|(p, s)| json!({"user_id": p.session.user_id, "share": s}))
            .collect();
    }
    let created = submit(app, author.session, body.clone()).await;
    let id = id_of(&created);
    for (version, (who, step_body)) in (1..).zip(steps) {
        let mut b = step_body.clone();
        b["version"] = json!(version);
        step(app, who.session, &id, b).await.expect(200);
    }
    let (stored, idea) = stored_trace(app, &id).await;

    let tree = {
        let pool = app.pool.clone();
        let org = app.org_id.clone();
        tokio::task::spawn_blocking(move || kaizen::store::units::tree(&mut pool.get().unwrap(), &org).unwrap())
            .await
            .unwrap()
    };
    // After every idea the API stored (a duplicate's target must be earlier); the
    // simulated rows are compared, not stored.
    let t0 = kaizen::db::now() + chrono::Duration::minutes(1);
    let submission = Submission {
        id: "simulated".into(),
        org_id: app.org_id.clone(),
        unit_id: author.unit.to_owned(),
        author_id: author.session.user_id.clone(),
        author_share,
        co_authors: co_authors
            .iter()
            .map(|(p, s)| (p.session.user_id.clone(), *s))
            .collect(),
        code_word: code_word.map(str::to_owned),
        title: title.to_owned(),
        current_situation: body["current_situation"].as_str().unwrap().to_owned(),
        proposal: body["proposal"].as_str().unwrap().to_owned(),
        expected_benefit: body["expected_benefit"].as_str().unwrap().to_owned(),
        est_hours_saved_per_year: None,
        est_cost_saved_per_year: None,
        est_quality_benefit: None,
        at: t0,
    };
    let sim_steps: Vec<Step> = steps
        .iter()
        .enumerate()
        .map(|(k, (who, b))| Step {
            action: Action::parse(b["action"].as_str().unwrap()).unwrap(),
            at: t0 + chrono::Duration::days(k as i64 + 1),
            caller: Caller {
                id: who.session.user_id.clone(),
                role: who.role,
                unit_id: Some(who.unit.to_owned()),
            },
            input: values(b),
            note: b["note"].as_str().map(str::to_owned),
        })
        .collect();
    let target = duplicate_target.map(|t| (t.created_at, t.id.clone(), t.duplicate_of_id.clone()));
    let mut rng = <rand::rngs::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(1);
    let life = lifecycle::live(&submission, &sim_steps, &tree, target.as_ref(), &mut rng).unwrap();
    let simulated = Trace {
        idea: idea_trace(&life.idea),
        cycles: life.cycles.iter().map(cycle_trace).collect(),
        events: life
            .events
            .iter()
            .map(|e| EventTrace {
                action: e.action.clone(),
                from_status: e.from_status.clone(),
                to_status: e.to_status.clone(),
                cycle: e.cycle,
                actor_id: e.actor_id.clone(),
                actor_hidden: e.actor_hidden,
                note: e.note.clone(),
                stage: e.stage.clone(),
            })
            .collect(),
        spans: life
            .spans
            .iter()
            .map(|s| SpanTrace {
                stage: s.stage.clone(),
                cycle: s.cycle,
            })
            .collect(),
    };
    assert_eq!(simulated, stored, "{title}");
    // Timestamps follow the steps as the store sets them.
    assert_eq!(life.idea.stage_entered_at, life.events.last().unwrap().created_at);
    for (span, next) in life.spans.iter().zip(life.events.iter().skip(1)) {
        assert_eq!(span.left_at, next.created_at);
        assert!((span.seconds - 86_400.0).abs() < 1e-6);
    }
    idea
}

async fn demo_rows_are_the_rows_the_api_writes(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let other_unit = app.create_unit("Bauamt", None).await;
    let (a, b, lead, owner, manager) = (
        app.user("employee", Some(&unit)).await,
        app.user("employee", Some(&unit)).await,
        app.user("lead", Some(&unit)).await,
        app.user("employee", Some(&unit)).await,
        app.user("manager", Some(&other_unit)).await,
    );
    let author = Person {
        session: &a,
        role: Role::Employee,
        unit: &unit,
    };
    let colleague = Person {
        session: &b,
        role: Role::Employee,
        unit: &unit,
    };
    let lead = Person {
        session: &lead,
        role: Role::Lead,
        unit: &unit,
    };
    let owner = Person {
        session: &owner,
        role: Role::Employee,
        unit: &unit,
    };
    let manager = Person {
        session: &manager,
        role: Role::Manager,
        unit: &other_unit,
    };

    // Two cycles: a missed target, adapt, then adopted.
    let full = replay(
        app,
        &author,
        &[],
        None,
        "Online-Termine",
        &[
            (
                &lead,
                json!({"action": "accept", "owner_id": owner.session.user_id, "problem": "Lange Schlangen",
                       "goal": "Kürzere Wartezeit", "note": "Im Team besprochen"}),
            ),
            (
                &lead,
                json!({"action": "start", "kpi_name": "Wartezeit", "kpi_unit": "min", "kpi_baseline": 42.0,
                       "kpi_target": 20.0, "lower_is_better": true, "due_date": crate::helpers::days_ahead(120),
                       "prediction": "halbiert"}),
            ),
            (
                &owner,
                json!({"action": "check", "do_summary": "vier Wochen Pilot", "ran_as_planned": false,
                       "deviations": "zwei Wochen kürzer"}),
            ),
            (
                &owner,
                json!({"action": "act", "measured_value": 30.0, "measured_hours_saved_per_year": 80.0,
                       "findings": "zu wenige Termine"}),
            ),
            (
                &manager,
                json!({"action": "adapt", "next_cycle_changes": "Nachmittage dazu", "kpi_baseline": 30.0}),
            ),
            (
                &lead,
                json!({"action": "start", "kpi_target": 20.0, "due_date": crate::helpers::days_ahead(210), "prediction": "unter 20"}),
            ),
            (
                &owner,
                json!({"action": "check", "do_summary": "acht Wochen", "ran_as_planned": true}),
            ),
            (
                &lead,
                json!({"action": "act", "measured_value": 18.0, "measured_hours_saved_per_year": 300.0,
                       "measured_cost_saved_per_year": 1200.0}),
            ),
            (
                &lead,
                json!({"action": "adopt", "new_standard": "Termine online, Nachmittage offen"}),
            ),
        ],
        None,
    )
    .await;
    assert_eq!(full.status, "done");

    // Anonymous, withdrawn by its author (who stays hidden).
    replay(
        app,
        &colleague,
        &[],
        Some("Nachteule"),
        "Schichtplan mit Wünschen",
        &[(&colleague, json!({"action": "withdraw", "reason": "erledigt"}))],
        None,
    )
    .await;
    // A later duplicate of the first idea.
    replay(
        app,
        &colleague,
        &[],
        None,
        "Termine online buchen",
        &[(
            &lead,
            json!({"action": "mark_duplicate", "duplicate_of": full.id, "reason": "wie die erste Idee"}),
        )],
        Some(&full),
    )
    .await;
    // A group submission, abandoned in Do; a rejected one.
    replay(
        app,
        &author,
        &[(&colleague, 40)],
        None,
        "Wissenssammlung",
        &[
            (
                &manager,
                json!({"action": "accept", "owner_id": author.session.user_id, "problem": "p", "goal": "g"}),
            ),
            (
                &lead,
                json!({"action": "start", "kpi_name": "Rückfragen", "kpi_baseline": 15.0, "kpi_target": 20.0,
                       "due_date": crate::helpers::days_ahead(150), "prediction": "mehr Beiträge"}),
            ),
            (&lead, json!({"action": "abandon", "reason": "Personalwechsel"})),
        ],
        None,
    )
    .await;
    replay(
        app,
        &owner,
        &[],
        None,
        "Kartenzahlung",
        &[(&lead, json!({"action": "reject", "reason": "Haushalt"}))],
        None,
    )
    .await;
}

// ---- the commands ----

use crate::cli::{kaizen, sigterm, start_with, wait_exit};
use std::time::Duration;

/// The login lines `role e-mail password accounts` of the printed table.
fn printed_logins(text: &str) -> HashMap<String, (String, String)> {
    text.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            match cols.as_slice() {
                [role, email, password, n]
                    if Role::parse(role).is_some() && email.contains('@') && n.parse::<usize>().is_ok() =>
                {
                    Some(((*role).to_owned(), ((*email).to_owned(), (*password).to_owned())))
                }
                _ => None,
            }
        })
        .collect()
}

async fn login_over_http(port: u16, email: &str, password: &str) -> String {
    let client = reqwest::Client::new();
    let r = client
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn port_of(log: &str) -> u16 {
    let line = log.lines().find(|l| l.contains("listening")).unwrap();
    let at = line.find("port").unwrap();
    line[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_command_prints_logins_once_and_refuses_a_second_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = kaizen()
        .env("DATABASE_URL", &url)
        .args(["demo", "--seed", "7"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("round 3/3"), "progress is shown: {stderr}");
    assert!(stderr.contains("done"), "{stderr}");
    let logins = printed_logins(&stdout);
    assert_eq!(logins.len(), 4, "{stdout}");
    assert!(stdout.contains("shown only now"));
    assert!(stdout.contains("68 ideas"), "{stdout}");

    let again = kaizen().env("DATABASE_URL", &url).arg("demo").output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert!(printed_logins(&String::from_utf8_lossy(&again.stdout)).is_empty());

    let bad = kaizen()
        .env("DATABASE_URL", &url)
        .args(["demo", "--rounds", "0"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rounds"));

    // `serve --demo` refuses a configuration the server would refuse before writing
    // anything (here: no shared secret for PostgreSQL, checked before connecting).
    let out = kaizen()
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")
        .args(["serve", "--demo"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KAIZEN_JWT_SECRET must be set"));

    // The printed logins work against the served database.
    let (mut child, log, _rx) = start_with(dir.path(), &["serve"], &[("DATABASE_URL", &url)]);
    assert!(log.contains("listening"), "{log}");
    let port = port_of(&log);
    for (email, password) in logins.values() {
        login_over_http(port, email, password).await;
    }
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_creates_the_demo_on_the_first_start_only() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, log, _rx) = start_with(dir.path(), &["serve", "--demo"], &[]);
    assert!(log.contains("listening"), "{log}");
    assert!(log.contains("created the demo organisation"), "{log}");
    assert!(
        !log.contains("admin@kaizen.local"),
        "an empty database gets the demo instead of the default organisation: {log}"
    );
    let logins = printed_logins(&log);
    assert_eq!(logins.len(), 4, "{log}");
    let port = port_of(&log);
    let (email, password) = &logins["manager"];
    let token = login_over_http(port, email, password).await;
    let dims: Value = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/dimensions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(dims["latest_round"]["id"].is_string(), "{dims}");
    assert!(dims["items"].as_array().unwrap().iter().any(|d| d["weak"] == true));
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops");

    let (mut child, log, _rx) = start_with(dir.path(), &["serve", "--demo"], &[]);
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains("created the demo organisation"), "{log}");
    assert!(
        printed_logins(&log).is_empty(),
        "passwords are printed only once: {log}"
    );
    login_over_http(port_of(&log), email, password).await;
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops");
}

/// `--organizations`: the totals spread over the organisations, the largest first, each a
/// whole organisation of its own that the API serves separately.
async fn many_organisations_share_the_totals_most_small_a_few_large(app: &TestApp) {
    // Refused before anything is written: several organisations without an idea total,
    // fewer responses than organisations.
    for bad in [
        Options {
            organizations: 3,
            ..Options::default()
        },
        Options {
            organizations: 3,
            ideas: Some(30),
            responses: Some(2),
            ..Options::default()
        },
        Options {
            votes_per_idea: Some(8.0),
            ..Options::default()
        },
    ] {
        assert!(matches!(create(app, bad).await, Err(DemoError::Invalid(_))));
    }
    let summary = create(
        app,
        Options {
            organizations: 6,
            ideas: Some(1200),
            responses: Some(90),
            rounds: Some(2),
            votes_per_idea: Some(9.0),
            password: Some("demo-password-123".into()),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let all = summary.all.clone().expect("totals of all organisations");
    assert_eq!(all.organizations, 6);
    assert_eq!(all.ideas, 1200);
    // Per round, over all organisations.
    assert_eq!(all.responses, 2 * 90);
    let orgs = count(
        app,
        "SELECT COUNT(*) AS n FROM organizations WHERE slug = $1 OR slug LIKE 'kommune-%'",
        demo::SLUG,
    )
    .await;
    assert_eq!(orgs, 6);
    let ids: Vec<String> = {
        let pool = app.pool.clone();
        tokio::task::spawn_blocking(move || {
            #[derive(diesel::QueryableByName)]
            struct Id {
                #[diesel(sql_type = Text)]
                id: String,
            }
            let mut conn = pool.get().unwrap();
            diesel::sql_query(
                "SELECT id FROM organizations WHERE slug = 'musterstadt' OR slug LIKE 'kommune-%' \
                 ORDER BY CASE WHEN slug = 'musterstadt' THEN '' ELSE slug END",
            )
            .load::<Id>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
        })
        .await
        .unwrap()
    };
    assert_eq!(ids[0], summary.org_id);
    let mut sizes = Vec::new();
    let mut votes = 0;
    for org in &ids {
        sizes.push(count(app, "SELECT COUNT(*) AS n FROM ideas WHERE org_id = $1", org).await);
        votes += count(app, "SELECT COUNT(*) AS n FROM idea_votes WHERE org_id = $1", org).await;
        assert_consistent(app, org).await;
    }
    // Zipf: the k-th largest holds about 1/k of the largest's ideas.
    assert_eq!(sizes.iter().sum::<i64>(), 1200);
    assert_eq!(sizes[0] as usize, summary.ideas);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(
        (sizes[0] - 2 * sizes[1]).abs() <= 2 && (sizes[0] - 6 * sizes[5]).abs() <= 6,
        "{sizes:?}"
    );
    assert_eq!(votes as usize, all.votes);
    assert!((9_000..12_600).contains(&votes), "about nine votes per idea: {votes}");
    // Each organisation is its own: its manager sees its ideas only.
    let manager = app
        .login_ok_to("kommune-0002", &summary.logins[1].email, "demo-password-123")
        .await;
    let page = app.get("/api/v1/ideas?limit=200", &manager.token).await;
    let page = page.expect(200);
    let shown = page["items"].as_array().unwrap().len() as i64;
    assert_eq!(shown, sizes[1].min(200));
}
