//! Workspace-level test package; the tests live in `tests/tests/`.
