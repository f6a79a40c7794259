//! The desk's store: what every screen reaches (the session, the language, the toast, the
//! unread count, a change counter lists reload on) and the only ways any of it changes —
//! going to a screen or a filtered list (a new address), a workflow step on an issue
//! (`act`), a confirmation or an error shown. Components render and dispatch to it.

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::IssueDetail;
use flowwalk_shared::endpoint::{Json, NoQuery};
use flowwalk_shared::endpoints::IdPath;

use flowwalk_shared::api::users::{UpdateUserRequest, User};
use flowwalk_shared::endpoints::{self as ep};

use super::{Route, View, client};
use crate::account::{FormError, PasswordForm};
use crate::accounts::NewAccount;
use crate::api::{BodyOf, Call};
use crate::filters::{InboxFilter, IssueFilter};
use crate::i18n::Lang;
use crate::session::Session;

/// A workflow step on one issue: its endpoint answers the issue as it now is.
pub trait Step: Call<Path = IdPath, Query = NoQuery, Answer = Json<IssueDetail>> {}

impl<E: Call<Path = IdPath, Query = NoQuery, Answer = Json<IssueDetail>>> Step for E {}

/// What every desk screen reaches.
#[derive(Clone, Copy)]
pub struct DeskStore {
    pub session: Signal<Option<Session>>,
    pub lang: Signal<Lang>,
    /// (is an error, text)
    pub toast: Signal<Option<(bool, String)>>,
    pub unread: Signal<i64>,
    /// Bumped after each change, so lists reload.
    pub changes: Signal<u64>,
    /// The password typed at a login that must replace it (memory only): the current
    /// password of the form that sets the new one.
    pub one_time: Signal<Option<String>>,
}

impl DeskStore {
    pub fn lang(&self) -> Lang {
        *self.lang.read()
    }

    pub fn role(&self) -> Option<Role> {
        self.session.read().as_ref().map(|s| s.user.role)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    /// To another screen (a new address).
    pub fn go(&mut self, view: View) {
        navigator().push(Route::from(view));
        crate::platform::scroll_to_top();
    }

    /// Back where the user came from (the list as it was), or to the role's work when the
    /// page was opened directly.
    pub fn back(&mut self) {
        // The browser's own history: after a reload it still knows where the user was.
        let came_from_somewhere = web_sys::window()
            .and_then(|w| w.history().ok())
            .and_then(|h| h.length().ok())
            .is_some_and(|n| n > 1);
        if came_from_somewhere {
            navigator().go_back();
        } else {
            navigator().push(Route::Home {});
        }
    }

    /// A confirmation; it goes away by itself after a few seconds (errors stay until
    /// tapped away).
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.toast.set(Some((false, text.clone())));
        let mut toast = self.toast;
        dioxus::core::spawn_forever(async move {
            crate::platform::sleep_ms(4000).await;
            if toast
                .peek()
                .as_ref()
                .is_some_and(|(e, t)| !*e && *t == text)
            {
                toast.set(None);
            }
        });
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.toast.set(Some((true, text.into())));
    }

    /// Something changed on the server: lists and the badge reload.
    pub fn changed(&mut self) {
        *self.changes.write() += 1;
    }

    /// An issue list under these filters (its address carries them).
    pub fn show_issues(&self, filter: IssueFilter) {
        navigator().push(Route::Issues { filter });
    }

    /// The inbox under this filter.
    pub fn show_inbox(&self, filter: InboxFilter) {
        navigator().push(Route::Inbox { filter });
    }

    /// Sends one workflow step; the page reloads with the issue as it now is. True when
    /// the server took it.
    pub async fn act<E: Step>(
        self,
        step: E,
        id: String,
        body: BodyOf<E>,
        done_zh: &str,
        done_en: &str,
    ) -> bool {
        let mut d = self;
        let lang = self.lang();
        match client::call(self, step, &IdPath::new(id), &NoQuery {}, &body).await {
            Ok(_) => {
                d.say(lang.t(done_zh, done_en));
                d.changed();
                true
            }
            Err(e) => {
                d.fail(e.describe());
                false
            }
        }
    }

    /// [`DeskStore::act`] in the background.
    pub fn fire<E: Step>(
        self,
        step: E,
        id: String,
        body: BodyOf<E>,
        done_zh: &'static str,
        done_en: &'static str,
    ) where
        BodyOf<E>: 'static,
    {
        spawn(async move {
            self.act(step, id, body, done_zh, done_en).await;
        });
    }

    /// A success of a form: said, the error banner gone, lists reload.
    fn done(&mut self, zh: &str, en: &str) {
        let lang = self.lang();
        self.say(lang.t(zh, en));
        self.changed();
    }

    /// Creates an account; the error at its field when the form or the server refuses.
    pub async fn create_account(self, form: NewAccount) -> Result<User, FormError> {
        let mut d = self;
        let lang = self.lang();
        let request = form.request().map_err(|e| FormError::invalid(&e, lang))?;
        let user = client::call(self, ep::users::Create, &(), &NoQuery {}, &request)
            .await
            .map_err(|e| FormError::api(&e))?;
        d.done("账号已创建", "Account created");
        Ok(user)
    }

    /// Edits an account (its name, role, department, whether it may log in).
    pub async fn update_account(
        self,
        id: String,
        request: UpdateUserRequest,
        done: (&str, &str),
    ) -> Result<User, FormError> {
        let mut d = self;
        let user = client::call(
            self,
            ep::users::Update,
            &IdPath::new(id),
            &NoQuery {},
            &request,
        )
        .await
        .map_err(|e| FormError::api(&e))?;
        d.done(done.0, done.1);
        Ok(user)
    }

    /// Resets an account's password: the one-time password, to be shown once.
    pub async fn reset_password(self, id: String) -> Result<String, FormError> {
        let mut d = self;
        let reset = client::call(
            self,
            ep::users::ResetPassword,
            &IdPath::new(id),
            &NoQuery {},
            &(),
        )
        .await
        .map_err(|e| FormError::api(&e))?;
        d.done("密码已重置", "Password reset");
        Ok(reset.one_time_password)
    }

    /// Sets the user's own new password; the session then holds the account as it now is
    /// (no longer bound to change it).
    pub async fn set_own_password(self, form: PasswordForm) -> Result<(), FormError> {
        let mut d = self;
        let lang = self.lang();
        let Some(session) = self.session.peek().clone() else {
            return Err(FormError::api(&crate::api::ApiError::logged_out()));
        };
        let request = form
            .check(&session.user.username)
            .map_err(|e| FormError::invalid(&e, lang))?;
        let me = client::change_password(self, &request)
            .await
            .map_err(|e| FormError::api(&e))?;
        // The session as it may have been refreshed meanwhile, with the account as it is.
        let mut fresh = self.session.peek().clone().unwrap_or(session);
        fresh.user = me;
        crate::handoff::save(&fresh);
        d.one_time.set(None);
        d.session.set(Some(fresh));
        d.done("新密码已设置", "New password set");
        Ok(())
    }
}
