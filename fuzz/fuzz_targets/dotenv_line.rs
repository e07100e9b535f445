//! dotenv lines, read back by Docker's `--env-file` rules (tests/quoting): a value runas
//! takes comes back exactly and as one line; a value with a line break is refused.
#![no_main]

#[path = "../../tests/quoting/mod.rs"]
mod quoting;

use libfuzzer_sys::fuzz_target;
use runas::exec::format::dotenv;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(line) = dotenv::line("V", value) else {
        return;
    };
    let changes = quoting::docker_env_file(&format!("{line}\n")).expect("Docker reads it");
    assert_eq!(
        changes,
        [quoting::Change::Set("V".into(), value.into())],
        "for {line:?}"
    );
    assert!(!value.contains(['\n', '\r']) && !value.contains("${"));
});
