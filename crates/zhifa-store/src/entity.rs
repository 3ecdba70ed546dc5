//! How each synced domain type maps to its table, id and sync scope.
//!
//! Core types stay free of storage concerns; the mapping lives here.

use serde::Serialize;
use serde::de::DeserializeOwned;
use zhifa_core::case::Case;
use zhifa_core::change::EntityKind;
use zhifa_core::document::Document;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::evidence::Evidence;
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::{EnterpriseId, InspectionId, OfficerId, OrgId, PlanId};
use zhifa_core::inspection::{Answer, Inspection};
use zhifa_core::officer::{Officer, Training};
use zhifa_core::org::Organisation;
use zhifa_core::plan::{Plan, PlanTask};

/// Where an entity's county scope comes from.
#[derive(Debug, Clone)]
pub enum Scope {
    /// A county code (6 digits) or the city code.
    Division(String),
    /// The enterprise's county.
    Enterprise(EnterpriseId),
    /// The organisation's division.
    Org(OrgId),
    /// The officer's organisation.
    Officer(OfficerId),
    /// The inspection's county.
    Inspection(InspectionId),
    /// The plan's organisation.
    Plan(PlanId),
}

/// A synced domain type stored in the replica.
pub trait Entity: Serialize + DeserializeOwned {
    /// Entity kind (outbox `entity`).
    const KIND: EntityKind;
    /// Table name.
    const TABLE: &'static str;
    /// Id as stored.
    fn id_text(&self) -> String;
    /// Where the county scope comes from.
    fn scope(&self) -> Scope;
}

macro_rules! entity {
    ($t:ty, $kind:ident, $table:literal, |$s:ident| $id:expr, |$s2:ident| $scope:expr) => {
        impl Entity for $t {
            const KIND: EntityKind = EntityKind::$kind;
            const TABLE: &'static str = $table;
            fn id_text(&self) -> String {
                let $s = self;
                $id
            }
            fn scope(&self) -> Scope {
                let $s2 = self;
                $scope
            }
        }
    };
}

entity!(Organisation, Organisation, "organisations", |s| s.id.to_string(), |s| Scope::Division(
    s.division_code.clone()
));
entity!(Officer, Officer, "officers", |s| s.id.to_string(), |s| Scope::Org(s.org));
entity!(Training, Training, "trainings", |s| s.id.to_string(), |s| Scope::Officer(s.officer));
entity!(Enterprise, Enterprise, "enterprises", |s| s.id.to_string(), |s| Scope::Division(s.data.county_code.clone()));
entity!(Plan, Plan, "plans", |s| s.id.to_string(), |s| Scope::Org(s.org));
entity!(PlanTask, Task, "tasks", |s| s.id.to_string(), |s| Scope::Enterprise(s.enterprise));
entity!(Inspection, Inspection, "inspections", |s| s.id.to_string(), |s| Scope::Enterprise(s.enterprise));
entity!(Answer, Answer, "answers", |s| format!("{}:{}", s.inspection, s.item), |s| Scope::Inspection(s.inspection));
entity!(Hazard, Hazard, "hazards", |s| s.id.to_string(), |s| Scope::Enterprise(s.enterprise));
entity!(Document, Document, "documents", |s| s.id.to_string(), |s| match s.inspection {
    Some(i) => Scope::Inspection(i),
    None => Scope::Division(String::new()),
});
entity!(Case, Case, "cases", |s| s.id.to_string(), |s| Scope::Enterprise(s.enterprise));
entity!(Evidence, Evidence, "evidence", |s| s.id.to_string(), |s| match s.inspection {
    Some(i) => Scope::Inspection(i),
    None => Scope::Officer(s.officer),
});
