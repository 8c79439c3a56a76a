// The kafkajs Producer over NativeProducer: message shapes in, RecordMetadata (offsets and
// timestamps as strings) out, one native call per send/sendBatch. Batching, partitioning
// (DefaultPartitioner), retries and idempotence are the core's.

import * as native from './native'
import { acks, bool, compression, num, Props, RetryOptions, retryBudgetMs, retryTimes } from './config'
import { CompressionTypes } from './constants'
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSNotImplemented, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError, fromNative, withDetail } from './errors'
import { protocolError } from './protocolErrors'
import { Instrumentation, InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
import { RequestEvents } from './requestEvents'
import { Logger } from './logger'
import { ICustomPartitioner, PartitionMetadata, isNativePartitioner } from './partitioners'
import { OutgoingPacker, type PackScratch } from './outgoing'
import { validateTopic } from './topics'

export type IHeaders = { [key: string]: Buffer | string | (Buffer | string)[] | undefined }

export interface Message {
  key?: Buffer | string | null
  value: Buffer | string | null
  partition?: number
  headers?: IHeaders
  timestamp?: string
}

export interface ProducerRecord {
  topic: string
  messages: Message[]
  acks?: number
  timeout?: number
  compression?: CompressionTypes
}

export interface TopicMessages {
  topic: string
  messages: Message[]
}

export interface ProducerBatch {
  acks?: number
  timeout?: number
  compression?: CompressionTypes
  topicMessages?: TopicMessages[]
}

export type RecordMetadata = {
  topicName: string
  partition: number
  errorCode: number
  offset?: string
  timestamp?: string
  baseOffset?: string
  logAppendTime?: string
  logStartOffset?: string
}

export interface ProducerConfig {
  createPartitioner?: ICustomPartitioner
  retry?: RetryOptions
  metadataMaxAge?: number
  allowAutoTopicCreation?: boolean
  idempotent?: boolean
  transactionalId?: string
  transactionTimeout?: number
  maxInFlightRequests?: number
  /** ferrokafka (Java producer) options the kafkajs API lacks. */
  batchSize?: number
  lingerMs?: number
  bufferMemory?: number
  maxRequestSize?: number
  compression?: CompressionTypes | 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  acks?: number | 'all'
}

export const PRODUCER_EVENTS = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const

export type ProducerEvents = typeof PRODUCER_EVENTS

export interface ProducerDeps {
  verify: () => Promise<void>
  props: () => Promise<Props>
  logger: Logger
  admin: () => Promise<native.NativeAdmin>
  /** The Kafka client's clientId, for request events. */
  clientId: string
  /** The client's `retry` (the producer's own `retry` wins). */
  retry?: RetryOptions
}

/**
 * A send the core gave up on because the topic never showed up in metadata (it does not exist
 * and is not auto-created) fails in kafkajs after its retries with
 * KafkaJSNumberOfRetriesExceeded caused by UNKNOWN_TOPIC_OR_PARTITION: the same here.
 */
function missingTopicError(err: Error, retry: RetryOptions): Error {
  if (!(err instanceof KafkaJSRequestTimeoutError) || !/gave up after max\.block\.ms/.test(err.message)) return err
  if (!/not present in metadata|UnknownTopicOrPartition/.test(err.message)) return err
  const info = protocolError(3)
  const cause = withDetail(new KafkaJSProtocolError({ message: info.message, type: info.type, code: 3, retriable: true }), err.message)
  return new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: retryTimes(retry).retries, retryTime: retryBudgetMs(retry) })
}

/** `max.in.flight.requests.per.connection` for kafkajs's "no cap" (Java's largest int). */
const NO_IN_FLIGHT_CAP = 2147483647

export class Producer {
  readonly events = PRODUCER_EVENTS
  private instrumentation = new Instrumentation(PRODUCER_EVENTS)
  private requests = new RequestEvents(this.instrumentation, PRODUCER_EVENTS.REQUEST, PRODUCER_EVENTS.REQUEST_TIMEOUT, this.deps.clientId)
  private clients = new Map<string, native.NativeProducer>()
  private base: Props | null = null
  private connecting: Promise<void> | null = null
  private partitioner: ((args: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number) | null
  private metadata = new Map<string, { at: number; partitions: PartitionMetadata[] }>()
  private readonly producerProps: Props = {}
  /** The packing buffers between sends (`ts/outgoing.ts`). */
  private scratch: PackScratch | undefined

  constructor(private readonly config: ProducerConfig, private readonly deps: ProducerDeps) {
    const c = config ?? {}
    const p = this.producerProps
    const idempotent = c.idempotent === true
    bool(p, 'idempotent', 'enable.idempotence', idempotent)
    const a = acks(c.acks) ?? 'all'
    if (idempotent && a !== 'all') {
      throw new KafkaJSNonRetriableError('Idempotent producer must use acks=-1 (all); remove acks or set it to -1')
    }
    p['acks'] = a
    // kafkajs caps the requests in flight on a connection only when maxInFlightRequests is set
    // (null or unset: no cap). The idempotent producer keeps Java's 5, the most for which the
    // broker keeps a producer's sequences in order.
    const inFlight = c.maxInFlightRequests ?? (idempotent ? undefined : NO_IN_FLIGHT_CAP)
    num(p, 'maxInFlightRequests', 'max.in.flight.requests.per.connection', inFlight, 1)
    num(p, 'batchSize', 'batch.size', c.batchSize)
    // kafkajs sends every send() at once: with no lingerMs a drop-in must not hold records back
    // (the core's own default is Java's 5 ms). Records still batch while requests are in flight.
    num(p, 'lingerMs', 'linger.ms', c.lingerMs ?? 0)
    num(p, 'bufferMemory', 'buffer.memory', c.bufferMemory, 1)
    num(p, 'maxRequestSize', 'max.request.size', c.maxRequestSize, 1)
    num(p, 'metadataMaxAge', 'metadata.max.age.ms', c.metadataMaxAge)
    bool(p, 'allowAutoTopicCreation', 'allow.auto.create.topics', c.allowAutoTopicCreation)
    // kafkajs gives up on a topic missing from metadata when its retries run out.
    num(p, 'retry', 'max.block.ms', retryBudgetMs(c.retry ?? deps.retry))
    if (c.retry !== undefined) {
      if (typeof c.retry !== 'object' || c.retry === null) throw new KafkaJSNonRetriableError('Invalid option retry: expected an object')
      if (idempotent && c.retry.retries === 0) throw new KafkaJSNonRetriableError('Idempotent producer must allow retries; set retry.retries >= 1')
      num(p, 'retry.retries', 'retries', c.retry.retries)
    }
    const comp = compression(c.compression)
    if (comp) p['compression.type'] = comp
    if (c.createPartitioner !== undefined && typeof c.createPartitioner !== 'function') {
      throw new KafkaJSNonRetriableError('Invalid option createPartitioner: expected a function returning a partitioner')
    }
    this.partitioner = isNativePartitioner(c.createPartitioner) ? null : (c.createPartitioner as ICustomPartitioner)()
  }

  async connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = (async () => {
        const base = Object.assign({}, await this.deps.props(), this.producerProps)
        // The helper admin reports its requests (connect's Metadata) as the producer's.
        this.requests.attach(await this.deps.admin())
        await this.deps.verify()
        this.base = base
        this.client(undefined, undefined)
      })()
      this.connecting.catch(() => {
        this.connecting = null
      })
    }
    await this.connecting
    this.instrumentation.emit(PRODUCER_EVENTS.CONNECT)
  }

  async disconnect(): Promise<void> {
    const clients = [...this.clients.values()]
    this.clients.clear()
    this.connecting = null
    this.base = null
    await Promise.all(clients.map((c) => c.close(30000).catch((e: unknown) => this.deps.logger.error('closing the producer failed', { error: String(e) }))))
    this.requests.detachAll()
    this.instrumentation.emit(PRODUCER_EVENTS.DISCONNECT)
  }

  isIdempotent(): boolean {
    return this.config?.idempotent === true
  }

  logger(): Logger {
    return this.deps.logger
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    return this.requests.on(eventName, listener)
  }

  async transaction(): Promise<never> {
    if (!this.config?.transactionalId) {
      throw new KafkaJSNonRetriableError('Must provide transactional id for transactional producer')
    }
    throw new KafkaJSNotImplemented('Transactions are not supported by ferrokafka yet (the core has no transactional producer); send without a transaction')
  }

  /** The native producer for a send's acks/compression (the configured one when unset). */
  private client(sendAcks: unknown, sendCompression: unknown): native.NativeProducer {
    if (!this.base) throw new KafkaJSError('The producer is disconnected', { retriable: false })
    const props: Props = Object.assign({}, this.base)
    const a = acks(sendAcks)
    if (a) props['acks'] = a
    const comp = sendCompression === undefined ? undefined : compression(sendCompression)
    if (comp) props['compression.type'] = comp
    if (props['enable.idempotence'] === 'true' && props['acks'] !== 'all') {
      throw new KafkaJSNonRetriableError('Not requiring ack for all messages invalidates the idempotent producer\'s EoS guarantees')
    }
    const key = `${props['acks']}|${props['compression.type'] ?? ''}`
    let c = this.clients.get(key)
    if (!c) {
      try {
        c = new native.NativeProducer(props)
      } catch (e) {
        throw fromNative(e)
      }
      this.requests.attach(c)
      this.clients.set(key, c)
    }
    return c
  }

  private async partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.metadata.get(topic)
    const maxAge = this.config?.metadataMaxAge ?? 300000
    if (cached && Date.now() - cached.at < maxAge) return cached.partitions
    const admin = await this.deps.admin()
    let described
    try {
      described = await admin.describeTopics([topic])
    } catch (e) {
      throw fromNative(e, { topic })
    }
    const partitions = (described[0]?.partitions ?? []).map((p) => ({
      partitionErrorCode: 0,
      partitionId: p.partitionId,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
    }))
    this.metadata.set(topic, { at: Date.now(), partitions })
    return partitions
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!record || typeof record !== 'object') throw new KafkaJSNonRetriableError('Invalid send: expected { topic, messages }')
    return this.sendBatch({
      acks: record.acks,
      timeout: record.timeout,
      compression: record.compression,
      topicMessages: [{ topic: record.topic, messages: record.messages }],
    })
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const client = this.client(batch.acks, batch.compression)
    const topicMessages = batch.topicMessages ?? []
    const first = topicMessages[0]?.messages
    const expected = Array.isArray(first) ? first.length : 0
    const firstValue = expected > 0 ? first[0]?.value : undefined
    // The buffers are this send's until the native call returns (concurrent sends waiting on a
    // custom partitioner's metadata allocate their own meanwhile).
    const packer = new OutgoingPacker(expected, (firstValue?.length ?? 64) + 16, this.scratch)
    this.scratch = undefined
    let sending: Promise<native.Delivery[]>
    let topic: string
    try {
      for (const tm of topicMessages) {
        validateTopic(tm?.topic)
        if (!Array.isArray(tm.messages)) {
          throw new KafkaJSNonRetriableError(`Invalid messages array [${String(tm.messages)}] for topic "${tm.topic}"`)
        }
        const partitions = this.partitioner ? await this.partitionsOf(tm.topic) : null
        const ti = packer.topicIndex(tm.topic)
        for (const m of tm.messages) {
          const partition = this.partitioner && partitions ? this.partitioner({ topic: tm.topic, partitionMetadata: partitions, message: m }) : undefined
          packer.add(ti, m, partition)
        }
      }
      if (packer.count === 0) return []
      const packed = packer.finish()
      topic = packed.topics[0]
      try {
        sending = client.send(packed.topics, packed.layout, packed.data, packed.timestamps)
      } catch (e) {
        throw fromNative(e, { topic })
      }
    } finally {
      // The native send copied the bytes before returning (or nothing was sent).
      this.scratch = packer.scratch()
    }
    let delivered: native.Delivery[]
    try {
      delivered = await sending
    } catch (e) {
      throw missingTopicError(fromNative(e, { topic }), this.config?.retry ?? this.deps.retry ?? {})
    }
    // kafkajs reads no response with acks=0, so it reports nothing.
    if ((acks(batch.acks) ?? this.base?.['acks']) === '0') return []
    // kafkajs reports one entry per topic-partition with the first offset written there
    // (baseOffset; `offset`/`timestamp` are absent in kafkajs's answers too); the native send
    // answers exactly those, in send order.
    return delivered.map(
      (d): RecordMetadata => ({
        topicName: d.topic,
        partition: d.partition,
        errorCode: 0,
        baseOffset: String(d.offset),
        logAppendTime: String(d.logAppendTime ?? -1),
        logStartOffset: String(d.logStartOffset ?? -1),
      }),
    )
  }
}
