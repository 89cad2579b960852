//! What every request and response passes through: a loopback server answers only requests
//! addressed to loopback names from its own pages, and every response forbids framing and
//! scripts from elsewhere.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The content security policy of every response: the dashboard's own scripts, styles and
/// requests only, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The `Host` values and `Origin`s a server bound to `addr` answers: when it listens on
/// loopback, `localhost`, `127.0.0.1` and `[::1]` with its port (a web page elsewhere that
/// rebinds its own name to 127.0.0.1 still sends its own name, and is refused); otherwise
/// any.
#[derive(Clone, Debug)]
pub struct Guard {
    hosts: Option<Vec<String>>,
    /// The bearer token the API requires when the server is reachable from the network.
    token: Option<String>,
}

impl Guard {
    /// The guard of a server listening on `addr`; off loopback, its API requires `token`.
    #[must_use]
    pub fn new(addr: SocketAddr, token: Option<String>) -> Self {
        let port = addr.port();
        let hosts = addr.ip().is_loopback().then(|| {
            ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .map(|h| format!("{h}:{port}"))
                .collect()
        });
        let token = if hosts.is_some() { None } else { token };
        Self { hosts, token }
    }

    /// Whether a request may use the API: always on loopback; elsewhere with the token.
    fn authorised(&self, path: &str, authorization: Option<&str>) -> bool {
        match &self.token {
            None => true,
            Some(t) => {
                !path.starts_with("/api/")
                    || path == "/api/health"
                    || authorization
                        .and_then(|a| a.strip_prefix("Bearer "))
                        .is_some_and(|given| constant_time_eq(given.as_bytes(), t.as_bytes()))
            }
        }
    }

    fn host_ok(&self, host: Option<&str>) -> bool {
        match (&self.hosts, host) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(hosts), Some(h)) => hosts.iter().any(|x| x.eq_ignore_ascii_case(h)),
        }
    }

    fn origin_ok(&self, origin: Option<&str>) -> bool {
        match (&self.hosts, origin) {
            (None, _) | (_, None) => true,
            (Some(hosts), Some(o)) => o
                .strip_prefix("http://")
                .is_some_and(|h| hosts.iter().any(|x| x.eq_ignore_ascii_case(h))),
        }
    }
}

/// Refuses requests for another host (421) or from another origin (403), and sets the
/// security headers on every response.
pub async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let host = header_text(&req, &header::HOST);
    let origin = header_text(&req, &header::ORIGIN);
    let authorization = header_text(&req, &header::AUTHORIZATION);
    let path = req.uri().path().to_owned();
    let mut response = if !guard.host_ok(host.as_deref()) {
        ApiError::new(
            421,
            format!(
                "this server answers requests for localhost, 127.0.0.1 or [::1] only, not {:?}",
                host.unwrap_or_default()
            ),
        )
        .into_response()
    } else if !guard.authorised(&path, authorization.as_deref()) {
        ApiError::new(
            401,
            "this server is reachable from the network: send the token it printed at start \
             (open the address it printed, with its #token=…)",
        )
        .into_response()
    } else if !guard.origin_ok(origin.as_deref()) {
        ApiError::new(
            403,
            format!(
                "requests from {:?} are refused: only this server's own pages may call it",
                origin.unwrap_or_default()
            ),
        )
        .into_response()
    } else {
        next.run(req).await
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Compares without stopping at the first difference, so that timing tells nothing of the
/// token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random token: 128 bits from the system's random source, as hex.
#[must_use]
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn header_text(req: &Request, name: &header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_servers_answer_loopback_names_only() {
        let g = Guard::new("127.0.0.1:8080".parse().unwrap(), Some("abc".into()));
        assert!(g.host_ok(Some("127.0.0.1:8080")));
        assert!(g.host_ok(Some("LOCALHOST:8080")));
        assert!(g.host_ok(Some("[::1]:8080")));
        assert!(!g.host_ok(Some("evil.example:8080")));
        assert!(!g.host_ok(Some("127.0.0.1:9999")));
        assert!(!g.host_ok(None));
        assert!(g.origin_ok(None));
        assert!(g.origin_ok(Some("http://localhost:8080")));
        assert!(!g.origin_ok(Some("http://evil.example")));
        assert!(!g.origin_ok(Some("null")));
        // On loopback no token is asked for.
        assert!(g.authorised("/api/series", None));
        let open = Guard::new("0.0.0.0:8080".parse().unwrap(), Some("abc".into()));
        assert!(open.host_ok(Some("evil.example")) && open.origin_ok(Some("http://x")));
        assert!(!open.authorised("/api/series", None));
        assert!(!open.authorised("/api/series", Some("Bearer abd")));
        assert!(open.authorised("/api/series", Some("Bearer abc")));
        assert!(open.authorised("/api/health", None) && open.authorised("/assets/app.js", None));
        assert_eq!(new_token().len(), 32);
        assert_ne!(new_token(), new_token());
    }
}
