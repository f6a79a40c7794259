//! The one session of both apps: who is logged in at which server, with which tokens. The
//! observer app keeps it among its stored documents, the desk in the browser's localStorage
//! ([`crate::handoff`]), and the observer app hands a desk account over in the same form.
//! What phones and browsers stored before there was one type still reads: the desk's
//! hand-off named the server `base` and knew no expiry.

use flowwalk_shared::api::auth::{Me, TokenResponse};
use serde::{Deserialize, Serialize};

use crate::api::Client;

/// A logged-in user at one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The server, without a trailing slash (`base` in the desk's hand-off of before).
    #[serde(alias = "base")]
    pub base_url: String,
    pub user: Me,
    pub access_token: String,
    /// When the access token expires (device ms); 0 when not known (a hand-off of before),
    /// which the observer's sync engine takes as "refresh first".
    #[serde(default)]
    pub access_expires_at_ms: i64,
    pub refresh_token: String,
    /// The server refused the tokens: log in again before the next sync (nothing recorded
    /// is affected).
    #[serde(default)]
    pub needs_login: bool,
    /// The server said an admin disabled the account (`needs_login` is set too): told on
    /// the screen until a login succeeds; nothing recorded is affected.
    #[serde(default)]
    pub disabled: bool,
}

impl Session {
    /// The session a login (or a refresh) answered, at `now_ms` on the device clock.
    pub fn from_tokens(base_url: &str, t: TokenResponse, now_ms: i64) -> Session {
        Session {
            base_url: base_url.trim_end_matches('/').to_owned(),
            user: t.user,
            access_token: t.access_token,
            access_expires_at_ms: now_ms.saturating_add(
                i64::try_from(t.expires_in)
                    .unwrap_or(0)
                    .saturating_mul(1000),
            ),
            refresh_token: t.refresh_token,
            needs_login: false,
            disabled: false,
        }
    }

    /// The same session with the tokens a refresh answered.
    pub fn refreshed(&self, t: TokenResponse, now_ms: i64) -> Session {
        Session::from_tokens(&self.base_url, t, now_ms)
    }

    /// Whether a sync may go with this session: the server still takes its tokens and the
    /// account need not set a new password first.
    pub fn can_sync(&self) -> bool {
        !self.needs_login && !self.user.must_change_password
    }

    /// The server refused the account itself (`account_disabled`,
    /// `password_change_required`): what the session knows of it from now on. Other codes
    /// change nothing.
    pub fn account_refused(&mut self, code: flowwalk_shared::ErrorCode) {
        use flowwalk_shared::ErrorCode;
        match code {
            ErrorCode::AccountDisabled => {
                self.disabled = true;
                self.needs_login = true;
            }
            ErrorCode::PasswordChangeRequired => self.user.must_change_password = true,
            _ => {}
        }
    }

    /// The typed client over this session: a refused access token is refreshed once and
    /// the call sent again (see [`Client::on_tokens`] to keep the new tokens).
    pub fn client(&self) -> Client {
        Client::new(
            &self.base_url,
            &self.access_token,
            Some(&self.refresh_token),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::Role;

    fn me() -> Me {
        Me {
            id: "u1".into(),
            username: "li".into(),
            display_name: "李敏".into(),
            role: Role::Manager,
            department_id: None,
            must_change_password: false,
        }
    }

    fn tokens() -> TokenResponse {
        TokenResponse {
            access_token: "a".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            refresh_token: "r".into(),
            refresh_expires_in: 86_400,
            user: me(),
        }
    }

    /// The observer app's session as phones stored it (the `data` of its document).
    const OBSERVER_STORED: &str = r#"{"base_url":"https://fw.example.cn","user":{"id":"u1","username":"li","display_name":"李敏","role":"manager","department_id":null},"access_token":"a1","access_expires_at_ms":1700000900000,"refresh_token":"r1","needs_login":true}"#;

    /// The desk's hand-off as browsers stored it (`DeskSession`: `base`, no expiry).
    const DESK_STORED: &str = r#"{"base":"https://fw.example.cn","access_token":"a2","refresh_token":"r2","user":{"id":"u1","username":"li","display_name":"李敏","role":"manager","department_id":null}}"#;

    #[test]
    fn sessions_stored_before_there_was_one_type_still_read() {
        let observer: Session = serde_json::from_str(OBSERVER_STORED).unwrap();
        assert_eq!(
            observer,
            Session {
                base_url: "https://fw.example.cn".into(),
                user: me(),
                access_token: "a1".into(),
                access_expires_at_ms: 1_700_000_900_000,
                refresh_token: "r1".into(),
                needs_login: true,
                disabled: false,
            }
        );
        let desk: Session = serde_json::from_str(DESK_STORED).unwrap();
        assert_eq!(
            desk,
            Session {
                base_url: "https://fw.example.cn".into(),
                user: me(),
                access_token: "a2".into(),
                access_expires_at_ms: 0,
                refresh_token: "r2".into(),
                needs_login: false,
                disabled: false,
            }
        );
        // What is written now names the server `base_url` and reads back the same.
        let written = serde_json::to_string(&desk).unwrap();
        assert!(
            written.contains(r#""base_url":"https://fw.example.cn""#),
            "{written}"
        );
        assert_eq!(serde_json::from_str::<Session>(&written).unwrap(), desk);
    }

    #[test]
    fn an_account_refused_by_the_server_stops_the_sync_and_says_why() {
        let t = tokens();
        let s = Session::from_tokens("https://fw.example.cn", t.clone(), 0);
        assert!(s.can_sync());
        let mut disabled = s.clone();
        disabled.account_refused(flowwalk_shared::ErrorCode::AccountDisabled);
        assert!(disabled.disabled && disabled.needs_login && !disabled.can_sync());
        let mut reset = s.clone();
        reset.account_refused(flowwalk_shared::ErrorCode::PasswordChangeRequired);
        assert!(reset.user.must_change_password && !reset.needs_login && !reset.can_sync());
        let mut other = s.clone();
        other.account_refused(flowwalk_shared::ErrorCode::Forbidden);
        assert_eq!(other, s);
        // A new login clears it.
        assert!(!disabled.refreshed(t, 1).disabled);
    }

    #[test]
    fn a_login_answer_becomes_a_session_that_expires_on_time() {
        let t = tokens();
        let s = Session::from_tokens("https://fw.example.cn/", t.clone(), 1_000);
        assert_eq!(s.base_url, "https://fw.example.cn");
        assert_eq!(s.access_expires_at_ms, 901_000);
        let again = Session {
            needs_login: true,
            ..s
        }
        .refreshed(t, 2_000);
        assert_eq!(again.access_expires_at_ms, 902_000);
        assert!(!again.needs_login);
        assert_eq!(again.client().base(), "https://fw.example.cn");
    }
}
