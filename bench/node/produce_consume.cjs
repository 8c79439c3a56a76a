// Node client benchmark: ferrokafka vs kafkajs on one bundled broker, one after the other.
// Produces N records of S bytes (sendBatch of 1,000 at a time, acks=1, no compression) and
// consumes them back in a fresh group; prints records/s, peak RSS and the ratio. Not a test.
//
//   node bench/node/produce_consume.cjs [--records 1000000] [--size 100]
//
// Needs bindings/node built and its node_modules (kafkajs) installed. The other peers named in
// issue #8 (@confluentinc/kafka-javascript, @platformatic/kafka) are not measured yet.
'use strict'

const path = require('node:path')
const PKG = path.resolve(__dirname, '..', '..', 'bindings', 'node')
const ferrokafka = require(PKG)
const kafkajs = require(path.join(PKG, 'node_modules', 'kafkajs'))
const { startBroker } = require(path.join(PKG, 'dist', 'testing.js'))
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const N = arg('records', 1_000_000)
const SIZE = arg('size', 100)

let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref()

async function run(lib, name, brokers) {
  const kafka = new lib.Kafka({ clientId: `bench-${name}`, brokers, logLevel: lib.logLevel.NOTHING })
  const topic = `bench-${name}-${N}-${SIZE}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const producer = kafka.producer({ lingerMs: 5, batchSize: 65536 })
  await producer.connect()
  const value = Buffer.alloc(SIZE, 'x')
  const chunk = 1000
  const batch = Array.from({ length: chunk }, () => ({ value }))
  let t0 = process.hrtime.bigint()
  const inflight = []
  for (let sent = 0; sent < N; sent += chunk) {
    inflight.push(producer.send({ topic, acks: 1, messages: batch }))
    if (inflight.length >= 8) await inflight.shift()
  }
  await Promise.all(inflight)
  const produceS = Number(process.hrtime.bigint() - t0) / 1e9
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxBytes: 52428800, maxBytesPerPartition: 10485760 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let got = 0
  t0 = process.hrtime.bigint()
  await new Promise((resolve) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch: b }) => {
        got += b.messages.length
        if (got >= N) resolve()
      },
    })
  })
  const consumeS = Number(process.hrtime.bigint() - t0) / 1e9
  await consumer.disconnect()
  await admin.disconnect()
  return { name, produce: N / produceS, consume: N / consumeS }
}

;(async () => {
  const broker = await startBroker()
  const results = []
  for (const [lib, name] of [[ferrokafka, 'ferrokafka'], [kafkajs, 'kafkajs']]) {
    peakRss = 0
    const r = await run(lib, name, broker.brokers)
    r.rssMb = peakRss / 1048576
    results.push(r)
    console.error(`${name}: done`)
  }
  await broker.stop()
  const [f, k] = results
  console.log(`| client | records | size | produce rec/s | consume rec/s | peak RSS MB (whole process) |`)
  console.log(`|---|---|---|---|---|---|`)
  for (const r of results) console.log(`| ${r.name} | ${N} | ${SIZE} B | ${Math.round(r.produce)} | ${Math.round(r.consume)} | ${r.rssMb.toFixed(0)} |`)
  console.log(`| ratio ferrokafka/kafkajs | | | ${(f.produce / k.produce).toFixed(1)}x | ${(f.consume / k.consume).toFixed(1)}x | |`)
  process.exit(0)
})()
