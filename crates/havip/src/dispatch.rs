//! One listener, every face: the server's faces are a list, asked in order which one
//! claims a request (the native API's `/v1` collections, Huawei's paths and SDK-HMAC,
//! Tencent's TC3-HMAC-SHA256 and `X-TC-Action`, the Alibaba and Volcengine signature
//! schemes); a request no face claims goes to the
//! fallback face (Alibaba: an RPC request whose parameters are all in a form body has
//! nothing else to tell it by). Each face is built with its profile, the seed's
//! `[limits.<face>]` applied; the operator's limits are the widest of them.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use havip_api::{AnyFace, SharedState};
use havip_core::{Limits, Profile, Profiles};
use havip_seed::Seed;
use http::StatusCode;

/// The faces of a server, in the order they are asked.
pub struct Faces {
    list: Vec<Arc<dyn AnyFace>>,
    /// The index in `list` of the face that answers what no face claims.
    fallback: usize,
}

/// Which face answered a response (by index in the server's list), for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnsweredBy(pub usize);

/// A cloud face the server runs: its name, its default profile, and how it is built with
/// the profile the configuration makes of it.
struct CloudFace {
    name: &'static str,
    profile: fn() -> Profile,
    build: fn(Profile) -> Arc<dyn AnyFace>,
}

/// The cloud faces, in the order they are asked (after the native API). Adding a face is
/// one entry here.
const CLOUD_FACES: [CloudFace; 4] = [
    CloudFace {
        name: havip_huawei::FACE,
        profile: havip_huawei::profile::profile,
        build: |p| Arc::new(havip_huawei::HuaweiFace::new(p)),
    },
    CloudFace {
        name: havip_tencent::FACE,
        profile: havip_tencent::profile::profile,
        build: |p| Arc::new(havip_tencent::TencentFace::new(p)),
    },
    CloudFace {
        name: havip_aliyun::FACE,
        profile: havip_aliyun::profile::profile,
        build: |p| Arc::new(havip_aliyun::AliyunFace::new(p)),
    },
    CloudFace {
        name: havip_volcengine::FACE,
        profile: havip_volcengine::profile::profile,
        build: |p| Arc::new(havip_volcengine::VolcengineFace::new(p)),
    },
];

impl Faces {
    /// The faces every server runs, with their default profiles overridden by the seed's
    /// `[limits.<face>]` tables (a table naming no face is refused), and the operator's
    /// profile: the native face's rules with the widest limits of the cloud faces.
    pub fn standard(seed: Option<&Seed>) -> anyhow::Result<(Faces, Profile)> {
        let mut profiles = Profiles::default();
        for face in &CLOUD_FACES {
            profiles.insert(face.name, (face.profile)());
        }
        if let Some(seed) = seed {
            let names: Vec<&str> = profiles.faces().collect();
            seed.check_faces(&names)?;
            for (face, overrides) in &seed.limits.by_face {
                profiles.override_limits(face, overrides);
            }
        }
        let widest = profiles.widest_limits().unwrap_or(Limits {
            instances_per_havip: 1,
            havips_per_instance: 1,
            havips_per_region: 1,
            master_needs_force: false,
            processing_is_error: false,
        });
        let operator = havip_native::profile(widest, profiles.reserved_tag_prefixes());
        let mut list: Vec<Arc<dyn AnyFace>> = vec![Arc::new(havip_native::NativeFace)];
        for face in &CLOUD_FACES {
            let profile = profiles
                .get(face.name)
                .cloned()
                .unwrap_or_else(face.profile);
            list.push((face.build)(profile));
        }
        let faces = Faces::new(list, havip_aliyun::FACE)?;
        Ok((faces, operator))
    }

    /// `list` asked in order, `fallback` (a face of the list, by name) for the rest.
    pub fn new(list: Vec<Arc<dyn AnyFace>>, fallback: &str) -> anyhow::Result<Faces> {
        let fallback = list
            .iter()
            .position(|f| f.name() == fallback)
            .ok_or_else(|| anyhow::anyhow!("the fallback face {fallback:?} is not in the list"))?;
        Ok(Faces { list, fallback })
    }

    /// The face names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.list.iter().map(|f| f.name()).collect()
    }

    /// The index of the face that serves `req`.
    pub fn pick(&self, req: &Request) -> usize {
        self.list
            .iter()
            .position(|f| f.claims(req))
            .unwrap_or(self.fallback)
    }
}

/// What the dispatcher needs: the service's state and the faces.
#[derive(Clone)]
pub struct DispatchState {
    pub app: SharedState,
    pub faces: Arc<Faces>,
}

pub async fn dispatch(State(st): State<DispatchState>, req: Request) -> Response {
    let index = st.faces.pick(&req);
    let Some(face) = st.faces.list.get(index) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = face.serve(st.app.clone(), req).await;
    response.extensions_mut().insert(AnsweredBy(index));
    response
}

pub async fn healthz(State(st): State<DispatchState>) -> Response {
    match st.app.service.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store unavailable: {e}\n"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn pick(faces: &Faces, target: &str, headers: &[(&'static str, &'static str)]) -> &'static str {
        let mut b = http::Request::builder().uri(target);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::empty()).expect("request");
        faces.names()[faces.pick(&req)]
    }

    #[test]
    fn each_request_goes_to_its_face() {
        let (faces, _) = Faces::standard(None).expect("faces");
        assert_eq!(pick(&faces, "/v1/havips", &[]), "native");
        assert_eq!(pick(&faces, "/v1/openapi.json", &[]), "native");
        assert_eq!(pick(&faces, "/v1/nothing-here", &[]), "native");
        assert_eq!(pick(&faces, "/v1/havips/ports", &[]), "native");
        assert_eq!(pick(&faces, "/v1/0a1b/cloudservers/nics/x", &[]), "huawei");
        assert_eq!(pick(&faces, "/v1/0a1b/ports", &[]), "huawei");
        assert_eq!(pick(&faces, "/v1/0a1b/subnets/n1", &[]), "huawei");
        assert_eq!(
            pick(&faces, "/v1/0a1b/cloudservers/s1/os-interface", &[]),
            "huawei"
        );
        assert_eq!(pick(&faces, "/v1/subnets", &[]), "native");
        assert_eq!(pick(&faces, "/v1/subnets/n1", &[]), "native");
        assert_eq!(
            pick(&faces, "/v1/0a1b/ports", &[("authorization", "Bearer t")]),
            "native"
        );
        assert_eq!(pick(&faces, "/v2.0/ports", &[]), "huawei");
        assert_eq!(
            pick(
                &faces,
                "/v1/havips",
                &[("authorization", "SDK-HMAC-SHA256 Access=a")]
            ),
            "huawei"
        );
        assert_eq!(
            pick(&faces, "/", &[("x-acs-action", "AssociateHaVip")]),
            "aliyun"
        );
        assert_eq!(
            pick(&faces, "/?Action=X&SignatureMethod=HMAC-SHA1", &[]),
            "aliyun"
        );
        assert_eq!(
            pick(
                &faces,
                "/",
                &[("authorization", "HMAC-SHA256 Credential=a/b")]
            ),
            "volcengine"
        );
        assert_eq!(
            pick(&faces, "/?Action=X&Version=2020-04-01", &[]),
            "volcengine"
        );
        assert_eq!(
            pick(
                &faces,
                "/",
                &[
                    ("authorization", "TC3-HMAC-SHA256 Credential=AKID/2026-12-01/vpc/tc3_request, SignedHeaders=content-type;host, Signature=00"),
                    ("content-type", "application/json"),
                    ("x-tc-action", "DescribeHaVips"),
                    ("x-tc-version", "2017-03-12"),
                    ("x-tc-timestamp", "1796160037"),
                ]
            ),
            "tencent"
        );
        assert_eq!(
            pick(&faces, "/?Limit=5", &[("x-tc-action", "DescribeHaVips")]),
            "tencent"
        );
        assert_eq!(pick(&faces, "/", &[]), "aliyun");
    }

    #[test]
    fn the_seed_sets_a_faces_limits_and_the_operators_are_the_widest() {
        let seed = havip_seed::parse_seed(
            "[limits.aliyun]\nhavips_per_region = 70\n[limits.huawei]\ninstances_per_havip = 3\n",
        )
        .expect("seed");
        let (_, operator) = Faces::standard(Some(&seed)).expect("faces");
        assert_eq!(operator.limits.havips_per_region, 70);
        assert_eq!(operator.limits.instances_per_havip, 10);
        assert!(!operator.limits.master_needs_force);
        assert_eq!(
            operator.reserved_tag_prefixes,
            ["acs:", "aliyun", "project", "qcloud", "tencent"]
        );
        let seed =
            havip_seed::parse_seed("[limits.tencent]\nhavips_per_region = 90\n").expect("seed");
        let (faces, operator) = Faces::standard(Some(&seed)).expect("faces");
        assert!(faces.names().contains(&"tencent"));
        assert_eq!(operator.limits.havips_per_region, 90);
        let seed =
            havip_seed::parse_seed("[limits.tencnt]\nhavips_per_region = 1\n").expect("seed");
        let err = Faces::standard(Some(&seed))
            .err()
            .expect("an unknown face is refused");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
