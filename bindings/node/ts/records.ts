// Decodes the native consumer's packed poll (src/packed.rs documents the layout) into kafkajs
// messages. Keys, values and header values are views of the one Buffer the poll crossed in, as
// kafkajs's are views of its fetch response; only header keys are decoded to strings.

import type { BatchContext, KafkaMessage } from './consumerTypes'
import type { IHeaders } from './producer'

/** The packed poll as napi hands it over. */
export type PolledRecords = import('../index').PolledRecords

/** One partition's records of a poll, in offset order: the kafkajs messages and their offsets. */
export interface PartitionRecords {
  topic: string
  partition: number
  offsets: number[]
  messages: KafkaMessage[]
}

const FIELDS_PER_RECORD = 5
const BATCH_INTS = 6
const BATCH_LONGS = 4
const TRANSACTIONAL_FLAG = 0x10
const CONTROL_FLAG = 0x20
const LOG_APPEND_TIME_FLAG = 0x08

/** The `b`-th record batch of a poll as kafkajs's batchContext (its keys in kafkajs's order). */
function batchContext(ints: Int32Array, longs: BigInt64Array, b: number): BatchContext {
  const at = b * BATCH_INTS
  const attributes = ints[at + 2]
  const l = b * BATCH_LONGS
  return {
    firstOffset: String(longs[l]),
    firstTimestamp: String(longs[l + 1]),
    partitionLeaderEpoch: ints[at + 1],
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: ints[at + 3],
    producerId: String(longs[l + 3]),
    producerEpoch: ints[at + 4],
    firstSequence: ints[at + 5],
    maxTimestamp: String(longs[l + 2]),
    timestampType: (attributes & LOG_APPEND_TIME_FLAG) > 0 ? 1 : 0,
    magicByte: 2,
  }
}

/**
 * Decodes a poll straight into per-partition lists (what the consumer hands out), so no
 * wrapper object is made per record. Records come in runs of one partition: the list is looked
 * up once per run.
 */
export function decodeRecords(p: PolledRecords): PartitionRecords[] {
  const { layout, offsets, timestamps, data, topics, batchInts, batchLongs } = p
  const out: PartitionRecords[] = []
  // The batch the next records came in, and the record index where the one after it starts.
  let batch = -1
  let context: BatchContext | undefined
  let nextBatchAt = batchInts.length > 0 ? 0 : Infinity
  let current: PartitionRecords | undefined
  let at = 0 // index into layout
  let pos = 0 // byte position in data
  // Records of one produce request share their timestamp: its string is made once for them
  // (number-to-string is a large share of the per-record cost here).
  let lastTimestamp = NaN
  let lastTimestampText = ''
  for (let i = 0; i < p.count; i++) {
    if (i === nextBatchAt) {
      context = batchContext(batchInts, batchLongs, ++batch)
      const following = (batch + 1) * BATCH_INTS
      nextBatchAt = following < batchInts.length ? batchInts[following] : Infinity
    }
    const topic = topics[layout[at]]
    const partition = layout[at + 1]
    const keyLen = layout[at + 2]
    const valueLen = layout[at + 3]
    const headerCount = layout[at + 4]
    at += FIELDS_PER_RECORD
    let key: Buffer | null = null
    if (keyLen >= 0) {
      key = data.subarray(pos, pos + keyLen)
      pos += keyLen
    }
    let value: Buffer | null = null
    if (valueLen >= 0) {
      value = data.subarray(pos, pos + valueLen)
      pos += valueLen
    }
    const headers: IHeaders = {}
    for (let h = 0; h < headerCount; h++) {
      const hk = data.toString('utf8', pos, pos + layout[at])
      pos += layout[at]
      const hvLen = layout[at + 1]
      // A null header value stays null, as kafkajs decodes it.
      let hv: Buffer = null as unknown as Buffer
      if (hvLen >= 0) {
        hv = data.subarray(pos, pos + hvLen)
        pos += hvLen
      }
      at += 2
      const prev = headers[hk]
      if (prev === undefined) headers[hk] = hv
      else headers[hk] = ([] as (Buffer | string)[]).concat(prev, hv)
    }
    if (current === undefined || current.partition !== partition || current.topic !== topic) {
      current = out.find((b) => b.partition === partition && b.topic === topic)
      if (current === undefined) {
        current = { topic, partition, offsets: [], messages: [] }
        out.push(current)
      }
    }
    const offset = offsets[i]
    current.offsets.push(offset)
    const timestamp = timestamps[i]
    if (timestamp !== lastTimestamp) {
      lastTimestamp = timestamp
      lastTimestampText = String(timestamp)
    }
    // kafkajs's fields in kafkajs's order. The core decodes magic-v2 batches only and never
    // hands out control records; `attributes` are the record's own (unused, 0) as in kafkajs,
    // the timestamp type being the batch's.
    current.messages.push({
      magicByte: 2,
      attributes: 0,
      timestamp: lastTimestampText,
      offset: String(offset),
      key,
      value,
      headers,
      isControlRecord: false,
      batchContext: context,
    })
  }
  return out
}
