"""The native API against the real binary: the README's 5-minute walkthrough, the
asynchronous changes with a transition delay, and authentication."""


import requests

VSW = "vsw-uf6demo0001"


def test_readme_walkthrough_survives_a_restart(server):
    r = server.native("GET", "/v1/instances?region=cn-shanghai")
    assert r.status_code == 200, r.text
    assert "x-request-id" in r.headers
    ids = {i["id"] for i in r.json()["items"]}
    assert {"i-uf6demo0001", "i-uf6demo0002", "i-uf6demo0005"} <= ids

    r = server.native("POST", "/v1/havips", json={"subnet": VSW, "name": "db-vip"})
    assert r.status_code == 201, r.text
    havip = r.json()
    hid = havip["id"]
    assert havip["status"] == "Available"
    assert havip["region"] == "cn-shanghai"
    assert havip["subnet"] == VSW

    for instance in ("i-uf6demo0001", "i-uf6demo0002"):
        r = server.native("POST", f"/v1/havips/{hid}/associate", json={"instance_id": instance})
        assert r.status_code == 200, r.text
    havip = server.havip(hid)
    assert havip["status"] == "InUse"
    assert havip["associated_type"] == "EcsInstance"
    assert [m["id"] for m in havip["members"]] == ["i-uf6demo0001", "i-uf6demo0002"]
    assert havip["master"] == "i-uf6demo0001"

    assert server.failover(hid)["master"] == "i-uf6demo0002"

    r = server.native("POST", f"/v1/havips/{hid}/associate", json={"instance_id": "i-uf6demo0005"})
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "DifferentSubnet"

    r = server.native("POST", f"/v1/havips/{hid}/disassociate", json={"instance_id": "i-uf6demo0001"})
    assert r.status_code == 200, r.text
    before = server.havip(hid)
    assert [m["id"] for m in before["members"]] == ["i-uf6demo0002"]
    assert before["master"] == "i-uf6demo0002"

    server.restart()
    after = server.havip(hid)
    assert after == before


def test_changes_in_flight_with_a_transition_delay(havip_server):
    server = havip_server(transition_delay="1h")
    r = server.native("POST", "/v1/havips", json={"subnet": VSW, "tags": {"env": "test"}})
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    server.complete(hid)
    server.wait_status(hid, "Available")

    r = server.native("POST", f"/v1/havips/{hid}/associate", json={"instance_id": "i-uf6demo0001"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Associating"
    ops = server.native("GET", "/v1/operations").json()["items"]
    assert [(o["havip"], o["kind"], o["member"]) for o in ops] == [(hid, "Associate", "i-uf6demo0001")]
    r = server.native("POST", f"/v1/havips/{hid}/associate", json={"instance_id": "i-uf6demo0002"})
    assert r.status_code == 409 and r.json()["code"] == "HaVipStatus", r.text
    server.complete(hid)
    server.wait_status(hid, "InUse")

    r = server.native("GET", "/v1/havips?tag=env:test&status=InUse")
    assert [h["id"] for h in r.json()["items"]] == [hid]

    r = server.native("POST", f"/v1/havips/{hid}/disassociate", json={"instance_id": "i-uf6demo0001"})
    assert r.status_code == 200 and r.json()["status"] == "Unassociating", r.text
    server.complete(hid)
    server.wait_status(hid, "Available")
    r = server.native("DELETE", f"/v1/havips/{hid}")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "Deleting"
    server.complete(hid)
    r = server.native("GET", f"/v1/havips/{hid}")
    assert r.status_code == 404 and r.json()["code"] == "HaVipNotFound"


def test_unauthenticated_requests_are_refused(server):
    r = requests.get(server.url("/v1/havips"), timeout=10)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "Unauthorized"
    assert "x-request-id" in r.headers
    r = requests.get(server.url("/v1/havips"), headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401
    # The OpenAPI document is public.
    r = requests.get(server.url("/v1/openapi.json"), timeout=10)
    assert r.status_code == 200
    assert "/v1/havips/{id}/associate" in r.json()["paths"]


def test_metrics_are_open_unless_metrics_auth_is_set(havip_server):
    open_server = havip_server()
    r = requests.get(open_server.url("/metrics"), timeout=30)
    assert r.status_code == 200 and "havip_requests_total" in r.text, r.text
    guarded = havip_server(extra_args=["--metrics-auth"])
    r = requests.get(guarded.url("/metrics"), timeout=30)
    assert r.status_code == 401 and r.json()["code"] == "Unauthorized", r.text
    r = requests.get(guarded.url("/metrics"), headers={"Authorization": "Bearer wrong"}, timeout=30)
    assert r.status_code == 401
    r = requests.get(guarded.url("/metrics"),
                     headers={"Authorization": f"Bearer {guarded.admin_token}"}, timeout=30)
    assert r.status_code == 200 and "havip_requests_total" in r.text, r.text
