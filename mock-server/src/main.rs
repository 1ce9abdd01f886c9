//! `genesys-usage-mock` binary.
fn main() {}
