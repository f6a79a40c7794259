//! The desk's list filters as types, and as the query of the screen's address
//! (`/desk/issues?status=ledger&overdue=true`), so a filtered list can be linked, reloaded
//! and come back to with Back. Read strictly: a value the desk does not know (an old
//! bookmark, a hand-edited address) is dropped, never turned into another filter.

use flowwalk_shared::api::issues::{IssueQuery, IssueSort, IssueState};
use flowwalk_shared::sync::ReviewStatus;

/// Issues per page of a list (the server's most).
pub const PAGE: i64 = 200;

/// The filters of an issue list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueFilter {
    pub status: Option<IssueState>,
    pub sort: Option<IssueSort>,
    pub overdue: bool,
    pub q: String,
    pub department_id: String,
    pub venue_id: String,
    pub scenario_id: String,
    pub period: String,
}

fn text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl IssueFilter {
    /// The list's request: these filters, one page from `cursor`.
    pub fn query(&self, cursor: Option<String>) -> IssueQuery {
        let mut query = IssueQuery {
            sort: self.sort,
            overdue: self.overdue.then_some(true),
            q: text(&self.q),
            department_id: text(&self.department_id),
            venue_id: text(&self.venue_id),
            scenario_id: text(&self.scenario_id),
            period: text(&self.period),
            cursor,
            limit: Some(PAGE),
            ..IssueQuery::default()
        };
        query.set_states(self.status.as_slice());
        query
    }

    /// The filters as an address's query (without `?`); empty filters left out.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(s) = self.status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        if let Some(s) = self.sort {
            pairs.push(("sort", s.as_str().to_owned()));
        }
        if self.overdue {
            pairs.push(("overdue", "true".to_owned()));
        }
        for (key, value) in [
            ("q", &self.q),
            ("department_id", &self.department_id),
            ("venue_id", &self.venue_id),
            ("scenario_id", &self.scenario_id),
            ("period", &self.period),
        ] {
            if let Some(v) = text(value) {
                pairs.push((key, v));
            }
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// The filters read from an address's query; what it does not name is left empty.
    pub fn from_query_string(query: &str) -> IssueFilter {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap_or_default();
        let mut f = IssueFilter::default();
        for (key, value) in pairs {
            match key.as_str() {
                "status" => f.status = IssueState::parse(&value),
                "sort" => f.sort = IssueSort::parse(&value),
                "overdue" => f.overdue = value == "true",
                "q" => f.q = value,
                "department_id" => f.department_id = value,
                "venue_id" => f.venue_id = value,
                "scenario_id" => f.scenario_id = value,
                "period" => f.period = value,
                _ => {}
            }
        }
        f
    }
}

/// The router percent-decodes a query once before handing it over (`?:..filter`), which
/// would turn a searched `&` or `=` into a separator: so the address carries the query
/// string with its `%` escaped once more (`%2526` for `&`), and the router's decoding
/// gives back exactly [`IssueFilter::to_query_string`].
fn for_router(query: String) -> String {
    query.replace('%', "%25")
}

/// A filter carried in an address: read from its query as the router hands it (decoded
/// once), written as the query the router writes ([`for_router`]).
macro_rules! in_the_address {
    ($filter:ident) => {
        impl From<&str> for $filter {
            fn from(query: &str) -> Self {
                $filter::from_query_string(query)
            }
        }

        impl std::fmt::Display for $filter {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&for_router(self.to_query_string()))
            }
        }
    };
}

in_the_address!(IssueFilter);

/// The filter of a manager's inbox of walkthroughs: a review status, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxFilter {
    pub status: Option<ReviewStatus>,
}

impl Default for InboxFilter {
    /// What waits for review.
    fn default() -> Self {
        InboxFilter {
            status: Some(ReviewStatus::Submitted),
        }
    }
}

impl InboxFilter {
    pub fn to_query_string(&self) -> String {
        match self.status {
            Some(s) => format!("status={}", s.as_str()),
            None => "status=all".to_owned(),
        }
    }

    pub fn from_query_string(query: &str) -> InboxFilter {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap_or_default();
        match pairs.iter().find(|(k, _)| k == "status") {
            Some((_, v)) if v == "all" => InboxFilter { status: None },
            Some((_, v)) => ReviewStatus::parse(v)
                .map(|s| InboxFilter { status: Some(s) })
                .unwrap_or_default(),
            None => InboxFilter::default(),
        }
    }
}

in_the_address!(InboxFilter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_its_address() {
        let f = IssueFilter {
            status: Some(IssueState::Ledger),
            sort: Some(IssueSort::Deadline),
            overdue: true,
            q: "排队 & 等".into(),
            department_id: String::new(),
            venue_id: "v-1".into(),
            scenario_id: String::new(),
            period: "2026-Q3".into(),
        };
        let address = f.to_query_string();
        assert_eq!(
            address,
            "status=ledger&sort=deadline&overdue=true&q=%E6%8E%92%E9%98%9F+%26+%E7%AD%89&venue_id=v-1&period=2026-Q3"
        );
        assert_eq!(IssueFilter::from_query_string(&address), f);
        assert_eq!(IssueFilter::from_query_string(""), IssueFilter::default());
        assert_eq!(IssueFilter::default().to_query_string(), "");
    }

    /// One percent-decoding, as the router does before handing the query over.
    fn decode_once(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_routers_decoding_gives_the_filter_back() {
        let f = IssueFilter {
            q: "a&b=c 100%".into(),
            ..IssueFilter::default()
        };
        let address = f.to_string();
        assert_eq!(address, "q=a%2526b%253Dc+100%2525");
        let decoded = decode_once(&address);
        assert_eq!(decoded, "q=a%26b%3Dc+100%25");
        assert_eq!(IssueFilter::from(decoded.as_str()), f);
    }

    #[test]
    fn unknown_values_are_dropped_not_guessed() {
        let f = IssueFilter::from_query_string("?status=closedd&sort=oldest&overdue=yes&x=1");
        assert_eq!(f, IssueFilter::default());
    }

    #[test]
    fn the_request_carries_the_filters() {
        let f = IssueFilter {
            status: Some(IssueState::PanelReview),
            overdue: true,
            q: "  ".into(),
            ..IssueFilter::default()
        };
        let q = f.query(Some("c1".into()));
        assert_eq!(q.status.as_deref(), Some("panel_review"));
        assert_eq!(q.overdue, Some(true));
        assert_eq!(q.q, None);
        assert_eq!(q.cursor.as_deref(), Some("c1"));
        assert_eq!(q.limit, Some(200));
        assert_eq!(IssueFilter::default().query(None).status, None);
    }

    #[test]
    fn the_inbox_shows_what_waits_unless_told() {
        assert_eq!(
            InboxFilter::from_query_string("").status,
            Some(ReviewStatus::Submitted)
        );
        assert_eq!(InboxFilter::from_query_string("status=all").status, None);
        assert_eq!(
            InboxFilter::from_query_string("status=returned").status,
            Some(ReviewStatus::Returned)
        );
        assert_eq!(
            InboxFilter::from_query_string("status=bogus").status,
            Some(ReviewStatus::Submitted)
        );
        let all = InboxFilter { status: None };
        assert_eq!(InboxFilter::from_query_string(&all.to_query_string()), all);
    }
}
