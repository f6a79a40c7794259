//! The daily upload quota: bytes of new photos one account may upload per day
//! (`photo_quota_bytes_per_day`), counted per calendar day in China Standard Time. A photo
//! already stored costs nothing; a new one is charged once its bytes arrived and matched
//! their hash, before any decoding.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::time::china;

use crate::db::DbConnection;
use crate::error::AppError;

/// The quota day a UTC moment falls in.
pub fn day_of(now_utc: NaiveDateTime) -> NaiveDate {
    china::date_of(now_utc)
}

/// Seconds until the next quota day starts.
pub fn seconds_to_next_day(now_utc: NaiveDateTime) -> u64 {
    let local = china::local(now_utc);
    let next = local.date().succ_opt().map(|d| d.and_time(NaiveTime::MIN));
    next.map_or(3600, |n| {
        u64::try_from((n - local).num_seconds()).unwrap_or(3600)
    })
}

fn exceeded(now_utc: NaiveDateTime) -> AppError {
    AppError::new(ErrorCode::PhotoQuotaExceeded).retry_after(seconds_to_next_day(now_utc))
}

/// Refuses early when `incoming` more bytes would certainly pass the limit (`limit` 0 =
/// no quota). A cheap look before the body is read; [`charge`] decides.
pub fn precheck(
    conn: &mut DbConnection,
    user: &str,
    incoming: u64,
    limit: u64,
    now_utc: NaiveDateTime,
) -> Result<(), AppError> {
    if limit == 0 {
        return Ok(());
    }
    let used = u64::try_from(crate::photos::store::quota_used(
        conn,
        user,
        day_of(now_utc),
    )?)
    .unwrap_or(0);
    if used.saturating_add(incoming) > limit {
        return Err(exceeded(now_utc));
    }
    Ok(())
}

/// Charges `bytes` to `user`'s day, atomically, or refuses with `photo_quota_exceeded`
/// (429, `Retry-After` until the next day). Call inside a write transaction.
pub fn charge(
    conn: &mut DbConnection,
    user: &str,
    bytes: u64,
    limit: u64,
    now_utc: NaiveDateTime,
) -> Result<(), AppError> {
    if limit == 0 {
        return Ok(());
    }
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    if crate::photos::store::charge_quota(
        conn,
        user,
        day_of(now_utc),
        as_i64(bytes),
        as_i64(limit),
    )? {
        Ok(())
    } else {
        Err(exceeded(now_utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn days_are_china_standard_time() {
        // 15:59 UTC is 23:59 in Beijing; 16:00 UTC is the next day there.
        let before = at("2026-12-01 15:59:00");
        let after = at("2026-12-01 16:00:00");
        assert_eq!(day_of(before).to_string(), "2026-12-01");
        assert_eq!(day_of(after).to_string(), "2026-12-02");
        assert_eq!(seconds_to_next_day(before), 60);
        assert_eq!(seconds_to_next_day(after), 24 * 3600);
    }
}
