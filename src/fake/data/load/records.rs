//! Datasets of [`UsageRecord`]s built in code.

use std::borrow::Cow;

use crate::fake::data::dataset::Dataset;
use crate::fake::data::load::DatasetError;
use crate::fake::data::load::build::Builder;
use crate::fake::data::load::fields::{self, At, Cell};
use crate::models::{Granularity, UsageRecord};

/// The name records built in code go by in errors.
const ORIGIN: &str = "<records>";

/// Loads records built in code.
pub(super) fn load(
    records: impl IntoIterator<Item = UsageRecord>,
) -> Result<Dataset, DatasetError> {
    let mut builder = Builder::new(ORIGIN);
    let mut count = 0;
    for (i, r) in records.into_iter().enumerate() {
        count = i as u64 + 1;
        let at = At {
            file: ORIGIN,
            line: count,
        };
        if r.granularity != Granularity::Day {
            return Err(at.err(
                Some("granularity"),
                format!(
                    "must be Day (records are daily), got {:?}",
                    r.granularity.as_str()
                ),
            ));
        }
        let date = r.date.format("%Y-%m-%d").to_string();
        let numbers = [
            r.status200,
            r.status300,
            r.status400,
            r.status500,
            r.status429,
        ];
        let numbers = numbers.map(|n| n.to_string());
        let text = |s: &str| Some(Cell::Text(Cow::Owned(s.to_owned())));
        let cells: [Option<Cell<'_>>; 16] = [
            text(&date),
            text(&r.organization_id),
            text(&r.oauth_client_id),
            text(&r.oauth_client_name),
            None,
            text(&r.user_id),
            text(&r.template_uri),
            text(&r.http_method),
            text(&r.platform),
            text(&numbers[0]),
            text(&numbers[1]),
            text(&numbers[2]),
            text(&numbers[3]),
            text(&numbers[4]),
            None,
            None,
        ];
        let parsed = fields::parse(&cells, at)?;
        builder.add(parsed, at)?;
    }
    builder.finish(count)
}
