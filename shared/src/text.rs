//! The one check on what may be in a person's text: control characters other than a line
//! break or a tab cannot be stored faithfully (PostgreSQL refuses NUL) nor printed, so the
//! server refuses them in every field, the apps refuse them as they are typed, and a
//! citizen's free text has them taken out rather than being refused.

use std::borrow::Cow;

/// A character no stored text may hold: a control character other than `\n` and `\t`.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Whether the text holds a character no stored text may hold.
pub fn has_control_chars(text: &str) -> bool {
    text.chars().any(is_forbidden)
}

/// The text with those characters taken out (borrowed when there were none).
pub fn without_control_chars(text: &str) -> Cow<'_, str> {
    if has_control_chars(text) {
        Cow::Owned(text.chars().filter(|c| !is_forbidden(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_stay_other_controls_go() {
        assert!(!has_control_chars("第一行\n第二行\t备注"));
        assert!(has_control_chars("a\0b"));
        assert!(has_control_chars("a\rb"));
        assert!(has_control_chars("bell\u{7}"));
        assert!(has_control_chars("\u{9b}csi"));
        assert_eq!(without_control_chars("a\0b\u{1b}c\nd"), "abc\nd");
        assert!(matches!(
            without_control_chars("clean"),
            Cow::Borrowed("clean")
        ));
    }
}
