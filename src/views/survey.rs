//! Taking part in a survey round, for the API and the pages alike: who may answer which
//! round, and the one way an answer is stored.

use crate::auth::AuthUser;
use crate::db::{self, DbConnection};
use crate::domain::rounds::RoundStatus;
use crate::domain::scoring;
use crate::error::ApiError;
use crate::store::assessments::{self, Round};
use crate::store::{questionnaires, responses, units};

/// The caller's standing in a round.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    /// The round's scope includes the caller's unit (or it has none).
    pub in_scope: bool,
    pub answered: bool,
}

/// The caller's standing in each of the rounds, in their order.
pub fn standings(conn: &mut DbConnection, caller: &AuthUser, rounds: &[Round]) -> Result<Vec<Standing>, ApiError> {
    let ids: Vec<String> = rounds.iter().map(|r| r.id.clone()).collect();
    let answered = assessments::answered_among(conn, &caller.id, &ids)?;
    let tree = if rounds.iter().any(|r| r.scope_unit_id.is_some()) {
        Some(units::tree(conn, &caller.org_id)?)
    } else {
        None
    };
    Ok(rounds
        .iter()
        .map(|r| Standing {
            in_scope: match (&r.scope_unit_id, &caller.unit_id, &tree) {
                (None, _, _) => true,
                (Some(scope), Some(unit), Some(tree)) => tree.is_within(unit, scope),
                _ => false,
            },
            answered: answered.contains(&r.id),
        })
        .collect())
}

/// The open rounds the caller may still answer (due openings and closings taken first).
pub fn open_for(conn: &mut DbConnection, caller: &AuthUser) -> Result<Vec<Round>, ApiError> {
    assessments::advance_due(conn, Some(&caller.org_id), db::now())?;
    let rounds = assessments::list(conn, &caller.org_id, Some(RoundStatus::Open), None, 20)?;
    let standings = standings(conn, caller, &rounds)?;
    Ok(rounds
        .into_iter()
        .zip(standings)
        .filter(|(_, s)| s.in_scope && !s.answered)
        .map(|(r, _)| r)
        .collect())
}

/// Stores the caller's answers to an open round they are in and have not answered; the
/// round's id. Answers are `(item key, number or "cant_judge")`.
pub fn answer(
    conn: &mut DbConnection,
    caller: &AuthUser,
    round_id: &str,
    answers: &[(String, serde_json::Value)],
) -> Result<String, ApiError> {
    let org = caller.org_id.as_str();
    let (round, answered) = assessments::find_for_respondent(conn, org, round_id, &caller.id, db::now())?;
    if !assessments::in_scope(conn, org, round.scope_unit_id.as_deref(), caller.unit_id.as_deref())? {
        return Err(ApiError::forbidden("you are not in this round's scope"));
    }
    match round.status() {
        RoundStatus::Scheduled => return Err(ApiError::conflict("the round has not opened yet")),
        RoundStatus::Closed => return Err(ApiError::conflict("the round is closed")),
        RoundStatus::Open => {}
    }
    if answered {
        return Err(ApiError::conflict(
            "you have answered this round already; each person answers once",
        ));
    }
    let instrument = questionnaires::instrument(conn, org, &round.questionnaire_id)?;
    let parsed = scoring::parse_answers(&instrument, answers).map_err(ApiError::Validation)?;
    let scores = scoring::score(&instrument, &parsed);
    responses::submit(conn, &round, &caller.id, caller.unit_id.as_deref(), &parsed, &scores)?;
    Ok(round.id)
}
