//! PowerShell quoting, read back by a reader of PowerShell's verbatim-string rules
//! (tests/quoting): every value comes back exactly, as one statement.
#![no_main]

#[path = "../../tests/quoting/mod.rs"]
mod quoting;

use libfuzzer_sys::fuzz_target;
use runas::exec::format::powershell;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(word) = powershell::quote(value) else {
        assert!(value.is_empty());
        return;
    };
    let script = format!("$Env:V = {word}\nRemove-Item Env:W -ErrorAction SilentlyContinue\n");
    let changes = quoting::powershell(&script).expect("PowerShell reads it");
    assert_eq!(
        changes,
        [
            quoting::Change::Set("V".into(), value.into()),
            quoting::Change::Remove("W".into())
        ],
        "for {script:?}"
    );
});
