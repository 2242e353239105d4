//! Administration: assessment rounds. Managers and admins (as the API's round endpoints)
//! list the rounds with their participation, create one for a published questionnaire,
//! open a scheduled round early, close an open one, delete one that has not opened, and
//! read a round's results: while it is open only the participation (figures are computed
//! once, at the close), afterwards the published figures with every suppression as the
//! results endpoint applies it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::{admin_page, moment, moment_value};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::QuestionnaireStatus;
use crate::domain::roles::Role;
use crate::domain::rounds::RoundStatus;
use crate::error::ApiError;
use crate::routes::assessments::{CreateAssessment, ResultsResponse, checked_round, load_results};
use crate::state::AppState;
use crate::store::assessments;
use crate::store::questionnaires::{self, QuestionnaireFilter};
use crate::store::units;
use crate::web::form::{Fields, Problems};
use crate::web::ideas::Choice;
use crate::web::session::{self, WebUser};
use crate::web::{Page, date_time, render, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(rounds_page)
        .service(create_round)
        .service(round_page)
        .service(open_round)
        .service(close_round)
        .service(delete_round);
}

/// A round's state in words.
pub fn status_label(status: RoundStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (RoundStatus::Scheduled, Lang::De) => "geplant",
        (RoundStatus::Open, Lang::De) => "läuft",
        (RoundStatus::Closed, Lang::De) => "abgeschlossen",
        (RoundStatus::Scheduled, Lang::En) => "scheduled",
        (RoundStatus::Open, Lang::En) => "open",
        (RoundStatus::Closed, Lang::En) => "closed",
    }
}

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub caption: &'static str,
    pub col_title: &'static str,
    pub col_status: &'static str,
    pub col_period: &'static str,
    pub col_participation: &'static str,
    pub whole_org: &'static str,
    pub scope: &'static str,
    pub empty: &'static str,
    pub more: &'static str,
    pub new_heading: &'static str,
    pub questionnaire: &'static str,
    pub questionnaire_hint: &'static str,
    pub round_title: &'static str,
    pub scope_hint: &'static str,
    pub opens: &'static str,
    pub opens_hint: &'static str,
    pub closes: &'static str,
    pub closes_hint: &'static str,
    pub create: &'static str,
    pub choose: &'static str,
    pub no_questionnaire: &'static str,
    pub of: &'static str,
    pub schedule_link: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Befragungsrunden",
            intro: "Jede Runde fragt die Beschäftigten anonym nach der Lernkultur. Ergebnisse entstehen einmal, beim Abschluss der Runde.",
            caption: "Alle Runden, die neuesten zuerst",
            col_title: "Runde",
            col_status: "Stand",
            col_period: "Zeitraum (UTC)",
            col_participation: "Beteiligung",
            whole_org: "ganze Kommune",
            scope: "Bereich",
            empty: "Noch keine Runde.",
            more: "Weitere Runden",
            new_heading: "Neue Runde anlegen",
            questionnaire: "Fragebogen",
            questionnaire_hint: "Nur veröffentlichte Fragebögen.",
            round_title: "Titel",
            scope_hint: "Wer teilnimmt: die ganze Kommune oder eine Einheit mit ihren untergeordneten.",
            opens: "Beginn (UTC)",
            opens_hint: "Leer lassen, um die Runde sofort zu öffnen. Uhrzeit in UTC (MEZ ist UTC + 1 Stunde).",
            closes: "Ende (UTC)",
            closes_hint: "Uhrzeit in UTC (MEZ ist UTC + 1 Stunde).",
            create: "Runde anlegen",
            choose: "Bitte wählen",
            no_questionnaire: "Es ist kein Fragebogen veröffentlicht; veröffentlichen Sie zuerst einen.",
            of: "von",
            schedule_link: "Wiederholungsbefragung planen",
        },
        Lang::En => Words {
            title: "Assessment rounds",
            intro: "Each round asks staff anonymously about the learning culture. Results are computed once, when the round closes.",
            caption: "All rounds, newest first",
            col_title: "Round",
            col_status: "State",
            col_period: "Period (UTC)",
            col_participation: "Participation",
            whole_org: "whole municipality",
            scope: "Scope",
            empty: "No round yet.",
            more: "More rounds",
            new_heading: "Create a round",
            questionnaire: "Questionnaire",
            questionnaire_hint: "Published questionnaires only.",
            round_title: "Title",
            scope_hint: "Who takes part: the whole municipality or one unit with its sub-units.",
            opens: "Opens (UTC)",
            opens_hint: "Leave empty to open the round at once. Time in UTC (CET is UTC + 1 hour).",
            closes: "Closes (UTC)",
            closes_hint: "Time in UTC (CET is UTC + 1 hour).",
            create: "Create round",
            choose: "Please choose",
            no_questionnaire: "No questionnaire is published; publish one first.",
            of: "of",
            schedule_link: "Plan the reassessment",
        },
    }
}

pub struct RoundRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub period: String,
    pub scope: String,
    pub participation: String,
}

/// "23 von 148 (16 %)" — responses of the eligible headcount frozen at opening.
fn participation(lang: Lang, responses: i64, eligible: Option<i64>, of: &str) -> String {
    match eligible.filter(|e| *e > 0) {
        Some(e) => {
            let rate = (responses as f64 / e as f64).min(1.0) * 100.0;
            format!("{responses} {of} {e} ({} %)", crate::web::number(lang, rate.round()))
        }
        None => responses.to_string(),
    }
}

fn period(lang: Lang, opens: NaiveDateTime, closes: NaiveDateTime) -> String {
    format!("{} – {}", date_time(lang, opens), date_time(lang, closes))
}

#[derive(Template)]
#[template(path = "admin_rounds.html")]
struct RoundsPage {
    page: Page,
    w: Words,
    rows: Vec<RoundRow>,
    more: Option<String>,
    problems: Problems,
    form: Fields,
    questionnaires: Vec<Choice>,
    units: Vec<Choice>,
    is_admin: bool,
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

const PER_PAGE: i64 = 50;

async fn show_rounds(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    after: Option<String>,
    form: Fields,
    problems: Problems,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let w = words(lang);
    let org_id = user.user.org_id.clone();
    let (rounds, counts, published, unit_names) = db::run(&state.pool, move |conn| {
        assessments::advance_due(conn, Some(&org_id), db::now())?;
        let rounds = assessments::list(conn, &org_id, None, after.as_deref(), PER_PAGE + 1)?;
        let mut counts = Vec::with_capacity(rounds.len());
        for r in &rounds {
            counts.push(if r.status() == RoundStatus::Scheduled {
                0
            } else {
                assessments::response_count(conn, &r.id)?
            });
        }
        let filter = QuestionnaireFilter {
            status: Some(QuestionnaireStatus::Published),
            key: None,
            include_drafts: false,
        };
        let published = questionnaires::list(conn, &org_id, &filter, None, 1000)?;
        Ok((rounds, counts, published, units::names(conn, &org_id)?))
    })
    .await?;
    let more = (rounds.len() as i64 > PER_PAGE)
        .then(|| {
            rounds
                .get(PER_PAGE as usize - 1)
                .map(|r| format!("/admin/rounds?after={}", r.id))
        })
        .flatten();
    let rows = rounds
        .iter()
        .zip(counts)
        .take(PER_PAGE as usize)
        .map(|(r, n)| RoundRow {
            id: r.id.clone(),
            title: r.title.clone(),
            status: status_label(r.status(), lang),
            period: period(
                lang,
                r.opened_at.unwrap_or(r.opens_at),
                r.closed_at.unwrap_or(r.closes_at),
            ),
            scope: r
                .scope_unit_id
                .as_ref()
                .and_then(|u| unit_names.get(u).cloned())
                .unwrap_or_else(|| w.whole_org.to_owned()),
            participation: if r.status() == RoundStatus::Scheduled {
                "–".into()
            } else {
                participation(lang, n, r.eligible_count, w.of)
            },
        })
        .collect();
    let chosen_q = form.get("questionnaire_id").to_owned();
    let questionnaires = published
        .iter()
        .map(|q| Choice {
            value: q.id.clone(),
            label: format!("{} ({} v{})", q.title().get(lang), q.key, q.version),
            selected: q.id == chosen_q,
            weak: false,
        })
        .collect();
    let chosen_u = form.get("scope_unit_id").to_owned();
    let mut unit_list: Vec<(String, String)> = unit_names.into_iter().collect();
    unit_list.sort_by_key(|(_, n)| n.to_lowercase());
    let units = unit_list
        .into_iter()
        .map(|(id, name)| Choice {
            selected: id == chosen_u,
            value: id,
            label: name,
            weak: false,
        })
        .collect();
    let mut page = admin_page(state, req, user, w.title);
    page.nav = if user.user.is(Role::Admin) { "admin" } else { "rounds" };
    page.invalid = !problems.is_empty();
    render(
        status,
        &RoundsPage {
            page,
            w,
            rows,
            more,
            problems,
            form,
            questionnaires,
            units,
            is_admin: user.user.is(Role::Admin),
        },
    )
}

#[get("/admin/rounds")]
pub async fn rounds_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Manager)?;
    let after = query.into_inner().after.filter(|a| !a.is_empty());
    let form = Fields(vec![("closes_at".into(), default_closes())]);
    show_rounds(&req, &state, &user, after, form, Problems::default(), StatusCode::OK).await
}

#[post("/admin/rounds")]
pub async fn create_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Manager)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let w = words(lang);
    let mut problems = Problems::default();
    if form.get("questionnaire_id").is_empty() {
        problems.add(
            "questionnaire_id",
            w.questionnaire,
            if lang == Lang::De {
                "Bitte einen Fragebogen wählen."
            } else {
                "Please choose a questionnaire."
            },
        );
    }
    let opens_at = if form.get("opens_at").is_empty() {
        None
    } else {
        moment(&form, "opens_at", w.opens, lang, &mut problems)
    };
    let closes_at = moment(&form, "closes_at", w.closes, lang, &mut problems);
    if let (true, Some(closes_at)) = (problems.is_empty(), closes_at) {
        let body = CreateAssessment {
            questionnaire_id: form.get("questionnaire_id").to_owned(),
            title: form.get("title").to_owned(),
            scope_unit_id: form.optional("scope_unit_id"),
            opens_at: opens_at.map(|t| t.and_utc()),
            closes_at: closes_at.and_utc(),
        };
        let caller = user.user.clone();
        let created = match checked_round(&caller, body) {
            Ok(new) => {
                let (org, actor) = (caller.org_id.clone(), caller.id.clone());
                db::run(&state.pool, move |conn| {
                    crate::views::admin_acts::create_round(conn, &org, &actor, &new)
                })
                .await
            }
            Err(e) => Err(e),
        };
        match created {
            Ok(round) => {
                tracing::info!(assessment_id = %round.id, by = %user.user.id, "assessment round created (web)");
                return Ok(see_other(&format!("/admin/rounds/{}", round.id)));
            }
            Err(e) => {
                let label = |field: &str| -> Option<(String, String)> {
                    let l = match field {
                        "questionnaire_id" => w.questionnaire,
                        "title" => w.round_title,
                        "scope_unit_id" => w.scope,
                        "opens_at" => w.opens,
                        "closes_at" => w.closes,
                        _ => return None,
                    };
                    Some((field.to_owned(), l.to_owned()))
                };
                problems.absorb(e, lang, label, ("questionnaire_id", w.questionnaire))?;
            }
        }
    }
    show_rounds(
        &req,
        &state,
        &user,
        None,
        form,
        problems,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub struct RoundWords {
    pub back: &'static str,
    pub scope: &'static str,
    pub state: &'static str,
    pub questionnaire: &'static str,
    pub opens: &'static str,
    pub closes: &'static str,
    pub opened: &'static str,
    pub closed: &'static str,
    pub eligible: &'static str,
    pub responses: &'static str,
    pub rate: &'static str,
    pub live_note: &'static str,
    pub open_now: &'static str,
    pub close_now: &'static str,
    pub close_warning: &'static str,
    pub delete: &'static str,
    pub results: &'static str,
    pub results_caption: &'static str,
    pub dimension: &'static str,
    pub n: &'static str,
    pub mean: &'static str,
    pub score: &'static str,
    pub ci: &'static str,
    pub band: &'static str,
    pub k_note: &'static str,
    pub dashboard: &'static str,
    pub not_yet: &'static str,
}

fn round_words(lang: Lang) -> RoundWords {
    match lang {
        Lang::De => RoundWords {
            back: "Alle Runden",
            scope: "Bereich",
            state: "Stand",
            questionnaire: "Fragebogen",
            opens: "Beginn (UTC)",
            closes: "Ende (UTC)",
            opened: "Geöffnet (UTC)",
            closed: "Abgeschlossen (UTC)",
            eligible: "Teilnahmeberechtigt beim Öffnen",
            responses: "Antworten",
            rate: "Beteiligung",
            live_note: "Die Runde läuft: zu sehen ist nur die Beteiligung. Die Ergebnisse werden einmal, beim Abschluss, berechnet.",
            open_now: "Jetzt öffnen",
            close_now: "Jetzt abschließen",
            close_warning: "Nach dem Abschluss nimmt die Runde keine Antworten mehr an; die Ergebnisse werden dann berechnet und ändern sich nie mehr.",
            delete: "Runde löschen",
            results: "Ergebnisse",
            results_caption: "Ergebnisse je Dimension (Mittelwert 1–5, Wert 0–100, 95-%-Konfidenzintervall)",
            dimension: "Dimension",
            n: "n",
            mean: "Mittelwert",
            score: "Wert",
            ci: "95-%-KI",
            band: "Stufe",
            k_note: "Gruppen mit weniger als {k} Antworten werden nicht ausgewiesen.",
            dashboard: "Im Management-Dashboard vergleichen",
            not_yet: "Die Runde hat noch nicht begonnen.",
        },
        Lang::En => RoundWords {
            back: "All rounds",
            scope: "Scope",
            state: "State",
            questionnaire: "Questionnaire",
            opens: "Opens (UTC)",
            closes: "Closes (UTC)",
            opened: "Opened (UTC)",
            closed: "Closed (UTC)",
            eligible: "Eligible when opened",
            responses: "Responses",
            rate: "Participation",
            live_note: "The round is open: only the participation is shown. Results are computed once, when it closes.",
            open_now: "Open now",
            close_now: "Close now",
            close_warning: "After closing, the round takes no more answers; its results are computed then and never change again.",
            delete: "Delete round",
            results: "Results",
            results_caption: "Results by dimension (mean 1–5, score 0–100, 95 % confidence interval)",
            dimension: "Dimension",
            n: "n",
            mean: "Mean",
            score: "Score",
            ci: "95 % CI",
            band: "Band",
            k_note: "Groups with fewer than {k} responses are not shown.",
            dashboard: "Compare in the management dashboard",
            not_yet: "The round has not started yet.",
        },
    }
}

pub struct ResultRow {
    pub name: String,
    pub n: String,
    pub mean: String,
    pub score: String,
    pub ci: String,
    pub band: String,
    /// Why the figures are not shown.
    pub suppressed: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_round.html")]
struct RoundPage {
    page: Page,
    w: RoundWords,
    id: String,
    status: RoundStatus,
    status_label: &'static str,
    questionnaire: String,
    scope: String,
    facts: Vec<(&'static str, String)>,
    results: Option<ResultsView>,
}

pub struct ResultsView {
    pub responses: i64,
    pub rate: String,
    pub suppressed: Option<String>,
    pub rows: Vec<ResultRow>,
    pub k_note: String,
}

fn fixed(lang: Lang, v: Option<f64>, places: usize) -> String {
    match v {
        Some(v) => {
            let s = format!("{v:.places$}");
            if lang == Lang::De { s.replace('.', ",") } else { s }
        }
        None => "–".into(),
    }
}

fn results_view(r: &ResultsResponse, lang: Lang, w: &RoundWords, of: &str) -> ResultsView {
    ResultsView {
        responses: r.responses,
        rate: participation(lang, r.responses, r.eligible, of),
        suppressed: r.suppressed.as_ref().map(|s| s.message.clone()),
        rows: r
            .dimensions
            .iter()
            .map(|d| ResultRow {
                name: d.name.clone(),
                n: d.figures.n.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
                mean: fixed(lang, d.figures.mean, 2),
                score: fixed(lang, d.figures.score, 1),
                ci: match (d.figures.ci95_low, d.figures.ci95_high) {
                    (Some(lo), Some(hi)) => format!("{} – {}", fixed(lang, Some(lo), 2), fixed(lang, Some(hi), 2)),
                    _ => "–".into(),
                },
                band: d
                    .figures
                    .band
                    .as_ref()
                    .map(|b| b.label.clone())
                    .unwrap_or_else(|| "–".into()),
                suppressed: d.suppressed.as_ref().map(|s| s.message.clone()),
            })
            .collect(),
        k_note: w.k_note.replace("{k}", &r.min_group_size.to_string()),
    }
}

#[get("/admin/rounds/{id}")]
pub async fn round_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Manager)?;
    let lang = user.lang;
    let id = id.into_inner();
    let caller = user.user.clone();
    let (round, questionnaire, scope, results) = db::run(&state.pool, move |conn| {
        let round = assessments::find_current(conn, &caller.org_id, &id, db::now())?;
        let q = questionnaires::load(conn, &caller.org_id, &round.questionnaire_id)?;
        let names = units::names(conn, &caller.org_id)?;
        let scope = round.scope_unit_id.as_ref().and_then(|u| names.get(u).cloned());
        let results = if round.status() == RoundStatus::Scheduled {
            None
        } else {
            Some(load_results(conn, &caller, &round.id, false)?)
        };
        Ok((round, q.questionnaire.title().get(lang).to_owned(), scope, results))
    })
    .await?;
    let w = round_words(lang);
    let list_words = words(lang);
    let results = results.map(|r| results_view(&r.shape(lang), lang, &w, list_words.of));
    let mut facts = vec![
        (w.opens, date_time(lang, round.opens_at)),
        (w.closes, date_time(lang, round.closes_at)),
    ];
    if let Some(t) = round.opened_at {
        facts.push((w.opened, date_time(lang, t)));
    }
    if let Some(t) = round.closed_at {
        facts.push((w.closed, date_time(lang, t)));
    }
    if let Some(e) = round.eligible_count {
        facts.push((w.eligible, e.to_string()));
    }
    let mut page = admin_page(&state, &req, &user, &round.title);
    page.nav = if user.user.is(Role::Admin) { "admin" } else { "rounds" };
    render(
        StatusCode::OK,
        &RoundPage {
            page,
            id: round.id.clone(),
            status: round.status(),
            status_label: status_label(round.status(), lang),
            questionnaire,
            scope: scope.unwrap_or_else(|| list_words.whole_org.to_owned()),
            facts,
            results,
            w,
        },
    )
}

/// The three actions on a round: each as the API's endpoint does it.
async fn act(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    id: String,
    form: &Fields,
    action: &'static str,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Manager)?;
    session::verify_form(req, user, Some(form.get(session::CSRF_FIELD)))?;
    let (org, actor) = (user.user.org_id.clone(), user.user.id.clone());
    let round_id = id.clone();
    db::run(&state.pool, move |conn| {
        crate::views::admin_acts::round_step(conn, &org, &actor, &round_id, action)
    })
    .await?;
    tracing::info!(assessment_id = %id, by = %user.user.id, action, "assessment round changed (web)");
    Ok(if action == "delete" {
        see_other("/admin/rounds")
    } else {
        see_other(&format!("/admin/rounds/{id}"))
    })
}

#[post("/admin/rounds/{id}/open")]
pub async fn open_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "open").await
}

#[post("/admin/rounds/{id}/close")]
pub async fn close_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "close").await
}

#[post("/admin/rounds/{id}/delete")]
pub async fn delete_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "delete").await
}

/// The value for the closing time field of a new round: two weeks from now.
pub fn default_closes() -> String {
    moment_value(db::now() + chrono::Duration::days(14))
}
