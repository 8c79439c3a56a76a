//! `ferrokafka broker [server.properties] [--override key=value]...` — the same shape as
//! `kafka-server-start.sh`. Runs until SIGINT or SIGTERM, then shuts down cleanly.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ferrokafka_broker::{config::parse_override, Broker};

#[derive(Args)]
pub struct BrokerArgs {
    /// A server.properties file (Kafka's format and setting names).
    properties: Option<PathBuf>,
    /// Override one setting, e.g. --override listeners=PLAINTEXT://127.0.0.1:19092
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

pub fn run(args: BrokerArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ferrokafka-broker")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let mut builder = Broker::builder();
        if let Some(p) = &args.properties {
            builder = builder.properties_file(p);
        }
        for o in &args.overrides {
            let (k, v) = parse_override(o)?;
            builder = builder.config(k, v);
        }
        let handle = builder.start().await?;
        println!(
            "ferrokafka broker listening on {} (bootstrap.servers={})",
            handle.local_addr(),
            handle.bootstrap_servers()
        );
        let trigger = handle.shutdown_trigger();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            let _ = trigger.send(true);
        });
        handle.wait().await;
        anyhow::Ok(())
    })
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
