//! The server's side of the endpoint declarations in `flowwalk_shared::endpoints`: what a
//! handler receives ([`In`]: the declared path parameters, query and body, read with the
//! same precise errors as everywhere) and what it answers ([`Reply`] of the declared type).
//! The route table only accepts a handler whose last argument is `In<E>` and whose answer
//! is `Reply<E::Answer>`, so a handler cannot drift from its declaration.

use std::any::TypeId;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, web};
use flowwalk_shared::endpoint::{Empty, Endpoint, File, Json, NoBody, NoQuery, Raw};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::http::extract::ApiJson;

type Reading<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

/// How the server reads a declared body.
pub trait ServerBody {
    /// What the handler gets.
    type Value: 'static;
    fn read(req: &HttpRequest, payload: &mut Payload) -> Reading<Self::Value>;
}

/// JSON, named field by field when wrong (see [`ApiJson`]).
impl<T: DeserializeOwned + 'static> ServerBody for Json<T> {
    type Value = T;
    fn read(req: &HttpRequest, payload: &mut Payload) -> Reading<T> {
        let json = ApiJson::<T>::from_request(req, payload);
        Box::pin(async move { Ok(json.await?.0) })
    }
}

impl ServerBody for NoBody {
    type Value = ();
    fn read(_: &HttpRequest, _: &mut Payload) -> Reading<()> {
        Box::pin(async { Ok(()) })
    }
}

/// A file body: the handler reads the payload itself (streamed, within its own limit), so
/// nothing is read here.
impl ServerBody for Raw {
    type Value = ();
    fn read(_: &HttpRequest, _: &mut Payload) -> Reading<()> {
        Box::pin(async { Ok(()) })
    }
}

/// What the handler of endpoint `E` receives: its path parameters (`400 invalid_path` when
/// they do not fit), its query (`400 invalid_query`) and its body.
pub struct In<E: Endpoint>
where
    E::Body: ServerBody,
{
    pub path: E::Path,
    pub query: E::Query,
    pub body: <E::Body as ServerBody>::Value,
}

impl<E: Endpoint> FromRequest for In<E>
where
    E::Body: ServerBody,
{
    type Error = actix_web::Error;
    type Future = Reading<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let path = web::Path::<E::Path>::extract(req);
        // No declared query: whatever is sent is ignored, as it always was.
        let query = (TypeId::of::<E::Query>() != TypeId::of::<NoQuery>())
            .then(|| web::Query::<E::Query>::extract(req));
        let body = <E::Body as ServerBody>::read(req, payload);
        Box::pin(async move {
            let path = path.await?.into_inner();
            let query = match query {
                Some(q) => q.await?.into_inner(),
                None => serde_urlencoded::from_str::<E::Query>("")
                    .map_err(|e| AppError::internal(anyhow::Error::new(e)))?,
            };
            let body = body.await?;
            Ok(In { path, query, body })
        })
    }
}

/// What the handler of an endpoint answering `A` returns.
pub struct Reply<A> {
    response: HttpResponse,
    answer: PhantomData<fn() -> A>,
}

impl<A> Reply<A> {
    fn new(response: HttpResponse) -> Self {
        Reply {
            response,
            answer: PhantomData,
        }
    }
}

impl<T: Serialize> Reply<Json<T>> {
    /// `200 OK` with the value.
    pub fn ok(value: T) -> Self {
        Self::status(StatusCode::OK, value)
    }

    /// `201 Created` with what was made.
    pub fn created(value: T) -> Self {
        Self::status(StatusCode::CREATED, value)
    }

    pub fn status(status: StatusCode, value: T) -> Self {
        Reply::new(HttpResponse::build(status).json(value))
    }
}

impl Reply<Empty> {
    /// `204 No Content`.
    pub fn done() -> Self {
        Reply::new(HttpResponse::NoContent().finish())
    }
}

impl Reply<File> {
    /// A file, a page or a redirect, built by the handler with its headers.
    pub fn file(response: HttpResponse) -> Self {
        Reply::new(response)
    }

    pub fn headers_mut(&mut self) -> &mut actix_web::http::header::HeaderMap {
        self.response.headers_mut()
    }
}

impl<A: 'static> Responder for Reply<A> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.response
    }
}

/// The handler's answer for endpoint `E`.
pub type Answer<E> = Result<Reply<<E as Endpoint>::Answer>, AppError>;

/// Argument lists that end with `In<E>`: the route table accepts a handler for endpoint `E`
/// only with one of these.
pub trait Takes<E> {}

macro_rules! takes {
    ($($t:ident),*) => {
        impl<E: Endpoint, $($t,)*> Takes<E> for ($($t,)* In<E>,) where E::Body: ServerBody {}
    };
}

takes!();
takes!(A);
takes!(A, B);
takes!(A, B, C);
takes!(A, B, C, D);
takes!(A, B, C, D, F);
takes!(A, B, C, D, F, G);
takes!(A, B, C, D, F, G, H);
