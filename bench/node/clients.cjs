// The four Node clients of the benchmark behind one small interface, so every client is driven
// by the same loop (bench/node/client_run.cjs). Each adapter is loaded only in its own child
// process; `load(name)` throws with the reason when a client is not installed here.
//
//   producer(brokers)              -> { send(topic, values: Buffer[]) -> Promise, close() }
//   consumer(brokers, topic, group, onMessages(values: Buffer[])) -> { stop() }
//
// Settings shared by every client: acks=1, no compression, no idempotence, a fresh consumer
// group reading from the beginning with no commits. Otherwise each client keeps its defaults, in
// the latency phase too: no client is given a linger (ferrokafka's is 0 when unset, as kafkajs
// and @platformatic send each call at once; @confluentinc/kafka-javascript keeps librdkafka's
// linger.ms 5). ferrokafka gets batchSize 64 KiB (the core's default is Java's 16 KiB; kafkajs
// puts a whole send in one batch).
'use strict'

const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..')
// FERROKAFKA_NODE_PKG points at another build of the package (an A/B against a baseline).
const PKG = process.env.FERROKAFKA_NODE_PKG || path.join(ROOT, 'bindings', 'node')

const CONSUMER_BYTES = { maxBytes: 52428800, maxBytesPerPartition: 10485760 }

// ferrokafka and kafkajs: the kafkajs API itself.
function kafkajsLike(lib, name, producerOptions) {
  return {
    name,
    async producer(brokers) {
      const kafka = new lib.Kafka({ clientId: `bench-${name}`, brokers, logLevel: lib.logLevel.NOTHING })
      const p = kafka.producer(producerOptions)
      await p.connect()
      return {
        send: (topic, values) => p.send({ topic, acks: 1, messages: values.map((value) => ({ value })) }),
        close: () => p.disconnect(),
      }
    },
    async consumer(brokers, topic, groupId, onMessages) {
      const kafka = new lib.Kafka({ clientId: `bench-${name}`, brokers, logLevel: lib.logLevel.NOTHING })
      const c = kafka.consumer({ groupId, ...CONSUMER_BYTES, maxWaitTimeInMs: 500 })
      await c.connect()
      await c.subscribe({ topics: [topic], fromBeginning: true })
      await c.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => onMessages(batch.messages.map((m) => m.value)),
      })
      return { stop: () => c.disconnect() }
    },
  }
}

function confluent() {
  const { KafkaJS } = require('@confluentinc/kafka-javascript')
  const { Kafka, logLevel } = KafkaJS
  const base = (brokers) => ({ kafkaJS: { clientId: 'bench-confluent', brokers, logLevel: logLevel.NOTHING } })
  return {
    name: '@confluentinc/kafka-javascript',
    async producer(brokers) {
      const p = new Kafka(base(brokers)).producer({ kafkaJS: { acks: 1 } })
      await p.connect()
      return {
        send: (topic, values) => p.send({ topic, messages: values.map((value) => ({ value })) }),
        close: () => p.disconnect(),
      }
    },
    async consumer(brokers, topic, groupId, onMessages) {
      const c = new Kafka(base(brokers)).consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } })
      await c.connect()
      await c.subscribe({ topics: [topic] })
      await c.run({ eachBatch: async ({ batch }) => onMessages(batch.messages.map((m) => m.value)) })
      return { stop: () => c.disconnect() }
    },
  }
}

function platformatic() {
  const pk = require('@platformatic/kafka')
  return {
    name: '@platformatic/kafka',
    async producer(brokers) {
      const p = new pk.Producer({ clientId: 'bench-platformatic', bootstrapBrokers: brokers, acks: 1, idempotent: false, autocreateTopics: false })
      return {
        send: (topic, values) => p.send({ messages: values.map((value) => ({ topic, value })) }),
        close: () => p.close(),
      }
    },
    async consumer(brokers, topic, groupId, onMessages) {
      const c = new pk.Consumer({ groupId, clientId: 'bench-platformatic', bootstrapBrokers: brokers })
      const stream = await c.consume({
        topics: [topic],
        mode: pk.MessagesStreamModes.EARLIEST,
        autocommit: false,
        ...CONSUMER_BYTES,
        maxWaitTime: 500,
      })
      stream.on('data', (m) => onMessages([m.value]))
      return {
        stop: async () => {
          await stream.close()
          await c.close(true)
        },
      }
    },
  }
}

const CLIENTS = {
  // FERROKAFKA_PRODUCER_OPTIONS='{"lingerMs":5}' adds producer options (an A/B of settings).
  ferrokafka: () =>
    kafkajsLike(require(PKG), 'ferrokafka', { batchSize: 65536, acks: 1, ...JSON.parse(process.env.FERROKAFKA_PRODUCER_OPTIONS || '{}') }),
  kafkajs: () => kafkajsLike(require('kafkajs'), 'kafkajs', {}),
  confluent,
  platformatic,
}

function load(name) {
  const make = CLIENTS[name]
  if (!make) throw new Error(`unknown client ${name}; one of ${Object.keys(CLIENTS).join(', ')}`)
  return make()
}

module.exports = { load, CLIENT_NAMES: Object.keys(CLIENTS) }
