//! The HTTP client, over the shared API types. Every failure is sorted into "try again
//! later" (no network, 5xx) or "refused" (a 4xx, with the server's code): the sync engine
//! retries only the first kind, so a refused upload never loops forever.

use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::auth::{
    LoginRequest, RedeemInviteRequest, RefreshRequest, TokenResponse,
};
use flowwalk_shared::api::issues::{EvidenceRequest, IssueSummary, Page};
use flowwalk_shared::sync::{PullResponse, PushRequest, PushResponse};
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
pub const OPEN_FOR_EVIDENCE: &str = "fix_now,ledger";

/// The real server, over HTTP.
#[derive(Clone)]
pub struct HttpTransport {
    base: String,
    token: std::cell::RefCell<String>,
    client: reqwest::Client,
}

impl HttpTransport {
    pub fn new(base: &str, access_token: &str) -> Self {
        HttpTransport {
            base: base.trim_end_matches('/').to_owned(),
            token: std::cell::RefCell::new(access_token.to_owned()),
            client: reqwest::Client::new(),
        }
    }

    fn bearer(&self) -> String {
        self.token.borrow().clone()
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
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", base.trim_end_matches('/')))
            .json(&req)
            .send()
            .await;
        answer(res).await
    }

    /// Redeems an invite code: creates the account and logs in.
    pub async fn redeem(
        base: &str,
        request: &RedeemInviteRequest,
    ) -> Result<TokenResponse, ApiError> {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/redeem", base.trim_end_matches('/')))
            .json(request)
            .send()
            .await;
        answer(res).await
    }

    /// Trades a refresh token for new tokens (the old refresh token is spent).
    pub async fn refresh_at(base: &str, refresh_token: &str) -> Result<TokenResponse, ApiError> {
        let req = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        let res = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/auth/refresh",
                base.trim_end_matches('/')
            ))
            .json(&req)
            .send()
            .await;
        answer(res).await
    }
}

pub async fn answer<T: DeserializeOwned>(
    res: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, ApiError> {
    let res = res.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = res.status().as_u16();
    if status == 204 {
        // No body: only a type that reads `null` (`()`, an `Option`) accepts it.
        return serde_json::from_value(serde_json::Value::Null)
            .map_err(|e| ApiError::Network(format!("unreadable answer: {e}")));
    }
    if res.status().is_success() {
        return res
            .json::<T>()
            .await
            .map_err(|e| ApiError::Network(format!("unreadable answer: {e}")));
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

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
        let res = self
            .client
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(self.bearer())
            .json(request)
            .send()
            .await;
        answer(res).await
    }

    async fn pull(&self, cursor: &str) -> Result<PullResponse, ApiError> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/sync/pull", self.base),
            [("cursor", cursor)],
        )
        .map_err(|e| ApiError::Network(format!("bad server address: {e}")))?;
        let res = self.client.get(url).bearer_auth(self.bearer()).send().await;
        answer(res).await
    }

    async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        let res = self
            .client
            .put(format!("{}/api/v1/photos/{sha256}", self.base))
            .bearer_auth(self.bearer())
            .header("content-type", "image/jpeg")
            .body(bytes)
            .send()
            .await;
        answer::<serde_json::Value>(res).await.map(drop)
    }

    async fn open_issues(&self, cursor: &str) -> Result<Page<IssueSummary>, ApiError> {
        let mut params = vec![
            ("status", OPEN_FOR_EVIDENCE),
            ("sort", "deadline"),
            ("limit", "200"),
        ];
        if !cursor.is_empty() {
            params.push(("cursor", cursor));
        }
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/issues", self.base), params)
            .map_err(|e| ApiError::Network(format!("bad server address: {e}")))?;
        let res = self.client.get(url).bearer_auth(self.bearer()).send().await;
        answer(res).await
    }

    async fn submit_evidence(
        &self,
        issue_id: &str,
        request: &EvidenceRequest,
    ) -> Result<(), ApiError> {
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/issues", self.base))
            .map_err(|e| ApiError::Network(format!("bad server address: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| ApiError::Network("bad server address".into()))?
            .push(issue_id)
            .push("evidence");
        let res = self
            .client
            .post(url)
            .bearer_auth(self.bearer())
            .json(request)
            .send()
            .await;
        answer::<serde_json::Value>(res).await.map(drop)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, ApiError> {
        let tokens = Self::refresh_at(&self.base, refresh_token).await?;
        self.token.replace(tokens.access_token.clone());
        Ok(tokens)
    }
}
