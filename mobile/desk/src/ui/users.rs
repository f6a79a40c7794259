//! The admin's accounts screen, what an office needs on its first day: every account with
//! its role, department and state, found by name; a new account; one account's page
//! (`/desk/users/ID`) to edit it, disable or enable it (after saying what that does), and
//! reset its password (the one-time password shown once). The server decides; each error
//! shows at the field it names.

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::departments::Department;
use flowwalk_shared::api::users::User;
use flowwalk_shared::endpoints as ep;

use super::form::{Input, choice_field, enum_field, form_error, text_field};
use super::{DeskStore, Route, client};
use crate::account::{FormError, error_at, error_elsewhere};
use crate::accounts::{self, DepartmentRule, NewAccount, PAGE};
use crate::i18n::Lang;

/// The fields of the account forms, as the server names them.
const FIELDS: [&str; 6] = [
    "username",
    "display_name",
    "role",
    "department_id",
    "password",
    "active",
];

/// Every account and every department, read again after each change; Err says why not.
type Accounts = Result<(Vec<User>, Vec<Department>), String>;

fn use_accounts(desk: DeskStore) -> Resource<Accounts> {
    client::use_fresh(desk, move || async move {
        let users = client::get(desk, ep::users::List)
            .await
            .map_err(|e| e.describe())?;
        let departments = client::get(desk, ep::departments::List)
            .await
            .unwrap_or_default();
        Ok((users, departments))
    })
}

/// A screen with only a heading and a line to say.
fn notice(heading: &str, text: &str) -> Element {
    rsx! {
        section { class: "card",
            h1 { {heading} }
            p { class: "hint", "data-testid": "notice", {text} }
        }
    }
}

/// The accounts once read, or the screen to show instead: not an admin (the server refuses
/// everyone else anyway), still reading, or why they cannot be read.
fn ready(
    desk: DeskStore,
    heading: &str,
    loaded: Resource<Accounts>,
) -> Result<(Vec<User>, Vec<Department>), Element> {
    let lang = desk.lang();
    if !desk.is_admin() {
        return Err(notice(
            heading,
            lang.t(
                "只有系统管理员可以管理账号。",
                "Only administrators manage accounts.",
            ),
        ));
    }
    match loaded.read().clone() {
        Some(Ok(data)) => Ok(data),
        Some(Err(why)) => Err(notice(heading, &why)),
        None => Err(notice(heading, lang.t("正在读取…", "Loading…"))),
    }
}

/// A department's name in the language shown ("" for none or an unknown one).
fn department_name(lang: Lang, departments: &[Department], id: Option<&str>) -> String {
    departments
        .iter()
        .find(|d| Some(d.id.as_str()) == id)
        .map(|d| {
            if lang.is_en() && !d.name_en.is_empty() {
                d.name_en.clone()
            } else {
                d.name.clone()
            }
        })
        .unwrap_or_default()
}

#[component]
pub fn AccountList(q: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut shown = use_signal(|| PAGE);
    let loaded = use_accounts(desk);
    let (users, departments) = match ready(desk, lang.t("账号管理", "Accounts"), loaded) {
        Ok(data) => data,
        Err(screen) => return screen,
    };
    let (found, total) = accounts::search(&users, &q, shown());
    let rows: Vec<(User, String)> = found
        .into_iter()
        .map(|u| {
            let dept = department_name(lang, &departments, u.department_id.as_deref());
            (u.clone(), dept)
        })
        .collect();
    rsx! {
        section { class: "card", "data-testid": "accounts",
            div { class: "row-head",
                h1 { {lang.t("账号管理", "Accounts")} }
                button {
                    class: "primary",
                    "data-testid": "new-account",
                    onclick: move |_| {
                        navigator().push(Route::NewAccount {});
                    },
                    {lang.t("新建账号", "New account")}
                }
            }
            label { r#for: "account-search", {lang.t("按姓名或用户名查找", "Find by name or username")} }
            input {
                class: "field",
                id: "account-search",
                name: "q",
                r#type: "search",
                value: "{q}",
                oninput: move |e| {
                    // The search is in the address: Back from an account returns to it.
                    navigator().replace(Route::Accounts { q: e.value() });
                    shown.set(PAGE);
                },
            }
            p { class: "muted small", "data-testid": "account-count",
                if lang.is_en() {
                    "{total} accounts"
                } else {
                    "共 {total} 个账号"
                }
            }
            ul { class: "list accounts",
                for (u, dept) in rows {
                    AccountRow { key: "{u.id}", user: u, department: dept }
                }
            }
            if total > shown() {
                button {
                    class: "secondary",
                    "data-testid": "more-accounts",
                    onclick: move |_| shown += PAGE,
                    {lang.t("显示更多", "Show more")}
                }
            }
        }
    }
}

/// One account in the list: its name opens its page.
#[component]
fn AccountRow(user: User, department: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let id = user.id.clone();
    rsx! {
        li {
            class: if user.active { "account" } else { "account off" },
            "data-testid": "account",
            "data-username": "{user.username}",
            "data-active": if user.active { "true" } else { "false" },
            div { class: "line",
                button {
                    class: "link title",
                    "data-testid": "account-open",
                    onclick: move |_| {
                        navigator().push(Route::Account { id: id.clone() });
                    },
                    "{user.display_name}"
                }
                span { class: "muted", "{user.username}" }
                span { class: "tag", {lang.label(user.role)} }
                if !department.is_empty() {
                    span { "{department}" }
                }
                {state_tags(lang, &user)}
            }
        }
    }
}

/// Enabled or disabled, and whether a new password is awaited.
fn state_tags(lang: Lang, user: &User) -> Element {
    rsx! {
        if user.active {
            span { class: "tag ok", {lang.t("启用", "Active")} }
        } else {
            span { class: "tag warn", "data-testid": "account-disabled", {lang.t("已停用", "Disabled")} }
        }
        if user.must_change_password {
            span { class: "tag warn", "data-testid": "must-change", {lang.t("待修改密码", "Must change password")} }
        }
    }
}

/// (value, words) of the departments a role may take ("" first when it may have none).
fn department_choices(lang: Lang, role: Role, departments: &[Department]) -> Vec<(String, String)> {
    let none = match accounts::department_rule(role) {
        DepartmentRule::Required => lang.t("请选择部门", "Choose a department"),
        _ => lang.t("无", "None"),
    };
    std::iter::once((String::new(), none.to_owned()))
        .chain(departments.iter().map(|d| {
            let name = department_name(lang, departments, Some(&d.id));
            (d.id.clone(), name)
        }))
        .collect()
}

/// The department field when the role takes one.
fn department_field(
    lang: Lang,
    role: Role,
    departments: &[Department],
    value: Signal<String>,
    error: Option<String>,
) -> Element {
    if accounts::department_rule(role) == DepartmentRule::Never {
        return rsx! {};
    }
    choice_field(
        lang.t("所属部门", "Department"),
        "department_id",
        value,
        department_choices(lang, role, departments),
        error,
    )
}

#[component]
pub fn NewAccountForm() -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let loaded = use_accounts(desk);
    let username = use_signal(String::new);
    let name = use_signal(String::new);
    let role = use_signal(|| Role::Experiencer);
    let department = use_signal(String::new);
    let password = use_signal(String::new);
    let mut error = use_signal(|| None::<FormError>);
    let mut busy = use_signal(|| false);
    let departments = match ready(desk, lang.t("新建账号", "New account"), loaded) {
        Ok((_, departments)) => departments,
        Err(screen) => return screen,
    };
    let chosen_role = *role.read();

    let submit = move |e: FormEvent| {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let form = NewAccount {
            username: username.peek().clone(),
            display_name: name.peek().clone(),
            role: chosen_role,
            department_id: department.peek().clone(),
            password: password.peek().clone(),
        };
        busy.set(true);
        spawn(async move {
            let answer = desk.create_account(form).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    navigator().push(Route::Accounts { q: String::new() });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let err = error.read().clone();

    rsx! {
        section { class: "card narrow-form", "data-testid": "new-account-form",
            {back_to_list(desk)}
            h1 { {lang.t("新建账号", "New account")} }
            {form_error(error_elsewhere(&err, &FIELDS))}
            form { onsubmit: submit,
                {text_field(lang.t("用户名(登录用,3–64 个字母、数字、.、- 或 _)", "Username (for logging in: 3–64 letters, digits, '.', '-', '_')"), Input { name: "username", kind: "text", autocomplete: "off" }, username, error_at(&err, "username"))}
                {text_field(lang.t("姓名", "Name"), Input { name: "display_name", kind: "text", autocomplete: "off" }, name, error_at(&err, "display_name"))}
                {enum_field(lang.t("角色", "Role"), "role", role, lang, error_at(&err, "role"))}
                {department_field(lang, chosen_role, &departments, department, error_at(&err, "department_id"))}
                {text_field(lang.t("初始密码(至少 8 个字符,请告知本人)", "Initial password (at least 8 characters; tell the person)"), Input { name: "password", kind: "text", autocomplete: "new-password" }, password, error_at(&err, "password"))}
                div { class: "buttons",
                    button {
                        class: "primary",
                        r#type: "submit",
                        "data-testid": "create-account",
                        disabled: busy(),
                        {lang.t("创建账号", "Create account")}
                    }
                }
            }
        }
    }
}

/// The way back to the list of accounts as it was (its search in its address).
fn back_to_list(desk: DeskStore) -> Element {
    let lang = desk.lang();
    rsx! {
        button {
            class: "link back",
            onclick: move |_| {
                let mut d = desk;
                d.back();
            },
            {lang.t("← 返回账号列表", "← Back to accounts")}
        }
    }
}

#[component]
pub fn AccountPage(id: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let loaded = use_accounts(desk);
    let heading = lang.t("账号", "Account");
    let (users, departments) = match ready(desk, heading, loaded) {
        Ok(data) => data,
        Err(screen) => return screen,
    };
    let Some(user) = users.into_iter().find(|u| u.id == id) else {
        return notice(heading, lang.t("没有这个账号。", "No such account."));
    };
    let dept = department_name(lang, &departments, user.department_id.as_deref());
    rsx! {
        section { class: "card narrow-form", "data-testid": "account-page", "data-username": "{user.username}",
            {back_to_list(desk)}
            h1 { "{user.display_name}" }
            div { class: "line",
                span { class: "muted", {lang.t("用户名", "Username")} " {user.username}" }
                span { class: "tag", {lang.label(user.role)} }
                if !dept.is_empty() {
                    span { "{dept}" }
                }
                {state_tags(lang, &user)}
            }
            // Keyed by the account as stored: a save shows the form anew with its values.
            EditAccount { key: "{user.id}-{user.display_name}-{user.role}-{user.department_id:?}", user: user.clone(), departments }
            ActiveState { key: "{user.id}-{user.active}", user: user.clone() }
            ResetPassword { key: "{user.id}", id: user.id.clone() }
        }
    }
}

/// The account's name, role and department.
#[component]
fn EditAccount(user: User, departments: Vec<Department>) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let name = use_signal(|| user.display_name.clone());
    let role = use_signal(|| user.role);
    let department = use_signal(|| user.department_id.clone().unwrap_or_default());
    let mut error = use_signal(|| None::<FormError>);
    let chosen_role = *role.read();
    let (id, active) = (user.id.clone(), user.active);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        let request =
            accounts::update_request(&name.peek(), chosen_role, &department.peek(), active);
        let id = id.clone();
        spawn(async move {
            let answer = match request {
                Ok(r) => desk
                    .update_account(id, r, ("已保存", "Saved"))
                    .await
                    .map(drop),
                Err(e) => Err(FormError::invalid(&e, lang)),
            };
            error.set(answer.err());
        });
    };
    let err = error.read().clone();
    rsx! {
        h2 { {lang.t("姓名、角色与部门", "Name, role and department")} }
        {form_error(error_elsewhere(&err, &FIELDS))}
        form { onsubmit: submit,
            {text_field(lang.t("姓名", "Name"), Input { name: "display_name", kind: "text", autocomplete: "off" }, name, error_at(&err, "display_name"))}
            {enum_field(lang.t("角色", "Role"), "role", role, lang, error_at(&err, "role"))}
            {department_field(lang, chosen_role, &departments, department, error_at(&err, "department_id"))}
            div { class: "buttons",
                button { class: "primary", r#type: "submit", "data-testid": "save-account",
                    {lang.t("保存", "Save")}
                }
            }
        }
    }
}

/// Disabling (after saying what it does) or enabling the account.
#[component]
fn ActiveState(user: User) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut error = use_signal(|| None::<String>);
    let active = user.active;
    let set_active = move |active: bool| {
        let request = accounts::with_active(&user, active);
        let id = user.id.clone();
        let done = if active {
            ("账号已启用", "Account enabled")
        } else {
            ("账号已停用", "Account disabled")
        };
        spawn(async move {
            let answer = desk.update_account(id, request, done).await;
            error.set(answer.err().map(|e| e.message));
        });
    };
    rsx! {
        h2 { {lang.t("账号状态", "Status")} }
        {form_error(error())}
        if !active {
            p { {lang.t("此账号已停用:无法登录,已有记录保留。", "This account is disabled: it cannot log in; its records are kept.")} }
            button { class: "primary", "data-testid": "enable-account",
                onclick: move |_| set_active(true),
                {lang.t("重新启用", "Enable again")}
            }
        } else {
            AskFirst {
                start: "disable-account",
                start_text: lang.t("停用账号", "Disable account"),
                danger: true,
                testid: "confirm-disable",
                question: lang.t("停用后该账号立即无法使用,已有记录保留。确定停用吗?", "Once disabled the account cannot be used at once; its records are kept. Disable it?"),
                yes: lang.t("确认停用", "Disable"),
                on_yes: move |_| set_active(false),
            }
        }
    }
}

/// Resetting the password: asked first, then the one-time password shown once.
#[component]
fn ResetPassword(id: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut one_time = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let reset = move |_| {
        let id = id.clone();
        spawn(async move {
            match desk.reset_password(id).await {
                Ok(p) => {
                    error.set(None);
                    one_time.set(Some(p));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        h2 { {lang.t("密码", "Password")} }
        {form_error(error())}
        if let Some(p) = one_time() {
            div { class: "banner one-time", "data-testid": "one-time",
                p { {lang.t("一次性密码(只显示这一次,请现在告知本人):", "One-time password (shown this once; tell the person now):")} }
                p { class: "code big-code", "data-testid": "one-time-password", "{p}" }
                p { {lang.t("本人用它登录后,必须先设置新密码。", "After logging in with it, they must set a new password first.")} }
            }
        } else {
            AskFirst {
                start: "reset-password",
                start_text: lang.t("重置密码", "Reset password"),
                danger: false,
                testid: "confirm-reset",
                question: lang.t("重置后,该账号的登录全部失效,须用一次性密码重新登录并设置新密码。确定重置吗?", "Resetting ends every login of the account; it logs in with a one-time password and sets a new one. Reset?"),
                yes: lang.t("确认重置", "Reset"),
                on_yes: reset,
            }
        }
    }
}

/// An action asked about first: its button (`start`), then what it does, with yes
/// (`on_yes`, `{testid}-yes`) or cancel.
#[component]
fn AskFirst(
    start: &'static str,
    start_text: String,
    danger: bool,
    testid: &'static str,
    question: String,
    yes: String,
    on_yes: EventHandler<()>,
) -> Element {
    let lang = use_context::<DeskStore>().lang();
    let mut asking = use_signal(|| false);
    if !asking() {
        return rsx! {
            button {
                class: if danger { "danger" } else { "secondary narrow" },
                "data-testid": start,
                onclick: move |_| asking.set(true),
                "{start_text}"
            }
        };
    }
    rsx! {
        div { class: "banner warn", role: "alert", "data-testid": testid,
            p { "{question}" }
            div { class: "buttons",
                button {
                    class: "danger",
                    "data-testid": "{testid}-yes",
                    onclick: move |_| {
                        asking.set(false);
                        on_yes.call(());
                    },
                    "{yes}"
                }
                button { class: "secondary narrow", onclick: move |_| asking.set(false),
                    {lang.t("取消", "Cancel")}
                }
            }
        }
    }
}
