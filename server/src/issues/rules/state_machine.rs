//! The issue workflow as a state machine: states, actions and actors as enums (stored as
//! text, parsed strictly), and one table of `(state, action, actor) → next state`. Pure:
//! no HTTP, no SQL. Routes, the command line, the demo loader and the overdue sweep all go
//! through [`next`]; nothing else decides whether a transition is allowed.

pub use flowwalk_shared::api::issues::Actor;
use flowwalk_shared::api::issues::{IssueAction, IssueState};

use Actor::{Manager, Observer, Officer, Panel, System};
use IssueAction as A;
use IssueState as S;

/// The whole workflow. A `(state, action, actor)` not listed is not allowed.
pub const TABLE: &[(IssueState, IssueAction, Actor, IssueState)] = &[
    // Triage (研判) of a new issue, an appealed dismissal, or a reopened issue.
    (S::New, A::Dismiss, Manager, S::Dismissed),
    (S::New, A::Explain, Manager, S::Explained),
    (S::New, A::FixNow, Manager, S::FixNow),
    (S::New, A::Ledger, Manager, S::Ledger),
    (S::New, A::Transfer, Manager, S::New),
    (S::New, A::AddOccurrence, System, S::New),
    (S::Appealed, A::Dismiss, Manager, S::Dismissed),
    (S::Appealed, A::Explain, Manager, S::Explained),
    (S::Appealed, A::FixNow, Manager, S::FixNow),
    (S::Appealed, A::Ledger, Manager, S::Ledger),
    (S::Appealed, A::Transfer, Manager, S::Appealed),
    (S::Appealed, A::AddOccurrence, System, S::Appealed),
    (S::Reopened, A::Dismiss, Manager, S::Dismissed),
    (S::Reopened, A::Explain, Manager, S::Explained),
    (S::Reopened, A::FixNow, Manager, S::FixNow),
    (S::Reopened, A::Ledger, Manager, S::Ledger),
    (S::Reopened, A::Transfer, Manager, S::Reopened),
    (S::Reopened, A::AddOccurrence, System, S::Reopened),
    // A dismissal may be appealed (once: see the guard in `issues::service::workflow`).
    (S::Dismissed, A::Appeal, Observer, S::Appealed),
    // Fix now (即知即改): the department fixes and shows it; a manager accepts.
    (S::FixNow, A::SubmitEvidence, Officer, S::FixNowReview),
    (S::FixNow, A::RequestTransfer, Officer, S::FixNow),
    (S::FixNow, A::Transfer, Manager, S::FixNow),
    (S::FixNow, A::DeclineTransfer, Manager, S::FixNow),
    (S::FixNow, A::MarkOverdue, System, S::FixNow),
    (S::FixNow, A::AddOccurrence, System, S::FixNow),
    (S::FixNowReview, A::AcceptEvidence, Manager, S::SignedOff),
    (S::FixNowReview, A::RejectEvidence, Manager, S::FixNow),
    (S::FixNowReview, A::AddOccurrence, System, S::FixNowReview),
    // Ledger (建立台账): the department fixes; the acceptance panel signs off.
    (S::Ledger, A::SubmitEvidence, Officer, S::PanelReview),
    (S::Ledger, A::RequestTransfer, Officer, S::Ledger),
    (S::Ledger, A::Transfer, Manager, S::Ledger),
    (S::Ledger, A::DeclineTransfer, Manager, S::Ledger),
    (S::Ledger, A::FormPanel, Manager, S::Ledger),
    (S::Ledger, A::MarkOverdue, System, S::Ledger),
    (S::Ledger, A::AddOccurrence, System, S::Ledger),
    (S::PanelReview, A::FormPanel, Manager, S::PanelReview),
    (S::PanelReview, A::Approve, Panel, S::PanelReview),
    (S::PanelReview, A::Reject, Panel, S::Ledger),
    (S::PanelReview, A::SignOff, System, S::SignedOff),
    (S::PanelReview, A::AddOccurrence, System, S::PanelReview),
    // Citizen re-check (回访): the observer, or a manager recording a return visit.
    (S::SignedOff, A::RecheckSatisfied, Observer, S::Closed),
    (S::SignedOff, A::RecheckSatisfied, Manager, S::Closed),
    (S::SignedOff, A::RecheckUnsatisfied, Observer, S::Reopened),
    (S::SignedOff, A::RecheckUnsatisfied, Manager, S::Reopened),
    (S::SignedOff, A::AddOccurrence, System, S::SignedOff),
];

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This actor never takes this action.
    NotYourAction,
    /// The action exists for this actor, but not in this state.
    WrongState,
}

/// The state after `action` by `actor` in `state`, or why not.
pub fn next(state: IssueState, action: IssueAction, actor: Actor) -> Result<IssueState, Refusal> {
    if let Some(&(_, _, _, to)) = TABLE
        .iter()
        .find(|(s, a, who, _)| *s == state && *a == action && *who == actor)
    {
        return Ok(to);
    }
    if TABLE
        .iter()
        .any(|(_, a, who, _)| *a == action && *who == actor)
    {
        Err(Refusal::WrongState)
    } else {
        Err(Refusal::NotYourAction)
    }
}

/// The actions `actor` may take in `state` (for the screens' buttons).
pub fn available(state: IssueState, actor: Actor) -> Vec<IssueAction> {
    TABLE
        .iter()
        .filter(|(s, _, who, _)| *s == state && *who == actor)
        .map(|(_, a, _, _)| *a)
        .collect()
}

/// States a fix is awaited in: the department's turn (deadlines run, overdue applies).
pub fn department_turn(state: IssueState) -> bool {
    matches!(state, IssueState::FixNow | IssueState::Ledger)
}

/// States an issue takes new occurrences in (it is still open).
pub fn is_open(state: IssueState) -> bool {
    next(state, IssueAction::AddOccurrence, Actor::System).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_answer_per_key() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert!(
                    !(a.0 == b.0 && a.1 == b.1 && a.2 == b.2),
                    "two rows for {:?}",
                    (a.0, a.1, a.2)
                );
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            next(IssueState::Closed, IssueAction::FixNow, Actor::Manager),
            Err(Refusal::WrongState)
        );
        assert_eq!(
            next(IssueState::New, IssueAction::FixNow, Actor::Officer),
            Err(Refusal::NotYourAction)
        );
        assert_eq!(
            next(IssueState::New, IssueAction::FixNow, Actor::Admin),
            Err(Refusal::NotYourAction)
        );
    }

    #[test]
    fn closed_dismissed_and_explained_take_no_occurrences() {
        assert!(!is_open(IssueState::Closed));
        assert!(!is_open(IssueState::Dismissed));
        assert!(!is_open(IssueState::Explained));
        assert!(is_open(IssueState::SignedOff));
        assert!(is_open(IssueState::New));
    }
}
