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
