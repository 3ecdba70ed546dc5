-- Schema 4: the compact central store (docs/sync.md § Storage). Same tables as
-- ../server-sqlite/0004_compact_store.sql, in PostgreSQL's dialect.
--
-- 1. `entities` keeps only the merge state, as bytes (`EntityState::encode`; rows migrated
--    from schema 3 hold the old JSON text as bytes until their next write): the view, its
--    version and conflicts are computed from it when read. `key_hash` is the SQLite
--    backend's lookup key (same SQL on both backends); here the primary key serves lookups.
CREATE FUNCTION zhifa_entity_key(kind TEXT, id TEXT) RETURNS BIGINT
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ('x' || encode(substr(sha256(convert_to(kind || chr(10) || id, 'UTF8')), 1, 8), 'hex'))::bit(64)::bigint $$;
ALTER TABLE entities ADD COLUMN key_hash BIGINT;
UPDATE entities SET key_hash = zhifa_entity_key(entity, entity_id);
ALTER TABLE entities ALTER COLUMN key_hash SET NOT NULL;
ALTER TABLE entities ADD COLUMN state_bytes BYTEA;
UPDATE entities SET state_bytes = convert_to(state, 'UTF8');
ALTER TABLE entities DROP COLUMN state;
ALTER TABLE entities DROP COLUMN view;
ALTER TABLE entities DROP COLUMN version;
ALTER TABLE entities DROP COLUMN conflicts;
ALTER TABLE entities RENAME COLUMN state_bytes TO state;
ALTER TABLE entities ALTER COLUMN state SET NOT NULL;

-- 2. The audit trail: one row per accepted push, its JSON body zstd-compressed with the
--    device's signature (see the SQLite file for the columns).
CREATE TABLE change_batches (
    first_server_seq BIGINT PRIMARY KEY,
    device_id TEXT NOT NULL,
    changes BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    encoding TEXT NOT NULL,
    body BYTEA NOT NULL,
    signature TEXT NOT NULL,
    stored TEXT NOT NULL,
    quarantined TEXT NOT NULL
);
CREATE INDEX change_batches_device ON change_batches(device_id);

-- 3. Deduplication by (device, device sequence): the sequences stored per device, as runs.
CREATE TABLE device_seqs (
    device_id TEXT NOT NULL,
    from_seq BIGINT NOT NULL,
    to_seq BIGINT NOT NULL,
    PRIMARY KEY (device_id, from_seq)
);

INSERT INTO change_batches (first_server_seq, device_id, changes, received_ms, encoding, body, signature, stored,
                            quarantined)
    SELECT server_seq, device_id, 1, received_ms, 'change', convert_to(body, 'UTF8'), '', CAST(device_seq AS TEXT),
           CASE WHEN quarantined <> 0 THEN CAST(device_seq AS TEXT) ELSE '' END
    FROM change_log;
INSERT INTO device_seqs (device_id, from_seq, to_seq)
    SELECT device_id, min(device_seq), max(device_seq)
    FROM (SELECT device_id, device_seq,
                 device_seq - row_number() OVER (PARTITION BY device_id ORDER BY device_seq) AS run
          FROM change_log) AS numbered
    GROUP BY device_id, run;
DROP TABLE change_log;
