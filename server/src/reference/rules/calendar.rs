//! Working days: China's public holidays and make-up working days (调休上班), year by year.
//!
//! Deadlines are counted in working days on this calendar. The default is the official
//! schedule in `server/calendar/cn-holidays.toml` (copied from the State Council notices);
//! an admin can replace it through the API. A year the calendar lacks counts weekends only,
//! and every answer computed over such a year says so (see [`Deadline::missing_years`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
pub use flowwalk_shared::api::calendar::YearSchedule;

/// The schedule shipped with flowwalk.
pub const DEFAULT_TOML: &str = include_str!("../../../calendar/cn-holidays.toml");

/// Years → schedules. Serialised as in the TOML file: `{"2026": {"off": [...], "work": [...]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Year {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
    schedule: YearSchedule,
}

/// A deadline and the years it was counted over that the calendar lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub date: NaiveDate,
    pub missing_years: Vec<i32>,
}

impl Calendar {
    /// Parses and checks a schedule: every date lies in its year, ranges run forwards, and
    /// a make-up working day is a weekend day that is not also a day off.
    pub fn from_years(years: BTreeMap<String, YearSchedule>) -> Result<Calendar, String> {
        let mut out = BTreeMap::new();
        for (key, schedule) in years {
            let year: i32 = key
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| format!("{key:?} is not a year"))?;
            let mut y = Year {
                schedule: schedule.clone(),
                ..Year::default()
            };
            for [from, to] in &schedule.off {
                if from.year() != year || to.year() != year {
                    return Err(format!("{year}: days off {from}–{to} lie outside the year"));
                }
                if to < from {
                    return Err(format!("{year}: days off {from}–{to} run backwards"));
                }
                let mut d = *from;
                while d <= *to {
                    y.off.insert(d);
                    d += Duration::days(1);
                }
            }
            for d in &schedule.work {
                if d.year() != year {
                    return Err(format!("{year}: working day {d} lies outside the year"));
                }
                if !is_weekend(*d) {
                    return Err(format!(
                        "{year}: {d} is a weekday; only weekend days can be make-up working days"
                    ));
                }
                if y.off.contains(d) {
                    return Err(format!("{year}: {d} is both a day off and a working day"));
                }
                y.work.insert(*d);
            }
            out.insert(year, y);
        }
        Ok(Calendar { years: out })
    }

    /// Parses the TOML form (as in `cn-holidays.toml`).
    pub fn from_toml(text: &str) -> Result<Calendar, String> {
        let years: BTreeMap<String, YearSchedule> =
            toml::from_str(text).map_err(|e| format!("calendar: {e}"))?;
        Calendar::from_years(years)
    }

    /// The shipped schedule.
    pub fn default_cn() -> Calendar {
        // The shipped file is checked by a unit test; an error here cannot happen at run
        // time without that test failing first, and weekends alone stay correct.
        Calendar::from_toml(DEFAULT_TOML).unwrap_or_default()
    }

    /// The schedules, by year, as given.
    pub fn years(&self) -> BTreeMap<String, YearSchedule> {
        self.years
            .iter()
            .map(|(y, s)| (y.to_string(), s.schedule.clone()))
            .collect()
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether people work on `d`: a weekday that is not a day off, or a make-up day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.years.get(&d.year()) {
            Some(y) if y.work.contains(&d) => true,
            Some(y) if y.off.contains(&d) => false,
            _ => !is_weekend(d),
        }
    }

    /// The `n`-th working day after `from` (`from` itself never counts: a fix triaged on a
    /// Friday with 1 working day is due on the next working day). `n = 0` gives `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Deadline {
        let mut d = from;
        let mut left = n;
        let mut missing = BTreeSet::new();
        // Ten years of days is far beyond any deadline; it bounds a hostile `n`.
        let mut guard = 0;
        while left > 0 && guard < 3660 {
            d += Duration::days(1);
            guard += 1;
            if !self.has_year(d.year()) {
                missing.insert(d.year());
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Deadline {
            date: d,
            missing_years: missing.into_iter().collect(),
        }
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); 0 when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The warning managers see when a deadline was counted over years the calendar lacks.
pub fn missing_years_warning(years: &[i32]) -> Option<(String, String)> {
    if years.is_empty() {
        return None;
    }
    let list = years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Some((
        format!("节假日安排缺少 {list} 年,该年份仅按周末计算工作日,请管理员补充"),
        format!(
            "The holiday calendar lacks {list}: only weekends were counted; ask an admin to add it"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_schedule_parses() {
        let c = Calendar::from_toml(DEFAULT_TOML).unwrap();
        assert!(c.has_year(2025) && c.has_year(2026));
        assert!(!c.is_working_day(d("2026-10-01")), "National Day");
        assert!(c.is_working_day(d("2026-10-10")), "a Saturday worked");
        assert!(c.is_working_day(d("2026-10-09")), "a plain Friday");
    }

    // Expectations counted by hand on a paper calendar of the 2026 schedule.
    #[test]
    fn deadlines_across_holidays_and_make_up_days() {
        let c = Calendar::default_cn();
        // Friday before Spring Festival: Saturday 14 Feb is a make-up working day.
        let fix = c.add_working_days(d("2026-02-13"), 1);
        assert_eq!(fix.date, d("2026-02-14"));
        assert!(fix.missing_years.is_empty());
        // 15 working days: 14 Feb, 24–27 Feb, 28 Feb (Saturday, worked), 2–6 Mar, 9–12 Mar.
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 15).date,
            d("2026-03-12")
        );
        // Triaged on the first day of the holiday: the first working day is 24 Feb.
        assert_eq!(c.add_working_days(d("2026-02-15"), 1).date, d("2026-02-24"));
        // National Day week: 30 Sep → 8 Oct (1–7 off), then Saturday 10 Oct worked.
        assert_eq!(c.add_working_days(d("2026-09-30"), 1).date, d("2026-10-08"));
        assert_eq!(c.add_working_days(d("2026-09-30"), 3).date, d("2026-10-10"));
        // New Year 2026: 1–3 Jan off, Sunday 4 Jan worked.
        assert_eq!(c.add_working_days(d("2025-12-31"), 1).date, d("2026-01-04"));
        // A plain Friday: next Monday.
        assert_eq!(c.add_working_days(d("2026-03-13"), 1).date, d("2026-03-16"));
    }

    #[test]
    fn a_missing_year_counts_weekends_only_and_says_so() {
        let c = Calendar::default_cn();
        // 2027 is not in the file: 1 Jan 2027 (a Friday, in fact a holiday) counts.
        let dl = c.add_working_days(d("2026-12-31"), 1);
        assert_eq!(dl.date, d("2027-01-01"));
        assert_eq!(dl.missing_years, vec![2027]);
        assert!(missing_years_warning(&dl.missing_years).is_some());
        assert_eq!(c.add_working_days(d("2027-01-01"), 1).date, d("2027-01-04"));
    }

    #[test]
    fn bad_schedules_are_refused() {
        let bad = "[2026]\noff = [[\"2026-02-10\", \"2026-02-01\"]]\n";
        assert!(Calendar::from_toml(bad).unwrap_err().contains("backwards"));
        let weekday = "[2026]\nwork = [\"2026-02-10\"]\n";
        assert!(
            Calendar::from_toml(weekday)
                .unwrap_err()
                .contains("weekday")
        );
        let wrong_year = "[2026]\nwork = [\"2025-02-08\"]\n";
        assert!(Calendar::from_toml(wrong_year).is_err());
        assert!(Calendar::from_toml("[abc]\n").is_err());
    }

    #[test]
    fn working_days_between_counts_the_end_not_the_start() {
        let c = Calendar::default_cn();
        assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-03-12")), 15);
        assert_eq!(c.working_days_between(d("2026-03-12"), d("2026-03-12")), 0);
    }
}
