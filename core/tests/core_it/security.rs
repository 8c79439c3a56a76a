//! TLS + SASL + ACLs against a broker with a SASL_SSL listener (SCRAM-SHA-512/256 and PLAIN
//! users, StandardAuthorizer) started once per test binary by `tests/harness/secure_kafka.py`:
//! our broker (`FERROKAFKA_TEST_TARGET=ferrokafka`, the default) or a real Apache Kafka
//! (`=apache`), with the same outcomes expected of both. `alice` may use every topic and group,
//! `bob` has no ACL, `admin` is a super user.

use crate::secure;

use std::time::Duration;

use ferrokafka_core::{Admin, ClientConfig, Consumer, ErrorKind, Producer, ProducerRecord};

/// A bound for each scenario: an error must come back, never a hang.
const BOUND: Duration = Duration::from_secs(60);

async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {BOUND:?}"))
}

fn topic(prefix: &str) -> String {
    format!("sec-{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_user_produces_and_consumes_with_every_mechanism() {
    let k = secure::broker();
    for mech in ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] {
        let t = topic("ok");
        let producer = Producer::new(k.config("alice", None, mech, &[])).unwrap();
        for i in 0..5 {
            let md = bounded(
                mech,
                producer.send(ProducerRecord::new(&t, format!("v{i}"))),
            )
            .await
            .unwrap_or_else(|e| panic!("{mech}: produce as alice: {e}"));
            assert!(md.offset >= 0);
        }
        producer.close(Duration::from_secs(10)).await.unwrap();

        let consumer = Consumer::new(k.config(
            "alice",
            None,
            mech,
            &[
                ("group.id", &format!("g-{t}")),
                ("auto.offset.reset", "earliest"),
            ],
        ))
        .unwrap();
        consumer.subscribe(&[t.as_str()]).unwrap();
        let mut got = Vec::new();
        bounded(mech, async {
            while got.len() < 5 {
                for r in consumer.poll(Duration::from_millis(500)).await.unwrap() {
                    got.push(r.value.clone().map(|v| v.to_vec()).unwrap_or_default());
                }
            }
        })
        .await;
        assert_eq!(got[0], b"v0".to_vec(), "{mech}");
        consumer.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_without_acls_gets_the_authorization_error() {
    let k = secure::broker();
    let t = topic("denied");
    // alice creates the topic, so bob's failure is about ACLs, not about a missing topic.
    let alice = Producer::new(k.config("alice", None, "SCRAM-SHA-512", &[])).unwrap();
    bounded("alice", alice.send(ProducerRecord::new(&t, "x")))
        .await
        .unwrap();
    let bob = Producer::new(k.config(
        "bob",
        None,
        "SCRAM-SHA-512",
        &[("max.block.ms", "20000"), ("delivery.timeout.ms", "40000")],
    ))
    .unwrap();
    let err = bounded("bob's send", bob.send(ProducerRecord::new(&t, "no")))
        .await
        .expect_err("bob has no WRITE ACL");
    assert_eq!(err.kind(), ErrorKind::Authorization, "{err}");
    assert_eq!(err.code(), Some(29), "TOPIC_AUTHORIZATION_FAILED: {err}");
    assert!(err.to_string().contains("ACL"), "{err}");

    let consumer = Consumer::new(k.config(
        "bob",
        None,
        "SCRAM-SHA-512",
        &[
            ("group.id", "bobs-group"),
            ("auto.offset.reset", "earliest"),
        ],
    ))
    .unwrap();
    consumer.subscribe(&[t.as_str()]).unwrap();
    let err = bounded("bob's poll", async {
        loop {
            match consumer.poll(Duration::from_millis(500)).await {
                Ok(records) => assert!(records.is_empty(), "bob must read nothing"),
                Err(e) => return e,
            }
        }
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Authorization, "{err}");
    assert!(
        matches!(err.code(), Some(29) | Some(30)),
        "TOPIC_ or GROUP_AUTHORIZATION_FAILED: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_an_authentication_error() {
    let k = secure::broker();
    let admin =
        Admin::new(k.config("alice", Some("not-the-password"), "SCRAM-SHA-512", &[])).unwrap();
    let err = bounded("describe_cluster", admin.describe_cluster())
        .await
        .expect_err("wrong password");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(err.code(), Some(58), "SASL_AUTHENTICATION_FAILED: {err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(!err.is_retriable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_ca_fails_the_handshake_naming_the_ca_file() {
    let k = secure::broker();
    let mut cfg = k.pairs("alice", None, "SCRAM-SHA-512");
    cfg.retain(|(key, _)| key != "ssl.ca.location");
    cfg.push(("ssl.ca.location".into(), k.untrusted_ca.clone()));
    let admin = Admin::new(ClientConfig::from_pairs(cfg).unwrap()).unwrap();
    let err = bounded("describe_cluster", admin.describe_cluster())
        .await
        .expect_err("untrusted CA");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("not trusted"), "{msg}");
    assert!(msg.contains(&k.untrusted_ca), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_is_checked_without_host_name_verification() {
    let k = secure::broker();
    // The certificate names 127.0.0.1 and localhost; with the check off the chain still counts.
    let cfg = k.config(
        "alice",
        None,
        "SCRAM-SHA-512",
        &[("ssl.endpoint.identification.algorithm", "")],
    );
    let admin = Admin::new(cfg).unwrap();
    // Metadata (list topics) needs no ACL on either broker.
    bounded("list_topics", admin.list_topics(false))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_user_is_an_authentication_error() {
    let k = secure::broker();
    let admin = Admin::new(k.config_for_user("nobody", "x", "SCRAM-SHA-256", &[])).unwrap();
    let err = bounded("describe_cluster", admin.describe_cluster())
        .await
        .expect_err("unknown user");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acls_create_list_delete_round_trip() {
    use ferrokafka_core::admin::{
        AclBinding, AclFilter, AclOperation, AclPermission, AclResourceType, PatternType,
    };
    let k = secure::broker();
    let admin = Admin::new(k.config("admin", None, "SCRAM-SHA-512", &[])).unwrap();
    let prefix = topic("acl");
    let acl = AclBinding {
        resource_type: AclResourceType::Topic,
        resource_name: prefix.clone(),
        pattern_type: PatternType::Prefixed,
        principal: "User:bob".into(),
        host: "*".into(),
        operation: AclOperation::Write,
        permission: AclPermission::Allow,
    };
    bounded("create_acls", admin.create_acls(std::slice::from_ref(&acl)))
        .await
        .unwrap();
    let filter = AclFilter {
        resource_type: AclResourceType::Topic,
        resource_name: Some(prefix.clone()),
        pattern_type: PatternType::Prefixed,
        ..AclFilter::default()
    };
    // ACL changes travel through the metadata log: wait (bounded) until they are visible.
    let listed = bounded("describe_acls", async {
        loop {
            let l = admin.describe_acls(&filter).await.unwrap();
            if !l.is_empty() {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert_eq!(listed, vec![acl.clone()]);

    // A non-super user may not change ACLs.
    let alice = Admin::new(k.config("alice", None, "SCRAM-SHA-512", &[])).unwrap();
    let err = bounded(
        "alice create_acls",
        alice.create_acls(std::slice::from_ref(&acl)),
    )
    .await
    .expect_err("alice has no cluster ALTER");
    assert_eq!(err.kind(), ErrorKind::Authorization, "{err}");
    assert_eq!(err.code(), Some(31), "CLUSTER_AUTHORIZATION_FAILED: {err}");

    let deleted = bounded("delete_acls", admin.delete_acls(&[AclFilter::exact(&acl)]))
        .await
        .unwrap();
    assert_eq!(deleted, vec![acl]);
    bounded("describe_acls after delete", async {
        while !admin.describe_acls(&filter).await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_users_are_created_described_and_deleted() {
    use ferrokafka_core::admin::ScramCredentialAlteration;
    use ferrokafka_core::config::{SaslMechanism, Secret};
    let k = secure::broker();
    let admin = Admin::new(k.config("admin", None, "SCRAM-SHA-512", &[])).unwrap();
    let user = format!("carol-{}", uuid::Uuid::new_v4().simple());
    let upsert = ScramCredentialAlteration::Upsert {
        user: user.clone(),
        mechanism: SaslMechanism::ScramSha512,
        iterations: 8192,
        password: Secret::new("carol-pw"),
    };
    bounded("alter", admin.alter_user_scram_credentials(&[upsert]))
        .await
        .unwrap();
    // Apache Kafka answers the describe from the broker's metadata image, which applies the
    // controller's upsert a moment later: wait (bounded) until the user is described.
    let described = bounded("the upsert is described", async {
        loop {
            let d = admin
                .describe_user_scram_credentials(Some(&[user.as_str()]))
                .await
                .unwrap();
            if !d.is_empty() {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert_eq!(described.len(), 1, "{described:?}");
    assert_eq!(described[0].1[0].mechanism, SaslMechanism::ScramSha512);
    assert_eq!(described[0].1[0].iterations, 8192);

    // The new user authenticates (Metadata needs no ACL).
    let carol = Admin::new(k.config_for_user(&user, "carol-pw", "SCRAM-SHA-512", &[])).unwrap();
    bounded("carol authenticates", async {
        while let Err(e) = carol.list_topics(false).await {
            assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;

    let delete = ScramCredentialAlteration::Delete {
        user: user.clone(),
        mechanism: SaslMechanism::ScramSha512,
    };
    bounded("delete", admin.alter_user_scram_credentials(&[delete]))
        .await
        .unwrap();
    // The deletion reaches the metadata image the same way.
    bounded("the deletion is described", async {
        loop {
            let after = admin
                .describe_user_scram_credentials(Some(&[user.as_str()]))
                .await
                .unwrap();
            if after.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn producer_reports_authentication_failure_not_a_metadata_timeout() {
    let k = secure::broker();
    let producer = Producer::new(k.config(
        "alice",
        Some("Wr0ngPa55"),
        "SCRAM-SHA-512",
        &[("max.block.ms", "30000")],
    ))
    .unwrap();
    let err = bounded(
        "send",
        producer.send(ProducerRecord::new(topic("auth"), "x")),
    )
    .await
    .expect_err("wrong password");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(!err.to_string().contains("Wr0ngPa55"), "{err}");
    // Java's `failed-authentication-total` counts the refused exchange; none succeeded.
    let auth = producer.metrics().authentication;
    assert!(auth.failed_authentication_total >= 1, "{auth:?}");
    assert_eq!(auth.successful_authentication_total, 0, "{auth:?}");
}

/// Successful SASL authentications per client address (`peer=ip:port`, one per TCP
/// connection) in our broker's log (`ferrokafka_broker::security` at debug).
fn authentications_per_peer(log_path: &str) -> std::collections::HashMap<String, usize> {
    let text = std::fs::read_to_string(log_path).unwrap_or_default();
    let mut per_peer = std::collections::HashMap::new();
    for line in text.lines() {
        // Strip ANSI colours so `peer=` reads the same with or without a terminal.
        let mut plain = String::with_capacity(line.len());
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        if !plain.contains("SASL authentication succeeded") {
            continue;
        }
        if let Some(peer) = plain
            .split_whitespace()
            .find_map(|w| w.strip_prefix("peer="))
        {
            *per_peer.entry(peer.to_string()).or_default() += 1;
        }
    }
    per_peer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_reauthenticated_in_band_without_reconnecting() {
    // Our broker (its log shows each connection's authentications) with 8 s sessions. The
    // client re-authenticates at 85-95 % of the lifetime, as Java's does, so a request written
    // just before that point must reach the broker within the remaining 5-15 %: 400-1,200 ms
    // here (3 s sessions left 150-450 ms, which a loaded 2-core CI box overran once).
    let k = secure::start_with(
        &[
            "--target",
            "ferrokafka",
            "--property",
            "connections.max.reauth.ms=8000",
        ],
        &[("RUST_LOG", "info,ferrokafka_broker::security=debug")],
    );
    assert!(!k.broker_log.is_empty());
    let t = topic("reauth");
    let producer = Producer::new(k.config("alice", None, "SCRAM-SHA-512", &[])).unwrap();
    let consumer = Consumer::new(k.config(
        "alice",
        None,
        "SCRAM-SHA-512",
        &[
            ("group.id", &format!("g-{t}")),
            ("auto.offset.reset", "earliest"),
        ],
    ))
    .unwrap();
    consumer.subscribe(&[t.as_str()]).unwrap();
    // Produce and consume until some connection has re-authenticated three times (four
    // authentications on one client address) and the clients' own counters (Java's
    // `successful-reauthentication-total`; a client counts once the broker's answer is read,
    // just after the broker logs it) say so too: several session lifetimes, no timing assumed.
    let client_reauths = || {
        producer
            .metrics()
            .authentication
            .successful_reauthentication_total
            + consumer
                .metrics()
                .authentication
                .successful_reauthentication_total
    };
    let (sent, mut got) = tokio::time::timeout(Duration::from_secs(180), async {
        let (mut sent, mut got) = (0usize, 0usize);
        loop {
            producer
                .send(ProducerRecord::new(&t, format!("v{sent}")))
                .await
                .unwrap_or_else(|e| panic!("send {sent} across re-authentications: {e}"));
            sent += 1;
            got += consumer
                .poll(Duration::from_millis(200))
                .await
                .unwrap_or_else(|e| panic!("poll across re-authentications: {e}"))
                .len();
            let auths = authentications_per_peer(&k.broker_log);
            if got > 0 && auths.values().any(|&n| n >= 4) && client_reauths() >= 3 {
                return (sent, got);
            }
        }
    })
    .await
    .expect("no connection re-authenticated three times (by the broker's log and the clients' counters) within 180 s");
    let auths = authentications_per_peer(&k.broker_log);
    // One connection for the producer, the consumer's fetch and coordinator connections: had
    // the broker closed expired sessions, every lifetime would have added new addresses.
    assert!(auths.len() <= 4, "connections: {auths:?}");
    // Every connection authenticated first and nothing failed; the counters are exported
    // under Java's names.
    let (p, c) = (producer.metrics(), consumer.metrics());
    for m in [&p.authentication, &c.authentication] {
        assert!(m.successful_authentication_total >= 1, "{m:?}");
        assert_eq!(m.failed_authentication_total, 0, "{m:?}");
        assert_eq!(m.failed_reauthentication_total, 0, "{m:?}");
    }
    let exported = |pairs: Vec<(&str, f64)>| {
        pairs
            .into_iter()
            .find(|(k, _)| *k == "successful-reauthentication-total")
            .map(|(_, v)| v as u64)
    };
    assert_eq!(
        exported(p.to_pairs()),
        Some(p.authentication.successful_reauthentication_total)
    );
    assert_eq!(
        exported(c.to_pairs()),
        Some(c.authentication.successful_reauthentication_total)
    );
    while got < sent {
        got += bounded("the rest", consumer.poll(Duration::from_millis(500)))
            .await
            .unwrap()
            .len();
    }
    assert_eq!(got, sent);
    consumer.close().await.unwrap();
    producer.close(Duration::from_secs(10)).await.unwrap();
    // The broker closed no connection for a session that ended without re-authentication.
    let log = std::fs::read_to_string(&k.broker_log).unwrap();
    assert!(!log.contains("session expired"), "a session expired");
}
