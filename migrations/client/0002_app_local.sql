-- 0002: local-only tables of the tablet app. They are never synced and never written
-- through the change outbox: they describe this device, not the enforcement record.

-- Print jobs: every print and reprint of an issued document, kept so that an interrupted
-- job can be resumed and every reprint stays traceable (全程留痕). A print never takes a
-- document number: `number` is the number the document already had when it was issued.
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    number TEXT,
    reprint INTEGER NOT NULL CHECK (reprint IN (0, 1)),
    printer TEXT NOT NULL,
    profile TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done', 'failed')),
    bytes_total INTEGER NOT NULL DEFAULT 0,
    bytes_sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    officer TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX print_jobs_document ON print_jobs(document_id);

-- Evidence files (photos, signatures) kept in the app's data folder, by content hash, and
-- whether the server has confirmed it holds them. A file is never removed before that.
CREATE TABLE evidence_files (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
) STRICT;
