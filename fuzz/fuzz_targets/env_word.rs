//! `env $(runas -O env-no-export prod)` words, round trip through a real `sh`: a word runas
//! prints reaches `env` whole and exactly, or runas refuses the value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::exec::format::words;
use std::process::Command;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    if value.contains('\0') {
        return;
    }
    let Ok(word) = words::word("V", value) else {
        return;
    };
    let out = Command::new("sh")
        .arg("-c")
        .arg("env -i $(printf '%s' \"$RUNAS_FUZZ\") sh -c 'printf %s \"$V\"'")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("RUNAS_FUZZ", &word)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{:?} for {word:?}", out.status);
    assert_eq!(out.stdout, value.as_bytes(), "for {word:?}");
});
