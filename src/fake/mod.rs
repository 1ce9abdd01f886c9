//! The in-memory emulation of the Usage API (feature `fake`).
