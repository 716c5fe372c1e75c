"""Tags on Volcengine HaVips through TagResources, UntagResources and ListTagsForResources
with ResourceType=havip, as the Terraform provider (`volcengine_ha_vip`, its
`SetResourceTags`) sends them, judged by the official SDK (volcenginesdkvpc, with
client-side validation off: the SDK's models do not list `havip`) against a real
`havip serve`."""

import volcenginesdkcore
import volcenginesdkvpc as vpc

from test_volcengine import (  # noqa: F401  (volc and volc_seed are fixtures)
    create,
    describe,
    expect_error,
    one,
    universal,
    volc,
    volc_seed,
    vpc_api,
)

# The request models check `resource_type` against their list (no `havip`) unless built
# with a configuration that turns the checks off.
UNCHECKED = volcenginesdkcore.Configuration()
UNCHECKED.client_side_validation = False
Tag = vpc.TagForTagResourcesInput
Filter = vpc.TagFilterForListTagsForResourcesInput


def tag(api, ids, **tags):
    return api.tag_resources(vpc.TagResourcesRequest(
        resource_ids=ids, resource_type="havip",
        tags=[Tag(key=k, value=v) for k, v in tags.items()], _configuration=UNCHECKED))


def untag(api, ids, *keys):
    return api.untag_resources(vpc.UntagResourcesRequest(
        resource_ids=ids, resource_type="havip", tag_keys=list(keys), _configuration=UNCHECKED))


def listed(api, **kw):
    kw.setdefault("resource_type", "havip")
    page = api.list_tags_for_resources(
        vpc.ListTagsForResourcesRequest(**kw, _configuration=UNCHECKED))
    rows = [(r.resource_id, r.resource_type, r.tag_key, r.tag_value) for r in page.resource_tags]
    return rows, page.next_token


def tags_of(api, havip_id):
    return {t.key: t.value for t in one(api, havip_id).tags}


def test_tag_untag_and_list_as_the_provider_does(volc):
    api = vpc_api(volc)
    a = create(api).ha_vip_id
    b = create(api).ha_vip_id
    tag(api, [a], env="prod", team="web")
    tag(api, [a, b], env="dev")  # the same key again takes the new value
    assert tags_of(api, a) == {"env": "dev", "team": "web"}
    assert tags_of(api, b) == {"env": "dev"}
    rows, token = listed(api, resource_ids=[a])
    assert sorted(rows) == [(a, "havip", "env", "dev"), (a, "havip", "team", "web")]
    assert token == ""
    untag(api, [a], "team", "absent-key")  # a key the HaVip lacks is no error
    assert tags_of(api, a) == {"env": "dev"}
    # DescribeHaVips filters by the tags set here.
    flt = vpc.TagFilterForDescribeHaVipsInput
    found = describe(api, tag_filters=[flt(key="env", values=["dev"])]).ha_vips
    assert [h.ha_vip_id for h in found] == [a, b]


def test_list_by_tag_filter_and_pages(volc):
    api = vpc_api(volc)
    ids = [create(api).ha_vip_id for _ in range(3)]
    for n, i in enumerate(ids):
        tag(api, [i], env=f"e{n}", team="web")
    rows, _ = listed(api, tag_filters=[Filter(key="env", values=["e0", "e2"])])
    assert {r[0] for r in rows} == {ids[0], ids[2]}
    first, token = listed(api, tag_filters=[Filter(key="team")], max_results=2)
    assert len(first) == 2 and token
    rest, last = listed(api, tag_filters=[Filter(key="team")], max_results=2, next_token=token)
    assert last == "" and len(rest) == 1
    assert {r[0] for r in first + rest} == set(ids)
    # HaVips carry no system tags.
    assert listed(api, resource_ids=ids, tag_type="system") == ([], "")


def test_tagging_is_all_or_nothing(volc):
    api = vpc_api(volc)
    a = create(api).ha_vip_id
    expect_error(404, "InvalidHaVip.NotFound", tag, api, [a, "havip-absent0001"], env="x")
    assert tags_of(api, a) == {}
    expect_error(404, "InvalidHaVip.NotFound", untag, api, ["havip-absent0001"], "env")


def test_bad_tag_requests(volc):
    api = vpc_api(volc)
    a = create(api).ha_vip_id
    call = lambda action, params: universal(volc, action, params)  # noqa: E731
    expect_error(400, "MissingParameter", call, "TagResources",
                 {"ResourceIds.1": a, "Tags.1.Key": "k"})
    expect_error(400, "InvalidParameter", call, "TagResources",
                 {"ResourceType": "vpc", "ResourceIds.1": a, "Tags.1.Key": "k"})
    expect_error(400, "MissingParameter", call, "TagResources",
                 {"ResourceType": "havip", "Tags.1.Key": "k"})
    expect_error(400, "MissingParameter", call, "TagResources",
                 {"ResourceType": "havip", "ResourceIds.1": a})
    expect_error(400, "MissingParameter", call, "UntagResources",
                 {"ResourceType": "havip", "ResourceIds.1": a})
    expect_error(400, "InvalidParameter", call, "TagResources",
                 {"ResourceType": "havip",
                  **{f"ResourceIds.{n}": a for n in range(1, 22)}, "Tags.1.Key": "k"})
    expect_error(400, "InvalidTagKey.Duplicated", call, "TagResources",
                 {"ResourceType": "havip", "ResourceIds.1": a,
                  "Tags.1.Key": "k", "Tags.2.Key": "k"})
    expect_error(400, "InvalidParameter", call, "ListTagsForResources",
                 {"ResourceType": "havip", "TagType": "other"})
    expect_error(400, "InvalidParameter", call, "ListTagsForResources",
                 {"ResourceType": "havip", "NextToken": "x"})
    expect_error(400, "InvalidParameter", call, "ListTagsForResources",
                 {"ResourceType": "havip", "MaxResults": "101"})
    assert tags_of(api, a) == {}


def test_terraform_volcengine_ha_vip_sequence(volc):
    """`volcengine_ha_vip` as the provider drives it through its universal client (GET,
    every parameter in the query): create with a ClientToken and tags, read by
    `HaVipIds.1` (PageSize 100) until Available, modify, change tags (UntagResources,
    then TagResources), delete, read until the list is empty (the provider's "not exist")."""
    call = lambda action, **params: universal(volc, action, params)  # noqa: E731

    def read(havip_id):
        found = call("DescribeHaVips", **{"HaVipIds.1": havip_id, "PageSize": 100,
                                          "PageNumber": 1})["HaVips"]
        return found[0] if found else None

    created = call("CreateHaVip", SubnetId="subnet-13fdemo0001", HaVipName="tf-havip",
                   Description="made by terraform", ClientToken="3f2a6c1e-tf-create",
                   **{"Tags.1.Key": "env", "Tags.1.Value": "prod",
                      "Tags.2.Key": "team", "Tags.2.Value": "web"})
    havip_id = created["HaVipId"]
    h = read(havip_id)
    assert h["Status"] == "Available"
    assert (h["HaVipName"], h["Description"], h["IpAddress"]) == (
        "tf-havip", "made by terraform", created["IpAddress"])
    assert sorted((t["Key"], t["Value"]) for t in h["Tags"]) == [("env", "prod"), ("team", "web")]
    call("ModifyHaVipAttributes", HaVipId=havip_id, HaVipName="tf-havip-2", Description="d2")
    call("UntagResources", **{"ResourceIds.1": havip_id, "ResourceType": "havip",
                              "TagKeys.1": "team"})
    call("TagResources", **{"ResourceIds.1": havip_id, "ResourceType": "havip",
                            "Tags.1.Key": "env", "Tags.1.Value": "staging"})
    h = read(havip_id)
    assert (h["HaVipName"], h["Description"], h["Status"]) == ("tf-havip-2", "d2", "Available")
    assert [(t["Key"], t["Value"]) for t in h["Tags"]] == [("env", "staging")]
    call("DeleteHaVip", HaVipId=havip_id)
    assert read(havip_id) is None
