"""Shared fixtures: a real `havip serve` process on a free port with the example seed.

Every test file gets servers from `havip_server(...)`; each server has its own data
directory, so tests do not see each other's state. The binary is $HAVIP_BIN, or
target/debug/havip (the README's test command builds it first).

Ids and addresses are not left to chance: every start of a server gets `--id-seed N`
with an N of its own, so ids are reproducible, address allocation takes the lowest free
address of a subnet, and replicas sharing a database (or a server restarted on its data
directory) never draw the same ids. Addresses that tests ask for explicitly sit high in
their subnet (.100 and up), where allocation of a test's few resources never reaches.
"""

import itertools
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed.toml"

# Identities of the example seed (examples/seed.toml).
ACCOUNT = "1000000000000001"
AK = "AKDEMO0000000001"
SK = "demo-secret-0000000000000001"
HUAWEI_PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

# One id seed per server start in this test run.
_ID_SEEDS = itertools.count(1)


def havip_binary() -> str:
    path = os.environ.get("HAVIP_BIN") or str(ROOT / "target" / "debug" / "havip")
    if not pathlib.Path(path).exists():
        raise RuntimeError(f"havip binary not found at {path}: run `cargo build -p havip` first")
    return path


class Server:
    """A running `havip serve`, with helpers for its native (operator) API."""

    def __init__(self, data_dir, seed=SEED, transition_delay="0s", extra_args=(), tls=None):
        self.data_dir = pathlib.Path(data_dir)
        # (certificate, key, CA): serve HTTPS only with the certificate and key, and trust
        # the CA in this class's own requests.
        self.tls = tls
        self.seed = seed
        self.transition_delay = transition_delay
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None

    def start(self, listen="127.0.0.1:0"):
        self.id_seed = next(_ID_SEEDS)
        args = [havip_binary(), "serve", "--listen", listen, "--data-dir", str(self.data_dir),
                "--transition-delay", self.transition_delay, "--id-seed", str(self.id_seed),
                *self.extra_args]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        if self.tls is not None:
            args += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith(f"listening on {self.scheme}://"):
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"havip did not start: {line!r} {err}")
        self.port = int(line.rsplit(":", 1)[1])
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url("/healthz"), timeout=1, verify=self.verify).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("havip /healthz never answered 200")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self):
        self.stop()
        return self.start(f"127.0.0.1:{self.port}")

    @property
    def endpoint(self):
        """host:port, the form the Alibaba and Volcengine SDKs want."""
        return f"127.0.0.1:{self.port}"

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def verify(self):
        """What `requests` trusts for this server: the test CA's file over HTTPS."""
        return str(self.tls[2]) if self.tls else True

    def url(self, path):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    # --- native API, for setting up and inspecting state -------------------------
    @property
    def admin_token(self):
        return os.environ.get("HAVIP_ADMIN_TOKEN") or (self.data_dir / "admin-token").read_text().strip()

    def native(self, method, path, **kw):
        headers = kw.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {self.admin_token}")
        kw.setdefault("timeout", 30)
        kw.setdefault("verify", self.verify)
        return requests.request(method, self.url(path), headers=headers, **kw)

    def set_instance_status(self, instance_id, status):
        r = self.native("POST", f"/v1/instances/{instance_id}/status", json={"status": status})
        assert r.status_code == 200, r.text
        return r.json()

    def havip(self, havip_id):
        r = self.native("GET", f"/v1/havips/{havip_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def failover(self, havip_id, to=None):
        body = {} if to is None else {"to": to}
        r = self.native("POST", f"/v1/havips/{havip_id}/failover", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def complete(self, havip_id):
        """Finishes the change in flight on a HaVip now (tests run with a long
        --transition-delay and finish changes when they choose, never by the clock)."""
        r = self.native("POST", f"/v1/havips/{havip_id}/complete")
        assert r.status_code in (200, 204), r.text

    def wait_status(self, havip_id, wanted, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.havip(havip_id)["status"]
            if status in (wanted if isinstance(wanted, (list, tuple)) else [wanted]):
                return status
            time.sleep(0.05)
        raise AssertionError(f"{havip_id} never became {wanted}")


@pytest.fixture
def havip_server():
    """Factory: `havip_server(transition_delay="1h")` starts a fresh server;
    `tls=(cert, key, ca)` makes it HTTPS only."""
    started = []
    dirs = []

    def make(transition_delay="0s", seed=SEED, extra_args=(), tls=None):
        d = tempfile.mkdtemp(prefix="havip-test-")
        dirs.append(d)
        s = Server(d, seed=seed, transition_delay=transition_delay, extra_args=extra_args, tls=tls).start()
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def server(havip_server):
    """A fresh server with the example seed and no transition delay."""
    return havip_server()
