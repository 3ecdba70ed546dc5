//! D15: offline document numbering never collides — 50 devices × 1,000 numbers issued
//! offline from leased blocks, five devices reinstalled mid-run.

mod common;

use std::collections::HashSet;

use common::*;
use zhifa_store::StoreError;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_issue_fifty_thousand_numbers_without_a_duplicate() {
    let server = start(20).await;
    let dir = tempfile::tempdir().unwrap();
    let login_name = xiaoyi_inspector(&server);
    let org = zhifa_seed::org_id("141181", zhifa_core::org::OrgKind::CountyBureau).to_string();
    let (code, org, year) = ("应急检记", org.as_str(), 2026);
    let mut issued: Vec<u32> = Vec::new();
    let mut gaps = 0u64;
    for d in 0..50 {
        let mut r = tablet(dir.path(), &format!("t{d}"));
        let mut c = login(&server, &mut r, &login_name).await;
        let mut mine = 0;
        while mine < 1000 {
            c.ensure_numbers(&mut r, code, org, year, 1, 100).await.unwrap();
            let got: Vec<u32> = r
                .write(|w| {
                    let mut v = Vec::new();
                    while v.len() < 100 {
                        match w.issue_number(code, org, year, &format!("doc-{d}-{mine}-{}", v.len())) {
                            Ok(n) => v.push(n),
                            Err(StoreError::Rule(_)) => break,
                            Err(e) => return Err(e),
                        }
                    }
                    Ok::<_, StoreError>(v)
                })
                .unwrap();
            mine += got.len();
            issued.extend(got);
            if d % 10 == 3 && mine == 500 {
                // Reinstall: the tablet is wiped (its unused leased numbers become gaps on
                // the server's side) and registers again as a new device.
                gaps += r.numbers_left(code, org, year).unwrap();
                drop(r);
                std::fs::remove_file(dir.path().join(format!("t{d}.sqlite"))).unwrap();
                r = tablet(dir.path(), &format!("t{d}"));
                c = login(&server, &mut r, &login_name).await;
            }
        }
        // Without network the tablet refuses cleanly once its block is used up.
        let left = r.numbers_left(code, org, year).unwrap();
        let err = r
            .write(|w| {
                for i in 0..=left {
                    w.issue_number(code, org, year, &format!("extra-{i}"))?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("编号已用完"), "{err}");
    }
    assert_eq!(issued.len(), 50_000);
    let unique: HashSet<u32> = issued.iter().copied().collect();
    assert_eq!(unique.len(), issued.len(), "0 duplicate numbers");
    // Numbers are dense apart from the reinstalled devices' unused blocks.
    let max = *issued.iter().max().unwrap() as u64;
    assert!(max <= 50_000 + gaps + 50 * 100, "max {max}, gaps {gaps}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voided_numbers_are_reported_once_and_visible_to_supervisors() {
    let server = start(10).await;
    let dir = tempfile::tempdir().unwrap();
    let org = zhifa_seed::org_id("141181", zhifa_core::org::OrgKind::CountyBureau).to_string();
    let (code, org, year) = ("应急检记", org.as_str(), 2026);
    let mut r = tablet(dir.path(), "a");
    let c = login(&server, &mut r, &xiaoyi_inspector(&server)).await;
    c.ensure_numbers(&mut r, code, org, year, 1, 10).await.unwrap();
    let taken: Vec<u32> = r
        .write(|w| (0..3).map(|i| w.issue_number(code, org, year, &format!("doc-{i}"))).collect::<Result<_, _>>())
        .unwrap();
    r.write(|w| w.record_gap(code, org, year, taken[1], "打印时卡纸，文书作废")).unwrap();
    // A block this device never leased from the server (e.g. restored from another tablet).
    r.add_number_block(&zhifa_store::LeasedBlock {
        lease_id: "not-from-this-server".into(),
        doc_code: code.into(),
        org_id: org.into(),
        year,
        start: 900_000,
        end: 900_001,
    })
    .unwrap();

    let rep = c.sync(&mut r, &mut |_| {}).await.unwrap();
    assert_eq!((rep.gaps_reported, rep.gaps_rejected.len()), (1, 0), "{rep:?}");
    let v = c.verify(&mut r).await.unwrap();
    assert_eq!(v.number_gaps.len(), 1);
    let g = &v.number_gaps[0];
    assert_eq!((g.doc_code.as_str(), g.org_id.as_str(), g.year, g.number), (code, org, year, taken[1]));
    assert_eq!(g.reason, "打印时卡纸，文书作废");

    // Nothing new: the next sync sends no report at all; the server still has one gap.
    let rep = c.sync(&mut r, &mut |_| {}).await.unwrap();
    assert_eq!((rep.gaps_reported, rep.bytes_up), (0, 0), "{rep:?}");

    // A gap outside this device's leases is refused and listed, and recorded nowhere.
    let foreign = r
        .write(|w| {
            // The server's blocks come first (lower numbers): use them up, then the foreign one.
            let mut n = 0;
            while n < 900_000 {
                n = w.issue_number(code, org, year, "filler")?;
            }
            w.record_gap(code, org, year, n, "外来编号段")?;
            Ok::<_, StoreError>(n)
        })
        .unwrap();
    let rep = c.sync(&mut r, &mut |_| {}).await.unwrap();
    assert_eq!(rep.gaps_reported, 0, "{rep:?}");
    assert_eq!(rep.gaps_rejected.len(), 1);
    assert_eq!((rep.gaps_rejected[0].number, rep.gaps_rejected[0].code.as_str()), (foreign, "NOT_FOUND"));

    // The county's approver sees the device's gaps in its verify answer.
    let approver = server
        .accounts
        .iter()
        .find(|a| a.unit.starts_with("孝义") && a.roles.contains("审批"))
        .expect("a 孝义 approver")
        .login
        .clone();
    let mut s = tablet(dir.path(), "supervisor");
    let sc = login(&server, &mut s, &approver).await;
    let token = access_token(&s);
    let v: zhifa_protocol::VerifyResponse = http()
        .get(format!("{}/api/v1/verify?device={}", server.url, r.device_id()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.number_gaps.iter().map(|g| g.number).collect::<Vec<_>>(), vec![taken[1]]);
    // And in the county listing, with the reporting device.
    let listing = sc.list_gaps(&mut s, year).await.unwrap();
    let mine: Vec<_> = listing.gaps.iter().filter(|g| g.device_id == r.device_id().to_string()).collect();
    assert_eq!(mine.len(), 1, "{listing:?}");
    assert_eq!((mine[0].gap.number, mine[0].gap.reason.as_str()), (taken[1], "打印时卡纸，文书作废"));
    // An officer who is only an inspector may not list them.
    let plain = server.accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles == "执法人员");
    let plain = plain.expect("a 孝义 officer who is only an inspector").login.clone();
    let mut p = tablet(dir.path(), "inspector");
    let pc = login(&server, &mut p, &plain).await;
    let e = pc.list_gaps(&mut p, year).await.unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
}
