//! Request extractors that turn every kind of bad input into a precise error code.
//!
//! `ApiJson` is used instead of actix's `Json` so that a wrong body names the exact field
//! (`steps[1].standard_minutes`) and says whether it was missing, unknown or mistyped.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use flowwalk_shared::ErrorCode;
use serde::de::DeserializeOwned;
use serde_value::DeserializerError;

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
///
/// The mistake is told by the error's kind, never by its text: a body that fails is read
/// again as a generic value (`serde_value`) whose deserialiser reports missing, unknown
/// and mistyped fields as variants of an enum, with `serde_path_to_error` naming where.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    refuse_nul(bytes)?;
    // The fast path: plain serde_json. Only a body that fails is parsed again.
    let syntax = match serde_json::from_slice(bytes) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Err(with_text(
            AppError::new(ErrorCode::InvalidJson),
            &syntax.to_string(),
        ));
    };
    let value = match serde_value::to_value(json) {
        Ok(v) => v,
        Err(e) => return Err(AppError::internal(anyhow::anyhow!("JSON as a value: {e}"))),
    };
    let err = match serde_path_to_error::deserialize::<_, T>(value) {
        // Read as a value it is fine (serde_json is stricter somewhere): the value that
        // serde_json refused is wrong, where its own path says.
        Ok(_) => {
            let de = &mut serde_json::Deserializer::from_slice(bytes);
            let path = serde_path_to_error::deserialize::<_, T>(de)
                .err()
                .map(|e| e.path().to_string());
            let mut e = with_text(AppError::new(ErrorCode::InvalidValue), &syntax.to_string());
            if let Some(p) = path.filter(|p| !p.is_empty() && p != ".") {
                e = e.field(p);
            }
            return Err(e);
        }
        Err(err) => err,
    };
    let path = err.path().to_string();
    let inner = err.into_inner();
    let text = inner.to_string();
    let (code, field) = match &inner {
        DeserializerError::MissingField(name) => (ErrorCode::MissingField, join(&path, name)),
        // The path may already end with the unknown field itself.
        DeserializerError::UnknownField(name, _) if path.ends_with(name.as_str()) => {
            (ErrorCode::UnknownField, path.clone())
        }
        DeserializerError::UnknownField(name, _) => (ErrorCode::UnknownField, join(&path, name)),
        DeserializerError::InvalidType(..) => (ErrorCode::InvalidType, path.clone()),
        DeserializerError::DuplicateField(name) => (ErrorCode::InvalidValue, join(&path, name)),
        DeserializerError::InvalidValue(..)
        | DeserializerError::InvalidLength(..)
        | DeserializerError::UnknownVariant(..)
        | DeserializerError::Custom(_) => (ErrorCode::InvalidValue, path.clone()),
    };
    let mut e = with_text(AppError::new(code), &text);
    if !field.is_empty() && field != "." {
        e = e.field(field);
    }
    Err(e)
}

/// No text may hold a NUL character: PostgreSQL cannot store or even compare one, and no
/// name, note or id has a use for it. JSON writes it only as the escape `\u0000`, so a body
/// without that escape is passed at once; one with it is read to name the field.
fn refuse_nul(bytes: &[u8]) -> Result<(), AppError> {
    const ESCAPE: &[u8] = b"\\u0000";
    if !bytes.windows(ESCAPE.len()).any(|w| w == ESCAPE) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // not JSON: the parser says so
    };
    match nul_at(&value, String::new()) {
        None => Ok(()),
        Some(path) => {
            let mut e = AppError::new(ErrorCode::InvalidValue).message(
                "文本中不能含有空字符(U+0000)",
                "Text may not contain a NUL character (U+0000)",
            );
            if !path.is_empty() {
                e = e.field(path);
            }
            Err(e)
        }
    }
}

/// Middleware: a NUL in the address (`?q=%00`, `/issues/%00`) is refused before any
/// handler sees it, for the same reason as in a body. The path and every query name and
/// value are checked as they will be decoded.
pub async fn refuse_nul_in_address(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(e) = nul_in_address(req.path(), req.query_string()) {
        return Ok(req.error_response(e));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn nul_in_address(path: &str, query: &str) -> Option<AppError> {
    let message = |e: AppError| {
        e.message(
            "地址中不能含有空字符(U+0000)",
            "The address may not contain a NUL character (U+0000)",
        )
    };
    if percent_encoding::percent_decode_str(path).any(|b| b == 0) {
        return Some(message(AppError::new(ErrorCode::InvalidPath)));
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| message(AppError::new(ErrorCode::InvalidQuery)).field(k.replace('\0', "")))
}

/// Where the first string (or key) holding a NUL is, as `steps[1].name`.
fn nul_at(v: &serde_json::Value, path: String) -> Option<String> {
    match v {
        serde_json::Value::String(s) => s.contains('\0').then_some(path),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_at(x, format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = join(&path, k);
            if k.contains('\0') {
                Some(here)
            } else {
                nul_at(x, here)
            }
        }),
        _ => None,
    }
}

/// The code's own message followed by what the parser said.
fn with_text(e: AppError, text: &str) -> AppError {
    let code = e.code;
    e.message(
        format!("{}:{text}", code.default_message_zh()),
        format!("{}: {text}", code.default_message_en()),
    )
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

    #[test]
    fn a_nul_in_the_address_is_refused_where_it_is() {
        let at = |path, query| nul_in_address(path, query).map(|e| (e.code, e.field));
        assert_eq!(at("/api/v1/issues", "status=open&q=ok"), None);
        // `%2500` is the text "%00", not a NUL.
        assert_eq!(at("/api/v1/issues/%2500", "q=%2500"), None);
        assert_eq!(
            at("/api/v1/issues/a%00b", ""),
            Some((ErrorCode::InvalidPath, None))
        );
        assert_eq!(
            at("/api/v1/issues", "status=open&department_id=d%00"),
            Some((ErrorCode::InvalidQuery, Some("department_id".into())))
        );
        assert_eq!(
            at("/api/v1/issues", "q%00=1"),
            Some((ErrorCode::InvalidQuery, Some("q".into())))
        );
    }

    #[test]
    fn a_nul_character_is_refused_where_it_is() {
        let e = parse::<Outer>(br#"{"name":"a\u0000b","items":[]}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidValue, Some("name"))
        );
        let e = parse::<serde_json::Value>(br#"{"steps":[{"n":"x"},{"department_id":"\u0000"}]}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("steps[1].department_id"));
        // The escaped backslash before "u0000" is text, not a NUL.
        assert!(parse::<serde_json::Value>(br#"{"a":"\\u0000"}"#).is_ok());
    }

    /// A field whose own parser explains itself in words that look like another kind of
    /// mistake is still an invalid value: the kind comes from the error, not its text.
    #[test]
    fn classifies_by_the_error_s_kind() {
        fn tricky<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            let s = String::deserialize(d)?;
            if s == "bad" {
                return Err(serde::de::Error::custom("missing field `trap`"));
            }
            Ok(s)
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Tricky {
            #[serde(deserialize_with = "tricky")]
            word: String,
        }
        let e = parse::<Tricky>(br#"{"word":"bad"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidValue, Some("word"))
        );
        let e = parse::<Tricky>(br#"{"word":7}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidType, Some("word"))
        );
        let e = parse::<Outer>(br#"{"name":"a","name":"b","items":[]}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidValue);
    }
}
