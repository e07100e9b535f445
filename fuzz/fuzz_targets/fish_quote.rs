//! fish quoting, round trip through a real `fish`: `runas -O fish prod | source` gives
//! every variable back exactly, or runas refuses the value; nothing else runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::exec::format::fish;
use std::process::Command;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    if value.contains('\0') {
        return;
    }
    let Ok(word) = fish::quote(value) else {
        return;
    };
    let out = Command::new("fish")
        .args(["--no-config", "-c"])
        .arg("printf '%s' \"$RUNAS_FUZZ\" | source; or exit 99; printf '%s' \"$V\"")
        .env_clear()
        .env("LC_ALL", "C.UTF-8")
        .env("RUNAS_FUZZ", format!("set -gx V {word}\n"))
        .output()
        .expect("fish");
    assert!(out.status.success(), "{:?} for {word:?}", out.status);
    assert_eq!(out.stdout, value.as_bytes(), "for {word:?}");
});
