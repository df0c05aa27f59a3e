//! Cross-crate tests of Brokerlab live in `tests/tests/` (Rust) and `tests/e2e/` (browser,
//! run by `cargo xtask test` against the served site). This library is intentionally empty.
