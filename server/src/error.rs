//! The one place where failures become HTTP answers.
//!
//! Handlers and models return [`AppError`] (or diesel's `QueryResult`, converted here);
//! every error answer is `{"code","message","field"?}` with a stable code. Messages are
//! Chinese by default; the `localize` middleware swaps in English when the client asks.

use std::borrow::Cow;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT_LANGUAGE, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use flowwalk_shared::api::issues::ImportRowError;
use flowwalk_shared::{ErrorBody, ErrorCode};

#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub field: Option<String>,
    zh: Cow<'static, str>,
    en: Cow<'static, str>,
    /// The underlying cause of an internal error: logged, never sent.
    source: Option<anyhow::Error>,
    /// Seconds after which trying again makes sense (`Retry-After`), for 429 and 503.
    pub retry_after: Option<u64>,
    /// An import refused: every bad row with its line and reason (`import_rejected`).
    rows: Option<Box<[ImportRowError]>>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError {
            code,
            field: None,
            zh: Cow::Borrowed(code.default_message_zh()),
            en: Cow::Borrowed(code.default_message_en()),
            source: None,
            retry_after: None,
            rows: None,
        }
    }

    /// A file with bad rows: nothing imported, every bad row told (`422 import_rejected`).
    pub fn import_rejected(rows: Vec<ImportRowError>) -> Self {
        AppError {
            rows: Some(rows.into_boxed_slice()),
            ..AppError::new(ErrorCode::ImportRejected)
        }
    }

    /// Tells the client when to try again (`Retry-After`, in seconds).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn message(
        mut self,
        zh: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.zh = zh.into();
        self.en = en.into();
        self
    }

    /// A field whose value breaks a rule.
    pub fn invalid(
        field: impl Into<String>,
        zh: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Self {
        AppError::new(ErrorCode::InvalidValue)
            .field(field)
            .message(zh, en)
    }

    pub fn not_found() -> Self {
        AppError::new(ErrorCode::NotFound)
    }

    pub fn forbidden() -> Self {
        AppError::new(ErrorCode::Forbidden)
    }

    pub fn internal(source: anyhow::Error) -> Self {
        AppError {
            source: Some(source),
            ..AppError::new(ErrorCode::Internal)
        }
    }

    /// No database connection could be had in time: the client should retry later.
    pub fn pool(source: impl std::fmt::Display) -> Self {
        AppError {
            source: Some(anyhow::anyhow!("database pool: {source}")),
            ..AppError::new(ErrorCode::ServiceUnavailable)
        }
    }

    /// The Chinese message, as a phone shows it.
    pub fn message_zh(&self) -> &str {
        &self.zh
    }

    /// The English message (for logs and the command line).
    pub fn code_message(&self) -> String {
        format!("{} ({})", self.en, self.code)
    }

    fn body(&self, english: bool) -> WireError<'_> {
        WireError {
            body: ErrorBody {
                code: self.code,
                message: if english {
                    self.en.to_string()
                } else {
                    self.zh.to_string()
                },
                field: self.field.clone(),
            },
            rows: self.rows.as_deref(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.en)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source:#}")?;
        }
        Ok(())
    }
}

/// An error answer: the one error body, and the bad rows of a refused import.
#[derive(serde::Serialize)]
struct WireError<'a> {
    #[serde(flatten)]
    body: ErrorBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<&'a [ImportRowError]>,
}

/// The English body, carried on the response so `localize` can swap it in.
struct EnglishBody(String);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if self.code.http_status() >= 500 {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        let mut builder = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            builder.insert_header((actix_web::http::header::RETRY_AFTER, seconds));
        }
        let mut res = builder.json(self.body(false));
        let english = serde_json::to_string(&self.body(true)).unwrap_or_default();
        res.extensions_mut().insert(EnglishBody(english));
        res
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::not_found(),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let mut err = AppError::new(ErrorCode::Duplicate);
                if let Some(col) =
                    unique_column(info.table_name(), info.constraint_name(), info.message())
                {
                    err = err.field(col);
                }
                err
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::new(ErrorCode::UnknownReference)
            }
            other => AppError::internal(anyhow::Error::new(other).context("database")),
        }
    }
}

/// A rule of the shared crate that the input broke: its code, field and message as they are.
impl From<flowwalk_shared::rules::Invalid> for AppError {
    fn from(e: flowwalk_shared::rules::Invalid) -> Self {
        AppError::new(e.code).field(e.field).message(e.zh, e.en)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::internal(e)
    }
}

/// The column a unique violation is about: SQLite says `UNIQUE constraint failed:
/// venues.name`; PostgreSQL names the constraint `venues_name_key`.
fn unique_column(table: Option<&str>, constraint: Option<&str>, message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("UNIQUE constraint failed: ") {
        let first = rest.split(',').next()?.trim();
        return first.rsplit('.').next().map(str::to_owned);
    }
    let c = constraint?;
    if c.ends_with("_pkey") {
        return Some("id".to_owned());
    }
    let c = c.strip_suffix("_key").unwrap_or(c);
    let c = table
        .and_then(|t| c.strip_prefix(&format!("{t}_")))
        .unwrap_or(c);
    Some(c.to_owned())
}

/// Whether the client prefers English over Chinese (`Accept-Language: en…` first).
pub fn prefers_english(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"))
}

/// Middleware: answer error bodies in English when the client asks for English.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let english = prefers_english(req.headers());
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !english {
        return Ok(res);
    }
    let body = res.response_mut().extensions_mut().remove::<EnglishBody>();
    Ok(match body {
        Some(EnglishBody(body)) => res.map_body(|head, _| {
            head.headers.remove(actix_web::http::header::CONTENT_LENGTH);
            BoxBody::new(body)
        }),
        None => res,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_column_from_either_backend() {
        assert_eq!(
            unique_column(None, None, "UNIQUE constraint failed: venues.name").as_deref(),
            Some("name")
        );
        assert_eq!(
            unique_column(Some("venues"), Some("venues_code_key"), "duplicate key").as_deref(),
            Some("code")
        );
    }
}
