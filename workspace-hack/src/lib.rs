//! Feature unification only (see Cargo.toml): depending on this crate makes a single-package
//! build resolve its dependencies' features as the workspace build does. It has no code.
