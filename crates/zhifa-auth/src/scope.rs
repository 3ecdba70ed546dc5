//! Who is calling ([`Principal`]) and which counties' records they may see ([`Scope`]).

use serde::{Deserialize, Serialize};

/// The records an officer may see: a whole city or one county.
///
/// County codes are the 6-digit county-level division codes carried by change records
/// (`county_code`), compared exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// `None`: city-wide; `Some(code)`: that county only.
    pub county: Option<String>,
}

impl Scope {
    /// City-wide scope.
    pub fn city_wide() -> Self {
        Self { county: None }
    }

    /// One county's scope.
    pub fn county(code: impl Into<String>) -> Self {
        Self { county: Some(code.into()) }
    }

    /// Whether the scope is city-wide.
    pub fn is_city_wide(&self) -> bool {
        self.county.is_none()
    }

    /// Whether a record with `county_code` is visible: a city-wide scope sees everything; a
    /// county scope sees its own county's records and city-level records (`None`).
    pub fn allows(&self, county_code: Option<&str>) -> bool {
        match (&self.county, county_code) {
            (None, _) | (Some(_), None) => true,
            (Some(mine), Some(theirs)) => mine == theirs,
        }
    }
}

/// An authenticated caller, as the server resolves it from an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The officer's id.
    pub officer_id: String,
    /// Role names (`zhifa_core::officer::Role` in `snake_case`, e.g. `"inspector"`).
    pub roles: Vec<String>,
    /// Which records the officer may see.
    pub scope: Scope,
    /// The registered device the session is bound to, if any.
    pub device_id: Option<String>,
}

impl Principal {
    /// Whether the principal holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Shorthand for `self.scope.allows(county_code)`.
    pub fn can_see(&self, county_code: Option<&str>) -> bool {
        self.scope.allows(county_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_wide_sees_everything() {
        let s = Scope::city_wide();
        assert!(s.is_city_wide());
        assert!(s.allows(None));
        assert!(s.allows(Some("141102")));
        assert!(s.allows(Some("141181")));
        assert_eq!(Scope::default(), s);
    }

    #[test]
    fn county_sees_own_county_and_city_records_only() {
        let s = Scope::county("141102");
        assert!(!s.is_city_wide());
        assert!(s.allows(Some("141102")));
        assert!(s.allows(None));
        assert!(!s.allows(Some("141181")));
        assert!(!s.allows(Some("1411")), "no prefix matching");
        assert!(!s.allows(Some("")));
    }

    #[test]
    fn principal_roles_and_serde() {
        let p = Principal {
            officer_id: "o-1".into(),
            roles: vec!["inspector".into(), "reviewer".into()],
            scope: Scope::county("141102"),
            device_id: Some("d-1".into()),
        };
        assert!(p.has_role("inspector") && p.has_role("reviewer") && !p.has_role("system_admin"));
        assert!(p.can_see(Some("141102")) && !p.can_see(Some("141181")));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["scope"]["county"], "141102");
        assert_eq!(serde_json::from_value::<Principal>(json).unwrap(), p);
        let city: Scope = serde_json::from_str(r#"{"county":null}"#).unwrap();
        assert!(city.is_city_wide());
    }
}
