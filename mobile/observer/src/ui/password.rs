//! The only screen after a login with a password an admin reset (or when the server says a
//! new password is due): set a new one, checked against the shared policy before sending;
//! then the app carries on where it was, the sync with it. Nothing recorded is touched.

use dioxus::prelude::*;

use super::login::{Input, field};
use super::{Ctx, Screen};
use crate::account::{FormError, PASSWORD_FIELDS, PasswordForm, error_at, error_elsewhere};
use crate::api::Client;
use crate::store::Doc;

#[component]
pub fn NewPassword() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    // After a login with a one-time password, that password is the current one.
    let known = ctx.one_time.peek().clone();
    let old = use_signal(|| known.clone().unwrap_or_default());
    let new = use_signal(String::new);
    let repeat = use_signal(String::new);
    let error = use_signal(|| None::<FormError>);
    let busy = use_signal(|| false);
    let err = error.read().clone();
    // Hidden while the one-time password is known, unless the server refused it.
    let ask_old = known.is_none() || error_at(&err, "old_password").is_some();
    let submit = move |_| {
        set_password(
            ctx,
            busy,
            error,
            PasswordForm {
                old: old.peek().clone(),
                new: new.peek().clone(),
                repeat: repeat.peek().clone(),
            },
        )
    };

    rsx! {
        section { class: "card login", "data-testid": "password-form",
            h1 { {lang.t("设置新密码", "Set a new password")} }
            p { class: "hint",
                {lang.t(
                    "管理员重置了您的密码。请先设置新密码,之后即可继续使用;手机上的记录不受影响。",
                    "An administrator reset your password. Set a new one to carry on; what is on this phone is unaffected.",
                )}
            }
            if let Some(e) = error_elsewhere(&err, &PASSWORD_FIELDS) {
                p { class: "error", role: "alert", "data-testid": "form-error", "{e}" }
            }
            if ask_old {
                {field(lang.t("当前密码(一次性密码)", "Current (one-time) password"), Input { name: "old_password", kind: "password", autocomplete: "current-password", autocapitalize: None }, old, error_at(&err, "old_password"))}
            }
            {field(lang.t("新密码(至少 8 个字符,不能与用户名相同)", "New password (at least 8 characters, not the username)"), Input { name: "new_password", kind: "password", autocomplete: "new-password", autocapitalize: None }, new, error_at(&err, "new_password"))}
            {field(lang.t("再次输入新密码", "New password again"), Input { name: "repeat", kind: "password", autocomplete: "new-password", autocapitalize: None }, repeat, error_at(&err, "repeat"))}
            button {
                class: "primary big",
                "data-testid": "password-submit",
                disabled: busy(),
                onclick: submit,
                {lang.t("保存新密码", "Save the new password")}
            }
        }
    }
}

/// Checks the form, sends it, and keeps the account as the server now has it (no longer
/// bound to change its password); a refusal shows at its field.
fn set_password(
    ctx: Ctx,
    mut busy: Signal<bool>,
    mut error: Signal<Option<FormError>>,
    form: PasswordForm,
) {
    let Some(session) = ctx.data.peek().session.clone() else {
        return;
    };
    let request = match form.check(&session.user.username) {
        Ok(r) => r,
        Err(e) => {
            error.set(Some(FormError::invalid(&e, ctx.lang())));
            return;
        }
    };
    if *busy.peek() {
        return;
    }
    busy.set(true);
    spawn(async move {
        let mut ctx = ctx;
        // No refresh here: the engine keeps the tokens; a refused token asks for a login.
        let client = Client::new(&session.base_url, &session.access_token, None);
        let answer = crate::account::change_password(&client, &request).await;
        busy.set(false);
        let me = match answer {
            Ok(me) => me,
            Err(e) => {
                let refused = e.account_refusal().or(e
                    .is_unauthorized()
                    .then_some(flowwalk_shared::ErrorCode::Unauthenticated));
                if let Some(code) = refused {
                    let _ = ctx
                        .change(&[Doc::Session], move |d| {
                            if let Some(s) = d.session.as_mut() {
                                s.account_refused(code);
                                s.needs_login |=
                                    code == flowwalk_shared::ErrorCode::Unauthenticated;
                            }
                            Ok(())
                        })
                        .await;
                }
                error.set(Some(FormError::api(&e)));
                return;
            }
        };
        let saved = ctx
            .change(&[Doc::Session], move |d| {
                if let Some(s) = d.session.as_mut() {
                    s.user = me;
                }
                Ok(())
            })
            .await;
        if saved.is_ok() {
            let mut one_time = ctx.one_time;
            one_time.set(None);
            ctx.say("新密码已设置", "New password set");
            ctx.go(Screen::Home);
            ctx.sync_now();
        }
    });
}
