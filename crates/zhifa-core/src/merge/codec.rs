//! Compact binary form of an [`EntityState`], as the server stores it.
//!
//! The JSON form repeats a 60-character HLC text and its base in every write; here each
//! distinct (HLC, base) pair is stored once per entity and the writes refer to it by index,
//! devices are stored once as 16 bytes, numbers are LEB128 varints, and the values stay
//! JSON text (they are what the view shows). Layout, version 2 (version 1, tag 0xB1, differs
//! only in the base: one varint, 0 = none, else clock index + 1; it is still read):
//!
//! ```text
//! 0xB3                                  format tag (never `{`: legacy JSON states start with it)
//! 1 byte                                entity kind (its position in `EntityKind::ALL`)
//! varint n, n × 16 bytes                devices
//! varint n, n × (varint wall_ms, varint counter, varint device index)   clocks
//! varint n, n × field:
//!     varint code                       field name: k ≥ 1 = `FIELD_NAMES[k - 1]`,
//!     [varint len, bytes]               0 = the name as text follows
//!     varint n, n × write:
//!         varint clock index            HLC of the write
//!         varint n, n × varint          base: its version vector's entries, as clock indexes
//!         varint len, bytes             value as JSON text
//! ```
//!
//! Decoding re-inserts every write through the merge rules, exactly as deserializing the
//! JSON form does, so a decoded state always satisfies them; any malformed input is an
//! error, never a panic.

use serde_json::Value;

use super::{EntityState, Write, validate};
use crate::change::EntityKind;
use crate::hlc::{Hlc, VersionVector};
use crate::ids::DeviceId;

/// First byte of the binary form of version 1 (a scalar base), still read.
pub const FORMAT_V1: u8 = 0xB1;
/// First byte of the binary form written now (version 2: version-vector bases).
pub const FORMAT_V2: u8 = 0xB3;

/// Why bytes are not a valid encoded state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无效的实体状态编码：{0}")]
pub struct DecodeError(pub String);

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, what: &str) -> DecodeError {
        DecodeError(format!("{what}（位置{}）", self.pos))
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or_else(|| self.err("数据被截断"))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("整数过长"))
    }

    fn len(&mut self) -> Result<usize, DecodeError> {
        let n = self.varint()?;
        // Every element takes at least one byte: a count beyond the rest is corrupt (and
        // must not size an allocation).
        if n > (self.buf.len() - self.pos) as u64 {
            return Err(self.err("长度超出数据"));
        }
        Ok(n as usize)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or_else(|| self.err("数据被截断"))?;
        let b = &self.buf[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.len()?;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|_| self.err("文本不是UTF-8"))
    }
}

/// Field names stored as a one-byte code (the domain types' serde names; a name not listed
/// is stored as text). Append new names, never reorder or remove: stored states refer to
/// them by position.
const FIELD_NAMES: &[&str] = &[
    "_deleted",
    "status",
    "id",
    "name",
    "county_code",
    "enterprise",
    "inspection",
    "item",
    "result",
    "note",
    "hazard",
    "officer",
    "org",
    "plan",
    "task",
    "kind",
    "sha256",
    "mime",
    "size",
    "captured_ms",
    "lat",
    "lng",
    "withdrawn",
    "credit_code",
    "township_code",
    "address",
    "legal_rep",
    "principal",
    "phone",
    "industry_code",
    "supervision_category",
    "location",
    "tags",
    "risk_level",
    "licence_no",
    "licence_expiry",
    "employees",
    "short_name",
    "division_code",
    "parent",
    "cert_no",
    "roles",
    "legal_qualification",
    "active",
    "course",
    "date",
    "hours",
    "year",
    "title",
    "month",
    "officers",
    "draw_seed",
    "place",
    "started_at",
    "ended_at",
    "modules",
    "description",
    "major",
    "deadline",
    "review_requested_on",
    "reviewed_on",
    "doc_type",
    "number",
    "case",
    "content_hash",
    "corrects",
    "content",
    "issued_at",
    "cause",
    "source",
    "registered_on",
    "handlers",
    "fine_yuan",
    "decided_on",
    "closed_on",
    "served_at",
    "served_to",
];

impl EntityState {
    /// The binary form (see the module documentation).
    pub fn encode(&self) -> Vec<u8> {
        // An entity holds a handful of clocks: a linear search beats a map here.
        let mut devices: Vec<DeviceId> = Vec::new();
        let mut clocks: Vec<Hlc> = Vec::new();
        let index_of = |h: Hlc, devices: &mut Vec<DeviceId>, clocks: &mut Vec<Hlc>| -> u64 {
            match clocks.iter().position(|c| *c == h) {
                Some(i) => i as u64,
                None => {
                    if !devices.contains(&h.device) {
                        devices.push(h.device);
                    }
                    clocks.push(h);
                    clocks.len() as u64 - 1
                }
            }
        };
        let mut value = Vec::with_capacity(64);
        // Fields first (into a scratch buffer) so the clock table is complete before it is written.
        let mut body = Vec::with_capacity(256);
        put_varint(&mut body, self.registers.len() as u64);
        for (name, reg) in &self.registers {
            match FIELD_NAMES.iter().position(|n| n == name) {
                Some(i) => put_varint(&mut body, i as u64 + 1),
                None => {
                    put_varint(&mut body, 0);
                    put_bytes(&mut body, name.as_bytes());
                }
            }
            put_varint(&mut body, reg.writes.len() as u64);
            for w in &reg.writes {
                let i = index_of(w.hlc, &mut devices, &mut clocks);
                put_varint(&mut body, i);
                put_varint(&mut body, w.base.entries().len() as u64);
                for b in w.base.entries() {
                    let j = index_of(*b, &mut devices, &mut clocks);
                    put_varint(&mut body, j);
                }
                // Serializing a `Value` into a Vec cannot fail.
                value.clear();
                let _ = serde_json::to_writer(&mut value, &w.value);
                put_bytes(&mut body, &value);
            }
        }
        let mut out = Vec::with_capacity(body.len() + 32 + 16 * devices.len() + 10 * clocks.len());
        out.push(FORMAT_V2);
        out.push(EntityKind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0) as u8);
        put_varint(&mut out, devices.len() as u64);
        for d in &devices {
            out.extend_from_slice(d.0.as_bytes());
        }
        put_varint(&mut out, clocks.len() as u64);
        for h in &clocks {
            put_varint(&mut out, h.wall_ms);
            put_varint(&mut out, u64::from(h.counter));
            let d = devices.iter().position(|x| *x == h.device).unwrap_or(0);
            put_varint(&mut out, d as u64);
        }
        out.extend_from_slice(&body);
        out
    }

    /// Parses [`EntityState::encode`]'s output, re-checking every write against the merge
    /// rules.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let v1 = match r.bytes(1)? {
            [FORMAT_V1] => true,
            [FORMAT_V2] => false,
            _ => return Err(r.err("未知的格式标记")),
        };
        let code = r.bytes(1)?[0];
        let kind = *EntityKind::ALL.get(usize::from(code)).ok_or_else(|| r.err("未知的实体类型"))?;
        let n = r.len()?;
        let mut devices = Vec::with_capacity(n);
        for _ in 0..n {
            let b: [u8; 16] = r.bytes(16)?.try_into().map_err(|_| r.err("设备编号长度错误"))?;
            devices.push(DeviceId(uuid::Uuid::from_bytes(b)));
        }
        let n = r.len()?;
        let mut clocks = Vec::with_capacity(n);
        for _ in 0..n {
            let wall_ms = r.varint()?;
            let counter = u32::try_from(r.varint()?).map_err(|_| r.err("计数器越界"))?;
            let d = r.varint()? as usize;
            let device = *devices.get(d).ok_or_else(|| r.err("设备序号越界"))?;
            clocks.push(Hlc { wall_ms, counter, device });
        }
        let mut state = EntityState::new(kind);
        let fields = r.len()?;
        for _ in 0..fields {
            let name: &str = match r.varint()? {
                0 => r.str()?,
                i => FIELD_NAMES.get(i as usize - 1).ok_or_else(|| r.err("字段名序号越界"))?,
            };
            let writes = r.len()?;
            for _ in 0..writes {
                let hlc = *clocks.get(r.varint()? as usize).ok_or_else(|| r.err("时钟序号越界"))?;
                let clock =
                    |r: &Reader<'_>, j: u64| clocks.get(j as usize).copied().ok_or_else(|| r.err("时钟序号越界"));
                let base = if v1 {
                    match r.varint()? {
                        0 => VersionVector::new(),
                        j => VersionVector::from(clock(&r, j - 1)?),
                    }
                } else {
                    let n = r.len()?;
                    let mut base = VersionVector::new();
                    for _ in 0..n {
                        let j = r.varint()?;
                        base.observe(clock(&r, j)?);
                    }
                    base
                };
                let n = r.len()?;
                let value: Value = serde_json::from_slice(r.bytes(n)?).map_err(|_| r.err("字段值不是JSON"))?;
                let w = Write { value, hlc, base };
                if let Err(reason) = validate(kind, name, &w) {
                    return Err(DecodeError(format!("{name} @ {}: {reason}", hlc.encode())));
                }
                state.insert_write(name, w);
            }
        }
        if r.pos != bytes.len() {
            return Err(r.err("末尾有多余数据"));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::change::{Change, ChangeOp};
    use crate::ids::ChangeId;

    fn change(kind: EntityKind, wall: u64, dev: u8, base: Option<(u64, u8)>, fields: Value) -> Change {
        let hlc = |w: u64, d: u8| Hlc { wall_ms: w, counter: 1, device: DeviceId(uuid::Uuid::from_bytes([d; 16])) };
        Change {
            id: ChangeId::from_parts(wall, [dev; 10]),
            entity: kind,
            entity_id: "e1".into(),
            op: ChangeOp::Upsert,
            fields: fields.as_object().unwrap().clone().into_iter().collect(),
            hlc: hlc(wall, dev),
            base: base.map(|(w, d)| hlc(w, d)).into(),
            county_code: None,
            wall_ms: wall,
        }
    }

    fn sample() -> EntityState {
        let mut s = EntityState::new(EntityKind::Enterprise);
        s.apply(&change(EntityKind::Enterprise, 1_700_000_000_000, 1, None, json!({"name": "甲钢铁", "staff": 120})));
        s.apply(&change(
            EntityKind::Enterprise,
            1_700_000_000_500,
            2,
            Some((1_700_000_000_000, 1)),
            json!({"name": "乙钢铁", "address": {"town": "孝义"}}),
        ));
        s.apply(&change(
            EntityKind::Enterprise,
            1_700_000_000_400,
            3,
            Some((1_700_000_000_000, 1)),
            json!({"name": "丙钢铁", "note": null}),
        ));
        s
    }

    /// Version 1 (a scalar base), as schema-4 servers wrote it: still read, its base a
    /// vector of one entry.
    #[test]
    fn version_1_bytes_decode_with_a_one_entry_base() {
        let dev = DeviceId(uuid::Uuid::from_bytes([7; 16]));
        let kind = EntityKind::ALL.iter().position(|k| *k == EntityKind::Enterprise).unwrap() as u8;
        let mut b = vec![FORMAT_V1, kind, 1];
        b.extend_from_slice(dev.0.as_bytes());
        b.extend_from_slice(&[2, 5, 0, 0, 9, 0, 0]); // clocks (5, 0, dev) and (9, 0, dev)
        b.extend_from_slice(&[1, 0, 5]); // one field, named in text: "phone"
        b.extend_from_slice(b"phone");
        b.extend_from_slice(&[1, 1, 1, 3]); // one write: clock 1, base clock 0 + 1, 3 bytes
        b.extend_from_slice(b"\"1\"");
        let s = EntityState::decode(&b).unwrap();
        let w = &s.registers()["phone"].writes()[0];
        assert_eq!(w.hlc, Hlc { wall_ms: 9, counter: 0, device: dev });
        assert_eq!(w.base, VersionVector::from(Hlc { wall_ms: 5, counter: 0, device: dev }));
        assert_eq!(s.encode()[0], FORMAT_V2, "written back in version 2");
        assert_eq!(EntityState::decode(&s.encode()).unwrap(), s);
    }

    #[test]
    fn round_trip_keeps_every_write_and_the_view() {
        let s = sample();
        let bytes = s.encode();
        assert_eq!(bytes[0], FORMAT_V2);
        let back = EntityState::decode(&bytes).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.view(), s.view());
        assert_eq!(back.view().conflicts.len(), 1, "the concurrent legal writes stay flagged");
        let json = serde_json::to_vec(&s).unwrap();
        assert!(bytes.len() * 2 < json.len(), "binary {} vs JSON {}", bytes.len(), json.len());
    }

    #[test]
    fn known_field_names_take_one_byte_and_unknown_ones_survive() {
        let mut s = EntityState::new(EntityKind::Answer);
        s.apply(&change(EntityKind::Answer, 1_700_000_000_000, 1, None, json!({"result": "符合", "自定义字段": 1})));
        let bytes = s.encode();
        assert!(!bytes.windows(6).any(|w| w == b"result"), "a known name is a code");
        assert!(bytes.windows("自定义字段".len()).any(|w| w == "自定义字段".as_bytes()));
        assert_eq!(EntityState::decode(&bytes).unwrap(), s);
        let mut names = FIELD_NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELD_NAMES.len(), "no name listed twice");
    }

    #[test]
    fn empty_state_round_trips() {
        let s = EntityState::new(EntityKind::Answer);
        assert_eq!(EntityState::decode(&s.encode()).unwrap(), s);
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(EntityState::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                // Either a clean error or a valid state: never a panic.
                let _ = EntityState::decode(&b);
            }
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(EntityState::decode(&extra).is_err());
        assert!(EntityState::decode(b"{\"kind\":\"answer\"}").is_err(), "JSON is not the binary form");
    }

    #[test]
    fn a_write_breaking_the_rules_is_refused() {
        // A status value no workflow knows, written by hand into the binary form.
        let mut s = EntityState::new(EntityKind::Hazard);
        s.apply(&change(EntityKind::Hazard, 1_700_000_000_000, 1, None, json!({"status": "open"})));
        let good = s.encode();
        let at = good.windows(6).position(|w| w == b"\"open\"").expect("the status value is stored as JSON text");
        let mut bad = good.clone();
        bad[at..at + 6].copy_from_slice(b"\"nope\"");
        assert!(EntityState::decode(&good).is_ok());
        assert!(EntityState::decode(&bad).unwrap_err().0.contains("status"));
    }
}
