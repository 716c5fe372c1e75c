//! The one pipeline every face's requests go through. A face says which requests it
//! claims and, for each step, what it does: what it knows before anything can fail (the
//! request id, the answer's format, the API family whose error table applies), how the
//! request is read, how it is authenticated, the typed operation it asks for and as
//! whom, how that operation calls the service, and how an answer or an error is written
//! (its one error table). [`serve`] runs the steps in that order, for every face alike;
//! the dispatcher holds the faces as [`AnyFace`]s, asked in order.

use std::future::Future;
use std::pin::Pin;

use axum::extract::Request;
use axum::response::Response;
use havip_service::Caller;

use crate::{AppState, SharedState};

/// An operation with the caller it acts as: what [`Face::call`] runs.
#[derive(Debug)]
pub struct Call<O> {
    pub caller: Caller,
    pub operation: O,
}

/// One API face: a cloud's (or the operator's) way of speaking to the service, as the
/// steps of [`serve`].
pub trait Face: Clone + Send + Sync + 'static {
    /// What the face knows about how to answer: set by [`Face::begin`] from the head of
    /// the request, completed by the steps as they learn more (the operation, once
    /// known, for the error table).
    type Context: Send + Sync;
    /// The request read whole, as the face parses it (its parameters).
    type Request: Send + Sync;
    /// Who is calling, as the signature or token proves it.
    type Identity: Send;
    /// The typed operation the request asks for.
    type Operation: Send;
    /// What a successful operation answers, before it is written.
    type Answer: Send;
    /// Everything that can go wrong, each with its row in the face's error table.
    type Error: Send;

    /// The face's name: the key of its limits in the seed (`[limits.<name>]`), and its
    /// label in logs and metrics.
    fn name(&self) -> &'static str;

    /// Whether this face answers a request with this method, path, query and headers
    /// (the body is not read yet).
    fn claims(&self, req: &Request) -> bool;

    /// What the face knows before any step can fail.
    fn begin(&self, state: &AppState, req: &Request) -> Self::Context;

    /// Reads the request whole: the face's checks of the head (method, route, size, the
    /// credentials the head proves wrong) before the body is read, then its parameters.
    fn read(
        &self,
        state: &AppState,
        ctx: &mut Self::Context,
        req: Request,
    ) -> impl Future<Output = Result<Self::Request, Self::Error>> + Send;

    /// Proves who is calling (the shared skeleton of `crate::auth` with the face's
    /// signature scheme, or the operator's token).
    fn authenticate(
        &self,
        state: &AppState,
        ctx: &mut Self::Context,
        req: &Self::Request,
    ) -> impl Future<Output = Result<Self::Identity, Self::Error>> + Send;

    /// The typed operation the request asks for, and the caller it acts as (account,
    /// region, the face's profile).
    fn operation(
        &self,
        state: &AppState,
        ctx: &mut Self::Context,
        req: Self::Request,
        who: Self::Identity,
    ) -> impl Future<Output = Result<Call<Self::Operation>, Self::Error>> + Send;

    /// Runs the operation against the service.
    fn call(
        &self,
        state: &SharedState,
        call: Call<Self::Operation>,
    ) -> impl Future<Output = Result<Self::Answer, Self::Error>> + Send;

    /// Writes a successful answer.
    fn answer(&self, ctx: &Self::Context, answer: Self::Answer) -> Response;

    /// Writes an error, by the face's one error table.
    fn refuse(&self, ctx: &Self::Context, error: Self::Error) -> Response;
}

/// Serves one request through `face`'s steps: begin, read, authenticate, operation,
/// call, then the answer or the error.
pub async fn serve<F: Face>(face: F, state: SharedState, req: Request) -> Response {
    let mut ctx = face.begin(&state, &req);
    match steps(&face, &state, &mut ctx, req).await {
        Ok(answer) => face.answer(&ctx, answer),
        Err(error) => face.refuse(&ctx, error),
    }
}

async fn steps<F: Face>(
    face: &F,
    state: &SharedState,
    ctx: &mut F::Context,
    req: Request,
) -> Result<F::Answer, F::Error> {
    let request = face.read(state, ctx, req).await?;
    let who = face.authenticate(state, ctx, &request).await?;
    let call = face.operation(state, ctx, request, who).await?;
    face.call(state, call).await
}

/// The answer to a request, still being served.
pub type Serving = Pin<Box<dyn Future<Output = Response> + Send>>;

/// A face as the dispatcher holds it, whatever its types: every [`Face`] is one.
pub trait AnyFace: Send + Sync + 'static {
    /// [`Face::name`].
    fn name(&self) -> &'static str;
    /// [`Face::claims`].
    fn claims(&self, req: &Request) -> bool;
    /// [`serve`] with this face.
    fn serve(&self, state: SharedState, req: Request) -> Serving;
}

impl<F: Face> AnyFace for F {
    fn name(&self) -> &'static str {
        Face::name(self)
    }

    fn claims(&self, req: &Request) -> bool {
        Face::claims(self, req)
    }

    fn serve(&self, state: SharedState, req: Request) -> Serving {
        Box::pin(serve(self.clone(), state, req))
    }
}
