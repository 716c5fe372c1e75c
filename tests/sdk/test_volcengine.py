"""The Volcengine VPC face, judged by the official SDK (volcenginesdkvpc + volcenginesdkcore,
auto_retry=False) against a real `havip serve`: every action's happy path, the async
states with --transition-delay 1s, ClientToken idempotency, paging both ways, filters
and tag filters, and isolation between accounts.

The helpers at the top are shared with test_volcengine_errors.py and
test_volcengine_docs.py (imported by name). Inventory: the example seed's cn-beijing
region plus VOLC_EXTRA_SEED below (no native-API calls are needed).
"""

import hashlib
import hmac
import json
import pathlib
import tempfile
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest
import requests
import volcenginesdkcore
import volcenginesdkvpc
from volcenginesdkcore.rest import ApiException
from volcenginesdkcore.universal import UniversalApi, UniversalInfo

from conftest import AK, SK, SEED

REGION = "cn-beijing"
SUBNET = "subnet-13fdemo0001"
OTHER_SUBNET = "subnet-13fdemo0002"
VPC = "vpc-13fdemo0001"
I1, I2, I3, I_STOPPED, I_OTHER_SUBNET = (f"i-13fdemo000{n}" for n in range(1, 6))
ENI_I1_PRIMARY, ENI_I2_PRIMARY = "eni-13fdemo0001", "eni-13fdemo0002"
ENI_I1_SECONDARY, ENI_FREE, ENI_SERVICE_FREE = "eni-13fdemo0011", "eni-13fdemo0012", "eni-13fdemo0013"

# Extra cn-beijing inventory: instances in statuses that refuse HaVip changes, an ENI of
# such an instance, a service-managed ENI attached to an instance, ten more instances for
# the per-HaVip limit, a tiny subnet, and a second account with its own HaVip and instance.
I_PENDING, I_STOPPING, ENI_OF_STOPPING = "i-13fdpending01", "i-13fdstopping1", "eni-13fdstopping1"
ENI_SERVICE_ATTACHED = "eni-13fdsvc00001"
TINY_SUBNET = "subnet-13fdtiny01"  # a /29: five usable addresses
LIMIT_INSTANCES = [f"i-13fdlimit00{n:02d}" for n in range(1, 11)]
LIMIT_ENIS = [f"eni-13fdlimit{n:02d}" for n in range(1, 11)]  # their primary ENIs
OTHER_ACCOUNT_HAVIP, OTHER_ACCOUNT_INSTANCE = "havip-13fdother0001", "i-13fdother0001"
VOLC_EXTRA_SEED = """
[[instance]]
id = "i-13fdpending01"
subnet = "subnet-13fdemo0001"
status = "Pending"

[[instance]]
id = "i-13fdstopping1"
subnet = "subnet-13fdemo0001"
status = "Stopping"

[[eni]]
id = "eni-13fdstopping1"
subnet = "subnet-13fdemo0001"
instance = "i-13fdstopping1"

[[eni]]
id = "eni-13fdsvc00001"
subnet = "subnet-13fdemo0001"
instance = "i-13fdemo0002"
service_managed = true

[[subnet]]
id = "subnet-13fdtiny01"
vpc = "vpc-13fdemo0001"
zone = "cn-beijing-a"
cidr = "192.168.9.0/29"

[[account]]
id = "1000000000000002"

[[vpc]]
id = "vpc-13fdother01"
account = "1000000000000002"
region = "cn-beijing"
cidr = "10.0.0.0/16"

[[subnet]]
id = "subnet-13fdother1"
vpc = "vpc-13fdother01"
zone = "cn-beijing-a"
cidr = "10.0.1.0/24"

[[instance]]
id = "i-13fdother0001"
subnet = "subnet-13fdother1"
status = "Running"

[[havip]]
id = "havip-13fdother0001"
subnet = "subnet-13fdother1"
""" + "".join(
    f'\n[[instance]]\nid = "{i}"\nsubnet = "subnet-13fdemo0001"\nstatus = "Running"\n'
    f'primary_eni = "{e}"\n' for i, e in zip(LIMIT_INSTANCES, LIMIT_ENIS)
)


@pytest.fixture(scope="session")
def volc_seed():
    d = pathlib.Path(tempfile.mkdtemp(prefix="havip-volc-seed-"))
    path = d / "seed.toml"
    path.write_text(SEED.read_text() + VOLC_EXTRA_SEED)
    return path


@pytest.fixture
def volc(havip_server, volc_seed):
    """A fresh server with the extended seed, no transition delay."""
    return havip_server(seed=volc_seed)


@pytest.fixture
def volc_slow(havip_server, volc_seed):
    """A fresh server whose changes stay in flight until the test finishes them."""
    return havip_server(transition_delay="1h", seed=volc_seed)


# --- SDK plumbing -------------------------------------------------------------------


def configuration(server, ak=AK, sk=SK, region=REGION):
    cfg = volcenginesdkcore.Configuration()
    cfg.ak, cfg.sk, cfg.region = ak, sk, region
    cfg.host, cfg.scheme = server.endpoint, "http"
    cfg.auto_retry = False
    cfg.client_side_validation = False
    return cfg


def vpc_api(server, **kw):
    return volcenginesdkvpc.VPCApi(volcenginesdkcore.ApiClient(configuration(server, **kw)))


def universal(server, action, params, version="2020-04-01", service="vpc", **kw):
    """A raw call through the SDK's UniversalApi (no client-side model checks)."""
    api = UniversalApi(volcenginesdkcore.ApiClient(configuration(server, **kw)))
    info = UniversalInfo(method="GET", service=service, version=version, action=action,
                         content_type="text/plain")
    return api.do_call(info, params)


def error_of(exc: ApiException):
    """(HTTP status, Code, CodeN, Message) of an SDK error; the body must be the envelope."""
    body = json.loads(exc.body)
    err = body["ResponseMetadata"]["Error"]
    assert isinstance(err["CodeN"], int)
    for field in ("RequestId", "Action", "Version", "Service", "Region"):
        assert field in body["ResponseMetadata"]
    return exc.status, err["Code"], err["CodeN"], err["Message"]


def expect_error(status, code, call, *args, **kwargs):
    with pytest.raises(ApiException) as info:
        call(*args, **kwargs)
    got = error_of(info.value)
    assert (got[0], got[1]) == (status, code), got
    return got


def sign_raw(server, params, ak=AK, sk=SK, region=REGION, service="vpc", when=None,
             drop_signature=False, headers=None):
    """A hand-signed GET / (the recipe of wire-volcengine.md 2.2) for requests the SDK
    cannot make: a skewed X-Date, a missing Action, an Authorization without Signature."""
    when = when or datetime.now(timezone.utc)
    x_date = when.strftime("%Y%m%dT%H%M%SZ")
    hdrs = {"Content-Type": "text/plain", "Host": server.endpoint, "X-Date": x_date,
            "X-Content-Sha256": hashlib.sha256(b"").hexdigest()}
    hdrs.update(headers or {})
    signed = sorted(k.lower() for k in hdrs)
    canon_headers = "".join(f"{k.lower()}:{hdrs[k]}\n" for k in sorted(hdrs, key=str.lower))
    q = lambda s: urllib.parse.quote(str(s), safe="-_.~")  # noqa: E731
    canon_query = "&".join(f"{q(k)}={q(v)}" for k, v in sorted(params.items()))
    canonical = "\n".join(["GET", "/", canon_query, canon_headers, ";".join(signed),
                           hdrs["X-Content-Sha256"]])
    scope = f"{x_date[:8]}/{region}/{service}/request"
    to_sign = "\n".join(["HMAC-SHA256", x_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = sk.encode()
    for part in (x_date[:8], region, service, "request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    auth = f"HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={';'.join(signed)}"
    if not drop_signature:
        auth += f", Signature={signature}"
    hdrs["Authorization"] = auth
    return requests.get(server.url("/") + "?" + urllib.parse.urlencode(params), headers=hdrs, timeout=30)


def raw_error(resp):
    body = resp.json()
    err = body["ResponseMetadata"]["Error"]
    assert isinstance(err["CodeN"], int)
    return resp.status_code, err["Code"]


# --- shorthand for the operations -------------------------------------------------------


def create(api, subnet=SUBNET, **kw):
    return api.create_ha_vip(volcenginesdkvpc.CreateHaVipRequest(subnet_id=subnet, **kw))


def associate(api, havip_id, instance_id, instance_type=None, client_token=None):
    return api.associate_ha_vip(volcenginesdkvpc.AssociateHaVipRequest(
        ha_vip_id=havip_id, instance_id=instance_id, instance_type=instance_type,
        client_token=client_token))


def disassociate(api, havip_id, instance_id, instance_type=None, client_token=None):
    return api.disassociate_ha_vip(volcenginesdkvpc.DisassociateHaVipRequest(
        ha_vip_id=havip_id, instance_id=instance_id, instance_type=instance_type,
        client_token=client_token))


def describe(api, **kw):
    return api.describe_ha_vips(volcenginesdkvpc.DescribeHaVipsRequest(**kw))


def one(api, havip_id):
    found = describe(api, ha_vip_ids=[havip_id]).ha_vips
    return found[0] if found else None


def wait_status(api, havip_id, wanted, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        h = one(api, havip_id)
        status = h.status if h else None
        if status == wanted:
            return h
        time.sleep(0.05)
    raise AssertionError(f"{havip_id} never became {wanted}")


# --- happy paths ---------------------------------------------------------------------


def test_create_describe_modify_delete(volc):
    api = vpc_api(volc)
    r = create(api, ip_address="192.168.1.200", ha_vip_name="web-vip", description="VIP of web",
               tags=[volcenginesdkvpc.TagForCreateHaVipInput(key="env", value="prod")])
    assert r.ha_vip_id.startswith("havip-") and r.ip_address == "192.168.1.200"
    assert r.request_id and r.metadata().request_id == r.request_id
    assert r.metadata().action == "CreateHaVip" and r.metadata().region == REGION
    h = one(api, r.ha_vip_id)
    assert (h.ha_vip_name, h.description, h.ip_address, h.status) == ("web-vip", "VIP of web", "192.168.1.200", "Available")
    assert (h.vpc_id, h.subnet_id, h.account_id, h.project_name) == (VPC, SUBNET, "1000000000000001", "default")
    assert h.associated_instance_ids == [] and h.associated_instance_type == ""
    assert h.master_instance_id == "" and h.associated_eip_id == ""
    assert h.created_at.endswith("+08:00") and h.updated_at
    assert [(t.key, t.value) for t in h.tags] == [("env", "prod")]

    m = api.modify_ha_vip_attributes(volcenginesdkvpc.ModifyHaVipAttributesRequest(
        ha_vip_id=r.ha_vip_id, ha_vip_name="web-vip-2"))
    assert m.request_id
    h = one(api, r.ha_vip_id)
    assert (h.ha_vip_name, h.description) == ("web-vip-2", "VIP of web")
    api.modify_ha_vip_attributes(volcenginesdkvpc.ModifyHaVipAttributesRequest(
        ha_vip_id=r.ha_vip_id, description="changed"))
    assert one(api, r.ha_vip_id).description == "changed"

    d = api.delete_ha_vip(volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id=r.ha_vip_id))
    assert d.request_id
    assert one(api, r.ha_vip_id) is None


def test_create_without_name_or_ip(volc):
    api = vpc_api(volc)
    r = create(api)
    h = one(api, r.ha_vip_id)
    assert h.ip_address == r.ip_address and h.ip_address.startswith("192.168.1.")
    assert h.ha_vip_name == r.ha_vip_id  # the name defaults to the id


def test_associate_and_disassociate_instances(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    r = associate(api, hid, I1, "EcsInstance")
    assert r.request_id and r.metadata().action == "AssociateHaVip"
    assert r.async_task_id is None  # no transition delay: nothing left in flight
    associate(api, hid, I2)  # InstanceType defaults to EcsInstance
    h = one(api, hid)
    assert h.status == "InUse" and h.associated_instance_type == "EcsInstance"
    assert h.associated_instance_ids == [I1, I2] and h.master_instance_id == I1
    # The master can be disassociated (no Force on Volcengine); the next one takes over.
    disassociate(api, hid, I1, "EcsInstance")
    h = one(api, hid)
    assert h.associated_instance_ids == [I2] and h.master_instance_id == I2
    disassociate(api, hid, I2)
    h = one(api, hid)
    assert h.status == "Available" and h.associated_instance_ids == [] and h.master_instance_id == ""


def test_associate_network_interfaces(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, ENI_I1_PRIMARY, "NetworkInterface")
    associate(api, hid, ENI_I2_PRIMARY, "NetworkInterface")
    h = one(api, hid)
    assert h.associated_instance_type == "NetworkInterface"
    assert h.associated_instance_ids == [ENI_I1_PRIMARY, ENI_I2_PRIMARY]
    disassociate(api, hid, ENI_I1_PRIMARY, "NetworkInterface")
    assert one(api, hid).associated_instance_ids == [ENI_I2_PRIMARY]


def test_a_stopped_instance_can_be_associated(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, I_STOPPED)
    assert one(api, hid).associated_instance_ids == [I_STOPPED]


# --- async states (--transition-delay 1s) ----------------------------------------------


def test_async_states(volc_slow):
    api = vpc_api(volc_slow)
    created = create(api)
    hid = created.ha_vip_id
    assert created.async_task_id  # the change in flight
    assert one(api, hid).status == "Creating"
    volc_slow.complete(hid)
    assert one(api, hid).status == "Available"
    api.delete_ha_vip(volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id=hid))
    assert one(api, hid).status == "Deleting"
    volc_slow.complete(hid)
    assert one(api, hid) is None


def test_a_change_in_flight_shows_the_havip_as_it_was(volc_slow):
    # Volcengine documents only Creating, Available, InUse and Deleting: while an
    # association change is in flight the HaVip keeps its status and members as they were.
    api = vpc_api(volc_slow)
    hid = create(api).ha_vip_id
    volc_slow.complete(hid)

    def shown():
        h = one(api, hid)
        return h.status, h.associated_instance_ids, h.associated_instance_type, h.master_instance_id

    def filtered(status):
        return [h.ha_vip_id for h in describe(api, status=status).ha_vips]

    # Associating on an Available HaVip: still Available, the new member not listed.
    assert associate(api, hid, I1).async_task_id
    assert shown() == ("Available", [], "", "")
    assert filtered("Available") == [hid] and filtered("InUse") == []
    volc_slow.complete(hid)
    assert shown() == ("InUse", [I1], "EcsInstance", I1)
    # Associating a second member: still InUse with the first only.
    associate(api, hid, I2)
    assert shown() == ("InUse", [I1], "EcsInstance", I1)
    assert filtered("InUse") == [hid] and filtered("Available") == []
    volc_slow.complete(hid)
    assert shown() == ("InUse", [I1, I2], "EcsInstance", I1)
    # Disassociating: still InUse, the leaving member still listed.
    disassociate(api, hid, I2)
    assert shown() == ("InUse", [I1, I2], "EcsInstance", I1)
    volc_slow.complete(hid)
    disassociate(api, hid, I1)
    assert shown() == ("InUse", [I1], "EcsInstance", I1)
    assert filtered("InUse") == [hid] and filtered("Available") == []
    volc_slow.complete(hid)
    assert shown() == ("Available", [], "", "")
    assert filtered("Available") == [hid]
    # Alibaba's transient statuses are no filter of this face.
    for alibaba_only in ("Associating", "Disassociating", "Unassociating"):
        expect_error(400, "InvalidParameter", api.describe_ha_vips,
                     volcenginesdkvpc.DescribeHaVipsRequest(status=alibaba_only))


# --- idempotency ------------------------------------------------------------------------


def test_client_token_replay_returns_first_answer_and_does_nothing_more(volc):
    api = vpc_api(volc)
    first = create(api, client_token="create-1", ha_vip_name="a")
    again = create(api, client_token="create-1", ha_vip_name="a")
    assert (again.ha_vip_id, again.ip_address) == (first.ha_vip_id, first.ip_address)
    assert describe(api).total_count == 1
    associate(api, first.ha_vip_id, I1, client_token="assoc-1")
    associate(api, first.ha_vip_id, I1, client_token="assoc-1")  # replay: no "already associated"
    assert one(api, first.ha_vip_id).associated_instance_ids == [I1]
    disassociate(api, first.ha_vip_id, I1, client_token="dis-1")
    disassociate(api, first.ha_vip_id, I1, client_token="dis-1")
    assert one(api, first.ha_vip_id).status == "Available"


def test_client_token_with_other_parameters_is_a_mismatch(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, I1, client_token="tok")
    expect_error(400, "IdempotentParameterMismatch", associate, api, hid, I2, client_token="tok")
    assert one(api, hid).associated_instance_ids == [I1]
    create(api, client_token="c", ha_vip_name="x")
    expect_error(400, "IdempotentParameterMismatch", create, api, client_token="c", ha_vip_name="y")


def test_client_token_while_the_change_is_in_flight_is_processing(volc_slow):
    api = vpc_api(volc_slow)
    hid = create(api).ha_vip_id
    volc_slow.complete(hid)
    wait_status(api, hid, "Available")
    associate(api, hid, I1, client_token="slow-1")
    expect_error(412, "IdempotentProcessing", associate, api, hid, I1, client_token="slow-1")
    volc_slow.complete(hid)
    wait_status(api, hid, "InUse")
    associate(api, hid, I1, client_token="slow-1")  # done now: the first answer again
    assert one(api, hid).associated_instance_ids == [I1]


def test_tokens_survive_a_restart(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, I1, client_token="persist")
    volc.restart()
    api = vpc_api(volc)
    associate(api, hid, I1, client_token="persist")
    expect_error(400, "IdempotentParameterMismatch", associate, api, hid, I2, client_token="persist")


# --- DescribeHaVips: paging, filters, tags ---------------------------------------------------


def test_paging_by_page_number(volc):
    api = vpc_api(volc)
    ids = [create(api).ha_vip_id for _ in range(5)]
    seen = []
    for number, size in [(1, 2), (2, 2), (3, 2)]:
        page = describe(api, page_number=number, page_size=size)
        assert page.total_count == 5 and page.page_number == number and page.page_size == size
        seen += [h.ha_vip_id for h in page.ha_vips]
    assert seen == ids
    assert describe(api, page_number=4, page_size=2).ha_vips == []
    assert len(describe(api).ha_vips) == 5  # default page size 10


def test_paging_by_next_token(volc):
    api = vpc_api(volc)
    ids = [create(api).ha_vip_id for _ in range(5)]
    seen, token, pages = [], None, 0
    while True:
        page = describe(api, max_results=2, next_token=token)
        assert page.total_count == 5
        seen += [h.ha_vip_id for h in page.ha_vips]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert seen == ids and pages == 3


def test_filters(volc):
    api = vpc_api(volc)
    a = create(api, ha_vip_name="alpha", ip_address="192.168.1.150").ha_vip_id
    b = create(api, subnet=OTHER_SUBNET, ha_vip_name="beta").ha_vip_id
    associate(api, a, I1)
    ids = lambda **kw: [h.ha_vip_id for h in describe(api, **kw).ha_vips]  # noqa: E731
    assert ids() == [a, b]
    assert ids(ha_vip_ids=[b, "havip-nonexistent"]) == [b]
    assert ids(ha_vip_name="beta") == [b]
    assert ids(ip_address="192.168.1.150") == [a]
    assert ids(vpc_id=VPC) == [a, b]
    assert ids(vpc_id="vpc-other") == []
    assert ids(subnet_id=OTHER_SUBNET) == [b]
    assert ids(status="InUse") == [a]
    assert ids(status="Available", subnet_id=SUBNET) == []
    assert ids(project_name="default") == [a, b]
    empty = describe(api, project_name="another-project")
    assert empty.ha_vips == [] and empty.total_count == 0


def test_tag_filters(volc):
    api = vpc_api(volc)
    tag = volcenginesdkvpc.TagForCreateHaVipInput
    flt = volcenginesdkvpc.TagFilterForDescribeHaVipsInput
    a = create(api, tags=[tag(key="env", value="prod"), tag(key="team", value="web")]).ha_vip_id
    b = create(api, tags=[tag(key="env", value="dev")]).ha_vip_id
    c = create(api, tags=[tag(key="env", value="v 2/\u00fc")]).ha_vip_id
    create(api)
    ids = lambda *filters: [h.ha_vip_id for h in describe(api, tag_filters=list(filters)).ha_vips]  # noqa: E731
    assert ids(flt(key="env", values=["prod"])) == [a]
    assert ids(flt(key="env", values=["prod", "dev"])) == [a, b]  # values are ORed
    assert ids(flt(key="env")) == [a, b, c]  # a key alone matches any value
    assert ids(flt(key="env", values=["v 2/\u00fc"])) == [c]
    assert ids(flt(key="env", values=["prod"]), flt(key="team", values=["web"])) == [a]  # ANDed
    assert ids(flt(key="env", values=["dev"]), flt(key="team")) == []


def test_describe_accepts_100_ids(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    many = [hid] + [f"havip-none{n:03d}" for n in range(99)]
    assert [h.ha_vip_id for h in describe(api, ha_vip_ids=many).ha_vips] == [hid]


# --- accounts and regions ---------------------------------------------------------------------


def test_another_accounts_resources_do_not_exist(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    assert OTHER_ACCOUNT_HAVIP not in [h.ha_vip_id for h in describe(api).ha_vips]
    assert describe(api, ha_vip_ids=[OTHER_ACCOUNT_HAVIP]).ha_vips == []
    expect_error(404, "InvalidHaVip.NotFound", associate, api, OTHER_ACCOUNT_HAVIP, I1)
    expect_error(404, "InvalidInstance.NotFound", associate, api, hid, OTHER_ACCOUNT_INSTANCE)


def test_the_credential_scope_region_selects_the_region(volc):
    beijing = vpc_api(volc)
    hid = create(beijing).ha_vip_id
    shanghai = vpc_api(volc, region="cn-shanghai")
    assert hid not in [h.ha_vip_id for h in describe(shanghai).ha_vips]
    expect_error(404, "InvalidHaVip.NotFound", associate, shanghai, hid, I1)
    # The Shanghai subnet is the caller's in cn-shanghai, not in cn-beijing.
    expect_error(404, "InvalidSubnet.NotFound", create, beijing, subnet="vsw-uf6demo0001")
    assert create(shanghai, subnet="vsw-uf6demo0001").ha_vip_id


def test_every_answer_has_response_metadata(volc):
    r = universal(volc, "DescribeHaVips", {})
    assert r["TotalCount"] == 0 and r["HaVips"] == [] and r["NextToken"] == ""
    raw = sign_raw(volc, {"Action": "DescribeHaVips", "Version": "2020-04-01"})
    assert raw.status_code == 200 and raw.headers["Content-Type"] == "application/json"
    meta = raw.json()["ResponseMetadata"]
    assert meta["Action"] == "DescribeHaVips" and meta["Version"] == "2020-04-01"
    assert meta["Service"] == "vpc" and meta["Region"] == REGION
    assert raw.json()["Result"]["RequestId"] == meta["RequestId"]
