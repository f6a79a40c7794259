//! Report arithmetic, pure: periods (year, quarter, month in China time) and rates.

use chrono::{Datelike, NaiveDate};

/// A reporting period: `[from, to]` inclusive, China dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub key: String,
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// `2026` (a year), `2026-Q3` (a quarter) or `2026-07` (a month).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let ymd = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
        let last_of = |y: i32, m: u32| {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            ymd(ny, nm).and_then(|d| d.pred_opt())
        };
        let year_ok = |y: i32| (2000..=2100).contains(&y);
        if let Some((y, q)) = s.split_once("-Q").or_else(|| s.split_once("-q")) {
            let y: i32 = y.parse().ok().filter(|y| year_ok(*y))?;
            let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            let names = ["一", "二", "三", "四"];
            return Some(Period {
                key: format!("{y}-Q{q}"),
                label: format!("{y}年第{}季度", names[usize::try_from(q - 1).ok()?]),
                from: ymd(y, 3 * q - 2)?,
                to: last_of(y, 3 * q)?,
            });
        }
        if let Some((y, m)) = s.split_once('-') {
            let y: i32 = y.parse().ok().filter(|y| year_ok(*y))?;
            let m: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
            return Some(Period {
                key: format!("{y}-{m:02}"),
                label: format!("{y}年{m}月"),
                from: ymd(y, m)?,
                to: last_of(y, m)?,
            });
        }
        let y: i32 = s.parse().ok().filter(|y| year_ok(*y))?;
        Some(Period {
            key: y.to_string(),
            label: format!("{y}年"),
            from: ymd(y, 1)?,
            to: last_of(y, 12)?,
        })
    }

    /// The quarter a date falls in.
    pub fn quarter_of(d: NaiveDate) -> Period {
        let q = (d.month() - 1) / 3 + 1;
        Period::parse(&format!("{}-Q{q}", d.year())).unwrap_or(Period {
            key: String::new(),
            label: String::new(),
            from: d,
            to: d,
        })
    }
}

/// `num / den`, or `None` when there is nothing to divide.
pub fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let q = Period::parse("2026-Q3").unwrap();
        assert_eq!(
            (q.from.to_string(), q.to.to_string(), q.label.as_str()),
            ("2026-07-01".into(), "2026-09-30".into(), "2026年第三季度")
        );
        let m = Period::parse("2026-02").unwrap();
        assert_eq!(m.to.to_string(), "2026-02-28");
        let y = Period::parse("2026").unwrap();
        assert_eq!(y.to.to_string(), "2026-12-31");
        assert_eq!(
            Period::parse("2026-12").unwrap().to.to_string(),
            "2026-12-31"
        );
        for bad in ["2026-Q5", "2026-13", "26", "abc", "", "2026-Q0", "1800"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            Period::quarter_of("2026-05-20".parse().unwrap()).key,
            "2026-Q2"
        );
    }

    #[test]
    fn rates() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(1, 0), None);
    }
}
