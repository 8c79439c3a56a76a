// Packs the kafkajs messages of one send for a single crossing into the native producer
// (src/outgoing.rs documents the layout): keys, values and header bytes appended to one growing
// Buffer, the per-record numbers in an Int32Array, topic names once. Strings are written as
// UTF-8 straight into the Buffer (no Buffer per string); the checks and their messages are the
// ones kafkajs users get for a bad message. The native send copies the packed bytes before it
// returns, so a producer lends the same buffers to its next packer (`PackScratch`): a send of
// 1,000 x 1 KB values otherwise allocates a fresh ~1 MB Buffer that the kernel zeroes page by
// page and V8 frees only at its next collection.

import { KafkaJSNonRetriableError } from './errors'
import type { IHeaders, Message } from './producer'

const FIELDS_PER_RECORD = 5

/** The arguments of `NativeProducer.send`. */
export interface PackedSend {
  topics: string[]
  layout: Int32Array
  data: Buffer
  timestamps: Float64Array | undefined
}

/** Buffers a producer lends to one packer at a time. */
export interface PackScratch {
  data: Buffer
  layout: Int32Array
}

/** Larger buffers are not kept between sends (one huge send must not pin its memory). */
const MAX_SCRATCH_BYTES = 16 * 1024 * 1024

function badBytes(v: unknown, what: string): never {
  throw new KafkaJSNonRetriableError(`Invalid message ${what}: expected a Buffer, a string or null, got ${typeof v}`)
}

export class OutgoingPacker {
  readonly topics: string[] = []
  private layout: Int32Array
  private at = 0
  private data: Buffer
  private pos = 0
  private timestamps: Float64Array | undefined
  count = 0

  /** Writes into `scratch` when it is large enough for the expected records, else allocates. */
  constructor(expectedRecords: number, expectedBytesPerRecord: number, scratch?: PackScratch) {
    const layoutLen = Math.max(16, expectedRecords * FIELDS_PER_RECORD)
    const dataLen = Math.max(1024, expectedRecords * expectedBytesPerRecord)
    this.layout = scratch !== undefined && scratch.layout.length >= layoutLen ? scratch.layout : new Int32Array(layoutLen)
    this.data = scratch !== undefined && scratch.data.length >= dataLen ? scratch.data : Buffer.allocUnsafe(dataLen)
  }

  /**
   * The buffers to lend the next packer once the native send has copied this one's (they may
   * have grown), or undefined when too large to keep.
   */
  scratch(): PackScratch | undefined {
    return this.data.length <= MAX_SCRATCH_BYTES ? { data: this.data, layout: this.layout } : undefined
  }

  /** The index of `topic` in `topics` (sends name few topics). */
  topicIndex(topic: string): number {
    const i = this.topics.lastIndexOf(topic)
    if (i >= 0) return i
    this.topics.push(topic)
    return this.topics.length - 1
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.data.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.pos + bytes))
    this.data.copy(grown, 0, 0, this.pos)
    this.data = grown
  }

  private slot(n: number): number {
    if (this.at + n > this.layout.length) {
      const grown = new Int32Array(Math.max(this.layout.length * 2, this.at + n))
      grown.set(this.layout.subarray(0, this.at))
      this.layout = grown
    }
    const at = this.at
    this.at += n
    return at
  }

  /** Appends bytes (a Buffer, a Uint8Array or a string as UTF-8); returns the length or -1 for null. */
  private bytes(v: unknown, what: string): number {
    if (v === null || v === undefined) return -1
    if (typeof v === 'string') {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (v.length * 3 > this.data.length - this.pos) this.room(Buffer.byteLength(v))
      const n = this.data.write(v, this.pos)
      this.pos += n
      return n
    }
    if (v instanceof Uint8Array) {
      this.room(v.length)
      this.data.set(v, this.pos)
      this.pos += v.length
      return v.length
    }
    return badBytes(v, what)
  }

  private headers(h: IHeaders | undefined): number {
    if (h === undefined || h === null) return 0
    let count = 0
    for (const key in h) {
      if (!Object.prototype.hasOwnProperty.call(h, key)) continue
      const v = h[key]
      if (v === undefined) continue
      for (const one of Array.isArray(v) ? v : [v]) {
        const at = this.slot(2)
        const keyLen = this.bytes(key, 'header key')
        // A null header value is sent as null (kafkajs throws a TypeError for one).
        const valueLen = this.bytes(one, `header ${key}`)
        this.layout[at] = keyLen
        this.layout[at + 1] = valueLen
        count++
      }
    }
    return count
  }

  /** Appends one message (checked as kafkajs checks it) for the topic at `topicIndex`. */
  add(topicIndex: number, m: Message, partition?: number): void {
    const topic = this.topics[topicIndex]
    if (m === null || typeof m !== 'object') throw new KafkaJSNonRetriableError(`Invalid message for topic ${topic}: expected an object with a value`)
    let timestamp = NaN
    if (m.timestamp !== undefined && m.timestamp !== null) {
      timestamp = Number(m.timestamp)
      if (!Number.isFinite(timestamp)) throw new KafkaJSNonRetriableError(`Invalid message timestamp ${JSON.stringify(m.timestamp)}: expected ms since the epoch as a string`)
    }
    const p = partition ?? m.partition
    if (p !== undefined && p !== null && (!Number.isInteger(p) || p < 0)) {
      throw new KafkaJSNonRetriableError(`Invalid message partition ${JSON.stringify(p)}: expected an integer >= 0`)
    }
    const at = this.slot(FIELDS_PER_RECORD)
    const keyLen = this.bytes(m.key, 'key')
    const valueLen = this.bytes(m.value, 'value')
    // headers() may grow (replace) this.layout: read it only after.
    const headerCount = this.headers(m.headers)
    const layout = this.layout
    layout[at] = topicIndex
    layout[at + 1] = p ?? -1
    layout[at + 2] = keyLen
    layout[at + 3] = valueLen
    layout[at + 4] = headerCount
    if (!Number.isNaN(timestamp) && this.timestamps === undefined) {
      this.timestamps = new Float64Array(Math.max(16, this.count * 2)).fill(NaN)
    }
    if (this.timestamps !== undefined) {
      if (this.count >= this.timestamps.length) {
        const grown = new Float64Array(this.timestamps.length * 2).fill(NaN)
        grown.set(this.timestamps)
        this.timestamps = grown
      }
      this.timestamps[this.count] = timestamp
    }
    this.count++
  }

  finish(): PackedSend {
    return {
      topics: this.topics,
      layout: this.layout.subarray(0, this.at),
      data: this.data.subarray(0, this.pos),
      timestamps: this.timestamps?.subarray(0, this.count),
    }
  }
}
