-- Pushes from clients whose schema version the server does not support: held, never
-- dropped (the tablet keeps its outbox too). `body` is the exact JSON the device signed,
-- `signature` its Ed25519 signature, so the batch can be verified and replayed after an
-- upgrade. A retried batch is stored once.
CREATE TABLE held_pushes (
    device_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    officer_id TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, first_seq, last_seq)
);
