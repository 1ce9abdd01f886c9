//! The filters of `GET /__admin/journal`, read from the query string. A
//! value that cannot match anything (`status=abc`, `operation=nope`) or a
//! filter that does not exist is refused naming the parameter, rather than
//! silently matching nothing.

use genesys_usage::fake::Operation;

use crate::control::journal::JournalEntry;

/// The filters, each optional; an entry must pass all of them.
#[derive(Debug, Default)]
pub(crate) struct JournalFilter {
    /// Exact method, case-insensitive.
    pub(crate) method: Option<String>,
    /// Substring of the path.
    pub(crate) path: Option<String>,
    /// Exact execution id.
    pub(crate) execution_id: Option<String>,
    /// Exact operation.
    pub(crate) operation: Option<Operation>,
    /// Exact status.
    pub(crate) status: Option<u16>,
    /// The latest `limit` matching entries (default 1000).
    pub(crate) limit: Option<usize>,
}

/// A filter parameter that cannot be used: its name and what is wrong.
#[derive(Debug)]
pub(crate) struct FilterError {
    pub(crate) field: String,
    pub(crate) message: String,
}

const FILTERS: &str = "method, path, executionId, operation, status and limit";

impl JournalFilter {
    /// The filters of a query string (`None`: no filter).
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, FilterError> {
        let mut filter = Self::default();
        let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes());
        for (key, value) in pairs {
            let error = |message: String| FilterError {
                field: key.clone().into_owned(),
                message,
            };
            match key.as_ref() {
                "method" => filter.method = Some(value.into_owned()),
                "path" => filter.path = Some(value.into_owned()),
                "executionId" => filter.execution_id = Some(value.into_owned()),
                "operation" => {
                    let operation = value.parse::<Operation>().map_err(|_| {
                        let names: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
                        error(format!(
                            "operation `{value}` is not an operation; operations are {}",
                            names.join(", ")
                        ))
                    })?;
                    filter.operation = Some(operation);
                }
                "status" => {
                    let status = value.trim().parse::<u16>().ok().filter(|s| *s <= 999);
                    let status = status.ok_or_else(|| {
                        error(format!(
                            "status `{value}` is not an HTTP status: give a whole number such as \
                             429 (0 finds answers cut by a connection reset)"
                        ))
                    })?;
                    filter.status = Some(status);
                }
                "limit" => {
                    let limit = value.trim().parse::<usize>().map_err(|_| {
                        error(format!("limit `{value}` is not a whole number of entries"))
                    })?;
                    filter.limit = Some(limit);
                }
                other => {
                    return Err(error(format!(
                        "`{other}` is not a journal filter; the filters are {FILTERS}"
                    )));
                }
            }
        }
        Ok(filter)
    }

    pub(crate) fn matches(&self, entry: &JournalEntry) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(entry.method.as_str()))
            && self
                .path
                .as_ref()
                .is_none_or(|p| entry.path.contains(p.as_str()))
            && self
                .execution_id
                .as_ref()
                .is_none_or(|id| entry.execution_id.as_ref() == Some(id))
            && self.operation.is_none_or(|op| entry.operation == Some(op))
            && self.status.is_none_or(|s| s == entry.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_parses_and_bad_values_name_their_parameter() {
        let filter = JournalFilter::parse(Some(
            "method=get&path=%2Fx&executionId=e&operation=token&status=429&limit=3",
        ))
        .unwrap();
        assert_eq!(filter.method.as_deref(), Some("get"));
        assert_eq!(filter.path.as_deref(), Some("/x"));
        assert_eq!(filter.operation, Some(Operation::Token));
        assert_eq!((filter.status, filter.limit), (Some(429), Some(3)));
        for (query, field) in [
            ("status=abc", "status"),
            ("status=1000", "status"),
            ("operation=nope", "operation"),
            ("limit=-1", "limit"),
            ("colour=red", "colour"),
        ] {
            let error = JournalFilter::parse(Some(query)).unwrap_err();
            assert_eq!(error.field, field, "{query}");
        }
        assert!(JournalFilter::parse(None).is_ok());
    }
}
