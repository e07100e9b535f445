//! Link settings for the executables.
//!
//! On Linux the executables are linked at a fixed address (`-no-pie`). As position-
//! independent executables they carried about 44,000 relative relocations that the loader
//! applied before `main`: measured on a warm run, half of its instructions and about 150 of
//! its 325 page faults. The shared libraries (libc) are still loaded at random addresses;
//! the executable's own code and data are not.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
