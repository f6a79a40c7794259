//! Request extractors that turn every kind of bad input into a precise error code.
//!
//! `ApiJson` is used instead of actix's `Json` so that a wrong body names the exact field
//! (`steps[1].standard_minutes`) and says whether it was missing, unknown or mistyped.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use flowwalk_shared::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body, limited in size by the app's `PayloadConfig`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || m.ends_with("+json")
            });
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::new(ErrorCode::UnsupportedMediaType));
            }
            let bytes = bytes.await.map_err(|e| payload_error(&e))?;
            parse(&bytes).map(ApiJson)
        })
    }
}

/// Whether the client cut its own body short (lost signal, gave up): not an error of
/// ours, so it is logged below WARN and the client simply sends again.
pub fn is_cut(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Incomplete(_) | PayloadError::Io(_))
}

fn payload_error(e: &actix_web::Error) -> AppError {
    if e.as_error::<PayloadError>().is_some_and(is_cut) {
        tracing::info!(error = %e, "request body cut short by the client");
    }
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(ErrorCode::PayloadTooLarge)
    } else {
        AppError::new(ErrorCode::InvalidJson).message(
            format!("无法读取请求内容:{e}"),
            format!("Could not read the request body: {e}"),
        )
    }
}

/// Deserialises JSON, naming the field and the kind of mistake on failure.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // The fast path: plain serde_json. Only a body that fails is parsed again with path
    // tracking, to name the field.
    if let Ok(v) = serde_json::from_slice(bytes) {
        return Ok(v);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = inner.to_string();
        let (code, field) = if inner.is_syntax() || inner.is_eof() {
            (ErrorCode::InvalidJson, None)
        } else if let Some(name) = quoted_after(&text, "missing field `") {
            (ErrorCode::MissingField, Some(join(&path, &name)))
        } else if let Some(name) = quoted_after(&text, "unknown field `") {
            // For unknown fields the path already ends with the field itself.
            let field = if path.ends_with(&name) {
                path.clone()
            } else {
                join(&path, &name)
            };
            (ErrorCode::UnknownField, Some(field))
        } else if text.starts_with("invalid type") {
            (ErrorCode::InvalidType, Some(path))
        } else {
            (ErrorCode::InvalidValue, Some(path))
        };
        let mut e = AppError::new(code).message(
            format!("{}:{text}", code.default_message_zh()),
            format!("{}: {text}", code.default_message_en()),
        );
        if let Some(f) = field.filter(|f| !f.is_empty() && f != ".") {
            e = e.field(f);
        }
        e
    })
}

fn quoted_after(text: &str, prefix: &str) -> Option<String> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('`')?].to_owned())
}

/// serde_path_to_error reports the parent path for missing/unknown fields.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent == "." {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn err(json: &str) -> (ErrorCode, Option<String>) {
        let e = parse::<Outer>(json.as_bytes()).unwrap_err();
        (e.code, e.field)
    }

    #[test]
    fn names_the_field_and_the_mistake() {
        assert_eq!(err("{"), (ErrorCode::InvalidJson, None));
        assert_eq!(
            err(r#"{"items":[]}"#),
            (ErrorCode::MissingField, Some("name".into()))
        );
        assert_eq!(
            err(r#"{"name":"a","items":[],"x":1}"#),
            (ErrorCode::UnknownField, Some("x".into()))
        );
        assert_eq!(
            err(r#"{"name":"a","items":[{"n":1},{"n":"2"}]}"#),
            (ErrorCode::InvalidType, Some("items[1].n".into()))
        );
        assert_eq!(
            err(r#"{"name":"a","items":[{"n":-1}]}"#),
            (ErrorCode::InvalidValue, Some("items[0].n".into()))
        );
    }
}
