//! The accept loop of `serve`'s HTTP server: every connection is served by hyper's HTTP/1.1
//! server within the [`ConnectionLimits`], and all of them end gracefully on shutdown.
//!
//! 1. Accept a connection. At the cap, make room by closing the oldest connection that has
//!    no request in flight (one that has not sent a complete request head yet, or a
//!    kept-alive one between requests); when every open connection is busy with a response
//!    (event streams, say), close the new one at once. Either way the open files stay
//!    bounded and a client that sends its request promptly is served beside any number of
//!    stalled or idle ones.
//! 2. Serve it with hyper's HTTP/1.1 connection and a header read timeout: hyper starts that
//!    timer when the connection opens and again after each response, so it bounds both a
//!    slow request head and the keep-alive idle time. A response being streamed (the
//!    live-reload event stream) is not affected.
//! 3. On shutdown: stop accepting, ask every connection to close once its response is done,
//!    and wait for that a bounded time.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::{Frame, SizeHint};
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::limits::ConnectionLimits;

/// How long a new connection waits for the room an evicted one leaves.
const EVICTION_WAIT: Duration = Duration::from_secs(1);
/// How long shutdown waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// The pause after a failed accept (out of file descriptors), so the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `shutdown` completes.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let open = Arc::new(Mutex::new(OpenConnections::default()));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(permit) = make_room(&permits, &open).await else {
            drop(stream);
            continue;
        };
        let (id, in_flight, close) = lock(&open).add();
        let tower = TowerToHyperService::new(app.clone());
        let service = hyper::service::service_fn(move |request| {
            let guard = InFlight::start(&in_flight);
            let response = tower.call(request);
            async move {
                let response = response.await?;
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(GuardedBody {
                        body,
                        _in_flight: guard,
                    })
                }))
            }
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let open = open.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = close.notified() => {}
            }
            lock(&open).remove(id);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
}

/// A permit for one more connection: a free one, or the one an evicted connection leaves.
async fn make_room(
    permits: &Arc<Semaphore>,
    open: &Mutex<OpenConnections>,
) -> Option<OwnedSemaphorePermit> {
    if let Ok(permit) = permits.clone().try_acquire_owned() {
        return Some(permit);
    }
    if !lock(open).evict_oldest_idle() {
        return None;
    }
    tokio::time::timeout(EVICTION_WAIT, permits.clone().acquire_owned())
        .await
        .ok()?
        .ok()
}

fn lock(open: &Mutex<OpenConnections>) -> MutexGuard<'_, OpenConnections> {
    open.lock().unwrap_or_else(|e| e.into_inner())
}

/// The open connections, oldest first.
#[derive(Default)]
struct OpenConnections {
    next_id: u64,
    by_age: BTreeMap<u64, OpenConnection>,
}

struct OpenConnection {
    /// Requests whose response is not fully sent yet.
    in_flight: Arc<AtomicUsize>,
    /// Closes the connection when notified.
    close: Arc<Notify>,
}

impl OpenConnections {
    /// Registers a new connection: its id, its count of requests in flight and its close
    /// signal.
    fn add(&mut self) -> (u64, Arc<AtomicUsize>, Arc<Notify>) {
        let id = self.next_id;
        self.next_id += 1;
        let connection = OpenConnection {
            in_flight: Arc::new(AtomicUsize::new(0)),
            close: Arc::new(Notify::new()),
        };
        let handles = (connection.in_flight.clone(), connection.close.clone());
        self.by_age.insert(id, connection);
        (id, handles.0, handles.1)
    }

    fn remove(&mut self, id: u64) {
        self.by_age.remove(&id);
    }

    /// Closes the oldest connection with no request in flight; `false` when every open
    /// connection has one.
    fn evict_oldest_idle(&mut self) -> bool {
        let oldest = self
            .by_age
            .iter()
            .find(|(_, c)| c.in_flight.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        let Some(connection) = oldest.and_then(|id| self.by_age.remove(&id)) else {
            return false;
        };
        connection.close.notify_one();
        true
    }
}

/// One request in flight on a connection, from its head to the end of its response body.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn start(count: &Arc<AtomicUsize>) -> InFlight {
        count.fetch_add(1, Ordering::AcqRel);
        InFlight(count.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in flight until hyper drops it (sent
/// or abandoned).
struct GuardedBody {
    body: Body,
    /// Held for its `Drop`.
    _in_flight: InFlight,
}

impl hyper::body::Body for GuardedBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_takes_the_oldest_connection_with_no_request_in_flight() {
        let mut open = OpenConnections::default();
        let (first, first_in_flight, first_close) = open.add();
        let (_, second_in_flight, second_close) = open.add();
        let (third, _, _) = open.add();
        let _busy = InFlight::start(&first_in_flight);
        drop(InFlight::start(&second_in_flight));
        assert!(open.evict_oldest_idle());
        assert_eq!(
            open.by_age.keys().copied().collect::<Vec<_>>(),
            [first, third]
        );
        let notified = |n: &Notify| {
            let waiting = n.notified();
            tokio::pin!(waiting);
            waiting.enable()
        };
        assert!(
            notified(&second_close),
            "the second connection is told to close"
        );
        assert!(
            !notified(&first_close),
            "a connection busy with a response stays"
        );
        assert!(open.evict_oldest_idle());
        assert!(!open.evict_oldest_idle(), "only busy connections are left");
        assert_eq!(open.by_age.keys().copied().collect::<Vec<_>>(), [first]);
    }
}
