//! The desk's session on the typed client: each call names its declared endpoint, carries
//! the session's bearer token, is refreshed once when the server says the token expired
//! (JSON, photo bytes and printable pages alike), and the login screen comes back when the
//! refresh is refused too. What the browser does with a file (a new tab, a download) is
//! here as well.

use std::future::Future;
use std::rc::Rc;

use dioxus::prelude::*;
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::auth::{ChangePasswordRequest, Me};
use flowwalk_shared::endpoint::{Body, Bytes, NoQuery};
use flowwalk_shared::endpoints::{self as ep, IdPath, Sha256Path};

use crate::api::{AnswerOf, ApiError, BodyOf, Call, Client};
use crate::handoff;
use crate::platform;

use super::DeskStore;

/// The typed client over the desk's session; None when logged out.
fn client(desk: DeskStore) -> Option<Client> {
    let s = desk.session.peek().clone()?;
    let client = s.client();
    let session_sig = desk.session;
    let on_tokens = Rc::new(
        move |tokens: Option<&flowwalk_shared::api::auth::TokenResponse>| match tokens {
            Some(t) => {
                let fresh = s.refreshed(t.clone(), platform::now_ms());
                handoff::save(&fresh);
                let mut sig = session_sig;
                sig.set(Some(fresh));
            }
            None => {
                handoff::clear();
                let mut sig = session_sig;
                sig.set(None);
            }
        },
    );
    Some(client.on_tokens(on_tokens))
}

/// Reads one thing by its id (an endpoint with no query and no body).
pub async fn get_by_id<E>(desk: DeskStore, endpoint: E, id: String) -> Result<AnswerOf<E>, ApiError>
where
    E: Call<Path = IdPath, Query = NoQuery>,
    E::Body: Body<Value = ()>,
{
    call(desk, endpoint, &IdPath::new(id), &NoQuery {}, &()).await
}

/// A resource read again after every change the desk makes ([`DeskStore::changed`]).
pub fn use_fresh<T: 'static, F: Future<Output = T> + 'static>(
    desk: DeskStore,
    mut load: impl FnMut() -> F + 'static,
) -> Resource<T> {
    use_resource(move || {
        let _ = desk.changes.read();
        load()
    })
}

/// One thing by its id (the page of a walkthrough, of an issue), read again after every
/// change.
pub fn use_by_id<E>(
    desk: DeskStore,
    endpoint: E,
    id: String,
) -> Resource<Result<AnswerOf<E>, ApiError>>
where
    E: Call<Path = IdPath, Query = NoQuery>,
    E::Body: Body<Value = ()>,
{
    use_fresh(desk, move || get_by_id(desk, endpoint, id.clone()))
}

/// Calls `endpoint` with its path parameters, query and body.
pub async fn call<E: Call>(
    desk: DeskStore,
    endpoint: E,
    path: &E::Path,
    query: &E::Query,
    body: &BodyOf<E>,
) -> Result<AnswerOf<E>, ApiError> {
    let Some(client) = client(desk) else {
        return Err(ApiError::logged_out());
    };
    let answer = client.call(endpoint, path, query, body).await;
    if let Err(e) = &answer {
        account_refused(desk, e);
    }
    answer
}

/// The server refused the account itself: a disabled one is logged out (and told why), one
/// whose password was reset sees only the form to set a new one.
fn account_refused(desk: DeskStore, e: &ApiError) {
    let mut desk = desk;
    match e.account_refusal() {
        Some(ErrorCode::AccountDisabled) => {
            handoff::clear();
            desk.session.set(None);
            let lang = desk.lang();
            desk.fail(lang.t(
                "账号已停用,请联系管理员。",
                "This account is disabled; contact the administrator.",
            ));
        }
        Some(ErrorCode::PasswordChangeRequired) => {
            let current = desk.session.peek().clone();
            // Set once: the screens reading the session are drawn again only then.
            if let Some(mut s) = current.filter(|s| !s.user.must_change_password) {
                s.user.must_change_password = true;
                handoff::save(&s);
                desk.session.set(Some(s));
            }
        }
        _ => {}
    }
}

/// Sets the user's own new password and reads the account again (see
/// [`crate::account::change_password`]).
pub async fn change_password(
    desk: DeskStore,
    request: &ChangePasswordRequest,
) -> Result<Me, ApiError> {
    let Some(client) = client(desk) else {
        return Err(ApiError::logged_out());
    };
    let answer = crate::account::change_password(&client, request).await;
    if let Err(e) = &answer {
        account_refused(desk, e);
    }
    answer
}

/// An endpoint without path parameters, query or body (the lists of reference data).
pub async fn get<E>(desk: DeskStore, endpoint: E) -> Result<AnswerOf<E>, ApiError>
where
    E: Call<Path = (), Query = NoQuery>,
    E::Body: Body<Value = ()>,
{
    call(desk, endpoint, &(), &NoQuery {}, &()).await
}

/// A photo's thumbnail; None when it cannot be had.
pub async fn thumb(desk: DeskStore, sha256: &str) -> Option<Vec<u8>> {
    call(
        desk,
        ep::photos::Thumb,
        &Sha256Path::new(sha256),
        &NoQuery {},
        &(),
    )
    .await
    .ok()
    .map(|b| b.bytes)
}

/// Uploads a prepared photo (content-addressed: a second upload of it is a no-op).
pub async fn put_photo(desk: DeskStore, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
    let Some(client) = client(desk) else {
        return Err(ApiError::logged_out());
    };
    client.put_photo(sha256, bytes).await
}

/// Opens an HTML page of the API (the printable feedback form) in a new tab: fetched with
/// the session's token, shown from a `blob:` URL.
pub fn open_html(page: &Bytes) -> bool {
    let Ok(text) = std::str::from_utf8(&page.bytes) else {
        return false;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type("text/html;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &props) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    web_sys::window().is_some_and(|w| w.open_with_url_and_target(&url, "_blank").is_ok())
}

/// Saves a file of the API (a report) under `filename`, from a `blob:` URL. Err with the
/// reason.
pub fn download(file: &Bytes, filename: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&file.bytes[..]));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(&file.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props)
        .map_err(|_| "blob".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "url".to_owned())?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_owned())?;
    let a = doc
        .create_element("a")
        .map_err(|_| "a".to_owned())?
        .dyn_into::<web_sys::HtmlElement>()
        .map_err(|_| "a".to_owned())?;
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
