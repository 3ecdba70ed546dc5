-- Schema 5: `key_hash` clusters rows whose ids share a prefix (see the SQLite file). The
-- function is the Rust `db::entity_key`: 4 bytes of SHA-256 of "kind\nPREFIX" (as a signed
-- 32-bit high half) then 4 bytes of SHA-256 of "kind\nid" (unsigned low half), PREFIX being
-- the id up to its first ':' (split_part gives the whole id when there is none).
CREATE OR REPLACE FUNCTION zhifa_entity_key(kind TEXT, id TEXT) RETURNS BIGINT
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (('x' || encode(substr(sha256(convert_to(kind || chr(10) || split_part(id, ':', 1), 'UTF8')), 1, 4),
                           'hex'))::bit(32)::int::bigint << 32)
               | ('x' || encode(substr(sha256(convert_to(kind || chr(10) || id, 'UTF8')), 1, 4), 'hex'))::bit(32)::bigint $$;
UPDATE entities SET key_hash = zhifa_entity_key(entity, entity_id);
