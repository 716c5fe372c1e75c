"""The HaVip quota of an account in a region, judged by the official SDKs of each cloud:
a create past the quota fails with that cloud's code, HTTP status and envelope and
creates nothing; the HaVips of the seed count towards it; a delete makes room again.
The quota is set small in each test's seed (`[limits.<cloud>] havips_per_region`).
With HAVIP_TEST_DATABASE_URL set, parallel creates through three replicas on one
PostgreSQL leave exactly the quota.
"""

import concurrent.futures
import json

import pytest
import volcenginesdkvpc

from conftest import SEED
from test_aliyun import HAVIP, MODES, VSW, VSW2, Ali, expect, wait_status
from test_huawei import NET1, NIC1, bind, ecs, expect_neutron, free_ips, neutron_create, ports, v1_create, vpc
from test_huawei import expect as expect_huawei
from test_replicas import DB, database  # noqa: F401  (database is a fixture)
from test_volcengine import SUBNET as VOLC_SUBNET
from test_volcengine import create as volc_create
from test_volcengine import describe as volc_describe
from test_volcengine import expect_error as expect_volc
from test_volcengine import vpc_api

PORT_QUOTA = "Quota exceeded for resources: ['port']."


def seed_with(tmp_path, extra):
    path = tmp_path / "seed.toml"
    path.write_text(SEED.read_text() + "\n" + extra)
    return path


@pytest.mark.parametrize("mode", MODES)
def test_aliyun_create_past_the_quota_is_403_quota_exceeded_havip(havip_server, tmp_path, mode):
    server = havip_server(seed=seed_with(tmp_path, "[limits.aliyun]\nhavips_per_region = 3\n"))
    ali = Ali(server, mode)
    # The seeded HaVip counts: two more fit.
    ali.create(VSW)
    ali.create(VSW2)
    e = expect("QuotaExceeded.HaVip", 403, ali.create, VSW)
    assert e.message == "Living HaVip quota exceeded."
    assert ali.describe()["TotalCount"] == 3
    ali.delete(HAVIP)
    wait_status(ali, HAVIP, None)
    ali.create(VSW)
    expect("QuotaExceeded.HaVip", 403, ali.create, VSW2)


def test_volcengine_create_past_the_quota_is_400_quota_exceeded_havip(havip_server, tmp_path):
    server = havip_server(seed=seed_with(tmp_path, "[limits.volcengine]\nhavips_per_region = 2\n"))
    api = vpc_api(server)
    first = volc_create(api, subnet=VOLC_SUBNET).ha_vip_id
    volc_create(api, subnet=VOLC_SUBNET)
    status, code, code_n, message = expect_volc(400, "QuotaExceeded.HaVip", volc_create, api, subnet=VOLC_SUBNET)
    assert code_n == 10033
    assert message == "You've reached the quota on the number of HaVips that you can create in this region."
    assert volc_describe(api).total_count == 2
    api.delete_ha_vip(volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id=first))
    volc_create(api, subnet=VOLC_SUBNET)


def test_huawei_vip_ports_past_the_quota(havip_server, tmp_path):
    server = havip_server(seed=seed_with(tmp_path, "[limits.huawei]\nhavips_per_region = 2\n"))
    v, c = vpc(server), ecs(server)
    ips = free_ips(server)
    neutron_create(v, ips[0])
    v1_create(v, ips[1])
    # Neutron: 409 NeutronError OverQuota (the SDK gives the raw body as error_msg).
    e = expect_neutron(409, "OverQuota", neutron_create, v, ips[2])
    assert json.loads(e.error_msg)["NeutronError"]["message"] == PORT_QUOTA
    # VPC v1: 409 {"code","message"}.
    e = expect_huawei(409, "VPC.2500", v1_create, v, ips[2])
    assert e.error_msg == PORT_QUOTA
    # ECS: a bind that would create the VIP port.
    e = expect_huawei(400, "Ecs.0213", bind, c, NIC1, ips[2])
    assert e.error_msg == f"Failed to update the port attributes: {PORT_QUOTA}"
    assert len(ports(v, device_owner="neutron:VIP_PORT")) == 2
    # A bind to a VIP port that exists needs no quota.
    assert bind(c, NIC1, ips[0]).port_id == NIC1
    assert {p.network_id for p in ports(v, device_owner="neutron:VIP_PORT")} == {NET1}


@pytest.mark.skipif(not DB, reason="HAVIP_TEST_DATABASE_URL is not set")
def test_quota_holds_when_clients_race_through_3_replicas(havip_server, database, tmp_path):  # noqa: F811
    _, url = database
    # The native API takes the largest of the faces' quotas: 4.
    seed = seed_with(tmp_path, "[limits.aliyun]\nhavips_per_region = 4\n"
                               "[limits.volcengine]\nhavips_per_region = 2\n"
                               "[limits.huawei]\nhavips_per_region = 3\n"
                               "[limits.tencent]\nhavips_per_region = 1\n")
    servers = [havip_server(seed=seed, extra_args=["--database-url", url]) for _ in range(3)]

    def attempt(n):
        return servers[n % 3].native("POST", "/v1/havips", json={"subnet": VSW})

    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(attempt, range(24)))
    assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"HaVipQuotaExceeded"}
    # The seeded HaVip and three created.
    assert len([a for a in answers if a.status_code == 201]) == 3
    for s in servers:
        listed = s.native("GET", "/v1/havips?region=cn-shanghai&page_size=100").json()
        assert len(listed["items"]) == 4
    # Through the Alibaba face, its own quota (4) is reached as well.
    expect("QuotaExceeded.HaVip", 403, Ali(servers[1], "acs3").create, VSW2)
