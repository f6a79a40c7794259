//! What an endpoint is, so that each can be declared once ([`crate::endpoints`]) and both
//! sides follow the declaration: the server registers its handler under it (the compiler
//! checks the handler takes the declared path, query and body and answers the declared
//! type), and the apps call it through one typed client that builds the address from it.
//! A path changed here moves on both sides; a body type changed fails to compile on both.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// The values an endpoint's path placeholders (`{id}`) take.
pub trait PathParams {
    /// The value of the placeholder `{name}`.
    fn value(&self, name: &str) -> Option<&str>;
}

/// No placeholders.
impl PathParams for () {
    fn value(&self, _: &str) -> Option<&str> {
        None
    }
}

/// What a request carries.
pub trait Body {
    /// What the caller hands over.
    type Value;
}

/// What an answer carries.
pub trait Answer {
    /// What the caller gets.
    type Value;
}

/// A JSON body or answer of type `T`.
pub struct Json<T>(PhantomData<fn() -> T>);

impl<T> Body for Json<T> {
    type Value = T;
}

impl<T> Answer for Json<T> {
    type Value = T;
}

/// A request without a body.
pub struct NoBody;

impl Body for NoBody {
    type Value = ();
}

/// Bytes with their content type: a photo uploaded, a file imported, a page, a download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bytes {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A request whose body is a file (photo, CSV, XLSX, a form post), not JSON.
pub struct Raw;

impl Body for Raw {
    type Value = Bytes;
}

/// An answer that is a file (a photo variant, a printable page, a report download).
pub struct File;

impl Answer for File {
    type Value = Bytes;
}

/// An answer without a body (204).
pub struct Empty;

impl Answer for Empty {
    type Value = ();
}

/// No query parameters: any sent are ignored, as they always were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct NoQuery {}

/// One endpoint of the API, declared once (a zero-sized type per endpoint, see
/// [`crate::endpoints`]).
pub trait Endpoint: Copy + Default + Send + Sync + 'static {
    /// `resource.action`, stable: route names, metrics, tests and OpenAPI operation ids.
    const NAME: &'static str;
    const METHOD: Method;
    /// The full path with `{name}` placeholders: `/api/v1/issues/{id}/triage`.
    const PATH: &'static str;
    /// The placeholders' values.
    type Path: PathParams + Serialize + DeserializeOwned + 'static;
    /// The query string's parameters.
    type Query: Serialize + DeserializeOwned + 'static;
    type Body: Body;
    type Answer: Answer;
}

/// One endpoint as data, for tables and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    pub name: &'static str,
    pub method: Method,
    pub path: &'static str,
}

impl Info {
    pub const fn of<E: Endpoint>() -> Info {
        Info {
            name: E::NAME,
            method: E::METHOD,
            path: E::PATH,
        }
    }
}

/// One segment of a path, as it is to be sent (before percent-encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Literal(&'a str),
    Value(Cow<'a, str>),
}

impl Segment<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Segment::Literal(s) => s,
            Segment::Value(v) => v,
        }
    }
}

/// A placeholder the path parameters left without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingParam(pub String);

impl std::fmt::Display for MissingParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no value for the path parameter {{{}}}", self.0)
    }
}

impl std::error::Error for MissingParam {}

/// The segments of `path` (after its leading `/`) with each `{name}` filled from
/// `params`. Values are returned as they are: the client percent-encodes each segment
/// (a value holding `/` stays one segment).
pub fn segments<'a, P: PathParams>(
    path: &'a str,
    params: &'a P,
) -> Result<Vec<Segment<'a>>, MissingParam> {
    path.trim_start_matches('/')
        .split('/')
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => params
                    .value(name)
                    .map(|v| Segment::Value(Cow::Borrowed(v)))
                    .ok_or_else(|| MissingParam(name.to_owned())),
                None => Ok(Segment::Literal(part)),
            },
        )
        .collect()
}

/// The names of a path's placeholders, in order.
pub fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
        .collect()
}

/// Declares path-parameter structs: each field is one `{field}` of a path.
macro_rules! path_params {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident: String
            ),+ $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: String
            ),+
        }

        impl $crate::endpoint::PathParams for $name {
            fn value(&self, name: &str) -> Option<&str> {
                match name {
                    $(stringify!($field) => Some(&self.$field),)+
                    _ => None,
                }
            }
        }
    )*};
}

pub(crate) use path_params;

/// Declares endpoints, each a zero-sized type implementing [`Endpoint`], and the module's
/// list of them (`ALL`).
macro_rules! endpoints {
    ($(
        $(#[$meta:meta])*
        $name:ident = $method:ident $path:literal as $key:literal,
            $params:ty, $query:ty, $body:ty => $answer:ty;
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
            pub struct $name;

            impl $crate::endpoint::Endpoint for $name {
                const NAME: &'static str = $key;
                const METHOD: $crate::endpoint::Method = $crate::endpoint::Method::$method;
                const PATH: &'static str = $path;
                type Path = $params;
                type Query = $query;
                type Body = $body;
                type Answer = $answer;
            }
        )*

        /// Every endpoint of this module.
        pub const ALL: &[$crate::endpoint::Info] = &[
            $($crate::endpoint::Info::of::<$name>()),*
        ];
    };
}

pub(crate) use endpoints;

#[cfg(test)]
mod tests {
    use super::*;

    path_params! {
        pub struct Pair {
            pub campaign: String,
            pub venue: String,
        }
    }

    #[test]
    fn segments_fill_every_placeholder() {
        let p = Pair {
            campaign: "wopei-2026".into(),
            venue: "a/b c".into(),
        };
        let segs = segments("/q/{campaign}/{venue}/qr.svg", &p).unwrap();
        let texts: Vec<&str> = segs.iter().map(Segment::as_str).collect();
        assert_eq!(texts, ["q", "wopei-2026", "a/b c", "qr.svg"]);
        assert_eq!(
            segments("/api/v1/issues/{id}", &p),
            Err(MissingParam("id".into()))
        );
        assert_eq!(
            placeholders("/q/{campaign}/{venue}/qr.svg"),
            ["campaign", "venue"]
        );
        assert_eq!(
            segments("/healthz", &()).unwrap(),
            [Segment::Literal("healthz")]
        );
    }
}
