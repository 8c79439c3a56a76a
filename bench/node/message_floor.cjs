// The ceiling for consuming through kafkajs's API on this machine: how fast this Node builds the
// messages kafkajs hands to `eachBatch` (and, apart, calls an async `eachMessage` per record)
// with no broker, no socket and no decoding at all. Every message is what kafkajs's
// shape asks for and ferrokafka builds: a plain object with `key` (null), `value` (a Buffer view
// of one large Buffer, as kafkajs's are views of the fetch response), `timestamp` and `offset` as
// strings (one timestamp string per run of equal timestamps), `attributes`, a `headers`
// object and the record batch's `batchContext` (one object per batch); the batch is then read as the benchmark's consumer reads it
// (`batch.messages.map((m) => m.value)`). No kafkajs-compatible client can consume faster than
// this, so produce_consume.cjs prints it beside kafkajs's measured rate as the highest consume
// ratio reachable here.
//
//   node bench/node/message_floor.cjs <records> <size>   # prints one JSON line
'use strict'

const RECORDS = Number(process.argv[2] || 1000000)
const SIZE = Number(process.argv[3] || 100)
const BATCH = Math.min(10000, RECORDS) // a poll's worth (ferrokafka's per-poll record cap)
const PASSES = 5

const data = Buffer.alloc(BATCH * SIZE, 7)
const timestamps = new Float64Array(BATCH).fill(Date.now())

// kafkajs's batchContext: one object per record batch, shared by its messages (batches of
// 100 records here, about what a producer's 16 KiB batch holds at 100 B).
const RECORDS_PER_BATCH = 100
function batchContext(firstOffset) {
  return {
    firstOffset: String(firstOffset),
    firstTimestamp: String(timestamps[0]),
    partitionLeaderEpoch: 0,
    inTransaction: false,
    isControlBatch: false,
    lastOffsetDelta: RECORDS_PER_BATCH - 1,
    producerId: '-1',
    producerEpoch: -1,
    firstSequence: -1,
    maxTimestamp: String(timestamps[0]),
    timestampType: 0,
    magicByte: 2,
  }
}

function buildBatch(firstOffset) {
  const messages = []
  let context
  let lastTs = NaN
  let lastTsText = ''
  for (let i = 0; i < BATCH; i++) {
    if (i % RECORDS_PER_BATCH === 0) context = batchContext(firstOffset + i)
    const ts = timestamps[i]
    if (ts !== lastTs) {
      lastTs = ts
      lastTsText = String(ts)
    }
    // The fields ferrokafka's ts/records.ts builds, in kafkajs's order.
    messages.push({
      magicByte: 2,
      attributes: 0,
      timestamp: lastTsText,
      offset: String(firstOffset + i),
      key: null,
      value: data.subarray(i * SIZE, (i + 1) * SIZE),
      headers: {},
      isControlRecord: false,
      batchContext: context,
    })
  }
  return messages
}

function eachBatchPass() {
  let seen = 0
  const t0 = process.hrtime.bigint()
  for (let done = 0; done < RECORDS; done += BATCH) {
    const values = buildBatch(done).map((m) => m.value)
    seen += values.length
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  if (seen < RECORDS) throw new Error(`built ${seen} of ${RECORDS}`)
  return seen / s
}

async function eachMessagePass() {
  let seen = 0
  const eachMessage = async ({ message }) => {
    if (message.value) seen++
  }
  const heartbeat = async () => {}
  const pause = () => () => {}
  const t0 = process.hrtime.bigint()
  for (let done = 0; done < RECORDS; done += BATCH) {
    const messages = buildBatch(done)
    for (const message of messages) {
      await eachMessage({ topic: 't', partition: 0, message, heartbeat, pause })
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  if (seen < RECORDS) throw new Error(`handled ${seen} of ${RECORDS}`)
  return seen / s
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

;(async () => {
  const batch = []
  const each = []
  for (let i = 0; i < PASSES; i++) {
    batch.push(eachBatchPass())
    each.push(await eachMessagePass())
  }
  console.log(
    JSON.stringify({
      records: RECORDS,
      size: SIZE,
      eachBatch: median(batch),
      eachMessage: median(each),
      passes: { eachBatch: batch.map(Math.round), eachMessage: each.map(Math.round) },
    }),
  )
})()
