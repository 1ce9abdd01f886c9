//! Forward-compatible string enums of the wire contract.
//!
//! Genesys adds enum values over time. An unknown value must never break
//! decoding, so every enum here has an `Unknown(String)` variant that keeps the
//! wire text and serialises it back unchanged. Matching is exact
//! (case-sensitive), because a case-folding match could not round-trip.

/// Declares a forward-compatible string enum with `as_str`, `Display`,
/// `FromStr` (infallible), serde and an `Unknown(String)` catch-all.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this SDK knows, in the order of the spec.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The wire spelling of this value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Parses a wire value; unknown text becomes [`Self::Unknown`].
            #[must_use]
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// Whether this is a value the SDK knows (not [`Self::Unknown`]).
            #[must_use]
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from_wire(&text))
            }
        }
    };
}

wire_enum! {
    /// Time bucket of a query (`granularity`). Omitted: one total for the interval.
    Granularity {
        /// One row per UTC day.
        Day => "Day",
        /// One row per ISO week, starting Monday.
        Week => "Week",
        /// One row per calendar month.
        Month => "Month",
    }
}

wire_enum! {
    /// A counter of the organisation, client and jobs queries (`metrics`).
    UsageMetric {
        /// 2xx responses.
        Status200 => "Status200",
        /// 3xx responses.
        Status300 => "Status300",
        /// 4xx responses.
        Status400 => "Status400",
        /// 5xx responses.
        Status500 => "Status500",
        /// 429 responses (a subset of `Status400`).
        Status429 => "Status429",
        /// All requests.
        Requests => "Requests",
    }
}

wire_enum! {
    /// A column of the simple search (`ApiUsageSimpleSearch.metrics`); it has no `Requests`.
    SimpleSearchMetric {
        /// The date column.
        Date => "Date",
        /// The OAuth client name column.
        ClientName => "ClientName",
        /// The HTTP method column.
        HttpMethod => "HttpMethod",
        /// The endpoint template column.
        TemplateUri => "TemplateUri",
        /// 2xx responses.
        Status200 => "Status200",
        /// 3xx responses.
        Status300 => "Status300",
        /// 4xx responses.
        Status400 => "Status400",
        /// 5xx responses.
        Status500 => "Status500",
        /// 429 responses.
        Status429 => "Status429",
    }
}

wire_enum! {
    /// A dimension of the legacy organisation query (`ApiUsageOrganizationQuery.groupBy`).
    OrganizationGroupBy {
        /// The OAuth client id (legacy spelling `OAuth`).
        OAuthClientId => "OAuthClientId",
        /// The organisation id.
        OrganizationId => "OrganizationId",
        /// The user id.
        UserId => "UserId",
        /// The endpoint template.
        TemplateUri => "TemplateUri",
        /// The HTTP method.
        HttpMethod => "HttpMethod",
    }
}

wire_enum! {
    /// A dimension of the legacy OAuth-client query (`ApiUsageClientQuery.groupBy`); no `UserId`.
    ClientGroupBy {
        /// The OAuth client id.
        OAuthClientId => "OAuthClientId",
        /// The organisation id.
        OrganizationId => "OrganizationId",
        /// The endpoint template.
        TemplateUri => "TemplateUri",
        /// The HTTP method.
        HttpMethod => "HttpMethod",
    }
}

wire_enum! {
    /// A dimension of the organisation jobs query (note the `Oauth` spelling).
    OrganizationJobsGroupBy {
        /// The OAuth client name.
        OauthClientName => "OauthClientName",
        /// The OAuth client id.
        OauthClientId => "OauthClientId",
        /// The user id.
        UserId => "UserId",
        /// The HTTP method.
        HttpMethod => "HttpMethod",
        /// The endpoint template.
        TemplateUri => "TemplateUri",
        /// The calling platform.
        Platform => "Platform",
    }
}

wire_enum! {
    /// A dimension of the OAuth-client jobs query.
    ClientJobsGroupBy {
        /// The organisation id.
        OrganizationId => "OrganizationId",
        /// The HTTP method.
        HttpMethod => "HttpMethod",
        /// The endpoint template.
        TemplateUri => "TemplateUri",
        /// The calling platform.
        Platform => "Platform",
    }
}

wire_enum! {
    /// An HTTP method as the Usage API spells it. The jobs service accepts
    /// only the first six; the simple search also `CONNECT`, `OPTIONS`, `TRACE`.
    HttpMethod {
        /// GET.
        Get => "GET",
        /// POST.
        Post => "POST",
        /// PUT.
        Put => "PUT",
        /// PATCH.
        Patch => "PATCH",
        /// DELETE.
        Delete => "DELETE",
        /// HEAD.
        Head => "HEAD",
        /// CONNECT (simple search only).
        Connect => "CONNECT",
        /// OPTIONS (simple search only).
        Options => "OPTIONS",
        /// TRACE (simple search only).
        Trace => "TRACE",
    }
}

wire_enum! {
    /// Status of a legacy query execution (`ApiUsageQueryResult.queryStatus`).
    QueryStatus {
        /// Results are ready.
        Complete => "Complete",
        /// The query failed; it will not complete.
        Failed => "Failed",
        /// Still working (the legacy wire shows pending work as running too).
        Running => "Running",
    }
}

wire_enum! {
    /// Status of a jobs query (`queryStatus` of the jobs results).
    JobStatus {
        /// Accepted, not started.
        Queued => "Queued",
        /// Working.
        Running => "Running",
        /// Results are ready.
        Succeeded => "Succeeded",
        /// The job failed; `errorBody` may say why.
        Failed => "Failed",
        /// The job was cancelled.
        Cancelled => "Cancelled",
    }
}

wire_enum! {
    /// Sort direction of [`UsageQuerySortBy`](crate::UsageQuerySortBy).
    SortOrder {
        /// Ascending.
        Asc => "Asc",
        /// Descending.
        Desc => "Desc",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_through_json() {
        for g in Granularity::KNOWN {
            let json = serde_json::to_string(g).unwrap();
            assert_eq!(&serde_json::from_str::<Granularity>(&json).unwrap(), g);
        }
    }

    #[test]
    fn unknown_value_is_kept_verbatim() {
        let parsed: JobStatus = serde_json::from_str("\"Paused\"").unwrap();
        assert_eq!(parsed, JobStatus::Unknown("Paused".into()));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"Paused\"");
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert_eq!(
            OrganizationGroupBy::from_wire("TemplateURI"),
            OrganizationGroupBy::Unknown("TemplateURI".into())
        );
        assert!(!OrganizationGroupBy::from_wire("TemplateURI").is_known());
    }
}
