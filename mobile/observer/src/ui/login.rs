//! Log in, or redeem an invite code, once while online; the first sync then downloads
//! what the observer needs offline.

use dioxus::prelude::*;

use flowwalk_shared::api::auth::RedeemInviteRequest;

use super::{Ctx, Screen};
use crate::api::HttpTransport;
use crate::session::Session;
use crate::store::Doc;
use crate::{handoff, platform};

#[component]
pub fn Login() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let previous = ctx
        .data
        .read()
        .session
        .as_ref()
        .map(|s| s.user.username.clone())
        .unwrap_or_default();
    let username = use_signal(|| previous);
    let password = use_signal(String::new);
    let code = use_signal(String::new);
    let mut invite = use_signal(|| false);
    let busy = use_signal(|| false);

    let submit = move |_| log_in(ctx, busy, invite, code, username, password);

    rsx! {
        section { class: "card login",
            h1 { {lang.t("登录", "Log in")} }
            p { class: "hint",
                {lang.t(
                    "体验员和部门整改人员:登录一次后,任务(或本部门待整改问题)会保存在手机上,没有网络也能记录。",
                    "Observers and department officers: log in once; your tasks (or your department's issues) stay on this phone and recording works offline.",
                )}
            }
            div { class: "tabs",
                button {
                    class: if !invite() { "tab on" } else { "tab" },
                    onclick: move |_| invite.set(false),
                    {lang.t("账号登录", "Log in")}
                }
                button {
                    class: if invite() { "tab on" } else { "tab" },
                    "data-testid": "tab-invite",
                    onclick: move |_| invite.set(true),
                    {lang.t("邀请码注册", "Invite code")}
                }
            }
            if invite() {
                {field(lang.t("邀请码", "Invite code"), Input { name: "code", kind: "text", autocomplete: "off", autocapitalize: None }, code, None)}
            }
            {field(lang.t("用户名", "Username"), Input { name: "username", kind: "text", autocomplete: "username", autocapitalize: Some("none") }, username, None)}
            {field(
                lang.t("密码", "Password"),
                Input {
                    name: "password",
                    kind: "password",
                    autocomplete: if invite() { "new-password" } else { "current-password" },
                    autocapitalize: None,
                },
                password,
                None,
            )}
            button {
                class: "primary big",
                "data-testid": "login-submit",
                disabled: busy(),
                onclick: submit,
                if busy() {
                    {lang.t("正在登录…", "Logging in…")}
                } else if invite() {
                    {lang.t("注册并登录", "Create account")}
                } else {
                    {lang.t("登录", "Log in")}
                }
            }
        }
    }
}

/// What kind of text a field takes, for the browser (its keyboard, its autofill).
pub(super) struct Input {
    pub name: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub autocapitalize: Option<&'static str>,
}

/// A labelled field bound to `value`, with its error beneath when it has one.
pub(super) fn field(
    label: &str,
    input: Input,
    mut value: Signal<String>,
    error: Option<String>,
) -> Element {
    let invalid = if error.is_some() { "true" } else { "false" };
    rsx! {
        label { {label}
            input {
                name: input.name,
                r#type: input.kind,
                autocomplete: input.autocomplete,
                autocapitalize: input.autocapitalize,
                "aria-invalid": invalid,
                value: "{value}",
                oninput: move |e| value.set(e.value()),
            }
        }
        if let Some(e) = error {
            p { class: "error", role: "alert", "data-testid": "field-error", "{e}" }
        }
    }
}

/// Logs in (or redeems the invite code) at the server; desk accounts go to the desk.
fn log_in(
    ctx: Ctx,
    mut busy: Signal<bool>,
    invite: Signal<bool>,
    code: Signal<String>,
    username: Signal<String>,
    mut password: Signal<String>,
) {
    let mut ctx = ctx;
    if *busy.peek() {
        return;
    }
    busy.set(true);
    spawn(async move {
        let base = {
            let d = ctx.data.peek();
            if d.settings.server.is_empty() {
                platform::default_server()
            } else {
                d.settings.server.clone()
            }
        };
        let answer = if *invite.peek() {
            HttpTransport::redeem(
                &base,
                &RedeemInviteRequest {
                    code: code.peek().trim().to_owned(),
                    username: username.peek().trim().to_owned(),
                    password: password.peek().clone(),
                    display_name: None,
                },
            )
            .await
        } else {
            HttpTransport::login(&base, username.peek().trim(), &password.peek()).await
        };
        match answer {
            Ok(tokens)
                if !tokens.user.role.is_observer()
                    && tokens.user.role != flowwalk_shared::Role::DepartmentOfficer =>
            {
                // Managers and panel members work at the desk (its own bundle, so
                // observers never download it): hand the session over. Department
                // officers stay: here they record evidence offline, as observers do.
                password.set(String::new());
                if handoff::save(&Session::from_tokens(&base, tokens, platform::now_ms())) {
                    handoff::open(handoff::DESK_PATH);
                } else {
                    ctx.fail(
                        "此账号请在电脑浏览器打开 /desk/ 工作台登录。",
                        "This account works at the desk: open /desk/ in a browser.",
                    );
                }
            }
            Ok(tokens) => {
                let session = Session::from_tokens(&base, tokens, platform::now_ms());
                // A reset password is the current one of the form that replaces it.
                let mut one_time = ctx.one_time;
                one_time.set(
                    session
                        .user
                        .must_change_password
                        .then(|| password.peek().clone()),
                );
                let saved = ctx
                    .change(&[Doc::Session], move |d| {
                        d.session = Some(session);
                        Ok(())
                    })
                    .await;
                if saved.is_ok() {
                    password.set(String::new());
                    ctx.toast.set(None);
                    ctx.go(Screen::Home);
                    ctx.sync_now();
                }
            }
            Err(e) => match &e {
                _ if e.account_refusal() == Some(flowwalk_shared::ErrorCode::AccountDisabled) => {
                    ctx.fail(super::DISABLED.0, super::DISABLED.1)
                }
                crate::api::ApiError::Network(_) => ctx.fail(
                    "无法连接服务器。首次登录需要联网。",
                    "Cannot reach the server. The first login needs a network.",
                ),
                _ => {
                    let text = e.describe();
                    ctx.fail(text.clone(), text);
                }
            },
        }
        busy.set(false);
    });
}
