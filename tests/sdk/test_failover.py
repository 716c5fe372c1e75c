"""Failover end to end: `havip serve --lab --keepalived` on the example seed, two
instances associated with one HaVip through the official Volcengine SDK, keepalived in
both (0.1 s adverts). The master is learned from the ARP the fabric lets through, and
every face shows it; killing the master moves it, and a client that keeps sending to the
VIP follows; an unassociated instance that announces the VIP never becomes master.

Needs root, iproute2, nftables, iputils and keepalived (CI has them); skipped elsewhere.
"""

import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import volcenginesdkcore
import volcenginesdkvpc

from conftest import AK, SK, havip_binary
from test_dataplane import in_lab, mac_of, namespaces, ports, prefix, start, wait_for  # noqa: F401

from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_vpc20160428 import models as M
from alibabacloud_vpc20160428.client import Client
from darabonba.runtime import RuntimeOptions

REGION = "cn-beijing"
SUBNET = "subnet-13fdemo0001"
I1, I2, I3 = "i-13fdemo0001", "i-13fdemo0002", "i-13fdemo0003"
VIP = "192.168.1.200"
CLIENT = f"client:{SUBNET}"


def _missing():
    if os.geteuid() != 0:
        return "not root"
    absent = [t for t in ("ip", "nft", "arping", "ping", "keepalived") if shutil.which(t) is None]
    return ", ".join(absent) or None


pytestmark = pytest.mark.skipif(_missing() is not None,
                                reason=f"the failover tests need root, iproute2, nftables, iputils and "
                                       f"keepalived: {_missing()}")


def volc(server):
    cfg = volcenginesdkcore.Configuration()
    cfg.ak, cfg.sk, cfg.region = AK, SK, REGION
    cfg.host, cfg.scheme = server.endpoint, "http"
    cfg.auto_retry = False
    return volcenginesdkvpc.VPCApi(volcenginesdkcore.ApiClient(cfg))


def ali(server):
    return Client(open_api_models.Config(access_key_id=AK, access_key_secret=SK, endpoint=server.endpoint,
                                         protocol="http", region_id=REGION))


def volc_master(api, havip_id):
    h = api.describe_ha_vips(volcenginesdkvpc.DescribeHaVipsRequest(ha_vip_ids=[havip_id])).ha_vips[0]
    return h.master_instance_id


def ali_master(client, havip_id):
    body = client.describe_ha_vips_with_options(
        M.DescribeHaVipsRequest(region_id=REGION, filter=[M.DescribeHaVipsRequestFilter(key="HaVipId",
                                                                                         value=[havip_id])]),
        RuntimeOptions()).body.to_map()
    return body["HaVips"]["HaVip"][0]["MasterInstanceId"]


def keepalived_dir(prefix, own_ip):
    """The lab's keepalived directory of the instance whose adverts come from `own_ip`."""
    for conf in pathlib.Path(f"/run/havip-lab/{prefix}").glob("*/keepalived.conf"):
        if f"unicast_src_ip {own_ip}\n" in conf.read_text():
            return conf.parent
    raise AssertionError(f"no keepalived of {own_ip} in the lab")


def kill_keepalived(directory):
    """Kills keepalived as a crash would: the parent is stopped first (SIGSTOP), so that it
    neither respawns its VRRP child nor, dying, makes the child hand over cleanly; then
    the child and the parent get SIGKILL."""
    def pid(name):
        try:
            return int((directory / name).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
    parent, child = pid("keepalived.pid"), pid("vrrp.pid")
    for target, sig in ((parent, signal.SIGSTOP), (child, signal.SIGKILL), (parent, signal.SIGKILL)):
        if target:
            try:
                os.kill(target, sig)
            except ProcessLookupError:
                pass


def rogue_keepalived(prefix, d, own_ip):
    """keepalived in an unassociated instance, priority above everyone, peered with nobody
    of the group: it makes itself master and announces the VIP."""
    conf = pathlib.Path(d) / "rogue.conf"
    conf.write_text(f"""global_defs {{
    enable_script_security
    script_user root
    vrrp_version 3
}}
vrrp_instance rogue {{
    state MASTER
    interface eth0
    virtual_router_id 201
    priority 250
    advert_int 0.1
    unicast_src_ip {own_ip}
    unicast_peer {{
        192.168.1.250
    }}
    virtual_ipaddress {{
        {VIP}/24 dev eth0
    }}
}}
""")
    return subprocess.Popen([havip_binary(), "lab", "exec", "--prefix", prefix, I3, "--", "keepalived", "-n", "-l",
                             "-D", "-G", "-f", str(conf), "-p", f"{d}/rogue.pid", "-r", f"{d}/rogue-vrrp.pid"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def events(server):
    return server.native("GET", "/v1/events").json()["items"]


def test_the_master_follows_keepalived_in_every_face(prefix):
    d = tempfile.mkdtemp(prefix="havip-failover-")
    server = start(d, "--lab", "--lab-prefix", prefix, "--keepalived", "--advert-int", "100ms")
    rogue = pinger = None
    try:
        wait_for("the agent's first acknowledgement",
                 lambda: ports(server)["lag"] == 0 and ports(server)["ports"], timeout=60)
        api, client = volc(server), ali(server)
        havip_id = api.create_ha_vip(volcenginesdkvpc.CreateHaVipRequest(subnet_id=SUBNET, ip_address=VIP)).ha_vip_id
        wait_for("the HaVip", lambda: server.havip(havip_id)["status"] == "Available")
        for instance in (I1, I2):
            api.associate_ha_vip(volcenginesdkvpc.AssociateHaVipRequest(ha_vip_id=havip_id, instance_id=instance))
            wait_for(f"{instance} associated", lambda: server.havip(havip_id)["status"] == "InUse")

        # keepalived runs in both; the first associated member (priority 150) announces.
        wait_for("the master's claim", lambda: server.havip(havip_id)["master_claim"], timeout=30)
        assert server.havip(havip_id)["master"] == I1
        assert volc_master(api, havip_id) == I1
        assert ali_master(client, havip_id) == I1
        i1_mac, i2_mac, i3_mac = mac_of(server, I1), mac_of(server, I2), mac_of(server, I3)
        i1_ip = server.native("GET", f"/v1/enis/{server.native('GET', f'/v1/instances/{I1}').json()['primary_eni']}").json()["ip"]
        i3_ip = server.native("GET", f"/v1/enis/{server.native('GET', f'/v1/instances/{I3}').json()['primary_eni']}").json()["ip"]
        i3_port = next(p["port"] for p in ports(server)["ports"] if p["instance"] == I3 and p["label"].split()[1] == "eth0")

        # An unassociated instance runs keepalived with a higher priority for the VIP: its
        # announcements are dropped (and counted); it never becomes master.
        rogue = rogue_keepalived(prefix, d, i3_ip)
        wait_for("the rogue's dropped claims", lambda: vip_drops_of(server, i3_port) > 0, timeout=20)
        assert server.havip(havip_id)["master"] == I1

        # The client sends to the VIP every 10 ms throughout.
        pinger = subprocess.Popen([havip_binary(), "lab", "exec", "--prefix", prefix, CLIENT, "--", "ping", "-D", "-n",
                                   "-i", "0.01", "-W", "1", VIP], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True)
        time.sleep(1)
        assert client_mac(prefix) == i1_mac

        # The master's link goes down and its keepalived dies: the backup takes over.
        killed_at = time.time()
        in_lab(prefix, I1, "ip", "link", "set", "eth0", "down")
        kill_keepalived(keepalived_dir(prefix, i1_ip))
        wait_for("the backup as master", lambda: server.havip(havip_id)["master"] == I2, timeout=20)
        assert volc_master(api, havip_id) == I2
        assert ali_master(client, havip_id) == I2
        wait_for("the client at the new master", lambda: client_mac(prefix) == i2_mac, timeout=20)
        time.sleep(0.5)
        pinger.send_signal(signal.SIGINT)
        out, _ = pinger.communicate(timeout=10)
        replies = [float(m) for m in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
        assert any(t > killed_at for t in replies), "the client is answered again after the failover"
        assert client_mac(prefix) != i3_mac

        changes = [e for e in events(server) if e["havip"] == havip_id]
        assert [e["detail"]["to"] for e in changes][-1] == I2
        assert changes[-1]["detail"]["from"] == I1
        assert changes[-1]["detail"]["claim"]["mac"] == i2_mac
        assert all(a["seq"] < b["seq"] for a, b in zip(changes, changes[1:]))
        assert I3 not in [e["detail"]["to"] for e in changes]

        # Split brain: the old master comes back (its link and keepalived), takes the VIP
        # back (it is preferred); then only its keepalived is SIGKILLed, so it keeps the
        # VIP on its interface. The backup announces last and is the master.
        in_lab(prefix, I1, "ip", "link", "set", "eth0", "up")
        directory = keepalived_dir(prefix, i1_ip)
        for stale in ("keepalived.pid", "vrrp.pid"):  # left by the SIGKILL (DATAPLANE.md)
            (directory / stale).unlink(missing_ok=True)
        restarted = subprocess.Popen(
            [havip_binary(), "lab", "exec", "--prefix", prefix, I1, "--", "keepalived", "-n", "-l", "-D", "-G", "-f",
             str(directory / "keepalived.conf"), "-p", str(directory / "keepalived.pid"), "-r",
             str(directory / "vrrp.pid")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("the preferred member back as master", lambda: server.havip(havip_id)["master"] == I1, timeout=20)
        kill_keepalived(directory)
        restarted.wait(timeout=10)
        assert VIP in in_lab(prefix, I1, "ip", "-o", "addr", "show", "eth0").stdout, "the VIP stays on I1"
        wait_for("the backup, which announced last", lambda: server.havip(havip_id)["master"] == I2, timeout=20)
        assert volc_master(api, havip_id) == I2
        tos = [e["detail"]["to"] for e in events(server) if e["havip"] == havip_id]
        assert tos[-3:] == [I2, I1, I2], tos
    finally:
        for p in (pinger, rogue):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        server.stop()
        shutil.rmtree(d, ignore_errors=True)
    assert namespaces(prefix) == []


def vip_drops_of(server, port):
    for p in ports(server)["ports"]:
        if p["port"] == port:
            return p["vip_drops"].get(VIP, 0)
    return 0


def client_mac(prefix):
    out = in_lab(prefix, CLIENT, "ip", "neigh", "show", VIP).stdout
    m = re.search(r"lladdr ([0-9a-f:]{17})", out)
    return m.group(1) if m else None
