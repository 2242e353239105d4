//! Administration: the organisation's settings (name, language, k, weak dimensions, the
//! limit for stuck ideas, the reference questionnaire) and the reassessment schedule.
//! Both save through the same code as `PATCH /organization` and `PUT /reassessment`,
//! with the version read so that nobody overwrites a change they have not seen.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::{admin_page, decimal, moment, moment_value, require_admin, stale_message, whole_number};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::QuestionnaireStatus;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::routes::organization::{self as api, UpdateOrganization};
use crate::state::AppState;
use crate::store::organizations;
use crate::store::questionnaires::{self, QuestionnaireFilter};
use crate::store::reassessment::ScheduleSettings;
use crate::web::form::{Fields, Problems};
use crate::web::ideas::Choice;
use crate::web::session::{self, WebUser};
use crate::web::{Page, date_time, render, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(settings_page)
        .service(settings_submit)
        .service(schedule_page)
        .service(schedule_submit)
        .service(schedule_trigger);
}

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub name: &'static str,
    pub locale: &'static str,
    pub locale_hint: &'static str,
    pub k: &'static str,
    pub k_hint: &'static str,
    pub weak_threshold: &'static str,
    pub weak_threshold_hint: &'static str,
    pub weak_count: &'static str,
    pub weak_count_hint: &'static str,
    pub stuck: &'static str,
    pub stuck_hint: &'static str,
    pub reference: &'static str,
    pub reference_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub german: &'static str,
    pub english: &'static str,
    pub slug: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Einstellungen der Kommune",
            intro: "Diese Einstellungen gelten für alle in Ihrer Kommune, im Browser wie über die Schnittstelle.",
            name: "Name der Kommune",
            locale: "Standardsprache",
            locale_hint: "Für alle, die im Browser keine Sprache gewählt haben.",
            k: "Mindestgröße für Auswertungen",
            k_hint: "Gruppen mit weniger Antworten werden nie ausgewiesen (mindestens 3). Eine Änderung gilt für Runden, die danach schließen.",
            weak_threshold: "Schwellenwert für schwache Dimensionen (0–100)",
            weak_threshold_hint: "Eine Dimension mit einem niedrigeren Wert gilt als schwach.",
            weak_count: "Zusätzlich als schwach: die schwächsten",
            weak_count_hint: "Anzahl der Dimensionen mit dem niedrigsten Wert, die immer als schwach gelten (0–20).",
            stuck: "Festhängend nach (Tagen)",
            stuck_hint: "Eine Idee, die länger in einer Phase bleibt, wird im PDCA-Board und in den Berichten markiert.",
            reference: "Referenzfragebogen",
            reference_hint: "Seine Dimensionen sind die Dimensionen der Kommune: schwache Dimensionen, Verknüpfung von Ideen, Fortschritt.",
            save: "Speichern",
            saved: "Die Einstellungen sind gespeichert.",
            german: "Deutsch",
            english: "Englisch",
            slug: "Kurzname bei der Anmeldung",
        },
        Lang::En => Words {
            title: "Municipality settings",
            intro: "These settings apply to everyone in your municipality, in the browser and over the API.",
            name: "Name of the municipality",
            locale: "Default language",
            locale_hint: "For everyone who has not chosen a language in the browser.",
            k: "Minimum group size for results",
            k_hint: "Groups with fewer responses are never shown (at least 3). A change applies to rounds that close afterwards.",
            weak_threshold: "Threshold for weak dimensions (0–100)",
            weak_threshold_hint: "A dimension scoring lower counts as weak.",
            weak_count: "Also weak: the lowest",
            weak_count_hint: "Number of lowest-scoring dimensions that always count as weak (0–20).",
            stuck: "Stuck after (days)",
            stuck_hint: "An idea staying longer in one stage is marked on the PDCA board and in the reports.",
            reference: "Reference questionnaire",
            reference_hint: "Its dimensions are the municipality's dimensions: weak dimensions, idea links, progress.",
            save: "Save",
            saved: "The settings are saved.",
            german: "German",
            english: "English",
            slug: "Short name at sign-in",
        },
    }
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    slug: String,
    references: Vec<Choice>,
    saved: bool,
    notices: Vec<String>,
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The published questionnaire keys an organisation may take as its reference.
fn reference_choices(
    conn: &mut db::DbConnection,
    org_id: &str,
    lang: Lang,
    chosen: &str,
) -> Result<Vec<Choice>, ApiError> {
    let filter = QuestionnaireFilter {
        status: Some(QuestionnaireStatus::Published),
        key: None,
        include_drafts: false,
    };
    let mut seen: Vec<Choice> = Vec::new();
    for q in questionnaires::list(conn, org_id, &filter, None, 1000)? {
        if seen.iter().any(|c| c.value == q.key) {
            continue;
        }
        seen.push(Choice {
            selected: q.key == chosen,
            label: format!("{} ({})", q.title().get(lang), q.key),
            value: q.key.clone(),
            weak: false,
        });
    }
    Ok(seen)
}

/// The form filled with the organisation as stored.
fn current_form(org: &organizations::Organization, lang: Lang) -> Fields {
    Fields(vec![
        ("version".into(), org.version.to_string()),
        ("name".into(), org.name.clone()),
        ("default_locale".into(), org.default_locale.clone()),
        ("min_group_size".into(), org.min_group_size.to_string()),
        ("weak_threshold".into(), crate::web::number(lang, org.weak_threshold)),
        ("weak_count".into(), org.weak_count.to_string()),
        ("stuck_stage_days".into(), org.stuck_stage_days.to_string()),
        (
            "reference_questionnaire_key".into(),
            org.reference_questionnaire_key.clone(),
        ),
    ])
}

async fn show_settings(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Option<Fields>,
    problems: Problems,
    status: StatusCode,
    saved: Option<Vec<String>>,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let org_id = user.user.org_id.clone();
    let (org, references) = db::run(&state.pool, move |conn| {
        let org = organizations::find(conn, &org_id)?;
        let refs = reference_choices(conn, &org_id, lang, &org.reference_questionnaire_key)?;
        Ok((org, refs))
    })
    .await?;
    // Without a form (first view, or a stale version refused) the values are today's.
    let form = form.unwrap_or_else(|| current_form(&org, lang));
    let chosen = form.get("reference_questionnaire_key").to_owned();
    let references = references
        .into_iter()
        .map(|mut c| {
            c.selected = c.value == chosen;
            c
        })
        .collect();
    let w = words(lang);
    let mut page = admin_page(state, req, user, w.title);
    page.invalid = !problems.is_empty();
    render(
        status,
        &SettingsPage {
            page,
            w,
            problems,
            form,
            slug: org.slug,
            references,
            saved: saved.is_some(),
            notices: saved.unwrap_or_default(),
        },
    )
}

#[get("/admin/settings")]
pub async fn settings_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    show_settings(
        &req,
        &state,
        &user,
        None,
        Problems::default(),
        StatusCode::OK,
        query.saved.as_ref().map(|_| Vec::new()),
    )
    .await
}

#[post("/admin/settings")]
pub async fn settings_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let w = words(lang);
    let mut problems = Problems::default();
    let version = form
        .get("version")
        .parse::<i64>()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    let body = UpdateOrganization {
        version: Some(version),
        name: Some(form.get("name").to_owned()),
        default_locale: Some(form.get("default_locale").to_owned()),
        min_group_size: whole_number(&form, "min_group_size", w.k, lang, &mut problems),
        weak_threshold: decimal(&form, "weak_threshold", w.weak_threshold, lang, &mut problems),
        weak_count: whole_number(&form, "weak_count", w.weak_count, lang, &mut problems),
        stuck_stage_days: whole_number(&form, "stuck_stage_days", w.stuck, lang, &mut problems),
        reference_questionnaire_key: form.optional("reference_questionnaire_key"),
    };
    let label = |field: &str| -> Option<(String, String)> {
        let l = match field {
            "name" => w.name,
            "default_locale" => w.locale,
            "min_group_size" => w.k,
            "weak_threshold" => w.weak_threshold,
            "weak_count" => w.weak_count,
            "stuck_stage_days" => w.stuck,
            "reference_questionnaire_key" => w.reference,
            _ => return None,
        };
        Some((field.to_owned(), l.to_owned()))
    };
    if problems.is_empty() {
        let saved = match body.validate() {
            Ok(changes) => {
                let org_id = user.user.org_id.clone();
                let actor = user.user.id.clone();
                db::run(&state.pool, move |conn| {
                    api::apply(conn, &org_id, &actor, version, &changes)
                })
                .await
            }
            Err(e) => Err(e),
        };
        match saved {
            Ok(Ok(response)) => {
                tracing::info!(by = %user.user.id, version = response.version, "organisation settings saved (web)");
                if response.notices.is_empty() {
                    return Ok(see_other("/admin/settings?saved=1"));
                }
                let notices = response
                    .notices
                    .iter()
                    .map(|n| crate::messages::localize(n, lang))
                    .collect();
                return show_settings(
                    &req,
                    &state,
                    &user,
                    None,
                    Problems::default(),
                    StatusCode::OK,
                    Some(notices),
                )
                .await;
            }
            Ok(Err(_current)) => {
                problems.add("name", w.name, stale_message(lang));
                return show_settings(&req, &state, &user, None, problems, StatusCode::CONFLICT, None).await;
            }
            Err(e) => problems.absorb(e, lang, label, ("name", w.name))?,
        }
    }
    show_settings(
        &req,
        &state,
        &user,
        Some(form),
        problems,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    )
    .await
}

pub struct ScheduleWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub state: &'static str,
    pub enabled: &'static str,
    pub enabled_hint: &'static str,
    pub questionnaire: &'static str,
    pub questionnaire_hint: &'static str,
    pub current_questionnaire: &'static str,
    pub interval: &'static str,
    pub interval_hint: &'static str,
    pub window: &'static str,
    pub window_hint: &'static str,
    pub first_due: &'static str,
    pub first_due_hint: &'static str,
    pub pattern: &'static str,
    pub pattern_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub next_due: &'static str,
    pub off: &'static str,
    pub current_round: &'static str,
    pub last_round: &'static str,
    pub none: &'static str,
    pub notices: &'static str,
    pub trigger_title: &'static str,
    pub trigger_text: &'static str,
    pub trigger: &'static str,
    pub read_only: &'static str,
}

fn schedule_words(lang: Lang) -> ScheduleWords {
    match lang {
        Lang::De => ScheduleWords {
            title: "Wiederholungsbefragung",
            intro: "Nach diesem Plan legt kaizen selbst neue Befragungsrunden an, damit sich Veränderungen über die Zeit zeigen.",
            state: "Stand",
            enabled: "Runden nach Plan anlegen",
            enabled_hint: "Ausgeschaltet legt kaizen keine Runde von selbst an.",
            questionnaire: "Fragebogen",
            questionnaire_hint: "Ohne feste Wahl nimmt jede Runde den jeweils aktuellen Fragebogen.",
            current_questionnaire: "Jeweils der aktuelle Fragebogen",
            interval: "Abstand (Monate)",
            interval_hint: "1 bis 36 Monate zwischen zwei Runden.",
            window: "Laufzeit einer Runde (Tage)",
            window_hint: "1 bis 90 Tage, kürzer als der Abstand.",
            first_due: "Erste Runde fällig am (UTC)",
            first_due_hint: "Datum und Uhrzeit in koordinierter Weltzeit (UTC; MEZ ist UTC + 1 Stunde).",
            pattern: "Titel der Runden",
            pattern_hint: "Platzhalter: {date}, {year}, {month}, {quarter}, {half}.",
            save: "Plan speichern",
            saved: "Der Plan ist gespeichert.",
            next_due: "Nächste Runde fällig",
            off: "ausgeschaltet",
            current_round: "Runde des laufenden Zeitraums",
            last_round: "Zuletzt nach Plan angelegte Runde",
            none: "keine",
            notices: "Hinweise",
            trigger_title: "Jetzt eine Runde öffnen",
            trigger_text: "Öffnet sofort eine Runde für die ganze Kommune mit Fragebogen, Titel und Laufzeit dieses Plans; der Plan selbst bleibt, wie er ist.",
            trigger: "Runde jetzt öffnen",
            read_only: "Den Plan ändern können Administratorinnen und Administratoren.",
        },
        Lang::En => ScheduleWords {
            title: "Reassessment schedule",
            intro: "By this schedule kaizen creates new assessment rounds on its own, so that change shows over time.",
            state: "State",
            enabled: "Create rounds by schedule",
            enabled_hint: "Switched off, kaizen creates no round on its own.",
            questionnaire: "Questionnaire",
            questionnaire_hint: "Without a fixed choice every round takes the questionnaire current at the time.",
            current_questionnaire: "The current questionnaire each time",
            interval: "Interval (months)",
            interval_hint: "1 to 36 months between two rounds.",
            window: "Duration of a round (days)",
            window_hint: "1 to 90 days, shorter than the interval.",
            first_due: "First round due at (UTC)",
            first_due_hint: "Date and time in Coordinated Universal Time (UTC; CET is UTC + 1 hour).",
            pattern: "Title of the rounds",
            pattern_hint: "Placeholders: {date}, {year}, {month}, {quarter}, {half}.",
            save: "Save schedule",
            saved: "The schedule is saved.",
            next_due: "Next round due",
            off: "switched off",
            current_round: "Round of the current period",
            last_round: "Last round created by schedule",
            none: "none",
            notices: "Notices",
            trigger_title: "Open a round now",
            trigger_text: "Opens a round for the whole municipality at once, with this schedule's questionnaire, title and duration; the schedule itself stays as it is.",
            trigger: "Open round now",
            read_only: "Administrators can change the schedule.",
        },
    }
}

#[derive(Template)]
#[template(path = "admin_schedule.html")]
struct SchedulePage {
    page: Page,
    w: ScheduleWords,
    problems: Problems,
    form: Fields,
    questionnaires: Vec<Choice>,
    may_edit: bool,
    saved: bool,
    next_due: Option<String>,
    current_round: Option<(String, String)>,
    last_round: Option<(String, String)>,
    notices: Vec<String>,
}

async fn show_schedule(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Option<Fields>,
    problems: Problems,
    status: StatusCode,
    saved: bool,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let view = crate::routes::reassessment::current_status(state, user.user.org_id.clone()).await?;
    let org_id = user.user.org_id.clone();
    let published = db::run(&state.pool, move |conn| {
        let filter = QuestionnaireFilter {
            status: Some(QuestionnaireStatus::Published),
            key: None,
            include_drafts: false,
        };
        questionnaires::list(conn, &org_id, &filter, None, 1000)
    })
    .await?;
    let form = form.unwrap_or_else(|| {
        let mut f = vec![
            ("version".into(), view.version.to_string()),
            (
                "questionnaire_id".into(),
                view.questionnaire_id.clone().unwrap_or_default(),
            ),
            ("interval_months".into(), view.interval_months.to_string()),
            ("window_days".into(), view.window_days.to_string()),
            (
                "first_due_at".into(),
                view.first_due_at
                    .map(|t| moment_value(t.naive_utc()))
                    .unwrap_or_default(),
            ),
            ("title_pattern".into(), view.title_pattern.clone()),
        ];
        if view.enabled {
            f.push(("enabled".into(), "true".into()));
        }
        Fields(f)
    });
    let chosen = form.get("questionnaire_id").to_owned();
    let questionnaires = published
        .iter()
        .map(|q| Choice {
            value: q.id.clone(),
            label: format!("{} ({} v{})", q.title().get(lang), q.key, q.version),
            selected: q.id == chosen,
            weak: false,
        })
        .collect();
    let round_line = |r: &crate::routes::reassessment::ReassessmentRound| {
        (
            format!("/admin/rounds/{}", r.id),
            format!(
                "{} – {}",
                r.title,
                crate::web::admin::rounds::status_label(r.status, lang)
            ),
        )
    };
    let w = schedule_words(lang);
    let mut page = admin_page(state, req, user, w.title);
    page.invalid = !problems.is_empty();
    render(
        status,
        &SchedulePage {
            page,
            problems,
            form,
            questionnaires,
            may_edit: user.user.is(Role::Admin),
            saved,
            next_due: view.next_due_at.map(|t| date_time(lang, t.naive_utc())),
            current_round: view
                .current_period
                .as_ref()
                .and_then(|p| p.round.as_ref())
                .map(round_line),
            last_round: view.last_scheduled_round.as_ref().map(round_line),
            notices: view
                .notices
                .iter()
                .map(|n| crate::web::form::capitalised(&crate::messages::localize(n, lang)))
                .collect(),
            w,
        },
    )
}

/// Managers read the schedule (as `GET /reassessment` allows them); admins change it.
#[get("/admin/schedule")]
pub async fn schedule_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Manager)?;
    show_schedule(
        &req,
        &state,
        &user,
        None,
        Problems::default(),
        StatusCode::OK,
        query.saved.is_some(),
    )
    .await
}

#[post("/admin/schedule")]
pub async fn schedule_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let w = schedule_words(lang);
    let version = form
        .get("version")
        .parse::<i64>()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    let mut problems = Problems::default();
    let interval = whole_number(&form, "interval_months", w.interval, lang, &mut problems);
    let window = whole_number(&form, "window_days", w.window, lang, &mut problems);
    let first_due = moment(&form, "first_due_at", w.first_due, lang, &mut problems);
    if let (Some(interval_months), Some(window_days), Some(first_due_at)) = (interval, window, first_due) {
        let settings = ScheduleSettings {
            enabled: form.has("enabled", "true"),
            questionnaire_id: form.optional("questionnaire_id"),
            interval_months,
            window_days,
            first_due_at,
            title_pattern: form
                .optional("title_pattern")
                .unwrap_or_else(|| crate::domain::reassessment::DEFAULT_TITLE_PATTERN.to_owned()),
        };
        let (org_id, by) = (user.user.org_id.clone(), user.user.id.clone());
        let saved = db::run(&state.pool, move |conn| {
            crate::views::admin_acts::save_schedule(conn, &org_id, &by, version, &settings)
        })
        .await;
        match saved {
            Ok(Ok(s)) => {
                tracing::info!(by = %user.user.id, enabled = s.enabled, version = s.version, "reassessment schedule saved (web)");
                return Ok(see_other("/admin/schedule?saved=1"));
            }
            Ok(Err(_)) => {
                problems.add("interval_months", w.interval, stale_message(lang));
                return show_schedule(&req, &state, &user, None, problems, StatusCode::CONFLICT, false).await;
            }
            Err(e) => {
                let label = |field: &str| -> Option<(String, String)> {
                    let l = match field {
                        "questionnaire_id" => w.questionnaire,
                        "interval_months" => w.interval,
                        "window_days" => w.window,
                        "first_due_at" => w.first_due,
                        "title_pattern" => w.pattern,
                        _ => return None,
                    };
                    Some((field.to_owned(), l.to_owned()))
                };
                problems.absorb(e, lang, label, ("interval_months", w.interval))?;
            }
        }
    }
    show_schedule(
        &req,
        &state,
        &user,
        Some(form),
        problems,
        StatusCode::UNPROCESSABLE_ENTITY,
        false,
    )
    .await
}

/// Opens an organisation-wide round now, as `POST /reassessment/trigger` does.
#[post("/admin/schedule/trigger")]
pub async fn schedule_trigger(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (org_id, by) = (user.user.org_id.clone(), user.user.id.clone());
    let round = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::trigger_round(conn, &org_id, &by)
    })
    .await?;
    tracing::info!(assessment_id = %round.id, by = %user.user.id, "reassessment round opened by hand (web)");
    Ok(see_other(&format!("/admin/rounds/{}", round.id)))
}
