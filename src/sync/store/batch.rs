//! [`Batch`]: the records of one organisation over a range of days, as one
//! commit writes them, and the checks that keep a bad batch out whole.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::StoreError;
use crate::models::{Granularity, UsageRecord};

/// The records of one organisation and granularity over the days `from` to
/// `through` (both inclusive): what one [`Store::commit`](super::Store::commit)
/// writes, together with the checkpoint `through`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Batch {
    /// The organisation every record belongs to.
    pub organization_id: String,
    /// The granularity of every record.
    pub granularity: Granularity,
    /// First day of the range.
    pub from: NaiveDate,
    /// Last day of the range, and the checkpoint after the commit.
    pub through: NaiveDate,
    /// The records; an empty batch says the range had no traffic.
    pub records: Vec<UsageRecord>,
}

impl Batch {
    /// A batch of daily records of `organization_id` from `from` through
    /// `through`.
    #[must_use]
    pub fn days(
        organization_id: impl Into<String>,
        from: NaiveDate,
        through: NaiveDate,
        records: Vec<UsageRecord>,
    ) -> Self {
        Self {
            organization_id: organization_id.into(),
            granularity: Granularity::Day,
            from,
            through,
            records,
        }
    }

    /// Checks the batch before anything is written: an organisation id,
    /// `from <= through`, and every record of the batch's organisation and
    /// granularity, dated inside the range, with counters `>= 0`,
    /// `status429 <= status400`, and no two records with one key.
    ///
    /// # Errors
    /// [`StoreError::InvalidBatch`] naming the first field at fault, e.g.
    /// `records[3].date`.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.organization_id.is_empty() {
            return Err(invalid("organization_id", "must not be empty".into()));
        }
        if self.from > self.through {
            return Err(invalid(
                "through",
                format!("{} is before from {}", self.through, self.from),
            ));
        }
        let mut keys = HashSet::with_capacity(self.records.len());
        for (i, r) in self.records.iter().enumerate() {
            let field = |name: &str| format!("records[{i}].{name}");
            if r.organization_id != self.organization_id {
                return Err(invalid(
                    &field("organization_id"),
                    format!(
                        "{:?} is not the batch's organisation {:?}",
                        r.organization_id, self.organization_id
                    ),
                ));
            }
            if r.granularity != self.granularity {
                return Err(invalid(
                    &field("granularity"),
                    format!("{} is not the batch's {}", r.granularity, self.granularity),
                ));
            }
            if r.date < self.from || r.date > self.through {
                return Err(invalid(
                    &field("date"),
                    format!("{} is outside {} to {}", r.date, self.from, self.through),
                ));
            }
            let counters = [
                ("status200", r.status200),
                ("status300", r.status300),
                ("status400", r.status400),
                ("status429", r.status429),
                ("status500", r.status500),
            ];
            if let Some((name, value)) = counters.iter().find(|(_, v)| *v < 0) {
                return Err(invalid(&field(name), format!("{value} is negative")));
            }
            if r.status429 > r.status400 {
                return Err(invalid(
                    &field("status429"),
                    format!("{} is more than status400 {}", r.status429, r.status400),
                ));
            }
            if !keys.insert(super::record_key(r)) {
                return Err(invalid(
                    &field("oauth_client_id"),
                    "a second record with the same key (date, client, user, template, method, platform)"
                        .into(),
                ));
            }
        }
        Ok(())
    }
}

fn invalid(field: &str, message: String) -> StoreError {
    StoreError::InvalidBatch {
        field: field.to_owned(),
        message,
    }
}
