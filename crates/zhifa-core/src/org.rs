//! Organisations: the city bureau, county bureaus and their 执法支队/大队.

use serde::{Deserialize, Serialize};

use crate::ids::OrgId;

/// Kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 市应急管理局.
    CityBureau,
    /// 县（市、区）应急管理局.
    CountyBureau,
    /// 综合行政执法支队 (city level).
    Detachment,
    /// 综合行政执法大队 (county level).
    Brigade,
}

impl OrgKind {
    /// Chinese name of the kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::CityBureau => "市应急管理局",
            Self::CountyBureau => "县级应急管理局",
            Self::Detachment => "执法支队",
            Self::Brigade => "执法大队",
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Id.
    pub id: OrgId,
    /// Full name, e.g. 孝义市应急管理局.
    pub name: String,
    /// 机关简称 used in document numbers (unverified, configurable).
    pub short_name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Division it covers (city or county code).
    pub division_code: String,
    /// Parent organisation.
    pub parent: Option<OrgId>,
}
