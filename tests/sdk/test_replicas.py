"""Several havip replicas on one PostgreSQL database (needs HAVIP_TEST_DATABASE_URL; each
test gets a schema of its own). Limits hold across replicas, a killed replica's changes in
flight are completed by the others, idempotent retries through another replica get the
first answer, and the service recovers by itself when its database connections are cut."""

import concurrent.futures
import os
import signal
import time
import uuid

import pytest
import requests

DB = os.environ.get("HAVIP_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DB, reason="HAVIP_TEST_DATABASE_URL is not set")

SUBNET = "vsw-uf6demo0001"


def psql(sql):
    import subprocess

    subprocess.run(["psql", DB, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True)


@pytest.fixture
def database(monkeypatch):
    """A fresh schema; its URL tags connections with an application name of their own."""
    schema = f"havip_r_{uuid.uuid4().hex[:16]}"
    psql(f"CREATE SCHEMA {schema}")
    monkeypatch.setenv("HAVIP_ADMIN_TOKEN", f"replica-token-{schema}")
    sep = "&" if "?" in DB else "?"
    return schema, f"{DB}{sep}options[search_path]={schema}&application_name={schema}"


def replicas(havip_server, url, n=3, delay="0s"):
    return [havip_server(transition_delay=delay, extra_args=["--database-url", url]) for _ in range(n)]


def post(server, path, body):
    return server.native("POST", path, json=body)


def test_limit_holds_when_64_clients_race_through_3_replicas(havip_server, database):
    _, url = database
    servers = replicas(havip_server, url)
    instances = []
    for k in range(20):
        r = post(servers[k % 3], "/v1/instances", {"subnet": SUBNET, "id": f"i-race{k:02d}"})
        assert r.status_code == 201, r.text
        instances.append(r.json()["id"])
    r = post(servers[0], "/v1/havips", {"subnet": SUBNET})
    assert r.status_code == 201, r.text
    havip = r.json()["id"]

    def attempt(n):
        s = servers[n % 3]
        return post(s, f"/v1/havips/{havip}/associate", {"instance_id": instances[n % 20]})

    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(attempt, range(64)))
    assert all(a.status_code in (200, 409) for a in answers), [a.text for a in answers if a.status_code not in (200, 409)]
    winners = {instances[n % 20] for n, a in enumerate(answers) if a.status_code == 200}
    assert len([a for a in answers if a.status_code == 200]) == 10
    assert len(winners) == 10
    codes = {a.json()["code"] for a in answers if a.status_code == 409}
    assert codes <= {"InstancesPerHaVipLimit", "AlreadyAssociated"}, codes
    for s in servers:
        h = s.havip(havip)
        assert {m["id"] for m in h["members"]} == winners


def test_a_killed_replicas_changes_are_finished_by_the_others(havip_server, database):
    _, url = database
    servers = replicas(havip_server, url, delay="1500ms")
    ids = []
    for k in range(6):
        r = post(servers[0], "/v1/havips", {"subnet": SUBNET, "client_token": f"c{k}"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    for h in ids:
        servers[1].wait_status(h, "Available")
    for k, h in enumerate(ids):
        r = post(servers[0], f"/v1/havips/{h}/associate", {"instance_id": f"i-uf6demo000{1 + k % 3}"})
        assert r.status_code == 200, r.text
    servers[0].proc.send_signal(signal.SIGKILL)
    servers[0].proc.wait()
    for h in ids:
        assert servers[1].havip(h)["status"] in ("Associating", "InUse")
    for h in ids:
        servers[2].wait_status(h, "InUse", timeout=15)
    # None was done twice: each HaVip has exactly the one member it was given.
    for k, h in enumerate(ids):
        assert [m["id"] for m in servers[1].havip(h)["members"]] == [f"i-uf6demo000{1 + k % 3}"]


def test_idempotent_retry_through_another_replica_gets_the_first_answer(havip_server, database):
    _, url = database
    servers = replicas(havip_server, url, n=2)
    body = {"subnet": SUBNET, "name": "once", "client_token": "same-token"}
    first = post(servers[0], "/v1/havips", body)
    assert first.status_code == 201, first.text
    again = post(servers[1], "/v1/havips", body)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    other = post(servers[1], "/v1/havips", dict(body, name="other"))
    assert other.status_code == 409 and other.json()["code"] == "IdempotentParameterMismatch", other.text
    listed = servers[1].native("GET", "/v1/havips?region=cn-shanghai").json()
    assert [h["id"] for h in listed["items"]].count(first.json()["id"]) == 1


def test_recovers_by_itself_when_database_connections_are_cut(havip_server, database):
    schema, url = database
    (server,) = replicas(havip_server, url, n=1)
    r = post(server, "/v1/havips", {"subnet": SUBNET})
    assert r.status_code == 201, r.text
    havip = r.json()["id"]
    statuses = []
    deadline = time.time() + 6
    cut = False
    while time.time() < deadline:
        if not cut and time.time() > deadline - 5:
            psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{schema}'")
            cut = True
        try:
            r = server.native("GET", f"/v1/havips/{havip}", timeout=10)
        except requests.RequestException as e:  # the server must answer, not hang up
            pytest.fail(f"request failed at the transport level: {e}")
        statuses.append(r.status_code)
        assert r.status_code in (200, 503), r.text
        if r.status_code == 503:
            assert r.json()["code"] == "ServiceUnavailable", r.text
    assert statuses[-1] == 200, statuses
    assert server.native("GET", "/healthz").status_code == 200
    r = post(server, f"/v1/havips/{havip}/associate", {"instance_id": "i-uf6demo0001"})
    assert r.status_code == 200, r.text


def test_migrate_moves_an_embedded_store_into_postgres(havip_server, database, tmp_path):
    import subprocess

    from conftest import havip_binary

    _, url = database
    embedded = havip_server()
    r = post(embedded, "/v1/havips", {"subnet": SUBNET, "name": "moved"})
    havip = r.json()["id"]
    assert post(embedded, f"/v1/havips/{havip}/associate", {"instance_id": "i-uf6demo0001"}).status_code == 200
    embedded.stop()
    out = subprocess.run([havip_binary(), "migrate", "--data-dir", str(embedded.data_dir), "--database-url", url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 accounts" in out.stdout or "accounts" in out.stdout
    (pg,) = replicas(havip_server, url, n=1)
    h = pg.havip(havip)
    assert h["name"] == "moved" and [m["id"] for m in h["members"]] == ["i-uf6demo0001"]
    assert h["status"] == "InUse" and h["master"] == "i-uf6demo0001"
    # Migrating into a database that already holds data is refused.
    again = subprocess.run([havip_binary(), "migrate", "--data-dir", str(embedded.data_dir), "--database-url", url],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0
