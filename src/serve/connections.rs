//! Accepting connections for `serve`, so that no client can hold the server: a connection
//! must send its request headers within [`Limits::header_timeout`] (counted from the moment
//! it opens), each connection serves one request and closes (so no idle connection lingers;
//! a page's event stream is one long response and is not cut), and at most
//! [`Limits::max_connections`] are open at once: past that, new connections are closed at
//! once instead of using up the process's open files.
//!
//! The limits can be lowered with `GUIDESMITH_SERVE_HEADER_TIMEOUT_MS` and
//! `GUIDESMITH_SERVE_MAX_CONNECTIONS` (the tests do, to run quickly).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a client may take over its request headers, and how many connections may be open.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    /// 10 s and 256, or what the environment sets.
    pub(crate) fn from_env() -> Limits {
        let number = |name: &str| std::env::var(name).ok()?.parse::<u64>().ok();
        Limits {
            header_timeout: Duration::from_millis(
                number("GUIDESMITH_SERVE_HEADER_TIMEOUT_MS").unwrap_or(10_000),
            ),
            max_connections: number("GUIDESMITH_SERVE_MAX_CONNECTIONS").map_or(256, |n| n as usize),
        }
    }
}

/// Serves `app` on `listener` until `stop` completes, then waits up to a second for open
/// connections to finish.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(false);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        // A failed accept (a client that left, no file descriptors for a moment) ends only
        // that connection.
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(1), open.acquire_many(all)).await;
}
