//! Check items (检查事项清单) with their 检查依据 and 处罚依据.
//!
//! Loaded from `data/seed/checklist.json`; the status fields (`item_text_status`,
//! `confidence`, `mapping`, `verified`) are kept so unverified texts stay marked.

use serde::{Deserialize, Serialize};

/// A fine band in yuan, `[min, max]`.
pub type FineRange = [u64; 2];

/// One 处罚依据 entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyBasis {
    /// Law title.
    pub law: String,
    /// Article (e.g. 第九十四条第一款).
    pub article: String,
    /// Statutory penalty text.
    pub penalty_range: String,
    /// Whether the article text was verified.
    pub verified: bool,
    /// `direct` or `suggested` (advisory practitioner mapping).
    pub mapping: String,
    /// Target (e.g. 主要负责人), if not the organisation.
    #[serde(default)]
    pub target: Option<String>,
    /// Fine for the organisation.
    #[serde(default)]
    pub fine_org: Option<FineRange>,
    /// Fine for the organisation when overdue (逾期未改正).
    #[serde(default)]
    pub fine_org_overdue: Option<FineRange>,
    /// Fine for the organisation on refusal (拒不改正).
    #[serde(default)]
    pub fine_org_refuse: Option<FineRange>,
    /// Fine for the person.
    #[serde(default)]
    pub fine_person: Option<FineRange>,
    /// Fine for the person when overdue.
    #[serde(default)]
    pub fine_person_overdue: Option<FineRange>,
    /// Fine for the person on refusal.
    #[serde(default)]
    pub fine_person_refuse: Option<FineRange>,
}

/// One check item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    /// Stable id such as `GEN-001`.
    pub id: String,
    /// 通用 / 冶金工贸 / 危险化学品 / 非煤矿山.
    pub industry: String,
    /// 专项模块.
    pub module: String,
    /// 类别.
    pub category: String,
    /// 事项名称.
    pub item: String,
    /// 检查内容.
    pub check_content: String,
    /// 检查方式.
    pub check_method: String,
    /// 检查依据.
    pub check_basis: Vec<String>,
    /// 处罚依据.
    pub penalty_basis: Vec<PenaltyBasis>,
    /// Suggested 现场处理措施.
    pub onsite_measure: String,
    /// 是否重大事故隐患.
    pub major_hazard: bool,
    /// 判定依据.
    pub major_hazard_basis: Option<String>,
    /// `verbatim-third-party` / `paraphrase` / `paraphrase-unverified`.
    pub item_text_status: String,
    /// `high` / `medium` / `low`.
    pub confidence: String,
    /// Caveats.
    pub notes: Vec<String>,
}

impl CheckItem {
    /// Whether the wording must be checked against an official text before use on a
    /// legal document.
    pub fn unverified(&self) -> bool {
        self.item_text_status == "paraphrase-unverified"
            || self.penalty_basis.iter().any(|p| !p.verified || p.mapping == "suggested")
    }
}

/// The seed checklist file.
#[derive(Debug, Clone, Deserialize)]
pub struct ChecklistFile {
    /// Items.
    pub items: Vec<CheckItem>,
}
