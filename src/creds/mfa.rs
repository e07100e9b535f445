//! Where an MFA code comes from: `--otp` / `MFA_CODE`, the profile's `mfa_process`, or the
//! terminal. The prompt goes to `/dev/tty`, never stdout, which may be a pipe into `eval`.

use crate::error::{Error, Result};
use crate::profile::chain::{Mfa, MfaProcess};
use crate::secret::Secret;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// How many times a code typed at the terminal is asked for when STS refuses it.
pub(crate) const TRIES: u8 = 3;

/// Where a code came from: only one typed at the terminal is asked for again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Given,
    Process,
    Terminal,
}

/// A code for `mfa`. `spent` is the code this process already sent for the same device:
/// STS accepts each code once, so the same one again is refused here, and the prompt asks
/// for the next. `attempt` counts the prompts after STS refused a typed code (1 first).
pub fn code(
    mfa: &Mfa,
    otp: Option<&Secret>,
    profile: &str,
    spent: Option<&Secret>,
    attempt: u8,
) -> Result<(Secret, Origin)> {
    let (code, origin) = if let Some(otp) = otp {
        (
            validate(otp.expose().trim(), &mfa.serial, "--otp / MFA_CODE")?,
            Origin::Given,
        )
    } else if let Some(process) = &mfa.process {
        (from_process(process, &mfa.serial)?, Origin::Process)
    } else {
        let ask = match (attempt, spent) {
            (1, None) => Ask::First,
            (1, Some(_)) => Ask::Next,
            (n, _) => Ask::Again(n),
        };
        (prompt(&mfa.serial, profile, ask)?, Origin::Terminal)
    };
    if spent == Some(&code) {
        let from = match origin {
            Origin::Given => "--otp / MFA_CODE",
            Origin::Process => "mfa_process",
            Origin::Terminal => "the terminal",
        };
        return Err(Error::Mfa(format!(
            "the MFA code for {} from {from} was already sent once, and STS accepts each code once; \
             wait for the next code and give that",
            mfa.serial
        )));
    }
    Ok((code, origin))
}

/// Which prompt the terminal shows.
#[derive(Debug, Clone, Copy)]
enum Ask {
    /// The first code for the device in this process.
    First,
    /// Another code after one was sent and used (a second step, a refresh).
    Next,
    /// Try `n` of [`TRIES`], after STS refused the code typed before.
    Again(u8),
}

/// The command is named by the profile that sets it, and only so: its arguments may hold a
/// secret.
fn from_process(process: &MfaProcess, serial: &str) -> Result<Secret> {
    let profile = &process.profile;
    // The command's stderr and stdin stay the user's: it may ask for a touch or a PIN.
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(process.command.expose())
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let _named = crate::program::naming(format!("mfa_process of profile `{profile}`"));
    let limit = crate::program::MFA_OUTPUT_LIMIT;
    let output = crate::program::run_limited(sh, None, true, limit).map_err(|f| {
        Error::Mfa(format!(
            "mfa_process of profile `{profile}` {}",
            f.describe()
        ))
    })?;
    if !output.status.success() {
        return Err(Error::Mfa(format!(
            "mfa_process of profile `{profile}` failed ({}); run it by hand to see why",
            output.status
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    validate(
        text.trim(),
        serial,
        &format!("mfa_process of profile `{profile}`"),
    )
}

fn prompt(serial: &str, profile: &str, ask: Ask) -> Result<Secret> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| {
            Error::Mfa(format!(
                "profile `{profile}` needs an MFA code for {serial} and there is no terminal to ask on; \
                 pass --otp CODE, set MFA_CODE, or set `mfa_process` in the profile"
            ))
        })?;
    if !in_foreground(&tty) {
        return Err(Error::Mfa(format!(
            "profile `{profile}` needs an MFA code for {serial} and the terminal belongs to \
             another process group (runas is in the background, or its command took the \
             terminal); pass --otp CODE, set MFA_CODE, or set `mfa_process` in the profile"
        )));
    }
    let mut writer = &tty;
    let prompt = match ask {
        Ask::First => format!("MFA code for {serial}: "),
        Ask::Next => format!(
            "The code just sent for {serial} cannot be used again.\nNext MFA code for {serial}: "
        ),
        Ask::Again(n) => format!(
            "STS refused that code (mistyped, or already used).\nMFA code for {serial} (try {n} of {TRIES}): "
        ),
    };
    write!(writer, "{prompt}")
        .and_then(|()| writer.flush())
        .map_err(|e| Error::Mfa(format!("cannot write the MFA prompt to the terminal: {e}")))?;
    let mut line = String::new();
    BufReader::new(&tty)
        .read_line(&mut line)
        .map_err(|e| Error::Mfa(format!("cannot read the MFA code from the terminal: {e}")))?;
    validate(line.trim(), serial, "the terminal")
}

/// Whether runas may read the terminal: a read from a background process group stops the
/// process (SIGTTIN) until someone brings it back, which is a hang by another name.
fn in_foreground(tty: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: both calls only read process state; the descriptor is open for their duration.
    let (foreground, own) = unsafe { (libc::tcgetpgrp(tty.as_raw_fd()), libc::getpgrp()) };
    // A terminal that cannot say (-1) is given the benefit of the doubt.
    foreground < 0 || foreground == own
}

/// STS takes six digits; anything else would only come back as a refusal, so say so here.
/// The message never repeats what was entered.
fn validate(code: &str, serial: &str, origin: &str) -> Result<Secret> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Secret::new(code))
    } else if code.is_empty() {
        Err(Error::Mfa(format!(
            "no MFA code for {serial} came from {origin}"
        )))
    } else {
        Err(Error::Mfa(format!(
            "the MFA code for {serial} from {origin} is not six digits ({} characters)",
            code.chars().count()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(process: Option<&str>) -> Mfa {
        Mfa {
            serial: "arn:aws:iam::123456789012:mfa/me".into(),
            process: process.map(|command| MfaProcess {
                command: Secret::new(command),
                profile: "default".into(),
            }),
        }
    }

    #[test]
    fn otp_wins_and_is_checked() {
        assert_eq!(
            code(
                &device(Some("echo 111111")),
                Some(&Secret::new(" 123456\n")),
                "p",
                None,
                1
            )
            .unwrap()
            .0
            .expose(),
            "123456"
        );
        let err = code(&device(None), Some(&Secret::new("12345x9")), "p", None, 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not six digits (7 characters)"), "{err}");
        assert!(!err.contains("12345x9"), "the code is not echoed: {err}");
    }

    #[test]
    fn a_spent_code_is_never_sent_again() {
        let err = code(
            &device(Some("echo 222222")),
            None,
            "p",
            Some(&Secret::new("222222")),
            1,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("already sent once"), "{err}");
        assert!(!err.contains("222222"), "the code is not echoed: {err}");
        assert_eq!(
            code(
                &device(Some("echo 333333")),
                None,
                "p",
                Some(&Secret::new("222222")),
                1
            )
            .unwrap()
            .0
            .expose(),
            "333333"
        );
    }

    #[test]
    fn mfa_process_output_is_the_code() {
        assert_eq!(
            code(&device(Some("printf '654321\\n'")), None, "p", None, 1)
                .unwrap()
                .0
                .expose(),
            "654321"
        );
        let err = code(&device(Some("exit 3")), None, "p", None, 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mfa_process of profile `default` failed"),
            "the profile that sets it is named, not the one run: {err}"
        );
        assert!(
            !err.contains("exit 3"),
            "the command may hold a secret: {err}"
        );
        let err = code(&device(Some("true")), None, "p", None, 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no MFA code"), "{err}");
    }
}
