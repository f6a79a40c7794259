//! The desk's calls to the API: the session's bearer token on each, one refresh when the
//! server says it expired, and the login screen when the refresh is refused too.

use dioxus::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, HttpTransport, answer};
use crate::handoff::{self, DeskSession};

use super::Desk;

fn logged_out() -> ApiError {
    ApiError::Refused {
        status: 401,
        body: flowwalk_shared::ErrorBody {
            code: flowwalk_shared::ErrorCode::Unauthenticated,
            message: "请重新登录".into(),
            field: None,
        },
    }
}

async fn call<T: DeserializeOwned>(
    desk: Desk,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<T, ApiError> {
    let mut session_sig = desk.session;
    for attempt in 0..2 {
        let Some(s) = session_sig.peek().clone() else {
            return Err(logged_out());
        };
        let mut req = reqwest::Client::new()
            .request(method.clone(), format!("{}/api/v1{path}", s.base))
            .bearer_auth(&s.access_token);
        if let Some(b) = &body {
            req = req.json(b);
        }
        match answer::<T>(req.send().await).await {
            Err(e) if e.is_unauthorized() && attempt == 0 => {
                match HttpTransport::refresh_at(&s.base, &s.refresh_token).await {
                    Ok(tokens) => {
                        let fresh = DeskSession::from_tokens(&s.base, tokens);
                        handoff::save(&fresh);
                        session_sig.set(Some(fresh));
                    }
                    Err(_) => {
                        handoff::clear();
                        session_sig.set(None);
                        return Err(e);
                    }
                }
            }
            other => return other,
        }
    }
    Err(logged_out())
}

pub async fn get<T: DeserializeOwned>(desk: Desk, path: &str) -> Result<T, ApiError> {
    call(desk, reqwest::Method::GET, path, None).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    desk: Desk,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_value(body).map_err(|e| ApiError::Network(e.to_string()))?;
    call(desk, reqwest::Method::POST, path, Some(body)).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(
    desk: Desk,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_value(body).map_err(|e| ApiError::Network(e.to_string()))?;
    call(desk, reqwest::Method::PUT, path, Some(body)).await
}

/// A query string from pairs, empty values left out.
pub fn query(pairs: &[(&str, String)]) -> String {
    let mut q = form_urlencoded_pairs(pairs);
    if !q.is_empty() {
        q.insert(0, '?');
    }
    q
}

fn form_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A photo's bytes (`/photos/{sha}/thumb`, `/display`); None when it cannot be had.
pub async fn photo_bytes(desk: Desk, path: &str) -> Option<Vec<u8>> {
    let s = desk.session.peek().clone()?;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", s.base))
        .bearer_auth(&s.access_token)
        .send()
        .await
        .ok()?;
    if !res.status().is_success() {
        return None;
    }
    res.bytes().await.ok().map(|b| b.to_vec())
}

/// Uploads a prepared photo (content-addressed: a second upload of it is a no-op).
pub async fn put_photo(desk: Desk, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
    let Some(s) = desk.session.peek().clone() else {
        return Err(logged_out());
    };
    let res = reqwest::Client::new()
        .put(format!("{}/api/v1/photos/{sha256}", s.base))
        .bearer_auth(&s.access_token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await;
    answer::<serde_json::Value>(res).await.map(drop)
}

/// Opens an HTML page of the API (the printable feedback form) in a new tab: fetched with
/// the session's token, shown from a `blob:` URL.
pub async fn open_html(desk: Desk, path: &str) -> bool {
    let Some(s) = desk.session.peek().clone() else {
        return false;
    };
    let Ok(res) = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", s.base))
        .bearer_auth(&s.access_token)
        .send()
        .await
    else {
        return false;
    };
    if !res.status().is_success() {
        return false;
    }
    let Ok(text) = res.text().await else {
        return false;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
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

/// Downloads a file of the API (a report) under `filename`: fetched with the session's
/// token, saved by the browser from a `blob:` URL. Err with the reason.
pub async fn download(desk: Desk, path: &str, filename: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let s = desk
        .session
        .peek()
        .clone()
        .ok_or_else(|| "请重新登录".to_owned())?;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", s.base))
        .bearer_auth(&s.access_token)
        .send()
        .await;
    let res = match res {
        Ok(r) if r.status().is_success() => r,
        other => {
            return Err(answer::<serde_json::Value>(other)
                .await
                .err()
                .map_or_else(|| "下载失败".to_owned(), |e| e.describe()));
        }
    };
    let kind = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let bytes = res.bytes().await.map_err(|e| e.to_string())?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(&kind);
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
