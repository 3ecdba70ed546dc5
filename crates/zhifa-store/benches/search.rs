//! Search benchmark: 50,000 demo enterprises, p50/p95 per query type.
//!
//! Compares the shipped segmentation (one token per CJK character, phrase queries) with
//! the FTS5 `trigram` tokenizer, which needs a `LIKE` scan for queries shorter than three
//! characters. Run: `cargo bench -p zhifa-store --bench search`.

use std::time::Instant;

use zhifa_core::ids::SeededIds;
use zhifa_seed::demo::{DemoSize, generate};
use zhifa_store::{Replica, StoreError};

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let n: usize = std::env::var("ZHIFA_BENCH_ENTERPRISES").ok().and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite");
    let mut r = Replica::open_with(&path, true, Box::new(SeededIds::new(9, 1_767_571_200_000))).unwrap();
    let area = zhifa_core::division::Area::luliang();
    let demo = generate(&area, 42, DemoSize { enterprises: n, officers_per_county: 5 });
    let t = Instant::now();
    r.write(|w| {
        for (id, e) in demo.enterprise_ids.iter().zip(&demo.enterprises) {
            w.upsert_enterprise_with_id(*id, e.clone())?;
        }
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let load = t.elapsed();
    println!(
        "loaded {n} enterprises in {:.2} s ({:.0} rows/s, with FTS and outbox)",
        load.as_secs_f64(),
        n as f64 / load.as_secs_f64()
    );

    // Trigram comparison table over the same rows.
    let c = r.conn();
    c.execute_batch(
        "CREATE VIRTUAL TABLE tri USING fts5(name, credit_code, address, tokenize = 'trigram');
         INSERT INTO tri(rowid, name, credit_code, address) SELECT pk, name, credit_code, data ->> '$.address' FROM enterprises;",
    )
    .unwrap();

    let codes: Vec<String> =
        demo.enterprises.iter().step_by(997).map(|e| e.credit_code.as_str()[8..14].to_owned()).collect();
    let kinds: Vec<(&str, Vec<String>)> = vec![
        ("1 char", ["钢", "铝", "矿", "酒", "水", "化"].map(String::from).to_vec()),
        ("2 chars", ["孝义", "钢铁", "化工", "铝业", "水泥", "矿业", "交城", "汾阳"].map(String::from).to_vec()),
        ("name 4+ chars", ["孝义鑫达", "交城华泰化工", "汾阳恒盛", "柳林兴龙"].map(String::from).to_vec()),
        ("two terms", ["孝义 化工", "交城 钢铁", "文水 水泥", "兴县 铝"].map(String::from).to_vec()),
        ("credit code fragment", codes),
        ("address", ["工业园区", "梧桐镇", "经济开发区"].map(String::from).to_vec()),
    ];
    println!(
        "\n{:<22} {:>10} {:>10} {:>12} {:>12} {:>8}",
        "query type", "p50 ms", "p95 ms", "trigram p50", "trigram p95", "hits"
    );
    for (kind, qs) in &kinds {
        let mut ours = Vec::new();
        let mut tri = Vec::new();
        let mut hits = 0;
        for _round in 0..20 {
            for q in qs {
                let t = Instant::now();
                hits = r.search_enterprises(q, 20).unwrap().len().max(hits);
                ours.push(t.elapsed().as_secs_f64() * 1e3);
                let t = Instant::now();
                let terms: Vec<&str> = q.split_whitespace().collect();
                if terms.iter().all(|t| t.chars().count() >= 3) {
                    let m = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" AND ");
                    let mut st =
                        c.prepare_cached("SELECT rowid FROM tri WHERE tri MATCH ?1 ORDER BY rank LIMIT 20").unwrap();
                    let _n = st.query_map([m], |r| r.get::<_, i64>(0)).unwrap().count();
                } else {
                    let like = terms
                        .iter()
                        .map(|t| format!("(name || ' ' || credit_code || ' ' || address) LIKE '%{t}%'"))
                        .collect::<Vec<_>>()
                        .join(" AND ");
                    let mut st = c.prepare_cached(&format!("SELECT rowid FROM tri WHERE {like} LIMIT 20")).unwrap();
                    let _n = st.query_map([], |r| r.get::<_, i64>(0)).unwrap().count();
                }
                tri.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        println!(
            "{:<22} {:>10.3} {:>10.3} {:>12.3} {:>12.3} {:>8}",
            kind,
            pct(ours.clone(), 0.5),
            pct(ours, 0.95),
            pct(tri.clone(), 0.5),
            pct(tri, 0.95),
            hits
        );
    }
    let size = std::fs::metadata(&path).unwrap().len()
        + std::fs::metadata(path.with_extension("sqlite-wal")).map(|m| m.len()).unwrap_or(0);
    println!("\nreplica file incl. WAL (with trigram table): {:.1} MB", size as f64 / 1e6);
}
