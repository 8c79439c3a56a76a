// Field by field: one kafkajs program (shapes.cjs) run with require('kafkajs') and with
// require('ferrokafka') against the same broker must return the same shapes: result keys and
// their order-independent contents, string-vs-number types, error classes, types, codes and
// messages, event payloads, batch and message fields.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { bundledBroker, eventually, ferrokafka, kafkajs, uniqueName } from './common.mjs'

const shapes = createRequire(import.meta.url)('./shapes.cjs')
const broker = bundledBroker()

test('kafkajs and ferrokafka return the same shapes for the same calls', async () => {
  const withKafkajs = await shapes(kafkajs, broker.brokers)
  const withFerro = await shapes(ferrokafka, broker.brokers)
  // Sanity: the program reached the consumer and the admin calls after it.
  assert.equal(withKafkajs.messages.length, 6)
  assert.ok(withKafkajs.deleteTopics.ok)
  for (const key of Object.keys(withKafkajs)) assert.deepEqual(withFerro[key], withKafkajs[key], `${key} differs`)
  assert.deepEqual(Object.keys(withFerro).sort(), Object.keys(withKafkajs).sort())
})

/** The first consumer.heartbeat event of a running consumer, as { keys, types }. */
async function firstHeartbeat(lib) {
  const kafka = new lib.Kafka({ clientId: 'hb', brokers: broker.brokers, logLevel: lib.logLevel.NOTHING })
  const topic = uniqueName('hb')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
  const consumer = kafka.consumer({ groupId: `${topic}-g`, heartbeatInterval: 100, sessionTimeout: 6000 })
  let seen = null
  consumer.on(consumer.events.HEARTBEAT, (e) => {
    seen ??= e
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic] })
  await consumer.run({ eachMessage: async () => {} })
  await eventually(() => seen, `a consumer.heartbeat event from ${lib === kafkajs ? 'kafkajs' : 'ferrokafka'}`)
  await consumer.disconnect()
  const p = seen.payload
  return { type: seen.type, id: typeof seen.id, keys: Object.keys(p).sort(), groupId: p.groupId === `${topic}-g`, memberId: typeof p.memberId, generation: p.groupGenerationId >= 1 }
}

test('consumer.heartbeat is emitted with kafkajs payload', async () => {
  const withKafkajs = await firstHeartbeat(kafkajs)
  assert.deepEqual(withKafkajs.keys, ['groupGenerationId', 'groupId', 'memberId'])
  assert.deepEqual(await firstHeartbeat(ferrokafka), withKafkajs)
})
