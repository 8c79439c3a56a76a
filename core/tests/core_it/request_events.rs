//! Request events (`set_request_observer`), which the Node binding turns into kafkajs's
//! `*.network.request` / `*.network.request_timeout` events: every request a client's
//! connections finish is reported once with its broker, API, version, correlation id, timing
//! and response size; nothing is reported once the observer is removed; a request that gets no
//! answer is reported as timed out.

use crate::common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrokafka_core::admin::Admin;
use ferrokafka_core::producer::{Producer, ProducerRecord};
use ferrokafka_core::{RequestEvent, RequestObserver, RequestOutcome};

fn recorder() -> (RequestObserver, Arc<Mutex<Vec<RequestEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let observer: RequestObserver = Arc::new(move |e| s.lock().unwrap().push(e));
    (observer, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_finished_request_is_reported_until_the_observer_is_removed() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("events");
    common::create_topic(&cluster, &topic, 1).await;

    let producer = Producer::new(common::config(&[("acks", "1")])).unwrap();
    let (observer, seen) = recorder();
    producer.cluster().set_request_observer(Some(observer));
    for i in 0..5 {
        producer
            .send(ProducerRecord::new(&topic, format!("v{i}")))
            .await
            .unwrap();
    }
    let events = seen.lock().unwrap().clone();
    let names: HashSet<&str> = events.iter().map(|e| e.api_name.as_str()).collect();
    for api in ["ApiVersions", "Metadata", "Produce"] {
        assert!(names.contains(api), "{api} reported: {names:?}");
    }
    // One event per request: five awaited sends, five Produce requests.
    let produces: Vec<&RequestEvent> = events.iter().filter(|e| e.api_key == 0).collect();
    assert_eq!(produces.len(), 5, "{produces:?}");
    let bootstrap = common::bootstrap();
    for e in &events {
        assert!(e.api_version >= 0, "{e:?}");
        assert!(
            e.sent_at_ms >= e.created_at_ms,
            "written after queued: {e:?}"
        );
        match e.outcome {
            RequestOutcome::Answered { size, duration_ms } => {
                assert!(size >= 4, "a response has at least a correlation id: {e:?}");
                assert!(duration_ms >= 0, "{e:?}");
            }
            RequestOutcome::TimedOut => panic!("nothing timed out here: {e:?}"),
        }
        assert!(e.broker.contains(':'), "host:port: {e:?}");
    }
    // Requests to the bootstrap address are reported under that address.
    assert!(
        events
            .iter()
            .any(|e| bootstrap.split(',').any(|b| *e.broker == *b)),
        "one event names the bootstrap broker {bootstrap}: {events:?}"
    );

    producer.cluster().set_request_observer(None);
    let before = seen.lock().unwrap().len();
    producer
        .send(ProducerRecord::new(&topic, "after"))
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), before, "no events once removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_an_answer_is_reported_as_timed_out() {
    let silent = common::silent_broker().await;
    let admin = Admin::new(
        ferrokafka_core::ClientConfig::from_pairs([
            ("bootstrap.servers", silent.as_str()),
            ("request.timeout.ms", "300"),
            ("default.api.timeout.ms", "1500"),
        ])
        .unwrap(),
    )
    .unwrap();
    let (observer, seen) = recorder();
    admin.cluster().set_request_observer(Some(observer));
    let err = admin.list_topics(false).await.unwrap_err();
    assert!(!err.to_string().is_empty());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let events = seen.lock().unwrap().clone();
    let timed_out: Vec<&RequestEvent> = events
        .iter()
        .filter(|e| e.outcome == RequestOutcome::TimedOut)
        .collect();
    assert!(!timed_out.is_empty(), "{events:?}");
    for e in timed_out {
        assert_eq!(
            e.api_name, "ApiVersions",
            "the first request of a connection: {e:?}"
        );
        assert_eq!(*e.broker, *silent);
        assert!(e.sent_at_ms >= e.created_at_ms);
    }
}
