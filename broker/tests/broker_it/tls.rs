//! SSL listeners with rustls: an inline PEM keystore and truststore, required client
//! certificates whose subject becomes the principal (`User:CN=alice`, Kafka's default), ACLs
//! decided on that principal and durable across a restart, and bad input on the
//! TLS port (garbage, a plaintext Kafka request, no client certificate) closing only that
//! connection. On SASL_SSL, bad SASL input over TLS (an exchange abandoned midway, an over-long
//! token, a wrong password or mechanism, a half-finished TLS handshake) closes only that
//! connection, and the broker's log output (captured) holds no password or key bytes.
//! Certificates are made here with rcgen.

use std::sync::Arc;

use bytes::BytesMut;
use kafka_protocol::messages::create_acls_request::AclCreation;
use kafka_protocol::messages::{
    ApiVersionsRequest, CreateAclsRequest, DescribeAclsRequest, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

struct Pki {
    ca_pem: String,
    server_key: String,
    server_chain: String,
    ca: rcgen::Certificate,
    ca_key: KeyPair,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(DnType::CommonName, "ferrokafka test CA");
    let ca = p.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let sp = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let server = sp.signed_by(&server_key, &ca, &ca_key).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_key: server_key.serialize_pem(),
        server_chain: server.pem(),
        ca,
        ca_key,
    }
}

/// A client certificate for `CN=<cn>`: (chain, key).
fn client_cert(pki: &Pki, cn: &str) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    let cert = p.signed_by(&key, &pki.ca, &pki.ca_key).unwrap();
    (
        vec![cert.der().clone()],
        PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap(),
    )
}

async fn start(pki: &Pki, dir: &std::path::Path) -> ferrokafka_broker::BrokerHandle {
    ferrokafka_broker::Broker::builder()
        .data_dir(dir)
        .config("listeners", "SSL://127.0.0.1:0")
        .config("ssl.keystore.type", "PEM")
        .config("ssl.keystore.key", pki.server_key.clone())
        .config("ssl.keystore.certificate.chain", pki.server_chain.clone())
        .config("ssl.truststore.type", "PEM")
        .config("ssl.truststore.certificates", pki.ca_pem.clone())
        .config("ssl.client.auth", "required")
        .config(
            "authorizer.class.name",
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        )
        .config("super.users", "User:CN=alice")
        .start()
        .await
        .expect("SSL broker starts")
}

async fn tls_connect(
    pki: &Pki,
    addr: std::net::SocketAddr,
    cert: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pki.ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    let config = match cert {
        Some((chain, key)) => builder.with_client_auth_cert(chain, key).unwrap(),
        None => builder.with_no_client_auth(),
    };
    let tcp = TcpStream::connect(addr).await?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    // TLS 1.3 reports a refused client certificate only on the first read: probe with
    // ApiVersions so a refused handshake shows up here.
    call(&mut tls, &ApiVersionsRequest::default(), 0).await?;
    Ok(tls)
}

async fn call<S: AsyncRead + AsyncWrite + Unpin, R: Request>(
    s: &mut S,
    req: &R,
    version: i16,
) -> std::io::Result<R::Response> {
    let mut body = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(R::KEY)
        .with_request_api_version(version)
        .with_correlation_id(1)
        .encode(&mut body, R::header_version(version))
        .unwrap();
    req.encode(&mut body, version).unwrap();
    s.write_all(&(body.len() as i32).to_be_bytes()).await?;
    s.write_all(&body).await?;
    s.flush().await?;
    let mut len = [0u8; 4];
    tokio::time::timeout(std::time::Duration::from_secs(10), s.read_exact(&mut len))
        .await
        .map_err(|_| std::io::Error::other("no answer in 10 s"))??;
    let mut frame = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut frame).await?;
    let mut frame = bytes::Bytes::from(frame);
    ResponseHeader::decode(&mut frame, R::Response::header_version(version)).unwrap();
    Ok(R::Response::decode(&mut frame, version).unwrap())
}

fn allow_all_topics(principal: &str) -> CreateAclsRequest {
    CreateAclsRequest::default().with_creations(vec![AclCreation::default()
        .with_resource_type(2)
        .with_resource_name(StrBytes::from_static_str("*"))
        .with_resource_pattern_type(3)
        .with_principal(StrBytes::from_string(principal.to_string()))
        .with_host(StrBytes::from_static_str("*"))
        .with_operation(3)
        .with_permission_type(3)])
}

#[tokio::test]
async fn mtls_principal_drives_acls_which_survive_a_restart() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let broker = start(&pki, dir.path()).await;
    let addr = broker.local_addr();

    // alice (a super user by certificate subject) may create ACLs.
    let mut alice = tls_connect(&pki, addr, Some(client_cert(&pki, "alice")))
        .await
        .expect("alice's certificate is accepted");
    let r = call(&mut alice, &allow_all_topics("User:bob"), 3)
        .await
        .unwrap();
    assert_eq!(r.results[0].error_code, 0);

    // bob is not: CLUSTER_AUTHORIZATION_FAILED and nothing created.
    let mut bob = tls_connect(&pki, addr, Some(client_cert(&pki, "bob")))
        .await
        .expect("bob's certificate is accepted");
    let r = call(&mut bob, &allow_all_topics("User:CN=bob"), 3)
        .await
        .unwrap();
    assert_eq!(r.results[0].error_code, 31);

    // Without a client certificate the handshake is refused.
    assert!(tls_connect(&pki, addr, None).await.is_err());

    // Garbage and a plaintext Kafka request on the TLS port: closed, nothing else affected.
    for payload in [
        vec![0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3],
        vec![0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0],
    ] {
        let mut raw = TcpStream::connect(addr).await.unwrap();
        raw.write_all(&payload).await.unwrap();
        let mut buf = [0u8; 512];
        let closed = async {
            loop {
                match raw.read(&mut buf).await {
                    Ok(0) | Err(_) => return true,
                    Ok(_) => continue, // a TLS alert, then EOF
                }
            }
        };
        assert!(
            tokio::time::timeout(std::time::Duration::from_secs(10), closed)
                .await
                .expect("the broker closes a bad TLS connection")
        );
    }
    assert!(call(&mut alice, &ApiVersionsRequest::default(), 3)
        .await
        .is_ok());
    broker.shutdown().await;

    // The ACL is still there after a restart.
    let broker = start(&pki, dir.path()).await;
    let mut alice = tls_connect(&pki, broker.local_addr(), Some(client_cert(&pki, "alice")))
        .await
        .unwrap();
    let d = call(
        &mut alice,
        &DescribeAclsRequest::default()
            .with_resource_type_filter(1)
            .with_resource_name_filter(None)
            .with_principal_filter(None)
            .with_host_filter(None)
            .with_pattern_type_filter(1)
            .with_operation(1)
            .with_permission_type(1),
        3,
    )
    .await
    .unwrap();
    assert_eq!(d.error_code, 0);
    let principals: Vec<String> = d
        .resources
        .iter()
        .flat_map(|r| r.acls.iter().map(|a| a.principal.to_string()))
        .collect();
    assert_eq!(principals, ["User:bob"]);
    broker.shutdown().await;
}

/// The broker's log output on one thread (the test's), captured by a process-wide subscriber:
/// a thread-local one would miss call sites other tests had already cached as disabled.
#[derive(Clone, Default)]
struct Captured {
    text: Arc<std::sync::Mutex<Vec<u8>>>,
    thread: Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>,
}

impl Captured {
    /// Installs the subscriber once and captures what this thread logs from now on.
    fn this_thread() -> Captured {
        static CAPTURE: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
        let cap = CAPTURE.get_or_init(|| {
            let cap = Captured::default();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(cap.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other subscriber in this test binary");
            cap
        });
        *cap.thread.lock().unwrap() = Some(std::thread::current().id());
        cap.clone()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap()).to_string()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The fmt subscriber writes on the thread that logged.
        if *self.thread.lock().unwrap() == Some(std::thread::current().id()) {
            self.text.lock().unwrap().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Sends one frame whose 4-byte length prefix is `len` (and only `body` after it).
async fn send_raw<S: AsyncWrite + Unpin>(s: &mut S, len: i32, body: &[u8]) {
    s.write_all(&len.to_be_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    s.flush().await.unwrap();
}

/// True once the broker closed the stream (EOF or a reset), within 10 s.
async fn closed<S: AsyncRead + Unpin>(s: &mut S) -> bool {
    let mut buf = [0u8; 256];
    let wait = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .unwrap_or(false)
}

fn sasl_handshake(mech: &str) -> kafka_protocol::messages::SaslHandshakeRequest {
    kafka_protocol::messages::SaslHandshakeRequest::default()
        .with_mechanism(StrBytes::from_string(mech.to_string()))
}

fn sasl_token(bytes: Vec<u8>) -> kafka_protocol::messages::SaslAuthenticateRequest {
    kafka_protocol::messages::SaslAuthenticateRequest::default().with_auth_bytes(bytes.into())
}

// Current-thread runtime (tokio::test's default): the broker's tasks log on this thread, so
// capturing this thread's log output captures all of theirs.
#[tokio::test]
async fn bad_sasl_input_over_tls_closes_that_connection_and_logs_no_secret() {
    const PLAIN_PW: &str = "plain-pw-Zq81xk";
    const SCRAM_PW: &str = "scram-pw-Hw52mv";
    const GUESS: &str = "guess-pw-Pn07tc";
    let logs = Captured::this_thread();

    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let jaas = format!(
        r#"org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="{PLAIN_PW}";"#
    );
    let broker = ferrokafka_broker::Broker::builder()
        .data_dir(dir.path())
        .config("listeners", "SASL_SSL://127.0.0.1:0")
        .config("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
        .config("listener.name.sasl_ssl.plain.sasl.jaas.config", jaas)
        .config("ssl.keystore.type", "PEM")
        .config("ssl.keystore.key", pki.server_key.clone())
        .config("ssl.keystore.certificate.chain", pki.server_chain.clone())
        .add_scram(format!("SCRAM-SHA-512=[name=bob,password={SCRAM_PW}]"))
        .start()
        .await
        .expect("SASL_SSL broker starts");
    let addr = broker.local_addr();

    // A client that stays connected through everything below, authenticated at the end.
    let mut good = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut good, &sasl_handshake("PLAIN"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );

    // A TLS handshake abandoned after the ClientHello's first bytes; garbage instead of TLS.
    for payload in [
        &[0x16u8, 0x03, 0x01, 0x02, 0x00, 0x01][..],
        b"GET / HTTP/1.1\r\n\r\n",
    ] {
        let mut raw = TcpStream::connect(addr).await.unwrap();
        raw.write_all(payload).await.unwrap();
        if payload[0] == 0x16 {
            drop(raw); // mid-handshake disconnect
        } else {
            assert!(closed(&mut raw).await, "garbage on the TLS port closes it");
        }
    }

    // SASL exchanges abandoned midway: after the handshake, and after SCRAM's client-first.
    let mut s = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut s, &sasl_handshake("PLAIN"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );
    drop(s);
    let mut s = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut s, &sasl_handshake("SCRAM-SHA-512"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );
    let first = call(
        &mut s,
        &sasl_token(b"n,,n=bob,r=0123456789abcdef".to_vec()),
        2,
    )
    .await
    .unwrap();
    assert_eq!(first.error_code, 0);
    drop(s);

    // An over-long token: a SaslAuthenticate frame beyond sasl.server.max.receive.size
    // (524288, Kafka's default) is refused from its length prefix, as Kafka's authenticator
    // does, without the broker reading (or allocating) the body.
    let mut s = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut s, &sasl_handshake("PLAIN"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );
    send_raw(&mut s, 524_289 + 64, &[0u8; 64]).await;
    assert!(
        closed(&mut s).await,
        "an over-long SASL token closes the connection"
    );

    // A wrong password: SASL_AUTHENTICATION_FAILED naming no secret, then closed.
    let mut s = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut s, &sasl_handshake("PLAIN"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );
    let r = call(
        &mut s,
        &sasl_token(format!("\0alice\0{GUESS}").into_bytes()),
        2,
    )
    .await
    .unwrap();
    assert_eq!(r.error_code, 58);
    let msg = r.error_message.map(|m| m.to_string()).unwrap_or_default();
    assert!(!msg.contains(GUESS) && !msg.contains(PLAIN_PW), "{msg}");
    assert!(closed(&mut s).await);

    // A mechanism not enabled: UNSUPPORTED_SASL_MECHANISM, then closed.
    let mut s = tls_connect(&pki, addr, None).await.unwrap();
    let h = call(&mut s, &sasl_handshake("SCRAM-SHA-256"), 1)
        .await
        .unwrap();
    assert_eq!(h.error_code, 33);
    assert!(closed(&mut s).await);

    // The patient client authenticates and is served; so is a new one.
    let r = call(
        &mut good,
        &sasl_token(format!("\0alice\0{PLAIN_PW}").into_bytes()),
        2,
    )
    .await
    .unwrap();
    assert_eq!(r.error_code, 0, "{:?}", r.error_message);
    assert!(call(&mut good, &ApiVersionsRequest::default(), 3)
        .await
        .is_ok());
    let mut fresh = tls_connect(&pki, addr, None).await.unwrap();
    assert_eq!(
        call(&mut fresh, &sasl_handshake("PLAIN"), 1)
            .await
            .unwrap()
            .error_code,
        0
    );
    broker.shutdown().await;

    // The log shows the failures but no password, JAAS text or key material.
    let text = logs.text();
    assert!(
        text.contains("authentication failed")
            && text.contains("TLS handshake failed")
            && text.contains("exceeds sasl.server.max.receive.size")
            && !text.contains("setting has no effect"),
        "log captured:\n{text}"
    );
    for secret in [PLAIN_PW, SCRAM_PW, GUESS, "user_alice", "BEGIN PRIVATE KEY"] {
        assert!(!text.contains(secret), "{secret:?} in the log:\n{text}");
    }
    for line in pki.server_key.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line), "key bytes in the log:\n{text}");
    }
}
