//! The desk's store: what every screen reaches (the session, the language, the toast, the
//! unread count, a change counter lists reload on) and the only ways any of it changes —
//! going to a screen or a filtered list (a new address), a workflow step on an issue
//! (`act`), a confirmation or an error shown. Components render and dispatch to it.

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::IssueDetail;
use flowwalk_shared::endpoint::{Json, NoQuery};
use flowwalk_shared::endpoints::IdPath;

use super::{Route, View, client};
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
}

impl DeskStore {
    pub fn lang(&self) -> Lang {
        *self.lang.read()
    }

    pub fn role(&self) -> Option<Role> {
        self.session.read().as_ref().map(|s| s.user.role)
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
}
