//! The two port families, Neutron (`/v2.0/ports`) and VPC v1 (`/v1/{project_id}/ports`),
//! and the port operations both offer (create, show, list, update, delete): routed by
//! method into a typed [`PortCall`], then run against the service; each family supplies
//! its rendering and success statuses as a [`Flavor`].

use havip_api::Incoming;
use havip_service::ports::{NewVipPort, PortDeletion};
use havip_service::{Caller, Service};
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::answers::{Link, OnePort, PortJson, PortList};
use crate::errors::FaceError;
use crate::port_request::{ListQuery, PortUpdate};
use crate::{port_request, ports, Reply};

/// How a family renders ports and answers creates.
#[derive(Debug)]
pub struct Flavor {
    pub render: fn(&ports::Port, &str) -> PortJson,
    pub create_status: StatusCode,
    /// Whether list answers page in both directions (`page_reverse`) and carry
    /// `ports_links`.
    pub links: bool,
}

/// The Neutron-style port API, `/v2.0/ports[/{port_id}]` (project from `X-Project-Id`):
/// create (201), show, list with filters and `ports_links`, update, delete (204), with
/// `NeutronError` errors.
pub const NEUTRON: Flavor = Flavor {
    render: PortJson::neutron,
    create_status: StatusCode::CREATED,
    links: true,
};

/// The Huawei-native VPC port API, `/v1/{project_id}/ports[/{port_id}]`: the same
/// semantics as the Neutron family, with VPC `Port` bodies, 200 on create and
/// `{"code","message"}` errors.
pub const VPC_V1: Flavor = Flavor {
    render: PortJson::v1,
    create_status: StatusCode::OK,
    links: false,
};

/// One port call of either family, typed.
#[derive(Debug)]
pub struct PortCall {
    pub flavor: &'static Flavor,
    /// The caller's project, as answers show it.
    pub project: String,
    pub op: PortOp,
}

/// What a port call asks for.
#[derive(Debug)]
pub enum PortOp {
    Create(NewVipPort),
    /// A list: the query, and the URL of the collection its links point at.
    List {
        query: ListQuery,
        collection: String,
    },
    Show(String),
    Update {
        id: String,
        update: PortUpdate,
    },
    Delete(String),
}

/// The port call of a request of `flavor`'s family (routed by method and whether the
/// path names a port; `port` is the id in the path, if any); a create takes `new_id` for
/// its port.
pub fn parse(
    flavor: &'static Flavor,
    project: String,
    port: Option<String>,
    incoming: &Incoming,
    new_id: impl FnOnce() -> String,
) -> Result<PortCall, FaceError> {
    let body = &incoming.body[..];
    let op = match (&incoming.method, port) {
        (&Method::POST, None) => PortOp::Create(port_request::create(body, new_id())?),
        (&Method::GET, None) => {
            let mut query = port_request::list_query(&incoming.query)?;
            query.page_reverse &= flavor.links;
            PortOp::List {
                query,
                collection: collection_url(incoming),
            }
        }
        (&Method::GET, Some(id)) => PortOp::Show(id),
        (&Method::PUT, Some(id)) => PortOp::Update {
            id,
            update: port_request::update(body)?,
        },
        (&Method::DELETE, Some(id)) => PortOp::Delete(id),
        _ => return Err(FaceError::NoSuchApi),
    };
    Ok(PortCall {
        flavor,
        project,
        op,
    })
}

/// Runs a port call as `caller`.
pub async fn run(service: &Service, caller: &Caller, call: PortCall) -> Result<Reply, FaceError> {
    let PortCall {
        flavor,
        project,
        op,
    } = call;
    match op {
        PortOp::Create(new) => create(service, caller, flavor, &project, &new).await,
        PortOp::List { query, collection } => {
            list(service, caller, flavor, &project, &query, &collection).await
        }
        PortOp::Show(id) => {
            show_after(service, caller, flavor, &id, &project, StatusCode::OK).await
        }
        PortOp::Update { id, update } => {
            update_port(service, caller, flavor, &project, &id, &update).await
        }
        PortOp::Delete(id) => delete(service, caller, &id).await,
    }
}

fn one(
    flavor: &Flavor,
    port: &ports::Port,
    project: &str,
    status: StatusCode,
) -> Result<Reply, FaceError> {
    let port = (flavor.render)(port, project);
    Reply::answer(status, &OnePort { port })
}

async fn show_after(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    id: &str,
    project: &str,
    status: StatusCode,
) -> Result<Reply, FaceError> {
    let snapshot = service.port_snapshot(caller).await?;
    let port = ports::find(&snapshot, id).ok_or_else(|| FaceError::PortNotFound(id.to_string()))?;
    one(flavor, &port, project, status)
}

async fn create(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    new: &NewVipPort,
) -> Result<Reply, FaceError> {
    let havip = service.create_vip_port(caller, new).await?;
    show_after(
        service,
        caller,
        flavor,
        &havip.id,
        project,
        flavor.create_status,
    )
    .await
}

async fn list(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    q: &ListQuery,
    collection: &str,
) -> Result<Reply, FaceError> {
    let snapshot = service.port_snapshot(caller).await?;
    let (page, _) = q.page(ports::all(&snapshot), project)?;
    let ports_links = if flavor.links {
        Some(paging_links(collection, q, &page)).filter(|l| !l.is_empty())
    } else {
        None
    };
    let body = PortList {
        ports: page.iter().map(|p| (flavor.render)(p, project)).collect(),
        ports_links,
    };
    Reply::answer(StatusCode::OK, &body)
}

/// Python's `quote_plus`, as `urllib.parse.urlencode` encodes keys and values: letters,
/// digits and `_.-~` stay, a space is `+`, everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE)
        .to_string()
        .replace("%20", "+")
}

/// The absolute URL of the listed collection, as Neutron builds it from the request
/// (`request.path_url`, with the scheme of `X-Forwarded-Proto` when a proxy sets it, as
/// `api_common.get_path_url` does): scheme, `Host` and path. havip itself serves plain
/// HTTP. A request without a `Host` gets links relative to the server.
pub fn collection_url(incoming: &Incoming) -> String {
    let scheme = match incoming.header("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    match incoming.header("host").filter(|h| !h.is_empty()) {
        Some(host) => format!("{scheme}://{host}{}", incoming.path),
        None => incoming.path.clone(),
    }
}

/// Neutron's `ports_links` (`api_common.get_pagination_links`): none without a limit; a
/// `next` link unless a forward page came out short, a `previous` link unless a reverse
/// page came out short. Each keeps every key of the query as given (filters included),
/// with `marker` moved to the last (next) or first (previous) port of the page and
/// `page_reverse=True` added for previous, so following them walks the same set one big
/// page would list.
pub fn paging_links(base: &str, q: &ListQuery, page: &[ports::Port]) -> Vec<Link> {
    let Some(limit) = q.limit else {
        return Vec::new();
    };
    let href = |marker: Option<&ports::Port>, reverse: bool| {
        let mut pairs: Vec<(&str, &str)> = q
            .pairs
            .iter()
            .filter(|(k, _)| k != "marker" && k != "page_reverse")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(p) = marker {
            pairs.push(("marker", p.id.as_str()));
        }
        if reverse {
            pairs.push(("page_reverse", "True"));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{base}?{}", query.join("&"))
    };
    let short = page.len() < limit;
    let mut links = Vec::new();
    if !short || q.page_reverse {
        links.push(Link {
            rel: "next".into(),
            href: href(page.last(), false),
        });
    }
    if !short || !q.page_reverse {
        links.push(Link {
            rel: "previous".into(),
            href: href(page.first(), true),
        });
    }
    links
}

async fn update_port(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    id: &str,
    u: &PortUpdate,
) -> Result<Reply, FaceError> {
    let found = service
        .update_port(
            caller,
            id,
            u.name.as_deref(),
            u.allowed_address_pairs.as_deref(),
        )
        .await?;
    if !found {
        return Err(FaceError::PortNotFound(id.to_string()));
    }
    show_after(service, caller, flavor, id, project, StatusCode::OK).await
}

async fn delete(service: &Service, caller: &Caller, id: &str) -> Result<Reply, FaceError> {
    match service.delete_port(caller, id).await? {
        PortDeletion::Deleted => Ok(Reply::empty(StatusCode::NO_CONTENT)),
        PortDeletion::NotFound => Err(FaceError::DeletePortNotFound(id.to_string())),
        PortDeletion::NicPort { .. } => Err(FaceError::NicPortNotDeletable(id.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn port(id: &str) -> ports::Port {
        ports::Port {
            id: id.to_string(),
            name: String::new(),
            network_id: "net".into(),
            zone: "az1".into(),
            ip: Ipv4Addr::new(192, 168, 0, 10),
            mac: "fa:16:3e:00:00:01".into(),
            device_id: String::new(),
            device_owner: ports::VIP_OWNER.into(),
            status: "DOWN",
            allowed_address_pairs: Vec::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn links(query: &str, ids: &[&str]) -> Vec<(String, String)> {
        let q = port_request::list_query(query).unwrap();
        let page: Vec<_> = ids.iter().map(|i| port(i)).collect();
        paging_links("http://h:1/v2.0/ports", &q, &page)
            .into_iter()
            .map(|l| (l.rel, l.href))
            .collect()
    }

    #[test]
    fn links_keep_every_filter_and_move_the_marker() {
        let got = links(
            "device_owner=neutron%3AVIP_PORT&limit=2&marker=a&fixed_ips=subnet_id%3Dn1&name=a%20b",
            &["b", "c"],
        );
        assert_eq!(
            got,
            [
                (
                    "next".to_string(),
                    "http://h:1/v2.0/ports?device_owner=neutron%3AVIP_PORT&limit=2\
                     &fixed_ips=subnet_id%3Dn1&name=a+b&marker=c"
                        .to_string()
                ),
                (
                    "previous".to_string(),
                    "http://h:1/v2.0/ports?device_owner=neutron%3AVIP_PORT&limit=2\
                     &fixed_ips=subnet_id%3Dn1&name=a+b&marker=b&page_reverse=True"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn links_follow_neutron_rules_for_short_pages() {
        // No limit: no links.
        assert!(links("marker=a", &["b"]).is_empty());
        // A short forward page: only previous.
        let got = links("limit=2", &["a"]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "previous");
        // A short reverse page: only next (no marker when the page is empty).
        let got = links("limit=2&marker=a&page_reverse=True", &[]);
        assert_eq!(
            got,
            [(
                "next".to_string(),
                "http://h:1/v2.0/ports?limit=2".to_string()
            )]
        );
        // A full page gets both.
        let rels: Vec<_> = links("limit=1", &["a"]).into_iter().map(|l| l.0).collect();
        assert_eq!(rels, ["next", "previous"]);
    }
}
