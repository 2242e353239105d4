//! Reassessment periods: when each period of an organisation's schedule is due, which one
//! is current, which one the scheduler owes a round, and the rules for the settings.
//!
//! Period n is due at `first_due_at + n × interval_months`, always counted from the first
//! due date: a day that the target month lacks becomes that month's last day (31 January
//! plus one month is 28/29 February), and later periods return to the anchor's day
//! (31 March). Times are UTC.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};

pub const INTERVAL_MONTHS: std::ops::RangeInclusive<i64> = 1..=36;
pub const WINDOW_DAYS: std::ops::RangeInclusive<i64> = 1..=90;
pub const DEFAULT_INTERVAL_MONTHS: i64 = 12;
pub const DEFAULT_WINDOW_DAYS: i64 = 21;
pub const DEFAULT_TITLE_PATTERN: &str = "Lernkultur {month}/{year}";
pub const TITLE_PLACEHOLDERS: [&str; 5] = ["date", "year", "month", "quarter", "half"];
const TITLE_MAX_CHARS: usize = 200;
/// First due dates outside these years are refused: the arithmetic would be meaningless.
const ANCHOR_YEARS: std::ops::RangeInclusive<i32> = 2000..=2199;

/// The rhythm of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub first_due_at: NaiveDateTime,
    pub interval_months: u32,
}

/// One period of a schedule: its number (0 for the first) and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub index: u32,
    pub due_at: NaiveDateTime,
}

impl Period {
    /// Identifies the period within its organisation: the due date. Two periods of one
    /// schedule never share a date (the interval is at least a month), and after the
    /// schedule changes, a period falling on a date that already had a round counts as done.
    pub fn key(&self) -> String {
        self.due_at.format("%Y-%m-%d").to_string()
    }
}

impl Cadence {
    /// `None` for an interval of zero months, which the settings never allow.
    pub fn new(first_due_at: NaiveDateTime, interval_months: i64) -> Option<Self> {
        let interval_months = u32::try_from(interval_months).ok().filter(|m| *m > 0)?;
        Some(Self {
            first_due_at,
            interval_months,
        })
    }

    /// When period `n` is due; `None` beyond the calendar's range.
    pub fn due_at(&self, n: u32) -> Option<NaiveDateTime> {
        let months = n.checked_mul(self.interval_months)?;
        self.first_due_at.checked_add_months(Months::new(months))
    }

    pub fn period(&self, n: u32) -> Option<Period> {
        self.due_at(n).map(|due_at| Period { index: n, due_at })
    }

    /// The latest period due at or before `t`; `None` before the first due date.
    pub fn current(&self, t: NaiveDateTime) -> Option<Period> {
        if t < self.first_due_at {
            return None;
        }
        let a = self.first_due_at;
        let months = (t.year() - a.year()) * 12 + t.month() as i32 - a.month() as i32;
        // A first estimate from whole calendar months, corrected by at most a step either
        // way (the day within the month, and clamping, move the due time).
        let mut n = u32::try_from(months).unwrap_or(0) / self.interval_months;
        while n > 0 && self.due_at(n).is_none_or(|d| d > t) {
            n -= 1;
        }
        while self.due_at(n + 1).is_some_and(|d| d <= t) {
            n += 1;
        }
        self.period(n)
    }

    /// The first period due strictly after `t`.
    pub fn next_after(&self, t: NaiveDateTime) -> Option<Period> {
        match self.current(t) {
            None => self.period(0),
            Some(p) => self.period(p.index + 1),
        }
    }

    /// The period the scheduler owes a round at `now`: the latest due one, unless it was
    /// due before the schedule took effect. Earlier missed periods are never owed — after
    /// downtime only the latest gets a round.
    pub fn owed(&self, effective_from: NaiveDateTime, now: NaiveDateTime) -> Option<Period> {
        self.current(now).filter(|p| p.due_at >= effective_from)
    }
}

/// When a round opened at `opened_at` closes: always a full window after it actually
/// opened. On time that is the due time plus the window (to within a scheduler pass);
/// after downtime, or when the round had to wait for another, respondents still get the
/// whole window.
pub fn closes_at(opened_at: NaiveDateTime, window_days: i64) -> NaiveDateTime {
    opened_at + Duration::days(window_days)
}

/// The fewest days that `months` calendar months can span, over every starting day
/// (with the clamping above). A window must be shorter, so that a punctual round closes
/// before the next period is due.
pub fn shortest_interval_days(months: u32) -> i64 {
    let mut shortest = i64::MAX;
    // Every anchor day, through four years from January of a leap year: the pattern
    // repeats after that (the century rule only removes leap days, which cannot make a
    // span shorter than a common year already does).
    for day in 1..=31 {
        let Some(anchor) = NaiveDate::from_ymd_opt(2024, 1, day) else {
            continue;
        };
        for k in 0..48 {
            let start = anchor.checked_add_months(Months::new(k));
            let end = anchor.checked_add_months(Months::new(k + months));
            if let (Some(start), Some(end)) = (start, end) {
                shortest = shortest.min((end - start).num_days());
            }
        }
    }
    shortest
}

/// The title of a round due on `date`: the placeholders `{date}` (2027-06-01), `{year}`,
/// `{month}` (06), `{quarter}` (1–4) and `{half}` (1–2) are replaced.
pub fn expand_title(pattern: &str, date: NaiveDate) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err("has a { without a closing }".into());
        };
        let value = match &after[..end] {
            "date" => date.format("%Y-%m-%d").to_string(),
            "year" => date.year().to_string(),
            "month" => format!("{:02}", date.month()),
            "quarter" => ((date.month() - 1) / 3 + 1).to_string(),
            "half" => ((date.month() - 1) / 6 + 1).to_string(),
            other => {
                return Err(format!(
                    "unknown placeholder {{{other}}}; use {}",
                    TITLE_PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ));
            }
        };
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let out = out.trim().to_owned();
    if out.is_empty() {
        return Err("must not be empty".into());
    }
    if out.chars().count() > TITLE_MAX_CHARS || pattern.chars().count() > TITLE_MAX_CHARS {
        return Err(format!("must be at most {TITLE_MAX_CHARS} characters"));
    }
    if out.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    crate::domain::fields::visible(&out)?;
    Ok(out)
}

/// Problems with schedule settings, as (field, message).
pub fn check_settings(
    interval_months: i64,
    window_days: i64,
    first_due_at: NaiveDateTime,
    title_pattern: &str,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    let interval_ok = INTERVAL_MONTHS.contains(&interval_months);
    if !interval_ok {
        problems.push(("interval_months", "must be between 1 and 36".to_owned()));
    }
    if !WINDOW_DAYS.contains(&window_days) {
        problems.push(("window_days", "must be between 1 and 90".to_owned()));
    } else if interval_ok {
        let shortest = shortest_interval_days(u32::try_from(interval_months).unwrap_or(1));
        if window_days >= shortest {
            problems.push((
                "window_days",
                format!(
                    "must be shorter than the interval: {interval_months} month(s) can be as short as {shortest} days"
                ),
            ));
        }
    }
    if !ANCHOR_YEARS.contains(&first_due_at.year()) {
        problems.push(("first_due_at", "must lie between the years 2000 and 2199".to_owned()));
    }
    if let Err(message) = expand_title(title_pattern, first_due_at.date()) {
        problems.push(("title_pattern", message));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn cadence(anchor: NaiveDateTime, months: i64) -> Cadence {
        Cadence::new(anchor, months).unwrap()
    }

    #[test]
    fn periods_count_from_the_anchor_and_clamp_the_day() {
        let c = cadence(at(2027, 1, 31, 7), 1);
        assert_eq!(c.due_at(0), Some(at(2027, 1, 31, 7)));
        assert_eq!(c.due_at(1), Some(at(2027, 2, 28, 7)));
        assert_eq!(c.due_at(2), Some(at(2027, 3, 31, 7)), "back to the anchor's day");
        assert_eq!(c.due_at(3), Some(at(2027, 4, 30, 7)));
        assert_eq!(c.due_at(13), Some(at(2028, 2, 29, 7)), "leap year");
        let half = cadence(at(2027, 8, 31, 0), 6);
        assert_eq!(half.due_at(1), Some(at(2028, 2, 29, 0)));
        assert_eq!(half.due_at(2), Some(at(2028, 8, 31, 0)));
        let yearly = cadence(at(2028, 2, 29, 0), 12);
        assert_eq!(yearly.due_at(1), Some(at(2029, 2, 28, 0)));
        assert_eq!(yearly.due_at(4), Some(at(2032, 2, 29, 0)));
        assert_eq!(Cadence::new(at(2027, 1, 1, 0), 0), None);
    }

    #[test]
    fn the_current_period_is_the_latest_due_one() {
        let c = cadence(at(2027, 1, 31, 7), 1);
        assert_eq!(c.current(at(2027, 1, 31, 6)), None, "before the first due date");
        assert_eq!(
            c.current(at(2027, 1, 31, 7)).map(|p| p.index),
            Some(0),
            "due exactly now"
        );
        assert_eq!(c.current(at(2027, 2, 28, 6)).map(|p| p.index), Some(0));
        assert_eq!(c.current(at(2027, 2, 28, 7)).map(|p| p.index), Some(1));
        assert_eq!(c.current(at(2027, 3, 30, 23)).map(|p| p.index), Some(1));
        assert_eq!(c.current(at(2027, 3, 31, 7)).map(|p| p.index), Some(2));
        let q = cadence(at(2027, 3, 15, 12), 3);
        assert_eq!(q.current(at(2027, 6, 15, 11)).map(|p| p.index), Some(0));
        assert_eq!(q.current(at(2027, 6, 15, 12)).map(|p| p.index), Some(1));
        assert_eq!(q.current(at(2030, 1, 1, 0)).map(|p| p.index), Some(11));
        // Whatever the moment, the current period is due by then and the next is not.
        for t in (0..2000).map(|h| at(2027, 1, 1, 0) + Duration::hours(h * 17)) {
            for c in [c, q, cadence(at(2026, 12, 31, 23), 2)] {
                match c.current(t) {
                    None => assert!(t < c.first_due_at),
                    Some(p) => {
                        assert!(p.due_at <= t);
                        assert!(c.due_at(p.index + 1).unwrap() > t);
                        assert_eq!(c.next_after(t), c.period(p.index + 1));
                    }
                }
            }
        }
    }

    #[test]
    fn the_next_due_date() {
        let c = cadence(at(2027, 6, 1, 8), 6);
        assert_eq!(c.next_after(at(2027, 1, 1, 0)), c.period(0));
        assert_eq!(
            c.next_after(at(2027, 6, 1, 8)).map(|p| p.due_at),
            Some(at(2027, 12, 1, 8))
        );
        assert_eq!(
            c.next_after(at(2029, 1, 1, 0)).map(|p| p.due_at),
            Some(at(2029, 6, 1, 8))
        );
    }

    #[test]
    fn only_the_latest_due_period_is_owed() {
        let c = cadence(at(2027, 1, 10, 9), 1);
        let saved = at(2027, 1, 1, 0);
        assert_eq!(c.owed(saved, at(2027, 1, 10, 8)), None, "not due yet");
        assert_eq!(c.owed(saved, at(2027, 1, 10, 9)), c.period(0));
        // Down from February to mid-May: one period, the latest, is owed.
        assert_eq!(c.owed(saved, at(2027, 5, 20, 0)), c.period(4));
        // Periods due before the schedule took effect are not owed.
        let late = at(2027, 3, 1, 0);
        assert_eq!(c.owed(late, at(2027, 3, 5, 0)), None);
        assert_eq!(c.owed(late, at(2027, 3, 10, 9)), c.period(2));
    }

    #[test]
    fn period_keys_are_due_dates() {
        let c = cadence(at(2027, 1, 31, 23), 1);
        let keys: Vec<String> = (0..4).map(|n| c.period(n).unwrap().key()).collect();
        assert_eq!(keys, ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]);
    }

    #[test]
    fn windows_last_from_the_actual_opening() {
        assert_eq!(closes_at(at(2027, 5, 20, 10), 14), at(2027, 6, 3, 10));
    }

    #[test]
    fn the_shortest_span_of_some_months() {
        assert_eq!(shortest_interval_days(1), 28);
        assert_eq!(shortest_interval_days(2), 59);
        assert_eq!(shortest_interval_days(3), 89);
        assert_eq!(shortest_interval_days(12), 365);
        assert_eq!(shortest_interval_days(36), 1095);
    }

    #[test]
    fn titles_fill_in_the_date() {
        let d = NaiveDate::from_ymd_opt(2027, 8, 1).unwrap();
        assert_eq!(
            expand_title(DEFAULT_TITLE_PATTERN, d).as_deref(),
            Ok("Lernkultur 08/2027")
        );
        assert_eq!(
            expand_title("Q{quarter} {year} · H{half} · {date}", d).as_deref(),
            Ok("Q3 2027 · H2 · 2027-08-01")
        );
        assert_eq!(expand_title("Lernkultur", d).as_deref(), Ok("Lernkultur"));
        assert!(expand_title("{jahr}", d).unwrap_err().contains("{jahr}"));
        assert!(expand_title("Runde {year", d).is_err());
        assert!(expand_title("  ", d).is_err());
        assert!(expand_title(&"x".repeat(201), d).is_err());
        assert!(expand_title("a\u{7}b", d).is_err());
    }

    #[test]
    fn settings_are_checked_per_field() {
        let ok = at(2027, 1, 1, 7);
        assert!(check_settings(6, 14, ok, DEFAULT_TITLE_PATTERN).is_empty());
        assert!(check_settings(1, 27, ok, "x").is_empty());
        assert!(check_settings(36, 90, ok, "x").is_empty());
        let fields = |p: Vec<(&'static str, String)>| p.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(check_settings(0, 14, ok, "x")), ["interval_months"]);
        assert_eq!(fields(check_settings(37, 14, ok, "x")), ["interval_months"]);
        assert_eq!(fields(check_settings(6, 0, ok, "x")), ["window_days"]);
        assert_eq!(fields(check_settings(6, 91, ok, "x")), ["window_days"]);
        assert_eq!(
            fields(check_settings(1, 28, ok, "x")),
            ["window_days"],
            "as long as February"
        );
        assert_eq!(
            fields(check_settings(6, 14, at(1999, 12, 31, 0), "x")),
            ["first_due_at"]
        );
        assert_eq!(fields(check_settings(6, 14, ok, "{nope}")), ["title_pattern"]);
        assert_eq!(
            fields(check_settings(-1, -1, at(2500, 1, 1, 0), "")),
            ["interval_months", "window_days", "first_due_at", "title_pattern"]
        );
    }
}
