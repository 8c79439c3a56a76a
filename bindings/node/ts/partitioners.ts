// kafkajs's `Partitioners`. DefaultPartitioner (and its deprecated alias
// JavaCompatiblePartitioner) is the core's Java-compatible partitioner: when it is chosen no JS
// code runs per record. LegacyPartitioner is kafkajs 1.x's (murmur2 with JS number arithmetic,
// round-robin for keyless records) and runs here, as would any custom partitioner.

import { randomBytes } from 'node:crypto'

export interface PartitionMetadata {
  partitionErrorCode: number
  partitionId: number
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas?: number[]
}

export interface PartitionerMessage {
  key?: Buffer | string | null
  value: Buffer | string | null
  partition?: number
  headers?: unknown
  timestamp?: string
}

export interface PartitionerArgs {
  topic: string
  partitionMetadata: PartitionMetadata[]
  message: PartitionerMessage
}

export type ICustomPartitioner = () => (args: PartitionerArgs) => number

/** Marks the factory the core implements natively. */
export const NATIVE_PARTITIONER = Symbol.for('ferrokafka.nativePartitioner')

const M = 0x5bd1e995

// kafkajs 1.x's murmur2: JavaScript number arithmetic (products are not truncated to 32 bits
// until the next bitwise operator), kept bit-for-bit so keys land where kafkajs 1.x put them.
function legacyMurmur2(key: Buffer | string): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const length = data.length
  let h = 0x9747b28c ^ length
  const blocks = length / 4
  for (let i = 0; i < blocks; i++) {
    const o = i * 4
    let k = (data[o] & 0xff) + ((data[o + 1] & 0xff) << 8) + ((data[o + 2] & 0xff) << 16) + ((data[o + 3] & 0xff) << 24)
    k *= M
    k ^= k >>> 24
    k *= M
    h *= M
    h ^= k
  }
  const tail = length & ~3
  const rest = length % 4
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8
  if (rest >= 1) {
    h ^= data[tail] & 0xff
    h *= M
  }
  h ^= h >>> 13
  h *= M
  h ^= h >>> 15
  return h
}

const toPositive = (x: number) => x & 0x7fffffff

const legacy: ICustomPartitioner = () => {
  const counters: Record<string, number> = {}
  return ({ topic, partitionMetadata, message }) => {
    if (!(topic in counters)) counters[topic] = randomBytes(4).readUInt32BE(0)
    if (message.partition !== null && message.partition !== undefined) return message.partition
    const numPartitions = partitionMetadata.length
    if (message.key !== null && message.key !== undefined) {
      return toPositive(legacyMurmur2(message.key)) % numPartitions
    }
    const available = partitionMetadata.filter((p) => p.leader >= 0)
    counters[topic] += 1
    if (available.length > 0) return available[toPositive(counters[topic]) % available.length].partitionId
    return toPositive(counters[topic]) % numPartitions
  }
}

const javaCompatible: ICustomPartitioner = () => () => {
  throw new Error('the Java-compatible partitioner runs in the native core; it is never called from JS')
}
;(javaCompatible as unknown as Record<symbol, boolean>)[NATIVE_PARTITIONER] = true

export const Partitioners = {
  DefaultPartitioner: javaCompatible,
  LegacyPartitioner: legacy,
  /** @deprecated use DefaultPartitioner */
  JavaCompatiblePartitioner: javaCompatible,
}

export function isNativePartitioner(p: ICustomPartitioner | undefined): boolean {
  return p === undefined || (p as unknown as Record<symbol, boolean>)[NATIVE_PARTITIONER] === true
}
