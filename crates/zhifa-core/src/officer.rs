//! Officers (执法人员库): 执法证号, roles and training records.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationCode};
use crate::ids::{OfficerId, OrgId, TrainingId};

/// Roles an officer can hold (several at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执法人员 (承办人).
    Inspector,
    /// 审核人.
    Reviewer,
    /// 审批人.
    Approver,
    /// 法制审核人员.
    LegalReviewer,
    /// 系统管理员.
    SystemAdmin,
    /// 印章管理员.
    SealKeeper,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 6] =
        [Self::Inspector, Self::Reviewer, Self::Approver, Self::LegalReviewer, Self::SystemAdmin, Self::SealKeeper];

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Inspector => "执法人员",
            Self::Reviewer => "审核",
            Self::Approver => "审批",
            Self::LegalReviewer => "法制审核",
            Self::SystemAdmin => "系统管理员",
            Self::SealKeeper => "印章管理员",
        }
    }

    /// Stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::Reviewer => "reviewer",
            Self::Approver => "approver",
            Self::LegalReviewer => "legal_reviewer",
            Self::SystemAdmin => "system_admin",
            Self::SealKeeper => "seal_keeper",
        }
    }

    /// Parses [`Role::as_str`] or [`Role::label`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s || r.label() == s)
    }
}

/// An enforcement officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Id.
    pub id: OfficerId,
    /// Name.
    pub name: String,
    /// 行政执法证号.
    pub cert_no: String,
    /// Organisation.
    pub org: OrgId,
    /// Roles (at least one).
    pub roles: Vec<Role>,
    /// Phone.
    pub phone: Option<String>,
    /// Holds 法律职业资格 (required for first-time 法制审核 staff).
    pub legal_qualification: bool,
    /// Active (not retired / transferred).
    pub active: bool,
}

impl Officer {
    /// Whether the officer has `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A training record (执法培训).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    /// Id.
    pub id: TrainingId,
    /// Officer.
    pub officer: OfficerId,
    /// Course title.
    pub course: String,
    /// Date completed.
    pub date: NaiveDate,
    /// Class hours.
    pub hours: u32,
}

/// Validates a 执法证号: 6–20 characters of digits, upper-case letters or hyphens.
///
/// Shanxi's exact format is not published; this accepts the shapes seen in practice.
pub fn validate_cert_no(s: &str) -> Result<(), FieldError> {
    let ok =
        (6..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "执法证号",
            ValidationCode::InvalidChoice,
            format!("执法证号“{s}”格式不正确（6至20位数字或大写字母）"),
        ))
    }
}

/// Checks an officer record: a name, a valid cert number, at least one role, and the
/// 法律职业资格 for 法制审核 (行政处罚法第五十八条).
pub fn validate_officer(o: &Officer) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    if o.name.trim().is_empty() {
        errs.push(FieldError::new("姓名", ValidationCode::Required, "姓名不能为空"));
    }
    if let Err(e) = validate_cert_no(&o.cert_no) {
        errs.push(e);
    }
    if o.roles.is_empty() {
        errs.push(FieldError::new("角色", ValidationCode::Required, "至少需要一个角色"));
    }
    if o.has(Role::LegalReviewer) && !o.legal_qualification {
        errs.push(FieldError::new("角色", ValidationCode::InvalidChoice, "法制审核人员须具有法律职业资格"));
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}
