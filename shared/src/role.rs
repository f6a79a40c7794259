//! The roles a flowwalk account can hold (see `domain.md`, "Who uses it").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts, venues, departments and scenario templates.
    Admin,
    /// Service-management office: plans walkthroughs, reviews them, triages issues.
    Manager,
    /// A staff observer who walks service flows.
    Inspector,
    /// A volunteer observer (体验员); sees only what is assigned to them.
    Experiencer,
    /// Works in one department; receives and fixes that department's issues.
    DepartmentOfficer,
    /// Member of the acceptance panel (验收团); reviews evidence, approves or rejects.
    PanelMember,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::Inspector,
        Role::Experiencer,
        Role::DepartmentOfficer,
        Role::PanelMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Inspector => "inspector",
            Role::Experiencer => "experiencer",
            Role::DepartmentOfficer => "department_officer",
            Role::PanelMember => "panel_member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Manager => "政务服务管理人员",
            Role::Inspector => "督查员",
            Role::Experiencer => "体验员",
            Role::DepartmentOfficer => "部门整改人员",
            Role::PanelMember => "验收团成员",
        }
    }

    /// Observers walk service flows and see only their own assignments.
    pub fn is_observer(self) -> bool {
        matches!(self, Role::Inspector | Role::Experiencer)
    }

    /// Staff who plan and manage (and may therefore see everything).
    pub fn is_staff_manager(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_role() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(Role::parse("root"), None);
    }
}
