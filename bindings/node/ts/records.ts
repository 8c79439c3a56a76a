// Decodes the native consumer's packed poll (src/packed.rs documents the layout) into kafkajs
// messages. Keys, values and header values are views of the one Buffer the poll crossed in, as
// kafkajs's are views of its fetch response; only header keys are decoded to strings.

import type { KafkaMessage } from './consumerTypes'
import type { IHeaders } from './producer'

/** The packed poll as napi hands it over. */
export type PolledRecords = import('../index').PolledRecords

/** One consumed record: where it came from and the kafkajs message handed to the user. */
export interface PolledRecord {
  topic: string
  partition: number
  offset: number
  message: KafkaMessage
}

const FIELDS_PER_RECORD = 6
const LOG_APPEND_TIME = 1

export function decodeRecords(p: PolledRecords): PolledRecord[] {
  const { layout, offsets, timestamps, data, topics } = p
  const out: PolledRecord[] = new Array(p.count)
  let at = 0 // index into layout
  let pos = 0 // byte position in data
  const take = (len: number): Buffer | null => {
    if (len < 0) return null
    const b = data.subarray(pos, pos + len)
    pos += len
    return b
  }
  for (let i = 0; i < p.count; i++) {
    const topic = topics[layout[at]]
    const partition = layout[at + 1]
    const keyLen = layout[at + 2]
    const valueLen = layout[at + 3]
    const headerCount = layout[at + 4]
    const flags = layout[at + 5]
    at += FIELDS_PER_RECORD
    const key = take(keyLen)
    const value = take(valueLen)
    const headers: IHeaders = {}
    for (let h = 0; h < headerCount; h++) {
      const hk = data.toString('utf8', pos, pos + layout[at])
      pos += layout[at]
      const hv = take(layout[at + 1]) ?? Buffer.alloc(0)
      at += 2
      const prev = headers[hk]
      if (prev === undefined) headers[hk] = hv
      else headers[hk] = ([] as (Buffer | string)[]).concat(prev, hv)
    }
    const offset = offsets[i]
    out[i] = {
      topic,
      partition,
      offset,
      message: {
        key,
        value,
        timestamp: String(timestamps[i]),
        attributes: flags & LOG_APPEND_TIME ? 8 : 0,
        offset: String(offset),
        headers,
      },
    }
  }
  return out
}
