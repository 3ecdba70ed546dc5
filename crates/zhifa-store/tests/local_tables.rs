//! The app's local-only tables: the print-job log and evidence files.

use zhifa_store::{EvidenceFile, NewPrintJob, PrintState, Replica};

fn job<'a>(doc: &'a str, now_ms: u64) -> NewPrintJob<'a> {
    NewPrintJob {
        document_id: doc,
        number: Some("（吕）应急检记〔2026〕7号"),
        printer: "tcp://127.0.0.1:9100",
        profile: "80mm",
        bytes_total: 1200,
        officer: Some("officer-1"),
        now_ms,
    }
}

#[test]
fn first_complete_print_makes_later_jobs_reprints() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Replica::init(&dir.path().join("t.sqlite")).unwrap();
    let changes_before = r.pending_change_count().unwrap();

    let a = r.create_print_job(&job("doc-1", 1)).unwrap();
    assert!(!a.reprint);
    assert_eq!(a.state, PrintState::Queued);
    r.start_print_attempt(a.id, 2).unwrap();
    // Printer off: the job fails and stays resumable; the next job is still not a reprint.
    let failed = r.finish_print_attempt(a.id, 300, Some(("PRINTER_UNREACHABLE", "打印机未开机")), 3).unwrap();
    assert_eq!(failed.state, PrintState::Failed);
    assert_eq!(failed.error_code.as_deref(), Some("PRINTER_UNREACHABLE"));
    assert_eq!(r.unfinished_print_jobs().unwrap().len(), 1);
    // Resumed: same job, second attempt.
    r.start_print_attempt(a.id, 4).unwrap();
    let done = r.finish_print_attempt(a.id, 1200, None, 5).unwrap();
    assert_eq!((done.state, done.attempts, done.bytes_sent), (PrintState::Done, 2, 1200));
    assert!(r.unfinished_print_jobs().unwrap().is_empty());
    // A finished job cannot be restarted.
    assert!(r.start_print_attempt(a.id, 6).is_err());

    let b = r.create_print_job(&job("doc-1", 7)).unwrap();
    assert!(b.reprint, "a second print of a printed document is a reprint");
    assert_eq!(b.number, a.number, "a reprint carries the same number");
    let other = r.create_print_job(&job("doc-2", 8)).unwrap();
    assert!(!other.reprint);
    assert_eq!(r.print_jobs_of("doc-1").unwrap().len(), 2);
    // Local tables never enter the outbox.
    assert_eq!(r.pending_change_count().unwrap(), changes_before);
}

#[test]
fn evidence_files_wait_for_upload() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Replica::init(&dir.path().join("t.sqlite")).unwrap();
    let f = EvidenceFile {
        sha256: "ab".repeat(32),
        path: "evidence/abab.jpg".into(),
        size: 10,
        mime: "image/jpeg".into(),
        uploaded: false,
    };
    r.add_evidence_file(&f, 1).unwrap();
    r.add_evidence_file(&f, 2).unwrap();
    assert_eq!(r.pending_evidence_files().unwrap(), vec![f.clone()]);
    r.mark_evidence_uploaded(&f.sha256).unwrap();
    assert!(r.pending_evidence_files().unwrap().is_empty());
    assert!(r.evidence_file(&f.sha256).unwrap().unwrap().uploaded);
}
