//! Shell quoting, round trip through a real `sh`: `eval "$(runas prod)"` gives every
//! variable back exactly as runas holds it, whatever bytes (but NUL) it contains, and runs
//! nothing else.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::credentials::Credentials;
use runas::exec::{Environment, format};
use std::process::Command;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    if value.contains('\0') {
        return;
    }
    let credentials = Credentials {
        access_key_id: "AKIAEXAMPLE".into(),
        secret_access_key: value.into(),
        session_token: Some(value.into()),
        expiration: None,
        account_id: None,
    };
    let shell = format::posix::render(&Environment::new(&credentials, value, value));
    // A value that broke out of its quotes would most likely run `touch`-free commands,
    // but whatever it ran, the variables would differ or the shell would fail.
    let out = Command::new("sh")
        .arg("-c")
        .arg(
            r#"eval "$RUNAS_FUZZ_SHELL" || exit 99
               [ "$AWS_SESSION_TOKEN" = "$AWS_SECRET_ACCESS_KEY" ] || exit 98
               [ "$AWS_REGION" = "$AWS_SECRET_ACCESS_KEY" ] || exit 97
               [ "$RUNAS_PROFILE" = "$AWS_SECRET_ACCESS_KEY" ] || exit 96
               printf %s "$AWS_SECRET_ACCESS_KEY""#,
        )
        .env_clear()
        .env("RUNAS_FUZZ_SHELL", &shell)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{:?} for {shell:?}", out.status);
    assert_eq!(out.stdout, value.as_bytes(), "for {shell:?}");
});
