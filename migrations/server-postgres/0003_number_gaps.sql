-- Document numbers voided on a tablet (taken, then not used: e.g. a misprint), reported at
-- sync so supervisors can account for every gap in a number sequence. One row per number;
-- only numbers inside a block leased to the reporting device are accepted.
CREATE TABLE number_gaps (
    doc_code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    taken_ms BIGINT NOT NULL,
    reported_ms BIGINT NOT NULL,
    PRIMARY KEY (doc_code, org_id, year, number)
);
CREATE INDEX number_gaps_device ON number_gaps(device_id);
