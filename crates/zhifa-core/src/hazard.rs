//! Findings / hazards (隐患) with rectification deadlines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{EnterpriseId, HazardId, InspectionId};
use crate::workflow::HazardStatus;

/// A hazard found during an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    /// Id.
    pub id: HazardId,
    /// Inspection that found it.
    pub inspection: InspectionId,
    /// Enterprise.
    pub enterprise: EnterpriseId,
    /// Check item it violates, if any.
    pub item: Option<String>,
    /// Description (存在问题).
    pub description: String,
    /// 重大事故隐患.
    pub major: bool,
    /// Rectification deadline (整改期限).
    pub deadline: Option<NaiveDate>,
    /// Status.
    pub status: HazardStatus,
    /// Date the enterprise asked for 复查.
    pub review_requested_on: Option<NaiveDate>,
    /// Date of the 复查.
    pub reviewed_on: Option<NaiveDate>,
}
