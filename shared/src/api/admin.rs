//! What an admin (or a manager, for the category routing) changes outside any issue: each
//! is an entry of the same hash-chained audit trail as the issues' steps.

use crate::text_enum::text_enum;

text_enum! {
    /// An administrative change recorded in the audit trail.
    pub enum AdminAction {
        AccountCreated = "account_created" / "创建账号" / "Account created",
        AccountEdited = "account_edited" / "修改账号" / "Account edited",
        AccountDeactivated = "account_deactivated" / "停用账号" / "Account deactivated",
        AccountActivated = "account_activated" / "启用账号" / "Account activated",
        PasswordReset = "password_reset" / "重置密码" / "Password reset",
        CategoryCreated = "category_created" / "新增问题类别" / "Category added",
        CategoryEdited = "category_edited" / "修改问题类别" / "Category edited",
        CategoryRouted = "category_routed" / "设置类别责任部门" / "Category routed",
        CalendarEdited = "calendar_edited" / "修改工作日历" / "Working-day calendar edited",
        PanelRuleEdited = "panel_rule_edited" / "修改验收规则" / "Panel rule edited",
    }
}
