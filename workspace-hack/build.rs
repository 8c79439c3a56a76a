//! Empty: a package needs a build script for cargo to resolve its `[build-dependencies]`, and
//! those carry the host-side (proc-macro) features this crate unifies.
fn main() {}
