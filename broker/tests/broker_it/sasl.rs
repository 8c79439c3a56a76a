//! SASL on SASL_PLAINTEXT listeners, judged at the protocol level: SaslHandshake v0/v1 and
//! SaslAuthenticate for PLAIN, the principal and session lifetime, and every way a bad client
//! is turned away (request before authentication, wrong password, wrong mechanism, an
//! over-long token, an exchange aborted midway) without affecting other connections. SCRAM
//! end to end is judged by librdkafka and the Java client in tests/interop/python/test_security.py.

use crate::common;

use bytes::Bytes;
use common::{start_broker_with, RawClient, TestBroker};
use kafka_protocol::messages::{
    AlterUserScramCredentialsRequest, ApiVersionsRequest, DescribeUserScramCredentialsRequest,
    MetadataRequest, SaslAuthenticateRequest, SaslHandshakeRequest,
};
use kafka_protocol::protocol::StrBytes;

const JAAS: &str = r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";"#;

async fn sasl_broker(extra: &[(&str, &str)]) -> TestBroker {
    let mut settings = vec![
        ("listeners", "SASL_PLAINTEXT://127.0.0.1:0"),
        ("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"),
        ("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS),
    ];
    settings.extend_from_slice(extra);
    start_broker_with(&settings).await
}

fn handshake(mech: &str) -> SaslHandshakeRequest {
    SaslHandshakeRequest::default().with_mechanism(StrBytes::from_string(mech.to_string()))
}

fn plain_token(user: &str, password: &str) -> Bytes {
    Bytes::from(format!("\0{user}\0{password}").into_bytes())
}

#[tokio::test]
async fn plain_v1_authenticates_and_reports_the_session_lifetime() {
    let broker = sasl_broker(&[("connections.max.reauth.ms", "600000")]).await;
    let mut c = RawClient::connect(broker.handle.local_addr()).await;
    let v = c.call(&ApiVersionsRequest::default(), 3).await;
    assert_eq!(v.error_code, 0);
    assert!(
        v.api_keys.iter().any(|k| k.api_key == 17),
        "SaslHandshake advertised"
    );
    let h = c.call(&handshake("PLAIN"), 1).await;
    assert_eq!(h.error_code, 0);
    assert_eq!(h.mechanisms.len(), 2);
    let a = c
        .call(
            &SaslAuthenticateRequest::default()
                .with_auth_bytes(plain_token("alice", "alice-secret")),
            2,
        )
        .await;
    assert_eq!(a.error_code, 0, "{:?}", a.error_message);
    assert_eq!(a.session_lifetime_ms, 600000);
    let md = c.call(&MetadataRequest::default(), 9).await;
    assert_eq!(md.brokers.len(), 1);
}

#[tokio::test]
async fn plain_v0_handshake_exchanges_bare_tokens() {
    let broker = sasl_broker(&[]).await;
    let mut c = RawClient::connect(broker.handle.local_addr()).await;
    assert_eq!(c.call(&handshake("PLAIN"), 0).await.error_code, 0);
    c.send_frame(&plain_token("admin", "admin-secret")).await;
    let reply = c.read_frame().await.expect("an empty token back");
    assert!(reply.is_empty());
    let md = c.call(&MetadataRequest::default(), 9).await;
    assert_eq!(md.brokers.len(), 1);

    // A wrong password on v0 closes the connection.
    let mut bad = RawClient::connect(broker.handle.local_addr()).await;
    assert_eq!(bad.call(&handshake("PLAIN"), 0).await.error_code, 0);
    bad.send_frame(&plain_token("admin", "nope")).await;
    assert!(bad.closed_by_broker().await);
}

#[tokio::test]
async fn bad_clients_are_closed_and_others_carry_on() {
    let broker = sasl_broker(&[]).await;
    let addr = broker.handle.local_addr();
    let mut good = RawClient::connect(addr).await;
    assert_eq!(good.call(&handshake("PLAIN"), 1).await.error_code, 0);

    // A request before authentication: closed without an answer.
    let mut early = RawClient::connect(addr).await;
    let mut frame = bytes::BytesMut::new();
    {
        use kafka_protocol::messages::RequestHeader;
        use kafka_protocol::protocol::Encodable;
        RequestHeader::default()
            .with_request_api_key(3)
            .with_request_api_version(9)
            .with_correlation_id(1)
            .encode(&mut frame, 2)
            .unwrap();
        MetadataRequest::default().encode(&mut frame, 9).unwrap();
    }
    early.send_frame(&frame).await;
    assert!(early.closed_by_broker().await);

    // A wrong password: SASL_AUTHENTICATION_FAILED, then closed; the message names no secret.
    let mut wrong = RawClient::connect(addr).await;
    assert_eq!(wrong.call(&handshake("PLAIN"), 1).await.error_code, 0);
    let a = wrong
        .call(
            &SaslAuthenticateRequest::default().with_auth_bytes(plain_token("alice", "guess-1")),
            1,
        )
        .await;
    assert_eq!(a.error_code, 58);
    let msg = a.error_message.unwrap().to_string();
    assert!(
        !msg.contains("guess-1") && !msg.contains("alice-secret"),
        "{msg}"
    );
    assert!(wrong.closed_by_broker().await);

    // A mechanism not enabled: UNSUPPORTED_SASL_MECHANISM with the enabled list, then closed.
    let mut mech = RawClient::connect(addr).await;
    let h = mech.call(&handshake("GSSAPI"), 1).await;
    assert_eq!(h.error_code, 33);
    assert_eq!(
        h.mechanisms
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>(),
        ["PLAIN", "SCRAM-SHA-512"]
    );
    assert!(mech.closed_by_broker().await);

    // An over-long token (beyond sasl.server.max.receive.size): closed.
    let mut long = RawClient::connect(addr).await;
    assert_eq!(long.call(&handshake("PLAIN"), 0).await.error_code, 0);
    long.stream
        .try_write(&(10_000_000i32).to_be_bytes())
        .expect("write a length prefix");
    assert!(long.closed_by_broker().await);

    // A SCRAM exchange aborted midway with garbage: closed.
    let mut scram = RawClient::connect(addr).await;
    assert_eq!(
        scram.call(&handshake("SCRAM-SHA-512"), 1).await.error_code,
        0
    );
    let first = scram
        .call(
            &SaslAuthenticateRequest::default()
                .with_auth_bytes(Bytes::from_static(b"n,,n=alice,r=abcdefgh")),
            1,
        )
        .await;
    assert_eq!(first.error_code, 0);
    let second = scram
        .call(
            &SaslAuthenticateRequest::default()
                .with_auth_bytes(Bytes::from_static(b"\xff\x00junk")),
            1,
        )
        .await;
    assert_eq!(second.error_code, 58);
    assert!(scram.closed_by_broker().await);

    // The well-behaved connection is unaffected.
    let a = good
        .call(
            &SaslAuthenticateRequest::default()
                .with_auth_bytes(plain_token("alice", "alice-secret")),
            1,
        )
        .await;
    assert_eq!(a.error_code, 0);
    assert_eq!(
        good.call(&MetadataRequest::default(), 9)
            .await
            .brokers
            .len(),
        1
    );
}

#[tokio::test]
async fn sasl_requests_on_a_plaintext_listener_get_illegal_sasl_state() {
    let broker = start_broker_with(&[]).await;
    let mut c = RawClient::connect(broker.handle.local_addr()).await;
    assert_eq!(c.call(&handshake("PLAIN"), 1).await.error_code, 34);
}

#[tokio::test]
async fn scram_credentials_from_add_scram_and_the_admin_api_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = |specs: Vec<&'static str>| {
        let mut b = ferrokafka_broker::Broker::builder()
            .data_dir(dir.path())
            .listen("127.0.0.1:0");
        for s in specs {
            b = b.add_scram(s);
        }
        b.start()
    };
    let handle = start(vec!["SCRAM-SHA-512=[name=alice,password=alice-secret]"])
        .await
        .unwrap();
    let mut c = RawClient::connect(handle.local_addr()).await;
    use kafka_protocol::messages::alter_user_scram_credentials_request::{
        ScramCredentialDeletion, ScramCredentialUpsertion,
    };
    let alter = AlterUserScramCredentialsRequest::default()
        .with_upsertions(vec![
            ScramCredentialUpsertion::default()
                .with_name(StrBytes::from_static_str("bob"))
                .with_mechanism(1)
                .with_iterations(8192)
                .with_salt(Bytes::from_static(b"0123456789abcdef"))
                .with_salted_password(Bytes::from(vec![7u8; 32])),
            ScramCredentialUpsertion::default()
                .with_name(StrBytes::from_static_str("carol"))
                .with_mechanism(2)
                .with_iterations(100)
                .with_salt(Bytes::from_static(b"salt"))
                .with_salted_password(Bytes::from(vec![7u8; 64])),
        ])
        .with_deletions(vec![ScramCredentialDeletion::default()
            .with_name(StrBytes::from_static_str("nobody"))
            .with_mechanism(2)]);
    let r = c.call(&alter, 0).await;
    let codes: Vec<(String, i16)> = r
        .results
        .iter()
        .map(|r| (r.user.to_string(), r.error_code))
        .collect();
    assert_eq!(
        codes,
        [
            ("nobody".into(), 91),
            ("bob".into(), 0),
            ("carol".into(), 93)
        ]
    );
    handle.shutdown().await;

    let handle = start(vec![]).await.unwrap();
    let mut c = RawClient::connect(handle.local_addr()).await;
    let d = c
        .call(&DescribeUserScramCredentialsRequest::default(), 0)
        .await;
    let mut users: Vec<(String, Vec<(i8, i32)>)> = d
        .results
        .iter()
        .map(|r| {
            (
                r.user.to_string(),
                r.credential_infos
                    .iter()
                    .map(|i| (i.mechanism, i.iterations))
                    .collect(),
            )
        })
        .collect();
    users.sort();
    assert_eq!(
        users,
        [
            ("alice".into(), vec![(2, 4096)]),
            ("bob".into(), vec![(1, 8192)])
        ]
    );
    let stored =
        std::fs::read_to_string(dir.path().join("__ferrokafka/scram-credentials.json")).unwrap();
    assert!(!stored.contains("alice-secret"));
    handle.shutdown().await;
}
