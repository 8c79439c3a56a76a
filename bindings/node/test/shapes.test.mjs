// Field by field: one kafkajs program (shapes.cjs) run with require('kafkajs') and with
// require('ferrokafka') against the same broker must return the same shapes: result keys and
// their order-independent contents, string-vs-number types, error classes, types, codes and
// messages, event payloads, batch and message fields.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { bundledBroker, ferrokafka, kafkajs } from './common.mjs'

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
