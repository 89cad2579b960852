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
}

impl Guard {
    /// The guard of a server listening on `addr`.
    #[must_use]
    pub fn new(addr: SocketAddr) -> Self {
        let port = addr.port();
        let hosts = addr.ip().is_loopback().then(|| {
            ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .map(|h| format!("{h}:{port}"))
                .collect()
        });
        Self { hosts }
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
    let mut response = if !guard.host_ok(host.as_deref()) {
        ApiError::new(
            421,
            format!(
                "this server answers requests for localhost, 127.0.0.1 or [::1] only, not {:?}",
                host.unwrap_or_default()
            ),
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
        let g = Guard::new("127.0.0.1:8080".parse().unwrap());
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
        let open = Guard::new("0.0.0.0:8080".parse().unwrap());
        assert!(open.host_ok(Some("evil.example")) && open.origin_ok(Some("http://x")));
    }
}
