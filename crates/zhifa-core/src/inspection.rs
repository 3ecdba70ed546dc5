//! On-site inspections and their checklist answers.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::ids::{EnterpriseId, InspectionId, OfficerId, OrgId, TaskId};
use crate::workflow::InspectionStatus;

/// Answer to one check item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerResult {
    /// 符合.
    Conforming,
    /// 不符合.
    NonConforming,
    /// 不涉及.
    NotApplicable,
}

impl AnswerResult {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Conforming => "符合",
            Self::NonConforming => "不符合",
            Self::NotApplicable => "不涉及",
        }
    }

    /// Stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conforming => "conforming",
            Self::NonConforming => "non_conforming",
            Self::NotApplicable => "not_applicable",
        }
    }

    /// Parses [`AnswerResult::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Conforming, Self::NonConforming, Self::NotApplicable].into_iter().find(|r| r.as_str() == s)
    }
}

/// An inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Id.
    pub id: InspectionId,
    /// Plan task, if planned.
    pub task: Option<TaskId>,
    /// Enterprise inspected.
    pub enterprise: EnterpriseId,
    /// Organisation carrying it out.
    pub org: OrgId,
    /// Inspectors (at least two).
    pub officers: Vec<OfficerId>,
    /// 检查场所.
    pub place: String,
    /// Start (local time of the bureau).
    pub started_at: Option<NaiveDateTime>,
    /// End.
    pub ended_at: Option<NaiveDateTime>,
    /// Status.
    pub status: InspectionStatus,
    /// Industry modules selected (粉尘涉爆, 有限空间 …).
    pub modules: Vec<String>,
}

/// One answer of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Inspection.
    pub inspection: InspectionId,
    /// Check item id.
    pub item: String,
    /// Result.
    pub result: AnswerResult,
    /// Inspector's note / finding text.
    pub note: String,
}
