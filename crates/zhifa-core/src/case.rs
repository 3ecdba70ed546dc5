//! Administrative penalty cases (立案 … 结案).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, EnterpriseId, InspectionId, OfficerId, OrgId};
use crate::workflow::CaseStatus;

/// Source of a case (案件来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    /// 监督检查发现.
    Inspection,
    /// 投诉举报.
    Complaint,
    /// 上级交办.
    Assigned,
    /// 其他部门移送.
    Transferred,
    /// 事故调查.
    Accident,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Id.
    pub id: CaseId,
    /// Organisation handling it.
    pub org: OrgId,
    /// Party (当事人).
    pub enterprise: EnterpriseId,
    /// Inspection it came from.
    pub inspection: Option<InspectionId>,
    /// 案由.
    pub cause: String,
    /// Source.
    pub source: CaseSource,
    /// Status.
    pub status: CaseStatus,
    /// Date of 立案.
    pub registered_on: Option<NaiveDate>,
    /// 承办人 (two).
    pub handlers: Vec<OfficerId>,
    /// Fine decided, in yuan.
    pub fine_yuan: Option<u64>,
    /// Decision date.
    pub decided_on: Option<NaiveDate>,
    /// Closed date.
    pub closed_on: Option<NaiveDate>,
}
