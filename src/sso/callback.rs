//! The loopback end of the authorization-code flow: a listener on 127.0.0.1 on a free
//! port, to which the browser is sent back with `code` and `state` (or `error`). Requests
//! are read with a bound and a deadline; one whose `state` is not this run's is refused
//! and the wait goes on, so a stray request cannot end or steer the sign-in.

use super::oidc::REDIRECT_PATH;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The most of a request read: a request line with a code and state is far shorter.
const MAX_REQUEST: usize = 16 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct Listener {
    listener: TcpListener,
    pub redirect_uri: String,
}

/// What the browser came back with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    Code(String),
    /// `error` (and `error_description`), escaped for a message.
    Refused(String),
}

impl Listener {
    pub fn bind() -> std::io::Result<Listener> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        Ok(Listener {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{REDIRECT_PATH}"),
        })
    }

    /// Waits until `deadline` (or until `stop` says so) for the callback carrying `state`.
    pub fn wait(
        &self,
        state: &str,
        deadline: Instant,
        stop: impl Fn() -> bool,
    ) -> Option<Callback> {
        while Instant::now() < deadline && !stop() {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(callback) = answer(stream, state) {
                        return Some(callback);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        None
    }
}

/// Reads one request and answers it; the callback, if it is this run's.
fn answer(mut stream: TcpStream, state: &str) -> Option<Callback> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let mut request = Vec::new();
    let mut buffer = [0u8; 2048];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < MAX_REQUEST {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let line = request.split(|&b| b == b'\r').next().unwrap_or_default();
    let target = std::str::from_utf8(line)
        .ok()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default();
    let (status, page, callback) = match parse(target, state) {
        Some(Callback::Code(code)) => (
            "200 OK",
            "Signed in. You can close this window and return to the terminal.",
            Some(Callback::Code(code)),
        ),
        Some(Callback::Refused(why)) => (
            "200 OK",
            "The sign-in was not completed. You can close this window; the terminal says why.",
            Some(Callback::Refused(why)),
        ),
        None => (
            "400 Bad Request",
            "Not a sign-in callback of this run.",
            None,
        ),
    };
    let body = format!("<!doctype html><title>runas</title><p>{page}</p>\n");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    callback
}

/// The callback in a request target, if its path is the redirect's and its state ours.
pub fn parse(target: &str, state: &str) -> Option<Callback> {
    let (path, query) = target.split_once('?')?;
    if path != REDIRECT_PATH {
        return None;
    }
    let mut fields = std::collections::HashMap::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(&v.replace('+', " "))
            .decode_utf8()
            .ok()?
            .into_owned();
        fields.insert(k.to_owned(), v);
    }
    if fields.get("state").map(String::as_str) != Some(state) {
        return None;
    }
    if let Some(error) = fields.get("error") {
        let description = fields
            .get("error_description")
            .map(|d| format!(": {}", crate::text::escape(d)))
            .unwrap_or_default();
        let why = format!("{}{description}", crate::text::escape(error));
        return Some(Callback::Refused(why.chars().take(300).collect()));
    }
    let code = fields.get("code")?;
    (!code.is_empty() && code.len() <= 4096 && code.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| Callback::Code(code.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_runs_callback_counts() {
        let ok = "/oauth/callback?code=abc&state=s1";
        assert_eq!(parse(ok, "s1"), Some(Callback::Code("abc".into())));
        assert_eq!(parse(ok, "s2"), None, "another state");
        assert_eq!(parse("/favicon.ico", "s1"), None);
        assert_eq!(parse("/other?code=abc&state=s1", "s1"), None);
        assert_eq!(parse("/oauth/callback?state=s1", "s1"), None, "no code");
        assert_eq!(
            parse(
                "/oauth/callback?error=access_denied&error_description=The+user%0Asaid+no&state=s1",
                "s1"
            ),
            Some(Callback::Refused(
                "access_denied: The user\\nsaid no".into()
            ))
        );
    }

    #[test]
    fn a_listener_answers_the_browser_and_ignores_strays() {
        let listener = Listener::bind().unwrap();
        let port = listener
            .redirect_uri
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let client = std::thread::spawn(move || {
            let send = |target: &str| {
                let mut s = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
                write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                let mut answer = String::new();
                let _ = s.read_to_string(&mut answer);
                answer
            };
            let stray = send("/oauth/callback?code=x&state=wrong");
            let real = send("/oauth/callback?code=good&state=mine");
            (stray, real)
        });
        let got = listener.wait("mine", Instant::now() + Duration::from_secs(10), || false);
        let (stray, real) = client.join().unwrap();
        assert_eq!(got, Some(Callback::Code("good".into())));
        assert!(stray.starts_with("HTTP/1.1 400"), "{stray}");
        assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    }
}
