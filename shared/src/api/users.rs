//! Accounts, as admins manage them.

use serde::{Deserialize, Serialize};

use crate::Role;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 64,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub display_name: Option<String>,
    pub role: Role,
    /// Required for `department_officer`, refused for every other role.
    #[serde(default)]
    pub department_id: Option<String>,
}

/// An admin edits an account: its name, role and department, and whether it may log in.
/// Deactivating refuses the account's tokens and logins from that moment; its records stay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub display_name: String,
    pub role: Role,
    /// Required for `department_officer`, refused for every other role.
    #[serde(default)]
    pub department_id: Option<String>,
    pub active: bool,
}

/// An admin's password reset: a one-time password, shown once; the account must set a
/// new password at its next login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordReset {
    pub one_time_password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<String>,
    pub active: bool,
    /// A reset password waits to be replaced at the next login.
    #[serde(default)]
    pub must_change_password: bool,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}
