//! The desk's login: any role may log in here; each finds its own work after.

use dioxus::prelude::*;

use super::DeskStore;
use crate::api::{ApiError, HttpTransport};
use crate::handoff;
use crate::platform;
use crate::session::Session;

#[component]
pub fn Login() -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut busy = use_signal(|| false);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        let mut desk = desk;
        if *busy.peek() {
            return;
        }
        busy.set(true);
        spawn(async move {
            let base = platform::default_server();
            let answer =
                HttpTransport::login(&base, username.peek().trim(), &password.peek()).await;
            match answer {
                Ok(tokens) => {
                    let session = Session::from_tokens(&base, tokens, platform::now_ms());
                    if !handoff::save(&session) {
                        desk.fail(lang.t(
                            "浏览器不允许保存登录状态,刷新后需重新登录。",
                            "The browser would not keep the login; a reload will ask again.",
                        ));
                    } else {
                        desk.toast.set(None);
                    }
                    // A reset password is the current one of the form that replaces it.
                    let typed = password.peek().clone();
                    desk.one_time
                        .set(session.user.must_change_password.then_some(typed));
                    password.set(String::new());
                    // The address stays: the screen it names shows now.
                    desk.session.set(Some(session));
                    desk.changed();
                }
                Err(ApiError::Network(_)) => desk.fail(lang.t(
                    "无法连接服务器,请检查网络。",
                    "Cannot reach the server; check the network.",
                )),
                Err(e) => desk.fail(e.describe()),
            }
            busy.set(false);
        });
    };

    rsx! {
        section { class: "card login",
            h1 { {lang.t("工作台登录", "Desk login")} }
            p { class: "hint",
                {lang.t("管理人员、部门整改人员、验收团成员在此处理问题;体验员也可在此查看所提问题的办理情况。", "Managers, department officers and panel members work here; observers can follow their issues.")}
            }
            form { onsubmit: submit,
                label { r#for: "desk-username", {lang.t("用户名", "Username")} }
                input {
                    id: "desk-username",
                    name: "username",
                    autocomplete: "username",
                    autocapitalize: "none",
                    value: "{username}",
                    oninput: move |e| username.set(e.value()),
                }
                label { r#for: "desk-password", {lang.t("密码", "Password")} }
                input {
                    id: "desk-password",
                    name: "password",
                    r#type: "password",
                    autocomplete: "current-password",
                    value: "{password}",
                    oninput: move |e| password.set(e.value()),
                }
                button {
                    class: "primary big",
                    r#type: "submit",
                    "data-testid": "login-submit",
                    disabled: busy(),
                    if busy() {
                        {lang.t("正在登录…", "Logging in…")}
                    } else {
                        {lang.t("登录", "Log in")}
                    }
                }
            }
        }
    }
}
