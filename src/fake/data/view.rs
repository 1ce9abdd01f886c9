//! [`RowView`] and [`MetricSet`]: which columns and counters the rows of an
//! execution carry on the wire.

/// Which counters a row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MetricSet {
    pub(crate) s200: bool,
    pub(crate) s300: bool,
    pub(crate) s400: bool,
    pub(crate) s429: bool,
    pub(crate) s500: bool,
    pub(crate) requests: bool,
}

impl MetricSet {
    pub(crate) const ALL: Self = Self {
        s200: true,
        s300: true,
        s400: true,
        s429: true,
        s500: true,
        requests: true,
    };
    pub(crate) const NONE: Self = Self {
        s200: false,
        s300: false,
        s400: false,
        s429: false,
        s500: false,
        requests: false,
    };
}

/// How the rows of an execution are rendered on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowView {
    /// L2/L6 rows: every dimension present, `""` when not grouped.
    Legacy { metrics: MetricSet },
    /// L4 rows: only the simple-search columns.
    Simple {
        date: bool,
        client_name: bool,
        method: bool,
        template: bool,
        metrics: MetricSet,
    },
    /// N2 rows.
    OrgJobs {
        metrics: MetricSet,
        client_id: bool,
        client_name: bool,
    },
    /// N4 rows.
    ClientJobs { metrics: MetricSet },
}
