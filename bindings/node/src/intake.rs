//! The producer's ordered intake: packed sends leave Node's thread as soon as their bytes are
//! copied, and one task on the core's runtime unpacks them and enqueues their records into the
//! core producer strictly in call order. Enqueueing (partitioning, appending to a batch) costs
//! about a microsecond a record; done on the JS thread it capped a Node producer at roughly a
//! million records a second of nothing else. A barrier job lets `flush`/`close` wait until every
//! earlier send is enqueued before they act, so they cover exactly the sends made before them.

use ferrokafka_core::Producer;
use tokio::sync::{mpsc, oneshot};

use crate::convert::Delivery;
use crate::error::to_napi;
use crate::outgoing::{note_first, unpack};

/// One packed send, copied off the JS heap.
pub struct PackedSend {
    pub topics: Vec<String>,
    pub layout: Vec<i32>,
    pub data: bytes::Bytes,
    pub timestamps: Option<Vec<f64>>,
}

pub type SendReply = oneshot::Sender<napi::Result<Vec<Delivery>>>;

enum Job {
    Send(PackedSend, SendReply),
    /// Answered once every earlier job is enqueued.
    Barrier(oneshot::Sender<()>),
}

/// The sending side kept by `NativeProducer`; the task ends when it is dropped.
pub struct Intake {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Intake {
    /// Starts the intake task for `producer` on the core's runtime.
    pub fn start(producer: Producer) -> Intake {
        let (jobs, rx) = mpsc::unbounded_channel();
        ferrokafka_core::runtime().spawn(run(producer, rx));
        Intake { jobs }
    }

    /// Queues a send; the answer comes on the returned receiver.
    pub fn send(&self, packed: PackedSend) -> oneshot::Receiver<napi::Result<Vec<Delivery>>> {
        let (tx, rx) = oneshot::channel();
        // If the task is gone, `tx` is dropped with the job and the receiver reports it.
        let _ = self.jobs.send(Job::Send(packed, tx));
        rx
    }

    /// Resolves once every send queued before this call is enqueued in the core producer.
    pub async fn barrier(&self) {
        let (tx, rx) = oneshot::channel();
        if self.jobs.send(Job::Barrier(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

async fn run(producer: Producer, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        match job {
            Job::Barrier(done) => {
                let _ = done.send(());
            }
            Job::Send(p, reply) => {
                let records = match unpack(&p.topics, &p.layout, p.data, p.timestamps.as_deref()) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        continue;
                    }
                };
                let futures = producer.send_batch(records);
                // Waiting for the acknowledgements must not hold up the next send.
                ferrokafka_core::runtime().spawn(async move {
                    let mut out = Vec::new();
                    let mut first_err = None;
                    for f in futures {
                        match f.await {
                            Ok(m) => note_first(&mut out, m),
                            Err(e) => {
                                first_err.get_or_insert(e);
                            }
                        }
                    }
                    let _ = reply.send(match first_err {
                        Some(e) => Err(to_napi(e)),
                        None => Ok(out),
                    });
                });
            }
        }
    }
}
