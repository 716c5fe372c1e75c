//! Parameter parsing: flattened lists, required fields, ClientToken and InstanceType
//! rules, and both paging styles.

use super::*;

fn params(pairs: &[(&str, &str)]) -> Params {
    Params::from_pairs(pairs.iter().copied())
}

#[test]
fn query_and_bodies_decode_like_the_sdk_sends_them() {
    let mut p = Params::default();
    p.add_form(b"TagFilters.1.Values.2=v+2%2F%C3%BC&Action=DescribeHaVips");
    assert_eq!(p.get("TagFilters.1.Values.2"), Some("v 2/\u{fc}"));
    assert_eq!(p.get("Action"), Some("DescribeHaVips"));
    p.add_json(br#"{"HaVipIds": ["a", "b"], "Tags": [{"Key": "k", "Value": "v"}], "PageSize": 5, "X": null}"#)
        .unwrap();
    assert_eq!(p.get("HaVipIds.2"), Some("b"));
    assert_eq!(p.get("Tags.1.Key"), Some("k"));
    assert_eq!(p.get("PageSize"), Some("5"));
    assert_eq!(p.get("X"), None);
    let before = p.clone();
    for bad in [
        &b"not json"[..],
        b"[]",
        br#"[{"PageSize": 1}]"#,
        br#""PageSize""#,
        b"5",
        b"null",
    ] {
        assert!(p.add_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        assert_eq!(p, before, "a refused body adds nothing");
    }
    p.add_form(b"%ZZ=%FF");
}

#[test]
fn membership_requires_ids_and_checks_type_and_token() {
    let ok = membership(&params(&[("HaVipId", "h"), ("InstanceId", "i")])).unwrap();
    assert_eq!(
        ok.target,
        Target {
            kind: MemberKind::EcsInstance,
            id: "i".into()
        }
    );
    assert_eq!(ok.client_token, None);
    let eni = membership(&params(&[
        ("HaVipId", "h"),
        ("InstanceId", "eni-1"),
        ("InstanceType", "NetworkInterface"),
        ("ClientToken", "t"),
    ]))
    .unwrap();
    assert_eq!(eni.target.kind, MemberKind::NetworkInterface);
    assert_eq!(eni.client_token.as_deref(), Some("t"));
    assert_eq!(
        membership(&params(&[("InstanceId", "i")])),
        Err(DomainError::MissingParameter("HaVipId"))
    );
    assert_eq!(
        membership(&params(&[("HaVipId", "h"), ("InstanceId", "")])),
        Err(DomainError::MissingParameter("InstanceId"))
    );
    assert_eq!(
        membership(&params(&[
            ("HaVipId", "h"),
            ("InstanceId", "i"),
            ("InstanceType", "Eni")
        ])),
        Err(DomainError::InstanceTypeMalformed("Eni".into()))
    );
    let long = "t".repeat(65);
    assert_eq!(
        membership(&params(&[
            ("HaVipId", "h"),
            ("InstanceId", "i"),
            ("ClientToken", &long)
        ])),
        Err(DomainError::ClientTokenMalformed)
    );
    assert_eq!(
        membership(&params(&[
            ("HaVipId", "h"),
            ("InstanceId", "i"),
            ("ClientToken", "tök")
        ])),
        Err(DomainError::ClientTokenMalformed)
    );
}

#[test]
fn create_reads_tags_in_index_order() {
    let c = create(&params(&[
        ("SubnetId", "s"),
        ("Tags.10.Key", "k10"),
        ("Tags.2.Key", "k2"),
        ("Tags.2.Value", "v2"),
        ("HaVipName", "n"),
        ("IpAddress", ""),
    ]))
    .unwrap();
    assert_eq!(
        c.create.tags,
        vec![("k2".into(), "v2".into()), ("k10".into(), String::new())]
    );
    assert_eq!(c.create.name.as_deref(), Some("n"));
    assert_eq!(c.create.ip, None);
    assert_eq!(
        create(&params(&[])),
        Err(DomainError::MissingParameter("SubnetId"))
    );
    assert_eq!(
        create(&params(&[("SubnetId", "s"), ("Tags.1.Value", "v")])),
        Err(DomainError::MissingParameter("Tags.N.Key"))
    );
    assert!(matches!(
        create(&params(&[("SubnetId", "s"), ("Tags.x.Key", "k")])),
        Err(DomainError::InvalidParameter { name: "Tags", .. })
    ));
    assert!(matches!(
        create(&params(&[("SubnetId", "s"), ("Tags.0.Key", "k")])),
        Err(DomainError::InvalidParameter { name: "Tags", .. })
    ));
}

#[test]
fn delete_and_modify() {
    assert_eq!(
        delete(&params(&[])),
        Err(DomainError::MissingParameter("HaVipId"))
    );
    let m = modify(&params(&[("HaVipId", "h"), ("Description", "")])).unwrap();
    assert_eq!(m.name, None);
    assert_eq!(m.description.as_deref(), Some(""));
}

#[test]
fn describe_filters() {
    let d = describe(&params(&[
        ("HaVipIds.2", "b"),
        ("HaVipIds.1", "a"),
        ("VpcId", "v"),
        ("SubnetId", "s"),
        ("IpAddress", "192.168.1.5"),
        ("HaVipName", "n"),
        ("Status", "InUse"),
        ("ProjectName", "default"),
        ("TagFilters.1.Key", "k"),
        ("TagFilters.1.Values.2", "y"),
        ("TagFilters.1.Values.1", "x"),
        ("TagFilters.2.Key", "only-key"),
    ]))
    .unwrap();
    assert_eq!(d.query.ids, vec!["a", "b"]);
    assert_eq!(d.query.vpcs, vec!["v"]);
    assert_eq!(d.query.subnets, vec!["s"]);
    assert_eq!(d.query.ips, vec!["192.168.1.5"]);
    assert_eq!(d.query.names, vec!["n"]);
    // Matched against the status the face shows (the one before a change in flight).
    assert!(d.query.statuses.is_empty());
    assert_eq!(d.query.settled_statuses, vec!["InUse"]);
    // Only the statuses Volcengine documents are filters.
    for shown in ["Creating", "Available", "InUse", "Deleting"] {
        assert!(describe(&params(&[("Status", shown)])).is_ok(), "{shown}");
    }
    for never in ["Associating", "Disassociating", "Unassociating", "inuse"] {
        assert!(describe(&params(&[("Status", never)])).is_err(), "{never}");
    }
    assert_eq!(
        d.query.tags,
        vec![
            ("k".to_string(), vec!["x".to_string(), "y".to_string()]),
            ("only-key".to_string(), vec![])
        ]
    );
    assert!(d.project_matches);
    assert!(
        !describe(&params(&[("ProjectName", "other")]))
            .unwrap()
            .project_matches
    );
    assert!(matches!(
        describe(&params(&[("Status", "Unassociating")])),
        Err(DomainError::InvalidParameter { name: "Status", .. })
    ));
    assert_eq!(
        describe(&params(&[("TagFilters.1.Values.1", "x")])),
        Err(DomainError::MissingParameter("TagFilters.N.Key"))
    );
}

#[test]
fn describe_allows_100_ids_not_101() {
    let keys: Vec<(String, String)> = (1..=101)
        .map(|i| (format!("HaVipIds.{i}"), format!("h{i}")))
        .collect();
    let p = Params::from_pairs(keys.iter().take(100).cloned());
    assert_eq!(describe(&p).unwrap().query.ids.len(), 100);
    let p = Params::from_pairs(keys.iter().cloned());
    assert!(matches!(
        describe(&p),
        Err(DomainError::InvalidParameter {
            name: "HaVipIds",
            ..
        })
    ));
}

#[test]
fn numbered_paging() {
    let d = describe(&params(&[])).unwrap();
    assert_eq!(
        d.style,
        PageStyle::Numbered {
            number: 1,
            size: 10
        }
    );
    assert_eq!(
        d.query.page,
        Paging::Offset {
            offset: 0,
            limit: 11
        }
    );
    let d = describe(&params(&[("PageNumber", "3"), ("PageSize", "5")])).unwrap();
    assert_eq!(
        d.query.page,
        Paging::Offset {
            offset: 10,
            limit: 6
        }
    );
    for bad in [
        ("PageSize", "0"),
        ("PageSize", "101"),
        ("PageNumber", "0"),
        ("PageNumber", "x"),
        ("PageSize", "-1"),
    ] {
        assert!(
            matches!(
                describe(&params(&[bad])),
                Err(DomainError::InvalidParameter { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(describe(&params(&[
        ("PageNumber", &u64::MAX.to_string()),
        ("PageSize", "100")
    ]))
    .is_err());
}

#[test]
fn token_paging() {
    let d = describe(&params(&[("MaxResults", "5")])).unwrap();
    assert_eq!(
        d.style,
        PageStyle::Token {
            after: None,
            max: 5
        }
    );
    assert_eq!(
        d.query.page,
        Paging::After {
            after: i64::MIN,
            limit: 6
        }
    );
    let d = describe(&params(&[
        ("MaxResults", "5"),
        ("NextToken", &next_token(42)),
    ]))
    .unwrap();
    assert_eq!(
        d.query.page,
        Paging::After {
            after: 42,
            limit: 6
        }
    );
    let d = describe(&params(&[("NextToken", "7")])).unwrap();
    assert_eq!(
        d.style,
        PageStyle::Token {
            after: Some(7),
            max: 10
        }
    );
    for bad in [
        ("MaxResults", "0"),
        ("MaxResults", "101"),
        ("NextToken", "abc"),
        ("NextToken", "-3"),
    ] {
        assert!(
            matches!(
                describe(&params(&[bad])),
                Err(DomainError::InvalidParameter { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn describe_caps_tag_filters_and_their_values() {
    let mut pairs: Vec<(String, String)> = vec![("TagFilters.1.Key".into(), "k".into())];
    pairs.extend((1..=101).map(|m| (format!("TagFilters.1.Values.{m}"), format!("v{m}"))));
    assert!(describe(&Params::from_pairs(pairs.iter().take(101).cloned())).is_ok());
    assert!(matches!(
        describe(&Params::from_pairs(pairs)),
        Err(DomainError::InvalidParameter {
            name: "TagFilters",
            ..
        })
    ));
    let filters: Vec<(String, String)> = (1..=21)
        .map(|n| (format!("TagFilters.{n}.Key"), "k".into()))
        .collect();
    assert!(describe(&Params::from_pairs(filters.iter().take(20).cloned())).is_ok());
    assert!(matches!(
        describe(&Params::from_pairs(filters)),
        Err(DomainError::InvalidParameter {
            name: "TagFilters",
            ..
        })
    ));
}

#[test]
fn tag_calls_read_the_providers_parameters() {
    let call = tag(&params(&[
        ("ResourceType", "havip"),
        ("ResourceIds.1", "havip-1"),
        ("ResourceIds.2", "havip-2"),
        ("Tags.2.Key", "b"),
        ("Tags.1.Key", "a"),
        ("Tags.1.Value", "1"),
    ]))
    .unwrap();
    assert_eq!(call.ids, ["havip-1", "havip-2"]);
    assert_eq!(
        call.tags,
        [
            ("a".to_string(), "1".to_string()),
            ("b".into(), String::new())
        ]
    );
    let call = untag(&params(&[
        ("ResourceType", "havip"),
        ("ResourceIds.1", "havip-1"),
        ("TagKeys.1", "a"),
        ("TagKeys.2", ""),
    ]))
    .unwrap();
    assert_eq!(
        (call.ids, call.keys),
        (vec!["havip-1".into()], vec!["a".into()])
    );
    let call = list_tags(&params(&[
        ("ResourceType", "havip"),
        ("TagFilters.1.Key", "env"),
        ("TagFilters.1.Values.1", "prod"),
        ("MaxResults", "5"),
        ("NextToken", "10"),
        ("TagType", "system"),
    ]))
    .unwrap();
    assert_eq!(
        call.filters,
        [("env".to_string(), vec!["prod".to_string()])]
    );
    assert_eq!((call.max, call.offset, call.system), (5, 10, true));
    let defaults = list_tags(&params(&[("ResourceType", "havip")])).unwrap();
    assert_eq!(
        (defaults.max, defaults.offset, defaults.system),
        (DEFAULT_TAG_RESULTS, 0, false)
    );
}

#[test]
fn tag_calls_refuse_what_havip_cannot_serve() {
    let missing = |e: Result<TagCall, DomainError>| e.err();
    assert_eq!(
        missing(tag(&params(&[("ResourceIds.1", "h"), ("Tags.1.Key", "k")]))),
        Some(DomainError::MissingParameter("ResourceType"))
    );
    assert!(matches!(
        tag(&params(&[
            ("ResourceType", "HAVIP"),
            ("ResourceIds.1", "h"),
            ("Tags.1.Key", "k")
        ])),
        Err(DomainError::InvalidParameter {
            name: "ResourceType",
            ..
        })
    ));
    assert_eq!(
        missing(tag(&params(&[
            ("ResourceType", "havip"),
            ("Tags.1.Key", "k")
        ]))),
        Some(DomainError::MissingParameter("ResourceIds.N"))
    );
    assert_eq!(
        missing(tag(&params(&[
            ("ResourceType", "havip"),
            ("ResourceIds.1", "h")
        ]))),
        Some(DomainError::MissingParameter("Tags.N.Key"))
    );
    assert_eq!(
        untag(&params(&[
            ("ResourceType", "havip"),
            ("ResourceIds.1", "h")
        ]))
        .err(),
        Some(DomainError::MissingParameter("TagKeys.N"))
    );
    let many: Vec<(String, String)> = (1..=21)
        .map(|n| (format!("ResourceIds.{n}"), format!("h{n}")))
        .chain([("ResourceType".into(), "havip".into())])
        .collect();
    assert!(matches!(
        list_tags(&Params::from_pairs(many)),
        Err(DomainError::InvalidParameter {
            name: "ResourceIds",
            ..
        })
    ));
    for (key, value) in [
        ("TagType", "other"),
        ("NextToken", "x"),
        ("MaxResults", "0"),
    ] {
        assert!(
            list_tags(&params(&[("ResourceType", "havip"), (key, value)])).is_err(),
            "{key}={value}"
        );
    }
}
