//! Every enum that travels as text — on the wire, in a database column, in a query string —
//! is declared once with [`text_enum!`]: its wire name, its Chinese label (the words of the
//! printed forms) and its English label side by side, so the server, the phone, the desk and
//! the printed pages read the same table. Parsing is strict: an unknown text is an error,
//! never a default.

use serde::{Deserialize, Serialize};

/// The two languages of every screen and message: Chinese (the default) and English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// A text enum's label in this language (its table's word: `lang.label(severity)`).
    pub fn label<T: TextEnum>(self, value: T) -> &'static str {
        value.label(self)
    }
}

/// A text that names no value of the enum it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enum's name (`IssueState`).
    pub kind: &'static str,
    pub text: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {}: {:?}", self.kind, self.text)
    }
}

impl std::error::Error for UnknownValue {}

/// What every text enum offers, for code generic over them (a database column, a query
/// parameter, a label table).
pub trait TextEnum: Copy + Eq + 'static {
    /// The enum's name (`IssueState`).
    const KIND: &'static str;
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The wire (and column) name, `fix_now`.
    fn as_str(self) -> &'static str;
    /// The label in one language.
    fn label(self, lang: Lang) -> &'static str;
    /// Strict: `None` for a text that names no value.
    fn parse(text: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.as_str() == text)
    }
}

/// Declares an enum carried as text:
///
/// ```ignore
/// text_enum! {
///     /// How grave a finding is.
///     pub enum Severity {
///         Low = "low" / "一般" / "Minor",
///         …
///     }
/// }
/// ```
///
/// It gets serde (the wire name), `ALL`, `as_str`, strict `parse` and `FromStr`,
/// `label_zh`, `label_en`, `label(lang)`, `Display` (the wire name), the OpenAPI schema
/// (feature `openapi`) and the diesel conversions to and from a text column on every backend
/// (feature `diesel`).
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $text:literal / $zh:literal / $en:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        // The wire names are the variants in snake_case (`rename_all`, which the OpenAPI
        // schema follows too); a test holds every `as_str` to what serde writes.
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(
            feature = "diesel",
            derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
            diesel(sql_type = diesel::sql_types::Text)
        )]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant
            ),*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// The wire (and column) name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// Strict: an unknown value is `None`, never a default.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.into_iter().find(|v| v.as_str() == text)
            }

            /// The Chinese label, as the printed forms say it.
            pub const fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh),*
                }
            }

            pub const fn label_en(self) -> &'static str {
                match self {
                    $($name::$variant => $en),*
                }
            }

            pub const fn label(self, lang: $crate::text_enum::Lang) -> &'static str {
                match lang {
                    $crate::text_enum::Lang::Zh => self.label_zh(),
                    $crate::text_enum::Lang::En => self.label_en(),
                }
            }
        }

        impl $crate::text_enum::TextEnum for $name {
            const KIND: &'static str = stringify!($name);
            fn all() -> &'static [Self] {
                &Self::ALL
            }
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn label(self, lang: $crate::text_enum::Lang) -> &'static str {
                $name::label(self, lang)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text).ok_or_else(|| $crate::text_enum::UnknownValue {
                    kind: stringify!($name),
                    text: text.to_owned(),
                })
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text enum of the crate: serde (which writes the wire and the OpenAPI schema)
    /// and `as_str` (which writes columns and query strings) name each value alike, and
    /// `parse` reads it back.
    #[test]
    fn serde_and_the_table_agree_for_every_enum() {
        fn agree<T: TextEnum + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug>() {
            for v in T::all() {
                let json = serde_json::to_string(v).unwrap();
                assert_eq!(json, format!("\"{}\"", v.as_str()), "{}", T::KIND);
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *v);
                assert_eq!(T::parse(v.as_str()), Some(*v));
            }
        }
        use crate::api::assignments::{AssignmentStatus, WalkMode};
        use crate::api::issues::{
            Actor, Constituency, IssueAction, IssueSort, IssueSource, IssueState, RoutedBy, Track,
            TriageDecision,
        };
        use crate::api::reports::{NotificationKind, ReportGroup};
        use crate::api::scenarios::Channel;
        use crate::api::surveys::{
            CandidateKind, CandidateStatus, ExportFormat, ExportPart, QuestionKind, ResponseSource,
            ScalePreset,
        };
        use crate::api::venues::VenueLevel;
        use crate::sync::{ChangeKind, PushStatus, ReviewStatus};
        use crate::taxonomy::{CategoryGroup, Satisfaction, Smoothness};
        use crate::walkthrough::{CommendationKind, Severity, StepOutcome, UnplannedKind};
        agree::<crate::Role>();
        agree::<crate::ErrorCode>();
        agree::<AssignmentStatus>();
        agree::<WalkMode>();
        agree::<Actor>();
        agree::<ChangeKind>();
        agree::<Constituency>();
        agree::<IssueAction>();
        agree::<IssueSort>();
        agree::<IssueSource>();
        agree::<IssueState>();
        agree::<RoutedBy>();
        agree::<Track>();
        agree::<TriageDecision>();
        agree::<NotificationKind>();
        agree::<ReportGroup>();
        agree::<Channel>();
        agree::<CandidateKind>();
        agree::<CandidateStatus>();
        agree::<ExportFormat>();
        agree::<ExportPart>();
        agree::<QuestionKind>();
        agree::<ResponseSource>();
        agree::<ScalePreset>();
        agree::<VenueLevel>();
        agree::<PushStatus>();
        agree::<ReviewStatus>();
        agree::<CategoryGroup>();
        agree::<Satisfaction>();
        agree::<Smoothness>();
        agree::<CommendationKind>();
        agree::<Severity>();
        agree::<StepOutcome>();
        agree::<UnplannedKind>();
    }

    text_enum! {
        /// A test enum.
        pub enum Weather {
            Sunny = "sunny" / "晴" / "Sunny",
            HeavyRain = "heavy_rain" / "大雨" / "Heavy rain",
        }
    }

    #[test]
    fn names_labels_and_strict_parsing() {
        assert_eq!(Weather::ALL, [Weather::Sunny, Weather::HeavyRain]);
        assert_eq!(Weather::HeavyRain.as_str(), "heavy_rain");
        assert_eq!(Weather::HeavyRain.label(Lang::Zh), "大雨");
        assert_eq!(Weather::HeavyRain.label(Lang::En), "Heavy rain");
        assert_eq!(Lang::En.label(Weather::Sunny), "Sunny");
        assert_eq!(Lang::Zh.label(Weather::Sunny), "晴");
        assert_eq!(Weather::parse("heavy_rain"), Some(Weather::HeavyRain));
        assert_eq!(Weather::parse("HeavyRain"), None);
        assert_eq!(Weather::parse(""), None);
        let err = "snow".parse::<Weather>().unwrap_err();
        assert_eq!(err.to_string(), "unknown Weather: \"snow\"");
        assert_eq!(
            serde_json::to_string(&Weather::HeavyRain).unwrap(),
            "\"heavy_rain\""
        );
        assert!(serde_json::from_str::<Weather>("\"heavy rain\"").is_err());
        assert_eq!(<Weather as TextEnum>::KIND, "Weather");
    }
}
