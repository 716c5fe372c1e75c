//! The router of the native API: every `/v1` route, the OpenAPI document, and the
//! fallbacks that answer unknown routes (404) and wrong methods (405) with problem JSON.

pub mod dataplane;
pub mod events;
pub mod havips;
pub mod inventory;

use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use havip_api::SharedState;
use http::{header, HeaderValue, Method, Uri};

use crate::problem::NativeError;

/// The OpenAPI 3.0 document that describes every route below.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// Every (method, path) the router serves, in the router's path syntax; the OpenAPI
/// document must describe each (a test checks it).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/accounts"),
    ("POST", "/v1/accounts"),
    ("GET", "/v1/accounts/{id}"),
    ("GET", "/v1/access-keys"),
    ("POST", "/v1/access-keys"),
    ("DELETE", "/v1/access-keys/{id}"),
    ("GET", "/v1/huawei-projects"),
    ("POST", "/v1/huawei-projects"),
    ("GET", "/v1/regions"),
    ("GET", "/v1/vpcs"),
    ("POST", "/v1/vpcs"),
    ("GET", "/v1/vpcs/{id}"),
    ("GET", "/v1/subnets"),
    ("POST", "/v1/subnets"),
    ("GET", "/v1/subnets/{id}"),
    ("GET", "/v1/instances"),
    ("POST", "/v1/instances"),
    ("GET", "/v1/instances/{id}"),
    ("POST", "/v1/instances/{id}/start"),
    ("POST", "/v1/instances/{id}/stop"),
    ("POST", "/v1/instances/{id}/status"),
    ("GET", "/v1/enis"),
    ("POST", "/v1/enis"),
    ("GET", "/v1/enis/{id}"),
    ("POST", "/v1/enis/{id}/attach"),
    ("POST", "/v1/enis/{id}/detach"),
    ("GET", "/v1/havips"),
    ("POST", "/v1/havips"),
    ("GET", "/v1/havips/{id}"),
    ("PATCH", "/v1/havips/{id}"),
    ("DELETE", "/v1/havips/{id}"),
    ("POST", "/v1/havips/{id}/associate"),
    ("POST", "/v1/havips/{id}/disassociate"),
    ("POST", "/v1/havips/{id}/failover"),
    ("POST", "/v1/havips/{id}/complete"),
    ("PUT", "/v1/havips/{id}/tags"),
    ("DELETE", "/v1/havips/{id}/tags"),
    ("GET", "/v1/operations"),
    ("GET", "/v1/dataplane/desired"),
    ("POST", "/v1/dataplane/ack"),
    ("GET", "/v1/dataplane/ports"),
    ("POST", "/v1/dataplane/claims"),
    ("GET", "/v1/events"),
];

/// The path that needs no bearer token.
pub const PUBLIC_PATH: &str = "/v1/openapi.json";

async fn openapi() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
}

async fn route_not_found(uri: Uri) -> NativeError {
    NativeError::RouteNotFound(uri.path().to_string())
}

async fn method_not_allowed(method: Method, uri: Uri) -> NativeError {
    NativeError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_string(),
    }
}

pub fn router(state: SharedState) -> Router {
    use havips as h;
    use inventory as inv;
    Router::new()
        .route("/v1/openapi.json", get(openapi))
        .route(
            "/v1/accounts",
            get(inv::list_accounts).post(inv::create_account),
        )
        .route("/v1/accounts/{id}", get(inv::get_account))
        .route(
            "/v1/access-keys",
            get(inv::list_access_keys).post(inv::create_access_key),
        )
        .route(
            "/v1/access-keys/{id}",
            axum::routing::delete(inv::delete_access_key),
        )
        .route(
            "/v1/huawei-projects",
            get(inv::list_huawei_projects).post(inv::create_huawei_project),
        )
        .route("/v1/regions", get(inv::list_regions))
        .route("/v1/vpcs", get(inv::list_vpcs).post(inv::create_vpc))
        .route("/v1/vpcs/{id}", get(inv::get_vpc))
        .route(
            "/v1/subnets",
            get(inv::list_subnets).post(inv::create_subnet),
        )
        .route("/v1/subnets/{id}", get(inv::get_subnet))
        .route(
            "/v1/instances",
            get(inv::list_instances).post(inv::create_instance),
        )
        .route("/v1/instances/{id}", get(inv::get_instance))
        .route("/v1/instances/{id}/start", post(inv::start_instance))
        .route("/v1/instances/{id}/stop", post(inv::stop_instance))
        .route("/v1/instances/{id}/status", post(inv::set_instance_status))
        .route("/v1/enis", get(inv::list_enis).post(inv::create_eni))
        .route("/v1/enis/{id}", get(inv::get_eni))
        .route("/v1/enis/{id}/attach", post(inv::attach_eni))
        .route("/v1/enis/{id}/detach", post(inv::detach_eni))
        .route("/v1/havips", get(h::list_havips).post(h::create_havip))
        .route(
            "/v1/havips/{id}",
            get(h::get_havip)
                .patch(h::modify_havip)
                .delete(h::delete_havip),
        )
        .route("/v1/havips/{id}/associate", post(h::associate))
        .route("/v1/havips/{id}/disassociate", post(h::disassociate))
        .route("/v1/havips/{id}/failover", post(h::failover))
        .route("/v1/havips/{id}/complete", post(h::complete_change))
        .route(
            "/v1/havips/{id}/tags",
            axum::routing::put(h::put_tags).delete(h::delete_tags),
        )
        .route("/v1/operations", get(h::list_operations))
        .route("/v1/dataplane/desired", get(dataplane::desired))
        .route("/v1/dataplane/ack", post(dataplane::acknowledge))
        .route("/v1/dataplane/ports", get(dataplane::ports))
        .route("/v1/dataplane/claims", post(dataplane::claims))
        .route("/v1/events", get(events::list_events))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}
