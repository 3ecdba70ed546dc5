-- 0003: open conflicts the server reports for records on this tablet (with each pulled
-- entity), so the inspector sees them for what they are. Replaced per entity at every pull;
-- local-only, never synced.
CREATE TABLE conflicts (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    values_json TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, field, kind)
) STRICT;
