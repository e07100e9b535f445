//! The HTTP side of the endpoints: a listener on 127.0.0.1 and nothing else, HTTP/1.1
//! with a deadline on every connection, a bounded number of connections (see
//! [`super::connections`]), and only requests addressed to the loopback address (see
//! [`super::host`]).

use super::Endpoint;
use super::connections::{self, Connections};
use super::host;
use crate::error::{Error, Result};
use crate::log::debug;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// A client has this long to send a request's headers, on a new connection or a kept-alive
/// one; a silent client is dropped. SDKs send a request at once, in one packet.
const HEADER_DEADLINE: Duration = Duration::from_secs(2);

/// No connection lives longer, whatever it does. Long enough for a person to answer an MFA
/// prompt that a request is waiting for.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// Connections the kernel queues for runas to accept.
const LISTEN_QUEUE: libc::c_int = 1024;

pub(crate) type Body = Full<Bytes>;

/// Binds `127.0.0.1:port` (0: a free port). Any other address is refused: the endpoints
/// hand out credentials to whoever asks with the token, so only this machine may ask.
pub fn bind(address: SocketAddr) -> Result<TcpListener> {
    if address.ip() != Ipv4Addr::LOCALHOST {
        return Err(Error::Usage(format!(
            "refusing to serve credentials on {}: only 127.0.0.1 is allowed",
            address.ip()
        )));
    }
    connections::raise_limit();
    let listener = TcpListener::bind(address).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => Error::Serve(format!(
            "cannot listen on {address}: the port is taken; choose another --port, or \
             leave --port out for a free one"
        )),
        _ => Error::Serve(format!("cannot listen on {address}: {e}")),
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Serve(format!("cannot listen on {address}: {e}")))?;
    // A longer queue than the standard library's 128, so that a burst of connections
    // (idle ones opened on purpose, or a fleet of clients at once) is not dropped before
    // it is accepted; the kernel caps it at net.core.somaxconn.
    // SAFETY: listen(2) on the descriptor the listener owns.
    unsafe { libc::listen(std::os::fd::AsRawFd::as_raw_fd(&listener), LISTEN_QUEUE) };
    Ok(listener)
}

pub(crate) fn response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// Serves `endpoint` on `listener` until `stop` completes; then the port closes.
pub async fn serve(
    listener: TcpListener,
    endpoint: Arc<Endpoint>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let cannot = |e: std::io::Error| Error::Serve(format!("cannot serve: {e}"));
    let port = listener.local_addr().map_err(cannot)?.port();
    let listener = tokio::net::TcpListener::from_std(listener).map_err(cannot)?;
    let connections = Arc::new(Connections::new(connections::raise_limit()));
    debug!("holding up to {} connections", connections.capacity());
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: close an idle connection, or
                    // let some finish.
                    debug!("accept failed: {e}");
                    if !connections.close_one() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            endpoint.clone(),
            connections.clone(),
            port,
        ));
    }
}

/// One connection, until it ends, times out, or is closed to make room for another.
async fn connection(
    stream: tokio::net::TcpStream,
    endpoint: Arc<Endpoint>,
    connections: Arc<Connections>,
    port: u16,
) {
    let (id, held) = connections.add();
    let busy = held.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let endpoint = endpoint.clone();
        let busy = busy.busy();
        async move {
            let response = answer(&endpoint, request, port).await;
            drop(busy);
            Ok::<_, Infallible>(response)
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_DEADLINE)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = tokio::time::timeout(CONNECTION_DEADLINE, connection) => {}
        () = held.closed.notified() => debug!("closed an idle connection to make room"),
    }
    connections.remove(id);
}

/// One request, logged at `-v` by method, path and status: never a header, never a body.
async fn answer(endpoint: &Endpoint, request: Request<Incoming>, port: u16) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let checked = host::check(request.version(), request.uri(), request.headers(), port);
    let response = match checked {
        Ok(()) => endpoint.answer(&request).await,
        Err(refusal) => {
            let (status, code, message) = refusal.answer();
            super::failure(status, code, message)
        }
    };
    debug!("{method} {path} -> {}", response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_served() {
        for address in ["0.0.0.0:0", "192.168.1.10:0", "169.254.169.254:80"] {
            let err = bind(address.parse().unwrap()).unwrap_err().to_string();
            assert!(err.contains("only 127.0.0.1"), "{err}");
        }
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(listener.local_addr().unwrap().ip().is_loopback());
    }
}
