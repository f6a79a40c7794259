//! The one keyset cursor: where the next page of a list starts (its sort key and the row's
//! id), as opaque URL-safe text (base64 of the parts joined by `|`). Issue lists and the
//! review list use it; each says what its parts are and how a bad one is answered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;

/// How a time is written in a cursor: to the microsecond, as both backends store it.
const TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// A cursor of these parts (no part but the last may hold `|`).
pub fn encode(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("|"))
}

/// The `n` parts of a cursor (the last one takes the rest); `None` for anything that is not
/// one.
pub fn decode(text: &str, n: usize) -> Option<Vec<String>> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parts: Vec<String> = text.splitn(n, '|').map(str::to_owned).collect();
    (parts.len() == n).then_some(parts)
}

/// A time as a cursor part.
pub fn time(t: NaiveDateTime) -> String {
    t.format(TIME).to_string()
}

/// A cursor part read back as a time.
pub fn parse_time(part: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(part, TIME).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_go_in_and_come_out() {
        let c = encode(&["created", "2026-03-01T08:00:00.000001", "0190-a|b"]);
        assert_eq!(
            c,
            "Y3JlYXRlZHwyMDI2LTAzLTAxVDA4OjAwOjAwLjAwMDAwMXwwMTkwLWF8Yg"
        );
        assert_eq!(
            decode(&c, 3).unwrap(),
            vec!["created", "2026-03-01T08:00:00.000001", "0190-a|b"]
        );
        assert_eq!(decode(&encode(&["a", ""]), 2).unwrap(), vec!["a", ""]);
        assert_eq!(decode(&encode(&["a"]), 2), None);
        assert_eq!(decode("!!!", 2), None);
        let t = parse_time("2026-03-01T08:00:00.000001").unwrap();
        assert_eq!(time(t), "2026-03-01T08:00:00.000001");
        assert_eq!(parse_time("2026-03-01"), None);
    }
}
