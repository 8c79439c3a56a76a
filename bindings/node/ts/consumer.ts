// The kafkajs Consumer over NativeConsumer: subscribe/run with eachMessage or eachBatch, offset
// resolution and commits of processed records, seek/pause/resume, and instrumentation events.
// One native poll returns a batch of records; group membership, fetching and heartbeats are
// the core's. A failing handler never loses records: its partition is sought back to the first
// unprocessed offset and the run loop retries after a backoff (kafkajs's restart).

import * as native from './native'
import { bool, num, Props, retryBackoffMs } from './config'
import { KafkaJSNonRetriableError, KafkaJSNotImplemented, fromNative } from './errors'
import { Instrumentation, InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
import { RequestEvents } from './requestEvents'
import { Logger } from './logger'
import { FetchedBatch } from './batch'
import { decodeRecords, PartitionRecords } from './records'
import {
  Batch,
  CONSUMER_EVENTS,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  GroupDescription,
  groupDescription,
  Offsets,
  PartitionOffset,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './consumerTypes'

export * from './consumerTypes'

export interface ConsumerDeps {
  verify: () => Promise<void>
  props: () => Promise<Props>
  logger: Logger
  admin: () => Promise<native.NativeAdmin>
  /** The Kafka client's clientId, for request events. */
  clientId: string
}

/** Records per native poll, at most. */
const MAX_POLL_RECORDS = 10000
/** kafkajs's (and the core's) default maxBytesPerPartition. */
const DEFAULT_PARTITION_BYTES = 1048576
/** The smallest bytes bound of one poll (with a small maxBytesPerPartition). */
const MIN_POLL_BYTES = 65536

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class Consumer {
  readonly events = CONSUMER_EVENTS
  private instrumentation = new Instrumentation(CONSUMER_EVENTS)
  private requests = new RequestEvents(this.instrumentation, CONSUMER_EVENTS.REQUEST, CONSUMER_EVENTS.REQUEST_TIMEOUT, this.deps.clientId)
  private client: native.NativeConsumer | null = null
  private base: Props | null = null
  private topics: string[] = []
  private patterns: RegExp[] = []
  private fromBeginning = false
  private running = false
  private loop: Promise<void> | null = null
  private joined = ''
  /** Next offset to commit per partition (processed records). */
  private resolved = new Map<string, { topic: string; partition: number; offset: number }>()
  private uncommittedCount = 0
  private lastCommit = Date.now()
  private pendingSeeks = new Map<string, { topic: string; partition: number; offset: number }>()
  private pausedTopics = new Set<string>()
  private runConfig: ConsumerRunConfig = {}
  private readonly consumerProps: Props = {}
  /** About how many bytes one native poll hands over, at most. */
  private readonly pollBytes: number

  constructor(private readonly config: ConsumerConfig, private readonly deps: ConsumerDeps) {
    if (!config || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.')
    }
    const p = this.consumerProps
    p['group.id'] = config.groupId
    num(p, 'sessionTimeout', 'session.timeout.ms', config.sessionTimeout, 1)
    num(p, 'rebalanceTimeout', 'max.poll.interval.ms', config.rebalanceTimeout, 1)
    num(p, 'heartbeatInterval', 'heartbeat.interval.ms', config.heartbeatInterval, 1)
    num(p, 'maxBytesPerPartition', 'max.partition.fetch.bytes', config.maxBytesPerPartition, 1)
    num(p, 'minBytes', 'fetch.min.bytes', config.minBytes)
    num(p, 'maxBytes', 'fetch.max.bytes', config.maxBytes, 1)
    num(p, 'maxWaitTimeInMs', 'fetch.max.wait.ms', config.maxWaitTimeInMs)
    num(p, 'metadataMaxAge', 'metadata.max.age.ms', config.metadataMaxAge)
    // kafkajs lets the broker create a subscribed topic that does not exist (when it allows).
    bool(p, 'allowAutoTopicCreation', 'allow.auto.create.topics', config.allowAutoTopicCreation ?? true)
    bool(p, 'readUncommitted', 'isolation.level', config.readUncommitted)
    p['isolation.level'] = config.readUncommitted ? 'read_uncommitted' : 'read_committed'
    if (config.enableAutoCommit !== undefined && typeof config.enableAutoCommit !== 'boolean') {
      throw new KafkaJSNonRetriableError('Invalid option enableAutoCommit: expected a boolean')
    }
    // Commits are of processed records (run's autoCommit), made here; the core's auto-commit
    // would commit fetched-but-unprocessed positions.
    p['enable.auto.commit'] = 'false'
    // kafkajs hands out whole fetched batches; one native poll may carry as many records.
    p['max.poll.records'] = String(MAX_POLL_RECORDS)
    // A poll takes at most half of what the core prefetches per partition, so the next fetch
    // is already on its way while the handler works through this batch (a poll that drained
    // the prefetch buffer left the core idle until the handler returned).
    this.pollBytes = Math.max(MIN_POLL_BYTES, Math.floor((config.maxBytesPerPartition ?? DEFAULT_PARTITION_BYTES) / 2))
    const assigners = config.partitionAssigners ?? []
    const names = assigners.map((a) => {
      if (typeof a !== 'function' || !a.protocolName) {
        throw new KafkaJSNotImplemented('Custom partition assigners are not supported; use PartitionAssigners.roundRobin, range or cooperativeSticky')
      }
      return a.protocolName
    })
    p['partition.assignment.strategy'] = names.length ? names.join(',') : 'RoundRobinAssigner'
  }

  logger(): Logger {
    return this.deps.logger
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    return this.requests.on(eventName, listener)
  }

  async connect(): Promise<void> {
    const base = Object.assign({}, await this.deps.props(), this.consumerProps)
    // The helper admin reports its requests (connect's Metadata) as the consumer's.
    this.requests.attach(await this.deps.admin())
    await this.deps.verify()
    this.base = base
    this.instrumentation.emit(CONSUMER_EVENTS.CONNECT)
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (this.running) throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running')
    const s = subscription as ConsumerSubscribeTopics & ConsumerSubscribeTopic
    const list = s.topics ?? (s.topic !== undefined ? [s.topic] : undefined)
    if (!Array.isArray(list) || list.length === 0) throw new KafkaJSNonRetriableError('Invalid subscription: expected { topics: [...] }')
    for (const t of list) {
      if (t instanceof RegExp) this.patterns.push(t)
      else if (typeof t === 'string' && t.length > 0) this.topics.push(t)
      else throw new KafkaJSNonRetriableError(`Invalid topic ${String(t)}`)
    }
    if (s.fromBeginning) this.fromBeginning = true
  }

  private ensureClient(): native.NativeConsumer {
    if (this.client) return this.client
    if (!this.base) throw new KafkaJSNonRetriableError('The consumer is not connected; call connect() first')
    const props = Object.assign({}, this.base, { 'auto.offset.reset': this.fromBeginning ? 'earliest' : 'latest' })
    let c: native.NativeConsumer
    try {
      c = new native.NativeConsumer(props)
      if (this.patterns.length > 0) {
        const parts = this.topics.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).concat(this.patterns.map((p) => p.source))
        c.subscribePattern(parts.map((p) => `(?:${p})`).join('|'))
      } else {
        c.subscribe([...new Set(this.topics)])
      }
    } catch (e) {
      throw fromNative(e)
    }
    this.requests.attach(c)
    this.client = c
    this.heartbeatsSeen = 0
    return c
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.running) {
      this.deps.logger.warn('consumer#run was called, but the consumer is already running', { groupId: this.config.groupId })
      return
    }
    if (!config.eachMessage && !config.eachBatch) throw new KafkaJSNonRetriableError('Consumer.run needs eachMessage or eachBatch')
    this.runConfig = config
    this.ensureClient()
    this.running = true
    this.loop = this.runLoop().catch((e) => {
      this.deps.logger.error('the consumer loop failed', { error: String(e) })
    })
  }

  private get autoCommit(): boolean {
    return this.runConfig.autoCommit !== false
  }

  private async runLoop(): Promise<void> {
    const c = this.ensureClient()
    const wait = Math.min(this.config.maxWaitTimeInMs ?? 5000, 500)
    let failures = 0
    while (this.running) {
      let batches: PartitionRecords[]
      let nodeIds: string[] = []
      const started = Date.now()
      try {
        // kafkajs fetches from every broker of its metadata and names each in these events (as
        // the string keys of its broker map).
        nodeIds = c.brokerIds().map(String)
        for (const nodeId of nodeIds) this.instrumentation.emit(CONSUMER_EVENTS.FETCH_START, { nodeId })
        batches = decodeRecords(await c.poll(wait, MAX_POLL_RECORDS, this.pollBytes))
        this.pausedKeys = null
      } catch (e) {
        const err = fromNative(e)
        this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error: err, groupId: this.config.groupId, restart: true })
        this.deps.logger.error('poll failed; retrying', { error: err.message })
        await sleep(this.backoff(++failures))
        continue
      }
      if (!this.running) {
        this.seekBack(batches)
        break
      }
      this.checkJoin(c)
      this.reportHeartbeats(c)
      this.applyPendingSeeks(c)
      // kafkajs 2 always reports 0 batches here (it hands batches out as they are decoded).
      const duration = Date.now() - started
      for (const nodeId of nodeIds) this.instrumentation.emit(CONSUMER_EVENTS.FETCH, { numberOfBatches: 0, duration, nodeId })
      const concurrency = Math.max(1, this.runConfig.partitionsConsumedConcurrently ?? 1)
      let ok = true
      for (let i = 0; i < batches.length; i += concurrency) {
        const results = await Promise.all(batches.slice(i, i + concurrency).map((b) => this.process(c, b)))
        if (results.includes(false)) ok = false
      }
      if (this.autoCommit) await this.commitIfNecessary(false).catch((e) => this.deps.logger.error('commit failed', { error: String(e) }))
      if (!ok) await sleep(this.backoff(++failures))
      else failures = 0
    }
  }

  private backoff(n: number): number {
    return retryBackoffMs(this.config.retry ?? {}, Math.min(n - 1, 10))
  }

  /** Records polled but not handed out go back: their partitions are sought to the first one. */
  private seekBack(batches: PartitionRecords[]): void {
    for (const b of batches) {
      try {
        this.client?.seek(b.topic, b.partition, b.offsets[0])
      } catch {
        // the partition was revoked meanwhile: its new owner starts from the committed offset
      }
    }
  }

  private checkJoin(c: native.NativeConsumer): void {
    const gen = c.generation()
    if (gen < 0) return
    const memberAssignment: Record<string, number[]> = {}
    for (const tp of c.assignment()) (memberAssignment[tp.topic] ??= []).push(tp.partition)
    // The generation can be visible a moment before its assignment: key on both.
    const joined = `${gen}|${JSON.stringify(memberAssignment)}`
    if (joined === this.joined) return
    this.joined = joined
    for (const t of this.pausedTopics) {
      const parts = (memberAssignment[t] ?? []).map((partition) => ({ topic: t, partition }))
      c.pause(parts)
      this.pausedKeys = null
    }
    const memberId = c.memberId()
    const leaderId = c.leaderId()
    this.instrumentation.emit(CONSUMER_EVENTS.GROUP_JOIN, {
      groupId: this.config.groupId,
      memberId,
      leaderId,
      isLeader: memberId === leaderId,
      memberAssignment,
      groupProtocol: this.consumerProps['partition.assignment.strategy'].split(',')[0],
      duration: 0,
    })
  }

  /** Heartbeats the coordinator accepted up to the last report. */
  private heartbeatsSeen = 0

  /**
   * Emits consumer.heartbeat when the core's background heartbeat got an answer since the last
   * look (kafkajs emits one after each heartbeat it sends; liveness checks watch for them).
   */
  private reportHeartbeats(c: native.NativeConsumer): void {
    const n = c.heartbeats()
    if (n <= this.heartbeatsSeen) return
    this.heartbeatsSeen = n
    this.instrumentation.emit(CONSUMER_EVENTS.HEARTBEAT, { groupId: this.config.groupId, memberId: c.memberId(), groupGenerationId: c.generation() })
  }

  private applyPendingSeeks(c: native.NativeConsumer): void {
    for (const [k, s] of this.pendingSeeks) {
      try {
        c.seek(s.topic, s.partition, s.offset)
        this.pendingSeeks.delete(k)
        this.seeked.add(k)
      } catch {
        // not assigned yet: kept until it is
      }
    }
  }

  /** Partitions sought while their batch was being processed: the rest of that batch is dropped. */
  private seeked = new Set<string>()

  /** Processes one partition's records; false when the handler failed (partition sought back). */
  private async process(c: native.NativeConsumer, records: PartitionRecords): Promise<boolean> {
    const { topic, partition, offsets, messages } = records
    const k = key(topic, partition)
    this.seeked.delete(k)
    if (this.isPaused(k)) {
      c.seek(topic, partition, offsets[0])
      return true
    }
    const hw = c.highWatermark(topic, partition)
    const last = offsets[offsets.length - 1]
    const highWatermark = String(hw ?? last + 1)
    let next = offsets[0]
    const pause = () => {
      this.pause([{ topic, partitions: [partition] }])
      return () => this.resume([{ topic, partitions: [partition] }])
    }
    // The core heartbeats in the background; this reports the ones it made, as kafkajs's does.
    const heartbeat = async () => this.reportHeartbeats(c)
    const resolve = (offset: number) => {
      next = offset + 1
      this.resolved.set(k, { topic, partition, offset: next })
      this.uncommittedCount += 1
    }
    const batchInfo = {
      topic,
      partition,
      highWatermark,
      offsetLag: String(Math.max(0, Number(highWatermark) - 1 - last)),
      offsetLagLow: String(Math.max(0, Number(highWatermark) - 1 - offsets[0])),
      batchSize: messages.length,
      firstOffset: String(offsets[0]),
      lastOffset: String(last),
    }
    const start = Date.now()
    this.instrumentation.emit(CONSUMER_EVENTS.START_BATCH_PROCESS, batchInfo)
    try {
      if (this.runConfig.eachBatch) {
        const batch: Batch = new FetchedBatch(topic, partition, highWatermark, messages)
        await this.runConfig.eachBatch({
          batch,
          resolveOffset: (o: string) => resolve(Number(o)),
          heartbeat,
          pause,
          commitOffsetsIfNecessary: async (offsets?: Offsets) => {
            if (offsets) await this.commitOffsets(flatten(offsets))
            else if (this.autoCommit) await this.commitIfNecessary(false)
          },
          uncommittedOffsets: () => this.uncommitted(),
          isRunning: () => this.running,
          isStale: () => this.seeked.has(k) || !this.running,
        })
        if (this.runConfig.eachBatchAutoResolve !== false && !this.seeked.has(k) && this.running) resolve(last)
      } else if (this.runConfig.eachMessage) {
        for (let i = 0; i < messages.length; i++) {
          if (!this.running || this.seeked.has(k) || this.isPaused(k)) break
          await this.runConfig.eachMessage({ topic, partition, message: messages[i], heartbeat, pause })
          resolve(offsets[i])
        }
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      this.deps.logger.error(`Error when calling ${this.runConfig.eachBatch ? 'eachBatch' : 'eachMessage'}`, {
        topic,
        partition,
        offset: String(next),
        error: err.message,
      })
      this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error: err, groupId: this.config.groupId, restart: true })
      if (!this.seeked.has(k)) this.seekTo(c, topic, partition, next)
      return false
    }
    // Records the handler did not get to (stop, pause) are fetched again.
    if (!this.seeked.has(k) && next <= last) this.seekTo(c, topic, partition, next)
    this.instrumentation.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, Object.assign({ duration: Date.now() - start }, batchInfo))
    return true
  }

  private seekTo(c: native.NativeConsumer, topic: string, partition: number, offset: number): void {
    try {
      c.seek(topic, partition, offset)
    } catch {
      // revoked meanwhile: the next owner resumes from the committed offset
    }
  }

  /**
   * The paused partitions' keys, read from the native consumer once and kept until a pause, a
   * resume or the next poll (the only places the set changes), not once per message.
   */
  private pausedKeys: Set<string> | null = null

  private isPaused(k: string): boolean {
    if (this.pausedKeys === null) this.pausedKeys = new Set((this.client?.paused() ?? []).map((tp) => key(tp.topic, tp.partition)))
    return this.pausedKeys.has(k)
  }

  private uncommitted(): Offsets {
    const by = new Map<string, PartitionOffset[]>()
    for (const r of this.resolved.values()) {
      let list = by.get(r.topic)
      if (!list) by.set(r.topic, (list = []))
      // A string at run time, as kafkajs's (it lists resolved partitions by Object.keys).
      list.push({ partition: String(r.partition) as unknown as number, offset: String(r.offset) })
    }
    return { topics: [...by].map(([topic, partitions]) => ({ topic, partitions })) }
  }

  private async commitIfNecessary(force: boolean): Promise<void> {
    if (this.resolved.size === 0) return
    const interval = this.runConfig.autoCommitInterval
    const threshold = this.runConfig.autoCommitThreshold
    const due =
      force ||
      (interval == null && threshold == null) ||
      (interval != null && Date.now() - this.lastCommit >= interval) ||
      (threshold != null && this.uncommittedCount >= threshold)
    if (!due) return
    const list = [...this.resolved.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: String(r.offset) }))
    this.resolved.clear()
    this.uncommittedCount = 0
    this.lastCommit = Date.now()
    await this.commit(list, true)
  }

  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    await this.commit(topicPartitions, false)
  }

  /**
   * Commits `topicPartitions`; the COMMIT_OFFSETS event names partitions as kafkajs does: as
   * given for a user's commitOffsets, as strings for resolved offsets (`fromResolved`: kafkajs
   * lists those by Object.keys).
   */
  private async commit(topicPartitions: TopicPartitionOffsetAndMetadata[], fromResolved: boolean): Promise<void> {
    const c = this.ensureClient()
    const offsets = topicPartitions.map((o) => {
      const offset = Number(o.offset)
      if (!Number.isInteger(offset) || offset < 0) throw new KafkaJSNonRetriableError(`Invalid offset ${JSON.stringify(o.offset)} for ${o.topic}-${o.partition}`)
      const partition = Number(o.partition)
      if (!Number.isInteger(partition) || partition < 0) throw new KafkaJSNonRetriableError(`Invalid partition ${JSON.stringify(o.partition)} for ${o.topic}`)
      return { topic: o.topic, partition, offset, metadata: o.metadata ?? undefined }
    })
    try {
      await c.commit(offsets)
    } catch (e) {
      throw fromNative(e)
    }
    for (const o of offsets) {
      const r = this.resolved.get(key(o.topic, o.partition))
      if (r && r.offset <= o.offset) this.resolved.delete(key(o.topic, o.partition))
    }
    const by = new Map<string, { partition: number | string; offset: string }[]>()
    for (const o of offsets) {
      let list = by.get(o.topic)
      if (!list) by.set(o.topic, (list = []))
      list.push({ partition: fromResolved ? String(o.partition) : o.partition, offset: String(o.offset) })
    }
    this.instrumentation.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, {
      groupId: this.config.groupId,
      memberId: c.memberId(),
      groupGenerationId: c.generation(),
      topics: [...by].map(([topic, partitions]) => ({ topic, partitions })),
    })
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const o = Number(offset)
    if (!Number.isInteger(o) || (o < 0 && o !== -1 && o !== -2)) {
      throw new KafkaJSNonRetriableError(`Invalid offset ${JSON.stringify(offset)}: expected a non-negative integer string`)
    }
    if (!this.running) throw new KafkaJSNonRetriableError('Consumer seek can only be called after consumer.run')
    const k = key(topic, partition)
    this.resolved.delete(k)
    this.pendingSeeks.set(k, { topic, partition, offset: o })
    if (this.client) this.applyPendingSeeks(this.client)
  }

  pause(topics: Array<{ topic: string; partitions?: number[] }>): void {
    const c = this.client
    this.pausedKeys = null
    for (const { topic, partitions } of topics) {
      if (!partitions) this.pausedTopics.add(topic)
      const list = partitions ?? (c ? c.assignment().filter((tp) => tp.topic === topic).map((tp) => tp.partition) : [])
      c?.pause(list.map((partition) => ({ topic, partition })))
    }
  }

  resume(topics: Array<{ topic: string; partitions?: number[] }>): void {
    const c = this.client
    this.pausedKeys = null
    for (const { topic, partitions } of topics) {
      if (!partitions) this.pausedTopics.delete(topic)
      const list = partitions ?? (c ? c.paused().filter((tp) => tp.topic === topic).map((tp) => tp.partition) : [])
      c?.resume(list.map((partition) => ({ topic, partition })))
    }
  }

  paused(): TopicPartitions[] {
    const by = new Map<string, number[]>()
    for (const tp of this.client?.paused() ?? []) {
      let list = by.get(tp.topic)
      if (!list) by.set(tp.topic, (list = []))
      list.push(tp.partition)
    }
    return [...by].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }))
  }

  async describeGroup(): Promise<GroupDescription> {
    const admin = await this.deps.admin()
    let g
    try {
      g = await admin.describeGroup(this.config.groupId)
    } catch (e) {
      throw fromNative(e)
    }
    return groupDescription(g)
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.loop
    this.loop = null
    if (this.autoCommit) await this.commitIfNecessary(true).catch((e) => this.deps.logger.error('commit on stop failed', { error: String(e) }))
    this.instrumentation.emit(CONSUMER_EVENTS.STOP)
  }

  async disconnect(): Promise<void> {
    await this.stop()
    const c = this.client
    this.client = null
    this.joined = ''
    if (c) {
      try {
        await c.close()
      } catch (e) {
        this.deps.logger.error('closing the consumer failed', { error: String(fromNative(e)) })
      }
    }
    this.requests.detachAll()
    this.instrumentation.emit(CONSUMER_EVENTS.DISCONNECT)
  }
}

function flatten(offsets: Offsets): TopicPartitionOffsetAndMetadata[] {
  return offsets.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })))
}
