//! Stable error codes and the one error body every API answer uses.
//!
//! Clients switch on `code` (never on the message, which is for people and may change);
//! `field` names the input that was wrong, as a JSON path when the body was at fault.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

text_enum! {
    /// A stable, snake_case error code. Adding codes is fine; renaming one breaks clients.
    /// Its labels are what to tell a person when nothing more specific is known.
    pub enum ErrorCode {
        // Request shape
        InvalidJson = "invalid_json"
            / "请求内容不是有效的 JSON"
            / "The request body is not valid JSON",
        MissingField = "missing_field"
            / "缺少必填项"
            / "A required field is missing",
        UnknownField = "unknown_field"
            / "包含无法识别的字段"
            / "The request contains an unknown field",
        InvalidType = "invalid_type"
            / "字段类型不正确"
            / "A field has the wrong type",
        InvalidValue = "invalid_value"
            / "字段取值无效"
            / "A field has an invalid value",
        UnsupportedMediaType = "unsupported_media_type"
            / "请求内容类型不受支持,请使用 application/json"
            / "Unsupported content type; send application/json",
        PayloadTooLarge = "payload_too_large"
            / "请求内容过大"
            / "The request body is too large",
        InvalidQuery = "invalid_query"
            / "查询参数无效"
            / "Invalid query parameters",
        InvalidPath = "invalid_path"
            / "路径参数无效"
            / "Invalid path parameter",
        // Resources
        NotFound = "not_found"
            / "未找到该资源"
            / "Not found",
        MethodNotAllowed = "method_not_allowed"
            / "不支持该请求方法"
            / "Method not allowed",
        Duplicate = "duplicate"
            / "已存在同名或同编码的记录"
            / "A record with the same name or code already exists",
        UnknownReference = "unknown_reference"
            / "引用的记录不存在"
            / "A referenced record does not exist",
        Conflict = "conflict"
            / "与现有数据冲突"
            / "Conflicts with existing data",
        // Authentication and authorisation
        Unauthenticated = "unauthenticated"
            / "请先登录"
            / "Please log in",
        InvalidToken = "invalid_token"
            / "登录凭证无效,请重新登录"
            / "Invalid credentials; please log in again",
        TokenExpired = "token_expired"
            / "登录已过期,请重新登录"
            / "Your session has expired; please log in again",
        InvalidCredentials = "invalid_credentials"
            / "用户名或密码错误"
            / "Wrong username or password",
        AccountDisabled = "account_disabled"
            / "账号已停用"
            / "This account is disabled",
        RefreshTokenInvalid = "refresh_token_invalid"
            / "刷新凭证无效或已过期,请重新登录"
            / "Refresh token invalid or expired; please log in again",
        RefreshTokenReused = "refresh_token_reused"
            / "刷新凭证已被使用,为安全起见已注销该登录,请重新登录"
            / "Refresh token already used; that login was revoked for safety, log in again",
        Forbidden = "forbidden"
            / "没有权限执行此操作"
            / "You are not allowed to do this",
        TooManyAttempts = "too_many_attempts"
            / "尝试次数过多,请稍后再试"
            / "Too many attempts; try again later",
        InviteInvalid = "invite_invalid"
            / "邀请码无效、已使用或已过期"
            / "Invite code invalid, used or expired",
        PasswordChangeRequired = "password_change_required"
            / "请先设置新密码"
            / "Set a new password first",
        LastAdmin = "last_admin"
            / "不能停用最后一个启用的管理员账号,也不能取消其管理员角色"
            / "The last active admin cannot be deactivated or lose the admin role",
        // Sync and photos
        UnsupportedProtocol = "unsupported_protocol"
            / "同步协议版本不受支持,请更新应用"
            / "Unsupported sync protocol version; update the app",
        ContentHashMismatch = "content_hash_mismatch"
            / "记录内容校验值不符,数据可能在传输中损坏"
            / "Content hash does not match the record",
        InvalidTiming = "invalid_timing"
            / "时间记录不合理(例如结束早于开始)"
            / "Implausible times (e.g. an end before its start)",
        ClockImplausible = "clock_implausible"
            / "手机时间明显有误,请校准手机时间后重试"
            / "The phone's clock is clearly wrong; set it and retry",
        RevisionNotAllowed = "revision_not_allowed"
            / "该体验记录当前不能提交新版本"
            / "A new revision of this walkthrough is not allowed now",
        InvalidState = "invalid_state"
            / "当前状态下不能执行此操作"
            / "Not possible in the current state",
        PhotoHashMismatch = "photo_hash_mismatch"
            / "照片内容与校验值不符,请重新上传"
            / "Photo bytes do not match their SHA-256; upload again",
        PhotoTooLarge = "photo_too_large"
            / "照片文件过大"
            / "Photo file too large",
        PhotoNotAnImage = "photo_not_an_image"
            / "文件不是支持的图片格式(JPEG、PNG、WebP)"
            / "Not a supported image (JPEG, PNG, WebP)",
        PhotoCorrupt = "photo_corrupt"
            / "照片文件已损坏或不完整,请重新上传"
            / "Photo is corrupt or truncated; upload again",
        PhotoTooManyPixels = "photo_too_many_pixels"
            / "照片像素尺寸过大"
            / "Photo has too many pixels",
        // Issues
        VersionConflict = "version_conflict"
            / "该问题已被他人更新,请刷新后再操作"
            / "Someone else changed this issue first; reload and try again",
        ConflictOfInterest = "conflict_of_interest"
            / "您与该问题存在利害关系(所属责任部门或提交了整改佐证),不能参与验收"
            / "You have a conflict of interest (responsible department or evidence submitter)",
        PanelIncomplete = "panel_incomplete"
            / "验收团成员未覆盖全部必需的组成方"
            / "The panel does not cover every required constituency",
        AppealUsed = "appeal_used"
            / "该问题已申诉过一次,不能再次申诉"
            / "This issue was appealed once already",
        ImportRejected = "import_rejected"
            / "导入文件有错误行,未导入任何数据"
            / "The file has bad rows; nothing was imported",
        /// The account's daily photo upload quota is used up; retry after `Retry-After`.
        PhotoQuotaExceeded = "photo_quota_exceeded"
            / "今日照片上传量已达上限,请明天再上传"
            / "Today's photo upload quota is used up; upload again tomorrow",
        // Server side
        ServiceUnavailable = "service_unavailable"
            / "服务暂时不可用,请稍后再试"
            / "Service temporarily unavailable; try again later",
        Internal = "internal"
            / "服务器内部错误,请稍后再试"
            / "Internal server error; try again later",
    }
}

impl ErrorCode {
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
            AccountDisabled | Forbidden | PasswordChangeRequired => 403,
            LastAdmin => 409,
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
    pub const fn default_message_zh(self) -> &'static str {
        self.label_zh()
    }

    /// The English counterpart of [`ErrorCode::default_message_zh`].
    pub const fn default_message_en(self) -> &'static str {
        self.label_en()
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

    /// Every code, against the agreed table (`error_codes.tsv`): its wire name (also as
    /// serde writes and reads it), its status and both messages. A code renamed, a status or
    /// message changed, a code added or dropped: this fails until the table says so too.
    #[test]
    fn every_code_matches_the_agreed_table() {
        let agreed: Vec<Vec<&str>> = include_str!("error_codes.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').collect())
            .collect();
        assert_eq!(
            agreed.len(),
            ErrorCode::ALL.len(),
            "codes in the table vs the enum"
        );
        for (code, row) in ErrorCode::ALL.into_iter().zip(&agreed) {
            let [wire, status, zh, en] = row[..] else {
                panic!("a table row has four columns: {row:?}");
            };
            assert_eq!(code.as_str(), wire);
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{wire}\""));
            assert_eq!(
                serde_json::from_str::<ErrorCode>(&format!("\"{wire}\"")).unwrap(),
                code
            );
            assert_eq!(code.http_status().to_string(), status, "{wire}");
            assert_eq!(code.default_message_zh(), zh, "{wire}");
            assert_eq!(code.default_message_en(), en, "{wire}");
        }
    }
}
