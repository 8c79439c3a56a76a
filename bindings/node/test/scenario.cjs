// The drop-in proof's program: written for kafkajs only (no ferrokafka API), it receives the
// library module (`require('kafkajs')` or `require('ferrokafka')`) and a broker, and returns
// what it observed: partitions per key, group behaviour, committed offsets, consumer events
// and the error classes for a bad topic name and an oversized record.

const { randomUUID } = require('node:crypto')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function until(what, check, ms = 60000) {
  const t0 = Date.now()
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

function classify(lib, err) {
  return {
    name: err.name,
    type: err.type ?? (err.cause && err.cause.type) ?? null,
    isKafkaJSError: err instanceof lib.KafkaJSError,
    isProtocolError: err instanceof lib.KafkaJSProtocolError,
    retriable: err.retriable,
  }
}

module.exports = async function scenario(lib, brokers, label) {
  const { Kafka, logLevel } = lib
  const kafka = new Kafka({ clientId: `dropin-${label}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } })
  const topic = `dropin-${label}-${randomUUID().slice(0, 8)}`
  const groupId = `${topic}-group`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })

  // Two consumers in one group split the partitions; together they see every record once.
  const seen = []
  const events = new Set()
  const consumers = [kafka.consumer({ groupId }), kafka.consumer({ groupId })]
  const assigned = [0, 0]
  for (const [i, c] of consumers.entries()) {
    for (const name of ['CONNECT', 'GROUP_JOIN', 'COMMIT_OFFSETS', 'STOP', 'DISCONNECT']) {
      c.on(c.events[name], () => events.add(name))
    }
    c.on(c.events.GROUP_JOIN, ({ payload }) => {
      if (process.env.DEBUG_SCENARIO) console.log(label, i, JSON.stringify(payload))
      assigned[i] = Object.values(payload.memberAssignment).reduce((n, ps) => n + ps.length, 0)
    })
  }
  const owners = new Map()
  for (const [i, c] of consumers.entries()) {
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.run({
      eachMessage: async ({ partition, message }) => {
        owners.set(partition, i)
        seen.push({ key: message.key.toString(), value: message.value.toString(), partition, offset: message.offset, round: message.headers.round.toString() })
      },
    })
  }
  await until('both consumers to share the partitions', () => assigned[0] > 0 && assigned[1] > 0 && assigned[0] + assigned[1] === 3)
  // Taken now: once the first consumer disconnects, the other may (or may not yet) rejoin with
  // all three partitions, which is timing, not behaviour.
  const assignmentSizes = [...assigned].sort()

  const producer = kafka.producer()
  await producer.connect()
  const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`)
  const messages = []
  for (let round = 0; round < 3; round++) for (const k of keys) messages.push({ key: k, value: `${k}#${round}`, headers: { round: String(round) } })
  const sent = await producer.send({ topic, messages })
  await until('every record consumed', () => seen.length >= messages.length)
  // Commits follow each processed batch; wait until all three partitions show them.
  let committed
  await until('offsets committed', async () => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] })
    committed = t.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition)
    return committed.every((p) => p.offset !== '-1') && committed.reduce((n, p) => n + Number(p.offset), 0) === messages.length
  })
  for (const c of consumers) await c.disconnect()

  const partitionOfKey = {}
  for (const r of seen) partitionOfKey[r.key] = r.partition
  const inOrder = keys.every((k) => {
    const rounds = seen.filter((r) => r.key === k).map((r) => r.round)
    return rounds.join() === '0,1,2'
  })

  const errors = {}
  try {
    await producer.send({ topic: 'not a valid topic!', messages: [{ value: 'x' }] })
    errors.badTopic = null
  } catch (e) {
    errors.badTopic = classify(lib, e)
  }
  const big = kafka.producer({ retry: { retries: 0 } })
  await big.connect()
  try {
    await big.send({ topic, acks: -1, messages: [{ key: 'big', value: Buffer.alloc(2 * 1024 * 1024, 1) }] })
    errors.oversized = null
  } catch (e) {
    errors.oversized = classify(lib, e)
  }
  await big.disconnect()
  await producer.disconnect()
  await admin.deleteTopics({ topics: [topic] })
  await admin.disconnect()

  return {
    sentPartitions: sent.map((m) => m.partition).sort(),
    metadataKeys: Object.keys(sent[0]).sort(),
    baseOffsetsAreStrings: sent.every((m) => typeof m.baseOffset === 'string'),
    assignmentSizes,
    partitionOfKey,
    recordsSeen: seen.length,
    distinctRecords: new Set(seen.map((r) => r.value)).size,
    keyOrderKept: inOrder,
    consumersUsed: new Set(owners.values()).size,
    committed,
    events: [...events].sort(),
    errors,
  }
}
