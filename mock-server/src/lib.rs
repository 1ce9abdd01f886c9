//! The Genesys Usage API mock server (built in a later step).
#![forbid(unsafe_code)]
