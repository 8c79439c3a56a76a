//! Test helpers shared by the CLI suites: an in-process broker (`EmbeddedBroker`) in a temp
//! directory, a real single-node Apache Kafka (`tests/harness/kafka_cluster.py`), and running the built `ferrokafka` binary (as a subcommand or through a link
//! named like Kafka's script) with stdin, capturing stdout, stderr and the exit code.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ferrokafka_broker::{Broker, EmbeddedBroker};

pub const BIN: &str = env!("CARGO_BIN_EXE_ferrokafka");

pub struct TestBroker {
    pub broker: EmbeddedBroker,
    _dir: tempfile::TempDir,
}

impl TestBroker {
    pub fn start() -> TestBroker {
        let dir = tempfile::tempdir().expect("temp dir");
        let broker = EmbeddedBroker::start(
            Broker::builder()
                .data_dir(dir.path())
                .listen("127.0.0.1:0")
                .config("group.initial.rebalance.delay.ms", "0"),
        )
        .expect("broker starts");
        TestBroker { broker, _dir: dir }
    }

    pub fn bootstrap(&self) -> String {
        self.broker.bootstrap_servers().to_string()
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        self.broker.stop();
    }
}

/// A single-node Apache Kafka 4.3.1 started by `tests/harness/kafka_cluster.py` (the jars
/// `scripts/fetch-kafka.sh` caches, a JVM); it stops when this value drops (its stdin closes).
pub struct ApacheKafka {
    pub bootstrap: String,
    _child: std::process::Child,
}

impl ApacheKafka {
    pub fn start() -> ApacheKafka {
        use std::io::{BufRead, BufReader};
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut child = Command::new("python3")
            .arg(format!("{root}/tests/harness/kafka_cluster.py"))
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tests/harness/kafka_cluster.py must be runnable with python3");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let bootstrap = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("READY ").map(str::to_string));
        // Keep draining stdout so the harness never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let Some(bootstrap) = bootstrap else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kafka_cluster.py exited before printing READY (see its stderr)");
        };
        ApacheKafka {
            bootstrap,
            _child: child,
        }
    }
}

/// What a run of the binary printed.
#[derive(Debug)]
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Out {
    pub fn ok(self) -> Out {
        assert_eq!(self.code, 0, "command failed: {self:?}");
        self
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs `ferrokafka <args>` with `stdin`; bounded to two minutes so a hang fails the test.
pub fn run(args: &[&str], stdin: &str) -> Out {
    run_program(BIN.into(), args, stdin)
}

/// Runs the binary through a symlink named `name` (e.g. `kafka-topics.sh`).
pub fn run_as(name: &str, args: &[&str], stdin: &str) -> Out {
    run_program(link_dir().join(name), args, stdin)
}

fn run_program(program: PathBuf, args: &[&str], stdin: &str) -> Out {
    let mut cmd = Command::new(program);
    cmd.args(args);
    spawn_and_wait(cmd, stdin, &format!("{args:?}"))
}

/// Runs a shell line (`sh -c`) with the Kafka-named links first on PATH.
pub fn run_shell(line: &str, cwd: &std::path::Path) -> Out {
    let dir = link_dir();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(line).env("PATH", path).current_dir(cwd);
    spawn_and_wait(cmd, "", line)
}

/// A directory holding `kafka-topics`, `kafka-topics.sh`, ... links to the binary.
pub fn link_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrokafka-cli-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for tool in [
        "kafka-topics",
        "kafka-acls",
        "kafka-console-producer",
        "kafka-console-consumer",
        "kafka-consumer-groups",
        "kafka-configs",
        "kafka-get-offsets",
        "kafka-delete-records",
        "kafka-log-dirs",
        "kafka-broker-api-versions",
        "kafka-producer-perf-test",
        "kafka-consumer-perf-test",
    ] {
        for name in [tool.to_string(), format!("{tool}.sh")] {
            let link = dir.join(name);
            if !link.exists() {
                #[cfg(unix)]
                let _ = std::os::unix::fs::symlink(BIN, &link);
            }
        }
    }
    dir
}

/// Spawns, feeds stdin, and waits at most two minutes (reading output on a thread, so a
/// large output never blocks the child); a hang kills the child and fails the test.
fn spawn_and_wait(mut cmd: Command, stdin: &str, what: &str) -> Out {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ferrokafka");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.as_bytes().to_vec();
    std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{what} did not finish within 120 s");
        }
    };
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A name unique within this test process.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Rows of a Kafka table (header starting with `first`), as column -> value maps.
pub fn table(out: &str, first: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = out.lines().skip_while(|l| !l.starts_with(first));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let cols: Vec<&str> = header.split_whitespace().collect();
    lines
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            cols.iter()
                .map(|c| c.to_string())
                .zip(l.split_whitespace().map(str::to_string))
                .collect()
        })
        .collect()
}
