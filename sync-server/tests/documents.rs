//! `POST /api/v1/documents/verify`: a QR payload scanned from a paper document answers
//! `genuine` (issued with that content hash), `altered` (issued, but the paper carries
//! another hash) or `unknown` (no issued document of that id: missing, draft). Malformed
//! payloads are `400 BAD_PAYLOAD`. (Scope: `security.rs`, `Bola::VerifyForeignDocument`.)

mod common;

use common::*;
use serde_json::{Value, json};
use zhifa_core::document::{Document, DocumentStatus};
use zhifa_store::StoreError;

fn noop(_: zhifa_sync_client::Progress) {}

fn hash(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

async fn scan(server: &Server, token: &str, payload: &str) -> (u16, Value) {
    let r = http()
        .post(format!("{}/api/v1/documents/verify", server.url))
        .bearer_auth(token)
        .json(&json!({ "payload": payload }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanned_documents_are_genuine_altered_or_unknown() {
    let server = start(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    // A city officer: the documents are city-wide records, visible to the scanner.
    let c = login(&server, &mut a, &city_officer(&server)).await;
    let content = hash("现场检查记录的规范化内容");
    let new_doc = |a: &mut zhifa_store::Replica, status, content_hash: Option<String>| {
        // From JSON, so fields other engineers add to `Document` default here.
        let id = a.write(|w| Ok::<_, StoreError>(w.new_id::<zhifa_core::ids::DocumentId>())).unwrap();
        let doc: Document = serde_json::from_value(json!({
            "id": id,
            "doc_type": "现场检查记录",
            "number": content_hash.as_ref().map(|_| "（吕）应急检记〔2026〕15号"),
            "status": status,
            "content_hash": content_hash,
        }))
        .unwrap();
        a.write(|w| w.put(&doc)).unwrap();
        doc.id.to_string()
    };
    let issued = new_doc(&mut a, DocumentStatus::Issued, Some(content.clone()));
    let draft = new_doc(&mut a, DocumentStatus::Draft, None);
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!(r.pushed, 2, "{r:?}");
    let token = access_token(&a);

    let (st, genuine) = scan(&server, &token, &format!("ZHIFA-DOC:1:{issued}:{content}")).await;
    assert_eq!((st, genuine["result"].as_str()), (200, Some("genuine")), "{genuine}");
    assert_eq!(genuine["document"]["number"], "（吕）应急检记〔2026〕15号");
    assert_eq!(genuine["document"]["status"], "issued");
    assert!(genuine["message"].as_str().unwrap().contains("真实有效"));
    // Upper-case hex from a scanner app is the same hash.
    let (_, upper) = scan(&server, &token, &format!("ZHIFA-DOC:1:{issued}:{}", content.to_uppercase())).await;
    assert_eq!(upper["result"], "genuine");

    let (st, altered) = scan(&server, &token, &format!("ZHIFA-DOC:1:{issued}:{}", hash("改过的内容"))).await;
    assert_eq!((st, altered["result"].as_str()), (200, Some("altered")), "{altered}");
    assert!(altered["message"].as_str().unwrap().contains("篡改"));

    let (_, unknown) = scan(&server, &token, &format!("ZHIFA-DOC:1:{}:{content}", uuid::Uuid::new_v4())).await;
    assert_eq!(unknown["result"], "unknown");
    assert!(unknown["document"].is_null());
    // A draft was never issued: nothing to vouch for, exactly like an unknown id.
    let (_, d) = scan(&server, &token, &format!("ZHIFA-DOC:1:{draft}:{content}")).await;
    assert_eq!(d, unknown);

    for bad in ["", "https://example.com", "ZHIFA-DOC:1:x:123", &format!("ZHIFA-DOC:2:{issued}:{content}")] {
        let (st, e) = scan(&server, &token, bad).await;
        assert_eq!((st, e["code"].as_str()), (400, Some("BAD_PAYLOAD")), "{bad:?}: {e}");
    }
}
