//! Ideas as callers see them, shared by the JSON API (`routes::ideas`) and the web pages
//! (`web`): the response models and their builders (a person shown or hidden behind a code
//! word, an idea's detail with the transitions the caller may take), the submission and
//! list queries as both accept them, and the validation of a submission.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db::{self, DbConnection};
use crate::domain::ideas as rules;
use crate::domain::pdca::{self, Status};
use crate::domain::{fields, roles::Role};
use crate::error::{ApiError, Validator};
use crate::page_type;
use crate::pagination::{self, DEFAULT_LIMIT, MAX_LIMIT, finish_page};
use crate::routes::reports::Delimiter;
use crate::store::ideas::{
    self as store, AuthorFilter, Cycle, CycleStages, Idea, IdeaCursor, IdeaDraft, IdeaEdit, IdeaFilter, IdeaSort,
    ImpactEstimate,
};
use crate::views::transitions::TransitionOption;

pub(crate) const TITLE_MAX: usize = 200;
pub(crate) const LONG_TEXT_MAX: usize = 5000;

/// A person as a viewer may see them. For an anonymous author hidden from the viewer,
/// `id` is null and `name` is the code word.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "01936f0e-2b1c-7d4e-9a5b-3c2d1e0f4a5b", "name": "Anna Schmidt", "anonymous": false}))]
pub struct PersonRef {
    pub id: Option<String>,
    pub name: String,
    /// Acting under the idea's code word (admins and the author still see who it is).
    pub anonymous: bool,
}

impl PersonRef {
    pub(crate) fn named(id: &str, names: &HashMap<String, String>) -> Self {
        Self {
            id: Some(id.to_owned()),
            name: names.get(id).cloned().unwrap_or_else(|| "unknown user".into()),
            anonymous: false,
        }
    }

    /// `person` acting as the anonymous author of `idea` (or plainly, when `idea` is named).
    pub(crate) fn as_author(idea: &Idea, person: &str, viewer: &AuthUser, names: &HashMap<String, String>) -> Self {
        match &idea.code_word {
            None => Self::named(person, names),
            Some(word) if !rules::author_visible(true, &idea.author_id, &viewer.id, viewer.role) => Self {
                id: None,
                name: word.clone(),
                anonymous: true,
            },
            Some(_) => Self {
                anonymous: true,
                ..Self::named(person, names)
            },
        }
    }
}

/// The optional impact estimate of a submission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hours_saved_per_year": 120.0, "cost_saved_per_year": 4500.0, "quality_benefit": "Citizens wait less"}))]
pub struct ImpactEstimateBody {
    pub hours_saved_per_year: Option<f64>,
    /// EUR
    pub cost_saved_per_year: Option<f64>,
    pub quality_benefit: Option<String>,
}

fn impact_of(i: &Idea) -> Option<ImpactEstimateBody> {
    if i.est_hours_saved_per_year.is_none() && i.est_cost_saved_per_year.is_none() && i.est_quality_benefit.is_none() {
        return None;
    }
    Some(ImpactEstimateBody {
        hours_saved_per_year: i.est_hours_saved_per_year,
        cost_saved_per_year: i.est_cost_saved_per_year,
        quality_benefit: i.est_quality_benefit.clone(),
    })
}

/// A co-author of a group submission and their share in percent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoAuthorBody {
    pub user_id: String,
    /// Whole percent, 1–99.
    pub share: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoAuthorResponse {
    pub user: PersonRef,
    pub share: i64,
}

/// One PDCA cycle of an idea; an adapted idea has several.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CycleResponse {
    pub cycle: i64,
    pub started_at: DateTime<Utc>,
    /// Set when adopted, adapted or abandoned.
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub stages: CycleStages,
}

impl From<&Cycle> for CycleResponse {
    fn from(c: &Cycle) -> Self {
        Self {
            cycle: c.cycle,
            started_at: c.started_at.and_utc(),
            closed_at: c.closed_at.map(|t| t.and_utc()),
            stages: CycleStages::from(c),
        }
    }
}

/// An idea in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaSummary {
    pub id: String,
    pub title: String,
    pub unit_id: String,
    pub author: PersonRef,
    /// Set for an anonymous submission.
    pub code_word: Option<String>,
    pub status: Status,
    /// The PDCA cycle (2 and up after `adapt`).
    pub cycle: i64,
    pub owner: Option<PersonRef>,
    /// Linked questionnaire dimension keys.
    pub dimensions: Vec<String>,
    pub vote_count: i64,
    pub voted_by_me: bool,
    pub comment_count: i64,
    pub stage_entered_at: DateTime<Utc>,
    /// Whole days since the idea entered its current stage.
    pub days_in_stage: i64,
    /// For an idea rejected as a duplicate: the earlier idea.
    pub duplicate_of: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An idea with everything: texts, group, cycles and what the caller may do now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaResponse {
    #[serde(flatten)]
    pub summary: IdeaSummary,
    /// Ist-Zustand: how it is done today.
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    /// The submitting author's share of a group submission, in percent.
    pub author_share: i64,
    pub co_authors: Vec<CoAuthorResponse>,
    pub impact_estimate: Option<ImpactEstimateBody>,
    /// Why it was rejected, withdrawn or abandoned.
    pub decision_reason: Option<String>,
    /// Every cycle so far, oldest first; the last is the current one.
    pub cycles: Vec<CycleResponse>,
    /// The transitions the caller may take now, with the fields each needs.
    pub allowed_transitions: Vec<TransitionOption>,
}

page_type!(IdeaPage, IdeaSummary);

pub(crate) fn summary(
    idea: &Idea,
    viewer: &AuthUser,
    dimensions: Vec<String>,
    names: &HashMap<String, String>,
    voted: bool,
    now: NaiveDateTime,
) -> IdeaSummary {
    IdeaSummary {
        id: idea.id.clone(),
        title: idea.title.clone(),
        unit_id: idea.unit_id.clone(),
        author: PersonRef::as_author(idea, &idea.author_id, viewer, names),
        code_word: idea.code_word.clone(),
        status: idea.status(),
        cycle: idea.cycle,
        owner: idea.owner_id.as_deref().map(|o| PersonRef::named(o, names)),
        dimensions,
        vote_count: idea.vote_count,
        voted_by_me: voted,
        comment_count: idea.comment_count,
        stage_entered_at: idea.stage_entered_at.and_utc(),
        days_in_stage: (now - idea.stage_entered_at).num_days().max(0),
        duplicate_of: idea.duplicate_of_id.clone(),
        version: idea.version,
        created_at: idea.created_at.and_utc(),
        updated_at: idea.updated_at.and_utc(),
    }
}

/// What the detail view shows beside the idea's own row.
struct DetailParts {
    cycles: Vec<Cycle>,
    co_authors: Vec<(String, i64)>,
    dimensions: Vec<String>,
    voted: bool,
}

/// Loads everything the detail view shows, for one caller.
pub(crate) fn load_detail(conn: &mut DbConnection, caller: &AuthUser, idea: Idea) -> Result<IdeaResponse, ApiError> {
    let mut dims = store::dimensions_of(conn, &idea.org_id, &[idea.id.as_str()])?;
    let parts = DetailParts {
        cycles: store::cycles(conn, &idea.org_id, &idea.id)?,
        co_authors: store::co_authors(conn, &idea.org_id, &idea.id)?,
        dimensions: dims.remove(&idea.id).unwrap_or_default(),
        voted: !store::voted_among(conn, &idea.org_id, &caller.id, &[idea.id.as_str()])?.is_empty(),
    };
    detail(conn, caller, idea, parts)
}

/// The detail view of an idea its author has just submitted: no cycles and no votes yet,
/// links and co-authors as submitted, so only the names are read.
pub(crate) fn submitted_detail(
    conn: &mut DbConnection,
    caller: &AuthUser,
    idea: Idea,
    draft: &IdeaDraft,
) -> Result<IdeaResponse, ApiError> {
    // In the order a later read returns them.
    let mut co_authors = draft.co_authors.clone();
    co_authors.sort();
    let mut dimensions = draft.dimensions.clone();
    dimensions.sort();
    let parts = DetailParts {
        cycles: Vec::new(),
        co_authors,
        dimensions,
        voted: false,
    };
    detail(conn, caller, idea, parts)
}

fn detail(
    conn: &mut DbConnection,
    caller: &AuthUser,
    idea: Idea,
    parts: DetailParts,
) -> Result<IdeaResponse, ApiError> {
    let DetailParts {
        cycles,
        co_authors,
        dimensions,
        voted,
    } = parts;
    let mut people: Vec<&str> = vec![idea.author_id.as_str()];
    people.extend(idea.owner_id.as_deref());
    people.extend(co_authors.iter().map(|(u, _)| u.as_str()));
    // The caller's own name came with the authentication; only the others are read.
    let others: Vec<&str> = people.iter().copied().filter(|p| *p != caller.id).collect();
    let mut names = store::display_names(conn, &idea.org_id, &others)?;
    if others.len() < people.len() {
        names.insert(caller.id.clone(), caller.display_name.clone());
    }
    let actor = store::actor(conn, caller, &idea)?;
    let current = cycles
        .iter()
        .find(|c| c.cycle == idea.cycle && idea.status().in_cycle());
    let record = store::stage_values(&idea, current);
    let allowed = pdca::available(idea.status(), &actor)
        .into_iter()
        .map(|a| TransitionOption::new(a, &record))
        .collect();
    Ok(IdeaResponse {
        summary: summary(&idea, caller, dimensions, &names, voted, db::now()),
        current_situation: idea.current_situation.clone(),
        proposal: idea.proposal.clone(),
        expected_benefit: idea.expected_benefit.clone(),
        author_share: idea.author_share,
        co_authors: co_authors
            .iter()
            .map(|(u, share)| CoAuthorResponse {
                user: PersonRef::named(u, &names),
                share: *share,
            })
            .collect(),
        impact_estimate: impact_of(&idea),
        decision_reason: idea.decision_reason.clone(),
        cycles: cycles.iter().map(CycleResponse::from).collect(),
        allowed_transitions: allowed,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Termine im Bürgeramt online vergeben",
    "current_situation": "Citizens queue at the counter from 7:00; the average wait is 40 minutes.",
    "proposal": "Offer online appointments for passports and registrations.",
    "expected_benefit": "Shorter waits, calmer mornings at the counter.",
    "unit_id": "01936f0e-2b1c-7d4e-9a5b-3c2d1e0f4a5b",
    "dimensions": ["experimentation"],
    "impact_estimate": {"hours_saved_per_year": 300.0, "cost_saved_per_year": null, "quality_benefit": "Less waiting for citizens"}
}))]
pub struct CreateIdea {
    /// 1–200 characters.
    pub title: String,
    /// Ist-Zustand: how it is done today (up to 5,000 characters).
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    /// The unit the idea concerns; its lead reviews it.
    pub unit_id: String,
    /// 0–3 distinct questionnaire dimension keys.
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// A group submission: co-authors with their shares.
    #[serde(default)]
    pub co_authors: Vec<CoAuthorBody>,
    /// Your share in percent; with co-authors required, and all shares sum to 100.
    pub author_share: Option<i64>,
    /// Submit anonymously under this code word (3–40 characters): only admins (and you)
    /// see who wrote it. Cannot be combined with co-authors.
    pub code_word: Option<String>,
    pub impact_estimate: Option<ImpactEstimateBody>,
}

/// Absent fields stay. `co_authors` replaces the group (send `author_share` with it);
/// `impact_estimate: null` removes the estimate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "title": "Online-Termine im Bürgeramt", "dimensions": ["experimentation", "knowledge_sharing"]}))]
pub struct UpdateIdea {
    /// The version you read (or send `If-Match`).
    pub version: Option<i64>,
    pub title: Option<String>,
    pub current_situation: Option<String>,
    pub proposal: Option<String>,
    pub expected_benefit: Option<String>,
    pub unit_id: Option<String>,
    pub dimensions: Option<Vec<String>>,
    pub co_authors: Option<Vec<CoAuthorBody>>,
    pub author_share: Option<i64>,
    #[serde(default, deserialize_with = "crate::routes::double_option")]
    #[schema(value_type = Option<ImpactEstimateBody>)]
    pub impact_estimate: Option<Option<ImpactEstimateBody>>,
}

fn check_amount(v: &mut Validator, field: &str, value: Option<f64>) {
    if value.is_some_and(|x| !x.is_finite() || !(0.0..=1e12).contains(&x)) {
        v.add(field, "must be a number between 0 and 10^12");
    }
}

fn impact(v: &mut Validator, body: &ImpactEstimateBody) -> ImpactEstimate {
    check_amount(v, "impact_estimate.hours_saved_per_year", body.hours_saved_per_year);
    check_amount(v, "impact_estimate.cost_saved_per_year", body.cost_saved_per_year);
    ImpactEstimate {
        hours_saved_per_year: body.hours_saved_per_year,
        cost_saved_per_year: body.cost_saved_per_year,
        quality_benefit: body
            .quality_benefit
            .as_deref()
            .and_then(|q| v.check("impact_estimate.quality_benefit", fields::text(q, 2000, true))),
    }
}

fn group(
    v: &mut Validator,
    author_id: &str,
    author_share: Option<i64>,
    co_authors: &[CoAuthorBody],
) -> (i64, Vec<(String, i64)>) {
    let co: Vec<(String, i64)> = co_authors
        .iter()
        .map(|c| (c.user_id.trim().to_owned(), c.share))
        .collect();
    let share = match author_share {
        Some(s) => s,
        None if co.is_empty() => 100,
        None => {
            v.add("author_share", "is required with co-authors");
            return (100, co);
        }
    };
    for (field, message) in rules::shares(author_id, share, &co) {
        v.add(field, message);
    }
    (share, co)
}

impl CreateIdea {
    pub(crate) fn validate(self, author_id: &str) -> Result<IdeaDraft, ApiError> {
        let mut v = Validator::new();
        let title = v.check("title", fields::text(&self.title, TITLE_MAX, false));
        let situation = v.check(
            "current_situation",
            fields::text(&self.current_situation, LONG_TEXT_MAX, true),
        );
        let proposal = v.check("proposal", fields::text(&self.proposal, LONG_TEXT_MAX, true));
        let benefit = v.check(
            "expected_benefit",
            fields::text(&self.expected_benefit, LONG_TEXT_MAX, true),
        );
        let code_word = self
            .code_word
            .as_deref()
            .and_then(|w| v.check("code_word", rules::code_word(w)));
        if self.code_word.is_some() && !self.co_authors.is_empty() {
            v.add(
                "co_authors",
                "an anonymous idea has no named co-authors: submit either under a code word or as a group",
            );
        }
        let (author_share, co_authors) = group(&mut v, author_id, self.author_share, &self.co_authors);
        let impact = self.impact_estimate.as_ref().map(|i| impact(&mut v, i));
        v.finish()?;
        let (Some(title), Some(current_situation), Some(proposal), Some(expected_benefit)) =
            (title, situation, proposal, benefit)
        else {
            return Err(ApiError::internal("validated fields missing"));
        };
        Ok(IdeaDraft {
            unit_id: self.unit_id.trim().to_owned(),
            title,
            current_situation,
            proposal,
            expected_benefit,
            dimensions: self.dimensions,
            author_share,
            co_authors,
            code_word,
            impact,
        })
    }
}

impl UpdateIdea {
    pub(crate) fn validate(self, author: &AuthUser) -> Result<IdeaEdit, ApiError> {
        let mut v = Validator::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", fields::text(t, TITLE_MAX, false)));
        let long = |v: &mut Validator, field: &str, value: &Option<String>| {
            value
                .as_deref()
                .and_then(|t| v.check(field, fields::text(t, LONG_TEXT_MAX, true)))
        };
        let current_situation = long(&mut v, "current_situation", &self.current_situation);
        let proposal = long(&mut v, "proposal", &self.proposal);
        let expected_benefit = long(&mut v, "expected_benefit", &self.expected_benefit);
        let group = match (&self.co_authors, self.author_share) {
            (Some(co), share) => Some(group(&mut v, &author.id, share, co)),
            (None, Some(_)) => {
                v.add("co_authors", "send the group (co_authors) together with author_share");
                None
            }
            (None, None) => None,
        };
        let impact = self.impact_estimate.map(|i| i.map(|i| impact(&mut v, &i)));
        v.finish()?;
        Ok(IdeaEdit {
            unit_id: self.unit_id.map(|u| u.trim().to_owned()),
            title,
            current_situation,
            proposal,
            expected_benefit,
            dimensions: self.dimensions,
            group,
            impact,
        })
    }
}

/// Documents the list's query parameters. `status` and `dimension` take several values,
/// comma-separated or repeated.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct IdeaListParams {
    /// Only these states, e.g. `plan,do`.
    #[param(style = Form, explode = false, inline)]
    status: Option<Vec<Status>>,
    /// Only ideas of this unit and its sub-units.
    unit: Option<String>,
    /// Only ideas linked to at least one of these dimension keys.
    #[param(style = Form, explode = false)]
    dimension: Option<Vec<String>>,
    /// Only ideas linked to a dimension that is weak now (see `GET /api/v1/dimensions`);
    /// none while no assessment round has closed.
    weak_only: Option<bool>,
    /// Author or co-author (a user id, or `me`). Anonymous ideas are found by their
    /// author only for admins and the author themself.
    author: Option<String>,
    /// Pilot owner (a user id, or `me`).
    owner: Option<String>,
    /// Text to find in title or proposal (case-insensitive).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Submitted at or after: RFC 3339 time or a date (YYYY-MM-DD).
    created_from: Option<String>,
    /// Submitted at or before: RFC 3339 time or a date (YYYY-MM-DD, the whole day counts).
    created_to: Option<String>,
    /// `newest` (default), `most_votes` or `longest_in_stage`.
    #[param(inline)]
    sort: Option<IdeaSort>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page; it belongs to the sort it was made for.
    #[param(format = "kaizen-cursor")]
    cursor: Option<String>,
    /// `csv`: every matching idea (not one page) as a table for a spreadsheet, in the
    /// language chosen by `lang`/`Accept-Language` (German: `;` and decimal commas).
    #[param(inline)]
    format: Option<crate::routes::reports::Format>,
    /// CSV only: `semicolon` or `comma` (default by language).
    #[param(inline)]
    delimiter: Option<Delimiter>,
    /// `de` or `en`, for the CSV's headers and labels.
    lang: Option<String>,
}

/// What the list answers with.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub csv: bool,
    pub delimiter: Option<Delimiter>,
    pub lang: Option<String>,
}

/// The parsed list query.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub filter: IdeaFilter,
    pub unit: Option<String>,
    pub weak_only: bool,
    pub sort: IdeaSort,
    pub limit: i64,
    pub after: Option<IdeaCursor>,
    pub output: Output,
}

fn split_values(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

const EMPTY_ENTRY: &str = "has an empty entry between commas";

/// A comma-separated list with an empty entry (`plan,,do`, `,,,`) is a mistake, not "no
/// filter"; an empty value as a whole (a form's "all" choice) is.
fn empty_entry(raw: &str) -> bool {
    raw.contains(',') && raw.split(',').any(|s| s.trim().is_empty())
}

/// A day or an RFC 3339 moment within the accepted range (`fields::instant`).
fn parse_time(raw: &str, end_of_day: bool) -> Result<NaiveDateTime, String> {
    const FORMAT: &str = "must be a date (YYYY-MM-DD) or a time (RFC 3339)";
    if let Ok(t) = DateTime::parse_from_rfc3339(raw.trim()) {
        let t = fields::instant(t.with_timezone(&Utc).naive_utc())?;
        // "To" an exact instant includes it.
        return Ok(if end_of_day {
            t + chrono::Duration::microseconds(1)
        } else {
            t
        });
    }
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| FORMAT.to_owned())?;
    let day = fields::day(day)?;
    let day = if end_of_day { day.succ_opt().ok_or(FORMAT)? } else { day };
    day.and_hms_opt(0, 0, 0).ok_or_else(|| FORMAT.to_owned())
}

impl ListQuery {
    pub(crate) fn parse(pairs: &[(String, String)], caller: &AuthUser) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let mut filter = IdeaFilter::default();
        let mut unit = None;
        let mut weak_only = false;
        let mut sort = IdeaSort::Newest;
        let mut limit = None;
        let mut cursor = None;
        let mut dimensions: Vec<String> = Vec::new();
        let mut output = Output::default();
        let me = |raw: &str| {
            if raw == "me" { caller.id.clone() } else { raw.to_owned() }
        };
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "status" => {
                    if empty_entry(value) {
                        v.add("status", EMPTY_ENTRY);
                    }
                    for s in split_values(value) {
                        match Status::parse(s) {
                            Some(s) => filter.statuses.push(s),
                            None => v.add("status", format!("{s:?} is not a status")),
                        }
                    }
                }
                "dimension" => {
                    if empty_entry(value) {
                        v.add("dimension", EMPTY_ENTRY);
                    }
                    for d in split_values(value) {
                        match rules::dimension_key_format(d) {
                            Ok(()) => dimensions.push(d.to_owned()),
                            Err(m) => v.add("dimension", m),
                        }
                    }
                }
                "unit" if !value.is_empty() => unit = Some(value.to_owned()),
                "weak_only" => match value {
                    "true" => weak_only = true,
                    "false" => weak_only = false,
                    _ => v.add("weak_only", "must be true or false"),
                },
                "author" if !value.is_empty() => {
                    let user_id = me(value);
                    filter.author = Some(AuthorFilter {
                        include_anonymous: caller.role == Role::Admin || user_id == caller.id,
                        user_id,
                    });
                }
                "owner" if !value.is_empty() => filter.owner_id = Some(me(value)),
                "q" if !value.is_empty() => {
                    if value.chars().count() > 200 {
                        v.add("q", "must be at most 200 characters");
                    }
                    filter.text = Some(value.to_owned());
                }
                "created_from" if !value.is_empty() => match parse_time(value, false) {
                    Ok(t) => filter.created_from = Some(t),
                    Err(m) => v.add("created_from", m),
                },
                "created_to" if !value.is_empty() => match parse_time(value, true) {
                    Ok(t) => filter.created_before = Some(t),
                    Err(m) => v.add("created_to", m),
                },
                "sort" => match serde_json::from_value::<IdeaSort>(serde_json::Value::String(value.to_owned())) {
                    Ok(s) => sort = s,
                    Err(_) => v.add("sort", "must be newest, most_votes or longest_in_stage"),
                },
                "limit" => match value.parse::<i64>() {
                    Ok(l) if (1..=MAX_LIMIT).contains(&l) => limit = Some(l),
                    _ => v.add("limit", format!("must be between 1 and {MAX_LIMIT}")),
                },
                "cursor" if !value.is_empty() => cursor = Some(value.to_owned()),
                "format" => match value {
                    "csv" => output.csv = true,
                    "json" => output.csv = false,
                    _ => v.add("format", "must be json or csv"),
                },
                "delimiter" => match value {
                    "semicolon" => output.delimiter = Some(Delimiter::Semicolon),
                    "comma" => output.delimiter = Some(Delimiter::Comma),
                    _ => v.add("delimiter", "must be semicolon or comma"),
                },
                "lang" => output.lang = Some(value.to_owned()),
                "unit" | "author" | "owner" | "q" | "created_from" | "created_to" | "cursor" => {}
                other => {
                    return Err(ApiError::BadRequest(format!("unknown query parameter {other:?}")));
                }
            }
        }
        v.finish()?;
        if !dimensions.is_empty() {
            filter.linked_to_any.push(dimensions);
        }
        let after = match cursor {
            Some(raw) => {
                let c: IdeaCursor = pagination::decode_cursor(&raw)?;
                // A cursor is ours, but it came from the client: its time must be sane.
                if let IdeaCursor::LongestInStage(t, _) = &c
                    && fields::instant(*t).is_err()
                {
                    return Err(ApiError::BadRequest(
                        "the cursor is not valid; start again without it".into(),
                    ));
                }
                if c.sort() != sort {
                    return Err(ApiError::BadRequest(
                        "the cursor belongs to another sort order; start again without it".into(),
                    ));
                }
                Some(c)
            }
            None => None,
        };
        Ok(Self {
            filter,
            unit,
            weak_only,
            sort,
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            after,
            output,
        })
    }
}

/// One page of the list, as the caller may see it (authors behind code words stay hidden).
pub(crate) fn list_page(
    conn: &mut db::DbConnection,
    caller: &AuthUser,
    filter: &IdeaFilter,
    sort: IdeaSort,
    after: Option<&IdeaCursor>,
    limit: i64,
) -> Result<IdeaPage, ApiError> {
    let rows = store::list(conn, &caller.org_id, filter, sort, after, limit)?;
    let (rows, next_cursor) = finish_page(rows, limit, |i| IdeaCursor::after(sort, i));
    let ids: Vec<&str> = rows.iter().map(|i| i.id.as_str()).collect();
    let mut dims = store::dimensions_of(conn, &caller.org_id, &ids)?;
    let voted = store::voted_among(conn, &caller.org_id, &caller.id, &ids)?;
    let people: HashSet<&str> = rows
        .iter()
        .flat_map(|i| {
            let author = rules::author_visible(i.anonymous(), &i.author_id, &caller.id, caller.role)
                .then_some(i.author_id.as_str());
            author.into_iter().chain(i.owner_id.as_deref())
        })
        .collect();
    let people: Vec<&str> = people.into_iter().collect();
    let names = store::display_names(conn, &caller.org_id, &people)?;
    let now = db::now();
    let items = rows
        .iter()
        .map(|i| {
            summary(
                i,
                caller,
                dims.remove(&i.id).unwrap_or_default(),
                &names,
                voted.contains(&i.id),
                now,
            )
        })
        .collect();
    Ok(IdeaPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role) -> AuthUser {
        AuthUser {
            id: "me-id".into(),
            org_id: "org".into(),
            role,
            unit_id: None,
            email: "me@x.de".into(),
            display_name: "Me".into(),
            must_change_password: false,
        }
    }

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn several_statuses_and_dimensions_comma_separated_or_repeated() {
        let q = ListQuery::parse(
            &pairs(&[
                ("status", "plan,do"),
                ("status", "check"),
                ("dimension", "leadership"),
                ("dimension", "error_culture,competence"),
            ]),
            &caller(Role::Employee),
        )
        .unwrap();
        assert_eq!(q.filter.statuses, vec![Status::Plan, Status::Do, Status::Check]);
        assert_eq!(
            q.filter.linked_to_any,
            vec![vec![
                "leadership".to_string(),
                "error_culture".into(),
                "competence".into()
            ]]
        );
    }

    #[test]
    fn empty_entries_in_a_list_are_refused_an_empty_value_is_no_filter() {
        for bad in [",,,,", "plan,,do", "plan,", ",plan"] {
            let err = ListQuery::parse(&pairs(&[("status", bad)]), &caller(Role::Employee));
            assert!(
                matches!(err, Err(ApiError::Validation(ref e)) if e[0].field == "status"),
                "{bad}"
            );
        }
        let err = ListQuery::parse(&pairs(&[("dimension", "leadership,")]), &caller(Role::Employee));
        assert!(matches!(err, Err(ApiError::Validation(_))));
        let q = ListQuery::parse(&pairs(&[("status", ""), ("dimension", " ")]), &caller(Role::Employee)).unwrap();
        assert!(q.filter.statuses.is_empty() && q.filter.linked_to_any.is_empty());
    }

    #[test]
    fn bad_values_are_named_and_unknown_parameters_refused() {
        let err = ListQuery::parse(
            &pairs(&[("status", "doing"), ("sort", "best"), ("limit", "0")]),
            &caller(Role::Lead),
        );
        match err {
            Err(ApiError::Validation(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, vec!["status", "sort", "limit"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ListQuery::parse(&pairs(&[("stauts", "plan")]), &caller(Role::Lead)),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn author_filter_finds_anonymous_ideas_only_for_admins_and_oneself() {
        let q = ListQuery::parse(&pairs(&[("author", "someone")]), &caller(Role::Manager)).unwrap();
        assert!(!q.filter.author.unwrap().include_anonymous);
        let q = ListQuery::parse(&pairs(&[("author", "me")]), &caller(Role::Employee)).unwrap();
        let a = q.filter.author.unwrap();
        assert_eq!(a.user_id, "me-id");
        assert!(a.include_anonymous);
        let q = ListQuery::parse(&pairs(&[("author", "someone")]), &caller(Role::Admin)).unwrap();
        assert!(q.filter.author.unwrap().include_anonymous);
    }

    #[test]
    fn cursors_must_match_the_sort() {
        let c = pagination::encode_cursor(&IdeaCursor::Newest("x".into()));
        assert!(ListQuery::parse(&pairs(&[("cursor", &c)]), &caller(Role::Lead)).is_ok());
        assert!(matches!(
            ListQuery::parse(&pairs(&[("cursor", &c), ("sort", "most_votes")]), &caller(Role::Lead)),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn time_bounds() {
        let from = parse_time("2026-11-01", false).unwrap();
        let to = parse_time("2026-11-01", true).unwrap();
        assert_eq!((to - from).num_hours(), 24);
        assert!(parse_time("2026-11-01T10:00:00Z", false).is_ok());
        assert!(parse_time("yesterday", false).is_err());
        assert!(parse_time("-4714-11-24", false).is_err());
        assert!(parse_time("1969-12-31T23:59:59Z", false).is_err());
    }
}
