//! Check of the Volcengine face's request parser: the query, a form or JSON body, and the
//! typed calls read from them; each refusal is a 4xx of the face's table.

use havip_signature::OwnedRequest;
use havip_volcengine::errors::FaceError;
use havip_volcengine::params::{self, Params};

use crate::request;

/// The parameters as the face gathers them: the query, then a form or JSON body.
fn gather(req: &OwnedRequest) -> Params {
    let mut p = Params::default();
    p.add_form(req.query.as_bytes());
    if !req.body.is_empty() {
        let content_type = req
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            p.add_form(&req.body);
        } else if content_type.starts_with("application/json") {
            // A body of the wrong shape is refused by the face; the parse must not panic.
            p.add_json(&req.body).ok();
        }
    }
    p
}

pub fn volcengine_params(data: &[u8]) {
    let p = gather(&request::parse(data));
    let refusals = [
        params::membership(&p).err(),
        params::create(&p).err(),
        params::delete(&p).err(),
        params::modify(&p).err(),
        params::describe(&p).err(),
    ];
    for e in refusals.into_iter().flatten() {
        let spec = FaceError::Domain(e.clone()).spec();
        assert!(
            spec.status.is_client_error(),
            "{e:?} answers {}",
            spec.status
        );
    }
}
