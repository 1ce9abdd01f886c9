//! Request bodies built from the subcommands' flags. Empty lists are left
//! out of the body, so the service applies its own defaults.

use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, OrganizationPublicApiUsageQueryRequest,
};

use crate::args::{
    ClientJobsArgs, ClientQueryArgs, Command, JobsArgs, QueryArgs, QueryKind, SearchArgs,
};

impl Command {
    /// The kind of query this command submits (or resumes).
    pub(crate) fn kind(&self) -> QueryKind {
        match self {
            Self::Query(_) => QueryKind::Query,
            Self::Search(_) => QueryKind::Search,
            Self::ClientQuery(_) => QueryKind::ClientQuery,
            Self::ClientSummary(_) => QueryKind::ClientSummary,
            Self::Jobs(_) => QueryKind::Jobs,
            Self::ClientJobs(_) => QueryKind::ClientJobs,
            Self::Resume(args) => args.kind,
            // main.rs runs `sync` and `export` apart: they never reach the query code.
            Self::Sync(_) | Self::Export(_) => unreachable!("sync and export are not queries"),
        }
    }

    /// The OAuth client queried, for the client kinds.
    pub(crate) fn client_id(&self) -> Option<&str> {
        match self {
            Self::ClientQuery(args) => Some(&args.client_id),
            Self::ClientSummary(args) => Some(&args.client_id),
            Self::ClientJobs(args) => Some(&args.client_id),
            Self::Resume(args) => args.client_id.as_deref(),
            _ => None,
        }
    }

    /// `--page-size`, for the paged kinds.
    pub(crate) fn page_size(&self) -> Option<u32> {
        match self {
            Self::Search(args) => args.page_size,
            Self::Jobs(args) => args.filters.page_size,
            Self::ClientJobs(args) => args.filters.page_size,
            Self::Resume(args) => args.page_size,
            _ => None,
        }
    }
}

/// `Some(list)` when the list has items.
fn non_empty<T: Clone>(list: &[T]) -> Option<Vec<T>> {
    (!list.is_empty()).then(|| list.to_vec())
}

impl QueryArgs {
    /// The L1 body.
    pub(crate) fn body(&self) -> ApiUsageOrganizationQuery {
        ApiUsageOrganizationQuery {
            interval: self.window.interval(),
            granularity: self.granularity.clone(),
            metrics: non_empty(&self.metrics),
            group_by: non_empty(&self.group_by),
        }
    }
}

impl SearchArgs {
    /// The L3 body.
    pub(crate) fn body(&self) -> ApiUsageSimpleSearch {
        ApiUsageSimpleSearch {
            interval: self.window.interval(),
            metrics: non_empty(&self.metrics),
            oauth_client_names: non_empty(&self.client_name),
            http_methods: non_empty(&self.method),
            template_uris: non_empty(&self.template),
        }
    }
}

impl ClientQueryArgs {
    /// The L5 body.
    pub(crate) fn body(&self) -> ApiUsageClientQuery {
        ApiUsageClientQuery {
            interval: self.window.interval(),
            granularity: self.granularity.clone(),
            metrics: non_empty(&self.metrics),
            group_by: non_empty(&self.group_by),
        }
    }
}

impl JobsArgs {
    /// The N1 body.
    pub(crate) fn body(&self) -> OrganizationPublicApiUsageQueryRequest {
        let f = &self.filters;
        OrganizationPublicApiUsageQueryRequest {
            interval: f.window.interval(),
            granularity: f.granularity.clone(),
            sort_by: non_empty(&f.sort),
            metrics: non_empty(&f.metrics),
            template_uris: non_empty(&f.template),
            http_methods: non_empty(&f.method),
            platforms: non_empty(&f.platform),
            group_by: non_empty(&self.group_by),
            user_ids: non_empty(&self.user_id),
            oauth_client_ids: non_empty(&self.oauth_client_id),
        }
    }
}

impl ClientJobsArgs {
    /// The N3 body.
    pub(crate) fn body(&self) -> ClientPublicApiUsageQueryRequest {
        let f = &self.filters;
        ClientPublicApiUsageQueryRequest {
            interval: f.window.interval(),
            granularity: f.granularity.clone(),
            sort_by: non_empty(&f.sort),
            metrics: non_empty(&f.metrics),
            template_uris: non_empty(&f.template),
            http_methods: non_empty(&f.method),
            platforms: non_empty(&f.platform),
            group_by: non_empty(&self.group_by),
            organization_ids: non_empty(&self.organization_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use serde_json::json;

    use crate::args::{Cli, Command};

    fn parse(args: &[&str]) -> Command {
        let mut argv = vec!["genesys-usage"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().command
    }

    #[test]
    fn query_flags_become_the_wire_body() {
        let Command::Query(args) = parse(&[
            "query",
            "--interval",
            "2024-01-01/2024-01-08",
            "--granularity",
            "day",
            "--group-by",
            "OAuthClientId",
            "--metrics",
            "Requests,Status429",
        ]) else {
            panic!("expected query")
        };
        assert_eq!(
            serde_json::to_value(args.body()).unwrap(),
            json!({
                "interval": "2024-01-01T00:00:00Z/2024-01-08T00:00:00Z",
                "granularity": "Day",
                "metrics": ["Requests", "Status429"],
                "groupBy": ["OAuthClientId"],
            })
        );
    }

    #[test]
    fn search_filters_become_the_wire_body() {
        let Command::Search(args) = parse(&[
            "search",
            "--interval",
            "2024-01/2024-02",
            "--client-name",
            "Client Creds",
            "--method",
            "get,POST",
            "--template",
            "api/v2/users",
        ]) else {
            panic!("expected search")
        };
        assert_eq!(
            serde_json::to_value(args.body()).unwrap(),
            json!({
                "interval": "2024-01-01T00:00:00Z/2024-02-01T00:00:00Z",
                "oauthClientNames": ["Client Creds"],
                "httpMethods": ["GET", "POST"],
                "templateUris": ["api/v2/users"],
            })
        );
    }

    #[test]
    fn jobs_filters_and_sort_become_the_wire_body() {
        let Command::Jobs(args) = parse(&[
            "jobs",
            "--interval",
            "2025-06-01/2025-06-30",
            "--group-by",
            "OauthClientId",
            "--platform",
            "web",
            "--user-id",
            "u1",
            "--oauth-client-id",
            "c1",
            "--sort",
            "requestCount:desc",
        ]) else {
            panic!("expected jobs")
        };
        assert_eq!(
            serde_json::to_value(args.body()).unwrap(),
            json!({
                "interval": "2025-06-01T00:00:00Z/2025-06-30T00:00:00Z",
                "groupBy": ["OauthClientId"],
                "platforms": ["web"],
                "userIds": ["u1"],
                "oauthClientIds": ["c1"],
                "sortBy": [{"fieldName": "requestCount", "order": "Desc"}],
            })
        );
    }

    #[test]
    fn client_jobs_take_organisation_filters() {
        let Command::ClientJobs(args) = parse(&[
            "client-jobs",
            "--client-id",
            "c1",
            "--organization-id",
            "o1,o2",
        ]) else {
            panic!("expected client-jobs")
        };
        let body = args.body();
        assert_eq!(body.organization_ids, Some(vec!["o1".into(), "o2".into()]));
        assert!(body.group_by.is_none());
    }

    #[test]
    fn the_default_window_is_the_last_seven_days() {
        let Command::Query(args) = parse(&["query"]) else {
            panic!("expected query")
        };
        let interval = genesys_usage::Interval::parse(&args.body().interval).unwrap();
        assert_eq!((interval.end() - interval.start()).num_days(), 7);
    }
}
