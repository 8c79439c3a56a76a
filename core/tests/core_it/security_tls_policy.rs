//! Kafka's TLS version and cipher-suite settings on both ends: a broker (ours or Apache Kafka, as
//! `FERROKAFKA_TEST_TARGET` says) whose server.properties set `ssl.enabled.protocols=TLSv1.2`
//! and one cipher suite, and core clients with `ssl.enabled.protocols`, `ssl.protocol` and
//! `ssl.cipher.suites`. A client that shares a version and a suite with the broker works; one
//! that shares none fails at once with an authentication error saying which settings to compare.

use crate::secure::{self, SecureBroker};

use std::sync::OnceLock;
use std::time::Duration;

use ferrokafka_core::{Admin, ErrorKind};

const BROKER_SUITE: &str = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

/// The harness keystore is EC P-256, so the broker's one suite is an ECDSA one.
fn broker() -> &'static SecureBroker {
    static B: OnceLock<SecureBroker> = OnceLock::new();
    B.get_or_init(|| {
        secure::start_with(
            &[
                "--property",
                "ssl.enabled.protocols=TLSv1.2",
                "--property",
                &format!("ssl.cipher.suites={BROKER_SUITE}"),
            ],
            &[],
        )
    })
}

async fn list_topics(extra: &[(&str, &str)]) -> ferrokafka_core::Result<Vec<String>> {
    let mut all = vec![
        ("default.api.timeout.ms", "10000"),
        ("request.timeout.ms", "5000"),
        ("socket.connection.setup.timeout.ms", "5000"),
    ];
    all.extend_from_slice(extra);
    let cfg = broker().config("alice", None, "SCRAM-SHA-512", &all);
    let admin = Admin::new(cfg)?;
    let out = tokio::time::timeout(Duration::from_secs(60), admin.list_topics(false))
        .await
        .expect("the client must give up within its timeouts, not hang");
    admin.close();
    out
}

fn assert_no_common_ground(err: &ferrokafka_core::Error) {
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(
        err.to_string()
            .contains("share no TLS protocol version or cipher suite"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_share_a_version_and_a_suite_with_the_broker_connect() {
    // Defaults: TLS 1.3 and 1.2 offered, every suite; the broker picks 1.2 and its one suite.
    list_topics(&[]).await.expect("a default client connects");
    list_topics(&[
        ("ssl.protocol", "TLSv1.2"),
        ("ssl.enabled.protocols", "TLSv1.2"),
        (
            "ssl.cipher.suites",
            &format!("TLS_AES_128_GCM_SHA256,{BROKER_SUITE}"),
        ),
    ])
    .await
    .expect("a client naming the broker's version and suite connects");
    // OpenSSL's name of the same suite, as librdkafka and Node spell it.
    list_topics(&[("ssl.cipher.suites", "ECDHE-ECDSA-AES256-GCM-SHA384")])
        .await
        .expect("OpenSSL's name of the broker's suite works too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_limited_to_tls13_is_told_to_compare_the_protocol_settings() {
    let err = list_topics(&[("ssl.enabled.protocols", "TLSv1.3")])
        .await
        .expect_err("the broker speaks TLS 1.2 only");
    assert_no_common_ground(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_the_brokers_suite_is_told_to_compare_the_suites() {
    let err = list_topics(&[(
        "ssl.cipher.suites",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
    )])
    .await
    .expect_err("the client offers none of the broker's suites");
    assert_no_common_ground(&err);
}

#[test]
fn unusable_settings_are_config_errors_naming_the_key() {
    let cases = [
        ("ssl.enabled.protocols", "TLSv1.1"),
        ("ssl.enabled.protocols", "TLSv9"),
        ("ssl.protocol", "QUIC"),
        ("ssl.cipher.suites", "TLS_RSA_WITH_RC4_128_MD5"),
    ];
    for (key, value) in cases {
        let err =
            ferrokafka_core::ClientConfig::from_pairs([("security.protocol", "SSL"), (key, value)])
                .expect_err(value);
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.to_string().contains(key), "{key}: {err}");
    }
}
