//! Account rules shared by the API, invites and the command line.

use flowwalk_shared::api::users::UpdateUserRequest;
use flowwalk_shared::{ErrorCode, Role};

use crate::accounts::store::refresh_token_rows;
use crate::accounts::store::user_rows::{self, UserRow};
use crate::auth::password;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::service::audit::{self, Acting};
use crate::reference::store::department_rows;
use flowwalk_shared::api::admin::AdminAction;
use flowwalk_shared::validate;

/// Department officers belong to exactly one existing department; panel members may (a
/// window representative's department: they cannot sign off its issues); nobody else has one.
pub fn check_department(
    conn: &mut DbConnection,
    role: Role,
    department_id: Option<&str>,
) -> Result<(), AppError> {
    match (role, department_id) {
        (Role::DepartmentOfficer, None) => Err(AppError::new(ErrorCode::MissingField)
            .field("department_id")
            .message(
                "部门整改人员必须指定所属部门",
                "A department officer needs a department",
            )),
        (Role::DepartmentOfficer | Role::PanelMember, Some(id)) => {
            if department_rows::exists(conn, id)? {
                Ok(())
            } else {
                Err(AppError::new(ErrorCode::UnknownReference).field("department_id"))
            }
        }
        (_, Some(_)) => Err(AppError::invalid(
            "department_id",
            "只有部门整改人员和验收团成员(窗口代表)可以指定所属部门",
            "Only department officers and panel members (window representatives) belong to a department",
        )),
        (_, None) => Ok(()),
    }
}

/// A checked account, password already hashed, not yet stored.
pub struct NewAccount {
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    /// Created with the printed demo password (the demo loader only).
    pub demo_password: bool,
}

/// Checked fields of a new account, its password not yet hashed.
pub struct CheckedAccount {
    pub username: String,
    pub display_name: String,
}

impl CheckedAccount {
    pub fn with_hash(self, password_hash: String) -> NewAccount {
        NewAccount {
            username: self.username,
            display_name: self.display_name,
            password_hash,
            demo_password: false,
        }
    }
}

/// Validates the fields of a new account (cheap; no hashing).
pub fn check(
    username: &str,
    password_text: &str,
    display_name: &str,
) -> Result<CheckedAccount, AppError> {
    let username = validate::username(username)?;
    validate::password("password", &username, password_text)?;
    let display_name = validate::optional_text("display_name", display_name, 64)?;
    Ok(CheckedAccount {
        display_name: if display_name.is_empty() {
            username.clone()
        } else {
            display_name
        },
        username,
    })
}

/// Validates the fields and hashes the password on this thread (the command line, the
/// demo loader, tests). The server hashes through its bounded `Hasher` instead.
pub fn prepare(
    username: &str,
    password_text: &str,
    display_name: &str,
) -> Result<NewAccount, AppError> {
    let checked = check(username, password_text, display_name)?;
    Ok(checked.with_hash(password::hash(password_text)?))
}

/// A demo account with the printed demo password (which nobody may set otherwise).
pub fn prepare_demo(username: &str, display_name: &str) -> Result<NewAccount, AppError> {
    let checked = CheckedAccount {
        username: validate::username(username)?,
        display_name: validate::text("display_name", display_name, 64)?,
    };
    let mut account = checked.with_hash(password::hash(validate::DEMO_PASSWORD)?);
    account.demo_password = true;
    Ok(account)
}

/// Stores a prepared account with its role.
pub fn insert(
    conn: &mut DbConnection,
    account: NewAccount,
    role: Role,
    department_id: Option<String>,
) -> Result<UserRow, AppError> {
    check_department(conn, role, department_id.as_deref())?;
    let row = UserRow {
        id: crate::db::rows::new_id(),
        username: account.username,
        password_hash: account.password_hash,
        display_name: account.display_name,
        role,
        department_id,
        active: true,
        created_at: crate::db::rows::now(),
        must_change_password: false,
        demo_password: account.demo_password,
    };
    user_rows::insert(conn, &row)?;
    Ok(row)
}

/// Every account.
pub fn list(conn: &mut DbConnection) -> Result<Vec<UserRow>, AppError> {
    Ok(user_rows::list(conn)?)
}

/// One account (not found: 404).
pub fn get(conn: &mut DbConnection, id: &str) -> Result<UserRow, AppError> {
    Ok(user_rows::get(conn, id)?)
}

/// The account with this username, if any.
pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<UserRow>, AppError> {
    Ok(user_rows::find_by_username(conn, username)?)
}

/// An admin's edit of an account. Deactivating ends its logins at once (its access tokens
/// are refused by the access check, which reads the account on every call); the last active
/// admin can be neither deactivated nor given another role.
pub fn update(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    id: &str,
    input: &UpdateUserRequest,
) -> Result<UserRow, AppError> {
    let current = user_rows::get(conn, id)?;
    let display_name = validate::text("display_name", &input.display_name, 64)?;
    check_department(conn, input.role, input.department_id.as_deref())?;
    let stays_admin = input.active && input.role == Role::Admin;
    if current.role == Role::Admin
        && current.active
        && !stays_admin
        && user_rows::active_admins(conn)? <= 1
    {
        return Err(AppError::new(ErrorCode::LastAdmin).field(if input.active {
            "role"
        } else {
            "active"
        }));
    }
    let row = user_rows::update(
        conn,
        id,
        &display_name,
        input.role,
        input.department_id.as_deref(),
        input.active,
    )?;
    if !row.active {
        refresh_token_rows::revoke_user(conn, id, crate::db::rows::now())?;
    }
    let action = match (current.active, row.active) {
        (true, false) => AdminAction::AccountDeactivated,
        (false, true) => AdminAction::AccountActivated,
        _ => AdminAction::AccountEdited,
    };
    record(conn, by, &row, action)?;
    Ok(row)
}

/// An admin's creation of an account (the API, the command line), recorded.
pub fn create(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    account: NewAccount,
    role: Role,
    department_id: Option<String>,
) -> Result<UserRow, AppError> {
    let row = insert(conn, account, role, department_id)?;
    record(conn, by, &row, AdminAction::AccountCreated)?;
    Ok(row)
}

/// The change in the audit trail, with the account as it now stands (never a password).
fn record(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    row: &UserRow,
    action: AdminAction,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "username": row.username, "display_name": row.display_name, "role": row.role,
        "department_id": row.department_id, "active": row.active,
    });
    audit::record_admin(conn, by, &format!("account:{}", row.id), action, detail)?;
    Ok(())
}

/// Stores a new password hash. A reset (`reset_by` an admin: a one-time password, recorded)
/// ends the account's logins and must be replaced at the next one; the account's own change
/// keeps this login.
pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
    reset_by: Option<&Acting<'_>>,
) -> Result<(), AppError> {
    let row = user_rows::get(conn, id)?;
    user_rows::set_password(conn, id, password_hash, reset_by.is_some())?;
    if let Some(by) = reset_by {
        refresh_token_rows::revoke_user(conn, id, crate::db::rows::now())?;
        record(conn, by, &row, AdminAction::PasswordReset)?;
    }
    Ok(())
}

/// Activates or deactivates the account `username` (the command line).
pub fn set_active(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    username: &str,
    active: bool,
) -> Result<UserRow, AppError> {
    let row = find_by_username(conn, username)?.ok_or_else(AppError::not_found)?;
    let input = UpdateUserRequest {
        display_name: row.display_name.clone(),
        role: row.role,
        department_id: row.department_id.clone(),
        active,
    };
    update(conn, by, &row.id, &input)
}

/// The usernames of active accounts that still have the printed demo password.
pub fn with_demo_password(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    Ok(user_rows::with_demo_password(conn)?)
}

/// The account as the access check needs it on every call (none: it is gone).
pub fn standing(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, AppError> {
    Ok(user_rows::find(conn, id)?)
}
