-- Schema 5: `key_hash` clusters rows whose ids share a prefix (docs/sync.md § Storage).
--
-- `zhifa_entity_key(entity, entity_id)` (the function the server registers on its
-- connections, `db::entity_key`) is now the first 4 bytes of SHA-256 of "entity\nPREFIX"
-- followed by the first 4 bytes of SHA-256 of "entity\nentity_id", PREFIX being the id up to
-- its first ':' (the whole id without one): the answers of an inspection ("INSPECTION:ITEM")
-- sit next to each other in `entities_key`. Every row's key is recomputed here; the server
-- looks rows up by the new key only, so no server of schema 4 may run against this store
-- (it refuses to: the schema is newer than it knows).
UPDATE entities SET key_hash = zhifa_entity_key(entity, entity_id);
