//! Login, token refresh, logout and invite redemption.

use serde::{Deserialize, Serialize};

use crate::Role;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Answer to a login, a refresh or an invite redemption.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Long-lived, single-use token for `/auth/refresh`; each use returns a new one.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    pub user: Me,
}

/// The account behind a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Set for department officers: the department whose issues they handle.
    pub department_id: Option<String>,
    /// An admin reset the password: nothing but setting a new one is allowed until then.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A user changes their own password: the current one is asked again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub old_password: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// A manager issues an invite; a phone redeems it once to create its account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    pub role: Role,
    /// Required for `department_officer`, refused for every other role.
    #[serde(default)]
    pub department_id: Option<String>,
    /// Assignments the new observer joins on redemption (observers only).
    #[serde(default)]
    pub assignment_ids: Vec<String>,
    /// Hours the code stays redeemable; 1 to 720, default 72.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 720))]
    pub valid_hours: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    pub id: String,
    pub role: Role,
    pub department_id: Option<String>,
    pub assignment_ids: Vec<String>,
    pub created_by: String,
    #[serde(with = "crate::time::utc")]
    pub expires_at: chrono::NaiveDateTime,
    #[serde(default, with = "crate::time::utc_option")]
    pub used_at: Option<chrono::NaiveDateTime>,
    pub used_by: Option<String>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}

/// The code is shown once, at issue; the server keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteCreated {
    pub code: String,
    pub invite: Invite,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemInviteRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[2-9A-HJKMNP-Za-hjkmnp-z]{10}$")
    )]
    pub code: String,
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
}
