"""The data plane end to end: `havip serve --lab` on the example seed builds the lab in
network namespaces and runs the fabric agent; associations made through the official
Alibaba SDK decide which instance may claim the VIP, as a cloud's VPC fabric does.

Needs root, iproute2, nftables, iputils-arping, iputils-ping and procps (CI has them);
elsewhere the tests are skipped with the reason. Each test's lab has a prefix of its own,
is swept before it starts and removed at the end, also when the test fails.
"""

import json
import os
import pathlib
import re
import sys
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import AK, SK, Server, havip_binary

from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_vpc20160428 import models as M
from alibabacloud_vpc20160428.client import Client
from darabonba.runtime import RuntimeOptions

REGION = "cn-shanghai"
HAVIP = "havip-uf6demo0001"
A, B = "i-uf6demo0001", "i-uf6demo0002"
CLIENT = "client:vsw-uf6demo0001"
TOOLS = {"ip": "iproute2", "nft": "nftables", "arping": "iputils-arping", "ping": "iputils-ping",
         "sysctl": "procps"}


def _missing():
    if os.geteuid() != 0:
        return "not root"
    absent = [f"{tool} ({pkg})" for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    return ", ".join(absent) or None


pytestmark = pytest.mark.skipif(_missing() is not None,
                                reason=f"the data plane tests need root and {', '.join(TOOLS.values())}: "
                                       f"{_missing()}")


def lab(prefix, *args, check=True):
    r = subprocess.run([havip_binary(), "lab", *args[:1], "--prefix", prefix, *args[1:]],
                       capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, f"havip lab {args}: {r.stdout} {r.stderr}"
    return r


def in_lab(prefix, target, *cmd, check=True):
    """Runs a command in an instance's or a client's namespace through `havip lab exec`."""
    r = subprocess.run([havip_binary(), "lab", "exec", "--prefix", prefix, target, "--", *cmd],
                       capture_output=True, text=True, timeout=60)
    if check:
        assert r.returncode == 0, f"{target}: {cmd}: {r.stdout} {r.stderr}"
    return r


def namespaces(prefix):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"{prefix}-")]


@pytest.fixture
def prefix():
    p = f"e{os.getpid() % 100000}"
    lab(p, "down", check=False)
    yield p
    lab(p, "down", check=False)
    assert namespaces(p) == [], "the lab is gone"


def ali(server):
    config = open_api_models.Config(access_key_id=AK, access_key_secret=SK, endpoint=server.endpoint,
                                    protocol="http", region_id=REGION)
    return Client(config)


def associate(client, instance):
    client.associate_ha_vip_with_options(
        M.AssociateHaVipRequest(region_id=REGION, ha_vip_id=HAVIP, instance_id=instance), RuntimeOptions())


def unassociate(client, instance):
    client.unassociate_ha_vip_with_options(
        M.UnassociateHaVipRequest(region_id=REGION, ha_vip_id=HAVIP, instance_id=instance, force=True),
        RuntimeOptions())


def sdk_status(client):
    resp = client.describe_ha_vips_with_options(
        M.DescribeHaVipsRequest(region_id=REGION, filter=[M.DescribeHaVipsRequestFilter(key="HaVipId",
                                                                                         value=[HAVIP])]),
        RuntimeOptions())
    return resp.body.to_map()["HaVips"]["HaVip"][0]["Status"]


def wait_for(what, predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ports(server):
    r = server.native("GET", "/v1/dataplane/ports")
    assert r.status_code == 200, r.text
    return r.json()


def port_of(server, instance):
    """The fabric port of an instance's primary ENI."""
    primary = server.native("GET", f"/v1/instances/{instance}").json()["primary_eni"]
    return wait_for(f"the port of {instance}",
                    lambda: next((p for p in ports(server)["ports"] if p["eni"] == primary), None))


def vip_drops(server, port):
    for p in ports(server)["ports"]:
        if p["port"] == port:
            return p["vip_drops"].get(VIP, 0) if VIP else 0
    return 0


VIP = None


def claim(prefix, instance, vip):
    """What keepalived does on becoming master: the VIP on eth0, then gratuitous ARP."""
    in_lab(prefix, instance, "ip", "addr", "replace", f"{vip}/24", "dev", "eth0")
    in_lab(prefix, instance, "arping", "-U", "-c", "2", "-w", "2", "-I", "eth0", vip, check=False)


def client_sees(prefix, vip):
    """The MAC the client's neighbour table holds for the VIP (after a ping)."""
    in_lab(prefix, CLIENT, "ping", "-c", "1", "-W", "1", vip, check=False)
    out = in_lab(prefix, CLIENT, "ip", "-j", "neigh", "show", vip).stdout
    entries = json.loads(out or "[]")
    return entries[0].get("lladdr") if entries else None


def mac_of(server, instance):
    primary = server.native("GET", f"/v1/instances/{instance}").json()["primary_eni"]
    return server.native("GET", f"/v1/enis/{primary}").json()["mac"]


def start(data_dir, *extra):
    return Server(data_dir, extra_args=list(extra)).start()


def test_a_vip_moves_only_between_associated_instances(prefix):
    global VIP
    d = tempfile.mkdtemp(prefix="havip-lab-")
    server = start(d, "--lab", "--lab-prefix", prefix)
    try:
        wait_for("the agent's first acknowledgement",
                 lambda: ports(server)["lag"] == 0 and ports(server)["ports"], timeout=60)
        VIP = server.havip(HAVIP)["ip"]
        client = ali(server)
        a_port, b_port = port_of(server, A)["port"], port_of(server, B)["port"]
        a_mac, b_mac = mac_of(server, A), mac_of(server, B)

        # Associated with A through the SDK: the change completes once the fabric has it.
        associate(client, A)
        wait_for("InUse through the SDK", lambda: sdk_status(client) == "InUse")
        assert VIP in port_of(server, A)["allowed"]
        claim(prefix, A, VIP)
        assert wait_for("the client reaching A", lambda: client_sees(prefix, VIP) == a_mac)
        in_lab(prefix, CLIENT, "ping", "-c", "2", "-W", "1", VIP)

        # B is not associated: its claim is dropped and counted, the client stays with A.
        before = vip_drops(server, b_port)
        claim(prefix, B, VIP)
        wait_for("B's dropped claims in /v1/dataplane/ports",
                 lambda: vip_drops(server, b_port) > before, timeout=20)
        assert client_sees(prefix, VIP) == a_mac
        assert VIP not in port_of(server, B)["allowed"]

        # A rule deleted by hand comes back (the agent enforces the state again).
        fabric = f"{prefix}-fabric"
        element = f'"{a_port}" . {VIP}'
        listing = lambda: subprocess.run(["ip", "netns", "exec", fabric, "nft", "list", "set", "bridge",
                                          f"havip_{prefix}", "port_ip"], capture_output=True, text=True).stdout
        assert element in listing()
        subprocess.run(["ip", "netns", "exec", fabric, "nft", "delete", "element", "bridge", f"havip_{prefix}",
                        "port_ip", "{", f'"{a_port}" . {VIP}', "}"], check=True)
        assert element not in listing()
        wait_for("the deleted element back", lambda: element in listing(), timeout=20)

        # Disassociated: from then on A's claims are dropped too.
        unassociate(client, A)
        wait_for("Available through the SDK", lambda: sdk_status(client) == "Available")
        before = vip_drops(server, a_port)
        claim(prefix, A, VIP)
        wait_for("A's dropped claims", lambda: vip_drops(server, a_port) > before, timeout=20)

        # Associated with B: B takes the VIP.
        associate(client, B)
        wait_for("InUse through the SDK", lambda: sdk_status(client) == "InUse")
        claim(prefix, B, VIP)
        assert wait_for("the client moving to B", lambda: client_sees(prefix, VIP) == b_mac)
        in_lab(prefix, CLIENT, "ping", "-c", "2", "-W", "1", VIP)
        metrics = server.native("GET", "/metrics").text
        assert f'havip_dataplane_vip_drops_total{{port="{b_port}",vip="{VIP}"}}' in metrics
        assert "havip_dataplane_lag_revisions" in metrics
    finally:
        server.stop()
        shutil.rmtree(d, ignore_errors=True)
    # `serve --lab` tears its lab down on exit.
    assert namespaces(prefix) == []


def test_a_killed_agent_leaves_changes_in_flight_and_catches_up(prefix):
    d = tempfile.mkdtemp(prefix="havip-agent-")
    server = start(d, "--dataplane")
    agent_args = [havip_binary(), "agent", "--server", server.url(""), "--data-dir", d, "--prefix", prefix,
                  "--resync", "1s"]
    agent = subprocess.Popen(agent_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = ali(server)
        wait_for("the agent's lab", lambda: ports(server)["lag"] == 0 and ports(server)["ports"], timeout=60)
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        associate(client, A)
        time.sleep(1)
        assert sdk_status(client) == "Associating", "no agent: the change waits"
        ops = server.native("GET", "/v1/operations").json()["items"]
        assert ops and ops[0]["havip"] == HAVIP and ops[0]["awaits"] == "dataplane"
        assert ports(server)["lag"] > 0
        # A namespace removed while the agent is away comes back with it.
        victim = next(ns for ns in namespaces(prefix) if ns != f"{prefix}-fabric")
        subprocess.run(["ip", "netns", "del", victim], check=True)
        agent = subprocess.Popen(agent_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("InUse after the agent's return", lambda: sdk_status(client) == "InUse")
        assert server.havip(HAVIP)["ip"] in port_of(server, A)["allowed"]
        wait_for("the removed namespace back", lambda: victim in namespaces(prefix))
    finally:
        agent.terminate()
        agent.wait(timeout=15)
        server.stop()
        shutil.rmtree(d, ignore_errors=True)
    # The agent leaves the lab up when it stops; `havip lab down` removes all of it.
    assert namespaces(prefix), "the lab outlives the agent"
    lab(prefix, "down")
    assert namespaces(prefix) == []


def test_the_readme_section_see_a_vip_move_runs_as_written(prefix):
    """The shell blocks of the README's "See a VIP move", after the server's own command,
    run in order against `serve --lab` (paths, port and lab prefix replaced) and show what
    the text says."""
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## See a VIP move", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 5, "the server's command, then four blocks"
    assert "--lab --keepalived" in blocks[0] and "serve" in blocks[0]
    d = tempfile.mkdtemp(prefix="havip-readme-")
    server = start(d, "--lab", "--lab-prefix", prefix, "--keepalived")
    try:
        wait_for("the agent's first acknowledgement",
                 lambda: ports(server)["lag"] == 0 and ports(server)["ports"], timeout=60)
        script = "\n".join(blocks[1:])
        script = (script.replace("sudo ", "").replace("./target/release/havip", havip_binary())
                  .replace("./data", d).replace("127.0.0.1:8080", server.endpoint)
                  .replace("python3 -", f"{sys.executable} -"))
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "HAVIP_LAB_PREFIX": prefix})
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert re.search(r"^InUse\n(.|\n)*^Available\n(.|\n)*^InUse\n", out, re.M), out
        neigh = [line for line in out.splitlines() if line.startswith("192.168.1.100 ")]
        a_mac, b_mac = mac_of(server, A), mac_of(server, B)
        assert [a_mac in n for n in neigh] == [True, True, False], neigh
        assert b_mac in neigh[2], neigh
        assert re.search(r"i-uf6demo0002 eth0.*\n  claimed 192\.168\.1\.100: [1-9]", out), out
        assert server.havip(HAVIP)["master"] == B
        # The failover: the SDK names the first member, then the other one.
        assert re.search(r"^i-uf6demo0002\n(.|\n)*^i-uf6demo0003\n", out, re.M), out
        assert '"from":"i-uf6demo0002"' in out and '"to":"i-uf6demo0003"' in out, out
    finally:
        server.stop()
        shutil.rmtree(d, ignore_errors=True)
    assert namespaces(prefix) == []


def test_serve_lab_without_nftables_says_so_and_creates_nothing(prefix, tmp_path):
    """The host is checked before anything is created: without `nft` on the PATH,
    `serve --lab` stops at once, naming the package, with no namespace and no data."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("ip", "sysctl"):
        (tools / tool).symlink_to(shutil.which(tool))
    data = tmp_path / "data"
    done = subprocess.run([havip_binary(), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data), "--lab",
                           "--lab-prefix", prefix], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": str(tools)})
    assert done.returncode != 0
    assert "nftables" in done.stderr, done.stderr
    assert not data.exists()
    assert namespaces(prefix) == []
