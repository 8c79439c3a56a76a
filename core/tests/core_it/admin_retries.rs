//! The admin client's `retries` (Java's AdminClient setting): a request that keeps failing with
//! a retriable error is retried that many times with a doubling back-off, then fails with the
//! last attempt's error, well before `default.api.timeout.ms`.

use std::time::{Duration, Instant};

use ferrokafka_core::admin::Admin;
use ferrokafka_core::{ClientConfig, ErrorKind};

/// An address nothing listens on (bound, then released).
fn refused_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_bound_an_admin_call_and_the_last_error_is_returned() {
    let addr = refused_address();
    let admin = Admin::new(
        ClientConfig::from_pairs([
            ("bootstrap.servers", addr.as_str()),
            ("retries", "2"),
            ("retry.backoff.ms", "50"),
            ("retry.backoff.max.ms", "200"),
            ("default.api.timeout.ms", "60000"),
        ])
        .unwrap(),
    )
    .unwrap();
    let t0 = Instant::now();
    let e = admin.list_topics(false).await.unwrap_err();
    let took = t0.elapsed();
    assert_eq!(
        e.kind(),
        ErrorKind::Network,
        "the connection error itself: {e}"
    );
    assert!(e.to_string().contains(&addr), "names the broker: {e}");
    assert!(
        took < Duration::from_secs(30),
        "two retries, not default.api.timeout.ms: {took:?}"
    );

    // Without `retries` the call keeps retrying until default.api.timeout.ms.
    let admin = Admin::new(
        ClientConfig::from_pairs([
            ("bootstrap.servers", addr.as_str()),
            ("retry.backoff.ms", "50"),
            ("request.timeout.ms", "1000"),
            ("default.api.timeout.ms", "1500"),
        ])
        .unwrap(),
    )
    .unwrap();
    let t0 = Instant::now();
    let e = admin.list_topics(false).await.unwrap_err();
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_secs(30),
        "{took:?}"
    );
    assert!(e.is_retriable(), "{e}");
}
