"""Several havip replicas on one PostgreSQL database (needs HAVIP_TEST_DATABASE_URL; each
test gets a schema of its own). Limits hold across replicas, a killed replica's changes in
flight are completed by the others, idempotent retries through another replica get the
first answer, and the service recovers by itself when its database connections are cut."""

import concurrent.futures
import os
import signal
import threading
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
        servers[2].wait_status(h, "InUse", timeout=120)
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


class FlakyProxy:
    """A TCP proxy in front of PostgreSQL that the test can take down and bring back."""

    def __init__(self, target_host, target_port):
        import socket
        import threading

        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def down(self):
        import socket

        self.up = False
        with self.lock:
            for s in self.open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.open = []

    def back(self):
        self.up = True


def through_proxy(url, port):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)
    netloc = (host[0] + "@" if len(host) == 2 else "") + f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def test_recovers_by_itself_when_database_connections_are_cut(havip_server, database):
    schema, url = database
    (server,) = replicas(havip_server, url, n=1)
    r = post(server, "/v1/havips", {"subnet": SUBNET})
    assert r.status_code == 201, r.text
    havip = r.json()["id"]

    seen = []
    cut = threading.Event()
    stop = threading.Event()

    def load():
        # Load before, during and after the cut, until told to stop; the request count
        # after the cut decides when, not a clock.
        while not stop.is_set():
            r = server.native("GET", f"/v1/havips/{havip}", timeout=30)
            seen.append((cut.is_set(), r.status_code, r.text))

    def requests_after_cut():
        return sum(1 for after, _, _ in seen if after)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(load) for _ in range(8)]
        while len(seen) < 200 and not any(f.done() for f in futures):
            time.sleep(0.01)
        cut.set()
        psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{schema}'")
        while requests_after_cut() < 400 and not any(f.done() for f in futures):
            time.sleep(0.01)
        stop.set()
        for f in futures:
            f.result()
    for _, status, text in seen:
        assert status in (200, 503), text
        if status == 503:
            assert '"ServiceUnavailable"' in text, text
    # Recovered without a restart: the pool replaces the cut connections, and from then on
    # every request succeeds (the deadline only guards against a server that never does).
    streak, deadline = 0, time.time() + 120
    while streak < 50 and time.time() < deadline:
        ok = server.native("GET", f"/v1/havips/{havip}").status_code == 200
        streak = streak + 1 if ok else 0
    assert streak == 50, "recovered without a restart"
    r = post(server, f"/v1/havips/{havip}/associate", {"instance_id": "i-uf6demo0001"})
    assert r.status_code == 200, r.text


def test_database_outage_fails_fast_with_503_and_recovers(havip_server, database):
    from urllib.parse import urlsplit

    _, url = database
    target = urlsplit(DB)
    proxy = FlakyProxy(target.hostname or "127.0.0.1", target.port or 5432)
    server = havip_server(extra_args=["--database-url", through_proxy(url, proxy.port), "--database-timeout", "1s"])
    assert server.native("GET", "/v1/regions").status_code == 200
    proxy.down()
    # The server gives up by itself (--database-timeout) and answers: a client that had
    # to time out would raise here instead (its timeout only guards against a hang).
    r = server.native("GET", "/v1/regions", timeout=120)
    assert r.status_code == 503 and r.json()["code"] == "ServiceUnavailable", r.text
    assert server.native("GET", "/healthz").status_code == 503
    r = post(server, "/v1/havips", {"subnet": SUBNET})
    assert r.status_code == 503, r.text
    proxy.back()
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.native("GET", "/v1/regions").status_code == 200:
            break
        time.sleep(0.2)
    assert server.native("GET", "/v1/regions").status_code == 200, "recovered without a restart"
    assert post(server, "/v1/havips", {"subnet": SUBNET}).status_code == 201


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
