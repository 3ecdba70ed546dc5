//! Typed UUIDv7 identifiers.
//!
//! Ids are built from a millisecond timestamp and ten random bytes supplied by the caller,
//! so the core never reads a clock or a random source itself.

use serde::{Deserialize, Serialize};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// Builds a UUIDv7 from a Unix time in milliseconds and ten random bytes.
            pub fn from_parts(unix_ms: u64, random: [u8; 10]) -> Self {
                Self(uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid())
            }

            /// Parses the hyphenated text form.
            pub fn parse(s: &str) -> Result<Self, uuid::Error> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(/// An enterprise (检查对象).
    EnterpriseId);
uuid_id!(/// An organisation (city bureau, county bureau, 支队/大队).
    OrgId);
uuid_id!(/// An enforcement officer (执法人员).
    OfficerId);
uuid_id!(/// An annual or monthly inspection plan.
    PlanId);
uuid_id!(/// One task of a plan (an enterprise to inspect).
    TaskId);
uuid_id!(/// An on-site inspection.
    InspectionId);
uuid_id!(/// A finding / hazard (隐患).
    HazardId);
uuid_id!(/// An enforcement document (执法文书).
    DocumentId);
uuid_id!(/// An administrative penalty case (案件).
    CaseId);
uuid_id!(/// A piece of evidence (photo, audio, signature image).
    EvidenceId);
uuid_id!(/// A tablet or other replica that writes changes.
    DeviceId);
uuid_id!(/// One change record in the outbox.
    ChangeId);
uuid_id!(/// A training record of an officer.
    TrainingId);

/// Source of fresh ids for code that creates many records.
///
/// The caller owns the clock and the random source; tests pass a deterministic one.
pub trait IdSource {
    /// Current Unix time in milliseconds and ten random bytes.
    fn next_parts(&mut self) -> (u64, [u8; 10]);
}

/// Typed id construction for any [`IdSource`] (also behind `dyn`).
pub trait IdSourceExt: IdSource {
    /// A fresh id of any typed kind.
    fn next<T: FromParts>(&mut self) -> T {
        let (ms, r) = self.next_parts();
        T::from_parts(ms, r)
    }
}

impl<S: IdSource + ?Sized> IdSourceExt for S {}

/// Implemented by every typed id, so [`IdSource::next`] can build any of them.
pub trait FromParts {
    /// See the inherent `from_parts` of each id type.
    fn from_parts(unix_ms: u64, random: [u8; 10]) -> Self;
}

macro_rules! impl_from_parts {
    ($($name:ident),*) => {$(
        impl FromParts for $name {
            fn from_parts(unix_ms: u64, random: [u8; 10]) -> Self {
                $name::from_parts(unix_ms, random)
            }
        }
    )*};
}
impl_from_parts!(
    EnterpriseId,
    OrgId,
    OfficerId,
    PlanId,
    TaskId,
    InspectionId,
    HazardId,
    DocumentId,
    CaseId,
    EvidenceId,
    DeviceId,
    ChangeId,
    TrainingId
);

/// A deterministic id source: a SplitMix64 stream and a fixed millisecond clock that ticks
/// by one per id. Used by the demo-data generator and by tests.
#[derive(Debug, Clone)]
pub struct SeededIds {
    state: u64,
    ms: u64,
}

impl SeededIds {
    /// Starts at `start_ms` with the given seed.
    pub fn new(seed: u64, start_ms: u64) -> Self {
        Self { state: seed, ms: start_ms }
    }
}

impl IdSource for SeededIds {
    fn next_parts(&mut self) -> (u64, [u8; 10]) {
        let a = crate::ids::splitmix64(&mut self.state).to_le_bytes();
        let b = crate::ids::splitmix64(&mut self.state).to_le_bytes();
        let mut r = [0u8; 10];
        r[..8].copy_from_slice(&a);
        r[8..].copy_from_slice(&b[..2]);
        self.ms += 1;
        (self.ms, r)
    }
}

/// One step of SplitMix64: a tiny, well-known, stable PRNG.
///
/// Stability matters more than quality here: demo data and golden tests must not change
/// when a dependency updates its generator.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered_by_time() {
        let a = EnterpriseId::from_parts(1_700_000_000_000, [0; 10]);
        let b = EnterpriseId::from_parts(1_700_000_000_001, [0; 10]);
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b);
        assert_eq!(EnterpriseId::parse(&a.to_string()).unwrap(), a);
    }

    #[test]
    fn seeded_ids_are_deterministic() {
        let mut x = SeededIds::new(42, 0);
        let mut y = SeededIds::new(42, 0);
        let a: OfficerId = x.next();
        let b: OfficerId = y.next();
        assert_eq!(a, b);
        let c: OfficerId = x.next();
        assert_ne!(a, c);
    }
}
