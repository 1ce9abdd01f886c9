//! The 18 Genesys Cloud regions, as the official SDKs list them: API host and
//! derived login host.

/// A Genesys Cloud region. The login host is the API host with `api.`
/// replaced by `login.`.
///
/// ```
/// use genesys_usage::Region;
/// assert_eq!(Region::EuWest1.api_base_url(), "https://api.mypurecloud.ie");
/// assert_eq!(Region::EuWest1.login_base_url(), "https://login.mypurecloud.ie");
/// assert_eq!("eu_west_1".parse::<Region>().unwrap(), Region::EuWest1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// `us_east_1`, api.mypurecloud.com (the default).
    #[default]
    UsEast1,
    /// `eu_west_1`, api.mypurecloud.ie.
    EuWest1,
    /// `ap_southeast_2`, api.mypurecloud.com.au.
    ApSoutheast2,
    /// `ap_northeast_1`, api.mypurecloud.jp.
    ApNortheast1,
    /// `eu_central_1`, api.mypurecloud.de.
    EuCentral1,
    /// `us_west_2`, api.usw2.pure.cloud.
    UsWest2,
    /// `ca_central_1`, api.cac1.pure.cloud.
    CaCentral1,
    /// `ap_northeast_2`, api.apne2.pure.cloud.
    ApNortheast2,
    /// `eu_west_2`, api.euw2.pure.cloud.
    EuWest2,
    /// `ap_south_1`, api.aps1.pure.cloud.
    ApSouth1,
    /// `us_east_2` (US government), api.use2.us-gov-pure.cloud.
    UsEast2,
    /// `sa_east_1`, api.sae1.pure.cloud.
    SaEast1,
    /// `me_central_1`, api.mec1.pure.cloud.
    MeCentral1,
    /// `ap_northeast_3`, api.apne3.pure.cloud.
    ApNortheast3,
    /// `eu_central_2`, api.euc2.pure.cloud.
    EuCentral2,
    /// `mx_central_1`, api.mxc1.pure.cloud.
    MxCentral1,
    /// `ap_southeast_1`, api.apse1.pure.cloud.
    ApSoutheast1,
    /// `eusc_de_east_1`, api.edee1.eusc-pure.cloud.
    EuscDeEast1,
}

/// (region, SDK key, domain): the API host is `api.` + domain.
const TABLE: [(Region, &str, &str); 18] = [
    (Region::UsEast1, "us_east_1", "mypurecloud.com"),
    (Region::EuWest1, "eu_west_1", "mypurecloud.ie"),
    (Region::ApSoutheast2, "ap_southeast_2", "mypurecloud.com.au"),
    (Region::ApNortheast1, "ap_northeast_1", "mypurecloud.jp"),
    (Region::EuCentral1, "eu_central_1", "mypurecloud.de"),
    (Region::UsWest2, "us_west_2", "usw2.pure.cloud"),
    (Region::CaCentral1, "ca_central_1", "cac1.pure.cloud"),
    (Region::ApNortheast2, "ap_northeast_2", "apne2.pure.cloud"),
    (Region::EuWest2, "eu_west_2", "euw2.pure.cloud"),
    (Region::ApSouth1, "ap_south_1", "aps1.pure.cloud"),
    (Region::UsEast2, "us_east_2", "use2.us-gov-pure.cloud"),
    (Region::SaEast1, "sa_east_1", "sae1.pure.cloud"),
    (Region::MeCentral1, "me_central_1", "mec1.pure.cloud"),
    (Region::ApNortheast3, "ap_northeast_3", "apne3.pure.cloud"),
    (Region::EuCentral2, "eu_central_2", "euc2.pure.cloud"),
    (Region::MxCentral1, "mx_central_1", "mxc1.pure.cloud"),
    (Region::ApSoutheast1, "ap_southeast_1", "apse1.pure.cloud"),
    (
        Region::EuscDeEast1,
        "eusc_de_east_1",
        "edee1.eusc-pure.cloud",
    ),
];

/// A region name that is not one of the 18.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?} (expected a key such as us_east_1 or a host such as mypurecloud.ie)")]
pub struct UnknownRegion(pub String);

impl Region {
    /// All 18 regions.
    pub const ALL: [Region; 18] = {
        let mut all = [Region::UsEast1; 18];
        let mut i = 0;
        while i < 18 {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    fn entry(self) -> &'static (Region, &'static str, &'static str) {
        TABLE
            .iter()
            .find(|(r, _, _)| *r == self)
            .unwrap_or(&TABLE[0])
    }

    /// The SDK key, e.g. `eu_west_1`.
    #[must_use]
    pub fn key(self) -> &'static str {
        self.entry().1
    }

    /// The environment domain, e.g. `mypurecloud.ie`.
    #[must_use]
    pub fn domain(self) -> &'static str {
        self.entry().2
    }

    /// `https://api.{domain}`.
    #[must_use]
    pub fn api_base_url(self) -> String {
        format!("https://api.{}", self.domain())
    }

    /// `https://login.{domain}`.
    #[must_use]
    pub fn login_base_url(self) -> String {
        format!("https://login.{}", self.domain())
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl std::str::FromStr for Region {
    type Err = UnknownRegion;

    /// Accepts the SDK key (`eu_west_1`, also with dashes), the domain
    /// (`mypurecloud.ie`) or the API host (`api.mypurecloud.ie`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        let host = s.trim().to_ascii_lowercase();
        let host = host.strip_prefix("api.").unwrap_or(&host);
        TABLE
            .iter()
            .find(|(_, key, domain)| *key == wanted || *domain == host)
            .map(|(r, _, _)| *r)
            .ok_or_else(|| UnknownRegion(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_parses_back_from_its_key_and_domain() {
        for r in Region::ALL {
            assert_eq!(r.key().parse::<Region>().unwrap(), r);
            assert_eq!(r.domain().parse::<Region>().unwrap(), r);
        }
        let domains: std::collections::HashSet<_> =
            Region::ALL.iter().map(|r| r.domain()).collect();
        assert_eq!(domains.len(), 18);
    }

    #[test]
    fn unknown_region_is_an_error() {
        assert!("mars_north_1".parse::<Region>().is_err());
    }
}
