// Requests in flight on the producer's connection, counted on the wire: a proxy between the
// client and the bundled broker (which advertises the proxy) forwards every request at once but
// holds the broker's answers, so the Produce requests that reach it before the first answer is
// released are the ones the producer dared to have in flight. kafkajs puts no cap on them unless
// maxInFlightRequests is set; ferrokafka's batches go out the same way.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'

import { client, startBroker, uniqueName, eventually, sleep } from './common.mjs'

const PRODUCE = 0

/** A TCP proxy to `upstreamPort` that counts Produce requests and can hold the answers. */
function holdingProxy() {
  const proxy = { port: 0, upstreamPort: 0, produced: 0, holding: false, held: [], sockets: new Set() }
  const server = net.createServer((downstream) => {
    const upstream = net.connect(proxy.upstreamPort, '127.0.0.1')
    proxy.sockets.add(downstream).add(upstream)
    let pending = Buffer.alloc(0)
    downstream.on('data', (chunk) => {
      upstream.write(chunk)
      // Count whole request frames: [length i32][api_key i16]...
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 6 && pending.length >= 4 + pending.readInt32BE(0)) {
        if (pending.readInt16BE(4) === PRODUCE) proxy.produced++
        pending = pending.subarray(4 + pending.readInt32BE(0))
      }
    })
    upstream.on('data', (chunk) => (proxy.holding ? proxy.held.push([downstream, chunk]) : downstream.write(chunk)))
    for (const [a, b] of [[downstream, upstream], [upstream, downstream]]) {
      a.on('error', () => b.destroy())
      a.on('close', () => b.destroy())
    }
  })
  proxy.listen = () => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((proxy.port = server.address().port))))
  proxy.release = () => {
    proxy.holding = false
    for (const [socket, chunk] of proxy.held.splice(0)) socket.write(chunk)
  }
  proxy.close = () => {
    for (const s of proxy.sockets) s.destroy()
    return new Promise((resolve) => server.close(() => resolve()))
  }
  return proxy
}

let proxy
let broker
before(async () => {
  proxy = holdingProxy()
  const port = await proxy.listen()
  broker = await startBroker({ config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` } })
  proxy.upstreamPort = broker.port
})
after(async () => {
  await proxy?.close()
  await broker?.stop()
})

/** Produce requests that reach the broker while none is answered, for one send of 20 batches. */
async function inFlightWhileHeld(producerConfig, acks = 1) {
  const kafka = client([`127.0.0.1:${proxy.port}`])
  const admin = kafka.admin()
  await admin.connect()
  const topic = uniqueName('inflight')
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  // batchSize 1024 and ~1 KB values: one batch, so one Produce request, per message.
  const producer = kafka.producer({ batchSize: 1024, ...producerConfig })
  await producer.connect()
  await producer.send({ topic, acks, messages: [{ value: 'warm-up' }] })
  const before = proxy.produced
  proxy.holding = true
  const sent = producer.send({ topic, acks, messages: Array.from({ length: 20 }, (_, i) => ({ value: `${i}`.padEnd(1000, '.') })) })
  await eventually(() => proxy.produced > before, 'the first Produce request')
  await sleep(500) // time for the producer to send all it will while nothing is answered
  const inFlight = proxy.produced - before
  proxy.release()
  const metadata = await sent
  assert.equal(metadata.length, 1)
  assert.equal(metadata[0].baseOffset, '1', 'the 20 records follow the warm-up record')
  await producer.disconnect()
  return inFlight
}

test('with maxInFlightRequests unset, the producer has every ready batch in flight (kafkajs: no cap)', async () => {
  const n = await inFlightWhileHeld({})
  assert.ok(n >= 10, `only ${n} Produce requests in flight while their answers were held`)
})

test('maxInFlightRequests caps the Produce requests in flight', async () => {
  assert.equal(await inFlightWhileHeld({ maxInFlightRequests: 2 }), 2)
})

test('the idempotent producer keeps at most 5 requests in flight, as Java requires', async () => {
  const n = await inFlightWhileHeld({ idempotent: true }, -1)
  assert.ok(n >= 1 && n <= 5, `${n} Produce requests in flight`)
})
