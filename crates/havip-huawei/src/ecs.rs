//! The ECS NIC call, `PUT /v1/{project_id}/cloudservers/nics/{nic_id}` with
//! `{"nic": {"subnet_id", "ip_address", "reverse_binding"?}}`: a non-empty `ip_address`
//! binds the VIP with that address (created when no port holds it) to the NIC; empty
//! `subnet_id` and `ip_address` unbind every VIP from the NIC. Answer 200 `{"port_id": nic}`.

use std::net::Ipv4Addr;

use havip_core::ip;
use havip_service::{Caller, Service};
use http::StatusCode;
use serde_json::Value;

use crate::errors::FaceError;
use crate::Reply;

/// What the body asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicChange {
    Bind {
        subnet_id: String,
        ip: Ipv4Addr,
        reverse_binding: bool,
    },
    UnbindAll,
}

fn bad(msg: &str) -> FaceError {
    FaceError::Malformed(msg.to_string())
}

/// Reads the body the SDK sends (`None` values dropped, empty strings kept).
pub fn parse(body: &[u8]) -> Result<NicChange, FaceError> {
    if body.is_empty() {
        return Err(bad("the request body is required"));
    }
    let v: Value = serde_json::from_slice(body).map_err(|_| bad("the request body is not JSON"))?;
    let Some(Value::Object(nic)) = v.get("nic") else {
        return Err(bad("nic is required and must be an object"));
    };
    let text = |key: &str| match nic.get(key) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(FaceError::Malformed(format!(
            "nic.{key} is required and must be a string"
        ))),
    };
    let subnet_id = text("subnet_id")?;
    let ip_address = text("ip_address")?;
    let reverse_binding = match nic.get("reverse_binding") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("nic.reverse_binding must be a boolean")),
    };
    match (subnet_id.is_empty(), ip_address.is_empty()) {
        (true, true) => Ok(NicChange::UnbindAll),
        (false, false) => Ok(NicChange::Bind {
            subnet_id: subnet_id.to_string(),
            ip: ip::parse_ipv4(ip_address)?,
            reverse_binding,
        }),
        (true, false) => Err(bad("nic.subnet_id is required to bind a virtual IP")),
        (false, true) => Err(bad(
            "nic.ip_address is required to bind a virtual IP (both are empty to unbind)",
        )),
    }
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    nic_id: &str,
    change: NicChange,
) -> Result<Reply, FaceError> {
    match change {
        NicChange::Bind {
            subnet_id,
            ip,
            reverse_binding,
        } => {
            service
                .bind_vip_to_nic(caller, nic_id, &subnet_id, ip, reverse_binding)
                .await?;
        }
        NicChange::UnbindAll => {
            service.unbind_vips_from_nic(caller, nic_id).await?;
        }
    }
    Reply::answer(
        StatusCode::OK,
        &crate::answers::NicBound {
            port_id: nic_id.to_string(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_core::DomainError;

    #[test]
    fn bodies_the_sdk_sends() {
        let bind = br#"{"nic": {"subnet_id": "a1b2", "ip_address": "192.168.0.100", "reverse_binding": true}}"#;
        assert_eq!(
            parse(bind).unwrap(),
            NicChange::Bind {
                subnet_id: "a1b2".into(),
                ip: "192.168.0.100".parse().unwrap(),
                reverse_binding: true
            }
        );
        let bind = br#"{"nic": {"subnet_id": "a1b2", "ip_address": "192.168.0.100"}}"#;
        assert!(matches!(
            parse(bind).unwrap(),
            NicChange::Bind {
                reverse_binding: false,
                ..
            }
        ));
        let unbind = br#"{"nic": {"subnet_id": "", "ip_address": "", "reverse_binding": false}}"#;
        assert_eq!(parse(unbind).unwrap(), NicChange::UnbindAll);
    }

    #[test]
    fn malformed_bodies() {
        for body in [
            &b""[..],
            b"{}",
            b"{\"nic\": null}",
            b"not json",
            br#"{"nic": {"ip_address": "192.168.0.1"}}"#,
            br#"{"nic": {"subnet_id": "s"}}"#,
            br#"{"nic": {"subnet_id": "", "ip_address": "192.168.0.1"}}"#,
            br#"{"nic": {"subnet_id": "s", "ip_address": ""}}"#,
            br#"{"nic": {"subnet_id": "s", "ip_address": "1.2.3.4", "reverse_binding": "yes"}}"#,
            br#"{"nic": {"subnet_id": 1, "ip_address": "1.2.3.4"}}"#,
        ] {
            assert!(
                matches!(parse(body), Err(FaceError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            parse(br#"{"nic": {"subnet_id": "s", "ip_address": "1.2.3"}}"#),
            Err(FaceError::Domain(DomainError::IpMalformed("1.2.3".into())))
        );
    }

    #[test]
    fn bodies_of_the_wrong_shape_are_ecs_0005() {
        use crate::errors::{error_body, Family};
        for body in [
            &br#"[]"#[..],
            br#"[{"nic": {"subnet_id": "", "ip_address": ""}}]"#,
            br#""nic""#,
            br#"5"#,
            br#"null"#,
            br#"{"nic": 5}"#,
            br#"{"nic": "x"}"#,
            br#"{"nic": []}"#,
        ] {
            let text = String::from_utf8_lossy(body);
            let err = parse(body).unwrap_err();
            assert!(matches!(err, FaceError::Malformed(_)), "{text}");
            let (status, json) = error_body(Family::Ecs, &err, "rid");
            assert_eq!(status.as_u16(), 400, "{text}");
            assert_eq!(json["error"]["code"], "Ecs.0005", "{text}");
            assert!(json["error"]["message"].is_string(), "{text}");
        }
    }
}
