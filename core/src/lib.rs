//! ferrokafka-core: the client.
