//! Duration parsing: any text is a duration or a message, never a panic; what parses is
//! printed in Go's form, which parses back to the same whole seconds, and clamping keeps it
//! within the bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::duration::{self, limits};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(d) = duration::parse(text) else {
        return;
    };
    let whole = Duration::from_secs(d.as_secs());
    let shown = duration::display(d);
    assert_eq!(duration::parse(&shown), Ok(whole), "{text:?} -> {shown:?}");
    let (clamped, _) = duration::clamp(d, limits::MIN, limits::ROLE_MAX);
    assert!(limits::MIN <= clamped && clamped <= limits::ROLE_MAX);
});
