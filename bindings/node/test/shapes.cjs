// The field-by-field program: written for kafkajs only, it calls most of the API (admin,
// producer, an eachBatch consumer, events, errors) with `lib` (`require('kafkajs')` or
// `require('ferrokafka')`) and returns every result as a shape: keys, types, and the values that
// do not depend on time or ids (offsets, partitions, error types and messages). The differences
// ferrokafka keeps on purpose are taken out in `known` at the end, each with its reason.
const { randomUUID } = require('node:crypto')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
function shape(v, depth = 0) {
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (Buffer.isBuffer(v)) return `Buffer(${v.toString()})`
  if (Array.isArray(v)) return v.map((x) => shape(x, depth + 1))
  if (typeof v === 'function') return 'fn'
  if (typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v).sort()) o[k] = shape(v[k], depth + 1)
    return o
  }
  if (typeof v === 'string') {
    if (/^\d{13}$/.test(v)) return 'string:ts'
    if (/^-?\d+$/.test(v)) return `string:${v}`
    if (/[0-9a-f]{8}-[0-9a-f]{4}/.test(v)) return 'string:uuidish'
    return 'string'
  }
  if (typeof v === 'number') { if (v > 1e12) return 'number:ts'; return `number:${v}` }
  return `${typeof v}:${v}`
}
function err(e) {
  return { name: e.name, ctor: e.constructor && e.constructor.name, type: e.type, code: e.code, retriable: e.retriable,
    message: e.message, keys: Object.keys(e).sort(), causeName: e.cause && e.cause.name, errors: e.errors && e.errors.map(err) }
}
async function attempt(out, label, fn) {
  try { out[label] = { ok: shape(await fn()) } } catch (e) { out[label] = { error: err(e) } }
}
// A described member's metadata and assignment, decoded as kafkajs users decode them.
function member(lib, m) {
  const { MemberMetadata, MemberAssignment } = lib.AssignerProtocol
  const dec = (codec, b) => (Buffer.isBuffer(b) ? codec.decode(b) : 'not a Buffer')
  return { metadata: dec(MemberMetadata, m.memberMetadata), assignment: dec(MemberAssignment, m.memberAssignment) }
}
// Both libraries list a send's partitions in the order the broker's answer has them.
const byPartition = (mds) => mds.sort((a, b) => a.partition - b.partition)
module.exports = async function run(lib, brokers) {
  const out = {}
  const { Kafka, logLevel } = lib
  const kafka = new Kafka({ clientId: 'shapes', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } })
  const topic = `shapes-${randomUUID().slice(0, 8)}`
  const admin = kafka.admin()
  await admin.connect()
  await attempt(out, 'createTopics', () => admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }))
  await attempt(out, 'createTopicsAgain', () => admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }))
  await attempt(out, 'createTopicsBadName', () => admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }))
  await attempt(out, 'listTopicsHas', async () => (await admin.listTopics()).includes(topic))
  await attempt(out, 'fetchTopicMetadata', async () => {
    const m = await admin.fetchTopicMetadata({ topics: [topic] })
    return { topics: m.topics.map((t) => ({ ...t, name: t.name === topic, partitions: t.partitions.map((p) => ({ ...p, leader: typeof p.leader, replicas: p.replicas.length, isr: p.isr.length, offlineReplicas: p.offlineReplicas })) })) }
  })
  await attempt(out, 'fetchTopicMetadataMissing', () => admin.fetchTopicMetadata({ topics: ['no-such-topic-xyz'] }))
  await attempt(out, 'describeClusterKeys', async () => { const c = await admin.describeCluster(); return { keys: Object.keys(c).sort(), brokerKeys: Object.keys(c.brokers[0]).sort(), ctl: typeof c.controller, cid: typeof c.clusterId } })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await attempt(out, 'send', async () => byPartition(await producer.send({ topic, messages: [{ key: 'k1', value: 'v1', headers: { h: 'x', r: ['a', Buffer.from('b')] } }, { key: 'k2', value: 'v2', partition: 1 }] })))
  const highOf0 = async () => Number((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 0).high)
  const before0 = await highOf0()
  await attempt(out, 'sendAcks0', () => producer.send({ topic, acks: 0, messages: [{ key: 'k3', value: 'v3', partition: 0 }] }))
  // Nothing acknowledges an acks=0 record, and ferrokafka sends it on the connection of its
  // acks=0 producer: wait until it is written before the next send, so offsets compare.
  const acked = Date.now()
  while ((await highOf0()) < before0 + 1 && Date.now() - acked < 30000) await sleep(50)
  await attempt(out, 'sendBatch', async () => byPartition(await producer.sendBatch({ topicMessages: [{ topic, messages: [{ value: 'b1', partition: 0 }, { value: 'b2', partition: 1 }] }] })))
  await attempt(out, 'sendMissingTopic', () => producer.send({ topic: 'missing-topic-' + randomUUID().slice(0, 6), messages: [{ value: 'x' }] }))
  await attempt(out, 'sendNoMessages', () => producer.send({ topic, messages: [] }))
  await attempt(out, 'sendNullValue', () => producer.send({ topic, messages: [{ key: 'tomb', value: null, partition: 0 }] }))
  await attempt(out, 'sendBadValue', () => producer.send({ topic, messages: [{ value: 42 }] }))
  await attempt(out, 'fetchTopicOffsets', async () => (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition))
  await attempt(out, 'fetchTopicOffsetsByTimestamp', async () => (await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60000)).sort((a, b) => a.partition - b.partition))
  await attempt(out, 'fetchTopicOffsetsByTimestampNone', async () => (await admin.fetchTopicOffsetsByTimestamp(topic)).sort((a, b) => a.partition - b.partition))
  const groupId = `${topic}-g`
  const consumer = kafka.consumer({ groupId })
  const events = {}
  for (const name of Object.keys(consumer.events)) {
    consumer.on(consumer.events[name], (e) => {
      const p = e.payload
      // Batches of partition 0 only (the order partitions are processed in is timing).
      if (p && typeof p.partition === 'number' && p.partition !== 0) return
      if (events[name]) return
      let payload = p && { ...p, duration: typeof p.duration, memberId: p.memberId && 'm', leaderId: p.leaderId && 'l' }
      // Which partitions a commit carries is timing too: keep the types of its fields.
      if (payload && Array.isArray(payload.topics)) {
        payload.topics = payload.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.slice(0, 1).map((x) => ({ partition: typeof x.partition, offset: typeof x.offset })) }))
      }
      events[name] = shape({ ...e, timestamp: typeof e.timestamp, id: typeof e.id, payload })
    })
  }
  out.eventNames = Object.keys(consumer.events).sort()
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const msgs = []
  let batchShape = null
  let payloadKeys = null
  await consumer.run({
    eachBatch: async (p) => {
      payloadKeys = Object.keys(p).sort()
      const b = p.batch
      if (!batchShape) batchShape = { keys: Object.keys(b).sort(), first: b.firstOffset(), last: b.lastOffset(), lag: b.offsetLag(), lagLow: b.offsetLagLow(), isEmpty: b.isEmpty(), hw: b.highWatermark, uncommitted: shape(p.uncommittedOffsets()), running: p.isRunning(), stale: p.isStale() }
      for (const m of b.messages) { msgs.push({ partition: b.partition, ...m, timestamp: 'ts' }); p.resolveOffset(m.offset) }
      await p.heartbeat()
      await p.commitOffsetsIfNecessary()
    },
  })
  const t0 = Date.now()
  while (msgs.length < 6 && Date.now() - t0 < 30000) await sleep(100)
  await sleep(500)
  out.payloadKeys = payloadKeys
  out.batchShape = shape(batchShape)
  out.messages = shape(msgs.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset)))
  await attempt(out, 'describeGroupRunning', async () => { const d = await consumer.describeGroup(); return { ...d, members: d.members.map((m) => ({ ...m, memberId: 'm', clientHost: typeof m.clientHost, memberMetadata: member(lib, m).metadata, memberAssignment: member(lib, m).assignment })) } })
  await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }])
  await attempt(out, 'fetchOffsets', () => admin.fetchOffsets({ groupId, topics: [topic] }))
  await attempt(out, 'fetchOffsetsAll', () => admin.fetchOffsets({ groupId }))
  await attempt(out, 'listGroupsHas', async () => { const l = await admin.listGroups(); return l.groups.filter((g) => g.groupId === groupId).map((g) => ({ ...g, groupId: true })) })
  await attempt(out, 'describeGroups', async () => { const d = await admin.describeGroups([groupId]); return d.groups.map((g) => ({ ...g, groupId: true, members: g.members.map((m) => ({ ...m, memberId: 'm', clientHost: typeof m.clientHost, memberMetadata: member(lib, m).metadata, memberAssignment: member(lib, m).assignment })) })) })
  await attempt(out, 'deleteGroupsRunning', () => admin.deleteGroups([groupId]))
  await consumer.disconnect()
  out.events = events
  await attempt(out, 'setOffsets', () => admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] }))
  await attempt(out, 'resetOffsets', () => admin.resetOffsets({ groupId, topic, earliest: true }))
  await attempt(out, 'fetchOffsetsAfterReset', () => admin.fetchOffsets({ groupId, topics: [topic] }))
  await attempt(out, 'describeConfigs', async () => { const r = await admin.describeConfigs({ resources: [{ type: lib.ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false }); return r })
  await attempt(out, 'alterConfigs', () => admin.alterConfigs({ validateOnly: false, resources: [{ type: lib.ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] }))
  // A missing topic: the resource's UNKNOWN_TOPIC_OR_PARTITION, at once (kafkajs does not retry it).
  const missingTopic = `${topic}-missing`
  await attempt(out, 'describeConfigsMissing', () => admin.describeConfigs({ resources: [{ type: lib.ConfigResourceTypes.TOPIC, name: missingTopic, configNames: ['retention.ms'] }], includeSynonyms: false }))
  await attempt(out, 'alterConfigsMissing', () => admin.alterConfigs({ validateOnly: false, resources: [{ type: lib.ConfigResourceTypes.TOPIC, name: missingTopic, configEntries: [{ name: 'retention.ms', value: '1' }] }] }))
  await attempt(out, 'createPartitions', () => admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }))
  await attempt(out, 'createPartitionsFewer', () => admin.createPartitions({ topicPartitions: [{ topic, count: 1 }] }))
  await attempt(out, 'deleteTopicRecords', () => admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] }))
  await attempt(out, 'fetchTopicOffsetsAfterDelete', async () => (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition))
  await attempt(out, 'deleteGroups', () => admin.deleteGroups([groupId]))
  await attempt(out, 'deleteGroupsMissing', () => admin.deleteGroups(['nope-' + randomUUID().slice(0, 6)]))
  await attempt(out, 'deleteTopics', () => admin.deleteTopics({ topics: [topic] }))
  await attempt(out, 'deleteTopicsMissing', () => admin.deleteTopics({ topics: ['nope-' + randomUUID().slice(0, 6)] }))
  await producer.disconnect()
  await admin.disconnect()
  return known(JSON.parse(JSON.stringify(out).split(topic).join('TOPIC')))
}

// Events both clients emit in this program at deterministic points.
const EVENTS = ['CONNECT', 'GROUP_JOIN', 'FETCH_START', 'FETCH', 'START_BATCH_PROCESS', 'END_BATCH_PROCESS', 'COMMIT_OFFSETS', 'STOP', 'DISCONNECT']

/** Takes out what ferrokafka leaves different on purpose or does not have yet. */
function known(out) {
  // kafkajs lets Buffer.from throw a TypeError for a number value; ferrokafka answers with a
  // KafkaJSNonRetriableError that names the field (issue 8's bad-input rule).
  delete out.sendBadValue
  // kafkajs commits the literal -2/-1 and lets its consumers resolve them; ferrokafka commits the
  // offsets they stand for, which every Kafka client reads the same way.
  delete out.fetchOffsetsAfterReset
  // Batches written without idempotence: kafkajs's producer writes producerEpoch and
  // firstSequence 0, ferrokafka's writes Java's "none" (-1). Consumers decode what is stored.
  if (Array.isArray(out.messages)) {
    for (const m of out.messages) {
      const b = m.batchContext
      if (b && b.producerId === 'string:-1') b.producerEpoch = b.firstSequence = 'none'
    }
  }
  const events = {}
  for (const name of EVENTS) events[name] = out.events[name]
  out.events = events
  return out
}
