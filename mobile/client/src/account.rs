//! Setting a new password — one's own, or the one an admin's reset forces at the next
//! login — the same way in the observer app and the desk: the form is checked against the
//! shared policy before anything is sent, the change goes through the declared endpoint,
//! and the account is read again (`auth.me`) so the "must change" flag clears. Also the
//! one shape of a form's error both apps show at the field it names.

use flowwalk_shared::api::auth::{ChangePasswordRequest, Me};
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints as ep;
use flowwalk_shared::rules::Invalid;
use flowwalk_shared::{ErrorCode, validate};

use crate::api::{ApiError, Client};
use crate::i18n::Lang;

/// A form's error: at a field when one is named, otherwise for the whole form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormError {
    pub field: Option<String>,
    pub message: String,
}

impl FormError {
    /// A rule the form broke before sending.
    pub fn invalid(e: &Invalid, lang: Lang) -> FormError {
        FormError {
            field: Some(e.field.clone()),
            message: e.message(lang.is_en()).to_owned(),
        }
    }

    /// What the server answered (its `field`, when it named one).
    pub fn api(e: &ApiError) -> FormError {
        FormError {
            field: e.field().map(str::to_owned),
            message: e.describe(),
        }
    }

    /// The message when it is about `field`.
    pub fn at(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

/// The error of a form, if any, at `field`.
pub fn error_at(error: &Option<FormError>, field: &str) -> Option<String> {
    error.as_ref().and_then(|e| e.at(field))
}

/// The error of a form, if any, that names none of `fields`: shown above the form.
pub fn error_elsewhere(error: &Option<FormError>, fields: &[&str]) -> Option<String> {
    error
        .as_ref()
        .filter(|e| !e.field.as_deref().is_some_and(|f| fields.contains(&f)))
        .map(|e| e.message.clone())
}

/// The fields of the password form, as the server names them (and `repeat`, which only
/// the form has).
pub const PASSWORD_FIELDS: [&str; 3] = ["old_password", "new_password", "repeat"];

/// What was typed into the password form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PasswordForm {
    pub old: String,
    pub new: String,
    pub repeat: String,
}

impl PasswordForm {
    /// The request, or the first field that is wrong: the current password is missing,
    /// the new one breaks the policy (`flowwalk_shared::validate::password`), or the
    /// repetition differs.
    pub fn check(&self, username: &str) -> Result<ChangePasswordRequest, Invalid> {
        if self.old.is_empty() {
            return Err(Invalid::new(
                ErrorCode::MissingField,
                "old_password",
                "请输入当前密码",
                "Enter the current password",
            ));
        }
        validate::password("new_password", username, &self.new)?;
        if self.new != self.repeat {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "repeat",
                "两次输入的新密码不一致",
                "The two new passwords differ",
            ));
        }
        Ok(ChangePasswordRequest {
            old_password: self.old.clone(),
            new_password: self.new.clone(),
        })
    }
}

/// Sets the new password, then reads the account again: the answer is the account as it
/// now is (`must_change_password` cleared).
pub async fn change_password(
    client: &Client,
    request: &ChangePasswordRequest,
) -> Result<Me, ApiError> {
    client
        .call(ep::auth::ChangePassword, &(), &NoQuery {}, request)
        .await?;
    client.call(ep::auth::Me, &(), &NoQuery {}, &()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(old: &str, new: &str, repeat: &str) -> PasswordForm {
        PasswordForm {
            old: old.into(),
            new: new.into(),
            repeat: repeat.into(),
        }
    }

    #[test]
    fn the_form_applies_the_shared_policy_before_sending() {
        let ok = form("Kx7-one-time", "a new secret", "a new secret")
            .check("li.min")
            .unwrap();
        assert_eq!(ok.old_password, "Kx7-one-time");
        assert_eq!(ok.new_password, "a new secret");
        let field = |f: PasswordForm| f.check("li.min").unwrap_err().field;
        assert_eq!(
            field(form("", "a new secret", "a new secret")),
            "old_password"
        );
        assert_eq!(field(form("x", "short", "short")), "new_password");
        assert_eq!(field(form("x", "Li.Min", "Li.Min")), "new_password");
        assert_eq!(
            field(form("x", "flowwalk-demo", "flowwalk-demo")),
            "new_password"
        );
        assert_eq!(field(form("x", "a new secret", "a new secreT")), "repeat");
    }

    #[test]
    fn an_error_shows_at_its_field_or_above_the_form() {
        let e = Some(FormError {
            field: Some("new_password".into()),
            message: "密码至少需要 8 个字符".into(),
        });
        assert_eq!(
            error_at(&e, "new_password").as_deref(),
            Some("密码至少需要 8 个字符")
        );
        assert_eq!(error_at(&e, "repeat"), None);
        assert_eq!(error_elsewhere(&e, &PASSWORD_FIELDS), None);
        let other = Some(FormError {
            field: None,
            message: "网络不可用".into(),
        });
        assert_eq!(
            error_elsewhere(&other, &PASSWORD_FIELDS).as_deref(),
            Some("网络不可用")
        );
        let refused = ApiError::Refused {
            status: 400,
            body: flowwalk_shared::ErrorBody {
                code: ErrorCode::InvalidValue,
                message: "当前密码不正确".into(),
                field: Some("old_password".into()),
            },
        };
        assert_eq!(
            FormError::api(&refused).at("old_password").as_deref(),
            Some("当前密码不正确")
        );
    }
}
