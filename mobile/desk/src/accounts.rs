//! What the accounts screen decides without the server, so it is tested natively: which
//! roles take a department, the requests its forms make (checked against the shared rules
//! before anything is sent, each error at the field the server would name), and which
//! accounts a search shows.

use flowwalk_shared::api::users::{CreateUserRequest, UpdateUserRequest, User};
use flowwalk_shared::rules::Invalid;
use flowwalk_shared::{ErrorCode, Role, validate};

/// The longest display name.
pub const MAX_NAME_CHARS: usize = 64;
/// Accounts shown at once; "more" shows as many again.
pub const PAGE: usize = 50;

/// Whether an account of a role belongs to a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartmentRule {
    /// Department officers: the department whose issues they fix.
    Required,
    /// Panel members may (a window representative's department).
    Optional,
    /// Everyone else has none.
    Never,
}

pub fn department_rule(role: Role) -> DepartmentRule {
    match role {
        Role::DepartmentOfficer => DepartmentRule::Required,
        Role::PanelMember => DepartmentRule::Optional,
        _ => DepartmentRule::Never,
    }
}

/// The department sent for `role` when `chosen` is picked ("" for none).
pub fn department_for(role: Role, chosen: &str) -> Result<Option<String>, Invalid> {
    let chosen = chosen.trim();
    match department_rule(role) {
        DepartmentRule::Required if chosen.is_empty() => Err(Invalid::new(
            ErrorCode::MissingField,
            "department_id",
            "部门整改人员必须指定所属部门",
            "A department officer needs a department",
        )),
        DepartmentRule::Never => Ok(None),
        _ => Ok((!chosen.is_empty()).then(|| chosen.to_owned())),
    }
}

/// A display name: required when `required`, at most [`MAX_NAME_CHARS`].
fn display_name(value: &str, required: bool) -> Result<String, Invalid> {
    let v = value.trim();
    let refuse = |zh: &'static str, en: &'static str| {
        Err(Invalid::new(
            ErrorCode::InvalidValue,
            "display_name",
            zh,
            en,
        ))
    };
    if required && v.is_empty() {
        return refuse("请填写姓名", "Enter the person's name");
    }
    if v.chars().count() > MAX_NAME_CHARS {
        return refuse(
            "姓名不能超过 64 个字符",
            "The name is at most 64 characters",
        );
    }
    if flowwalk_shared::text::has_control_chars(v) {
        return refuse(
            "姓名含有无法显示的字符",
            "The name contains control characters",
        );
    }
    Ok(v.to_owned())
}

/// What the new-account form holds.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// "" for none.
    pub department_id: String,
    pub password: String,
}

impl NewAccount {
    /// The request, or the first field that is wrong.
    pub fn request(&self) -> Result<CreateUserRequest, Invalid> {
        let username = validate::username(&self.username)?;
        let display_name = display_name(&self.display_name, false)?;
        let department_id = department_for(self.role, &self.department_id)?;
        validate::password("password", &username, &self.password)?;
        Ok(CreateUserRequest {
            username,
            password: self.password.clone(),
            display_name: (!display_name.is_empty()).then_some(display_name),
            role: self.role,
            department_id,
        })
    }
}

/// An edit of an account: its name, role, department and whether it may log in.
pub fn update_request(
    name: &str,
    role: Role,
    department: &str,
    active: bool,
) -> Result<UpdateUserRequest, Invalid> {
    Ok(UpdateUserRequest {
        display_name: display_name(name, true)?,
        role,
        department_id: department_for(role, department)?,
        active,
    })
}

/// The same account, enabled or disabled, nothing else changed.
pub fn with_active(user: &User, active: bool) -> UpdateUserRequest {
    UpdateUserRequest {
        display_name: user.display_name.clone(),
        role: user.role,
        department_id: user.department_id.clone(),
        active,
    }
}

/// Whether a search (by name or username, any case) shows the account.
pub fn matches(user: &User, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || user.display_name.to_lowercase().contains(&q)
        || user.username.to_lowercase().contains(&q)
}

/// The accounts a search shows, by name; at most `shown`, and how many matched.
pub fn search<'a>(users: &'a [User], query: &str, shown: usize) -> (Vec<&'a User>, usize) {
    let mut found: Vec<&User> = users.iter().filter(|u| matches(u, query)).collect();
    found.sort_by(|a, b| {
        (!a.active, &a.display_name, &a.username).cmp(&(!b.active, &b.display_name, &b.username))
    });
    let total = found.len();
    found.truncate(shown);
    (found, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(username: &str, name: &str, active: bool) -> User {
        User {
            id: format!("id-{username}"),
            username: username.into(),
            display_name: name.into(),
            role: Role::Experiencer,
            department_id: None,
            active,
            must_change_password: false,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    fn new_account(role: Role, department: &str) -> NewAccount {
        NewAccount {
            username: "volunteer1".into(),
            display_name: " 张三 ".into(),
            role,
            department_id: department.into(),
            password: "spring-2026".into(),
        }
    }

    #[test]
    fn departments_follow_the_role() {
        let officer = new_account(Role::DepartmentOfficer, "");
        assert_eq!(officer.request().unwrap_err().field, "department_id");
        let officer = new_account(Role::DepartmentOfficer, "d1")
            .request()
            .unwrap();
        assert_eq!(officer.department_id.as_deref(), Some("d1"));
        let panel = new_account(Role::PanelMember, "").request().unwrap();
        assert_eq!(panel.department_id, None);
        let panel = new_account(Role::PanelMember, "d1").request().unwrap();
        assert_eq!(panel.department_id.as_deref(), Some("d1"));
        // A department left chosen from another role is not sent.
        let observer = new_account(Role::Experiencer, "d1").request().unwrap();
        assert_eq!(observer.department_id, None);
        assert_eq!(observer.display_name.as_deref(), Some("张三"));
    }

    #[test]
    fn the_forms_apply_the_shared_rules_at_their_fields() {
        let field = |a: NewAccount| a.request().unwrap_err().field;
        let ok = new_account(Role::Experiencer, "");
        assert_eq!(
            field(NewAccount {
                username: "a b".into(),
                ..ok.clone()
            }),
            "username"
        );
        assert_eq!(
            field(NewAccount {
                password: "short".into(),
                ..ok.clone()
            }),
            "password"
        );
        assert_eq!(
            field(NewAccount {
                password: "flowwalk-demo".into(),
                ..ok.clone()
            }),
            "password"
        );
        assert_eq!(
            field(NewAccount {
                display_name: "长".repeat(65),
                ..ok
            }),
            "display_name"
        );
        let e = update_request("  ", Role::Manager, "", true).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message(false)),
            ("display_name", "请填写姓名")
        );
        let r = update_request("李敏", Role::Manager, "d1", false).unwrap();
        assert_eq!((r.department_id, r.active), (None, false));
    }

    #[test]
    fn a_search_finds_by_name_or_username_and_pages() {
        let users = vec![
            user("volunteer1", "张三", true),
            user("experiencer", "体验员小王", false),
            user("manager", "李敏", true),
        ];
        let names = |q: &str| {
            search(&users, q, PAGE)
                .0
                .iter()
                .map(|u| u.username.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("VOL"), ["volunteer1"]);
        assert_eq!(names("小王"), ["experiencer"]);
        // Enabled first, then by name (code point order), disabled last.
        assert_eq!(names(""), ["volunteer1", "manager", "experiencer"]);
        let (shown, total) = search(&users, "", 2);
        assert_eq!((shown.len(), total), (2, 3));
    }
}
