-- Zhifa central store, SQLite backend, schema 1.
-- The PostgreSQL backend has the same tables in ../server-postgres (its own dialect).

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters(name, value) VALUES ('server_seq', 0);

CREATE TABLE officers (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    county_code TEXT,
    attempts TEXT NOT NULL DEFAULT '{}',
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES officers(id),
    public_key TEXT NOT NULL,
    name TEXT,
    revoked INTEGER NOT NULL DEFAULT 0,
    registered_ms INTEGER NOT NULL
);

CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    kind TEXT NOT NULL,
    officer_id TEXT NOT NULL REFERENCES officers(id),
    device_id TEXT NOT NULL,
    stored TEXT NOT NULL
);
CREATE INDEX tokens_family ON tokens(family);

-- Every change ever received, deduplicated by (device, device sequence).
CREATE TABLE change_log (
    server_seq INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    change_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT,
    body TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    quarantined INTEGER NOT NULL DEFAULT 0,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX change_log_entity ON change_log(entity, entity_id);

-- Merged state per entity; `last_seq` is the pull cursor.
CREATE TABLE entities (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT,
    state TEXT NOT NULL,
    view TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    version TEXT,
    conflicts TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
CREATE INDEX entities_last_seq ON entities(last_seq);

CREATE TABLE number_leases (
    lease_id TEXT PRIMARY KEY,
    doc_code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    start_no INTEGER NOT NULL,
    end_no INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    leased_ms INTEGER NOT NULL,
    UNIQUE (doc_code, org_id, year, start_no)
);

CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL,
    offset_bytes INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (sha256, offset_bytes)
);
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    received INTEGER NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    officer_id TEXT,
    device_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
