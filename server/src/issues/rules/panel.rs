//! The acceptance panel's sign-off rule (验收团联合验收), pure.
//!
//! A ledger issue's fix is signed off when, in the current evidence round, each
//! constituency has given the approvals the rule asks for and no rejection is open. A
//! member from the responsible department, and anyone who submitted evidence for the
//! issue, may not vote; votes from such members never count.

use flowwalk_shared::api::issues::{Constituency, PanelRule};

/// A panel member as the rule sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub constituency: Constituency,
    /// The member's own department (window representatives have one).
    pub department_id: Option<String>,
}

/// One vote of the current round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub user_id: String,
    pub approve: bool,
    pub reason: String,
}

/// Why a member may not vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    ResponsibleDepartment,
    SubmittedEvidence,
}

/// Whether `member` may vote on an issue of `department_id` whose evidence was submitted
/// by `evidence_submitters`.
pub fn conflict(
    member: &Member,
    department_id: &str,
    evidence_submitters: &[String],
) -> Option<Conflict> {
    if member.department_id.as_deref() == Some(department_id) {
        Some(Conflict::ResponsibleDepartment)
    } else if evidence_submitters.contains(&member.user_id) {
        Some(Conflict::SubmittedEvidence)
    } else {
        None
    }
}

/// Where the round stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Approvals still needed from these constituencies (how many more each).
    Pending(Vec<(Constituency, u32)>),
    /// Every constituency approved and nothing is rejected.
    SignedOff,
    /// An eligible member rejected: back to the department with these reasons.
    Rejected(Vec<String>),
}

/// The round's outcome. Ballots from non-members or conflicted members do not count.
pub fn outcome(
    rule: &PanelRule,
    members: &[Member],
    department_id: &str,
    evidence_submitters: &[String],
    ballots: &[Ballot],
) -> Outcome {
    let eligible = |user: &str| {
        members
            .iter()
            .find(|m| m.user_id == user)
            .filter(|m| conflict(m, department_id, evidence_submitters).is_none())
    };
    let rejections: Vec<String> = ballots
        .iter()
        .filter(|b| !b.approve && eligible(&b.user_id).is_some())
        .map(|b| b.reason.clone())
        .collect();
    if !rejections.is_empty() {
        return Outcome::Rejected(rejections);
    }
    let mut missing = Vec::new();
    for c in Constituency::ALL {
        let approvals = ballots
            .iter()
            .filter(|b| b.approve)
            .filter_map(|b| eligible(&b.user_id))
            .filter(|m| m.constituency == c)
            .count();
        let needed = rule.required(c);
        let have = u32::try_from(approvals).unwrap_or(u32::MAX);
        if have < needed {
            missing.push((c, needed - have));
        }
    }
    if missing.is_empty() {
        Outcome::SignedOff
    } else {
        Outcome::Pending(missing)
    }
}

/// Constituencies a panel cannot satisfy: fewer eligible members than the rule needs.
/// (Evidence submitters are not known yet when a panel is formed; the department is.)
pub fn uncovered(rule: &PanelRule, members: &[Member], department_id: &str) -> Vec<Constituency> {
    Constituency::ALL
        .iter()
        .copied()
        .filter(|&c| {
            let eligible = members
                .iter()
                .filter(|m| m.constituency == c && conflict(m, department_id, &[]).is_none())
                .count();
            u32::try_from(eligible).unwrap_or(u32::MAX) < rule.required(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Constituency::{CitizenPatrol, ServiceOffice, WindowRep};

    fn m(id: &str, c: Constituency, dept: Option<&str>) -> Member {
        Member {
            user_id: id.into(),
            constituency: c,
            department_id: dept.map(Into::into),
        }
    }

    fn yes(id: &str) -> Ballot {
        Ballot {
            user_id: id.into(),
            approve: true,
            reason: String::new(),
        }
    }

    fn no(id: &str, why: &str) -> Ballot {
        Ballot {
            user_id: id.into(),
            approve: false,
            reason: why.into(),
        }
    }

    fn panel() -> Vec<Member> {
        vec![
            m("office", ServiceOffice, None),
            m("window", WindowRep, Some("tax")),
            m("window-hrss", WindowRep, Some("hrss")),
            m("citizen", CitizenPatrol, None),
        ]
    }

    #[test]
    fn all_three_constituencies_sign_off() {
        let r = PanelRule::default();
        let out = outcome(
            &r,
            &panel(),
            "hrss",
            &[],
            &[yes("office"), yes("window"), yes("citizen")],
        );
        assert_eq!(out, Outcome::SignedOff);
    }

    #[test]
    fn a_missing_constituency_keeps_it_pending() {
        let r = PanelRule::default();
        let out = outcome(&r, &panel(), "hrss", &[], &[yes("office"), yes("window")]);
        assert_eq!(out, Outcome::Pending(vec![(CitizenPatrol, 1)]));
        // The rule is configurable: without citizens it signs off.
        let lenient = PanelRule {
            citizen_patrol: 0,
            ..PanelRule::default()
        };
        let out = outcome(
            &lenient,
            &panel(),
            "hrss",
            &[],
            &[yes("office"), yes("window")],
        );
        assert_eq!(out, Outcome::SignedOff);
    }

    #[test]
    fn a_conflicted_member_does_not_count() {
        let r = PanelRule::default();
        // The window representative of the responsible department approves: no effect.
        let out = outcome(
            &r,
            &panel(),
            "hrss",
            &[],
            &[yes("office"), yes("window-hrss"), yes("citizen")],
        );
        assert_eq!(out, Outcome::Pending(vec![(WindowRep, 1)]));
        // Whoever submitted the evidence cannot sign it off either.
        let out = outcome(
            &r,
            &panel(),
            "hrss",
            &["citizen".into()],
            &[yes("office"), yes("window"), yes("citizen")],
        );
        assert_eq!(out, Outcome::Pending(vec![(CitizenPatrol, 1)]));
        assert_eq!(
            conflict(&panel()[2], "hrss", &[]),
            Some(Conflict::ResponsibleDepartment)
        );
        // Nor can a conflicted member's rejection block it.
        let out = outcome(
            &r,
            &panel(),
            "hrss",
            &[],
            &[no("window-hrss", "x"), yes("office")],
        );
        assert!(matches!(out, Outcome::Pending(_)));
    }

    #[test]
    fn an_open_rejection_wins_over_approvals() {
        let r = PanelRule::default();
        let out = outcome(
            &r,
            &panel(),
            "hrss",
            &[],
            &[
                no("citizen", "等候区仍无叫号屏"),
                yes("office"),
                yes("window"),
            ],
        );
        assert_eq!(out, Outcome::Rejected(vec!["等候区仍无叫号屏".into()]));
        // Votes of a stranger to the panel never count.
        let out = outcome(&r, &panel(), "hrss", &[], &[no("stranger", "x")]);
        assert!(matches!(out, Outcome::Pending(_)));
    }

    #[test]
    fn formation_names_what_the_panel_cannot_cover() {
        let r = PanelRule::default();
        assert!(uncovered(&r, &panel(), "hrss").is_empty());
        let only_own_window = vec![
            m("office", ServiceOffice, None),
            m("window-hrss", WindowRep, Some("hrss")),
        ];
        assert_eq!(
            uncovered(&r, &only_own_window, "hrss"),
            vec![WindowRep, CitizenPatrol]
        );
    }
}
