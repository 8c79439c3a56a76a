// The native ceiling of a Node consumer here: the client core alone, in Rust with no Node at all
// (`fk-consumer-perf` from bench/ferrokafka-bench), on the same broker, reading the same workload
// with the settings the Node package gives the core in this bench (fetch.max.bytes /
// max.partition.fetch.bytes / fetch.max.wait.ms, 10,000 records per poll). The Node consumer runs
// this same poll loop and then hands every record to JS, so its records/s stays under this one:
// the ratio of this rate to kafkajs's is the highest a consumer on this core can reach on this box.
// The rate counts from the partitions' assignment to the last record (the Node clients count from
// the first delivered batch), so the first fetch's round trip is in it.
// The records are written first with `fk-producer-perf` (acks=1, batch.size 65536, linger 0). Its
// rate is printed too but is no ceiling for the Node producer: the tool sends record by record
// with a callback each, where the Node bench sends 1,000 records per call.
'use strict'

const { execFile } = require('node:child_process')
const { promisify } = require('node:util')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..')
const BIN = path.join(ROOT, 'target', 'release')

// Async, so the parent's event loop (the broker lives in the parent process) stays free.
const run = promisify(execFile)

function lastJson({ stdout }) {
  return JSON.parse(stdout.toString().trim().split('\n').pop())
}

/** Writes then reads `topic` (which must exist, empty); resolves { produce, consume } or { error }. */
async function nativeCeiling(brokers, topic, w) {
  const producer = path.join(BIN, 'fk-producer-perf')
  const consumer = path.join(BIN, 'fk-consumer-perf')
  if (!fs.existsSync(producer) || !fs.existsSync(consumer)) {
    return { error: `${BIN}/fk-*-perf not built (cargo build --release -p ferrokafka-bench)` }
  }
  try {
    const p = lastJson(
      await run(producer, [
        '--topic', topic,
        '--num-records', String(w.records),
        '--record-size', String(w.size),
        '--throughput', '-1',
        '--json',
        '--producer-props',
        `bootstrap.servers=${brokers.join(',')}`,
        'acks=1',
        'batch.size=65536',
        'linger.ms=0',
        'max.in.flight.requests.per.connection=2147483647',
      ]),
    )
    const c = lastJson(
      await run(consumer, [
        '--bootstrap-server', brokers.join(','),
        '--topic', topic,
        '--messages', String(w.records),
        '--timeout', '60000',
        '--json',
        '--consumer-props',
        'fetch.max.bytes=52428800',
        'max.partition.fetch.bytes=10485760',
        'fetch.max.wait.ms=500',
        'max.poll.records=10000',
      ]),
    )
    return { produce: p.records_per_sec, consume: c.records_per_sec }
  } catch (e) {
    return { error: String(e.stderr || e.message || e).trim().split('\n')[0] }
  }
}

module.exports = { nativeCeiling }
