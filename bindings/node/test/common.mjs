// Helpers shared by the binding's tests: the bundled broker (ferrokafka/testing), a client, a
// fresh topic, bounded waiting. No scenarios here.

import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { before, after } from 'node:test'

const require = createRequire(import.meta.url)
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
export const ferrokafka = require('ferrokafka')
/** The real kafkajs 2.2.4, the judge of the drop-in comparisons. */
export const kafkajs = require('kafkajs')
export const { startBroker } = require('ferrokafka/testing')

/**
 * The bundled broker for one test file: started before its tests, stopped after them;
 * `.brokers` is set once it runs.
 */
export function bundledBroker(options) {
  const handle = { brokers: null }
  let broker
  before(async () => {
    broker = await startBroker(options)
    handle.brokers = broker.brokers
  })
  after(async () => {
    await broker?.stop()
  })
  return handle
}

export const PATIENCE_MS = 60_000

export function client(brokers, extra = {}) {
  return new ferrokafka.Kafka({
    clientId: 'ferrokafka-node-test',
    brokers,
    logLevel: ferrokafka.logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 10_000 },
    ...extra,
  })
}

export function uniqueName(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export async function createTopic(admin, prefix, numPartitions = 3) {
  const topic = uniqueName(prefix)
  await admin.createTopics({ topics: [{ topic, numPartitions }] })
  return topic
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Waits until `check()` is truthy, at most PATIENCE_MS; fails naming `what`. */
export async function eventually(check, what, ms = PATIENCE_MS) {
  const t0 = Date.now()
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(50)
  }
}
