//! Golden JSON of every wire type, and unknown-field survival.
//!
//! Bless after an intended change with `UPDATE_EXPECT=1 cargo test -p zhifa-protocol`.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use zhifa_protocol::*;

fn golden<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str, value: &T) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.json"));
    let actual = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden {name}.json"));
    assert_eq!(actual, expected, "wire format of {name} changed; bless with UPDATE_EXPECT=1 if intended");
    let back: T = serde_json::from_str(&expected).unwrap();
    assert_eq!(&back, value);
}

fn change() -> WireChange {
    WireChange {
        seq: 42,
        change_id: "019a2b3c-0000-7000-8000-000000000001".into(),
        entity: "hazard".into(),
        entity_id: "019a2b3c-0000-7000-8000-0000000000aa".into(),
        op: "upsert".into(),
        fields: [("status".to_owned(), json!("open")), ("deadline".to_owned(), json!("2026-12-10"))]
            .into_iter()
            .collect(),
        hlc: "001764400000000-00000000-019a2b3c-0000-7000-8000-0000000000d1".into(),
        base: Some("001764300000000-00000003-019a2b3c-0000-7000-8000-0000000000d1".into()),
        county_code: Some("141181".into()),
        wall_ms: 1_764_400_000_123,
        extra: Extra::new(),
    }
}

#[test]
fn goldens() {
    golden(
        "capabilities",
        &Capabilities {
            api_version: "v1".into(),
            schema_version: SCHEMA_VERSION,
            min_client_schema: 1,
            features: vec!["push".into(), "pull".into(), "verify".into()],
            max_batch_changes: 500,
            max_body_bytes: 8 << 20,
            max_skew_ms: 300_000,
            chunk_bytes: 1 << 20,
            extra: Extra::new(),
        },
    );
    golden("error", &ErrorBody { code: "AUTH_TOKEN_EXPIRED".into(), message: "登录已过期，请重新登录".into() });
    golden(
        "login_request",
        &LoginRequest {
            login: "1411810001".into(),
            password: "secret123".into(),
            device_id: "019a2b3c-0000-7000-8000-0000000000d1".into(),
            device_public_key: Some("MCowBQYDK2VwAyEA".into()),
            device_name: Some("孝义大队平板1".into()),
            extra: Extra::new(),
        },
    );
    golden(
        "login_response",
        &LoginResponse {
            tokens: Tokens {
                access_token: "a".into(),
                access_expires_ms: 1,
                refresh_token: "r".into(),
                refresh_expires_ms: 2,
            },
            officer: OfficerInfo {
                id: "o".into(),
                name: "王建国".into(),
                roles: vec!["inspector".into()],
                county_code: Some("141181".into()),
            },
        },
    );
    golden(
        "push_request",
        &PushRequest {
            device_id: "019a2b3c-0000-7000-8000-0000000000d1".into(),
            schema_version: 1,
            changes: vec![change()],
            extra: Extra::new(),
        },
    );
    golden(
        "push_response",
        &PushResponse {
            acked_through: 42,
            accepted: 1,
            duplicates: 0,
            quarantined: vec![],
            rejected: vec![Rejected { seq: 43, code: "SCOPE".into(), message: "不在本县辖区".into() }],
            conflicts: 0,
            extra: Extra::new(),
        },
    );
    golden(
        "pull_response",
        &PullResponse {
            items: vec![PulledEntity {
                entity: "enterprise".into(),
                id: "e1".into(),
                county_code: Some("141181".into()),
                fields: [("name".to_owned(), json!("吕梁孝义鑫达钢铁有限公司"))].into_iter().collect(),
                deleted: false,
                version: Some("001764400000000-00000000-019a2b3c-0000-7000-8000-0000000000d1".into()),
                seen: Some(
                    "001764300000000-00000000-019a2b3c-0000-7000-8000-0000000000a1,\
                     001764400000000-00000000-019a2b3c-0000-7000-8000-0000000000d1"
                        .into(),
                ),
                server_seq: 7,
                conflicts: vec![WireConflict {
                    field: "name".into(),
                    kind: "concurrent".into(),
                    values: vec![json!("甲"), json!("乙")],
                    message: "两台设备同时修改了企业名称".into(),
                }],
            }],
            next_cursor: 7,
            checkpoint: 7,
            checkpoint_complete: true,
            extra: Extra::new(),
        },
    );
    golden(
        "verify_response",
        &VerifyResponse {
            device_id: "d".into(),
            count: 2,
            max_seq: 2,
            digest: "ab".into(),
            ranges: vec![RangeDigest { from_seq: 1, to_seq: 1000, count: 2, digest: "ab".into() }],
            number_gaps: vec![gap()],
        },
    );
    golden("gap_report", &GapReport { gaps: vec![gap()] });
    golden(
        "gap_listing",
        &GapListing {
            gaps: vec![ListedGap {
                gap: gap(),
                device_id: "d".into(),
                officer_id: "o1".into(),
                reported_ms: 1_764_400_100_000,
            }],
        },
    );
    golden(
        "gap_report_response",
        &GapReportResponse {
            recorded: 1,
            duplicates: 0,
            rejected: vec![RejectedGap {
                doc_code: "应急检记".into(),
                number: 999,
                code: "NOT_FOUND".into(),
                message: "对象不存在".into(),
            }],
        },
    );
    golden(
        "document_verify_response",
        &DocumentVerifyResponse {
            result: "genuine".into(),
            message: "文书真实有效，与签发时内容一致".into(),
            document: Some(VerifiedDocument {
                id: "019a2b3c-0000-7000-8000-0000000000d1".into(),
                doc_type: "现场检查记录".into(),
                number: Some("（吕）应急检记〔2026〕15号".into()),
                status: "issued".into(),
            }),
        },
    );
    golden("attachment_status", &AttachmentStatus { sha256: "ab".into(), received: 1_048_576, complete: false });
    golden(
        "number_lease",
        &NumberLease {
            lease_id: "l".into(),
            doc_code: "应急检记".into(),
            org_id: "o".into(),
            year: 2026,
            start: 101,
            end: 150,
            device_id: "d".into(),
        },
    );
}

fn gap() -> NumberGap {
    NumberGap {
        doc_code: "应急检记".into(),
        org_id: "o".into(),
        year: 2026,
        number: 17,
        reason: "打印错误，作废".into(),
        at_ms: 1_764_400_000_000,
    }
}

#[test]
fn document_payloads_parse_strictly() {
    let h = "AB".repeat(32);
    let p = DocPayload::parse(&format!(" ZHIFA-DOC:1:019a-77:{h}\n")).unwrap();
    assert_eq!((p.document_id.as_str(), p.content_hash), ("019a-77", "ab".repeat(32)));
    for bad in [
        String::new(),
        format!("ZHIFA-DOC:2:x:{h}"),
        format!("ZHIFA-DOC:1::{h}"),
        "ZHIFA-DOC:1:x:abc".to_owned(),
        format!("ZHIFA-DOC:1:x:{}", "g".repeat(64)),
        format!("ZHIFA-DOC:1:x/../y:{h}"),
        format!("ZHIFA-DOC:1:x:{h}:extra"),
    ] {
        assert_eq!(DocPayload::parse(&bad), Err(BadPayload), "{bad:?}");
    }
}

#[test]
fn unknown_fields_survive_a_round_trip_through_this_version() {
    let mut v = serde_json::to_value(PushRequest {
        device_id: "d".into(),
        schema_version: 2,
        changes: vec![change()],
        extra: Extra::new(),
    })
    .unwrap();
    v["priority"] = json!("high");
    v["changes"][0]["signature_v2"] = json!({"alg": "sm2"});
    let parsed: PushRequest = serde_json::from_value(v.clone()).unwrap();
    let again: Value = serde_json::to_value(&parsed).unwrap();
    assert_eq!(again, v);
}

#[test]
fn added_fields_default_when_an_older_peer_omits_them() {
    let mut v = serde_json::to_value(change()).unwrap();
    v.as_object_mut().unwrap().remove("base");
    v.as_object_mut().unwrap().remove("county_code");
    let c: WireChange = serde_json::from_value(v).unwrap();
    assert_eq!((c.base, c.county_code), (None, None));
}

/// Schema 2 sends the base as a version vector (`,`-joined HLCs); the single HLC a schema-1
/// client sends is a vector of one entry. Both convert to the core change and back.
#[test]
fn a_base_is_a_version_vector_and_a_single_hlc_is_one_entry() {
    let one = change();
    let core = one.to_core().unwrap();
    assert_eq!(core.base.entries().len(), 1);
    assert_eq!(WireChange::from_core(42, &core).base, one.base);

    let (other, mine) = (
        "001764200000000-00000001-019a2b3c-0000-7000-8000-0000000000a1",
        "001764300000000-00000003-019a2b3c-0000-7000-8000-0000000000d1",
    );
    // Sent in any order, with a device twice: its highest entry, sorted by device.
    let mut many = change();
    many.base = Some(format!("{mine},{other},001764100000000-00000000-019a2b3c-0000-7000-8000-0000000000a1"));
    let core = many.to_core().unwrap();
    assert_eq!(core.base.entries().len(), 2);
    assert_eq!(WireChange::from_core(42, &core).base, Some(format!("{other},{mine}")));

    let mut none = change();
    none.base = None;
    assert!(none.to_core().unwrap().base.is_empty());
    assert_eq!(WireChange::from_core(42, &none.to_core().unwrap()).base, None);

    let mut bad = change();
    bad.base = Some(format!("{mine},not-a-clock"));
    assert!(bad.to_core().is_err(), "a malformed entry refuses the change");
}
