//! Invite codes for enrolment: who may grant which role, for how long and to which
//! assignments, and redeeming a code into an account. The API calls these; the codes
//! themselves come from `auth::tokens`.

use chrono::Duration;
use flowwalk_shared::api::auth::CreateInviteRequest;
use flowwalk_shared::{ErrorCode, Role};

use crate::accounts::service::users::{self, NewAccount};
use crate::accounts::store::invite_rows::{self, InviteRow};
use crate::accounts::store::user_rows::UserRow;
use crate::auth::tokens;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::walkthroughs::store::assignment_rows;

/// How long a code stays redeemable, in hours: 1 to 720, 72 by default.
pub const VALID_HOURS: std::ops::RangeInclusive<u32> = 1..=720;
pub const DEFAULT_VALID_HOURS: u32 = 72;

/// The rules that need no database: invites enrol field and department staff; only an
/// admin may mint another manager; only observers join assignments. Returns the hours.
pub fn check(issuer: Role, input: &CreateInviteRequest) -> Result<u32, AppError> {
    if input.role == Role::Admin || (input.role == Role::Manager && issuer != Role::Admin) {
        return Err(AppError::forbidden().field("role").message(
            "不能通过邀请码创建该角色的账号",
            "This role cannot be granted by invite",
        ));
    }
    let hours = input.valid_hours.unwrap_or(DEFAULT_VALID_HOURS);
    if !VALID_HOURS.contains(&hours) {
        return Err(AppError::invalid(
            "valid_hours",
            "有效期需为 1–720 小时",
            "valid_hours must be 1–720",
        ));
    }
    if !input.assignment_ids.is_empty() && !input.role.is_observer() {
        return Err(AppError::invalid(
            "assignment_ids",
            "只有督查员和体验员可以加入任务",
            "Only observers join assignments",
        ));
    }
    Ok(hours)
}

/// Issues a code (returned once; only its hash is stored) after [`check`].
pub fn issue(
    conn: &mut DbConnection,
    issuer: Role,
    issuer_id: &str,
    input: &CreateInviteRequest,
) -> Result<(String, InviteRow), AppError> {
    let hours = check(issuer, input)?;
    users::check_department(conn, input.role, input.department_id.as_deref())?;
    for (i, id) in input.assignment_ids.iter().enumerate() {
        if assignment_rows::find_row(conn, id)?.is_none() {
            return Err(
                AppError::new(ErrorCode::UnknownReference).field(format!("assignment_ids[{i}]"))
            );
        }
    }
    let code = tokens::invite_code();
    let now = crate::db::rows::now();
    let row = InviteRow {
        id: crate::db::rows::new_id(),
        code_hash: code_hash(&code),
        role: input.role,
        department_id: input.department_id.clone(),
        assignment_ids: serde_json::to_string(&input.assignment_ids)
            .map_err(|e| AppError::internal(e.into()))?,
        created_by: issuer_id.to_owned(),
        expires_at: now + Duration::hours(i64::from(hours)),
        used_at: None,
        used_by: None,
        created_at: now,
    };
    invite_rows::insert(conn, &row)?;
    Ok((code, row))
}

/// What the database keeps of a code as typed on a phone (any case, spaces around).
pub fn code_hash(code: &str) -> String {
    tokens::digest(&code.trim().to_ascii_uppercase())
}

/// The invite a code names, if it can still be redeemed.
pub fn usable(conn: &mut DbConnection, code_hash: &str) -> Result<Option<InviteRow>, AppError> {
    Ok(invite_rows::find_usable(
        conn,
        code_hash,
        crate::db::rows::now(),
    )?)
}

fn invalid() -> AppError {
    AppError::new(ErrorCode::InviteInvalid).field("code")
}

/// Redeems the code into `account`, with the invite's role, department and assignments.
/// The invite is taken atomically: a code redeemed twice at once yields one account.
pub fn redeem(
    conn: &mut DbConnection,
    code_hash: &str,
    account: NewAccount,
) -> Result<UserRow, AppError> {
    let Some(invite) = usable(conn, code_hash)? else {
        return Err(invalid());
    };
    let role = invite.role;
    let user = users::insert(conn, account, role, invite.department_id.clone())?;
    if invite_rows::redeem(conn, code_hash, &user.id, crate::db::rows::now())?.is_none() {
        // Someone redeemed it a moment ago: this transaction (and account) rolls back.
        return Err(invalid());
    }
    for assignment in invite.assignment_ids()? {
        // An assignment deleted since the invite was issued is skipped.
        if assignment_rows::find_row(conn, &assignment)?.is_some() {
            assignment_rows::add_observer(conn, &assignment, &user.id)?;
        }
    }
    Ok(user)
}

/// Every invite issued so far.
pub fn list(conn: &mut DbConnection) -> Result<Vec<InviteRow>, AppError> {
    Ok(invite_rows::list(conn)?)
}
