//! Zhifa's pure domain core.
//!
//! Everything here is deterministic: no IO, no async, no clock or RNG reads.
//! Time, ids and randomness are passed in by the caller (the store, the server, the CLI).
//! The tablet app and the sync server share this crate, so a rule written here is the
//! same rule everywhere.

pub mod calendar;
pub mod case;
pub mod change;
pub mod checklist;
pub mod credit_code;
pub mod deadline;
pub mod division;
pub mod document;
pub mod enterprise;
pub mod error;
pub mod evidence;
pub mod hazard;
pub mod hlc;
pub mod ids;
pub mod industry;
pub mod inspection;
pub mod law;
pub mod merge;
pub mod normalize;
pub mod officer;
pub mod org;
pub mod plan;
pub mod workflow;

pub use error::{FieldError, ValidationCode};
