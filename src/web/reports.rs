//! The management dashboard (`/reports`): the latest round's dimension scores with band
//! and confidence interval, the radar and trend charts each with its data as a table, the
//! comparisons between rounds with a verdict in plain words and the statistics one click
//! away, the closed loop (adopted improvements beside each dimension's change), the PDCA
//! pipeline, and CSV downloads. Everything comes from the report functions of the API
//! (`routes::reports`), with the same scope rules: managers and admins see the
//! organisation or any unit, leads their unit and the units below it, employees a 403
//! page; suppressed groups stay suppressed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::home::page_for;
use super::ideas::Choice;
use super::session::WebUser;
use super::{Page, render};
use crate::charts::{radar_svg, trend_svg};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::progress::PairKind;
use crate::domain::roles::Role;
use crate::domain::scoring::to_score;
use crate::domain::suppression::Hidden;
use crate::error::ApiError;
use crate::routes::reports::charts::{radar, trend};
use crate::routes::reports::pipeline::{self, PipelineReport, PipelineTable};
use crate::routes::reports::progress::{self, ComparisonReport, ProgressReport, ProgressTable, RoundProgress};
use crate::state::AppState;
use crate::store::units;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// A unit (with its sub-units); empty: the whole organisation (managers) or the
    /// lead's own unit.
    unit: Option<String>,
    /// `previous` (default), `first` or `chosen`.
    cmp: Option<String>,
    baseline: Option<String>,
    compare: Option<String>,
}

impl DashboardQuery {
    fn unit(&self) -> Option<String> {
        self.unit.clone().filter(|u| !u.trim().is_empty())
    }

    /// The two chosen rounds, when a chosen comparison names both.
    fn pair(&self) -> Option<(String, String)> {
        if self.cmp.as_deref() != Some("chosen") {
            return None;
        }
        match (&self.baseline, &self.compare) {
            (Some(b), Some(c)) if !b.is_empty() && !c.is_empty() => Some((b.clone(), c.clone())),
            _ => None,
        }
    }
}

pub struct ScoreRow {
    pub name: String,
    pub score: String,
    pub ci: String,
    pub band: String,
    pub n: String,
    pub weak: bool,
    /// Why the dimension's figures are not shown.
    pub note: Option<String>,
}

pub struct Latest {
    pub title: String,
    pub closed: String,
    pub responses: String,
    pub rate: String,
    pub rows: Vec<ScoreRow>,
}

pub struct ChangeRow {
    pub name: String,
    pub before: String,
    pub after: String,
    pub change: String,
    pub verdict: String,
    /// `improved`, `declined`, `none` or `` (no verdict).
    pub verdict_key: &'static str,
    pub difference: String,
    pub ci: String,
    pub p: String,
    pub g: String,
    pub has_stats: bool,
    pub submitted: i64,
    pub adopted: i64,
    pub hours: String,
}

pub struct Comparison {
    pub heading: String,
    pub rates: String,
    pub withheld: bool,
    pub rows: Vec<ChangeRow>,
    pub with_adopted: String,
    pub without_adopted: String,
    pub note: String,
}

pub struct StageRow {
    pub label: &'static str,
    pub ideas: i64,
    pub median: String,
    pub p90: String,
    pub link: String,
}

pub struct StuckRow {
    pub id: String,
    pub title: String,
    pub stage: &'static str,
    pub unit: String,
    pub days: i64,
}

pub struct Pipeline {
    pub stages: Vec<StageRow>,
    pub stuck_limit: i64,
    pub stuck_count: i64,
    pub stuck: Vec<StuckRow>,
    pub acceptance: String,
    pub participation: String,
    pub months: Vec<(String, i64, i64)>,
}

pub struct TrendTable {
    pub rounds: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct DashboardPage {
    page: Page,
    w: &'static Words,
    units: Vec<Choice>,
    may_choose_org: bool,
    scope_name: String,
    thin_note: Option<String>,
    latest: Option<Latest>,
    /// Why there are no figures to show (no closed round, or none the group shows).
    empty_note: String,
    radar: String,
    radar_table: TrendTable,
    trend: String,
    trend_table: TrendTable,
    round_choices: Vec<(String, String)>,
    cmp: String,
    baseline: String,
    compare: String,
    comparison: Option<Comparison>,
    /// Why the chosen rounds could not be compared.
    cmp_problem: Option<String>,
    verdict_rule: String,
    pipeline: Pipeline,
    downloads: Vec<(String, &'static str)>,
}

pub struct Words {
    title: &'static str,
    intro: &'static str,
    scope: &'static str,
    whole_org: &'static str,
    show: &'static str,
    latest: &'static str,
    closed: &'static str,
    responses: &'static str,
    rate: &'static str,
    dimension: &'static str,
    score: &'static str,
    ci: &'static str,
    band: &'static str,
    n: &'static str,
    weak: &'static str,
    charts: &'static str,
    radar_data: &'static str,
    trend_data: &'static str,
    comparisons: &'static str,
    cmp_label: &'static str,
    cmp_previous: &'static str,
    cmp_first: &'static str,
    cmp_chosen: &'static str,
    cmp_chosen_heading: &'static str,
    baseline: &'static str,
    compare: &'static str,
    compare_button: &'static str,
    no_comparison: &'static str,
    before: &'static str,
    after: &'static str,
    change: &'static str,
    verdict: &'static str,
    details: &'static str,
    difference: &'static str,
    p: &'static str,
    g: &'static str,
    adopted: &'static str,
    closed_loop: &'static str,
    with_adopted: &'static str,
    without_adopted: &'static str,
    pipeline: &'static str,
    stage: &'static str,
    ideas_now: &'static str,
    median: &'static str,
    p90: &'static str,
    stuck: &'static str,
    stuck_intro: &'static str,
    none_stuck: &'static str,
    days: &'static str,
    acceptance: &'static str,
    participation: &'static str,
    months: &'static str,
    month: &'static str,
    submitted: &'static str,
    downloads: &'static str,
    print: &'static str,
}

static DE: Words = Words {
    title: "Auswertung",
    intro: "Wie sich die Lernkultur entwickelt und wo die Verbesserungen stehen. Gruppen mit zu wenigen Antworten \
            werden zum Schutz der Anonymität nicht ausgewiesen.",
    scope: "Organisationseinheit (mit untergeordneten)",
    whole_org: "Gesamte Organisation",
    show: "Anzeigen",
    latest: "Aktueller Stand",
    closed: "abgeschlossen am",
    responses: "Antworten",
    rate: "Rücklauf",
    dimension: "Dimension",
    score: "Wert (0–100)",
    ci: "95-%-Konfidenzintervall",
    band: "Reifegrad",
    n: "n",
    weak: "schwach",
    charts: "Grafiken",
    radar_data: "Daten zur Netzgrafik",
    trend_data: "Daten zur Verlaufsgrafik",
    comparisons: "Vergleich zwischen Runden",
    cmp_label: "Vergleich",
    cmp_previous: "vorherige → letzte Runde",
    cmp_first: "erste → letzte Runde",
    cmp_chosen: "zwei Runden wählen",
    cmp_chosen_heading: "gewählte Runden",
    baseline: "Ausgangsrunde",
    compare: "Vergleichsrunde",
    compare_button: "Vergleichen",
    no_comparison: "Für einen Vergleich braucht es zwei abgeschlossene Runden mit ausgewiesenen Ergebnissen.",
    before: "vorher",
    after: "nachher",
    change: "Veränderung (Punkte)",
    verdict: "Urteil",
    details: "Zahlen",
    difference: "Differenz (Skala 1–5)",
    p: "p-Wert",
    g: "Hedges' g",
    adopted: "Umgesetzte Verbesserungen",
    closed_loop: "Verbesserungen und Veränderung",
    with_adopted: "Dimensionen mit umgesetzten Verbesserungen",
    without_adopted: "Dimensionen ohne",
    pipeline: "PDCA-Pipeline",
    stage: "Phase",
    ideas_now: "Ideen jetzt",
    median: "Median (Tage)",
    p90: "90-%-Wert (Tage)",
    stuck: "Festhängende Ideen",
    stuck_intro: "länger als {} Tage in einer Phase",
    none_stuck: "Keine Idee hängt fest.",
    days: "Tage",
    acceptance: "Annahmequote",
    participation: "Beteiligung (12 Monate)",
    months: "Eingereicht und umgesetzt je Monat",
    month: "Monat",
    submitted: "Eingereicht",
    downloads: "Herunterladen (CSV für Excel)",
    print: "Drucken",
};

static EN: Words = Words {
    title: "Reports",
    intro: "How the learning culture develops and where the improvements stand. Groups with too few responses are \
            not shown, to protect anonymity.",
    scope: "Unit (with sub-units)",
    whole_org: "Whole organisation",
    show: "Show",
    latest: "Current standing",
    closed: "closed on",
    responses: "responses",
    rate: "response rate",
    dimension: "Dimension",
    score: "Score (0–100)",
    ci: "95 % confidence interval",
    band: "Maturity",
    n: "n",
    weak: "weak",
    charts: "Charts",
    radar_data: "Data of the radar chart",
    trend_data: "Data of the trend chart",
    comparisons: "Comparison between rounds",
    cmp_label: "Comparison",
    cmp_previous: "previous → latest round",
    cmp_first: "first → latest round",
    cmp_chosen: "choose two rounds",
    cmp_chosen_heading: "chosen rounds",
    baseline: "Baseline round",
    compare: "Compared round",
    compare_button: "Compare",
    no_comparison: "A comparison needs two closed rounds with figures shown.",
    before: "before",
    after: "after",
    change: "Change (points)",
    verdict: "Verdict",
    details: "Figures",
    difference: "Difference (scale 1–5)",
    p: "p-value",
    g: "Hedges' g",
    adopted: "Improvements adopted",
    closed_loop: "Improvements and change",
    with_adopted: "Dimensions with adopted improvements",
    without_adopted: "Dimensions without",
    pipeline: "PDCA pipeline",
    stage: "Stage",
    ideas_now: "Ideas now",
    median: "Median (days)",
    p90: "90th percentile (days)",
    stuck: "Stuck ideas",
    stuck_intro: "longer than {} days in a stage",
    none_stuck: "No idea is stuck.",
    days: "days",
    acceptance: "Acceptance rate",
    participation: "Participation (12 months)",
    months: "Submitted and adopted per month",
    month: "Month",
    submitted: "Submitted",
    downloads: "Download (CSV)",
    print: "Print",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

fn opt(lang: Lang, v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            if lang == Lang::De { s.replace('.', ",") } else { s }
        }
        _ => "–".into(),
    }
}

fn signed(lang: Lang, v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v > 0.0 => format!("+{}", opt(lang, Some(v), decimals)),
        other => opt(lang, other, decimals).replace('-', "−"),
    }
}

fn percent(lang: Lang, v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{} %", opt(lang, Some(v * 100.0), 0)),
        None => "–".into(),
    }
}

fn p_value(lang: Lang, p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => if lang == Lang::De { "< 0,001" } else { "< 0.001" }.into(),
        other => opt(lang, other, 3),
    }
}

/// A group the survey's anonymity rules hide, in the words the dashboard uses.
fn suppressed(lang: Lang, hidden: Hidden, k: i64, message: &str) -> String {
    match (hidden, lang) {
        (Hidden::BelowMinGroupSize, Lang::De) => {
            format!("zu wenige Antworten (unter {k}) – zum Schutz der Anonymität nicht ausgewiesen")
        }
        (Hidden::BelowMinGroupSize, Lang::En) => {
            format!("too few responses (below {k}) – not shown to protect anonymity")
        }
        _ => message.to_owned(),
    }
}

fn score_rows(lang: Lang, round: &RoundProgress, weak: &[(String, bool)]) -> Vec<ScoreRow> {
    round
        .dimensions
        .iter()
        .map(|d| {
            let f = &d.figures;
            let note = d
                .suppressed
                .as_ref()
                .map(|s| suppressed(lang, s.reason, round.min_group_size, &s.message));
            ScoreRow {
                name: d.name.clone(),
                score: opt(lang, f.score, 1),
                ci: match (f.ci95_low, f.ci95_high) {
                    // The interval of a mean may reach past the scale; no score does.
                    (Some(lo), Some(hi)) => format!(
                        "{} – {}",
                        opt(lang, Some(to_score(lo).max(0.0)), 1),
                        opt(lang, Some(to_score(hi).min(100.0)), 1)
                    ),
                    _ => "–".into(),
                },
                band: f.band.as_ref().map(|b| b.label.clone()).unwrap_or_else(|| "–".into()),
                n: f.n.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
                weak: weak.iter().any(|(k, weak)| *weak && *k == d.key) && note.is_none(),
                note,
            }
        })
        .collect()
}

fn comparison(w: &Words, lang: Lang, c: &ComparisonReport) -> Comparison {
    let kind = match c.kind {
        PairKind::PreviousVsLatest => w.cmp_previous,
        PairKind::FirstVsLatest => w.cmp_first,
        PairKind::Chosen => w.cmp_chosen_heading,
    };
    let rows = c
        .dimensions
        .iter()
        .map(|d| {
            let (verdict, key) = match (&d.verdict, &d.verdict_withheld, d.not_compared) {
                (Some(v), _, _) => (
                    v.label.clone(),
                    match v.key {
                        crate::domain::compare::Verdict::Improved => "improved",
                        crate::domain::compare::Verdict::Declined => "declined",
                        crate::domain::compare::Verdict::NoClearChange => "none",
                    },
                ),
                (None, Some(why), _) => (why.clone(), ""),
                (None, None, Some(reason)) => (progress::not_compared_label(reason, lang).to_owned(), ""),
                (None, None, None) => ("–".into(), ""),
            };
            ChangeRow {
                name: d.name.clone(),
                before: opt(lang, d.baseline_mean.map(to_score), 1),
                after: opt(lang, d.compare_mean.map(to_score), 1),
                change: signed(lang, d.score_change, 1),
                verdict,
                verdict_key: key,
                difference: signed(lang, d.difference, 2),
                ci: match (d.ci95_low, d.ci95_high) {
                    (Some(lo), Some(hi)) => format!("{} bis {}", signed(lang, Some(lo), 2), signed(lang, Some(hi), 2))
                        .replace(" bis ", if lang == Lang::De { " bis " } else { " to " }),
                    _ => "–".into(),
                },
                p: p_value(lang, d.p_value),
                g: signed(lang, d.hedges_g, 2),
                has_stats: d.difference.is_some(),
                submitted: d.ideas.submitted,
                adopted: d.ideas.impact.adopted,
                hours: opt(lang, Some(d.ideas.impact.measured_hours_saved_per_year), 0),
            }
        })
        .collect();
    let group = |g: &crate::domain::progress::GroupChange| {
        format!(
            "{} ({} {})",
            signed(lang, g.mean_score_change, 1),
            g.dimensions,
            if lang == Lang::De { "Dimensionen" } else { "dimensions" }
        )
    };
    Comparison {
        heading: format!("{kind}: {} → {}", c.baseline_title, c.compare_title),
        rates: format!(
            "{} {}: {} · {} {}: {}",
            w.rate,
            c.baseline_title,
            percent(lang, c.baseline_response_rate),
            w.rate,
            c.compare_title,
            percent(lang, c.compare_response_rate)
        ),
        withheld: !c.assessable,
        rows,
        with_adopted: group(&c.association.with_adopted_improvements),
        without_adopted: group(&c.association.without_adopted_improvements),
        note: c.association.note.clone(),
    }
}

fn pipeline_view(lang: Lang, p: &PipelineReport, unit_query: &str) -> Pipeline {
    let stages = p
        .stages
        .iter()
        .map(|s| {
            let times = p.stage_times.iter().find(|t| t.stage == s.status);
            StageRow {
                label: s.status.label(lang),
                ideas: s.ideas,
                median: opt(lang, times.and_then(|t| t.median_days), 1),
                p90: opt(lang, times.and_then(|t| t.p90_days), 1),
                link: format!("/ideas?status={}{unit_query}", s.status.as_str()),
            }
        })
        .collect();
    Pipeline {
        stages,
        stuck_limit: p.stuck.limit_days,
        stuck_count: p.stuck.ideas,
        stuck: p
            .stuck
            .longest
            .iter()
            .map(|i| StuckRow {
                id: i.id.clone(),
                title: i.title.clone(),
                stage: i.status.label(lang),
                unit: i.unit_name.clone(),
                days: i.days_in_stage,
            })
            .collect(),
        acceptance: format!(
            "{} ({} / {})",
            percent(lang, p.acceptance.rate),
            p.acceptance.accepted,
            p.acceptance.accepted + p.acceptance.rejected
        ),
        participation: format!(
            "{} ({} / {})",
            percent(lang, p.participation.rate),
            p.participation.participants,
            p.participation.active_users
        ),
        months: p
            .monthly
            .iter()
            .map(|m| {
                let month = match (lang, m.month.split_once('-')) {
                    (Lang::De, Some((y, mo))) => format!("{mo}.{y}"),
                    _ => m.month.clone(),
                };
                (month, m.submitted, m.adopted)
            })
            .collect(),
    }
}

/// Unique ids for a chart drawn inline beside another: each SVG names its title and
/// description `chart-title` / `chart-desc`.
fn inline_svg(svg: String, prefix: &str) -> String {
    svg.replace("chart-title", &format!("{prefix}-title"))
        .replace("chart-desc", &format!("{prefix}-desc"))
}

/// The units a caller may choose: managers and admins every unit (and the whole
/// organisation), leads their own and those below it.
async fn unit_choices(state: &AppState, user: &WebUser, chosen: &str) -> Result<Vec<Choice>, ApiError> {
    let caller = user.user.clone();
    let lists = db::run(&state.pool, move |conn| {
        let names = units::names(conn, &caller.org_id)?;
        let allowed: Vec<String> = if caller.is(Role::Manager) {
            names.keys().cloned().collect()
        } else {
            match &caller.unit_id {
                Some(own) => units::tree(conn, &caller.org_id)?.subtree(own),
                None => Vec::new(),
            }
        };
        let mut list: Vec<(String, String)> = allowed
            .into_iter()
            .map(|id| {
                let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                (id, name)
            })
            .collect();
        list.sort_by_key(|(_, n)| n.to_lowercase());
        Ok(list)
    })
    .await?;
    Ok(lists
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
            weak: false,
        })
        .collect())
}

async fn load(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    query: &DashboardQuery,
) -> Result<
    (
        ProgressReport,
        crate::store::progress::Progress,
        progress::ScopeInfo,
        PipelineReport,
    ),
    ApiError,
> {
    let lang = Some(user.lang.as_str());
    let (data, scope, lang_used) = progress::load(req, state, &user.user, query.unit(), query.pair(), lang).await?;
    let scope_copy = progress::ScopeInfo {
        unit_id: scope.unit_id.clone(),
        unit_name: scope.unit_name.clone(),
    };
    let report = progress::report(&data, scope_copy, lang_used);
    let pipe = pipeline::load(req, state, &user.user, query.unit(), None, lang).await?;
    Ok((report, data, scope, pipe))
}

#[get("/reports")]
pub async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Lead)?;
    let lang = user.lang;
    let w = words(lang);
    let mut cmp_problem = None;
    let (report, data, scope, pipe) = match load(&req, &state, &user, &query).await {
        // Rounds that cannot be compared (the same round twice, not closed, deleted since
        // the link was kept): the default comparisons instead, with the problem named.
        Err(ApiError::Validation(errors)) if query.pair().is_some() => {
            cmp_problem = Some(
                errors
                    .iter()
                    .map(|e| super::form::capitalised(&crate::messages::localize(&e.message, lang)))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let fallback = DashboardQuery {
                unit: query.unit.clone(),
                ..Default::default()
            };
            load(&req, &state, &user, &fallback).await?
        }
        other => other?,
    };
    let unit_id = scope.unit_id.clone().unwrap_or_default();
    let units = unit_choices(&state, &user, &unit_id).await?;
    let unit_query = if unit_id.is_empty() {
        String::new()
    } else {
        format!("&unit={}", super::encode(&unit_id))
    };

    let weak: Vec<(String, bool)> = data.keys.iter().cloned().zip(data.weak()).collect();
    let latest_index = report
        .rounds
        .iter()
        .rposition(|r| r.reportable && data.latest_reportable().is_some_and(|l| l.round.id == r.id));
    let latest = latest_index.map(|i| {
        let r = &report.rounds[i];
        Latest {
            title: r.title.clone(),
            closed: r
                .closed_at
                .map(|t| super::date(lang, t.naive_utc()))
                .unwrap_or_default(),
            responses: r.responses.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
            rate: percent(lang, r.response_rate),
            rows: score_rows(lang, r, &weak),
        }
    });
    // A later round that cannot be shown is named, with why, instead of silently skipped.
    let thin_note = report
        .rounds
        .iter()
        .enumerate()
        .filter(|(i, _)| latest_index.is_none_or(|l| *i > l))
        .filter_map(|(_, r)| {
            r.suppressed.as_ref().map(|s| {
                format!(
                    "{}: {}",
                    r.title,
                    suppressed(lang, s.reason, r.min_group_size, &s.message)
                )
            })
        })
        .next_back();
    let radar_chart = radar(&data, &scope, lang, 3);
    let trend_chart = trend(&data, &scope, lang);
    let trend_table = TrendTable {
        rounds: trend_chart.rounds.iter().map(|r| r.label.clone()).collect(),
        rows: trend_chart
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    l.points
                        .iter()
                        .map(|p| p.map(|e| opt(lang, Some(e.value), 1)).unwrap_or_else(|| "–".into()))
                        .collect(),
                )
            })
            .collect(),
    };
    let cmp = match query.cmp.as_deref() {
        Some("first") => "first",
        Some("chosen") if query.pair().is_some() && cmp_problem.is_none() => "chosen",
        _ => "previous",
    };
    let wanted = match cmp {
        "first" => PairKind::FirstVsLatest,
        "chosen" => PairKind::Chosen,
        _ => PairKind::PreviousVsLatest,
    };
    let comparison = report
        .comparisons
        .iter()
        .find(|c| c.kind == wanted)
        .or(report.comparisons.first())
        .map(|c| comparison(w, lang, c));
    let round_choices: Vec<(String, String)> = report
        .rounds
        .iter()
        .filter(|r| r.reportable)
        .map(|r| (r.id.clone(), r.title.clone()))
        .collect();
    let downloads = vec![
        (
            format!("/reports/export?table=comparisons{unit_query}"),
            if lang == Lang::De { "Vergleiche" } else { "Comparisons" },
        ),
        (
            format!("/reports/export?table=rounds{unit_query}"),
            if lang == Lang::De {
                "Runden und Dimensionen"
            } else {
                "Rounds and dimensions"
            },
        ),
        (
            format!("/reports/export?table=stages{unit_query}"),
            if lang == Lang::De {
                "Pipeline nach Phase"
            } else {
                "Pipeline by stage"
            },
        ),
        (
            format!("/reports/export?table=units{unit_query}"),
            if lang == Lang::De {
                "Pipeline nach Einheit"
            } else {
                "Pipeline by unit"
            },
        ),
        (
            format!("/reports/export?table=stuck{unit_query}"),
            if lang == Lang::De {
                "Festhängende Ideen"
            } else {
                "Stuck ideas"
            },
        ),
    ];
    // The radar's data: the rounds it draws, a column each.
    let radar_table = TrendTable {
        rounds: radar_chart.series.iter().map(|s| s.round.label.clone()).collect(),
        rows: radar_chart
            .axes
            .iter()
            .enumerate()
            .map(|(i, axis)| {
                (
                    axis.label.clone(),
                    radar_chart
                        .series
                        .iter()
                        .map(|s| {
                            s.values
                                .get(i)
                                .copied()
                                .flatten()
                                .map(|v| opt(lang, Some(v), 1))
                                .unwrap_or_else(|| "–".into())
                        })
                        .collect(),
                )
            })
            .collect(),
    };
    let mut page = page_for(&state, &req, &user, w.title);
    page.nav = "reports";
    render(
        StatusCode::OK,
        &DashboardPage {
            page,
            w,
            may_choose_org: user.user.is(Role::Manager),
            scope_name: scope.unit_name.clone().unwrap_or_else(|| w.whole_org.to_owned()),
            units,
            thin_note,
            latest,
            empty_note: radar_chart.empty_note.clone(),
            radar: inline_svg(radar_svg(&radar_chart), "radar"),
            radar_table,
            trend: inline_svg(trend_svg(&trend_chart), "trend"),
            trend_table,
            round_choices,
            cmp: cmp.to_owned(),
            baseline: query.baseline.clone().unwrap_or_default(),
            compare: query.compare.clone().unwrap_or_default(),
            comparison,
            cmp_problem,
            verdict_rule: report.verdict_rule.clone(),
            pipeline: pipeline_view(lang, &pipe, &unit_query),
            downloads,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    table: String,
    unit: Option<String>,
}

/// The dashboard's tables as CSV for a spreadsheet: in German with semicolons, decimal
/// commas and a byte order mark (what German Excel opens correctly), by the API's CSV
/// writers.
#[get("/reports/export")]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Lead)?;
    let unit = query.unit.clone().filter(|u| !u.trim().is_empty());
    let lang = Some(user.lang.as_str());
    let progress_table = match query.table.as_str() {
        "comparisons" => Some(ProgressTable::Comparisons),
        "rounds" => Some(ProgressTable::Rounds),
        _ => None,
    };
    if let Some(table) = progress_table {
        let (data, scope, lang) = progress::load(&req, &state, &user.user, unit, None, lang).await?;
        return progress::csv(&progress::report(&data, scope, lang), table, None);
    }
    let table = match query.table.as_str() {
        "stages" => PipelineTable::Stages,
        "units" => PipelineTable::Units,
        "stuck" => PipelineTable::Stuck,
        "months" => PipelineTable::Months,
        _ => {
            return Err(ApiError::field(
                "table",
                "must be comparisons, rounds, stages, units, stuck or months",
            ));
        }
    };
    let report = pipeline::load(&req, &state, &user.user, unit, None, lang).await?;
    pipeline::csv(&report, table, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_language_writes_them() {
        assert_eq!(signed(Lang::De, Some(2.345), 1), "+2,3");
        assert_eq!(signed(Lang::De, Some(-0.5), 2), "−0,50");
        assert_eq!(signed(Lang::En, None, 1), "–");
        assert_eq!(percent(Lang::De, Some(0.456)), "46 %");
        assert_eq!(p_value(Lang::De, Some(0.0000123)), "< 0,001");
        assert_eq!(p_value(Lang::En, Some(0.0412)), "0.041");
    }

    #[test]
    fn inline_charts_get_their_own_ids() {
        let svg = "<svg aria-labelledby=\"chart-title chart-desc\"><title id=\"chart-title\">x</title>\
                   <desc id=\"chart-desc\">y</desc></svg>"
            .to_owned();
        let out = inline_svg(svg, "radar");
        assert!(out.contains("aria-labelledby=\"radar-title radar-desc\""));
        assert!(out.contains("id=\"radar-title\"") && out.contains("id=\"radar-desc\""));
        assert!(!out.contains("chart-title"));
    }
}
