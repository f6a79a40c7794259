//! The roles a flowwalk account can hold (see `docs/domain.md#roles`).

use crate::text_enum::text_enum;

text_enum! {
    /// What an account may do; fixed when the account is made.
    pub enum Role {
        /// Manages accounts, venues, departments and scenario templates.
        Admin = "admin" / "系统管理员" / "Administrator",
        /// Service-management office: plans walkthroughs, reviews them, triages issues.
        Manager = "manager" / "政务服务管理人员" / "Manager",
        /// A staff observer who walks service flows.
        Inspector = "inspector" / "督查员" / "Inspector",
        /// A volunteer observer (体验员); sees only what is assigned to them.
        Experiencer = "experiencer" / "体验员" / "Observer",
        /// Works in one department; receives and fixes that department's issues.
        DepartmentOfficer = "department_officer" / "部门整改人员" / "Department officer",
        /// Member of the acceptance panel (验收团); reviews evidence, approves or rejects.
        PanelMember = "panel_member" / "验收团成员" / "Acceptance panel",
    }
}

impl Role {
    /// Observers walk service flows and see only their own assignments.
    pub fn is_observer(self) -> bool {
        matches!(self, Role::Inspector | Role::Experiencer)
    }

    /// Staff who plan and manage (and may therefore see everything).
    pub fn is_staff_manager(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names accounts are stored and sent with, written out: changing one breaks every
    /// stored account and every phone.
    #[test]
    fn wire_names_and_labels_are_the_agreed_ones() {
        let expected = [
            (Role::Admin, "admin", "系统管理员"),
            (Role::Manager, "manager", "政务服务管理人员"),
            (Role::Inspector, "inspector", "督查员"),
            (Role::Experiencer, "experiencer", "体验员"),
            (
                Role::DepartmentOfficer,
                "department_officer",
                "部门整改人员",
            ),
            (Role::PanelMember, "panel_member", "验收团成员"),
        ];
        assert_eq!(Role::ALL.len(), expected.len());
        for (role, wire, zh) in expected {
            assert_eq!(role.as_str(), wire);
            assert_eq!(role.label_zh(), zh);
            assert_eq!(Role::parse(wire), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{wire}\""));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse("Admin"), None);
    }
}
