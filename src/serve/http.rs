//! The HTTP side of the endpoints: a listener on 127.0.0.1 and nothing else, HTTP/1.1
//! with a deadline on every connection.

use super::Endpoint;
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
/// one; a silent client is dropped.
const HEADER_DEADLINE: Duration = Duration::from_secs(10);

/// No connection lives longer, whatever it does. Long enough for a person to answer an MFA
/// prompt that a request is waiting for.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(10 * 60);

pub type Body = Full<Bytes>;

/// Binds `127.0.0.1:port` (0: a free port). Any other address is refused: the endpoints
/// hand out credentials to whoever asks with the token, so only this machine may ask.
pub fn bind(address: SocketAddr) -> Result<TcpListener> {
    if address.ip() != Ipv4Addr::LOCALHOST {
        return Err(Error::Usage(format!(
            "refusing to serve credentials on {}: only 127.0.0.1 is allowed",
            address.ip()
        )));
    }
    let listener = TcpListener::bind(address)
        .map_err(|e| Error::Serve(format!("cannot listen on {address}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Serve(format!("cannot listen on {address}: {e}")))?;
    Ok(listener)
}

pub fn response(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
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
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Error::Serve(format!("cannot serve: {e}")))?;
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: let some connections finish.
                    debug!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let endpoint = endpoint.clone();
                async move { Ok::<_, Infallible>(answer(&endpoint, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_DEADLINE)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_DEADLINE, connection).await;
        });
    }
}

/// One request, logged at `-v` by method, path and status: never a header, never a body.
async fn answer(endpoint: &Endpoint, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = endpoint.answer(&request).await;
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
