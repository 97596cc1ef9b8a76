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
//! The environment variables [`HEADER_TIMEOUT_VAR`] (milliseconds) and
//! [`MAX_CONNECTIONS_VAR`] override them; they exist for tests that need the limits to be
//! reached quickly.

use std::time::Duration;

/// Overrides [`ConnectionLimits::header_timeout`], in milliseconds.
pub(crate) const HEADER_TIMEOUT_VAR: &str = "GUIDESMITH_SERVE_HEADER_TIMEOUT_MS";
/// Overrides [`ConnectionLimits::max_connections`].
pub(crate) const MAX_CONNECTIONS_VAR: &str = "GUIDESMITH_SERVE_MAX_CONNECTIONS";

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
    /// The defaults, each overridden by its environment variable when that is set to a
    /// whole number above zero.
    pub(crate) fn from_env() -> ConnectionLimits {
        let timeout = std::env::var(HEADER_TIMEOUT_VAR).ok();
        let max = std::env::var(MAX_CONNECTIONS_VAR).ok();
        ConnectionLimits::from_values(timeout.as_deref(), max.as_deref())
    }

    fn from_values(timeout_millis: Option<&str>, max: Option<&str>) -> ConnectionLimits {
        let number = |v: Option<&str>| v?.trim().parse::<u64>().ok().filter(|&n| n > 0);
        ConnectionLimits {
            header_timeout: number(timeout_millis)
                .map_or(DEFAULT_HEADER_TIMEOUT, Duration::from_millis),
            max_connections: number(max)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_can_be_lowered_by_whole_numbers() {
        assert_eq!(
            ConnectionLimits::from_values(Some("250"), Some("20")),
            ConnectionLimits {
                header_timeout: Duration::from_millis(250),
                max_connections: 20
            }
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
                ConnectionLimits::from_values(ignored, ignored),
                ConnectionLimits::default(),
                "{ignored:?}"
            );
        }
    }
}
