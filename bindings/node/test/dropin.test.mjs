// The drop-in proof: one kafkajs program (scenario.cjs) run unchanged with require('kafkajs')
// and with require('ferrokafka') against the same broker (the bundled one); both must observe
// the same partitions per key, group behaviour, committed offsets, events and error classes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { bundledBroker, ferrokafka, kafkajs } from './common.mjs'

const scenario = createRequire(import.meta.url)('./scenario.cjs')
const broker = bundledBroker({ config: { 'num.partitions': 3 } })

test('the same kafkajs program gives the same results with kafkajs and ferrokafka', async () => {
  const withKafkajs = await scenario(kafkajs, broker.brokers, 'kafkajs')
  const withFerro = await scenario(ferrokafka, broker.brokers, 'ferrokafka')
  // Sanity: the program really exercised something.
  assert.equal(withKafkajs.recordsSeen, 36)
  assert.equal(withKafkajs.distinctRecords, 36)
  assert.equal(withKafkajs.keyOrderKept, true)
  assert.deepEqual(withFerro, withKafkajs)
})
