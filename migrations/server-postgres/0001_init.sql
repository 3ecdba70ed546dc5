-- Zhifa central store, PostgreSQL backend, schema 1.
-- The SQLite backend has the same tables in ../server-sqlite.

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
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
    active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES officers(id),
    public_key TEXT NOT NULL,
    name TEXT,
    revoked BIGINT NOT NULL DEFAULT 0,
    registered_ms BIGINT NOT NULL
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
    server_seq BIGINT PRIMARY KEY,
    device_id TEXT NOT NULL,
    device_seq BIGINT NOT NULL,
    change_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT,
    body TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    quarantined BIGINT NOT NULL DEFAULT 0,
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
    deleted BIGINT NOT NULL,
    version TEXT,
    conflicts TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
CREATE INDEX entities_last_seq ON entities(last_seq);

CREATE TABLE number_leases (
    lease_id TEXT PRIMARY KEY,
    doc_code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    start_no BIGINT NOT NULL,
    end_no BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    leased_ms BIGINT NOT NULL,
    UNIQUE (doc_code, org_id, year, start_no)
);

CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL,
    offset_bytes BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (sha256, offset_bytes)
);
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    received BIGINT NOT NULL,
    complete BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    officer_id TEXT,
    device_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
