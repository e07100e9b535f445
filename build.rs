//! Link settings for the executables.
//!
//! On Linux the executables are linked at a fixed address (`-no-pie`). As position-
//! independent executables they carried about 44,000 relative relocations that the loader
//! applied before `main`: measured on a warm run, half of its instructions and about 150 of
//! its 325 page faults. The shared libraries (libc) are still loaded at random addresses;
//! the executable's own code and data are not.
//!
//! With glibc, the unwinder is linked in from GCC's static `libgcc_eh` rather than loaded
//! from `libgcc_s.so.1` (what `gcc -static-libgcc` does). The standard library needs only
//! a few of its functions, for backtraces and unwinding, and loading one more shared
//! library cost every run about 19,000 instructions, a handful of system calls and page
//! faults. Named here, it comes on the link line before the standard library's `-lgcc_s`,
//! which then has nothing left to provide and is dropped (rustc links `--as-needed`).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-lib=static:-bundle=gcc_eh");
    }
}
