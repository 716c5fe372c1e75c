//! Tests of the whole parse: the contract's example, the shipped example file, limits,
//! the derived look-ups, and one test per refusal. A refusal test marks the line at
//! fault with `# <-` and asserts that the message names that line and the field.

use std::net::Ipv4Addr;
use std::path::Path;

use super::*;

/// The example of ARCHITECTURE.md, "Contracts other tools rely on", verbatim.
const CONTRACT: &str = r#"[[account]]
id = "1000000000000001"
[[access_key]]               # AK/SK pairs that sign requests for an account
account = "1000000000000001"
id = "AKDEMO0000000001"
secret = "demo-secret-0000000000000001"
[[huawei_project]]           # Huawei project id → (account, region)
id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
account = "1000000000000001"
region = "cn-north-4"
[[vpc]]
id = "vpc-demo01"
account = "1000000000000001"
region = "cn-shanghai"
cidr = "192.168.0.0/16"
[[subnet]]
id = "vsw-demo01"
vpc = "vpc-demo01"
zone = "cn-shanghai-b"
cidr = "192.168.1.0/24"
[[instance]]
id = "i-demo01"
subnet = "vsw-demo01"        # subnet of its primary ENI
status = "Running"
primary_eni = "eni-demo01"   # optional; created (with a free IP) when omitted
[[eni]]
id = "eni-demo02"
subnet = "vsw-demo01"
instance = "i-demo01"        # optional; omitted = a free ENI
ip = "192.168.1.20"          # optional; allocated when omitted
service_managed = false      # optional
[[havip]]                    # optional: HaVips that exist at start
id = "havip-demo01"
subnet = "vsw-demo01"
ip = "192.168.1.100"         # optional
"#;

fn with(extra: &str) -> String {
    format!("{CONTRACT}{extra}")
}

/// The 1-based line holding the `# <-` marker.
fn marked_line(text: &str) -> usize {
    match text.lines().position(|l| l.contains("# <-")) {
        Some(i) => i + 1,
        None => panic!("test text has no `# <-` marker:\n{text}"),
    }
}

/// Asserts the text is refused at the marked line, naming `field` in the message;
/// returns the message.
fn refused(text: &str, field: &str) -> String {
    let line = marked_line(text);
    let err = match parse_seed(text) {
        Ok(seed) => panic!("accepted, expected a refusal naming {field}: {seed:?}"),
        Err(err) => err,
    };
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("line {line}:")) || msg.starts_with(&format!("line {line},")),
        "expected line {line}: {msg}"
    );
    assert_eq!(err.line(), Some(line), "{msg}");
    assert!(msg.contains(field), "expected field {field:?} in: {msg}");
    msg
}

/// Like [`refused`] for validation errors; also checks `SeedError::field`.
fn invalid(text: &str, kind_field: &str) -> String {
    let msg = refused(text, kind_field.rsplit('.').next().unwrap_or(kind_field));
    let err = parse_seed(text).err();
    assert_eq!(
        err.as_ref().and_then(|e| e.field()),
        Some(kind_field),
        "{msg}"
    );
    msg
}

fn ok(text: &str) -> Seed {
    match parse_seed(text) {
        Ok(seed) => seed,
        Err(err) => panic!("refused: {err}\n{text}"),
    }
}

// --- what is accepted --------------------------------------------------------------

#[test]
fn contract_example_parses() {
    let seed = ok(CONTRACT);
    assert_eq!(seed.accounts.len(), 1);
    assert_eq!(seed.accounts[0].id, "1000000000000001");
    assert_eq!(seed.access_keys[0].id, "AKDEMO0000000001");
    assert_eq!(seed.access_keys[0].secret, "demo-secret-0000000000000001");
    assert_eq!(seed.access_keys[0].account, "1000000000000001");
    assert_eq!(
        seed.huawei_projects,
        vec![SeedHuaweiProject {
            id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
            account: "1000000000000001".into(),
            region: "cn-north-4".into(),
        }]
    );
    assert_eq!(seed.vpcs[0].cidr.to_string(), "192.168.0.0/16");
    assert_eq!(seed.subnets[0].zone, "cn-shanghai-b");
    assert_eq!(seed.subnets[0].cidr.to_string(), "192.168.1.0/24");
    let i = &seed.instances[0];
    assert_eq!(i.status, InstanceStatus::Running);
    assert_eq!(i.primary_eni.as_deref(), Some("eni-demo01"));
    // eni-demo01 is not declared: the loader creates it under that id.
    assert_eq!(
        seed.primary_eni("i-demo01"),
        Some(PrimaryEni::Implicit {
            id: Some("eni-demo01")
        })
    );
    assert!(!seed.is_primary_eni("eni-demo02"));
    let e = &seed.enis[0];
    assert_eq!(e.instance.as_deref(), Some("i-demo01"));
    assert_eq!(e.ip, Some(Ipv4Addr::new(192, 168, 1, 20)));
    assert!(!e.service_managed);
    assert_eq!(e.mac, None);
    let secondary: Vec<_> = seed.secondary_enis("i-demo01").map(|e| &e.id).collect();
    assert_eq!(secondary, ["eni-demo02"]);
    assert_eq!(seed.havips[0].ip, Some(Ipv4Addr::new(192, 168, 1, 100)));
    assert_eq!(seed.havips[0].name, None);
    assert_eq!(seed.limits, SeedLimits::default());

    assert_eq!(
        seed.subnet_owner("vsw-demo01"),
        Some(("1000000000000001", "cn-shanghai"))
    );
    assert_eq!(seed.subnet_owner("vsw-nope"), None);
    assert_eq!(
        seed.instance_owner("i-demo01"),
        Some(("1000000000000001", "cn-shanghai"))
    );
    assert_eq!(
        seed.eni_owner("eni-demo02"),
        Some(("1000000000000001", "cn-shanghai"))
    );
    assert_eq!(
        seed.havip_owner("havip-demo01"),
        Some(("1000000000000001", "cn-shanghai"))
    );
    assert_eq!(
        seed.seeded_ips("vsw-demo01"),
        vec![
            Ipv4Addr::new(192, 168, 1, 20),
            Ipv4Addr::new(192, 168, 1, 100)
        ]
    );
}

#[test]
fn example_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    let seed = match load_seed(&path) {
        Ok(seed) => seed,
        Err(err) => panic!("{}: {err}", path.display()),
    };
    assert_eq!(seed.accounts[0].id, "1000000000000001");
    assert_eq!(seed.access_keys[0].id, "AKDEMO0000000001");
    assert_eq!(seed.access_keys[0].secret, "demo-secret-0000000000000001");
    assert_eq!(
        seed.huawei_projects[0].id,
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    );
    assert_eq!(seed.huawei_projects[0].region, "cn-north-4");

    let regions: Vec<_> = seed.vpcs.iter().map(|v| v.region.as_str()).collect();
    assert_eq!(regions, ["cn-shanghai", "cn-beijing", "cn-north-4"]);
    for vpc in &seed.vpcs {
        assert_eq!(vpc.cidr.to_string(), "192.168.0.0/16");
        let subnets: Vec<_> = seed.subnets.iter().filter(|s| s.vpc == vpc.id).collect();
        assert_eq!(subnets.len(), 2, "{}", vpc.region);
        let in_first: Vec<_> = seed
            .instances
            .iter()
            .filter(|i| i.subnet == subnets[0].id)
            .collect();
        let running = in_first
            .iter()
            .filter(|i| i.status == InstanceStatus::Running)
            .count();
        let stopped = in_first
            .iter()
            .filter(|i| i.status == InstanceStatus::Stopped)
            .count();
        assert_eq!(
            (running, stopped, in_first.len()),
            (3, 1, 4),
            "{}",
            vpc.region
        );
        assert_eq!(
            seed.instances
                .iter()
                .filter(|i| i.subnet == subnets[1].id)
                .count(),
            1
        );
        let enis: Vec<_> = seed
            .enis
            .iter()
            .filter(|e| subnets.iter().any(|s| s.id == e.subnet))
            .collect();
        assert!(enis
            .iter()
            .any(|e| e.instance.is_none() && !e.service_managed));
        assert!(enis.iter().any(|e| e.service_managed));
        let first = &in_first[0].id;
        assert!(matches!(
            seed.primary_eni(first),
            Some(PrimaryEni::Declared(_))
        ));
        assert_eq!(seed.secondary_enis(first).count(), 1, "{}", vpc.region);
        for i in in_first {
            assert_eq!(
                seed.instance_owner(&i.id),
                Some((vpc.account.as_str(), vpc.region.as_str()))
            );
        }
    }
    assert_eq!(seed.havips.len(), 1);
    assert_eq!(
        seed.havip_owner(&seed.havips[0].id),
        Some(("1000000000000001", "cn-shanghai"))
    );
    // Huawei ids are UUIDs.
    let huawei = &seed.vpcs[2];
    assert_eq!(huawei.id.len(), 36);
    assert!(seed
        .subnets
        .iter()
        .filter(|s| s.vpc == huawei.id)
        .all(|s| s.id.len() == 36));
}

#[test]
fn limits_parse() {
    let seed = ok(&with(
        "[limits.aliyun]\ninstances_per_havip = 10\nhavips_per_instance = 5\n\
         havips_per_region = 20\n\
         [limits.huawei]\nhavips_per_instance = 8\n",
    ));
    assert_eq!(
        seed.limits.by_face["aliyun"],
        CloudLimits {
            instances_per_havip: Some(10),
            havips_per_instance: Some(5),
            havips_per_region: Some(20),
        }
    );
    assert_eq!(seed.limits.by_face.get("volcengine"), None);
    assert_eq!(
        seed.limits.by_face["huawei"],
        CloudLimits {
            instances_per_havip: None,
            havips_per_instance: Some(8),
            havips_per_region: None,
        }
    );
    let seed = ok("[limits.volcengine]\ninstances_per_havip = 1\n[limits]\n");
    assert_eq!(
        seed.limits.by_face["volcengine"].instances_per_havip,
        Some(1)
    );
}

#[test]
fn limits_of_a_face_the_server_does_not_run_are_refused_with_their_line() {
    let seed =
        ok("[limits.aliyun]\nhavips_per_region = 3\n\n[limits.tencnt]\nhavips_per_region = 1\n");
    assert!(seed.check_faces(&["aliyun", "tencent"]).is_err());
    let e = seed.check_faces(&["aliyun", "tencent"]).unwrap_err();
    assert_eq!(e.line(), Some(4));
    assert_eq!(e.field(), Some("limits.tencnt"));
    assert!(e.to_string().contains("faces: aliyun, tencent"), "{e}");
    assert!(seed.check_faces(&["aliyun", "tencnt"]).is_ok());
}

#[test]
fn empty_file_is_an_empty_seed() {
    assert_eq!(ok(""), Seed::default());
    assert_eq!(ok("# nothing\n"), Seed::default());
}

#[test]
fn optional_fields_and_extensions() {
    let seed = ok(&with(
        r#"[[instance]]
id = "i-demo02"
name = "web-2"
subnet = "vsw-demo01"
status = "Stopped"
primary_eni = "eni-demo03"
[[eni]]
id = "eni-demo03"
name = "primary"
subnet = "vsw-demo01"
mac = "00:16:3E:AA:BB:CC"
[[eni]]
id = "eni-free"
subnet = "vsw-demo01"
[[havip]]
id = "havip-demo02"
subnet = "vsw-demo01"
name = "db"
description = "VIP of the db pair"
"#,
    ));
    let i = seed.instance("i-demo02");
    assert_eq!(i.and_then(|i| i.name.as_deref()), Some("web-2"));
    assert_eq!(i.map(|i| i.status), Some(InstanceStatus::Stopped));
    // A declared primary ENI left unattached in the file is attached to its instance.
    let e = seed.eni("eni-demo03");
    assert_eq!(e.and_then(|e| e.instance.as_deref()), Some("i-demo02"));
    assert_eq!(e.and_then(|e| e.mac.as_deref()), Some("00:16:3e:aa:bb:cc"));
    assert!(seed.is_primary_eni("eni-demo03"));
    assert_eq!(seed.secondary_enis("i-demo02").count(), 0);
    let free = seed.eni("eni-free");
    assert_eq!(free.and_then(|e| e.instance.as_deref()), None);
    assert_eq!(free.and_then(|e| e.ip), None);
    let h = seed.havip("havip-demo02");
    assert_eq!(h.and_then(|h| h.ip), None);
    assert_eq!(
        h.and_then(|h| h.description.as_deref()),
        Some("VIP of the db pair")
    );
}

#[test]
fn instance_without_primary_eni() {
    let seed = ok(&with(
        "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Pending\"\n",
    ));
    assert_eq!(
        seed.primary_eni("i-2"),
        Some(PrimaryEni::Implicit { id: None })
    );
    assert_eq!(seed.primary_eni("i-none"), None);
}

#[test]
fn every_instance_status_is_accepted() {
    for status in InstanceStatus::ALL {
        let seed = ok(&with(&format!(
            "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"{}\"\n",
            status.as_str()
        )));
        assert_eq!(seed.instance("i-2").map(|i| i.status), Some(status));
        assert_eq!(InstanceStatus::parse(status.as_str()), Some(status));
    }
}

#[test]
fn debug_does_not_print_secrets() {
    let seed = ok(CONTRACT);
    let debug = format!("{seed:?}");
    assert!(!debug.contains("demo-secret"), "{debug}");
    assert!(debug.contains("AKDEMO0000000001"));
}

// --- syntax and shape --------------------------------------------------------------

#[test]
fn unknown_field_is_refused() {
    let msg = refused(
        &with("[[vpc]]\nid = \"vpc-2\"\naccount = \"1000000000000001\"\nregion = \"r\"\ncidr = \"10.0.0.0/8\"\ncolour = \"red\" # <-\n"),
        "`colour`",
    );
    assert!(msg.contains("column 1"), "{msg}");
}

#[test]
fn unknown_field_in_each_table_is_refused() {
    for table in [
        "account",
        "access_key",
        "huawei_project",
        "vpc",
        "subnet",
        "instance",
        "eni",
        "havip",
    ] {
        refused(&format!("[[{table}]]\nbogus = 1 # <-\n"), "`bogus`");
    }
}

#[test]
fn dataplane_table_attaches_a_data_plane() {
    assert!(!ok(CONTRACT).dataplane, "absent: no data plane");
    assert!(ok(&with("[dataplane]\n")).dataplane, "present: attached");
    assert!(ok(&with("[dataplane]\nattached = true\n")).dataplane);
    assert!(!ok(&with("[dataplane]\nattached = false\n")).dataplane);
    refused(&with("[dataplane]\nagent = \"x\" # <-\n"), "`agent`");
    refused(&with("[dataplane]\nattached = \"yes\" # <-\n"), "attached");
}

#[test]
fn havip_members_are_instances_or_enis_of_the_seed() {
    let seed = ok(&with("members = [\"i-demo01\"]\n"));
    assert_eq!(seed.havips[0].members, ["i-demo01"]);
    assert!(ok(CONTRACT).havips[0].members.is_empty());
    let msg = refused(&with("members = [\"i-nope\"] # <-\n"), "members");
    assert!(msg.contains("i-nope"), "{msg}");
    refused(
        &with("members = [\"i-demo01\", \"i-demo01\"] # <-\n"),
        "twice",
    );
    refused(
        &with("members = [\"i-demo01\", \"eni-demo02\"] # <-\n"),
        "one kind",
    );
}

#[test]
fn unknown_table_is_refused() {
    refused(
        &with("[[security_group]] # <-\nid = \"sg-1\"\n"),
        "`security_group`",
    );
    refused(
        &with("[limits.aliyun]\nmax_havips = 1 # <-\n"),
        "`max_havips`",
    );
}

#[test]
fn missing_field_is_refused() {
    let msg = refused(
        &with("[[subnet]] # <-\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"z\"\n"),
        "`cidr`",
    );
    assert!(msg.contains("[[subnet]]"), "{msg}");
}

#[test]
fn wrong_type_is_refused_with_the_field() {
    refused(&with("[[account]]\nid = 1000000000000002 # <-\n"), "`id`");
    refused(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nservice_managed = \"no\" # <-\n"),
        "`service_managed`",
    );
    refused(
        &with("[limits.huawei]\nhavips_per_instance = \"8\" # <-\n"),
        "`havips_per_instance`",
    );
}

#[test]
fn single_table_instead_of_array_is_refused_with_a_hint() {
    let msg = refused("[account] # <-\nid = \"1\"\n", "[[account]]");
    assert!(msg.contains("array of tables"), "{msg}");
}

#[test]
fn bad_toml_is_refused_with_line_and_column() {
    let err = parse_seed("[[account]]\nid = \"1\nx").err();
    assert!(
        matches!(err, Some(SeedError::Syntax { line: 2, .. })),
        "{err:?}"
    );
}

#[test]
fn io_error_names_the_path() {
    let err = load_seed(Path::new("/nonexistent/havip/seed.toml")).err();
    assert!(matches!(err, Some(SeedError::Io { .. })), "{err:?}");
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("/nonexistent/havip/seed.toml"), "{msg}");
}

// --- references --------------------------------------------------------------------

#[test]
fn missing_reference_message_has_the_documented_form() {
    let text =
        with("[[instance]]\nid = \"i-demo02\"\nsubnet = \"vsw-x\" # <-\nstatus = \"Running\"\n");
    let line = marked_line(&text);
    let msg = invalid(&text, "instance.subnet");
    assert_eq!(
        msg,
        format!("line {line}: subnet \"vsw-x\" of instance \"i-demo02\" does not exist")
    );
}

#[test]
fn access_key_account_must_exist() {
    let msg = invalid(
        &with("[[access_key]]\naccount = \"999\" # <-\nid = \"AK2\"\nsecret = \"s\"\n"),
        "access_key.account",
    );
    assert!(
        msg.contains("\"999\"") && msg.contains("does not exist"),
        "{msg}"
    );
}

#[test]
fn huawei_project_account_must_exist() {
    invalid(
        &with("[[huawei_project]]\nid = \"p2\"\naccount = \"999\" # <-\nregion = \"cn-north-4\"\n"),
        "huawei_project.account",
    );
}

#[test]
fn vpc_account_must_exist() {
    invalid(
        &with("[[vpc]]\nid = \"vpc-2\"\naccount = \"999\" # <-\nregion = \"r\"\ncidr = \"10.0.0.0/8\"\n"),
        "vpc.account",
    );
}

#[test]
fn subnet_vpc_must_exist() {
    invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-x\" # <-\nzone = \"z\"\ncidr = \"10.0.0.0/24\"\n"),
        "subnet.vpc",
    );
}

#[test]
fn eni_subnet_must_exist() {
    invalid(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-x\" # <-\n"),
        "eni.subnet",
    );
}

#[test]
fn eni_instance_must_exist() {
    invalid(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\ninstance = \"i-x\" # <-\n"),
        "eni.instance",
    );
}

#[test]
fn eni_instance_must_be_in_the_same_vpc() {
    let msg = invalid(
        &with(
            r#"[[vpc]]
id = "vpc-2"
account = "1000000000000001"
region = "cn-shanghai"
cidr = "10.0.0.0/16"
[[subnet]]
id = "vsw-2"
vpc = "vpc-2"
zone = "z"
cidr = "10.0.1.0/24"
[[eni]]
id = "eni-3"
subnet = "vsw-2"
instance = "i-demo01" # <-
"#,
        ),
        "eni.instance",
    );
    assert!(msg.contains("vpc-demo01") && msg.contains("vpc-2"), "{msg}");
}

#[test]
fn havip_subnet_must_exist() {
    invalid(
        &with("[[havip]]\nid = \"havip-2\"\nsubnet = \"vsw-x\" # <-\n"),
        "havip.subnet",
    );
}

const SECOND_SUBNET: &str = r#"[[subnet]]
id = "vsw-demo02"
vpc = "vpc-demo01"
zone = "cn-shanghai-b"
cidr = "192.168.2.0/24"
"#;

#[test]
fn primary_eni_must_be_in_the_instance_subnet() {
    let msg = invalid(
        &with(&format!(
            "{SECOND_SUBNET}[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
             primary_eni = \"eni-9\" # <-\n[[eni]]\nid = \"eni-9\"\nsubnet = \"vsw-demo02\"\n"
        )),
        "instance.primary_eni",
    );
    assert!(msg.contains("vsw-demo02"), "{msg}");
}

#[test]
fn primary_eni_must_not_be_attached_to_another_instance() {
    // eni-demo02 is attached to i-demo01.
    let msg = invalid(
        &with(
            "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
             primary_eni = \"eni-demo02\" # <-\n",
        ),
        "instance.primary_eni",
    );
    assert!(msg.contains("i-demo01"), "{msg}");
}

#[test]
fn primary_eni_may_be_attached_to_its_own_instance() {
    let seed = ok(&with(
        "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
         primary_eni = \"eni-9\"\n[[eni]]\nid = \"eni-9\"\nsubnet = \"vsw-demo01\"\ninstance = \"i-2\"\n",
    ));
    assert!(seed.is_primary_eni("eni-9"));
}

#[test]
fn primary_eni_must_not_be_service_managed() {
    invalid(
        &with(
            "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
             primary_eni = \"eni-9\" # <-\n[[eni]]\nid = \"eni-9\"\nsubnet = \"vsw-demo01\"\n\
             service_managed = true\n",
        ),
        "instance.primary_eni",
    );
}

#[test]
fn primary_eni_belongs_to_one_instance() {
    let msg = invalid(
        &with(
            "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
             primary_eni = \"eni-demo01\" # <-\n",
        ),
        "instance.primary_eni",
    );
    assert!(msg.contains("i-demo01"), "{msg}");
}

#[test]
fn primary_eni_id_must_not_be_a_havip_id() {
    invalid(
        &with(
            "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n\
             primary_eni = \"havip-demo01\" # <-\n",
        ),
        "instance.primary_eni",
    );
}

// --- ids -----------------------------------------------------------------------------

#[test]
fn duplicate_ids_are_refused_in_every_kind() {
    let cases = [
        ("account", "[[account]]\nid = \"1000000000000001\" # <-\n"),
        (
            "access_key",
            "[[access_key]]\naccount = \"1000000000000001\"\nid = \"AKDEMO0000000001\" # <-\nsecret = \"x\"\n",
        ),
        (
            "huawei_project",
            "[[huawei_project]]\nid = \"0a1b2c3d4e5f60718293a4b5c6d7e8f9\" # <-\naccount = \"1000000000000001\"\nregion = \"cn-north-4\"\n",
        ),
        (
            "vpc",
            "[[vpc]]\nid = \"vpc-demo01\" # <-\naccount = \"1000000000000001\"\nregion = \"r\"\ncidr = \"10.0.0.0/8\"\n",
        ),
        (
            "subnet",
            "[[subnet]]\nid = \"vsw-demo01\" # <-\nvpc = \"vpc-demo01\"\nzone = \"z\"\ncidr = \"192.168.9.0/24\"\n",
        ),
        (
            "instance",
            "[[instance]]\nid = \"i-demo01\" # <-\nsubnet = \"vsw-demo01\"\nstatus = \"Running\"\n",
        ),
        ("eni", "[[eni]]\nid = \"eni-demo02\" # <-\nsubnet = \"vsw-demo01\"\n"),
        ("havip", "[[havip]]\nid = \"havip-demo01\" # <-\nsubnet = \"vsw-demo01\"\n"),
    ];
    for (kind, extra) in cases {
        let msg = invalid(&with(extra), &format!("{kind}.id"));
        assert!(msg.contains("duplicate"), "{msg}");
        assert!(msg.contains(&format!("of {kind} ")), "{msg}");
    }
}

#[test]
fn eni_and_havip_share_one_id_space() {
    invalid(
        &with("[[havip]]\nid = \"eni-demo02\" # <-\nsubnet = \"vsw-demo01\"\n"),
        "havip.id",
    );
}

#[test]
fn empty_or_blank_ids_are_refused() {
    invalid(&with("[[account]]\nid = \"\" # <-\n"), "account.id");
    invalid(
        &with("[[eni]]\nid = \"eni 3\" # <-\nsubnet = \"vsw-demo01\"\n"),
        "eni.id",
    );
    invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"\" # <-\ncidr = \"192.168.2.0/24\"\n"),
        "subnet.zone",
    );
}

#[test]
fn empty_secret_is_refused() {
    invalid(
        &with("[[access_key]]\naccount = \"1000000000000001\"\nid = \"AK2\"\nsecret = \"\" # <-\n"),
        "access_key.secret",
    );
}

// --- CIDRs and IPs ------------------------------------------------------------------

#[test]
fn invalid_vpc_cidr_is_refused() {
    for cidr in ["10.0.0.0/33", "10.0.0.0", "fd00::/8", "banana"] {
        invalid(
            &with(&format!(
                "[[vpc]]\nid = \"vpc-2\"\naccount = \"1000000000000001\"\nregion = \"r\"\ncidr = \"{cidr}\" # <-\n"
            )),
            "vpc.cidr",
        );
    }
}

#[test]
fn cidr_with_host_bits_is_refused() {
    let msg = invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"z\"\ncidr = \"192.168.2.7/24\" # <-\n"),
        "subnet.cidr",
    );
    assert!(msg.contains("192.168.2.0/24"), "{msg}");
}

#[test]
fn subnet_cidr_must_be_inside_its_vpc() {
    invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"z\"\ncidr = \"10.0.1.0/24\" # <-\n"),
        "subnet.cidr",
    );
    invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"z\"\ncidr = \"192.0.0.0/8\" # <-\n"),
        "subnet.cidr",
    );
}

#[test]
fn overlapping_subnets_are_refused() {
    let msg = invalid(
        &with("[[subnet]]\nid = \"vsw-2\"\nvpc = \"vpc-demo01\"\nzone = \"z\"\ncidr = \"192.168.0.0/20\" # <-\n"),
        "subnet.cidr",
    );
    assert!(msg.contains("vsw-demo01"), "{msg}");
}

#[test]
fn eni_ip_must_parse() {
    invalid(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nip = \"192.168.1.300\" # <-\n"),
        "eni.ip",
    );
}

#[test]
fn eni_ip_must_be_inside_its_subnet() {
    let msg = invalid(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nip = \"192.168.2.5\" # <-\n"),
        "eni.ip",
    );
    assert!(msg.contains("192.168.1.0/24"), "{msg}");
}

#[test]
fn havip_ip_must_parse_and_be_inside_its_subnet() {
    invalid(
        &with("[[havip]]\nid = \"havip-2\"\nsubnet = \"vsw-demo01\"\nip = \"nope\" # <-\n"),
        "havip.ip",
    );
    invalid(
        &with("[[havip]]\nid = \"havip-2\"\nsubnet = \"vsw-demo01\"\nip = \"10.1.1.1\" # <-\n"),
        "havip.ip",
    );
}

#[test]
fn network_and_broadcast_addresses_are_refused() {
    invalid(
        &with("[[havip]]\nid = \"havip-2\"\nsubnet = \"vsw-demo01\"\nip = \"192.168.1.0\" # <-\n"),
        "havip.ip",
    );
    invalid(
        &with("[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nip = \"192.168.1.255\" # <-\n"),
        "eni.ip",
    );
}

#[test]
fn an_ip_is_used_once_per_subnet() {
    let msg = invalid(
        &with("[[havip]]\nid = \"havip-2\"\nsubnet = \"vsw-demo01\"\nip = \"192.168.1.20\" # <-\n"),
        "havip.ip",
    );
    assert!(msg.contains("eni-demo02"), "{msg}");
}

#[test]
fn bad_or_duplicate_mac_is_refused() {
    invalid(
        &with(
            "[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nmac = \"00:16:3e:zz:00:01\" # <-\n",
        ),
        "eni.mac",
    );
    invalid(
        &with(
            "[[eni]]\nid = \"eni-3\"\nsubnet = \"vsw-demo01\"\nmac = \"00:16:3e:00:00:01\"\n\
             [[eni]]\nid = \"eni-4\"\nsubnet = \"vsw-demo01\"\nmac = \"00-16-3E-00-00-01\" # <-\n",
        ),
        "eni.mac",
    );
}

// --- status and limits ------------------------------------------------------------

#[test]
fn unknown_instance_status_is_refused() {
    for status in ["running", "Deleted", ""] {
        let msg = invalid(
            &with(&format!(
                "[[instance]]\nid = \"i-2\"\nsubnet = \"vsw-demo01\"\nstatus = \"{status}\" # <-\n"
            )),
            "instance.status",
        );
        assert!(msg.contains("Running"), "{msg}");
    }
}

#[test]
fn zero_limit_is_refused() {
    let msg = invalid(
        &with("[limits.aliyun]\ninstances_per_havip = 0 # <-\n"),
        "limits.aliyun.instances_per_havip",
    );
    assert!(msg.contains("got 0"), "{msg}");
    invalid(
        &with("[limits.volcengine]\nhavips_per_instance = 0 # <-\n"),
        "limits.volcengine.havips_per_instance",
    );
    invalid(
        &with("[limits.huawei]\nhavips_per_instance = -3 # <-\n"),
        "limits.huawei.havips_per_instance",
    );
    invalid(
        &with("[limits.aliyun]\nhavips_per_region = 0 # <-\n"),
        "limits.aliyun.havips_per_region",
    );
    invalid(
        &with("[limits.huawei]\ninstances_per_havip = 5000000000 # <-\n"),
        "limits.huawei.instances_per_havip",
    );
}

// --- which problem is reported ---------------------------------------------------

#[test]
fn the_first_problem_in_the_file_is_reported() {
    // Two problems: the subnet's (written first) is reported, although subnets are
    // checked after access keys.
    let text =
        "[[subnet]]\nid = \"vsw-1\"\nvpc = \"vpc-x\" # <-\nzone = \"z\"\ncidr = \"10.0.0.0/24\"\n\
                [[access_key]]\naccount = \"nope\"\nid = \"AK\"\nsecret = \"s\"\n";
    invalid(text, "subnet.vpc");
}
