// Against a real Apache Kafka (KRaft, single node, from tests/harness): the drop-in program
// (produce, keyed partitions, a two-member group, commits, admin, error classes) and the
// field-by-field program (shapes.cjs) run with kafkajs and with ferrokafka on the same cluster
// must agree, as on the bundled broker.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const kafkajs = require('kafkajs')
const ferrokafka = require('ferrokafka')
const scenario = require('./scenario.cjs')
const shapes = require('./shapes.cjs')

const TARGET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'harness', 'target.py')

/** Starts Apache Kafka through the harness; resolves { brokers, stop() }. */
async function startApacheKafka() {
  const child = spawn(process.env.PYTHON ?? 'python3', [TARGET], {
    env: { ...process.env, FERROKAFKA_TEST_TARGET: 'apache' },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout })
  const bootstrap = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Apache Kafka did not start within 180 s')), 180_000)
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer)
        resolve(line.slice('READY '.length).trim())
      }
    })
    child.once('exit', (code) => reject(new Error(`target.py exited with ${code} before READY`)))
  })
  return {
    brokers: bootstrap.split(','),
    async stop() {
      child.stdin.end()
      await exited
    },
  }
}

let cluster
before(async () => {
  cluster = await startApacheKafka()
})
after(async () => {
  await cluster?.stop()
})

test('real Apache Kafka: the kafkajs program gives the same results with kafkajs and ferrokafka', async () => {
  const withKafkajs = await scenario(kafkajs, cluster.brokers, 'kafkajs')
  const withFerro = await scenario(ferrokafka, cluster.brokers, 'ferrokafka')
  assert.equal(withFerro.recordsSeen, 36)
  assert.equal(withFerro.distinctRecords, 36)
  assert.equal(withFerro.keyOrderKept, true)
  assert.deepEqual(withFerro, withKafkajs)
})

test('real Apache Kafka: kafkajs and ferrokafka return the same shapes for the same calls', async () => {
  const withKafkajs = await shapes(kafkajs, cluster.brokers)
  const withFerro = await shapes(ferrokafka, cluster.brokers)
  assert.equal(withKafkajs.messages.length, 6)
  for (const key of Object.keys(withKafkajs)) assert.deepEqual(withFerro[key], withKafkajs[key], `${key} differs`)
  assert.deepEqual(Object.keys(withFerro).sort(), Object.keys(withKafkajs).sort())
})
