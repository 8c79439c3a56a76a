//! Client-side bad input around TLS and SASL: SSL pointed at a PLAINTEXT port, PLAINTEXT at a
//! TLS port, an unknown `sasl.mechanism`, an unreadable or non-PEM CA file. Each must end in a
//! typed error whose message says what to change, within the configured timeouts — never a
//! hang. The ports come from `tests/harness/secure_kafka.py` (ours or Apache Kafka, as
//! `FERROKAFKA_TEST_TARGET` says): its SASL_SSL listener and its PLAINTEXT one.

use crate::secure;

use std::time::Duration;

use ferrokafka_core::{Admin, ClientConfig, ErrorKind};

/// Every scenario ends well within this: the clients below give up after 8 s.
const BOUND: Duration = Duration::from_secs(60);

fn config(pairs: &[(&str, &str)]) -> ferrokafka_core::Result<ClientConfig> {
    let mut all = vec![
        ("default.api.timeout.ms", "8000"),
        ("request.timeout.ms", "4000"),
        ("socket.connection.setup.timeout.ms", "4000"),
    ];
    all.extend_from_slice(pairs);
    ClientConfig::from_pairs(all.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

async fn list_topics_error(cfg: ClientConfig) -> ferrokafka_core::Error {
    let admin = Admin::new(cfg).expect("the configuration itself is valid");
    tokio::time::timeout(BOUND, admin.list_topics(false))
        .await
        .expect("the client must give up within its timeouts, not hang")
        .expect_err("the connection cannot work")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_client_on_a_plaintext_port_says_to_check_security_protocol() {
    let k = secure::broker();
    let err = list_topics_error(
        config(&[
            ("bootstrap.servers", &k.internal_bootstrap),
            ("security.protocol", "SSL"),
            ("ssl.ca.location", &k.ca),
        ])
        .unwrap(),
    )
    .await;
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Authentication
        ),
        "{err}"
    );
    assert!(err.to_string().contains("security.protocol"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_client_on_a_tls_port_says_to_check_security_protocol() {
    let k = secure::broker();
    let err = list_topics_error(
        config(&[
            ("bootstrap.servers", &k.bootstrap),
            ("security.protocol", "PLAINTEXT"),
        ])
        .unwrap(),
    )
    .await;
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Config | ErrorKind::Network | ErrorKind::Timeout
        ),
        "{err}"
    );
    assert!(err.to_string().contains("security.protocol"), "{err}");
}

#[test]
fn unknown_sasl_mechanism_is_a_config_error_naming_the_supported_ones() {
    for mech in ["SCRAM-SHA-1", "GSSAPI", "OAUTHBEARER", ""] {
        let err = config(&[
            ("bootstrap.servers", "127.0.0.1:9093"),
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", mech),
            ("sasl.username", "alice"),
            ("sasl.password", "pw"),
        ])
        .expect_err(mech);
        assert_eq!(err.kind(), ErrorKind::Config, "{mech}: {err}");
        let msg = err.to_string();
        assert!(msg.contains("sasl.mechanism"), "{mech}: {msg}");
        assert!(msg.contains("SCRAM-SHA-512"), "{mech}: {msg}");
        assert!(!msg.contains("pw"), "{mech}: {msg}");
    }
}

#[test]
fn unreadable_or_non_pem_ca_file_is_a_config_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("ferrokafka-ca-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.join("missing.pem");
    for path in [&missing, &garbage, &dir] {
        let p = path.display().to_string();
        let cfg = config(&[
            ("bootstrap.servers", "127.0.0.1:9093"),
            ("security.protocol", "SSL"),
            ("ssl.ca.location", &p),
        ]);
        // Rejected when the configuration is read or, at the latest, when the client is built.
        let err = match cfg {
            Err(e) => e,
            Ok(cfg) => Admin::new(cfg).expect_err(&p),
        };
        assert_eq!(err.kind(), ErrorKind::Config, "{p}: {err}");
        let msg = err.to_string();
        assert!(msg.contains("ssl.ca.location"), "{p}: {msg}");
        assert!(msg.contains(&p), "{p}: {msg}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
