//! Taking a PDCA step in the browser: each step the caller may take now is a form built
//! from what the API's allowed transitions say (its fields, which are required, which are
//! on record and which are still missing), sent to the same `store::ideas::transition`.
//! When someone else moved the idea first, the form comes back with what changed and the
//! entries kept, to be sent again on the current state: nothing is overwritten silently.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::form::{Fields, Problems};
use super::home::page_for;
use super::session::{self, WebUser};
use super::{Page, render, see_other};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::pdca::{self, Action, Field, StageValues};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ideas::{self as store, LifecycleView};
use crate::store::users;
use crate::views::transitions::{TransitionOption, TransitionRequest};

/// What a step is called on buttons and headings.
pub fn action_label(action: Action, lang: Lang) -> &'static str {
    let (de, en) = match action {
        Action::Accept => ("Annehmen und planen", "Accept and plan"),
        Action::Reject => ("Ablehnen", "Reject"),
        Action::MarkDuplicate => ("Als doppelt markieren", "Mark as duplicate"),
        Action::Withdraw => ("Zurückziehen", "Withdraw"),
        Action::Start => ("Pilot starten (Do)", "Start the pilot (Do)"),
        Action::Check => ("Prüfen (Check)", "Check"),
        Action::Act => ("Messen und bewerten (Act)", "Measure and assess (Act)"),
        Action::Adopt => ("Als Standard übernehmen", "Adopt as the standard"),
        Action::Adapt => ("Anpassen: neuer Zyklus", "Adapt: a new cycle"),
        Action::Abandon => ("Abbrechen", "Abandon"),
    };
    if lang == Lang::De { de } else { en }
}

/// How a field is entered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Long,
    Number,
    YesNo,
    Date,
    Person,
    Idea,
}

fn kind(field: Field) -> Kind {
    match field {
        Field::OwnerId => Kind::Person,
        Field::DuplicateOf => Kind::Idea,
        Field::KpiName | Field::KpiUnit => Kind::Text,
        Field::KpiBaseline
        | Field::KpiTarget
        | Field::MeasuredValue
        | Field::MeasuredHoursSavedPerYear
        | Field::MeasuredCostSavedPerYear => Kind::Number,
        Field::LowerIsBetter | Field::RanAsPlanned => Kind::YesNo,
        Field::DueDate => Kind::Date,
        _ => Kind::Long,
    }
}

/// Label and hint of a field (English hints are the API's descriptions).
fn field_words(field: Field, lang: Lang) -> (&'static str, &'static str) {
    let (label_de, hint_de, label_en) = match field {
        Field::OwnerId => (
            "Verantwortlich für den Pilot",
            "E-Mail-Adresse der Person, die den Pilot durchführt.",
            "Pilot owner",
        ),
        Field::Problem => (
            "Problem und Ursache",
            "Was ist das Problem, und woran liegt es?",
            "Problem and root cause",
        ),
        Field::Goal => ("Ziel", "Was soll die Änderung erreichen?", "Goal"),
        Field::KpiName => (
            "Kennzahl",
            "Woran sieht man, ob es gewirkt hat? Zum Beispiel „Wartezeit am Schalter“.",
            "Key figure (KPI)",
        ),
        Field::KpiUnit => (
            "Einheit der Kennzahl",
            "Zum Beispiel Minuten oder %.",
            "Unit of the key figure",
        ),
        Field::KpiBaseline => ("Ausgangswert", "Der Wert der Kennzahl vor der Änderung.", "Baseline"),
        Field::KpiTarget => (
            "Zielwert",
            "Der Wert, den die Änderung erreichen soll – in der gewünschten Richtung.",
            "Target",
        ),
        Field::LowerIsBetter => (
            "Ist ein kleinerer Wert besser?",
            "Zum Beispiel bei Wartezeiten: ja.",
            "Is a lower value better?",
        ),
        Field::DueDate => (
            "Messen am",
            "Wann der Pilot gemessen wird (heute oder später).",
            "Measure on",
        ),
        Field::Prediction => ("Erwartung", "Was erwarten Sie, was passiert?", "Prediction"),
        Field::DoSummary => ("Durchführung", "Was wurde im Pilot getan?", "What was done"),
        Field::RanAsPlanned => ("Lief der Pilot wie geplant?", "", "Did the pilot run as planned?"),
        Field::Deviations => (
            "Abweichungen vom Plan",
            "Nötig, wenn der Pilot nicht wie geplant lief.",
            "Deviations from the plan",
        ),
        Field::MeasuredValue => (
            "Gemessener Wert",
            "Die Kennzahl nach dem Pilot; ob das Ziel erreicht ist, wird daraus berechnet.",
            "Measured value",
        ),
        Field::MeasuredHoursSavedPerYear => (
            "Gesparte Stunden pro Jahr",
            "Tatsächlich gesparte Arbeitszeit.",
            "Hours saved per year",
        ),
        Field::MeasuredCostSavedPerYear => (
            "Gesparte Euro pro Jahr",
            "Tatsächlich gesparte Kosten.",
            "Euros saved per year",
        ),
        Field::Findings => ("Erkenntnisse", "Was haben Sie gelernt?", "Findings"),
        Field::NewStandard => (
            "Neuer Standard",
            "Wie wird die Arbeit ab jetzt gemacht?",
            "New standard",
        ),
        Field::NextCycleChanges => (
            "Änderungen im nächsten Zyklus",
            "Was ändert sich im nächsten Durchlauf?",
            "Changes in the next cycle",
        ),
        Field::Reason => (
            "Begründung",
            "Die schriftliche Begründung; die Einreichenden sehen sie.",
            "Reason",
        ),
        Field::DuplicateOf => (
            "Frühere Idee",
            "Die Nummer (ID) der früheren Idee aus ihrer Adresse /ideas/….",
            "Earlier idea",
        ),
    };
    match lang {
        Lang::De => (label_de, hint_de),
        Lang::En => (label_en, field.description()),
    }
}

/// A field of the form.
pub struct StepField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub on_record: bool,
    pub value: String,
}

#[derive(Template)]
#[template(path = "step.html")]
struct StepPage {
    page: Page,
    problems: Problems,
    idea_id: String,
    idea_title: String,
    action: &'static str,
    heading: &'static str,
    version: i64,
    fields: Vec<StepField>,
    missing: Vec<&'static str>,
    conflict: Option<String>,
    note: String,
    yes: &'static str,
    no: &'static str,
    required_word: &'static str,
    on_record_word: &'static str,
    missing_heading: &'static str,
    note_label: &'static str,
    send: &'static str,
    back: &'static str,
}

fn number(lang: Lang, v: Option<f64>) -> String {
    v.map(|v| super::number(lang, v)).unwrap_or_default()
}

fn yes_no(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

/// What is on record for a field, as the form shows it.
fn recorded(record: &StageValues, field: Field, lang: Lang, owner_email: &Option<String>) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        Field::OwnerId => owner_email.clone().unwrap_or_default(),
        Field::Problem => text(&record.problem),
        Field::Goal => text(&record.goal),
        Field::KpiName => text(&record.kpi_name),
        Field::KpiUnit => text(&record.kpi_unit),
        Field::KpiBaseline => number(lang, record.kpi_baseline),
        Field::KpiTarget => number(lang, record.kpi_target),
        Field::LowerIsBetter => yes_no(record.lower_is_better),
        Field::DueDate => text(&record.due_date),
        Field::Prediction => text(&record.prediction),
        Field::DoSummary => text(&record.do_summary),
        Field::RanAsPlanned => yes_no(record.ran_as_planned),
        Field::Deviations => text(&record.deviations),
        Field::MeasuredValue => number(lang, record.measured_value),
        Field::MeasuredHoursSavedPerYear => number(lang, record.measured_hours_saved_per_year),
        Field::MeasuredCostSavedPerYear => number(lang, record.measured_cost_saved_per_year),
        Field::Findings => text(&record.findings),
        Field::NewStandard => text(&record.new_standard),
        Field::NextCycleChanges => text(&record.next_cycle_changes),
        Field::Reason => text(&record.reason),
        Field::DuplicateOf => text(&record.duplicate_of),
    }
}

fn field_of(name: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| f.name() == name)
}

/// The idea's state for the step, and the step's option if the caller may take it now.
async fn load(state: &AppState, user: &WebUser, id: String) -> Result<(LifecycleView, Option<String>), ApiError> {
    let caller = user.user.clone();
    db::run(&state.pool, move |conn| {
        let view = store::lifecycle_view(conn, &caller, &id)?;
        let owner = match &view.record.owner_id {
            Some(owner) => Some(users::find(conn, &caller.org_id, owner)?.email),
            None => None,
        };
        Ok((view, owner))
    })
    .await
}

fn option_for(view: &LifecycleView, action: Action) -> Option<TransitionOption> {
    pdca::available(view.idea.status(), &view.actor)
        .into_iter()
        .find(|a| *a == action)
        .map(|a| TransitionOption::new(a, &view.record))
}

struct Shown<'a> {
    form: Option<&'a Fields>,
    problems: Problems,
    conflict: Option<String>,
}

fn show(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    (view, owner): &(LifecycleView, Option<String>),
    option: &TransitionOption,
    shown: Shown<'_>,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let fields: Vec<StepField> = option
        .fields
        .iter()
        .filter_map(|f| {
            let field = field_of(&f.name)?;
            let (label, hint) = field_words(field, lang);
            let value = match shown.form {
                Some(form) => form.raw(field.name()).to_owned(),
                None => recorded(&view.record, field, lang, owner),
            };
            Some(StepField {
                name: field.name(),
                label,
                hint,
                kind: kind(field),
                required: f.required,
                on_record: f.on_record,
                value,
            })
        })
        .collect();
    let missing = option
        .missing
        .iter()
        .filter_map(|m| field_of(m).map(|f| field_words(f, lang).0))
        .collect();
    let heading = action_label(option.action, lang);
    let mut page = page_for(state, req, user, heading);
    page.nav = "board";
    page.invalid = !shown.problems.is_empty();
    let de = lang == Lang::De;
    let status = if shown.problems.is_empty() && shown.conflict.is_none() {
        StatusCode::OK
    } else if shown.conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &StepPage {
            page,
            problems: shown.problems,
            idea_id: view.idea.id.clone(),
            idea_title: view.idea.title.clone(),
            action: option.action.as_str(),
            heading,
            version: view.idea.version,
            fields,
            missing,
            conflict: shown.conflict,
            note: shown.form.map(|f| f.raw("note").to_owned()).unwrap_or_default(),
            yes: if de { "ja" } else { "yes" },
            no: if de { "nein" } else { "no" },
            required_word: if de { "erforderlich" } else { "required" },
            on_record_word: if de {
                "liegt vor – Sie können es ändern"
            } else {
                "on record – you may change it"
            },
            missing_heading: if de {
                "Noch fehlende Angaben für diesen Schritt:"
            } else {
                "Still missing for this step:"
            },
            note_label: if de {
                "Notiz für den Verlauf"
            } else {
                "Note for the history"
            },
            send: if de { "Schritt ausführen" } else { "Take the step" },
            back: if de { "Zurück zur Idee" } else { "Back to the idea" },
        },
    )
}

fn parse_action(raw: &str) -> Result<Action, ApiError> {
    Action::ALL
        .into_iter()
        .find(|a| a.as_str() == raw)
        .ok_or(ApiError::NotFound)
}

#[get("/ideas/{id}/steps/{action}")]
pub async fn step_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let action = parse_action(&action)?;
    let loaded = load(&state, &user, id).await?;
    let option = option_for(&loaded.0, action)
        .ok_or_else(|| ApiError::forbidden("this step is not open to you on this idea now"))?;
    let shown = Shown {
        form: None,
        problems: Problems::default(),
        conflict: None,
    };
    show(&req, &state, &user, &loaded, &option, shown)
}

/// A number as typed: "1.200,5" in German, "1,200.5" in English.
fn typed_number(raw: &str, lang: Lang) -> Result<Option<f64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let plain = match lang {
        Lang::De => raw.replace('.', "").replace(',', "."),
        Lang::En => raw.replace(',', ""),
    };
    plain.parse::<f64>().map(Some).map_err(|_| ())
}

#[post("/ideas/{id}/steps/{action}")]
pub async fn step_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (id, action) = path.into_inner();
    let action = parse_action(&action)?;
    let lang = user.lang;
    let version: i64 = form
        .get("version")
        .parse()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    let mut problems = Problems::default();
    let text = |name: &str| form.optional(name);
    let mut num = |name: &str| match typed_number(form.get(name), lang) {
        Ok(v) => v,
        Err(()) => {
            let label = field_of(name).map(|f| field_words(f, lang).0).unwrap_or("");
            problems.add(
                name,
                label,
                super::form::capitalised(&crate::messages::localize("must be a number", lang)),
            );
            None
        }
    };
    let yes_no = |name: &str| match form.get(name) {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let request = TransitionRequest {
        action,
        version: Some(version),
        note: text("note"),
        owner_id: None,
        problem: text("problem"),
        goal: text("goal"),
        kpi_name: text("kpi_name"),
        kpi_unit: text("kpi_unit"),
        kpi_baseline: num("kpi_baseline"),
        kpi_target: num("kpi_target"),
        lower_is_better: yes_no("lower_is_better"),
        due_date: text("due_date"),
        prediction: text("prediction"),
        do_summary: text("do_summary"),
        ran_as_planned: yes_no("ran_as_planned"),
        deviations: text("deviations"),
        measured_value: num("measured_value"),
        measured_hours_saved_per_year: num("measured_hours_saved_per_year"),
        measured_cost_saved_per_year: num("measured_cost_saved_per_year"),
        findings: text("findings"),
        new_standard: text("new_standard"),
        next_cycle_changes: text("next_cycle_changes"),
        reason: text("reason"),
        duplicate_of: text("duplicate_of"),
    };
    let place = |f: &str| {
        let field = field_of(f)?;
        Some((field.name().to_owned(), field_words(field, lang).0.to_owned()))
    };
    let parsed = match request.parse() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.absorb(e, lang, place, ("note", "Notiz"))?;
            None
        }
    };
    // Nothing is sent while a field of the form is wrong.
    let parsed = parsed.filter(|_| problems.is_empty());
    // The pilot's owner is named by e-mail here; the store takes the account's id.
    let owner_email = form.get("owner_id").to_lowercase();
    let caller = user.user.clone();
    let outcome = db::run(&state.pool, {
        let id = id.clone();
        move |conn| {
            let owner = if owner_email.is_empty() {
                Ok(None)
            } else {
                match users::find_by_email(conn, &caller.org_id, &owner_email)?.filter(|u| u.active) {
                    Some(u) => Ok(Some(u.id)),
                    None => Err(owner_email),
                }
            };
            let Some((action, mut values, note)) = parsed else {
                return Ok(Err(owner.err()));
            };
            match owner {
                Ok(owner) => values.owner_id = owner,
                Err(unknown) => return Ok(Err(Some(unknown))),
            }
            Ok(Ok(store::transition(
                conn,
                &caller,
                &id,
                version,
                action,
                &values,
                note.as_deref(),
            )))
        }
    })
    .await?;
    let result = match outcome {
        Ok(result) => Some(result),
        Err(unknown_owner) => {
            if let Some(email) = unknown_owner {
                let (label, _) = field_words(Field::OwnerId, lang);
                problems.add(
                    "owner_id",
                    label,
                    if lang == Lang::De {
                        format!("In Ihrer Kommune gibt es kein aktives Konto mit der Adresse {email}.")
                    } else {
                        format!("There is no active account with the address {email} in your municipality.")
                    },
                );
            }
            None
        }
    };
    let mut conflict = None;
    // The version the idea has now, when another step came first.
    let mut stale = None;
    match result {
        Some(Ok(Ok(_))) => {
            tracing::info!(idea_id = %id, %action, "idea moved");
            return Ok(see_other(&format!("/ideas/{id}")));
        }
        Some(Ok(Err(current))) => stale = Some(current),
        Some(Err(ApiError::Conflict { detail, .. })) => {
            conflict = Some(crate::messages::localize(&detail, lang));
        }
        Some(Err(ApiError::Validation(errors))) => {
            // On the step's own form "required to start" is simply "required for this step".
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.message.starts_with("is required to ") {
                        e.message = "is required for this step".into();
                    }
                    e
                })
                .collect();
            problems.absorb(ApiError::Validation(errors), lang, place, ("note", "Notiz"))?
        }
        Some(Err(e)) => problems.absorb(e, lang, place, ("note", "Notiz"))?,
        None => {}
    }
    let loaded = load(&state, &user, id.clone()).await?;
    let now = loaded.0.idea.status().label(lang);
    let Some(option) = option_for(&loaded.0, action) else {
        // The step is no longer open (the idea moved on): say what changed, that nothing
        // was saved, and offer the steps open on the current state.
        return moved_on(&req, &state, &user, &loaded.0, action, version, conflict);
    };
    if let Some(current) = stale {
        conflict = Some(if lang == Lang::De {
            format!(
                "Jemand anderes hat die Idee inzwischen geändert: Sie steht jetzt in „{now}“ \
                 (Ihre Fassung: {version}, jetzt: {current}). Nichts wurde gespeichert. Unten steht \
                 der aktuelle Stand mit Ihren Angaben. Prüfen Sie beides und senden Sie erneut."
            )
        } else {
            format!(
                "Someone else changed the idea meanwhile: it is now in “{now}” (your version: \
                 {version}, now: {current}). Nothing was saved. Below is the current state with \
                 your entries. Check both and send again."
            )
        });
    }
    let shown = Shown {
        form: Some(&form),
        problems,
        conflict,
    };
    show(&req, &state, &user, &loaded, &option, shown)
}

#[derive(Template)]
#[template(path = "step_conflict.html")]
struct MovedOnPage {
    page: Page,
    idea_id: String,
    idea_title: String,
    heading: &'static str,
    message: String,
    nothing_saved: &'static str,
    steps_heading: &'static str,
    steps: Vec<(String, &'static str)>,
    back: &'static str,
}

/// The 409 page when the step is no longer possible on the idea's current state.
fn moved_on(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    view: &LifecycleView,
    action: Action,
    version: i64,
    detail: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let de = lang == Lang::De;
    let now = view.idea.status().label(lang);
    let step = action_label(action, lang);
    let current = view.idea.version;
    let message = if current == version {
        // Nobody came first: the store's reason (or the general one).
        detail.unwrap_or_else(|| {
            crate::messages::localize("the idea changed meanwhile; this step is no longer possible", lang)
        })
    } else if de {
        format!(
            "Jemand anderes hat die Idee inzwischen geändert: Sie steht jetzt in „{now}“ \
             (Ihre Fassung: {version}, jetzt: {current}). Der Schritt „{step}“ ist nicht mehr möglich."
        )
    } else {
        format!(
            "Someone else changed the idea meanwhile: it is now in “{now}” (your version: \
             {version}, now: {current}). The step “{step}” is no longer possible."
        )
    };
    let heading = if de {
        "Die Idee wurde inzwischen geändert"
    } else {
        "The idea changed meanwhile"
    };
    let mut page = page_for(state, req, user, heading);
    page.nav = "board";
    let steps = pdca::available(view.idea.status(), &view.actor)
        .into_iter()
        .filter(|a| *a != Action::Withdraw)
        .map(|a| {
            (
                format!("/ideas/{}/steps/{}", view.idea.id, a.as_str()),
                action_label(a, lang),
            )
        })
        .collect();
    render(
        StatusCode::CONFLICT,
        &MovedOnPage {
            page,
            idea_id: view.idea.id.clone(),
            idea_title: view.idea.title.clone(),
            heading,
            message,
            nothing_saved: if de {
                "Ihre Angaben wurden nicht gespeichert, und nichts wurde überschrieben."
            } else {
                "Your entries were not saved, and nothing was overwritten."
            },
            steps_heading: if de {
                "Auf dem aktuellen Stand weitermachen"
            } else {
                "Continue on the current state"
            },
            steps,
            back: if de { "Zur Idee" } else { "To the idea" },
        },
    )
}
