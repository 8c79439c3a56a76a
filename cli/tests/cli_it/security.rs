//! The CLI against a broker with a SASL_SSL listener (SCRAM users, StandardAuthorizer) from
//! `tests/harness/secure_kafka.py` — ours or a real Apache Kafka, as `FERROKAFKA_TEST_TARGET`
//! says, with the same outcomes expected of both: property files (`--command-config`,
//! `--producer.config`, `--consumer.config`) carry the security settings; `acls` and
//! `configs --entity-type users` print what Kafka's tools print.

use crate::common;
use crate::secure;

use std::path::PathBuf;

use common::{run, run_as, unique};

/// A properties file for `user` in a temp dir kept for the whole test binary.
fn props(user: &str, password: &str, extra: &str) -> PathBuf {
    let k = secure::broker();
    let dir = std::env::temp_dir().join(format!("ferrokafka-cli-sec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{user}-{}.properties", unique("p")));
    // The JAAS form and the truststore keys, as a Java operator writes them.
    let text = format!(
        "security.protocol=SASL_SSL\n\
         sasl.mechanism=SCRAM-SHA-512\n\
         sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"{password}\";\n\
         ssl.truststore.type=PEM\n\
         ssl.truststore.location={}\n{extra}",
        k.ca
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn admin_props() -> String {
    let k = secure::broker();
    props("admin", &k.password("admin"), "")
        .display()
        .to_string()
}

#[test]
fn producer_and_consumer_config_files_carry_sasl_ssl() {
    let k = secure::broker();
    let alice = props("alice", &k.password("alice"), "")
        .display()
        .to_string();
    let topic = unique("sec-cli");
    run(
        &[
            "topics",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &alice,
            "--create",
            "--topic",
            &topic,
            "--partitions",
            "1",
        ],
        "",
    )
    .ok();
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &k.bootstrap,
            "--producer.config",
            &alice,
            "--topic",
            &topic,
        ],
        "one\ntwo\n",
    )
    .ok();
    let out = run(
        &[
            "console-consumer",
            "--bootstrap-server",
            &k.bootstrap,
            "--consumer.config",
            &alice,
            "--topic",
            &topic,
            "--from-beginning",
            "--max-messages",
            "2",
            "--group",
            &unique("g"),
        ],
        "",
    )
    .ok();
    assert_eq!(out.lines(), vec!["one", "two"], "{out:?}");
}

#[test]
fn denied_and_unauthenticated_users_get_clear_errors() {
    let k = secure::broker();
    let bob = props("bob", &k.password("bob"), "").display().to_string();
    let out = run(
        &[
            "topics",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &bob,
            "--create",
            "--topic",
            &unique("sec-bob"),
            "--partitions",
            "1",
        ],
        "",
    );
    assert_ne!(out.code, 0, "{out:?}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("TopicAuthorizationFailed (code 29)"),
        "{out:?}"
    );

    let wrong = props("alice", "wrong-password", "").display().to_string();
    let out = run(
        &[
            "topics",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &wrong,
            "--list",
        ],
        "",
    );
    assert_ne!(out.code, 0, "{out:?}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("SASL"), "{out:?}");
    assert!(!text.contains("wrong-password"), "{out:?}");

    let untrusted = props(
        "alice",
        &k.password("alice"),
        &format!("ssl.ca.location={}\n", k.untrusted_ca),
    );
    // ssl.ca.location wins over ssl.truststore.location.
    let untrusted = untrusted.display().to_string();
    let out = run(
        &[
            "topics",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &untrusted,
            "--list",
        ],
        "",
    );
    assert_ne!(out.code, 0, "{out:?}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("not trusted"), "{out:?}");
}

#[test]
fn acls_add_list_remove_like_kafka_acls() {
    let k = secure::broker();
    let admin = admin_props();
    let topic = unique("sec-acl");
    let resource =
        format!("ResourcePattern(resourceType=TOPIC, name={topic}, patternType=LITERAL)");
    let entry = "(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)";
    let out = run_as(
        "kafka-acls.sh",
        &[
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--add",
            "--allow-principal",
            "User:bob",
            "--operation",
            "Read",
            "--topic",
            &topic,
        ],
        "",
    )
    .ok();
    assert_eq!(
        out.stdout,
        format!("Adding ACLs for resource `{resource}`: \n \t{entry}\n\n"),
        "{out:?}"
    );
    // ACLs reach the authorizer through the metadata log: poll (bounded) until listed.
    let expected = format!("Current ACLs for resource `{resource}`:\n\t{entry}\n\n");
    let mut listed = String::new();
    for _ in 0..100 {
        listed = run(
            &[
                "acls",
                "--bootstrap-server",
                &k.bootstrap,
                "--command-config",
                &admin,
                "--list",
                "--topic",
                &topic,
            ],
            "",
        )
        .ok()
        .stdout;
        if !listed.is_empty() {
            break;
        }
    }
    assert_eq!(listed, expected);
    run(
        &[
            "acls",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--remove",
            "--force",
            "--allow-principal",
            "User:bob",
            "--operation",
            "Read",
            "--topic",
            &topic,
        ],
        "",
    )
    .ok();
    let mut after = listed;
    for _ in 0..100 {
        after = run(
            &[
                "acls",
                "--bootstrap-server",
                &k.bootstrap,
                "--command-config",
                &admin,
                "--list",
                "--topic",
                &topic,
            ],
            "",
        )
        .ok()
        .stdout;
        if after.is_empty() {
            break;
        }
    }
    assert_eq!(after, "");

    // A non-super user may not add ACLs.
    let alice = props("alice", &k.password("alice"), "")
        .display()
        .to_string();
    let out = run(
        &[
            "acls",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &alice,
            "--add",
            "--allow-principal",
            "User:bob",
            "--operation",
            "Read",
            "--topic",
            &topic,
        ],
        "",
    );
    assert_ne!(out.code, 0, "{out:?}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("ClusterAuthorizationFailed (code 31)"),
        "{out:?}"
    );
}

#[test]
fn configs_users_manage_scram_credentials() {
    let k = secure::broker();
    let admin = admin_props();
    let user = unique("dave");
    let out = run_as(
        "kafka-configs",
        &[
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--alter",
            "--entity-type",
            "users",
            "--entity-name",
            &user,
            "--add-config",
            "SCRAM-SHA-512=[iterations=8192,password=dave-secret]",
        ],
        "",
    )
    .ok();
    assert_eq!(
        out.stdout,
        format!("Completed updating config for user {user}.\n")
    );
    let out = run(
        &[
            "configs",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--describe",
            "--entity-type",
            "users",
            "--entity-name",
            &user,
        ],
        "",
    )
    .ok();
    assert_eq!(
        out.stdout,
        format!("SCRAM credential configs for user-principal '{user}' are SCRAM-SHA-512=iterations=8192\n")
    );
    // The new user logs in with the CLI (topics --list needs no ACL; it sees no topic).
    let dave = props(&user, "dave-secret", "").display().to_string();
    let mut ok = false;
    for _ in 0..50 {
        let out = run(
            &[
                "topics",
                "--bootstrap-server",
                &k.bootstrap,
                "--command-config",
                &dave,
                "--list",
            ],
            "",
        );
        if out.code == 0 {
            ok = true;
            break;
        }
    }
    assert!(ok, "the new SCRAM user could not log in");
    run(
        &[
            "configs",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--alter",
            "--entity-type",
            "users",
            "--entity-name",
            &user,
            "--delete-config",
            "SCRAM-SHA-512",
        ],
        "",
    )
    .ok();
    let out = run(
        &[
            "configs",
            "--bootstrap-server",
            &k.bootstrap,
            "--command-config",
            &admin,
            "--describe",
            "--entity-type",
            "users",
            "--entity-name",
            &user,
        ],
        "",
    )
    .ok();
    assert_eq!(out.stdout, "");
}
