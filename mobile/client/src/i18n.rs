//! The app speaks zh-CN by default and English on request. Strings sit next to their use
//! as `lang.t("中文", "English")`; the labels of the shared enums come from their
//! `text_enum!` tables in the shared crate (`lang.label(value)`), the words the server and
//! the printed forms use too. The language is the shared crate's one [`Lang`].

pub use flowwalk_shared::text_enum::Lang;

/// "3分05秒" / "3 min 05 s" for a duration in ms; hours when long.
pub fn duration(lang: Lang, ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    match (lang, h) {
        (Lang::Zh, 0) => format!("{m}分{s:02}秒"),
        (Lang::Zh, _) => format!("{h}小时{m:02}分"),
        (Lang::En, 0) => format!("{m} min {s:02} s"),
        (Lang::En, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Lang::Zh, 185_000), "3分05秒");
        assert_eq!(duration(Lang::En, 185_000), "3 min 05 s");
        assert_eq!(duration(Lang::Zh, 3_900_000), "1小时05分");
        assert_eq!(Lang::default().t("是", "yes"), "是");
    }

    /// Phones keep the chosen language in their stored settings as `"zh"` / `"en"`: the
    /// shared type reads and writes exactly that.
    #[test]
    fn the_stored_language_still_reads() {
        assert_eq!(serde_json::from_str::<Lang>(r#""zh""#).unwrap(), Lang::Zh);
        assert_eq!(serde_json::from_str::<Lang>(r#""en""#).unwrap(), Lang::En);
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), r#""en""#);
        assert!(serde_json::from_str::<Lang>(r#""En""#).is_err());
    }
}
