//! Hybrid logical clock (HLC) stamped on every change.
//!
//! Ordering is by `(wall_ms, counter, device)`: causally later writes always compare
//! greater, and the device id breaks ties deterministically. The physical time is passed
//! in; the clock never reads it.

use serde::{Deserialize, Serialize};

use crate::ids::DeviceId;

/// One HLC timestamp. Serialised as its compact, sortable text form ([`Hlc::encode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (logical: never behind any seen timestamp).
    pub wall_ms: u64,
    /// Counter within one millisecond.
    pub counter: u32,
    /// Device that issued it (tie-breaker).
    pub device: DeviceId,
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hlc::decode(&s).map_err(serde::de::Error::custom)
    }
}

/// Errors of the clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HlcError {
    /// A remote timestamp is further ahead of local physical time than the skew bound.
    #[error("时间戳超前本机时间{ahead_ms}毫秒，超过允许的{bound_ms}毫秒")]
    TooFarAhead {
        /// How far ahead.
        ahead_ms: u64,
        /// The configured bound.
        bound_ms: u64,
    },
    /// The text form could not be parsed.
    #[error("无效的HLC时间戳：{0}")]
    Malformed(String),
}

impl Hlc {
    /// A lexicographically sortable text form: `WWWWWWWWWWWWWWW-CCCCCCCC-<uuid>`.
    pub fn encode(&self) -> String {
        format!("{:015}-{:08x}-{}", self.wall_ms, self.counter, self.device)
    }

    /// Parses [`Hlc::encode`]'s output.
    pub fn decode(s: &str) -> Result<Self, HlcError> {
        let bad = || HlcError::Malformed(s.to_owned());
        let (w, rest) = s.split_once('-').ok_or_else(bad)?;
        let (c, d) = rest.split_once('-').ok_or_else(bad)?;
        Ok(Self {
            wall_ms: w.parse().map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
            device: DeviceId::parse(d).map_err(|_| bad())?,
        })
    }
}

/// What a writer had seen of a row: per device, the highest HLC of that device's writes it
/// had seen (at most one entry per device, sorted by device). A write *dominates* another
/// when its version vector covers the other's HLC ([`VersionVector::covers`]): exact,
/// unlike one scalar version, which would count every lower HLC as seen even from a tablet
/// whose write had not reached the writer yet.
///
/// Text form (wire, replica): the entries' [`Hlc::encode`] joined by `,`; a single HLC is a
/// vector of one entry (what clients of protocol schema 1 send), the empty text none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionVector(Vec<Hlc>);

impl VersionVector {
    /// No entries (a new row).
    pub fn new() -> Self {
        Self::default()
    }

    /// A vector of the given HLCs (the highest per device kept).
    pub fn of(hlcs: impl IntoIterator<Item = Hlc>) -> Self {
        let mut v = Self::new();
        for h in hlcs {
            v.observe(h);
        }
        v
    }

    /// Adds `h` (kept if it is its device's highest).
    pub fn observe(&mut self, h: Hlc) {
        match self.0.binary_search_by(|x| x.device.cmp(&h.device)) {
            Ok(i) => {
                if self.0[i] < h {
                    self.0[i] = h;
                }
            }
            Err(i) => self.0.insert(i, h),
        }
    }

    /// Pointwise maximum with `other`.
    pub fn merge(&mut self, other: &VersionVector) {
        for h in &other.0 {
            self.observe(*h);
        }
    }

    /// Whether a writer with this vector had seen the write stamped `h`.
    pub fn covers(&self, h: Hlc) -> bool {
        self.get(h.device).is_some_and(|mine| mine >= h)
    }

    /// The entry of `device`.
    pub fn get(&self, device: DeviceId) -> Option<Hlc> {
        self.0.binary_search_by(|x| x.device.cmp(&device)).ok().map(|i| self.0[i])
    }

    /// The highest entry.
    pub fn highest(&self) -> Option<Hlc> {
        self.0.iter().max().copied()
    }

    /// The entries, sorted by device.
    pub fn entries(&self) -> &[Hlc] {
        &self.0
    }

    /// Whether it has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text form (empty for no entry).
    pub fn encode(&self) -> String {
        self.0.iter().map(Hlc::encode).collect::<Vec<_>>().join(",")
    }

    /// Parses [`VersionVector::encode`]'s output, or a single HLC.
    pub fn decode(s: &str) -> Result<Self, HlcError> {
        if s.is_empty() {
            return Ok(Self::new());
        }
        s.split(',').map(Hlc::decode).collect::<Result<Vec<_>, _>>().map(Self::of)
    }
}

impl From<Hlc> for VersionVector {
    fn from(h: Hlc) -> Self {
        Self(vec![h])
    }
}

impl From<Option<Hlc>> for VersionVector {
    fn from(h: Option<Hlc>) -> Self {
        Self::of(h)
    }
}

/// Serialised as a list of HLC texts; read from `null`, one HLC text (states written before
/// version vectors) or a list.
impl Serialize for VersionVector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for VersionVector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            One(Hlc),
            Many(Vec<Hlc>),
        }
        Ok(match Option::<Repr>::deserialize(d)? {
            None => Self::new(),
            Some(Repr::One(h)) => Self::from(h),
            Some(Repr::Many(v)) => Self::of(v),
        })
    }
}

/// The per-device clock state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HlcClock {
    device: DeviceId,
    wall_ms: u64,
    counter: u32,
}

impl HlcClock {
    /// A clock for `device` that has seen nothing yet.
    pub fn new(device: DeviceId) -> Self {
        Self { device, wall_ms: 0, counter: 0 }
    }

    /// Restores a clock from the last timestamp it issued (persisted by the store).
    pub fn resume(last: Hlc) -> Self {
        Self { device: last.device, wall_ms: last.wall_ms, counter: last.counter }
    }

    /// The device id.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The last timestamp issued or observed (persist it to resume after a restart).
    pub fn last(&self) -> Hlc {
        Hlc { wall_ms: self.wall_ms, counter: self.counter, device: self.device }
    }

    /// Issues a timestamp for a local event at physical time `physical_ms`.
    ///
    /// Monotonic even when the physical clock goes backwards.
    pub fn tick(&mut self, physical_ms: u64) -> Hlc {
        if physical_ms > self.wall_ms {
            self.wall_ms = physical_ms;
            self.counter = 0;
        } else {
            self.counter = self.counter.wrapping_add(1);
            if self.counter == 0 {
                // Counter overflow within one millisecond: borrow the next millisecond.
                self.wall_ms += 1;
            }
        }
        Hlc { wall_ms: self.wall_ms, counter: self.counter, device: self.device }
    }

    /// Merges a remote timestamp so later local ticks sort after it.
    ///
    /// A remote timestamp more than `max_skew_ms` ahead of `physical_ms` is refused and
    /// does not move the clock (it must be quarantined by the caller).
    pub fn observe(&mut self, remote: Hlc, physical_ms: u64, max_skew_ms: u64) -> Result<(), HlcError> {
        if remote.wall_ms > physical_ms.saturating_add(max_skew_ms) {
            return Err(HlcError::TooFarAhead { ahead_ms: remote.wall_ms - physical_ms, bound_ms: max_skew_ms });
        }
        let wall = self.wall_ms.max(remote.wall_ms).max(physical_ms);
        self.counter = if wall == self.wall_ms && wall == remote.wall_ms {
            self.counter.max(remote.counter) + 1
        } else if wall == self.wall_ms {
            self.counter + 1
        } else if wall == remote.wall_ms {
            remote.counter + 1
        } else {
            0
        };
        self.wall_ms = wall;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::from_parts(1, [n; 10])
    }

    #[test]
    fn monotonic_when_clock_goes_back() {
        let mut c = HlcClock::new(dev(1));
        let a = c.tick(1000);
        let b = c.tick(900);
        let d = c.tick(1000);
        assert!(a < b && b < d);
        assert_eq!(Hlc::decode(&d.encode()).unwrap(), d);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{}\"", d.encode()));
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), d);
        assert!(a.encode() < b.encode() && b.encode() < d.encode());
    }

    #[test]
    fn observe_orders_after_remote_and_refuses_far_future() {
        let mut c = HlcClock::new(dev(1));
        let remote = Hlc { wall_ms: 5000, counter: 7, device: dev(2) };
        c.observe(remote, 4000, 60_000).unwrap();
        assert!(c.tick(4000) > remote);
        let future = Hlc { wall_ms: 10_000_000, counter: 0, device: dev(2) };
        assert!(matches!(c.observe(future, 4000, 60_000), Err(HlcError::TooFarAhead { .. })));
        assert!(c.tick(4001).wall_ms < 10_000_000);
    }
}
