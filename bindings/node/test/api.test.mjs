// The kafkajs API of ferrokafka against the bundled broker: produce/consume (eachMessage,
// eachBatch), codecs, commits and resume, seek, pause/resume, admin, events, errors.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import { ferrokafka, startBroker, client, createTopic, uniqueName, eventually, sleep } from './common.mjs'

const { CompressionTypes, Partitioners, KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError, KafkaJSConnectionError, ConfigResourceTypes } = ferrokafka

let broker
let kafka
let admin
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 3 } })
  kafka = client(broker.brokers)
  admin = kafka.admin()
  await admin.connect()
})
after(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

async function consumeAll(topic, groupId, want, runExtra = {}, consumerExtra = {}) {
  const consumer = kafka.consumer({ groupId, ...consumerExtra })
  const got = []
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      got.push({ topic: t, partition, key: message.key?.toString(), value: message.value?.toString(), offset: message.offset, headers: message.headers, batchContext: message.batchContext })
    },
    ...runExtra,
  })
  await eventually(() => got.length >= want, `${want} records`)
  return { consumer, got }
}

test('send resolves RecordMetadata with string offsets; keyed records keep their order on one partition', async () => {
  const topic = await createTopic(admin, 'api-send')
  const producer = kafka.producer()
  await producer.connect()
  const messages = []
  for (let i = 0; i < 30; i++) messages.push({ key: `k${i % 5}`, value: `v${i}`, headers: { n: String(i), multi: ['a', 'b'], nul: null } })
  const meta = await producer.send({ topic, messages })
  assert.ok(meta.length >= 1)
  for (const m of meta) {
    assert.equal(m.topicName, topic)
    assert.equal(m.errorCode, 0)
    assert.equal(typeof m.baseOffset, 'string')
  }
  const { consumer, got } = await consumeAll(topic, uniqueName('g'), 30)
  await consumer.disconnect()
  await producer.disconnect()
  for (let k = 0; k < 5; k++) {
    const mine = got.filter((r) => r.key === `k${k}`)
    assert.equal(new Set(mine.map((r) => r.partition)).size, 1, 'one partition per key')
    assert.deepEqual(mine.map((r) => Number(r.value.slice(1))), mine.map((r) => Number(r.value.slice(1))).sort((a, b) => a - b))
  }
  const first = got.find((r) => r.value === 'v0')
  assert.equal(first.headers.n.toString(), '0')
  assert.deepEqual(first.headers.multi.map(String), ['a', 'b'])
  // A null header value reads back as null, as kafkajs decodes it.
  assert.equal(first.headers.nul, null)
  // Each message carries its record batch's header as kafkajs's batchContext, one object per batch.
  for (const r of got) {
    const b = r.batchContext
    assert.equal(b.magicByte, 2)
    assert.equal(typeof b.firstOffset, 'string')
    assert.ok(BigInt(b.firstOffset) <= BigInt(r.offset) && BigInt(r.offset) <= BigInt(b.firstOffset) + BigInt(b.lastOffsetDelta), JSON.stringify(b))
    assert.equal(b.isControlBatch, false)
    assert.equal(b.timestampType, 0)
    const sameBatch = got.find((o) => o.partition === r.partition && o.batchContext.firstOffset === b.firstOffset)
    assert.equal(sameBatch.batchContext, b, 'one batchContext object per batch')
  }
})

test('a packed send keeps every record exact: mixed timestamps, multi-byte strings past the first buffer, Uint8Array values; one RecordMetadata per partition', async () => {
  const topic = await createTopic(admin, 'api-packed')
  const producer = kafka.producer()
  await producer.connect()
  // The first value is tiny, so the packer's first guess is small and the later, longer
  // multi-byte values and the headers make it grow; only some records carry a timestamp.
  const messages = [{ value: 'a', partition: 0 }]
  for (let i = 1; i < 40; i++) {
    messages.push({
      key: i % 3 === 0 ? null : `k-${i}-😀`,
      value: i % 4 === 0 ? new Uint8Array([i, 0, 255]) : `значение-${i}-`.repeat(i * 10),
      partition: i % 3,
      headers: i % 5 === 0 ? { h: [`x${i}`, Buffer.from([i])], 'ü': 'ß' } : undefined,
      timestamp: i % 2 === 0 ? String(1_700_000_000_000 + i) : undefined,
    })
  }
  const meta = await producer.send({ topic, messages })
  assert.deepEqual(meta.map((m) => m.partition).sort(), [0, 1, 2], 'one entry per partition')
  for (const m of meta) assert.equal(m.baseOffset, '0', 'the first offset written to each partition')
  const consumer = kafka.consumer({ groupId: uniqueName('g') })
  const got = []
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, message }) })
  await eventually(() => got.length >= messages.length, `${messages.length} records`)
  await consumer.disconnect()
  await producer.disconnect()
  for (let i = 1; i < messages.length; i++) {
    const sent = messages[i]
    const want = typeof sent.value === 'string' ? Buffer.from(sent.value) : Buffer.from(sent.value)
    const r = got.find((g) => g.partition === sent.partition && g.message.value.equals(want))
    assert.ok(r, `record ${i} arrived intact`)
    assert.equal(r.message.key === null ? null : r.message.key.toString(), sent.key)
    if (sent.timestamp) assert.equal(r.message.timestamp, sent.timestamp)
    if (sent.headers) {
      assert.deepEqual(r.message.headers.h.map((b) => [...b]), [[...Buffer.from(`x${i}`)], [i]])
      assert.equal(r.message.headers['ü'].toString(), 'ß')
    } else assert.deepEqual(r.message.headers, {})
  }
})

test('sends started back to back share the packing buffers and keep every record exact, also after a send that failed validation', async () => {
  const topic = await createTopic(admin, 'api-reuse')
  const producer = kafka.producer()
  await producer.connect()
  // Sizes that shrink and grow from send to send, so a later send writes over (and past) what
  // an earlier one left in the buffers; none is awaited before the next one starts.
  const sizes = [2000, 10, 50000, 3, 700, 120000, 1]
  const sends = []
  const sent = []
  for (let s = 0; s < sizes.length; s++) {
    const messages = []
    for (let i = 0; i < 20; i++) {
      const value = Buffer.alloc(sizes[s], 33 + ((s * 20 + i) % 94)) // printable ASCII: compared as strings
      sent.push({ key: `${s}-${i}`, value })
      messages.push({ key: `${s}-${i}`, value, partition: 0 })
    }
    sends.push(producer.send({ topic, messages }))
    if (s === 3) {
      // Fails while packing (after the first message): the buffers go back for the next send.
      await assert.rejects(
        producer.send({ topic, messages: [{ value: Buffer.alloc(5000, 1), partition: 0 }, { value: 42, partition: 0 }] }),
        (e) => e instanceof KafkaJSNonRetriableError && /value/.test(e.message),
      )
    }
  }
  await Promise.all(sends)
  const { consumer, got } = await consumeAll(topic, uniqueName('g'), sent.length)
  await consumer.disconnect()
  await producer.disconnect()
  assert.equal(got.length, sent.length, 'nothing of the failed send was written')
  // eachMessage keeps the offset order of the one partition: the order of the sends.
  for (let i = 0; i < sent.length; i++) {
    assert.equal(got[i].key, sent[i].key)
    assert.equal(got[i].value, sent[i].value.toString(), `record ${sent[i].key} arrived intact`)
  }
})

test('consumed records keep null and empty keys, values and header values, and UTF-8 header keys, across topics in one poll', async () => {
  const a = await createTopic(admin, 'api-edges-a')
  const b = await createTopic(admin, 'api-edges-b')
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({
    topic: a,
    messages: [
      { key: null, value: 'no-key', partition: 0 },
      { key: '', value: '', partition: 0, headers: { empty: '', 'ключ-😀': 'ü' } },
      { key: 'tomb', value: null, partition: 0 },
      { key: Buffer.from([0, 255, 1]), value: Buffer.alloc(70000, 7), partition: 0, headers: { bin: Buffer.from([9, 0, 9]) } },
    ],
  })
  await producer.send({ topic: b, messages: [{ key: 'kb', value: 'vb', partition: 1 }] })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: uniqueName('g') })
  const got = []
  await consumer.connect()
  await consumer.subscribe({ topics: [a, b], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => got.push({ topic, partition, message }) })
  await eventually(() => got.length >= 5, '5 records')
  await consumer.disconnect()
  const ofA = got.filter((r) => r.topic === a).map((r) => r.message)
  assert.deepEqual(ofA.map((m) => m.offset), ['0', '1', '2', '3'])
  assert.equal(ofA[0].key, null)
  assert.equal(ofA[0].value.toString(), 'no-key')
  assert.ok(Buffer.isBuffer(ofA[1].key) && ofA[1].key.length === 0, 'an empty key stays an empty Buffer')
  assert.ok(Buffer.isBuffer(ofA[1].value) && ofA[1].value.length === 0, 'an empty value stays an empty Buffer')
  assert.equal(ofA[1].headers.empty.length, 0)
  assert.equal(ofA[1].headers['ключ-😀'].toString(), 'ü')
  assert.equal(ofA[2].value, null, 'a tombstone keeps its null value')
  assert.deepEqual([...ofA[3].key], [0, 255, 1])
  assert.equal(ofA[3].value.length, 70000)
  assert.ok(ofA[3].value.every((x) => x === 7))
  assert.deepEqual([...ofA[3].headers.bin], [9, 0, 9])
  for (const m of ofA) {
    assert.equal(typeof m.timestamp, 'string')
    assert.equal(m.attributes, 0)
  }
  const ofB = got.filter((r) => r.topic === b)
  assert.equal(ofB.length, 1)
  assert.equal(ofB[0].partition, 1)
  assert.equal(ofB[0].message.key.toString(), 'kb')
})

test('sendBatch over several topics, every codec', async () => {
  const producer = kafka.producer({ lingerMs: 5, batchSize: 32768 })
  await producer.connect()
  for (const codec of [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    const a = await createTopic(admin, `api-batch-${codec}`)
    const b = await createTopic(admin, `api-batch-${codec}`)
    const meta = await producer.sendBatch({
      compression: codec,
      topicMessages: [
        { topic: a, messages: Array.from({ length: 20 }, (_, i) => ({ key: `a${i}`, value: `x${i}`.repeat(50) })) },
        { topic: b, messages: Array.from({ length: 10 }, (_, i) => ({ value: `y${i}` })) },
      ],
    })
    assert.ok(meta.some((m) => m.topicName === a) && meta.some((m) => m.topicName === b))
    const { consumer, got } = await consumeAll(a, uniqueName('g'), 20)
    await consumer.disconnect()
    assert.equal(got.length, 20)
    assert.equal(got.find((r) => r.key === 'a3').value, 'x3'.repeat(50))
  }
  await producer.disconnect()
})

test('eachBatch with resolveOffset, highWatermark and manual commits; a restarted consumer resumes at the commit', async () => {
  const topic = await createTopic(admin, 'api-batchcommit', 1)
  const groupId = uniqueName('g')
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) })

  const c1 = kafka.consumer({ groupId })
  await c1.connect()
  await c1.subscribe({ topics: [topic], fromBeginning: true })
  const seen = []
  let hw = null
  await c1.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      hw = batch.highWatermark
      for (const m of batch.messages) {
        if (Number(m.offset) >= 6) break
        seen.push(m.value.toString())
        resolveOffset(m.offset)
      }
    },
  })
  await eventually(() => seen.length >= 6, 'six records')
  await c1.commitOffsets([{ topic, partition: 0, offset: '6' }])
  await c1.disconnect()
  assert.equal(hw, '10')
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.deepEqual(offsets.partitions.map((p) => p.offset), ['6'])

  await producer.send({ topic, messages: [{ value: 'm10' }] })
  const { consumer: c2, got } = await consumeAll(topic, groupId, 5)
  await sleep(300)
  await c2.disconnect()
  await producer.disconnect()
  assert.deepEqual(got.map((r) => r.value), ['m6', 'm7', 'm8', 'm9', 'm10'])
})

test('seek, pause and resume', async () => {
  const topic = await createTopic(admin, 'api-seek', 1)
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `s${i}` })) })
  const consumer = kafka.consumer({ groupId: uniqueName('g') })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const got = []
  let sought = false
  await consumer.run({
    eachMessage: async ({ message }) => {
      got.push(message.value.toString())
      if (!sought && got.length === 5) {
        sought = true
        consumer.seek({ topic, partition: 0, offset: '2' })
      }
    },
  })
  await eventually(() => got.length >= 8, 'the records again after seek')
  assert.deepEqual(got.slice(0, 8), ['s0', 's1', 's2', 's3', 's4', 's2', 's3', 's4'])

  consumer.pause([{ topic }])
  assert.deepEqual(consumer.paused(), [{ topic, partitions: [0] }])
  await producer.send({ topic, messages: [{ value: 'after-pause' }] })
  await sleep(1500)
  assert.equal(got.includes('after-pause'), false, 'nothing delivered while paused')
  consumer.resume([{ topic }])
  await eventually(() => got.includes('after-pause'), 'the record after resume')
  await consumer.disconnect()
  await producer.disconnect()
})

test('a failing eachMessage loses nothing: the record is delivered again', async () => {
  const topic = await createTopic(admin, 'api-retry', 1)
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
  const consumer = kafka.consumer({ groupId: uniqueName('g'), retry: { initialRetryTime: 50 } })
  const crashes = []
  consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload.error.message))
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const got = []
  let failed = false
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value.toString()
      if (v === 'b' && !failed) {
        failed = true
        throw new Error('boom')
      }
      got.push(v)
    },
  })
  await eventually(() => got.length >= 3, 'all three records')
  await consumer.disconnect()
  await producer.disconnect()
  assert.deepEqual(got, ['a', 'b', 'c'])
  assert.deepEqual(crashes, ['boom'])
})

test('admin: topics, metadata, offsets, groups, configs, partitions, records, cluster', async () => {
  const topic = uniqueName('api-admin')
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '604800000' }] }] }), true)
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), false)
  assert.ok((await admin.listTopics()).includes(topic))
  const md = await admin.fetchTopicMetadata({ topics: [topic] })
  assert.equal(md.topics[0].partitions.length, 2)

  const producer = kafka.producer()
  await producer.connect()
  // Recent timestamps: records from years ago fall to the topic's 7-day retention at once
  // (on Kafka too), which would move the low watermark under the test.
  const base = Date.now() - 60_000
  await producer.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ partition: 0, value: `r${i}`, timestamp: String(base + i * 1000) })) })
  await producer.disconnect()
  const offs = await admin.fetchTopicOffsets(topic)
  assert.deepEqual(offs.map((o) => [o.partition, o.low, o.high]), [[0, '0', '4'], [1, '0', '0']])
  const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, base + 2000)
  assert.equal(byTs.find((o) => o.partition === 0).offset, '2')

  const groupId = uniqueName('g')
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] })
  let fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.deepEqual(fetched[0].partitions.map((p) => p.offset), ['3', '-1'])
  await admin.resetOffsets({ groupId, topic, earliest: true })
  fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.deepEqual(fetched[0].partitions.map((p) => p.offset), ['0', '0'])
  assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === groupId))
  const described = await admin.describeGroups([groupId])
  assert.equal(described.groups[0].state, 'Empty')
  await admin.deleteGroups([groupId])

  const cfg = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false })
  assert.equal(cfg.resources[0].configEntries[0].configValue, '604800000')
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] })
  const cfg2 = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false })
  assert.equal(cfg2.resources[0].configEntries[0].configValue, '86400000')

  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] })
  // The log start moves to exactly the requested offset, inside the batch, as on Kafka.
  const low = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 0).low
  assert.equal(low, '2')
  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
  assert.equal((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length, 3)

  const cluster = await admin.describeCluster()
  assert.equal(cluster.brokers.length, 1)
  assert.equal(cluster.brokers[0].port, broker.port)

  await admin.deleteTopics({ topics: [topic] })
  await eventually(async () => !(await admin.listTopics()).includes(topic), 'the topic to disappear')
})

test('brokers as an async function, LegacyPartitioner and producer events', async () => {
  const k = client(async () => broker.brokers)
  const topic = await createTopic(admin, 'api-legacy')
  const producer = k.producer({ createPartitioner: Partitioners.LegacyPartitioner })
  const events = []
  producer.on(producer.events.CONNECT, () => events.push('connect'))
  producer.on(producer.events.DISCONNECT, () => events.push('disconnect'))
  await producer.connect()
  const meta = await producer.send({ topic, messages: [{ key: 'same', value: '1' }, { key: 'same', value: '2' }] })
  assert.equal(meta.length, 1, 'one key, one partition')
  await producer.disconnect()
  await sleep(10)
  assert.deepEqual(events, ['connect', 'disconnect'])
  assert.throws(() => producer.on('producer.nope', () => {}), KafkaJSError)
})

test('bad input gets a kafkajs error class that says what to fix', async () => {
  assert.throws(() => kafka.producer({ lingerMs: 'soon' }), (e) => e instanceof KafkaJSNonRetriableError && /lingerMs/.test(e.message))
  assert.throws(() => kafka.producer({ compression: 'brotli' }), (e) => e instanceof KafkaJSNonRetriableError && /compression/i.test(e.message))
  assert.throws(() => kafka.producer({ idempotent: true, acks: 1 }), KafkaJSNonRetriableError)
  assert.throws(() => kafka.consumer({}), KafkaJSNonRetriableError)
  assert.throws(() => new ferrokafka.Kafka({ brokers: 'localhost:9092' }), KafkaJSNonRetriableError)

  const producer = kafka.producer()
  await assert.rejects(producer.send({ topic: 'x', messages: [{ value: 'v' }] }), (e) => e instanceof KafkaJSError && /disconnected/.test(e.message))
  await producer.connect()
  await assert.rejects(producer.send({ topic: 'bad name!', messages: [{ value: 'v' }] }), (e) => e instanceof KafkaJSNonRetriableError && e.cause?.type === 'INVALID_TOPIC_EXCEPTION')
  const topic = await createTopic(admin, 'api-big', 1)
  await assert.rejects(
    producer.send({ topic, messages: [{ value: Buffer.alloc(2 * 1024 * 1024) }] }),
    // kafkajs's message for the code; what to fix is the error's `detail` (and in its stack).
    (e) =>
      e instanceof KafkaJSProtocolError &&
      e.type === 'MESSAGE_TOO_LARGE' &&
      e.message === 'The request included a message larger than the max message size the server will accept' &&
      /max\.request\.size/.test(e.detail) &&
      e.stack.includes(e.detail) &&
      !Object.keys(e).includes('detail'),
  )
  await assert.rejects(producer.send({ topic, messages: [{ value: 42 }] }), KafkaJSNonRetriableError)
  await assert.rejects(producer.transaction(), KafkaJSNonRetriableError)
  await producer.disconnect()

  // An unreachable broker: as kafkajs, connect gives up after `retry.retries` retries with
  // KafkaJSNumberOfRetriesExceeded, the refused connection as its cause (what kafkajs says,
  // field by field, is compared in requests.test.mjs).
  const unreachable = client(['127.0.0.1:1'], { retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 2000 }, requestTimeout: 1500 })
  const t0 = Date.now()
  await assert.rejects(
    unreachable.producer().connect(),
    (e) => e instanceof ferrokafka.KafkaJSNumberOfRetriesExceeded && e.retryCount === 1 && e.cause instanceof KafkaJSConnectionError && e.cause.code === 'ECONNREFUSED' && e.cause.broker === '127.0.0.1:1',
  )
  assert.ok(Date.now() - t0 < 30_000, 'fails within the retry time, no hang')
})
