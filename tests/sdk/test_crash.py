"""Crash safety: SIGKILL the server while 32 clients associate and disassociate HaVips
concurrently, restart it on the same data directory, and check that every acknowledged
change is there, that changes in flight completed, and that no invariant is broken."""

import random
import signal
import threading
import time

import requests

SUBNET = "vsw-uf6demo0001"
CLIENTS = 32


def create(server, path, body):
    r = server.native("POST", path, json=body)
    assert r.status_code == 201, r.text
    return r.json()


class Client(threading.Thread):
    """Owns one HaVip and two instances; flips their associations until the server dies."""

    def __init__(self, server, havip, instances, seed):
        super().__init__(daemon=True)
        self.server = server
        self.havip = havip
        self.instances = instances
        self.rng = random.Random(seed)
        self.members = set()  # what the acknowledged operations say
        self.unknown = None  # (op, instance) sent but not answered when the server died
        self.acked = 0
        self.stop = threading.Event()
        self.url = server.url(f"/v1/havips/{havip}")
        self.headers = {"Authorization": f"Bearer {server.admin_token}"}

    def run(self):
        n = 0
        while not self.stop.is_set():
            instance = self.rng.choice(self.instances)
            op = "disassociate" if instance in self.members else "associate"
            body = {"instance_id": instance, "client_token": f"{self.havip}-{n}"}
            if op == "disassociate":
                body["force"] = True
            n += 1
            while True:
                try:
                    r = requests.post(f"{self.url}/{op}", json=body, headers=self.headers, timeout=10)
                except requests.RequestException:
                    self.unknown = (op, instance)
                    return
                if r.status_code == 200:
                    break
                # Another change on this HaVip is still in flight: retry the same request.
                assert r.status_code == 409, r.text
                assert r.json()["code"] == "HaVipStatus", r.text
                time.sleep(0.02)
            if op == "associate":
                self.members.add(instance)
            else:
                self.members.discard(instance)
            self.acked += 1

    def acceptable(self):
        """Member sets the server may hold after the restart."""
        sets = [set(self.members)]
        if self.unknown:
            op, instance = self.unknown
            other = set(self.members)
            (other.add if op == "associate" else other.discard)(instance)
            sets.append(other)
        return sets


def check_invariants(havip):
    members = [m["id"] for m in havip["members"]]
    assert len(members) == len(set(members)) <= 10, havip
    assert havip["pending"] is None, havip
    assert all(m["state"] == "Associated" for m in havip["members"]), havip
    if members:
        assert havip["status"] == "InUse", havip
        assert havip["master"] in members, havip
        assert havip["associated_type"] == "EcsInstance", havip
    else:
        assert havip["status"] == "Available", havip
        assert havip["master"] is None, havip


def test_sigkill_under_concurrent_changes_loses_nothing(havip_server):
    server = havip_server(transition_delay="150ms")
    clients = []
    for k in range(CLIENTS):
        a = create(server, "/v1/instances", {"subnet": SUBNET, "id": f"i-crash{k:02d}a"})["id"]
        b = create(server, "/v1/instances", {"subnet": SUBNET, "id": f"i-crash{k:02d}b"})["id"]
        h = create(server, "/v1/havips", {"subnet": SUBNET})["id"]
        server.wait_status(h, "Available")
        clients.append(Client(server, h, [a, b], seed=k))
    for c in clients:
        c.start()
    # The kill comes once the clients have done real work, however fast the machine is
    # (the deadline only guards against a server that hangs).
    deadline = time.time() + 120
    while sum(c.acked for c in clients) < 4 * CLIENTS and time.time() < deadline:
        time.sleep(0.05)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    for c in clients:
        c.stop.set()
        c.join(timeout=30)
    assert sum(c.acked for c in clients) > CLIENTS, "the clients did real work before the kill"

    server.start(f"127.0.0.1:{server.port}")
    deadline = time.time() + 120
    while time.time() < deadline:
        if not server.native("GET", "/v1/operations").json()["items"]:
            break
        time.sleep(0.1)
    assert server.native("GET", "/v1/operations").json()["items"] == [], "changes in flight completed"

    for c in clients:
        havip = server.havip(c.havip)
        check_invariants(havip)
        got = {m["id"] for m in havip["members"]}
        assert got in c.acceptable(), (c.havip, got, c.members, c.unknown)
