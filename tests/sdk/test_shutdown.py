"""Graceful shutdown: SIGTERM while requests are in flight lets them finish, the process
exits 0, and after a restart every acknowledged change is there and nothing else."""

import concurrent.futures
import signal
import threading

import requests

from conftest import SEED

SUBNET = "vsw-uf6demo0001"


def test_sigterm_lets_requests_in_flight_finish(havip_server, tmp_path):
    # Up to 200 creates in one region: a quota above the clouds' defaults lets them all in.
    seed = tmp_path / "seed.toml"
    seed.write_text(SEED.read_text() + "\n[limits.aliyun]\nhavips_per_region = 1000\n")
    server = havip_server(seed=seed)
    token = server.admin_token
    url = server.url("/v1/havips")
    some_done = threading.Event()
    done = []

    def create(n):
        try:
            r = requests.post(url, json={"subnet": SUBNET, "name": f"sd-{n}"},
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)
        except requests.RequestException:
            return None  # refused: the server had stopped accepting connections
        assert r.status_code == 201, r.text
        done.append(n)
        if len(done) >= 20:
            some_done.set()
        return r.json()["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(create, n) for n in range(200)]
        # The signal comes once some requests are acknowledged, whatever the machine's speed
        # (the wait only guards against a server that hangs).
        assert some_done.wait(timeout=120), "the server acknowledged requests before SIGTERM"
        server.proc.send_signal(signal.SIGTERM)
        created = [f.result() for f in futures]
    assert server.proc.wait(timeout=60) == 0
    acknowledged = {c for c in created if c}
    assert acknowledged, "some requests finished before the shutdown"

    server.start(f"127.0.0.1:{server.port}")
    listed = server.native("GET", "/v1/havips?region=cn-shanghai&page_size=500").json()
    names = {h["id"] for h in listed["items"] if h["name"].startswith("sd-")}
    assert names == acknowledged
