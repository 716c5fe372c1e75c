"""The Huawei face on the wire: SDK-HMAC-SHA256 verification and its failures, project
ownership, routing, size limits and `X-Request-Id`. Failures that the official SDK can
produce are made with it; the rest (tampered bodies, unsigned requests) are signed here
the way huaweicloudsdkcore signs (wire-huawei.md 2.3) and sent with requests.
"""

import datetime
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
import requests

import huaweicloudsdkcore.signer.signer as sdk_signer
from huaweicloudsdkecs.v2 import ListServersDetailsRequest

from conftest import AK, SK, HUAWEI_PROJECT
from huaweicloudsdkvpc.v2 import NeutronListPortsRequest

from test_huawei import NET1, NET2, NIC1, bind, ecs, expect, free_ips, neutron_create, ports, vpc, vip_port

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EMPTY_HASH = hashlib.sha256(b"").hexdigest()


def signed(server, method, path, query=(), body=b"", project=HUAWEI_PROJECT, ak=AK, sk=SK, when=None,
           extra_headers=None):
    """A request signed like huaweicloudsdkcore: returns (method, url, headers, body)."""
    date = (when or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Type": "application/json;charset=utf-8", "Host": server.endpoint, "X-Sdk-Date": date,
               "User-Agent": "huaweicloud-usdk-python/3.0"}
    if project:
        headers["X-Project-Id"] = project
    headers.update(extra_headers or {})
    names = sorted(k.lower() for k in headers)
    lower = {k.lower(): v for k, v in headers.items()}
    uri = "/".join(quote(seg, safe="~") for seg in unquote(path).split("/"))
    uri += "" if uri.endswith("/") else "/"
    q = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query))
    canonical = "\n".join([method, uri, q, "".join(f"{n}:{lower[n].strip()}\n" for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"
    url = f"http://{server.endpoint}{path}" + (f"?{q}" if q else "")
    return method, url, headers, body


def send(req):
    method, url, headers, body = req
    return requests.request(method, url, headers=headers, data=body, timeout=30)


def gateway_error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error_code"] == code, body
    assert body["request_id"] == resp.headers["X-Request-Id"]
    assert body["error_msg"]
    return body


def bind_body(ip="192.168.1.100"):
    return json.dumps({"nic": {"subnet_id": "20000000-0000-4000-8000-000000000001", "ip_address": ip}}).encode()


BIND = bind_body()  # for requests that must fail before the address matters
NIC_PATH = f"/v1/{HUAWEI_PROJECT}/cloudservers/nics/{NIC1}"


# --- the signature -----------------------------------------------------------------------

def test_a_request_signed_like_the_sdk_is_accepted_and_carries_a_request_id(server):
    vip_ip = free_ips(server)[0]
    r = send(signed(server, "PUT", NIC_PATH, body=bind_body(vip_ip)))
    assert r.status_code == 200 and r.json() == {"port_id": NIC1}
    assert len(r.headers["X-Request-Id"]) == 32
    r = send(signed(server, "GET", "/v2.0/ports", query=[("fixed_ips", f"ip_address={vip_ip}"),
                                                        ("device_owner", "neutron:VIP_PORT")]))
    assert r.status_code == 200 and len(r.json()["ports"]) == 1
    assert r.headers["X-Request-Id"]


def test_unsigned_requests_are_apigw_0301(server):
    r = requests.put(server.url(NIC_PATH), data=BIND, headers={"X-Project-Id": HUAWEI_PROJECT}, timeout=30)
    gateway_error(r, 401, "APIGW.0301")
    assert ports(vpc(server), device_owner="neutron:VIP_PORT") == []


def test_unsigned_requests_are_served_with_insecure_no_auth(havip_server):
    server = havip_server(extra_args=["--insecure-no-auth"])
    r = requests.put(server.url(NIC_PATH), data=bind_body(free_ips(server)[0]), headers={"X-Project-Id": HUAWEI_PROJECT}, timeout=30)
    assert r.status_code == 200, r.text
    # A bad signature is still refused.
    req = signed(server, "GET", "/v2.0/ports", sk="wrong")
    gateway_error(send(req), 401, "APIGW.0301")


def test_wrong_secret_is_apigw_0301(server):
    e = expect(401, "APIGW.0301", bind, ecs(server, sk="not-the-secret"), NIC1, "192.168.1.100")
    assert "verify aksk signature fail" in e.error_msg
    assert "canonicalRequest:PUT|" in e.error_msg, "the server's canonical request helps debugging"
    expect(401, "APIGW.0301", ports, vpc(server, sk="not-the-secret"))
    assert ports(vpc(server), device_owner="neutron:VIP_PORT") == []


def test_unknown_access_key_is_apigw_0301(server):
    expect(401, "APIGW.0301", bind, ecs(server, ak="AKUNKNOWN0000000"), NIC1, "192.168.1.100")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_x_sdk_date_more_than_15_minutes_off_is_apigw_0301(server, monkeypatch, minutes):
    class Skewed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes)

    monkeypatch.setattr(sdk_signer, "datetime", Skewed)
    e = expect(401, "APIGW.0301", bind, ecs(server), NIC1, "192.168.1.100")
    assert "expired" in e.error_msg


def test_x_sdk_date_within_15_minutes_is_accepted(server):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    assert send(signed(server, "GET", "/v2.0/ports", when=when)).status_code == 200


def test_tampered_body_query_or_path_is_apigw_0301(server):
    method, url, headers, body = signed(server, "PUT", NIC_PATH, body=BIND)
    gateway_error(send((method, url, headers, body + b" ")), 401, "APIGW.0301")
    method, url, headers, body = signed(server, "GET", "/v2.0/ports", query=[("limit", "1")])
    gateway_error(send((method, url.replace("limit=1", "limit=2"), headers, body)), 401, "APIGW.0301")
    gateway_error(send((method, url.replace("/v2.0/ports", "/v2.0/ports/x"), headers, body)), 401, "APIGW.0301")
    # A header named in SignedHeaders that was changed in transit.
    method, url, headers, body = signed(server, "GET", "/v2.0/ports")
    headers["User-Agent"] = "proxy/1.0"
    gateway_error(send((method, url, headers, body)), 401, "APIGW.0301")
    assert ports(vpc(server), device_owner="neutron:VIP_PORT") == []


def test_path_parameters_are_canonicalised_per_segment(server):
    # The SDK quotes a path parameter with safe='' and signs it with the '/' as a separator.
    for odd in ["a b", "a/b c", "ü~x"]:
        r = send(signed(server, "GET", "/v2.0/ports/" + quote(odd, safe="")))
        assert r.status_code == 404, (odd, r.text)
        assert r.json()["NeutronError"]["type"] == "PortNotFound"


def test_malformed_authorization_is_apigw_0301(server):
    method, url, headers, body = signed(server, "GET", "/v2.0/ports")
    for bad in ["SDK-HMAC-SHA256", "SDK-HMAC-SM3 Access=x, SignedHeaders=host, Signature=00", "Bearer x"]:
        headers["Authorization"] = bad
        gateway_error(send((method, url, headers, body)), 401, "APIGW.0301")


# --- the project ---------------------------------------------------------------------------

def test_a_project_that_is_not_the_callers_is_apigw_0302(server):
    other = "ffffffffffffffffffffffffffffffff"
    expect(403, "APIGW.0302", bind, ecs(server, project=other), NIC1, "192.168.1.100")
    expect(403, "APIGW.0302", ports, vpc(server, project=other))
    # Path project and X-Project-Id must agree.
    req = signed(server, "PUT", f"/v1/{other}/cloudservers/nics/{NIC1}", body=BIND)
    gateway_error(send(req), 403, "APIGW.0302")
    req = signed(server, "PUT", NIC_PATH, body=BIND, project=other)
    gateway_error(send(req), 403, "APIGW.0302")


def test_credentials_without_a_project_are_apigw_0302(server):
    # No project id: no X-Project-Id header, and `{project_id}` stays literal in the path.
    e = expect(403, "APIGW.0302", bind, ecs(server, project=None), NIC1, "192.168.1.100")
    assert "project" in e.error_msg
    expect(403, "APIGW.0302", ports, vpc(server, project=None))


# --- routing and limits ---------------------------------------------------------------------

def test_other_apis_are_apigw_0101(server):
    expect(404, "APIGW.0101", ecs(server).list_servers_details, ListServersDetailsRequest())
    gateway_error(send(signed(server, "GET", "/v2.0/networks")), 404, "APIGW.0101")
    gateway_error(send(signed(server, "GET", NIC_PATH)), 404, "APIGW.0101")
    gateway_error(send(signed(server, "PATCH", "/v2.0/ports")), 404, "APIGW.0101")


def test_a_body_over_1_mib_is_apigw_0201(server):
    big = b"{" + b" " * (2 << 20) + b"}"
    gateway_error(send(signed(server, "PUT", NIC_PATH, body=big)), 413, "APIGW.0201")


def test_error_envelopes_per_family(server):
    r = send(signed(server, "PUT", NIC_PATH, body=b"{}"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "Ecs.0005" and r.json()["error"]["message"]
    r = send(signed(server, "GET", "/v2.0/ports/nope"))
    assert r.status_code == 404
    assert r.json() == {"NeutronError": {"type": "PortNotFound", "message": "Port nope could not be found.",
                                         "detail": ""}}
    r = send(signed(server, "GET", f"/v1/{HUAWEI_PROJECT}/ports/nope"))
    assert r.status_code == 404 and r.json() == {"code": "VPC.2502", "message": "Port nope not found"}
    for resp in [r]:
        assert resp.headers["X-Request-Id"]


def test_delete_answers_204_without_a_body(server):
    v = vpc(server)
    vip_ip = free_ips(server)[0]
    bind(ecs(server), NIC1, vip_ip)
    r = send(signed(server, "PUT", NIC_PATH, body=json.dumps({"nic": {"subnet_id": "", "ip_address": ""}}).encode()))
    assert r.status_code == 200
    vip = vip_port(v, vip_ip)
    r = send(signed(server, "DELETE", f"/v2.0/ports/{vip.id}"))
    assert r.status_code == 204 and r.content == b"" and r.headers["X-Request-Id"]


def follow(server, href, **headers):
    """Follows a `ports_links` href as a client would: the same URL, signed."""
    url = urlsplit(href)
    assert f"{url.scheme}://{url.netloc}" == f"http://{server.endpoint}", href
    assert url.path == "/v2.0/ports", href
    query = parse_qsl(url.query, keep_blank_values=True)
    r = send(signed(server, "GET", url.path, query, extra_headers=headers))
    assert r.status_code == 200, r.text
    return r.json(), dict(query)


def link(body, rel):
    found = [x["href"] for x in body.get("ports_links", []) if x["rel"] == rel]
    return found[0] if found else None


def test_neutron_paging_links_are_absolute_and_keep_every_filter(server):
    # Neutron builds ports_links from the request's scheme and Host and keeps every key of
    # the query (api_common.get_next_link / get_previous_link): following them walks the
    # same set one big page lists, forwards and backwards.
    v = vpc(server)
    for ip in free_ips(server, 5):
        neutron_create(v, ip)
    neutron_create(v, free_ips(server, 1, NET2, "192.168.2.")[0], network=NET2)  # filtered out
    filters = {"device_owner": "neutron:VIP_PORT", "fixed_ips": [f"subnet_id={NET1}"]}
    everything = [p.id for p in ports(v, **filters)]
    assert len(everything) == 5

    first = v.neutron_list_ports(NeutronListPortsRequest(limit=2, **filters))
    walked = [p.id for p in first.ports]
    href = [x.href for x in first.ports_links if x.rel == "next"][0]
    while href:
        body, query = follow(server, href)
        assert (query["device_owner"], query["fixed_ips"], query["limit"]) == (
            "neutron:VIP_PORT", f"subnet_id={NET1}", "2")
        assert "page_reverse" not in query
        walked += [p["id"] for p in body["ports"]]
        href = link(body, "next")
    assert walked == everything
    assert len(body["ports"]) == 1 and link(body, "previous"), "a short last page links back only"

    # Backwards from the last page: previous links carry page_reverse=True and the filters.
    body, _ = follow(server, f"http://{server.endpoint}/v2.0/ports?limit=2&page_reverse=True"
                             f"&device_owner=neutron%3AVIP_PORT&fixed_ips=subnet_id%3D{NET1}")
    back = [p["id"] for p in body["ports"]]
    href = link(body, "previous")
    while href:
        body, query = follow(server, href)
        assert query["page_reverse"] == "True" and query["device_owner"] == "neutron:VIP_PORT"
        back = [p["id"] for p in body["ports"]] + back
        href = link(body, "previous")
    assert back == everything


def test_neutron_paging_links_take_the_scheme_a_proxy_reports(server):
    r = send(signed(server, "GET", "/v2.0/ports", [("limit", "1")],
                    extra_headers={"X-Forwarded-Proto": "https"}))
    assert r.status_code == 200, r.text
    hrefs = [x["href"] for x in r.json()["ports_links"]]
    assert hrefs and all(h.startswith(f"https://{server.endpoint}/v2.0/ports?limit=1&marker=") for h in hrefs)
