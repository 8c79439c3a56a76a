// The kafkajs consumer's public shapes: config, messages, batches, payloads, run options,
// group descriptions and event names. Types and constants only; behaviour is in consumer.ts.

import { AssignerProtocol, PartitionAssigner } from './constants'
import type { GroupMeta } from '../index'
import { RetryOptions } from './config'
import { IHeaders } from './producer'

export interface ConsumerConfig {
  groupId: string
  partitionAssigners?: PartitionAssigner[]
  metadataMaxAge?: number
  sessionTimeout?: number
  rebalanceTimeout?: number
  heartbeatInterval?: number
  maxBytesPerPartition?: number
  minBytes?: number
  maxBytes?: number
  maxWaitTimeInMs?: number
  retry?: RetryOptions
  allowAutoTopicCreation?: boolean
  maxInFlightRequests?: number
  readUncommitted?: boolean
  rackId?: string
  /** The seed service's option; commits still follow `run({ autoCommit })`. */
  enableAutoCommit?: boolean
}

/**
 * The header of the record batch a message came in, as kafkajs decodes it (64-bit numbers as
 * strings); one object shared by the batch's messages.
 */
export interface BatchContext {
  firstOffset: string
  firstTimestamp: string
  partitionLeaderEpoch: number
  inTransaction: boolean
  isControlBatch: boolean
  lastOffsetDelta: number
  producerId: string
  producerEpoch: number
  firstSequence: number
  maxTimestamp: string
  /** 0 CreateTime, 1 LogAppendTime. */
  timestampType: number
  magicByte: number
}

export interface KafkaMessage {
  /** Always 2 (the record batch format the core decodes), as kafkajs reports for v2 batches. */
  magicByte?: number
  /** Always false: control records are not handed out (kafkajs filters them too). */
  isControlRecord?: boolean
  batchContext?: BatchContext
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  attributes: number
  offset: string
  headers: IHeaders
  size?: never
}

export type TopicPartition = { topic: string; partition: number }
export type TopicPartitionOffset = TopicPartition & { offset: string }
export type TopicPartitionOffsetAndMetadata = TopicPartitionOffset & { metadata?: string | null }
export type TopicPartitions = { topic: string; partitions: number[] }
export interface PartitionOffset {
  partition: number
  offset: string
}
export interface TopicOffsets {
  topic: string
  partitions: PartitionOffset[]
}
export interface Offsets {
  topics: TopicOffsets[]
}

export interface Batch {
  topic: string
  partition: number
  highWatermark: string
  messages: KafkaMessage[]
  isEmpty(): boolean
  firstOffset(): string | null
  lastOffset(): string
  offsetLag(): string
  offsetLagLow(): string
}

export interface EachMessagePayload {
  topic: string
  partition: number
  message: KafkaMessage
  heartbeat(): Promise<void>
  pause(): () => void
}

export interface EachBatchPayload {
  batch: Batch
  resolveOffset(offset: string): void
  heartbeat(): Promise<void>
  pause(): () => void
  commitOffsetsIfNecessary(offsets?: Offsets): Promise<void>
  uncommittedOffsets(): Offsets
  isRunning(): boolean
  isStale(): boolean
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void>
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void>

export type ConsumerRunConfig = {
  autoCommit?: boolean
  autoCommitInterval?: number | null
  autoCommitThreshold?: number | null
  eachBatchAutoResolve?: boolean
  partitionsConsumedConcurrently?: number
  eachBatch?: EachBatchHandler
  eachMessage?: EachMessageHandler
}

export type ConsumerSubscribeTopics = { topics: (string | RegExp)[]; fromBeginning?: boolean }
export type ConsumerSubscribeTopic = { topic: string | RegExp; fromBeginning?: boolean }

export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty'
export type MemberDescription = { clientHost: string; clientId: string; memberId: string; memberAssignment: Buffer; memberMetadata: Buffer }
export type GroupDescription = { errorCode: number; groupId: string; members: MemberDescription[]; protocol: string; protocolType: string; state: ConsumerGroupState }

/** A described group in kafkajs's shape and field order (consumer.describeGroup, admin.describeGroups). */
export function groupDescription(g: GroupMeta): GroupDescription {
  return {
    errorCode: 0,
    groupId: g.groupId,
    state: g.state as ConsumerGroupState,
    protocolType: g.protocolType,
    protocol: g.protocol,
    // The members' metadata and assignment as the broker returned them, as kafkajs hands them out.
    members: g.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: m.memberMetadata,
      memberAssignment: m.memberAssignment,
    })),
  }
}

export const CONSUMER_EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const

export type ConsumerEvents = typeof CONSUMER_EVENTS
