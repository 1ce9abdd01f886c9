//! CSV datasets: a header line naming fields in any order, then one record a line.

use std::borrow::Cow;
use std::io::BufRead;

use crate::fake::data::dataset::Dataset;
use crate::fake::data::load::build::Builder;
use crate::fake::data::load::fields::{self, At, Cell, FIELDS, REQUIRED};
use crate::fake::data::load::lines::{Lines, split_csv};
use crate::fake::data::load::{DatasetError, line_error};

/// Loads a CSV dataset.
pub(super) fn load(name: &str, reader: impl BufRead) -> Result<Dataset, DatasetError> {
    let mut lines = Lines::new(reader);
    let mut builder = Builder::new(name);
    let mut columns: Option<Vec<usize>> = None;
    while let Some((number, line)) = lines.next_line() {
        let at = At {
            file: builder.origin(),
            line: number,
        };
        let line = line.map_err(|e| line_error(name, number, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv(line).map_err(|rule| at.err(None, rule))?;
        let Some(columns) = &columns else {
            columns = Some(header(&cells, at)?);
            continue;
        };
        if cells.len() != columns.len() {
            return Err(at.err(
                None,
                format!(
                    "the line has {} cells, the header has {}",
                    cells.len(),
                    columns.len()
                ),
            ));
        }
        let mut by_field: [Option<Cell<'_>>; 16] = Default::default();
        for (cell, &field) in cells.into_iter().zip(columns) {
            by_field[field] = Some(Cell::Text(cell));
        }
        let parsed = fields::parse(&by_field, at)?;
        let at = At {
            file: name,
            line: number,
        };
        builder.add(parsed, at)?;
    }
    builder.finish(lines.number())
}

/// The header: each cell a known field, none twice, every required one there.
fn header(cells: &[Cow<'_, str>], at: At<'_>) -> Result<Vec<usize>, DatasetError> {
    let mut columns = Vec::with_capacity(cells.len());
    for cell in cells {
        let name = cell.trim();
        let field = fields::index(name).ok_or_else(|| {
            at.err(
                Some(name),
                format!("unknown column (the columns are: {})", FIELDS.join(", ")),
            )
        })?;
        if columns.contains(&field) {
            return Err(at.err(Some(name), "the column appears twice"));
        }
        columns.push(field);
    }
    if let Some(&missing) = REQUIRED.iter().find(|f| !columns.contains(f)) {
        return Err(at.err(Some(FIELDS[missing]), "required column is missing"));
    }
    Ok(columns)
}
