//! Checks on the free text every resource takes — names, codes, usernames — in one place,
//! so the server refuses what the desk's forms already mark as they are filled in.

use crate::ErrorCode;
use crate::rules::Invalid;

/// The longest code (of a venue, department, scenario, questionnaire, …).
pub const MAX_CODE_LEN: usize = 64;

fn invalid(field: &str, zh: String, en: String) -> Invalid {
    Invalid::new(ErrorCode::InvalidValue, field, zh, en)
}

/// What the forms call the free-text fields these checks name: (field, 中文, English). A
/// message names the field in the reader's words; the `field` of the error keeps its wire
/// name for the form to mark.
const FIELD_LABELS: &[(&str, &str, &str)] = &[
    ("address", "地址", "Address"),
    ("code", "编码", "Code"),
    ("comment", "意见", "Comment"),
    ("conclusion", "结论", "Conclusion"),
    ("description", "描述", "Description"),
    ("display_name", "姓名", "Name"),
    ("id", "编号", "ID"),
    ("intro", "说明", "Introduction"),
    ("label", "选项文字", "Choice text"),
    ("name", "名称", "Name"),
    ("name_en", "英文名称", "English name"),
    ("name_zh", "中文名称", "Chinese name"),
    ("note", "说明", "Note"),
    ("organizer", "组织单位", "Organizer"),
    ("purpose", "调查目的", "Purpose"),
    ("reason", "理由", "Reason"),
    ("title", "标题", "Title"),
];

/// The field's name in the reader's words, by the last part of its path
/// (`questions[2].title` is a title); one not in the table is "this field".
pub fn field_label(field: &str) -> (&'static str, &'static str) {
    let last = field.rsplit('.').next().unwrap_or(field);
    FIELD_LABELS
        .iter()
        .find(|(name, _, _)| *name == last)
        .map_or(("该项", "This field"), |(_, zh, en)| (*zh, *en))
}

/// A trimmed, non-empty text of at most `max` characters, without control characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = optional_text(field, value, max)?;
    if v.is_empty() {
        let (zh, en) = field_label(field);
        return Err(invalid(
            field,
            format!("{zh}不能为空"),
            format!("{en} must not be empty"),
        ));
    }
    Ok(v)
}

/// Like [`text`] but may be empty.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    let (zh, en) = field_label(field);
    if v.chars().count() > max {
        return Err(invalid(
            field,
            format!("{zh}不能超过 {max} 个字符"),
            format!("{en} must be at most {max} characters"),
        ));
    }
    if crate::text::has_control_chars(v) {
        return Err(invalid(
            field,
            format!("{zh}含有无法保存的控制字符"),
            format!("{en} contains control characters"),
        ));
    }
    Ok(v.to_owned())
}

/// A short identifier: 1–64 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
pub fn code(field: &str, value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.len() <= MAX_CODE_LEN
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if !ok {
        let (zh, en) = field_label(field);
        return Err(invalid(
            field,
            format!("{zh}只能包含小写字母、数字、- 和 _,长度 1–64"),
            format!("{en} must be 1–64 characters of a-z, 0-9, - and _"),
        ));
    }
    Ok(v.to_owned())
}

/// The fewest and the most characters a password may have.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;
/// The password every demo account is created with (printed by `./scripts/demo`): never
/// accepted as a password anyone sets.
pub const DEMO_PASSWORD: &str = "flowwalk-demo";

/// A new password for the account `username`: 8–128 characters, not the username, not the
/// demo password.
pub fn password(field: &str, username: &str, value: &str) -> Result<(), Invalid> {
    let n = value.chars().count();
    let refuse = |zh: &'static str, en: &'static str| {
        Err(Invalid::new(ErrorCode::InvalidValue, field, zh, en))
    };
    if n < *PASSWORD_CHARS.start() {
        return refuse(
            "密码至少需要 8 个字符",
            "Password needs at least 8 characters",
        );
    }
    if n > *PASSWORD_CHARS.end() {
        return refuse(
            "密码不能超过 128 个字符",
            "Password must be at most 128 characters",
        );
    }
    if value.trim().eq_ignore_ascii_case(username.trim()) {
        return refuse(
            "密码不能与用户名相同",
            "The password cannot be the username",
        );
    }
    if value == DEMO_PASSWORD {
        return refuse(
            "不能使用演示密码,请另设密码",
            "The demo password cannot be used; choose another",
        );
    }
    Ok(())
}

/// A username: 3–64 characters of letters, digits, `.`, `-`, `_`.
pub fn username(value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    let n = v.chars().count();
    if !(3..=64).contains(&n)
        || !v
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(Invalid::new(
            ErrorCode::InvalidValue,
            "username",
            "用户名需为 3–64 个字符,只能包含字母、数字、.、- 和 _",
            "Username must be 3–64 characters of letters, digits, '.', '-' and '_'",
        ));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_usernames() {
        assert_eq!(text("name", "  天宁区 ", 10).unwrap(), "天宁区");
        assert!(text("name", "   ", 10).is_err());
        assert!(text("name", "一二三四五", 5).is_ok());
        assert!(text("name", "一二三四五六", 5).is_err());
        assert!(text("name", "a\u{0}b", 5).is_err());
        assert_eq!(optional_text("note", "  ", 5).unwrap(), "");
        assert_eq!(code("code", "open-business_2").unwrap(), "open-business_2");
        assert!(code("code", "Open").is_err());
        assert!(code("code", "-x").is_err());
        assert!(code("code", &"a".repeat(65)).is_err());
        assert_eq!(username("wang.fang").unwrap(), "wang.fang");
        assert!(username("ab").is_err());
        assert!(username("a b c").is_err());
        assert!(password("password", "wang.fang", "correct horse").is_ok());
        assert!(password("password", "wang.fang", "short").is_err());
        assert!(password("password", "wang.fang", &"长".repeat(129)).is_err());
        assert!(password("password", "wang.fang", &"长".repeat(128)).is_ok());
        assert!(password("password", "wang.fang", "Wang.Fang").is_err());
        let e = password("new_password", "admin", "flowwalk-demo").unwrap_err();
        assert_eq!(e.field, "new_password");
        // Messages name the field in the reader's words, never its wire name.
        let e = text("comment", " ", 5).unwrap_err();
        assert_eq!(
            (e.zh.as_ref(), e.field.as_str()),
            ("意见不能为空", "comment")
        );
        assert_eq!(e.en, "Comment must not be empty");
        let e = text("questions[2].title", "一二三四五六", 5).unwrap_err();
        assert_eq!(e.zh, "标题不能超过 5 个字符");
        assert_eq!(e.field, "questions[2].title");
        assert_eq!(
            code("code", "X").unwrap_err().zh,
            "编码只能包含小写字母、数字、- 和 _,长度 1–64"
        );
        assert_eq!(text("whatever", "", 5).unwrap_err().zh, "该项不能为空");
        let e = text("name", "", 5).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            (ErrorCode::InvalidValue, "name")
        );
    }
}
