//! Time for demo data: moments on past working days, relative to the moment of
//! generation, and time-ordered ids minted for those moments (so lists ordered by id
//! agree with the dates shown, as they do for data entered live).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, RngExt};

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: NaiveDateTime,
    today: NaiveDate,
}

impl Clock {
    pub fn new(now: NaiveDateTime) -> Self {
        Self { now, today: now.date() }
    }

    /// `days_ago`, moved further back to the Friday before when it falls on a weekend.
    /// Never today, so every demo moment lies before the moment of generation.
    pub fn workday(&self, days_ago: i64) -> i64 {
        let days_ago = days_ago.max(1);
        match (self.today - Duration::days(days_ago)).weekday() {
            Weekday::Sat => days_ago + 1,
            Weekday::Sun => days_ago + 2,
            _ => days_ago,
        }
    }

    /// The date `days_ago` days before today.
    pub fn date(&self, days_ago: i64) -> NaiveDate {
        self.today - Duration::days(days_ago)
    }

    /// A fixed time of day `days_ago` days before today.
    pub fn at(&self, days_ago: i64, hour: u32, minute: u32) -> NaiveDateTime {
        self.date(days_ago)
            .and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
    }

    /// A moment in office hours (07:30–16:30) on the working day `days_ago` (already
    /// adjusted by `workday`), with millisecond precision like live data.
    pub fn office<R: Rng + ?Sized>(&self, days_ago: i64, rng: &mut R) -> NaiveDateTime {
        let seconds = rng.random_range(27_000..59_400);
        let millis = rng.random_range(0..1000);
        self.date(days_ago).and_time(NaiveTime::MIN) + Duration::seconds(seconds) + Duration::milliseconds(millis)
    }

    /// Whole days between `t` and today (0 for today).
    pub fn days_ago(&self, t: NaiveDateTime) -> i64 {
        (self.today - t.date()).num_days()
    }
}

/// A UUIDv7 for the moment `t`, its random part from `rng` (reproducible with the seed).
pub fn id_at<R: Rng + ?Sized>(t: NaiveDateTime, rng: &mut R) -> String {
    let millis = u64::try_from(t.and_utc().timestamp_millis()).unwrap_or(0);
    let mut random = [0u8; 10];
    rng.fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn working_days_skip_weekends_and_today() {
        // 2026-11-30 is a Monday.
        let now = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let clock = Clock::new(now);
        assert_eq!(clock.workday(0), 3, "today is moved back to the Friday before");
        assert_eq!(clock.workday(1), 3, "Sunday -> Friday");
        assert_eq!(clock.workday(2), 3, "Saturday -> Friday");
        assert_eq!(clock.workday(3), 3);
        assert_eq!(clock.workday(4), 4);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..100 {
            let t = clock.office(3, &mut rng);
            assert!(t < now);
            assert_eq!(t.date().weekday(), Weekday::Fri);
            assert!(t.time() >= NaiveTime::from_hms_opt(7, 30, 0).unwrap());
            assert!(t.time() < NaiveTime::from_hms_opt(16, 31, 0).unwrap());
        }
    }

    #[test]
    fn ids_sort_like_their_moments() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let t = NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let earlier = id_at(t, &mut rng);
        let later = id_at(t + Duration::milliseconds(1), &mut rng);
        assert!(earlier < later);
        let parsed = uuid::Uuid::parse_str(&earlier).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
    }
}
