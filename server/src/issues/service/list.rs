//! Issue lists: filtered, sorted and keyset-paged, in one query per page whatever its
//! size (names come joined; nothing is looked up per row).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use flowwalk_shared::api::issues::{IssueSort, IssueSource, IssueState, IssueSummary, Page};
use flowwalk_shared::{ErrorCode, Role};

use super::view::{self, Names};
use crate::auth::AuthUser;
use crate::db::schema::{
    departments, issue_occurrences as io, issue_panel_members as pm, issues, problem_categories,
    scenarios, venues,
};
use crate::db::{DbConnection, cursor};
use crate::error::AppError;
use crate::issues::store::issue_rows::IssueRow;

/// The most a page holds.
pub const MAX_LIMIT: i64 = 200;
pub const DEFAULT_LIMIT: i64 = 50;

/// Filters of an issue list (all optional; combined with AND).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Vec<IssueState>,
    pub source: Option<IssueSource>,
    pub department_id: Option<String>,
    pub venue_id: Option<String>,
    pub town_id: Option<String>,
    pub scenario_id: Option<String>,
    pub category_id: Option<String>,
    pub overdue: Option<bool>,
    /// Created on or after (UTC).
    pub from: Option<NaiveDateTime>,
    /// Created before (UTC).
    pub to: Option<NaiveDateTime>,
    /// Words in the title or description.
    pub q: Option<String>,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    At(NaiveDateTime, String),
    Due(NaiveDate, String),
}

pub fn encode_cursor(sort: IssueSort, c: &Cursor) -> String {
    match c {
        Cursor::At(t, id) => cursor::encode(&[sort.as_str(), &cursor::time(*t), id]),
        Cursor::Due(d, id) => cursor::encode(&[sort.as_str(), &d.to_string(), id]),
    }
}

pub fn decode_cursor(sort: IssueSort, s: &str) -> Result<Cursor, AppError> {
    let bad = || {
        AppError::new(ErrorCode::InvalidQuery)
            .field("cursor")
            .message(
                "翻页游标无效(须为上一页返回的 next_cursor,且排序方式相同)",
                "Invalid cursor (use next_cursor of the previous page, with the same sort)",
            )
    };
    let parts = cursor::decode(s, 3).ok_or_else(bad)?;
    let [kind, value, id] = <[String; 3]>::try_from(parts).map_err(|_| bad())?;
    if kind != sort.as_str() || id.is_empty() {
        return Err(bad());
    }
    match sort {
        IssueSort::Created | IssueSort::Updated => cursor::parse_time(&value)
            .map(|t| Cursor::At(t, id))
            .ok_or_else(bad),
        IssueSort::Deadline => value
            .parse::<NaiveDate>()
            .map(|d| Cursor::Due(d, id))
            .map_err(|_| bad()),
    }
}

type Listed = (IssueRow, String, String, Option<String>, Option<String>);

/// One page of the issues the caller may see. One query.
pub fn page(
    conn: &mut DbConnection,
    caller: &AuthUser,
    filter: &Filter,
    sort: IssueSort,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<IssueSummary>, AppError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let cursor = cursor.map(|c| decode_cursor(sort, c)).transpose()?;
    let mut q = issues::table
        .inner_join(venues::table.on(venues::id.eq(issues::venue_id)))
        .inner_join(departments::table.on(departments::id.eq(issues::department_id)))
        .left_join(scenarios::table.on(scenarios::id.nullable().eq(issues::scenario_id)))
        .left_join(
            problem_categories::table.on(problem_categories::id.nullable().eq(issues::category_id)),
        )
        .select((
            IssueRow::as_select(),
            venues::name,
            departments::name,
            scenarios::name.nullable(),
            problem_categories::name_zh.nullable(),
        ))
        .into_boxed();
    // Scope first: what the caller may see at all.
    match caller.role {
        Role::Admin | Role::Manager => {}
        Role::DepartmentOfficer => {
            let dept = caller.department_id.clone().unwrap_or_default();
            q = q
                .filter(issues::department_id.eq(dept))
                .filter(issues::track.is_not_null());
        }
        Role::PanelMember => {
            q = q.filter(
                issues::id.eq_any(
                    pm::table
                        .filter(pm::user_id.eq(caller.id.clone()))
                        .select(pm::issue_id),
                ),
            );
        }
        Role::Inspector | Role::Experiencer => {
            q = q.filter(
                issues::id.eq_any(
                    io::table
                        .filter(io::observer_id.eq(caller.id.clone()))
                        .select(io::issue_id),
                ),
            );
        }
    }
    if !filter.status.is_empty() {
        let s: Vec<&str> = filter.status.iter().map(|s| s.as_str()).collect();
        q = q.filter(issues::status.eq_any(s));
    }
    if let Some(s) = filter.source {
        q = q.filter(issues::source.eq(s.as_str()));
    }
    if let Some(d) = &filter.department_id {
        q = q.filter(issues::department_id.eq(d.clone()));
    }
    if let Some(v) = &filter.venue_id {
        q = q.filter(issues::venue_id.eq(v.clone()));
    }
    if let Some(t) = &filter.town_id {
        q = q.filter(issues::town_id.eq(t.clone()));
    }
    if let Some(s) = &filter.scenario_id {
        q = q.filter(issues::scenario_id.eq(s.clone()));
    }
    if let Some(c) = &filter.category_id {
        q = q.filter(issues::category_id.eq(c.clone()));
    }
    if let Some(o) = filter.overdue {
        q = q.filter(issues::overdue.eq(o));
    }
    if let Some(f) = filter.from {
        q = q.filter(issues::created_at.ge(f));
    }
    if let Some(t) = filter.to {
        q = q.filter(issues::created_at.lt(t));
    }
    if let Some(words) = &filter.q {
        let pattern = format!("%{}%", escape_like(words));
        let title = issues::title.like(pattern.clone()).escape('\\');
        q = q.filter(title.or(issues::description.like(pattern).escape('\\')));
    }
    q = match (sort, &cursor) {
        (IssueSort::Created, Some(Cursor::At(t, id))) => q.filter(
            issues::created_at
                .lt(*t)
                .or(issues::created_at.eq(*t).and(issues::id.lt(id.clone()))),
        ),
        (IssueSort::Updated, Some(Cursor::At(t, id))) => q.filter(
            issues::updated_at
                .lt(*t)
                .or(issues::updated_at.eq(*t).and(issues::id.lt(id.clone()))),
        ),
        (IssueSort::Deadline, Some(Cursor::Due(d, id))) => q.filter(
            issues::deadline
                .gt(*d)
                .or(issues::deadline.eq(*d).and(issues::id.gt(id.clone()))),
        ),
        _ => q,
    };
    q = match sort {
        IssueSort::Created => q.order((issues::created_at.desc(), issues::id.desc())),
        IssueSort::Updated => q.order((issues::updated_at.desc(), issues::id.desc())),
        IssueSort::Deadline => q
            .filter(issues::deadline.is_not_null())
            .order((issues::deadline.asc(), issues::id.asc())),
    };
    let rows: Vec<Listed> = q.limit(limit + 1).load(conn)?;
    into_page(rows, sort, limit)
}

/// The page of `limit` rows (one more was asked for, to know whether another page follows)
/// with the cursor to it.
fn into_page(
    mut rows: Vec<Listed>,
    sort: IssueSort,
    limit: i64,
) -> Result<Page<IssueSummary>, AppError> {
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(|(r, ..)| {
            let c = match sort {
                IssueSort::Created => Cursor::At(r.created_at, r.id.clone()),
                IssueSort::Updated => Cursor::At(r.updated_at, r.id.clone()),
                IssueSort::Deadline => Cursor::Due(r.deadline.unwrap_or_default(), r.id.clone()),
            };
            encode_cursor(sort, &c)
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(r, venue, department, scenario, category)| {
            view::summary(
                &r,
                Names {
                    venue,
                    department,
                    scenario,
                    category,
                },
            )
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// `%`, `_` and `\` match themselves in a LIKE pattern escaped with `\`.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts() {
        let t =
            NaiveDateTime::parse_from_str("2026-03-01 09:00:00.123456", "%Y-%m-%d %H:%M:%S%.6f")
                .unwrap();
        let c = Cursor::At(t, "abc".into());
        let s = encode_cursor(IssueSort::Created, &c);
        assert_eq!(decode_cursor(IssueSort::Created, &s).unwrap(), c);
        assert!(decode_cursor(IssueSort::Deadline, &s).is_err());
        assert!(decode_cursor(IssueSort::Created, "!!!").is_err());
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
