//! How long and how many: the bounds `serve`'s HTTP server keeps connections within.
//!
//! - [`ConnectionLimits::header_timeout`]: a connection must send a complete request head
//!   within this time of opening, and again within this time of its last response (the
//!   keep-alive idle time); otherwise it is closed. A response in progress, such as the
//!   live-reload event stream, is never cut by it.
//! - [`ConnectionLimits::max_connections`]: at most this many connections are open at once.
//!   A new one past the cap takes the place of the oldest connection with no request in
//!   flight (stalled before its first request, or kept alive between requests); when every
//!   connection is busy with a response, the new one is closed at once.
//!
//! The environment variable [`HEADER_TIMEOUT_VAR`] (milliseconds) overrides the header
//! timeout; it exists for tests that need the timeout to pass quickly.

use std::time::Duration;

/// Overrides [`ConnectionLimits::header_timeout`], in milliseconds.
pub(crate) const HEADER_TIMEOUT_VAR: &str = "GUIDESMITH_SERVE_HEADER_TIMEOUT_MS";

const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_CONNECTIONS: usize = 128;

/// The bounds on the server's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ConnectionLimits {
    pub(crate) header_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl ConnectionLimits {
    /// The defaults, with the header timeout from [`HEADER_TIMEOUT_VAR`] when it is set to a
    /// whole number of milliseconds above zero.
    pub(crate) fn from_env() -> ConnectionLimits {
        let value = std::env::var(HEADER_TIMEOUT_VAR).ok();
        ConnectionLimits::with_header_timeout(value.as_deref())
    }

    fn with_header_timeout(millis: Option<&str>) -> ConnectionLimits {
        let header_timeout = millis
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|&ms| ms > 0)
            .map_or(DEFAULT_HEADER_TIMEOUT, Duration::from_millis);
        ConnectionLimits {
            header_timeout,
            ..ConnectionLimits::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_timeout_can_be_shortened_by_a_whole_number_of_milliseconds() {
        assert_eq!(
            ConnectionLimits::with_header_timeout(Some("250")).header_timeout,
            Duration::from_millis(250)
        );
        for ignored in [
            None,
            Some(""),
            Some("0"),
            Some("-5"),
            Some("1.5"),
            Some("soon"),
        ] {
            assert_eq!(
                ConnectionLimits::with_header_timeout(ignored),
                ConnectionLimits::default(),
                "{ignored:?}"
            );
        }
    }
}
