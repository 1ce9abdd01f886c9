//! The HTML page: `page.rs` writes the document, `charts.rs` the SVG charts,
//! `style.rs` holds its style sheet.

mod charts;
mod page;
mod style;
