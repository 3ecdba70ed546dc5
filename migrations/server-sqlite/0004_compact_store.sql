-- Schema 4: the compact central store (docs/sync.md § Storage).
--
-- 1. `entities` keeps only the merge state, as bytes (`EntityState::encode`; rows migrated
--    from schema 3 hold the old JSON text as bytes until their next write): the view, its
--    version and conflicts are computed from it when read. `last_seq`, the pull cursor, is
--    the row id, so the pull order needs no index of its own; rows are found by `key_hash`,
--    `zhifa_entity_key(entity, entity_id)` (the first 8 bytes of SHA-256 of
--    "entity\nentity_id" as a signed big-endian integer; a function the server registers on
--    its connections), whose index is a fifth of one on the text key. Lookups always
--    compare entity and entity_id as well; one row per (entity, entity_id) is kept by the
--    server's single writer (docs/sync.md § Storage).
CREATE TABLE entities_v4 (
    last_seq INTEGER PRIMARY KEY,
    key_hash INTEGER NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL,
    state BLOB NOT NULL
);
INSERT INTO entities_v4 (last_seq, key_hash, entity, entity_id, county_code, deleted, state)
    SELECT last_seq, zhifa_entity_key(entity, entity_id), entity, entity_id, county_code, deleted, CAST(state AS BLOB)
    FROM entities;
DROP TABLE entities;
ALTER TABLE entities_v4 RENAME TO entities;
CREATE INDEX entities_key ON entities(key_hash);

-- 2. The audit trail is the batches as the devices signed them (全程留痕): one row per
--    accepted push, its JSON body zstd-compressed with the device's signature. The changes
--    of a batch hold server sequences first_server_seq .. first_server_seq + changes - 1 in
--    body order; `stored` lists the device sequences the batch stored (runs like `1-250,252`;
--    the others were duplicates or refused), `quarantined` those held back by the clock
--    check. Schema-3 change rows become one-change batches (`encoding` = 'change': the JSON
--    of one change, uncompressed, no signature).
CREATE TABLE change_batches (
    first_server_seq INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    changes INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    body BLOB NOT NULL,
    signature TEXT NOT NULL,
    stored TEXT NOT NULL,
    quarantined TEXT NOT NULL
);
CREATE INDEX change_batches_device ON change_batches(device_id);

-- 3. Deduplication by (device, device sequence): the sequences stored per device, as runs.
CREATE TABLE device_seqs (
    device_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    PRIMARY KEY (device_id, from_seq)
);

INSERT INTO change_batches (first_server_seq, device_id, changes, received_ms, encoding, body, signature, stored,
                            quarantined)
    SELECT server_seq, device_id, 1, received_ms, 'change', CAST(body AS BLOB), '', CAST(device_seq AS TEXT),
           CASE WHEN quarantined <> 0 THEN CAST(device_seq AS TEXT) ELSE '' END
    FROM change_log;
INSERT INTO device_seqs (device_id, from_seq, to_seq)
    SELECT device_id, min(device_seq), max(device_seq)
    FROM (SELECT device_id, device_seq,
                 device_seq - row_number() OVER (PARTITION BY device_id ORDER BY device_seq) AS run
          FROM change_log) AS numbered
    GROUP BY device_id, run;
DROP TABLE change_log;
