//! The life of an assessment round: scheduled → open → closed, by hand or when its
//! opening and closing times pass.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoundStatus {
    Scheduled,
    Open,
    Closed,
}

impl RoundStatus {
    pub const ALL: [RoundStatus; 3] = [RoundStatus::Scheduled, RoundStatus::Open, RoundStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Scheduled => "scheduled",
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<RoundStatus> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The transition the clock demands now, if any. A round whose closing time passed while
/// it was still scheduled (the service was down) opens first, so its headcount is
/// recorded, and closes on the next step.
pub fn due_transition(
    status: RoundStatus,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<RoundStatus> {
    match status {
        RoundStatus::Scheduled if opens_at <= now => Some(RoundStatus::Open),
        RoundStatus::Open if closes_at <= now => Some(RoundStatus::Closed),
        _ => None,
    }
}

/// Why a manual transition is refused, or `None` when it is allowed.
pub fn manual_refusal(status: RoundStatus, target: RoundStatus) -> Option<&'static str> {
    match (status, target) {
        (RoundStatus::Scheduled, RoundStatus::Open) | (RoundStatus::Open, RoundStatus::Closed) => None,
        (RoundStatus::Open, RoundStatus::Open) => Some("the round is open already"),
        (RoundStatus::Closed, _) => Some("the round is closed"),
        (RoundStatus::Scheduled, RoundStatus::Closed) => {
            Some("the round has not opened yet; delete it instead, or open it first")
        }
        _ => Some("that transition is not possible"),
    }
}

/// Problems with a round's times, as (field, message).
pub fn check_times(
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    let opens_ok = crate::domain::fields::instant(opens_at).map_err(|m| problems.push(("opens_at", m)));
    let closes_ok = crate::domain::fields::instant(closes_at).map_err(|m| problems.push(("closes_at", m)));
    if opens_ok.is_err() || closes_ok.is_err() {
        return problems;
    }
    if closes_at <= opens_at {
        problems.push(("closes_at", "must be after opens_at".into()));
    } else if closes_at <= now {
        problems.push(("closes_at", "must be in the future".into()));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn t(h: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
            + Duration::hours(h)
    }

    #[test]
    fn the_clock_opens_and_closes_rounds() {
        use RoundStatus::*;
        assert_eq!(due_transition(Scheduled, t(10), t(20), t(9)), None);
        assert_eq!(due_transition(Scheduled, t(10), t(20), t(10)), Some(Open));
        assert_eq!(due_transition(Open, t(10), t(20), t(19)), None);
        assert_eq!(due_transition(Open, t(10), t(20), t(20)), Some(Closed));
        assert_eq!(due_transition(Closed, t(10), t(20), t(30)), None);
        // After downtime: open first, then close.
        assert_eq!(due_transition(Scheduled, t(10), t(20), t(30)), Some(Open));
    }

    #[test]
    fn manual_transitions() {
        use RoundStatus::*;
        assert_eq!(manual_refusal(Scheduled, Open), None);
        assert_eq!(manual_refusal(Open, Closed), None);
        assert!(manual_refusal(Open, Open).is_some());
        assert!(manual_refusal(Closed, Open).is_some());
        assert!(manual_refusal(Closed, Closed).is_some());
        assert!(manual_refusal(Scheduled, Closed).is_some());
    }

    #[test]
    fn times_are_checked() {
        assert!(check_times(t(1), t(2), t(0)).is_empty());
        assert!(
            check_times(t(-5), t(2), t(0)).is_empty(),
            "opening in the past means now"
        );
        assert_eq!(
            check_times(t(2), t(2), t(0)),
            vec![("closes_at", "must be after opens_at".to_string())]
        );
        assert_eq!(
            check_times(t(-5), t(-1), t(0)),
            vec![("closes_at", "must be in the future".to_string())]
        );
    }
}
