//! The huawei face of havip (being built).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use havip_api::SharedState;

pub async fn handle(_state: SharedState, _req: Request) -> Response {
    (http::StatusCode::NOT_IMPLEMENTED, "not implemented").into_response()
}
