//! Stable error codes and the one error body every API answer uses.
//!
//! Clients switch on `code` (never on the message, which is for people and may change);
//! `field` names the input that was wrong, as a JSON path when the body was at fault.

use serde::{Deserialize, Serialize};

/// A stable, snake_case error code. Adding codes is fine; renaming one breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Request shape
    InvalidJson,
    MissingField,
    UnknownField,
    InvalidType,
    InvalidValue,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidQuery,
    InvalidPath,
    // Resources
    NotFound,
    MethodNotAllowed,
    Duplicate,
    UnknownReference,
    Conflict,
    // Authentication and authorisation
    Unauthenticated,
    InvalidToken,
    TokenExpired,
    InvalidCredentials,
    AccountDisabled,
    RefreshTokenInvalid,
    RefreshTokenReused,
    Forbidden,
    TooManyAttempts,
    InviteInvalid,
    // Sync and photos
    UnsupportedProtocol,
    ContentHashMismatch,
    InvalidTiming,
    ClockImplausible,
    RevisionNotAllowed,
    InvalidState,
    PhotoHashMismatch,
    PhotoTooLarge,
    PhotoNotAnImage,
    PhotoCorrupt,
    PhotoTooManyPixels,
    // Issues
    VersionConflict,
    ConflictOfInterest,
    PanelIncomplete,
    AppealUsed,
    ImportRejected,
    /// The account's daily photo upload quota is used up; retry after `Retry-After`.
    PhotoQuotaExceeded,
    // Server side
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    /// The snake_case form, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidJson => "invalid_json",
            MissingField => "missing_field",
            UnknownField => "unknown_field",
            InvalidType => "invalid_type",
            InvalidValue => "invalid_value",
            UnsupportedMediaType => "unsupported_media_type",
            PayloadTooLarge => "payload_too_large",
            InvalidQuery => "invalid_query",
            InvalidPath => "invalid_path",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            Duplicate => "duplicate",
            UnknownReference => "unknown_reference",
            Conflict => "conflict",
            Unauthenticated => "unauthenticated",
            InvalidToken => "invalid_token",
            TokenExpired => "token_expired",
            InvalidCredentials => "invalid_credentials",
            AccountDisabled => "account_disabled",
            RefreshTokenInvalid => "refresh_token_invalid",
            RefreshTokenReused => "refresh_token_reused",
            Forbidden => "forbidden",
            TooManyAttempts => "too_many_attempts",
            InviteInvalid => "invite_invalid",
            UnsupportedProtocol => "unsupported_protocol",
            ContentHashMismatch => "content_hash_mismatch",
            InvalidTiming => "invalid_timing",
            ClockImplausible => "clock_implausible",
            RevisionNotAllowed => "revision_not_allowed",
            InvalidState => "invalid_state",
            PhotoHashMismatch => "photo_hash_mismatch",
            PhotoTooLarge => "photo_too_large",
            PhotoNotAnImage => "photo_not_an_image",
            PhotoCorrupt => "photo_corrupt",
            PhotoTooManyPixels => "photo_too_many_pixels",
            VersionConflict => "version_conflict",
            ConflictOfInterest => "conflict_of_interest",
            PanelIncomplete => "panel_incomplete",
            AppealUsed => "appeal_used",
            ImportRejected => "import_rejected",
            PhotoQuotaExceeded => "photo_quota_exceeded",
            ServiceUnavailable => "service_unavailable",
            Internal => "internal",
        }
    }

    /// The HTTP status this code is always answered with.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidJson | MissingField | UnknownField | InvalidType | InvalidValue
            | InvalidQuery | InvalidPath => 400,
            UnsupportedMediaType => 415,
            PayloadTooLarge => 413,
            NotFound => 404,
            MethodNotAllowed => 405,
            Duplicate | Conflict => 409,
            UnknownReference => 422,
            Unauthenticated | InvalidToken | TokenExpired | InvalidCredentials
            | RefreshTokenInvalid | RefreshTokenReused => 401,
            AccountDisabled | Forbidden => 403,
            InviteInvalid | UnsupportedProtocol | ContentHashMismatch | InvalidTiming
            | ClockImplausible | PhotoHashMismatch => 400,
            PhotoNotAnImage | PhotoCorrupt | PhotoTooManyPixels => 422,
            PhotoTooLarge => 413,
            RevisionNotAllowed | InvalidState => 409,
            VersionConflict | AppealUsed => 409,
            ConflictOfInterest => 403,
            PanelIncomplete | ImportRejected => 422,
            TooManyAttempts | PhotoQuotaExceeded => 429,
            ServiceUnavailable => 503,
            Internal => 500,
        }
    }
}

impl ErrorCode {
    /// What to tell a person, in Chinese, when nothing more specific is known.
    pub fn default_message_zh(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidJson => "请求内容不是有效的 JSON",
            MissingField => "缺少必填项",
            UnknownField => "包含无法识别的字段",
            InvalidType => "字段类型不正确",
            InvalidValue => "字段取值无效",
            UnsupportedMediaType => "请求内容类型不受支持,请使用 application/json",
            PayloadTooLarge => "请求内容过大",
            InvalidQuery => "查询参数无效",
            InvalidPath => "路径参数无效",
            NotFound => "未找到该资源",
            MethodNotAllowed => "不支持该请求方法",
            Duplicate => "已存在同名或同编码的记录",
            UnknownReference => "引用的记录不存在",
            Conflict => "与现有数据冲突",
            Unauthenticated => "请先登录",
            InvalidToken => "登录凭证无效,请重新登录",
            TokenExpired => "登录已过期,请重新登录",
            InvalidCredentials => "用户名或密码错误",
            AccountDisabled => "账号已停用",
            RefreshTokenInvalid => "刷新凭证无效或已过期,请重新登录",
            RefreshTokenReused => "刷新凭证已被使用,为安全起见已注销该登录,请重新登录",
            Forbidden => "没有权限执行此操作",
            TooManyAttempts => "尝试次数过多,请稍后再试",
            InviteInvalid => "邀请码无效、已使用或已过期",
            UnsupportedProtocol => "同步协议版本不受支持,请更新应用",
            ContentHashMismatch => "记录内容校验值不符,数据可能在传输中损坏",
            InvalidTiming => "时间记录不合理(例如结束早于开始)",
            ClockImplausible => "手机时间明显有误,请校准手机时间后重试",
            RevisionNotAllowed => "该体验记录当前不能提交新版本",
            InvalidState => "当前状态下不能执行此操作",
            PhotoHashMismatch => "照片内容与校验值不符,请重新上传",
            PhotoTooLarge => "照片文件过大",
            PhotoNotAnImage => "文件不是支持的图片格式(JPEG、PNG、WebP)",
            PhotoCorrupt => "照片文件已损坏或不完整,请重新上传",
            PhotoTooManyPixels => "照片像素尺寸过大",
            VersionConflict => "该问题已被他人更新,请刷新后再操作",
            ConflictOfInterest => {
                "您与该问题存在利害关系(所属责任部门或提交了整改佐证),不能参与验收"
            }
            PanelIncomplete => "验收团成员未覆盖全部必需的组成方",
            AppealUsed => "该问题已申诉过一次,不能再次申诉",
            ImportRejected => "导入文件有错误行,未导入任何数据",
            PhotoQuotaExceeded => "今日照片上传量已达上限,请明天再上传",
            ServiceUnavailable => "服务暂时不可用,请稍后再试",
            Internal => "服务器内部错误,请稍后再试",
        }
    }

    /// The English counterpart of [`ErrorCode::default_message_zh`].
    pub fn default_message_en(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidJson => "The request body is not valid JSON",
            MissingField => "A required field is missing",
            UnknownField => "The request contains an unknown field",
            InvalidType => "A field has the wrong type",
            InvalidValue => "A field has an invalid value",
            UnsupportedMediaType => "Unsupported content type; send application/json",
            PayloadTooLarge => "The request body is too large",
            InvalidQuery => "Invalid query parameters",
            InvalidPath => "Invalid path parameter",
            NotFound => "Not found",
            MethodNotAllowed => "Method not allowed",
            Duplicate => "A record with the same name or code already exists",
            UnknownReference => "A referenced record does not exist",
            Conflict => "Conflicts with existing data",
            Unauthenticated => "Please log in",
            InvalidToken => "Invalid credentials; please log in again",
            TokenExpired => "Your session has expired; please log in again",
            InvalidCredentials => "Wrong username or password",
            AccountDisabled => "This account is disabled",
            RefreshTokenInvalid => "Refresh token invalid or expired; please log in again",
            RefreshTokenReused => {
                "Refresh token already used; that login was revoked for safety, log in again"
            }
            Forbidden => "You are not allowed to do this",
            TooManyAttempts => "Too many attempts; try again later",
            InviteInvalid => "Invite code invalid, used or expired",
            UnsupportedProtocol => "Unsupported sync protocol version; update the app",
            ContentHashMismatch => "Content hash does not match the record",
            InvalidTiming => "Implausible times (e.g. an end before its start)",
            ClockImplausible => "The phone's clock is clearly wrong; set it and retry",
            RevisionNotAllowed => "A new revision of this walkthrough is not allowed now",
            InvalidState => "Not possible in the current state",
            PhotoHashMismatch => "Photo bytes do not match their SHA-256; upload again",
            PhotoTooLarge => "Photo file too large",
            PhotoNotAnImage => "Not a supported image (JPEG, PNG, WebP)",
            PhotoCorrupt => "Photo is corrupt or truncated; upload again",
            PhotoTooManyPixels => "Photo has too many pixels",
            VersionConflict => "Someone else changed this issue first; reload and try again",
            ConflictOfInterest => {
                "You have a conflict of interest (responsible department or evidence submitter)"
            }
            PanelIncomplete => "The panel does not cover every required constituency",
            AppealUsed => "This issue was appealed once already",
            ImportRejected => "The file has bad rows; nothing was imported",
            PhotoQuotaExceeded => "Today's photo upload quota is used up; upload again tomorrow",
            ServiceUnavailable => "Service temporarily unavailable; try again later",
            Internal => "Internal server error; try again later",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// For people; in the language the request asked for (zh-CN by default).
    pub message: String,
    /// The offending input: a JSON path such as `steps[2].standard_minutes`, or a query or
    /// path parameter's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_snake_case_names() {
        for code in [
            ErrorCode::InvalidJson,
            ErrorCode::RefreshTokenReused,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
