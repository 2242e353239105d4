//! `GET /api/v1/reports/progress`: every closed round, and what changed between rounds.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::compare::Verdict;
use crate::domain::locale::Lang;
use crate::domain::progress::{GroupChange, NotCompared, PairKind, assessable, association, score_points};
use crate::error::{ApiError, Problem};
use crate::routes::assessments::{Figures, SuppressionNote};
use crate::routes::localization::{self, LangParams};
use crate::routes::reports::{Csv, Delimiter, FormatParams, report_scope, report_slot, wants_csv};
use crate::state::AppState;
use crate::store::progress::{self, Progress, Scope};
use crate::store::{organizations, units};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// A unit: results of the unit and its sub-units (leads: their own unit by default).
    pub unit: Option<String>,
    /// Compare this closed round (the earlier one) …
    pub baseline: Option<String>,
    /// … with this one. Give both or neither; without them: previous vs latest and first vs latest.
    pub compare: Option<String>,
    /// CSV table: `comparisons` (default) or `rounds`.
    pub table: Option<ProgressTable>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProgressTable {
    Comparisons,
    Rounds,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeInfo {
    /// `null`: the whole organisation.
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDimension {
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub suppressed: Option<SuppressionNote>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundProgress {
    pub id: String,
    pub title: String,
    pub opens_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Eligible headcount frozen when the round opened (organisation scope only: the
    /// headcount of a unit at that time is not kept).
    pub eligible: Option<i64>,
    /// Responses of the scope: for the organisation always the round's count, for a unit
    /// `null` when the unit is suppressed.
    pub responses: Option<i64>,
    /// The scope's figures can be shown (false: fewer than k answered, see `suppressed`);
    /// such a round is listed but not used for the default comparisons or weakness.
    pub reportable: bool,
    /// Answered by at least 30 % of its headcount, enough to carry a verdict.
    pub assessable: bool,
    /// k as it was when the round closed: its figures were fixed then.
    pub min_group_size: i64,
    pub response_rate: Option<f64>,
    pub suppressed: Option<SuppressionNote>,
    pub dimensions: Vec<RoundDimension>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictInfo {
    pub key: Verdict,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdoptedImpact {
    /// Improvements adopted between the two rounds (act → done).
    pub adopted: i64,
    /// Their measured impact as recorded at Check, summed.
    pub measured_hours_saved_per_year: f64,
    pub measured_cost_saved_per_year: f64,
}

/// Ideas linked to the dimension between the two rounds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"submitted": 9, "by_status": {"done": 3, "do": 2, "submitted": 4}, "adopted": 3, "measured_hours_saved_per_year": 410.0, "measured_cost_saved_per_year": 12500.0}))]
pub struct ClosedLoop {
    /// Submitted between the rounds …
    pub submitted: i64,
    /// … and where those are now.
    pub by_status: BTreeMap<String, i64>,
    #[serde(flatten)]
    pub impact: AdoptedImpact,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "key": "error_culture", "name": "Fehlerkultur und psychologische Sicherheit",
    "baseline_mean": 2.71, "compare_mean": 3.05, "difference": 0.34, "score_change": 8.5,
    "ci95_low": 0.19, "ci95_high": 0.49, "t": 4.43, "df": 401.2, "p_value": 0.000012, "hedges_g": 0.43,
    "verdict": {"key": "improved", "label": "verbessert"}, "not_compared": null,
    "ideas": {"submitted": 9, "by_status": {"done": 3, "do": 2, "submitted": 4}, "adopted": 3, "measured_hours_saved_per_year": 410.0, "measured_cost_saved_per_year": 12500.0}
}))]
pub struct DimensionChangeReport {
    pub key: String,
    pub name: String,
    pub baseline_mean: Option<f64>,
    pub compare_mean: Option<f64>,
    /// compare − baseline on the 1–5 scale.
    pub difference: Option<f64>,
    /// The same in points of the 0–100 score.
    pub score_change: Option<f64>,
    /// 95 % confidence interval of the difference (Welch).
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// Welch's t.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided.
    pub p_value: Option<f64>,
    pub hedges_g: Option<f64>,
    /// `null` when there is no comparison, or when it is withheld.
    pub verdict: Option<VerdictInfo>,
    /// Why the figures carry no verdict although they could be compared: a round was
    /// answered by fewer than 30 % of its headcount.
    pub verdict_withheld: Option<String>,
    /// Why there is no comparison (`suppressed`, `missing`, `no_variation`).
    pub not_compared: Option<NotCompared>,
    pub ideas: ClosedLoop,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Association {
    /// Dimensions with at least one improvement adopted between the rounds.
    pub with_adopted_improvements: GroupChange,
    pub without_adopted_improvements: GroupChange,
    /// Read this first.
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonReport {
    pub kind: PairKind,
    pub baseline_round_id: String,
    pub baseline_title: String,
    /// Responses of the whole baseline round and its response rate.
    pub baseline_responses: i64,
    pub baseline_response_rate: Option<f64>,
    pub compare_round_id: String,
    pub compare_title: String,
    pub compare_responses: i64,
    pub compare_response_rate: Option<f64>,
    /// Both rounds were answered by at least 30 % of their headcount; otherwise the
    /// verdicts are withheld (the figures stay).
    pub assessable: bool,
    pub dimensions: Vec<DimensionChangeReport>,
    pub association: Association,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReport {
    pub generated_at: DateTime<Utc>,
    pub lang: Lang,
    pub scope: ScopeInfo,
    /// The organisation's k today; each round shows the k it closed with.
    pub min_group_size: i64,
    /// How the verdicts are reached.
    pub verdict_rule: String,
    /// Closed organisation-wide rounds, oldest first.
    pub rounds: Vec<RoundProgress>,
    pub comparisons: Vec<ComparisonReport>,
}

fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match (v, lang) {
        (Verdict::Improved, Lang::De) => "verbessert",
        (Verdict::Declined, Lang::De) => "verschlechtert",
        (Verdict::NoClearChange, Lang::De) => "keine klare Veränderung",
        (Verdict::Improved, Lang::En) => "improved",
        (Verdict::Declined, Lang::En) => "declined",
        (Verdict::NoClearChange, Lang::En) => "no clear change",
    }
}

pub fn verdict_rule(lang: Lang) -> &'static str {
    match lang {
        Lang::De => {
            "„verbessert“ oder „verschlechtert“ heißt: Das 95-%-Konfidenzintervall der Differenz (Welch-Test) \
             schließt 0 aus und der Effekt ist mindestens klein (|Hedges' g| ≥ 0,2). Sonst: keine klare Veränderung. \
             Ein Urteil gibt es nur, wenn beide Runden von mindestens 30 % der Beschäftigten beantwortet wurden; \
             darunter werden die Zahlen gezeigt, aber ohne Urteil."
        }
        Lang::En => {
            "\"improved\" or \"declined\" means: the 95 % confidence interval of the difference (Welch's test) \
             excludes 0 and the effect is at least small (|Hedges' g| ≥ 0.2). Otherwise: no clear change. \
             A verdict is given only when both rounds were answered by at least 30 % of the staff; below that the \
             figures are shown without a verdict."
        }
    }
}

fn withheld_note(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "keine Aussage: Rücklauf unter 30 % in einer der beiden Runden",
        Lang::En => "no statement: fewer than 30 % of the staff answered one of the two rounds",
    }
}

fn association_note(lang: Lang) -> &'static str {
    match lang {
        Lang::De => {
            "Zusammenhang, kein Beweis: Die Zahlen zeigen, welche Verbesserungen zeitlich mit welchen \
             Veränderungen zusammenfielen, nicht, dass sie diese bewirkt haben. Andere Einflüsse (Personalwechsel, \
             Arbeitslast, wer geantwortet hat) wirken ebenfalls."
        }
        Lang::En => {
            "Association, not proof: the figures show which improvements coincided with which changes, not that \
             they caused them. Other influences (staff turnover, workload, who responded) act as well."
        }
    }
}

pub fn report(progress: &Progress, scope: ScopeInfo, lang: Lang) -> ProgressReport {
    let k = progress.min_group_size;
    let name = |key: &str| {
        progress
            .names
            .get(key)
            .map(|n| n.get(lang).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let org_scope = scope.unit_id.is_none();
    let rounds = progress
        .rounds
        .iter()
        .map(|r| RoundProgress {
            min_group_size: r.min_group_size,
            id: r.round.id.clone(),
            title: r.round.title.clone(),
            opens_at: r.round.opens_at.and_utc(),
            closed_at: r.round.closed_at.map(|t| t.and_utc()),
            eligible: if org_scope { r.round.eligible_count } else { None },
            responses: if org_scope {
                Some(r.round_responses)
            } else {
                r.responses
            },
            reportable: r.reportable(),
            assessable: assessable(r.response_rate),
            response_rate: if org_scope { r.response_rate } else { None },
            suppressed: r.hidden.map(|h| SuppressionNote::new(h, r.min_group_size, lang)),
            dimensions: progress
                .keys
                .iter()
                .filter_map(|key| {
                    let f = r.dimensions.get(key)?;
                    Some(RoundDimension {
                        key: key.clone(),
                        name: name(key),
                        figures: Figures::new(f.summary, lang),
                        suppressed: f.hidden.map(|h| SuppressionNote::new(h, r.min_group_size, lang)),
                    })
                })
                .collect(),
        })
        .collect();
    let comparisons = progress
        .pairs
        .iter()
        .map(|p| {
            let (b, c) = (&progress.rounds[p.baseline], &progress.rounds[p.compare]);
            let mut scored = Vec::new();
            let dimensions = progress
                .keys
                .iter()
                .map(|key| {
                    let change = p.changes.get(key);
                    let cmp = change.and_then(|c| c.comparison);
                    let flow = p.ideas.get(key);
                    let adopted = flow.and_then(|f| f.adopted.as_ref());
                    if let Some(cmp) = cmp {
                        scored.push((score_points(cmp.diff), adopted.is_some_and(|a| a.count > 0)));
                    }
                    let mean_of =
                        |r: &progress::RoundFigures| r.dimensions.get(key).and_then(|f| f.summary).map(|s| s.mean);
                    DimensionChangeReport {
                        key: key.clone(),
                        name: name(key),
                        baseline_mean: mean_of(b),
                        compare_mean: mean_of(c),
                        difference: cmp.map(|c| c.diff),
                        score_change: cmp.map(|c| score_points(c.diff)),
                        ci95_low: cmp.map(|c| c.ci_low),
                        ci95_high: cmp.map(|c| c.ci_high),
                        t: cmp.map(|c| c.t),
                        df: cmp.map(|c| c.df),
                        p_value: cmp.map(|c| c.p_value),
                        hedges_g: cmp.map(|c| c.hedges_g).filter(|g| g.is_finite()),
                        verdict: cmp.filter(|_| p.assessable).map(|c| VerdictInfo {
                            key: c.verdict,
                            label: verdict_label(c.verdict, lang).to_owned(),
                        }),
                        verdict_withheld: cmp.filter(|_| !p.assessable).map(|_| withheld_note(lang).to_owned()),
                        not_compared: change.and_then(|c| c.not_compared),
                        ideas: ClosedLoop {
                            submitted: flow.map(|f| f.submitted).unwrap_or(0),
                            by_status: flow
                                .map(|f| f.by_status.iter().map(|(k, v)| (k.clone(), *v)).collect())
                                .unwrap_or_default(),
                            impact: AdoptedImpact {
                                adopted: adopted.map(|a| a.count).unwrap_or(0),
                                measured_hours_saved_per_year: adopted.map(|a| a.hours_saved_per_year).unwrap_or(0.0),
                                measured_cost_saved_per_year: adopted.map(|a| a.cost_saved_per_year).unwrap_or(0.0),
                            },
                        },
                    }
                })
                .collect();
            let (with, without) = association(&scored);
            ComparisonReport {
                kind: p.kind,
                baseline_round_id: b.round.id.clone(),
                baseline_title: b.round.title.clone(),
                baseline_responses: b.round_responses,
                baseline_response_rate: b.response_rate,
                compare_round_id: c.round.id.clone(),
                compare_title: c.round.title.clone(),
                compare_responses: c.round_responses,
                compare_response_rate: c.response_rate,
                assessable: p.assessable,
                dimensions,
                association: Association {
                    with_adopted_improvements: with,
                    without_adopted_improvements: without,
                    note: association_note(lang).to_owned(),
                },
            }
        })
        .collect();
    ProgressReport {
        generated_at: Utc::now(),
        lang,
        scope,
        min_group_size: k,
        verdict_rule: verdict_rule(lang).to_owned(),
        rounds,
        comparisons,
    }
}

/// Loads the progress data for the caller's permitted scope.
pub async fn load(
    req: &HttpRequest,
    state: &AppState,
    caller: &AuthUser,
    unit: Option<String>,
    pair: Option<(String, String)>,
    lang_param: Option<&str>,
) -> Result<(Progress, ScopeInfo, Lang), ApiError> {
    let unit = report_scope(&state.pool, caller, unit).await?;
    let org_id = caller.org_id.clone();
    let _slot = report_slot(state, 1).await?;
    let (progress, scope, default_locale) = db::run(&state.pool, move |conn| {
        let org = organizations::find(conn, &org_id)?;
        let unit_name = match &unit {
            Some(u) => Some(units::find(conn, &org_id, u)?.name),
            None => None,
        };
        let chosen = pair.as_ref().map(|(b, c)| (b.as_str(), c.as_str()));
        let progress = progress::progress(conn, &org_id, &Scope { unit_id: unit.clone() }, chosen)?;
        Ok((
            progress,
            ScopeInfo {
                unit_id: unit,
                unit_name,
            },
            org.default_locale,
        ))
    })
    .await?;
    let lang = localization::choose(req, lang_param, &default_locale);
    Ok((progress, scope, lang))
}

fn chosen_pair(params: &ProgressParams) -> Result<Option<(String, String)>, ApiError> {
    match (&params.baseline, &params.compare) {
        (Some(b), Some(c)) => Ok(Some((b.clone(), c.clone()))),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ApiError::field("baseline", "give baseline and compare together")),
        (Some(_), None) => Err(ApiError::field("compare", "give baseline and compare together")),
    }
}

/// Progress of the learning culture: every closed round with response rate and per
/// dimension n, mean, sd and 95 % CI; and for pairs of rounds the difference per
/// dimension with Welch's test, Hedges' g and a verdict, beside the ideas linked to that
/// dimension between the rounds (an association, not proof).
///
/// Managers and admins see the organisation (or any unit with `unit`); leads their unit
/// and the units below it, under the minimum group size rules. CSV with `?format=csv`
/// or `Accept: text/csv`.
#[utoipa::path(
    tag = "reports",
    params(ProgressParams, LangParams, FormatParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "JSON, or CSV (text/csv) when asked for", content((ProgressReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Employees; leads outside their units", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown unit or round", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/progress")]
pub async fn get_progress_report(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<ProgressParams>,
    lang: web::Query<LangParams>,
    format: web::Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let pair = chosen_pair(&params)?;
    let (progress, scope, lang) = load(&req, &state, &caller, params.unit.clone(), pair, lang.lang.as_deref()).await?;
    let report = report(&progress, scope, lang);
    if wants_csv(&req, &format) {
        let table = params.table.unwrap_or(ProgressTable::Comparisons);
        return csv(&report, table, format.delimiter);
    }
    Ok(HttpResponse::Ok()
        .insert_header(localization::content_language(lang))
        .json(report))
}

pub fn csv(
    report: &ProgressReport,
    table: ProgressTable,
    delimiter: Option<Delimiter>,
) -> Result<HttpResponse, ApiError> {
    let lang = report.lang;
    match table {
        ProgressTable::Rounds => {
            let mut out = Csv::new(
                lang,
                delimiter,
                &[
                    ("round_id", "Runden-ID"),
                    ("round", "Runde"),
                    ("closed", "Abgeschlossen am"),
                    ("eligible", "Beschäftigte"),
                    ("responses", "Antworten"),
                    ("response_rate_percent", "Rücklauf (%)"),
                    ("dimension_key", "Dimensionsschlüssel"),
                    ("dimension", "Dimension"),
                    ("n", "n"),
                    ("mean", "Mittelwert (1–5)"),
                    ("sd", "Standardabweichung"),
                    ("ci95_low", "95-%-KI unten"),
                    ("ci95_high", "95-%-KI oben"),
                    ("score", "Wert (0–100)"),
                    ("band", "Reifegrad"),
                    ("suppressed", "Nicht ausgewiesen"),
                ],
            )?;
            for r in &report.rounds {
                for d in &r.dimensions {
                    let f = &d.figures;
                    let row = vec![
                        r.id.clone(),
                        r.title.clone(),
                        out.date(r.closed_at),
                        Csv::int(r.eligible),
                        Csv::int(r.responses),
                        out.percent(r.response_rate),
                        d.key.clone(),
                        d.name.clone(),
                        Csv::int(f.n),
                        out.fixed(f.mean, 2),
                        out.fixed(f.sd, 2),
                        out.fixed(f.ci95_low, 2),
                        out.fixed(f.ci95_high, 2),
                        out.fixed(f.score, 1),
                        f.band.as_ref().map(|b| b.label.clone()).unwrap_or_default(),
                        d.suppressed
                            .as_ref()
                            .or(r.suppressed.as_ref())
                            .map(|s| s.message.clone())
                            .unwrap_or_default(),
                    ];
                    out.row(row)?;
                }
            }
            out.into_response(&file_name(lang, "progress-rounds"))
        }
        ProgressTable::Comparisons => {
            let mut out = Csv::new(
                lang,
                delimiter,
                &[
                    ("comparison", "Vergleich"),
                    ("baseline_round", "Ausgangsrunde"),
                    ("baseline_response_rate_percent", "Rücklauf Ausgangsrunde (%)"),
                    ("compare_round", "Vergleichsrunde"),
                    ("compare_response_rate_percent", "Rücklauf Vergleichsrunde (%)"),
                    ("dimension_key", "Dimensionsschlüssel"),
                    ("dimension", "Dimension"),
                    ("baseline_mean", "Mittelwert vorher"),
                    ("compare_mean", "Mittelwert nachher"),
                    ("difference", "Differenz"),
                    ("score_change", "Veränderung (Punkte)"),
                    ("ci95_low", "95-%-KI unten"),
                    ("ci95_high", "95-%-KI oben"),
                    ("t", "t"),
                    ("df", "Freiheitsgrade"),
                    ("p_value", "p-Wert"),
                    ("hedges_g", "Hedges' g"),
                    ("verdict", "Urteil"),
                    ("ideas_submitted", "Ideen eingereicht"),
                    ("ideas_adopted", "Ideen umgesetzt"),
                    ("measured_hours_saved_per_year", "Gemessene Stunden gespart je Jahr"),
                    ("measured_cost_saved_per_year", "Gemessene Kosten gespart je Jahr (€)"),
                ],
            )?;
            for c in &report.comparisons {
                let kind = match c.kind {
                    PairKind::PreviousVsLatest => out.text("previous vs latest", "vorherige → letzte Runde"),
                    PairKind::FirstVsLatest => out.text("first vs latest", "erste → letzte Runde"),
                    PairKind::Chosen => out.text("chosen", "gewählt"),
                };
                for d in &c.dimensions {
                    let verdict = match (&d.verdict, &d.verdict_withheld, d.not_compared) {
                        (Some(v), _, _) => v.label.clone(),
                        (None, Some(why), _) => why.clone(),
                        (None, None, Some(reason)) => not_compared_label(reason, lang).to_owned(),
                        (None, None, None) => String::new(),
                    };
                    let row = vec![
                        kind.clone(),
                        c.baseline_title.clone(),
                        out.percent(c.baseline_response_rate),
                        c.compare_title.clone(),
                        out.percent(c.compare_response_rate),
                        d.key.clone(),
                        d.name.clone(),
                        out.fixed(d.baseline_mean, 2),
                        out.fixed(d.compare_mean, 2),
                        out.fixed(d.difference, 2),
                        out.fixed(d.score_change, 1),
                        out.fixed(d.ci95_low, 2),
                        out.fixed(d.ci95_high, 2),
                        out.fixed(d.t, 2),
                        out.fixed(d.df, 1),
                        out.significant(d.p_value, 3),
                        out.fixed(d.hedges_g, 2),
                        verdict,
                        d.ideas.submitted.to_string(),
                        d.ideas.impact.adopted.to_string(),
                        out.fixed(Some(d.ideas.impact.measured_hours_saved_per_year), 0),
                        out.fixed(Some(d.ideas.impact.measured_cost_saved_per_year), 0),
                    ];
                    out.row(row)?;
                }
            }
            out.into_response(&file_name(lang, "progress"))
        }
    }
}

/// Why a dimension has no comparison, for people.
pub fn not_compared_label(reason: NotCompared, lang: Lang) -> &'static str {
    match (reason, lang) {
        (NotCompared::Suppressed, Lang::De) => "nicht ausgewiesen (zu wenige Antworten)",
        (NotCompared::Suppressed, Lang::En) => "not shown (too few responses)",
        (NotCompared::Missing, Lang::De) => "in einer der Runden nicht erhoben",
        (NotCompared::Missing, Lang::En) => "not asked in one of the rounds",
        (NotCompared::NoVariation, Lang::De) => "nicht vergleichbar (keine Streuung)",
        (NotCompared::NoVariation, Lang::En) => "cannot be compared (no variation)",
    }
}

/// `kaizen-<what>.csv`, in German `kaizen-<was>.csv`.
pub fn file_name(lang: Lang, what: &str) -> String {
    let german = match what {
        "progress" => "fortschritt",
        "progress-rounds" => "fortschritt-runden",
        "pipeline-units" => "pipeline-einheiten",
        "pipeline-stages" => "pipeline-phasen",
        "pipeline-months" => "pipeline-monate",
        "pipeline-stuck" => "pipeline-wartend",
        "ideas" => "ideen",
        other => other,
    };
    match lang {
        Lang::De => format!("kaizen-{german}.csv"),
        Lang::En => format!("kaizen-{what}.csv"),
    }
}
