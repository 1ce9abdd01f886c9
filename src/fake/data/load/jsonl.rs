//! JSON Lines datasets: one JSON object a line.

use std::io::BufRead;

use serde_json::Value;

use crate::fake::data::dataset::Dataset;
use crate::fake::data::load::build::Builder;
use crate::fake::data::load::fields::{self, At, Cell, FIELDS, REQUIRED};
use crate::fake::data::load::lines::Lines;
use crate::fake::data::load::{DatasetError, line_error};

/// Loads a JSON Lines dataset.
pub(super) fn load(name: &str, reader: impl BufRead) -> Result<Dataset, DatasetError> {
    let mut lines = Lines::new(reader);
    let mut builder = Builder::new(name);
    while let Some((number, line)) = lines.next_line() {
        let at = At {
            file: name,
            line: number,
        };
        let line = line.map_err(|e| line_error(name, number, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| at.err(None, format!("the line is not JSON: {e}")))?;
        let Value::Object(object) = &value else {
            return Err(at.err(
                None,
                format!("the line is not a JSON object (got {})", kind(&value)),
            ));
        };
        let mut by_field: [Option<Cell<'_>>; 16] = Default::default();
        for (key, v) in object {
            let field = fields::index(key).ok_or_else(|| {
                at.err(
                    Some(key),
                    format!("unknown field (the fields are: {})", FIELDS.join(", ")),
                )
            })?;
            by_field[field] = Some(Cell::Json(v));
        }
        if let Some(&missing) = REQUIRED.iter().find(|&&f| by_field[f].is_none()) {
            return Err(at.err(Some(FIELDS[missing]), "required field is missing"));
        }
        let parsed = fields::parse(&by_field, at)?;
        builder.add(parsed, at)?;
    }
    builder.finish(lines.number())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
