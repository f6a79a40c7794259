//! Service venues (政务服务场所) and their hierarchy.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

text_enum! {
    /// City center → district center → town/street center → village/community station, plus
    /// specialised venues that sit anywhere (HR & social-security center, marriage registry).
    pub enum VenueLevel {
        City = "city" / "市政务服务中心" / "City service center",
        District = "district" / "区政务服务中心" / "District service center",
        Town = "town" / "镇、街道便民服务中心" / "Town / street service center",
        Village = "village" / "村、社区便民服务站" / "Village / community station",
        Specialised = "specialised" / "专业服务场所" / "Specialised venue",
    }
}

impl VenueLevel {
    /// The level a venue's parent must have; `None` means it has no parent.
    /// Specialised venues may hang under any venue, or none.
    pub fn parent_allowed(self, parent: Option<VenueLevel>) -> bool {
        match (self, parent) {
            (VenueLevel::City, None) => true,
            (VenueLevel::District, None | Some(VenueLevel::City)) => true,
            (VenueLevel::Town, Some(VenueLevel::District)) => true,
            (VenueLevel::Village, Some(VenueLevel::Town)) => true,
            (VenueLevel::Specialised, p) => p != Some(VenueLevel::Specialised),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    /// Short unique code, e.g. `tianning-district`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub code: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub name: String,
    pub level: VenueLevel,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub parent_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Venue {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: VenueLevel,
    pub parent_id: Option<String>,
    pub address: String,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub updated_at: chrono::NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::VenueLevel::*;

    #[test]
    fn hierarchy_runs_city_district_town_village() {
        assert!(City.parent_allowed(None));
        assert!(District.parent_allowed(Some(City)));
        assert!(Town.parent_allowed(Some(District)));
        assert!(Village.parent_allowed(Some(Town)));
        assert!(!Village.parent_allowed(Some(District)));
        assert!(!Town.parent_allowed(None));
        assert!(!City.parent_allowed(Some(City)));
        assert!(Specialised.parent_allowed(None));
        assert!(Specialised.parent_allowed(Some(District)));
    }
}
