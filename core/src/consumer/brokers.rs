//! The brokers this consumer knows from its metadata, read without a request: kafkajs's consumer
//! names one fetch per broker in its `consumer.fetch_start` / `consumer.fetch` events, and the
//! Node binding reports the same node ids. Also the consumer's request observer (kafkajs's
//! `consumer.network.request` events).

use super::Consumer;
use crate::connection::RequestObserver;

impl Consumer {
    /// Node ids of the brokers in the consumer's current metadata, ascending (empty before the
    /// first metadata answer).
    pub fn broker_ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self
            .inner
            .cluster
            .metadata()
            .brokers
            .keys()
            .copied()
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Sets (or with `None` removes) the observer of every request this consumer's connections
    /// finish (see [`crate::Cluster::set_request_observer`]).
    pub fn set_request_observer(&self, observer: Option<RequestObserver>) {
        self.inner.cluster.set_request_observer(observer);
    }
}
