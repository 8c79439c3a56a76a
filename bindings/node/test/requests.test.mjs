// How connecting to an unreachable broker fails, and kafkajs's network instrumentation events (`producer.network.request`,
// `consumer.network.request`, `admin.network.request_timeout`, ...) from ferrokafka and from the
// real kafkajs against the same broker: the same payload keys in the same order with the same
// types, API names from kafkajs's table, one event per request while a listener is registered
// and none after it is removed.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { bundledBroker, eventually, ferrokafka, kafkajs, sleep, uniqueName } from './common.mjs'

const broker = bundledBroker()

function kafkaOf(lib, brokers, extra = {}) {
  return new lib.Kafka({ clientId: 'req-events', brokers, logLevel: lib.logLevel.NOTHING, ...extra })
}

/** `{ keys, types }` of a payload: what must match kafkajs whatever the timing. */
function shape(p) {
  return { keys: Object.keys(p), types: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v])) }
}

/** A new one-partition topic, created with `kafka`'s admin. */
async function newTopic(kafka, prefix) {
  const admin = kafka.admin()
  await admin.connect()
  const topic = uniqueName(prefix)
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
  return topic
}

/** Produces 3 records with a REQUEST listener registered before connect; returns its events. */
async function producerRequests(lib) {
  const kafka = kafkaOf(lib, broker.brokers)
  const topic = await newTopic(kafka, 'req')
  const producer = kafka.producer()
  const seen = []
  const remove = producer.on(producer.events.REQUEST, (e) => seen.push(e))
  await producer.connect()
  for (let i = 0; i < 3; i++) await producer.send({ topic, messages: [{ value: `v${i}` }] })
  await eventually(() => seen.filter((e) => e.payload.apiName === 'Produce').length >= 3, 'three Produce events')
  remove()
  const count = seen.length
  await producer.send({ topic, messages: [{ value: 'after' }] })
  await sleep(200)
  const after = seen.length - count
  await producer.disconnect()
  return { seen, after }
}

test('producer.network.request: the payload kafkajs emits, once per request, none after removal', async () => {
  const theirs = await producerRequests(kafkajs)
  const ours = await producerRequests(ferrokafka)
  const produce = (r) => r.seen.find((e) => e.payload.apiName === 'Produce')
  assert.deepEqual(shape(produce(ours).payload), shape(produce(theirs).payload))
  assert.deepEqual(Object.keys(produce(ours)), Object.keys(produce(theirs)))
  assert.equal(produce(ours).type, 'producer.network.request')
  for (const { payload: p } of ours.seen) {
    assert.equal(p.clientId, 'req-events')
    assert.match(p.broker, /^.+:\d+$/)
    assert.ok(p.size > 0 && p.duration >= 0 && p.sentAt >= p.createdAt, JSON.stringify(p))
    assert.equal(p.pendingDuration, p.sentAt - p.createdAt)
  }
  // Every API both clients name has kafkajs's name (Metadata, Produce, ...).
  const names = (r) => new Set(r.seen.map((e) => e.payload.apiName))
  for (const n of ['Metadata', 'Produce']) {
    assert.ok(names(theirs).has(n) && names(ours).has(n), `${n}: ${[...names(ours)]}`)
  }
  // One event per request: three awaited sends, three Produce requests.
  const produces = (r) => r.seen.filter((e) => e.payload.apiName === 'Produce').length
  assert.equal(produces(theirs), 3)
  assert.equal(produces(ours), 3)
  assert.equal(theirs.after, 0)
  assert.equal(ours.after, 0, 'no events once the listener is removed')
})

test('consumer.network.request names the group and fetch requests with kafkajs names', async () => {
  const kafka = kafkaOf(ferrokafka, broker.brokers)
  const topic = await newTopic(kafka, 'req-c')
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ value: 'x' }] })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: uniqueName('req-g') })
  const names = new Set()
  consumer.on(consumer.events.REQUEST, (e) => names.add(e.payload.apiName))
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let got = 0
  await consumer.run({ eachMessage: async () => { got++ } })
  await eventually(() => got >= 1, 'the record consumed')
  await consumer.disconnect()
  // FindCoordinator is kafkajs's GroupCoordinator.
  for (const n of ['GroupCoordinator', 'JoinGroup', 'SyncGroup', 'Fetch']) assert.ok(names.has(n), `${n} in ${[...names]}`)
  assert.ok(!names.has('FindCoordinator'))
})

/** A broker that accepts connections and never answers. */
async function silentBroker() {
  const sockets = []
  const server = net.createServer((s) => sockets.push(s))
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    brokers: [`127.0.0.1:${server.address().port}`],
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

async function timeoutEvent(lib) {
  const silent = await silentBroker()
  try {
    // maxRetryTime bounds ferrokafka's whole connect (default.api.timeout.ms); kafkajs gives up
    // after its one attempt.
    const kafka = kafkaOf(lib, silent.brokers, { requestTimeout: 300, connectionTimeout: 1000, retry: { retries: 0, maxRetryTime: 1500 } })
    const admin = kafka.admin()
    let event
    admin.on(admin.events.REQUEST_TIMEOUT, (e) => (event ??= e))
    await assert.rejects(admin.connect())
    await eventually(() => event, 'a request_timeout event', 10_000)
    await admin.disconnect()
    return { event, broker: silent.brokers[0] }
  } finally {
    silent.close()
  }
}

test('admin.network.request_timeout: the payload kafkajs emits for a request nobody answers', async () => {
  const theirs = await timeoutEvent(kafkajs)
  const ours = await timeoutEvent(ferrokafka)
  assert.equal(ours.event.type, 'admin.network.request_timeout')
  assert.deepEqual(shape(ours.event.payload), shape(theirs.event.payload))
  assert.equal(ours.event.payload.apiName, theirs.event.payload.apiName, 'ApiVersions: the first request on a connection')
  assert.equal(ours.event.payload.broker, ours.broker)
  assert.equal(theirs.event.payload.broker, theirs.broker)
})

/** What connect() of each client kind rejects with when nothing listens at the broker address. */
async function unreachable(lib) {
  const s = net.createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  const broker = `127.0.0.1:${s.address().port}`
  s.close()
  const kafka = kafkaOf(lib, [broker], { retry: { retries: 2, initialRetryTime: 100 } })
  const out = {}
  for (const kind of ['admin', 'producer', 'consumer']) {
    const c = kind === 'admin' ? kafka.admin() : kind === 'producer' ? kafka.producer() : kafka.consumer({ groupId: 'g' })
    const e = await c.connect().then(() => null, (err) => err)
    assert.ok(e, `${kind} connect must fail`)
    const c2 = e.cause
    out[kind] = {
      name: e.name,
      message: e.message.replace(broker, 'BROKER'),
      retryCount: e.retryCount,
      retryTime: typeof e.retryTime,
      retriable: e.retriable,
      nonRetriable: e instanceof lib.KafkaJSNonRetriableError,
      cause: { name: c2?.name, message: c2?.message.replace(broker, 'BROKER'), code: c2?.code, broker: c2?.broker === broker, connection: c2 instanceof lib.KafkaJSConnectionError },
    }
  }
  return out
}

test('connect to an unreachable broker: KafkaJSNumberOfRetriesExceeded caused by the refused connection, as kafkajs', async () => {
  const theirs = await unreachable(kafkajs)
  const ours = await unreachable(ferrokafka)
  assert.equal(theirs.admin.name, 'KafkaJSNumberOfRetriesExceeded')
  assert.deepEqual(ours, theirs)
})
