//! Serving the router on a listener with every wait bounded: a caller that stalls in its
//! request head, its body or an idle keep-alive cannot hold a connection, or a shutdown,
//! for longer than the relay's timeout. (`axum::serve` sets no timer, so hyper's header
//! timeout is off there.)

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until `shutdown` resolves, then lets the calls in flight finish
/// for at most [`grace`]`(timeout)`. A request head must arrive within `timeout` (the relay's
/// `--timeout-ms`; the router bounds the body by the same).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of descriptors, or a connection reset before it was taken: try again shortly.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(timeout);
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A failed connection (reset, timed out) concerns only its caller.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(grace(timeout), graceful.shutdown()).await;
}

/// How long a shutdown waits for calls in flight: one may read its body and then wait for
/// Tangoe, each for up to `timeout`.
pub fn grace(timeout: Duration) -> Duration {
    timeout * 2 + Duration::from_secs(1)
}
