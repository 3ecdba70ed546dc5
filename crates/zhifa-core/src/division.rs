//! Administrative divisions: the deployment's area (吕梁市, its 13 county-level units and
//! their townships) and lookups by code or name.
//!
//! County codes are GB/T 2260 (6 digits); township codes are the NBS statistical codes
//! (9 digits), not GB/T 2260. The data comes from `data/seed/divisions.json`.

use serde::{Deserialize, Serialize};

/// Level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 地级市.
    City,
    /// 区 / 县 / 县级市.
    County,
    /// 乡 / 镇 / 街道.
    Township,
}

/// One division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    /// 6- or 9-digit code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Level.
    pub level: DivisionLevel,
    /// Parent code (`None` for the city).
    pub parent: Option<String>,
}

/// A county-level unit with its townships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    /// The county itself.
    pub division: Division,
    /// Its townships.
    pub townships: Vec<Division>,
}

/// The area a deployment covers: one city with its counties.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// The city.
    pub city: Division,
    /// County-level units.
    pub counties: Vec<County>,
    /// Bounding box `[min_lng, min_lat, max_lng, max_lat]` (WGS-84) with a margin; a
    /// coordinate outside it is outside the area.
    pub bbox: [f64; 4],
}

/// Error reading division data.
#[derive(Debug, thiserror::Error)]
#[error("行政区划数据无效：{0}")]
pub struct DivisionDataError(#[from] serde_json::Error);

#[derive(Deserialize)]
struct SeedFile {
    city: SeedCity,
    counties: Vec<SeedCounty>,
}
#[derive(Deserialize)]
struct SeedCity {
    code: String,
    name: String,
}
#[derive(Deserialize)]
struct SeedCounty {
    code: String,
    name: String,
    townships: Vec<SeedTownship>,
}
#[derive(Deserialize)]
struct SeedTownship {
    code: String,
    name: String,
}

/// The embedded seed file.
pub const DIVISIONS_JSON: &str = include_str!("../../../data/seed/divisions.json");

impl Area {
    /// 吕梁市 from the embedded seed.
    pub fn luliang() -> Self {
        // The embedded file is checked by a test; failing here is a build defect.
        Self::from_json(DIVISIONS_JSON, [110.2, 36.5, 112.5, 38.9]).expect("embedded divisions.json is valid")
    }

    /// Parses a `divisions.json`-shaped document.
    pub fn from_json(json: &str, bbox: [f64; 4]) -> Result<Self, DivisionDataError> {
        let f: SeedFile = serde_json::from_str(json)?;
        let city = Division { code: f.city.code.clone(), name: f.city.name, level: DivisionLevel::City, parent: None };
        let counties = f
            .counties
            .into_iter()
            .map(|c| County {
                townships: c
                    .townships
                    .into_iter()
                    .map(|t| Division {
                        code: t.code,
                        name: t.name,
                        level: DivisionLevel::Township,
                        parent: Some(c.code.clone()),
                    })
                    .collect(),
                division: Division {
                    code: c.code,
                    name: c.name,
                    level: DivisionLevel::County,
                    parent: Some(f.city.code.clone()),
                },
            })
            .collect();
        Ok(Self { city, counties, bbox })
    }

    /// All divisions, city first, then each county followed by its townships.
    pub fn all(&self) -> impl Iterator<Item = &Division> {
        std::iter::once(&self.city)
            .chain(self.counties.iter().flat_map(|c| std::iter::once(&c.division).chain(c.townships.iter())))
    }

    /// Finds a county by 6-digit code or by name (with or without its 区/县/市 suffix).
    pub fn county(&self, code_or_name: &str) -> Option<&County> {
        let q = code_or_name.trim();
        self.counties.iter().find(|c| {
            c.division.code == q
                || c.division.name == q
                || (q.chars().count() >= 2 && strip_suffix(&c.division.name) == q)
                || format!("{}{}", self.city.name, c.division.name) == q
        })
    }

    /// Finds a county by the 6-digit prefix of a code (county or township code).
    pub fn county_of_code(&self, code: &str) -> Option<&County> {
        let p = code.get(..6)?;
        self.counties.iter().find(|c| c.division.code == p)
    }

    /// Whether a coordinate lies in the area's bounding box.
    pub fn contains_point(&self, lng: f64, lat: f64) -> bool {
        let [a, b, c, d] = self.bbox;
        (a..=c).contains(&lng) && (b..=d).contains(&lat)
    }
}

impl County {
    /// Finds a township by 9-digit code or by name.
    pub fn township(&self, code_or_name: &str) -> Option<&Division> {
        let q = code_or_name.trim();
        self.townships.iter().find(|t| t.code == q || t.name == q)
    }
}

fn strip_suffix(name: &str) -> &str {
    for s in ["区", "县", "市"] {
        if let Some(x) = name.strip_suffix(s) {
            return x;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luliang_has_13_counties_and_154_townships() {
        let a = Area::luliang();
        assert_eq!(a.city.code, "141100");
        assert_eq!(a.counties.len(), 13);
        assert_eq!(a.counties.iter().map(|c| c.townships.len()).sum::<usize>(), 154);
        assert_eq!(a.county("孝义市").unwrap().division.code, "141181");
        assert_eq!(a.county("孝义").unwrap().division.code, "141181");
        assert_eq!(a.county("141102").unwrap().division.name, "离石区");
        assert!(a.county("太原市").is_none());
        assert_eq!(a.county_of_code("141102001").unwrap().division.name, "离石区");
        assert_eq!(a.county("离石区").unwrap().township("滨河街道").unwrap().code, "141102001");
    }
}
