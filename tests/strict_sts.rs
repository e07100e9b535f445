//! The strict STS layer itself (tests/support/strict_sts.py): each rule refuses what real STS
//! refuses, with STS's code and message, and lets through what STS accepts. Requests go to
//! it raw, so that runas's own rules cannot hide a rule that does not fire.

mod testenv;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use testenv::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/Strict";
const DEVICE: &str = "arn:aws:iam::123456789012:mfa/strict";

/// POSTs a query-protocol STS request; `session` adds a security token, as a request
/// signed with session credentials carries. Returns the status line's code and the body.
fn post(moto: &Moto, params: &[(&str, &str)], session: bool, app: &str) -> (u16, String) {
    let mut body = String::from("Version=2011-06-15");
    for (k, v) in params {
        body.push_str(&format!(
            "&{k}={}",
            v.replace('+', "%2B")
                .replace(' ', "%20")
                .replace('/', "%2F")
        ));
    }
    let auth = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261123/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0";
    let token = if session {
        "X-Amz-Security-Token: FwoGZXIvYXdzEStrictLayerTest\r\n"
    } else {
        ""
    };
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: {auth}\r\n{token}User-Agent: aws-sdk-rust app/{app}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        moto.port,
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", moto.port)).expect("connect to moto");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn assume(duration: &str, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Action", "AssumeRole".to_owned()),
        ("RoleArn", ROLE.to_owned()),
        ("RoleSessionName", name.to_owned()),
        ("DurationSeconds", duration.to_owned()),
    ]
}

fn send(moto: &Moto, params: &[(&'static str, String)], session: bool, app: &str) -> (u16, String) {
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(moto, &borrowed, session, app)
}

#[track_caller]
fn refused(answer: (u16, String), status: u16, code: &str, message: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert!(
        answer.1.contains(&format!("<Code>{code}</Code>")),
        "{}",
        answer.1
    );
    assert!(
        answer.1.contains(message),
        "lacks {message:?}: {}",
        answer.1
    );
}

#[track_caller]
fn accepted(answer: (u16, String)) {
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert!(answer.1.contains("<AccessKeyId>"), "{}", answer.1);
}

#[test]
fn role_chaining_is_capped_at_one_hour() {
    let moto = Moto::start();
    refused(
        send(&moto, &assume("3601", "chained"), true, "a"),
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    accepted(send(&moto, &assume("3600", "chained"), true, "a"));
    accepted(send(&moto, &assume("28800", "direct"), false, "a"));
}

#[test]
fn an_mfa_code_is_good_once_per_device() {
    let moto = Moto::start();
    let mut params = assume("3600", "mfa");
    params.push(("SerialNumber", DEVICE.to_owned()));
    params.push(("TokenCode", "123456".to_owned()));
    accepted(send(&moto, &params, false, "a"));
    refused(
        send(&moto, &params, false, "a"),
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    );
    // Another scope (another test environment) has its own device of the same name.
    accepted(send(&moto, &params, false, "b"));
    // The next code is fine, on GetSessionToken too.
    let session = vec![
        ("Action", "GetSessionToken".to_owned()),
        ("SerialNumber", DEVICE.to_owned()),
        ("TokenCode", "654321".to_owned()),
    ];
    accepted(send(&moto, &session, false, "a"));
    refused(
        send(&moto, &session, false, "a"),
        403,
        "AccessDenied",
        "invalid MFA one time pass code",
    );
}

#[test]
fn session_credentials_get_no_session_token() {
    let moto = Moto::start();
    let params = vec![("Action", "GetSessionToken".to_owned())];
    refused(
        send(&moto, &params, true, "a"),
        403,
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
    );
    accepted(send(&moto, &params, false, "a"));
}

#[test]
fn session_names_and_durations_are_validated() {
    let moto = Moto::start();
    for name in ["x", "has space", "semi;colon", &"n".repeat(65)] {
        refused(
            send(&moto, &assume("3600", name), false, "a"),
            400,
            "ValidationError",
            "at 'roleSessionName' failed to satisfy constraint",
        );
    }
    accepted(send(&moto, &assume("3600", "ok+=,.@-_name"), false, "a"));
    accepted(send(&moto, &assume("3600", &"n".repeat(64)), false, "a"));
    for (duration, bound) in [
        ("899", "greater than or equal to 900"),
        ("43201", "less than or equal to 43200"),
    ] {
        refused(
            send(&moto, &assume(duration, "bounds"), false, "a"),
            400,
            "ValidationError",
            bound,
        );
    }
    accepted(send(&moto, &assume("900", "bounds"), false, "a"));
    accepted(send(&moto, &assume("43200", "bounds"), false, "a"));
    let session = |d: &str| {
        vec![
            ("Action", "GetSessionToken".to_owned()),
            ("DurationSeconds", d.to_owned()),
        ]
    };
    refused(
        send(&moto, &session("129601"), false, "a"),
        400,
        "ValidationError",
        "less than or equal to 129600",
    );
    accepted(send(&moto, &session("129600"), false, "a"));
    // The log records what each rule saw and what it answered.
    let refusals = moto.requests().iter().filter(|r| r.status != 200).count();
    assert_eq!(refusals, 7, "{:#?}", moto.sts_calls());
}

#[test]
fn role_arns_are_of_aws_form() {
    let moto = Moto::start();
    let with_arn = |arn: &str| {
        let mut params = assume("3600", "arn");
        params[1].1 = arn.to_owned();
        params
    };
    refused(
        send(&moto, &with_arn("arn:aws:iam::1:role"), false, "a"),
        400,
        "ValidationError",
        "at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
    for arn in [
        "arn:aws:iam:123456789012:role/Strict",
        "arn:aws:iam::123456789:role/RoleA",
        "arn:xxx:xxx:xxx:xxxx",
        "arn:aws:iam::123456789012:user/Strict",
    ] {
        refused(
            send(&moto, &with_arn(arn), false, "a"),
            403,
            "AccessDenied",
            &format!("not authorized to perform: sts:AssumeRole on resource: {arn}"),
        );
    }
    accepted(send(&moto, &with_arn(ROLE), false, "a"));
    accepted(send(
        &moto,
        &with_arn("arn:aws-us-gov:iam::123456789012:role/path/Strict"),
        false,
        "a",
    ));
    // moto alone, standing for an STS-compatible service, takes what the SDKs send.
    let local = Moto::start_lenient();
    accepted(send(
        &local,
        &with_arn("arn:aws:iam::123456789:role/RoleA"),
        false,
        "a",
    ));
}
