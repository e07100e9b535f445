//! cmd.exe quoting, read back by a reader of cmd's rules (tests/quoting): a value runas
//! takes comes back exactly; a value it refuses is one cmd would change.
#![no_main]

#[path = "../../tests/quoting/mod.rs"]
mod quoting;

use libfuzzer_sys::fuzz_target;
use runas::exec::format::cmd;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let unchecked = format!("set \"V={value}\"\n");
    match cmd::quote("V", value) {
        Ok(word) => {
            let changes = quoting::cmd(&format!("set {word}\n")).expect("cmd reads it");
            assert_eq!(
                changes,
                [quoting::Change::Set("V".into(), value.into())],
                "for {word:?}"
            );
        }
        Err(_) => {
            let read = quoting::cmd(&unchecked);
            assert!(
                read != Ok(vec![quoting::Change::Set("V".into(), value.into())]),
                "refused {value:?}, which cmd reads back"
            );
        }
    }
});
