//! Reassessment schedules: each organisation's settings, and opening the round a period is
//! owed — exactly once, even when several instances try at the same moment.
//!
//! Rules (the README's "Reassessment schedule" says the same):
//! - The scheduler owes a round for the latest due period only (`Cadence::owed`): after
//!   downtime, missed periods before it get none.
//! - A scheduled round is organisation-wide, opens when created and stays open for the
//!   full window from that moment (`closes_at`), also when it opens late.
//! - No two organisation-wide rounds are open at once: a period that comes due while one
//!   is open (a round started by hand, or a late periodic one) waits until it closes, and
//!   a round triggered by hand is refused with 409 meanwhile.
//! - Exactly once: the period's key is unique per organisation; an instance whose insert
//!   hits that constraint leaves the period to the instance that got there first.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{assessment_rounds, reassessment_schedules};
use crate::db::{self, DbConnection};
use crate::domain::questionnaire::QuestionnaireStatus;
use crate::domain::reassessment::{self, Cadence, Period};
use crate::domain::rounds::RoundStatus;
use crate::error::{ApiError, Validator};
use crate::store::assessments::{self, NewRound, Round};
use crate::store::{dimensions, organizations, questionnaires};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = reassessment_schedules)]
pub struct Schedule {
    pub org_id: String,
    pub enabled: bool,
    /// Pinned questionnaire; `None`: the organisation's current one when a round opens.
    pub questionnaire_id: Option<String>,
    pub interval_months: i64,
    pub window_days: i64,
    pub first_due_at: NaiveDateTime,
    pub title_pattern: String,
    /// Periods due before this moment are not owed.
    pub effective_from: NaiveDateTime,
    /// The admin who saved the schedule last; scheduled rounds are created in their name.
    pub configured_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Schedule {
    pub fn cadence(&self) -> Option<Cadence> {
        Cadence::new(self.first_due_at, self.interval_months)
    }

    /// The period owed a round at `now`, if the schedule is on.
    pub fn owed(&self, now: NaiveDateTime) -> Option<Period> {
        self.enabled
            .then(|| self.cadence()?.owed(self.effective_from, now))
            .flatten()
    }
}

/// What an admin sets (validated by `save`).
#[derive(Debug, Clone)]
pub struct ScheduleSettings {
    pub enabled: bool,
    pub questionnaire_id: Option<String>,
    pub interval_months: i64,
    pub window_days: i64,
    pub first_due_at: NaiveDateTime,
    pub title_pattern: String,
}

pub fn find(conn: &mut DbConnection, org_id: &str) -> Result<Option<Schedule>, ApiError> {
    Ok(reassessment_schedules::table.find(org_id).get_result(conn).optional()?)
}

/// Every switched-on schedule, of all organisations.
pub fn enabled(conn: &mut DbConnection) -> Result<Vec<Schedule>, ApiError> {
    Ok(reassessment_schedules::table
        .filter(reassessment_schedules::enabled.eq(true))
        .order(reassessment_schedules::org_id.asc())
        .load(conn)?)
}

/// Saves the settings when `expected_version` is the stored one (0 while none is stored);
/// `Err(current)` otherwise. The period count restarts (`effective_from` = now) when the
/// schedule is switched on or its first due date or interval changes, so saving never
/// opens rounds for periods that lay in the past already.
pub fn save(
    conn: &mut DbConnection,
    org_id: &str,
    expected_version: i64,
    settings: &ScheduleSettings,
    by: &str,
) -> Result<Result<Schedule, i64>, ApiError> {
    let mut v = Validator::new();
    for (field, message) in reassessment::check_settings(
        settings.interval_months,
        settings.window_days,
        settings.first_due_at,
        &settings.title_pattern,
    ) {
        v.add(field, message);
    }
    if let Some(id) = &settings.questionnaire_id {
        match questionnaires::find(conn, org_id, id) {
            Ok(q) if q.status() == QuestionnaireStatus::Published => {}
            Ok(q) => v.add(
                "questionnaire_id",
                format!("the questionnaire is {}; rounds need a published one", q.status),
            ),
            Err(ApiError::NotFound) => v.add("questionnaire_id", "no such questionnaire in this organisation"),
            Err(e) => return Err(e),
        }
    }
    v.finish()?;
    let now = db::now();
    db::write_tx(conn, |conn| {
        // Two first saves at once: the lock lets one insert; the other then finds its row
        // and is stale.
        organizations::lock(conn, org_id)?;
        let current = find(conn, org_id)?;
        let current_version = current.as_ref().map_or(0, |s| s.version);
        if current_version != expected_version {
            return Ok(Err(current_version));
        }
        let restart = current.as_ref().is_none_or(|s| {
            (settings.enabled && !s.enabled)
                || s.first_due_at != settings.first_due_at
                || s.interval_months != settings.interval_months
        });
        let row = Schedule {
            org_id: org_id.to_owned(),
            enabled: settings.enabled,
            questionnaire_id: settings.questionnaire_id.clone(),
            interval_months: settings.interval_months,
            window_days: settings.window_days,
            first_due_at: settings.first_due_at,
            title_pattern: settings.title_pattern.clone(),
            effective_from: match &current {
                Some(s) if !restart => s.effective_from,
                _ => now,
            },
            configured_by: by.to_owned(),
            version: expected_version + 1,
            created_at: current.as_ref().map_or(now, |s| s.created_at),
            updated_at: now,
        };
        if current.is_none() {
            diesel::insert_into(reassessment_schedules::table)
                .values(&row)
                .execute(conn)?;
            return Ok(Ok(row));
        }
        let n = diesel::update(
            reassessment_schedules::table
                .find(org_id)
                .filter(reassessment_schedules::version.eq(expected_version)),
        )
        .set((
            reassessment_schedules::enabled.eq(row.enabled),
            reassessment_schedules::questionnaire_id.eq(&row.questionnaire_id),
            reassessment_schedules::interval_months.eq(row.interval_months),
            reassessment_schedules::window_days.eq(row.window_days),
            reassessment_schedules::first_due_at.eq(row.first_due_at),
            reassessment_schedules::title_pattern.eq(&row.title_pattern),
            reassessment_schedules::effective_from.eq(row.effective_from),
            reassessment_schedules::configured_by.eq(&row.configured_by),
            reassessment_schedules::version.eq(row.version),
            reassessment_schedules::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(Err(find(conn, org_id)?.map_or(0, |s| s.version)));
        }
        Ok(Ok(row))
    })
}

/// The round the schedule opened for a period.
pub fn round_for_period(conn: &mut DbConnection, org_id: &str, key: &str) -> Result<Option<Round>, ApiError> {
    Ok(assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .filter(assessment_rounds::period_key.eq(key))
        .first(conn)
        .optional()?)
}

/// The most recent round the schedule opened.
pub fn last_scheduled_round(conn: &mut DbConnection, org_id: &str) -> Result<Option<Round>, ApiError> {
    Ok(assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .filter(assessment_rounds::period_key.is_not_null())
        .order((assessment_rounds::created_at.desc(), assessment_rounds::id.desc()))
        .first(conn)
        .optional()?)
}

/// An open organisation-wide round other than `except`.
pub fn open_organisation_round(
    conn: &mut DbConnection,
    org_id: &str,
    except: Option<&str>,
) -> Result<Option<Round>, ApiError> {
    let mut q = assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .filter(assessment_rounds::scope_unit_id.is_null())
        .filter(assessment_rounds::status.eq(RoundStatus::Open.as_str()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(assessment_rounds::id.ne(id.to_owned()));
    }
    Ok(q.order(assessment_rounds::opened_at.asc()).first(conn).optional()?)
}

/// The questionnaire a round opened now uses: the pinned one while it is published,
/// else the organisation's current one. `Err(reason)` when that is not published either
/// (every questionnaire archived).
pub fn questionnaire_for(
    conn: &mut DbConnection,
    org_id: &str,
    pinned: Option<&str>,
) -> Result<Result<String, String>, ApiError> {
    if let Some(id) = pinned {
        match questionnaires::find(conn, org_id, id) {
            Ok(q) if q.status() == QuestionnaireStatus::Published => return Ok(Ok(q.id)),
            Ok(_) | Err(ApiError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let current = dimensions::current_questionnaire(conn, org_id)?.questionnaire;
    if current.status() == QuestionnaireStatus::Published {
        Ok(Ok(current.id))
    } else {
        Ok(Err(
            "the organisation has no published questionnaire; publish one for reassessment rounds".into(),
        ))
    }
}

/// Why `open_organisation_wide` did not open the round.
#[derive(Debug)]
enum Refused {
    /// The period's round exists already (another instance was first).
    Taken,
    /// This organisation-wide round is open.
    Busy(Box<Round>),
    Failed(ApiError),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

impl From<diesel::result::Error> for Refused {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// Inserts an organisation-wide round and opens it at `now` through the ordinary opening
/// step (which freezes the eligible headcount), all in one transaction under the
/// organisation's lock, unless another organisation-wide round is open.
fn open_organisation_wide(conn: &mut DbConnection, new: &NewRound, now: NaiveDateTime) -> Result<Round, Refused> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, &new.org_id)?;
        // Under the organisation's lock: two rounds of one month get "… (2)".
        if let Some(key) = &new.period_key
            && round_for_period(conn, &new.org_id, key)?.is_some()
        {
            return Err(Refused::Taken);
        }
        let titled = NewRound {
            title: assessments::numbered_title(conn, &new.org_id, &new.title)?,
            ..new.clone()
        };
        let new = &titled;
        match diesel::insert_into(assessment_rounds::table).values(new).execute(conn) {
            Ok(_) => {}
            Err(e) if db::is_unique_violation(&e) => return Err(Refused::Taken),
            Err(e) => return Err(e.into()),
        }
        if let Some(open) = open_organisation_round(conn, &new.org_id, Some(&new.id))? {
            return Err(Refused::Busy(Box::new(open)));
        }
        let round = assessments::find(conn, &new.org_id, &new.id)?;
        if !assessments::open_round(conn, &round, now)? {
            return Err(ApiError::internal("a round inserted just now could not be opened").into());
        }
        Ok(assessments::find(conn, &new.org_id, &new.id)?)
    })
}

/// What the scheduler did for one organisation.
#[derive(Debug)]
pub enum Step {
    /// No period is owed (not due yet, switched off, or due before the schedule took effect).
    NotDue,
    /// The owed period has its round.
    Done,
    /// Opened the owed period's round now.
    Opened(Round),
    /// Another instance opened it at the same moment.
    Taken,
    /// The owed period waits until this organisation-wide round closes.
    Waiting(Round),
    /// No round can open: the reason.
    Blocked(String),
}

/// Opens the round of the owed period if it has none. The common case (nothing owed, or
/// done already) only reads, so it takes no write lock.
pub fn run_due(conn: &mut DbConnection, schedule: &Schedule, now: NaiveDateTime) -> Result<Step, ApiError> {
    let org = schedule.org_id.as_str();
    let Some(period) = schedule.owed(now) else {
        return Ok(Step::NotDue);
    };
    let key = period.key();
    if round_for_period(conn, org, &key)?.is_some() {
        return Ok(Step::Done);
    }
    if let Some(open) = open_organisation_round(conn, org, None)? {
        return Ok(Step::Waiting(open));
    }
    let questionnaire_id = match questionnaire_for(conn, org, schedule.questionnaire_id.as_deref())? {
        Ok(id) => id,
        Err(why) => return Ok(Step::Blocked(why)),
    };
    let title = match reassessment::expand_title(&schedule.title_pattern, period.due_at.date()) {
        Ok(t) => t,
        Err(why) => return Ok(Step::Blocked(format!("the title pattern {why}"))),
    };
    let mut new = NewRound::new(
        org,
        questionnaire_id,
        title,
        None,
        now,
        reassessment::closes_at(now, schedule.window_days),
        &schedule.configured_by,
    );
    new.period_key = Some(key);
    match open_organisation_wide(conn, &new, now) {
        Ok(round) => Ok(Step::Opened(round)),
        Err(Refused::Taken) => Ok(Step::Taken),
        Err(Refused::Busy(open)) => Ok(Step::Waiting(*open)),
        Err(Refused::Failed(e)) => Err(e),
    }
}

/// Opens an organisation-wide round now, by hand and outside the periodic schedule (it
/// has no period and does not move the schedule), with the schedule's questionnaire,
/// title pattern and window — or the defaults while none is saved. 409 while another
/// organisation-wide round is open.
pub fn trigger(conn: &mut DbConnection, org_id: &str, by: &str, now: NaiveDateTime) -> Result<Round, ApiError> {
    assessments::advance_due(conn, Some(org_id), now)?;
    let schedule = find(conn, org_id)?;
    let pinned = schedule.as_ref().and_then(|s| s.questionnaire_id.as_deref());
    let questionnaire_id = questionnaire_for(conn, org_id, pinned)?.map_err(ApiError::conflict)?;
    let pattern = schedule
        .as_ref()
        .map_or(reassessment::DEFAULT_TITLE_PATTERN, |s| s.title_pattern.as_str());
    let title = reassessment::expand_title(pattern, now.date())
        .map_err(|why| ApiError::conflict(format!("the title pattern {why}")))?;
    let window = schedule
        .as_ref()
        .map_or(reassessment::DEFAULT_WINDOW_DAYS, |s| s.window_days);
    let new = NewRound::new(
        org_id,
        questionnaire_id,
        title,
        None,
        now,
        reassessment::closes_at(now, window),
        by,
    );
    match open_organisation_wide(conn, &new, now) {
        Ok(round) => Ok(round),
        Err(Refused::Busy(open)) => Err(ApiError::conflict(format!(
            "the organisation-wide round {:?} ({}) is open until {}; only one organisation-wide round runs at a time",
            open.title,
            open.id,
            open.closes_at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))),
        Err(Refused::Taken) => Err(ApiError::internal("a round without a period collided")),
        Err(Refused::Failed(e)) => Err(e),
    }
}

/// The schedule as the API shows it.
#[derive(Debug, Clone)]
pub struct Status {
    pub schedule: Option<Schedule>,
    /// The questionnaire a round opened now would use, or why none can open.
    pub questionnaire: Result<String, String>,
    pub next_due: Option<Period>,
    /// The latest due period with its round, if any.
    pub current: Option<(Period, Option<Round>)>,
    pub last_scheduled: Option<Round>,
    /// An open organisation-wide round the owed period waits for.
    pub waiting_for: Option<Round>,
}

pub fn status(conn: &mut DbConnection, org_id: &str, now: NaiveDateTime) -> Result<Status, ApiError> {
    assessments::advance_due(conn, Some(org_id), now)?;
    let schedule = find(conn, org_id)?;
    let pinned = schedule.as_ref().and_then(|s| s.questionnaire_id.as_deref());
    let questionnaire = questionnaire_for(conn, org_id, pinned)?;
    let cadence = schedule.as_ref().and_then(Schedule::cadence);
    let current = match cadence.and_then(|c| c.current(now)) {
        Some(p) => Some((p, round_for_period(conn, org_id, &p.key())?)),
        None => None,
    };
    let owed = schedule.as_ref().and_then(|s| s.owed(now));
    let owed_open = match owed {
        Some(p) => round_for_period(conn, org_id, &p.key())?.is_none(),
        None => false,
    };
    // An owed period without its round is due now (the next pass opens it); otherwise the
    // next period is.
    let next_due = match (&schedule, owed) {
        (Some(s), _) if !s.enabled => None,
        (_, Some(p)) if owed_open => Some(p),
        _ => cadence.and_then(|c| c.next_after(now)),
    };
    let waiting_for = if owed_open {
        open_organisation_round(conn, org_id, None)?
    } else {
        None
    };
    Ok(Status {
        questionnaire,
        next_due,
        current,
        last_scheduled: last_scheduled_round(conn, org_id)?,
        waiting_for,
        schedule,
    })
}
