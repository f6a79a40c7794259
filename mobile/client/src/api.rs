//! The one typed client of both apps: every call names its endpoint as declared in
//! `flowwalk_shared::endpoints` ([`Client::call`]), which gives the address (its segments
//! percent-encoded by `url`, its query by `serde_urlencoded`), the body and the answer's
//! type; nobody writes an API path. A refused access token is refreshed once and the call
//! sent again, whatever it carries (JSON, photo bytes, a printable page). Every failure is
//! sorted into "try again later" (no network, 5xx) or "refused" (a 4xx, with the server's
//! `ErrorCode`): the sync engine retries only the first kind, so a refused upload never
//! loops forever.

use std::cell::RefCell;
use std::rc::Rc;

use flowwalk_shared::api::auth::{
    LoginRequest, RedeemInviteRequest, RefreshRequest, TokenResponse,
};
use flowwalk_shared::api::issues::{
    EvidenceRequest, IssueQuery, IssueSort, IssueState, IssueSummary, Page,
};
use flowwalk_shared::endpoint::{
    self, Answer, Body, Bytes, Empty, Endpoint, File, Json, Method, NoBody, NoQuery, Raw,
};
use flowwalk_shared::endpoints::{self as ep, IdPath, Sha256Path};
use flowwalk_shared::sync::{PullQuery, PullResponse, PushRequest, PushResponse};
use flowwalk_shared::{ErrorBody, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, a timeout, a dropped connection. Retry later.
    Network(String),
    /// The server failed (5xx). Retry later.
    Server { status: u16 },
    /// The server asked to come back later (429, or 503 with `Retry-After`): a quota or a
    /// limit, not a refusal of the record. Retry after `retry_after_ms` (when given).
    Busy {
        status: u16,
        retry_after_ms: Option<i64>,
        body: Option<ErrorBody>,
    },
    /// The server refused the request (4xx). Final for this request.
    Refused { status: u16, body: ErrorBody },
}

impl ApiError {
    /// How long the server asked us to wait before coming back, when it said.
    pub fn retry_after_ms(&self) -> Option<i64> {
        match self {
            ApiError::Busy { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    pub fn is_retryable(&self) -> bool {
        !matches!(self, ApiError::Refused { .. })
    }

    /// The token was refused (expired, revoked): the records are fine, the session is not.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Refused { status: 401, .. })
    }

    /// The server refused the account itself, whatever the request: it was disabled
    /// (`account_disabled`), or a reset password must be replaced first
    /// (`password_change_required`). Nothing the request carried is at fault: it is kept and
    /// sent again once the account may work.
    pub fn account_refusal(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Refused { body, .. }
                if matches!(
                    body.code,
                    ErrorCode::AccountDisabled | ErrorCode::PasswordChangeRequired
                ) =>
            {
                Some(body.code)
            }
            _ => None,
        }
    }

    /// The field of the request the server named, when it refused one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Refused { body, .. } => body.field.as_deref(),
            _ => None,
        }
    }

    /// The server's code, when it refused (or asked to wait) with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Refused { body, .. }
            | ApiError::Busy {
                body: Some(body), ..
            } => Some(body.code),
            _ => None,
        }
    }

    /// No session to send: the user has to log in (again).
    pub fn logged_out() -> ApiError {
        ApiError::Refused {
            status: 401,
            body: ErrorBody {
                code: ErrorCode::Unauthenticated,
                message: "请重新登录".into(),
                field: None,
            },
        }
    }

    /// For the screen.
    pub fn describe(&self) -> String {
        match self {
            ApiError::Network(_) => "网络不可用,稍后自动重试".into(),
            ApiError::Server { status } => format!("服务器暂时出错({status}),稍后自动重试"),
            ApiError::Busy { body: Some(b), .. } => format!("{},稍后自动重试", b.message),
            ApiError::Busy { .. } => "服务器繁忙,稍后自动重试".into(),
            ApiError::Refused { body, .. } => body.message.clone(),
        }
    }
}

/// How a declared request body goes on the wire.
pub trait SendBody: Body {
    fn attach(
        value: &Self::Value,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError>;
}

impl<T: Serialize> SendBody for Json<T> {
    fn attach(
        value: &T,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        Ok(request.json(value))
    }
}

impl SendBody for NoBody {
    fn attach(
        _: &(),
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        Ok(request)
    }
}

impl SendBody for Raw {
    fn attach(
        value: &Bytes,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        Ok(request
            .header(reqwest::header::CONTENT_TYPE, value.content_type.as_str())
            .body(value.bytes.clone()))
    }
}

/// How a declared answer is read off an accepted response.
#[allow(async_fn_in_trait)]
pub trait ReadAnswer: Answer {
    async fn read(response: reqwest::Response) -> Result<Self::Value, ApiError>;
}

fn unreadable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Network(format!("unreadable answer: {e}"))
}

impl<T: DeserializeOwned> ReadAnswer for Json<T> {
    async fn read(response: reqwest::Response) -> Result<T, ApiError> {
        if response.status().as_u16() == 204 {
            // No body: only a type that reads `null` (`()`, an `Option`) accepts it.
            return serde_json::from_value(serde_json::Value::Null).map_err(unreadable);
        }
        response.json::<T>().await.map_err(unreadable)
    }
}

impl ReadAnswer for Empty {
    async fn read(_: reqwest::Response) -> Result<(), ApiError> {
        Ok(())
    }
}

impl ReadAnswer for File {
    async fn read(response: reqwest::Response) -> Result<Bytes, ApiError> {
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response.bytes().await.map_err(unreadable)?;
        Ok(Bytes {
            content_type,
            bytes: bytes.to_vec(),
        })
    }
}

/// An endpoint the client can call: its body can be sent and its answer read (every
/// declared endpoint is one).
pub trait Call: Endpoint<Body: SendBody, Answer: ReadAnswer> {}

impl<E: Endpoint<Body: SendBody, Answer: ReadAnswer>> Call for E {}

/// What a call of `E` carries.
pub type BodyOf<E> = <<E as Endpoint>::Body as Body>::Value;

/// What a call of `E` answers.
pub type AnswerOf<E> = <<E as Endpoint>::Answer as Answer>::Value;

/// The address of a call: the server's base, the declared path with its placeholders
/// filled (each segment percent-encoded, so a value holding `/` or `?` stays one segment),
/// and the query.
pub fn url<E: Endpoint>(
    base: &str,
    path: &E::Path,
    query: &E::Query,
) -> Result<reqwest::Url, ApiError> {
    let bad = |why: String| ApiError::Network(format!("bad address: {why}"));
    let mut url = reqwest::Url::parse(base).map_err(|e| bad(e.to_string()))?;
    let segments = endpoint::segments(E::PATH, path).map_err(|e| bad(e.to_string()))?;
    {
        let mut out = url.path_segments_mut().map_err(|()| bad(base.to_owned()))?;
        out.pop_if_empty();
        for s in &segments {
            out.push(s.as_str());
        }
    }
    let query = serde_urlencoded::to_string(query).map_err(|e| bad(e.to_string()))?;
    url.set_query((!query.is_empty()).then_some(query.as_str()));
    Ok(url)
}

/// Sorts a response into an accepted one or an [`ApiError`].
pub async fn accepted(
    res: Result<reqwest::Response, reqwest::Error>,
) -> Result<reqwest::Response, ApiError> {
    let res = res.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = res.status().as_u16();
    if res.status().is_success() {
        return Ok(res);
    }
    let retry_after_ms = res
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|secs| secs.clamp(0, 7 * 24 * 3600) * 1000);
    if status == 429 || (status == 503 && retry_after_ms.is_some()) {
        return Err(ApiError::Busy {
            status,
            retry_after_ms,
            body: res.json::<ErrorBody>().await.ok(),
        });
    }
    if status >= 500 {
        return Err(ApiError::Server { status });
    }
    match res.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Refused { status, body }),
        // A 4xx without our error body (a proxy's page): treat as a server problem.
        Err(_) => Err(ApiError::Server { status }),
    }
}

/// Told of every change of the session's tokens: `Some` after a refresh (store them),
/// `None` when the refresh was refused (the session is over).
pub type OnTokens = Rc<dyn Fn(Option<&TokenResponse>)>;

/// The session's tokens as the client holds them.
#[derive(Clone, Default)]
struct Tokens {
    access: String,
    /// None: this client does not refresh (the caller does, or there is no session).
    refresh: Option<String>,
}

/// The typed client: one server, one session.
#[derive(Clone)]
pub struct Client {
    base: String,
    tokens: Rc<RefCell<Tokens>>,
    http: reqwest::Client,
    on_tokens: Option<OnTokens>,
}

impl Client {
    /// Without a session (login, redeeming an invite).
    pub fn anonymous(base: &str) -> Client {
        Client::new(base, "", None)
    }

    /// With an access token; with a refresh token too, a 401 is answered by one refresh
    /// and the call sent again.
    pub fn new(base: &str, access_token: &str, refresh_token: Option<&str>) -> Client {
        Client {
            base: base.trim_end_matches('/').to_owned(),
            tokens: Rc::new(RefCell::new(Tokens {
                access: access_token.to_owned(),
                refresh: refresh_token.map(str::to_owned),
            })),
            http: reqwest::Client::new(),
            on_tokens: None,
        }
    }

    /// Calls `on_tokens` after each refresh (and when a refresh is refused).
    pub fn on_tokens(mut self, on_tokens: OnTokens) -> Client {
        self.on_tokens = Some(on_tokens);
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn access(&self) -> String {
        self.tokens.borrow().access.clone()
    }

    /// Uploads a prepared photo (a JPEG) under its SHA-256.
    pub async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        let body = Bytes {
            content_type: "image/jpeg".into(),
            bytes,
        };
        self.call(
            ep::photos::Put,
            &Sha256Path::new(sha256),
            &NoQuery {},
            &body,
        )
        .await
        .map(drop)
    }

    /// Calls `endpoint` with its path parameters, query and body.
    pub async fn call<E: Call>(
        &self,
        _endpoint: E,
        path: &E::Path,
        query: &E::Query,
        body: &BodyOf<E>,
    ) -> Result<AnswerOf<E>, ApiError> {
        let url = url::<E>(&self.base, path, query)?;
        let mut refreshed = false;
        loop {
            let res = self.send::<E>(url.clone(), body)?.send().await;
            match accepted(res).await {
                Ok(res) => return <E::Answer as ReadAnswer>::read(res).await,
                Err(e) if e.is_unauthorized() && !refreshed => {
                    let Some(refresh) = self.tokens.borrow().refresh.clone() else {
                        return Err(e);
                    };
                    refreshed = true;
                    if self.refresh_with(&refresh).await.is_err() {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn send<E>(
        &self,
        url: reqwest::Url,
        body: &<E::Body as Body>::Value,
    ) -> Result<reqwest::RequestBuilder, ApiError>
    where
        E: Endpoint,
        E::Body: SendBody,
    {
        let method = match E::METHOD {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self.http.request(method, url);
        let access = self.access();
        if !access.is_empty() {
            request = request.bearer_auth(access);
        }
        <E::Body as SendBody>::attach(body, request)
    }

    /// Trades the refresh token for new tokens (it is spent); the calls after carry the
    /// new access token. A refused refresh ends the session.
    async fn refresh_with(&self, refresh_token: &str) -> Result<TokenResponse, ApiError> {
        let request = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        // Sent directly, not through `call` (which would refresh on its 401 in turn).
        let url = url::<ep::auth::Refresh>(&self.base, &(), &NoQuery {})?;
        let sent = self.http.post(url).json(&request).send().await;
        let answer = match accepted(sent).await {
            Ok(res) => <Json<TokenResponse> as ReadAnswer>::read(res).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(tokens) => {
                {
                    let mut held = self.tokens.borrow_mut();
                    held.access = tokens.access_token.clone();
                    if held.refresh.is_some() {
                        held.refresh = Some(tokens.refresh_token.clone());
                    }
                }
                if let Some(f) = &self.on_tokens {
                    f(Some(&tokens));
                }
                Ok(tokens)
            }
            Err(e) => {
                if !e.is_retryable()
                    && let Some(f) = &self.on_tokens
                {
                    f(None);
                }
                Err(e)
            }
        }
    }
}

/// What the sync engine needs from the server.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError>;
    async fn pull(&self, cursor: &str) -> Result<PullResponse, ApiError>;
    async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError>;
    /// Trades a refresh token for new tokens (the old one is spent); the calls after a
    /// successful refresh carry the new access token.
    async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, ApiError>;
    /// A page of the department officer's issues awaiting a fix, earliest deadline first.
    async fn open_issues(&self, cursor: &str) -> Result<Page<IssueSummary>, ApiError>;
    /// Sends one round of evidence (its photos uploaded first).
    async fn submit_evidence(
        &self,
        issue_id: &str,
        request: &EvidenceRequest,
    ) -> Result<(), ApiError>;
}

/// The states in which a department officer submits evidence.
pub const OPEN_FOR_EVIDENCE: [IssueState; 2] = [IssueState::FixNow, IssueState::Ledger];

/// The real server, over HTTP, for the sync engine: the typed client without refreshing on
/// a 401 (the engine refreshes ahead of expiry through [`Transport::refresh`], the client's
/// one refresh, and stores the new tokens itself).
#[derive(Clone)]
pub struct HttpTransport {
    client: Client,
}

impl HttpTransport {
    pub fn new(base: &str, access_token: &str) -> Self {
        HttpTransport {
            client: Client::new(base, access_token, None),
        }
    }

    /// Logs in; the answer carries the tokens.
    pub async fn login(
        base: &str,
        username: &str,
        password: &str,
    ) -> Result<TokenResponse, ApiError> {
        let req = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        Client::anonymous(base)
            .call(ep::auth::Login, &(), &NoQuery {}, &req)
            .await
    }

    /// Redeems an invite code: creates the account and logs in.
    pub async fn redeem(
        base: &str,
        request: &RedeemInviteRequest,
    ) -> Result<TokenResponse, ApiError> {
        Client::anonymous(base)
            .call(ep::auth::Redeem, &(), &NoQuery {}, request)
            .await
    }
}

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
        self.client
            .call(ep::sync::Push, &(), &NoQuery {}, request)
            .await
    }

    async fn pull(&self, cursor: &str) -> Result<PullResponse, ApiError> {
        let query = PullQuery {
            cursor: Some(cursor.to_owned()),
        };
        self.client.call(ep::sync::Pull, &(), &query, &()).await
    }

    async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        self.client.put_photo(sha256, bytes).await
    }

    async fn open_issues(&self, cursor: &str) -> Result<Page<IssueSummary>, ApiError> {
        let mut query = IssueQuery {
            sort: Some(IssueSort::Deadline),
            limit: Some(200),
            cursor: (!cursor.is_empty()).then(|| cursor.to_owned()),
            ..IssueQuery::default()
        };
        query.set_states(&OPEN_FOR_EVIDENCE);
        self.client.call(ep::issues::List, &(), &query, &()).await
    }

    async fn submit_evidence(
        &self,
        issue_id: &str,
        request: &EvidenceRequest,
    ) -> Result<(), ApiError> {
        self.client
            .call(
                ep::issues::Evidence,
                &IdPath::new(issue_id),
                &NoQuery {},
                request,
            )
            .await
            .map(drop)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, ApiError> {
        self.client.refresh_with(refresh_token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_follow_the_declaration_and_encode_values() {
        let u = url::<ep::issues::Triage>("http://h:8080/", &IdPath::new("a/b c?"), &NoQuery {})
            .unwrap();
        assert_eq!(
            u.as_str(),
            "http://h:8080/api/v1/issues/a%2Fb%20c%3F/triage"
        );
        let mut q = IssueQuery {
            q: Some("排队 & 等".into()),
            limit: Some(50),
            ..IssueQuery::default()
        };
        q.set_states(&OPEN_FOR_EVIDENCE);
        let u = url::<ep::issues::List>("http://h:8080", &(), &q).unwrap();
        assert_eq!(
            u.as_str(),
            "http://h:8080/api/v1/issues?status=fix_now%2Cledger&q=%E6%8E%92%E9%98%9F+%26+%E7%AD%89&limit=50"
        );
        let u =
            url::<ep::sync::Pull>("http://h:8080/base", &(), &PullQuery { cursor: None }).unwrap();
        assert_eq!(u.as_str(), "http://h:8080/base/api/v1/sync/pull");
    }
}
