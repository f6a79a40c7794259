//! Setting one's own new password at the desk: on request (修改密码, beside logout), and
//! as the only screen after a login with a password an admin reset, until it is set. The
//! form is checked against the shared policy before sending; errors show at their field.

use dioxus::prelude::*;

use super::DeskStore;
use super::form::{Input, form_error, text_field};
use crate::account::{FormError, PASSWORD_FIELDS, PasswordForm, error_at, error_elsewhere};

#[component]
pub fn ChangePassword(forced: bool) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    // After a login with a one-time password, that password is the current one.
    let known = desk.one_time.peek().clone();
    let old = use_signal(|| known.clone().unwrap_or_default());
    let new = use_signal(String::new);
    let repeat = use_signal(String::new);
    let mut error = use_signal(|| None::<FormError>);
    let mut busy = use_signal(|| false);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let form = PasswordForm {
            old: old.peek().clone(),
            new: new.peek().clone(),
            repeat: repeat.peek().clone(),
        };
        busy.set(true);
        spawn(async move {
            let answer = desk.set_own_password(form).await;
            busy.set(false);
            match answer {
                Ok(()) if !forced => {
                    let mut d = desk;
                    d.back();
                }
                Ok(()) => {}
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let err = error.read().clone();
    // Hidden while the one-time password is known, unless the server refused it.
    let ask_old = known.is_none() || error_at(&err, "old_password").is_some();

    rsx! {
        section { class: "card narrow-form", "data-testid": "password-form",
            h1 {
                if forced {
                    {lang.t("设置新密码", "Set a new password")}
                } else {
                    {lang.t("修改密码", "Change password")}
                }
            }
            if forced {
                p { class: "hint",
                    {lang.t("管理员重置了您的密码。请先设置新密码,之后即可继续使用。", "An administrator reset your password. Set a new one to carry on.")}
                }
            }
            {form_error(error_elsewhere(&err, &PASSWORD_FIELDS))}
            form { onsubmit: submit,
                if ask_old {
                    {text_field(lang.t("当前密码", "Current password"), Input { name: "old_password", kind: "password", autocomplete: "current-password" }, old, error_at(&err, "old_password"))}
                }
                {text_field(lang.t("新密码(至少 8 个字符,不能与用户名相同)", "New password (at least 8 characters, not the username)"), Input { name: "new_password", kind: "password", autocomplete: "new-password" }, new, error_at(&err, "new_password"))}
                {text_field(lang.t("再次输入新密码", "New password again"), Input { name: "repeat", kind: "password", autocomplete: "new-password" }, repeat, error_at(&err, "repeat"))}
                div { class: "buttons",
                    button {
                        class: "primary",
                        r#type: "submit",
                        "data-testid": "password-submit",
                        disabled: busy(),
                        {lang.t("保存新密码", "Save the new password")}
                    }
                    if !forced {
                        button {
                            class: "secondary narrow",
                            r#type: "button",
                            onclick: move |_| {
                                let mut d = desk;
                                d.back();
                            },
                            {lang.t("取消", "Cancel")}
                        }
                    }
                }
            }
        }
    }
}
