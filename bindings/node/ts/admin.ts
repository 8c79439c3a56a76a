// The kafkajs Admin over NativeAdmin: topics, partitions, offsets, groups, configs, cluster.
// Each method converts kafkajs shapes to one or a few native calls; routing and retries are
// the core's.

import * as native from './native'
import { ConfigResourceTypes, ConfigSource } from './constants'
import {
  KafkaJSAggregateError,
  KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSNonRetriableError,
  KafkaJSNotImplemented,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  fromNative,
  withDetail,
} from './errors'
import { Instrumentation, InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
import { RequestEvents } from './requestEvents'
import { Logger } from './logger'
import { PartitionMetadata } from './partitioners'
import { GroupDescription } from './consumer'
import { groupDescription } from './consumerTypes'

export interface ITopicConfig {
  topic: string
  numPartitions?: number
  replicationFactor?: number
  replicaAssignment?: object[]
  configEntries?: { name: string; value: string }[]
}

export interface SeekEntry {
  partition: number
  offset: string
}

export const ADMIN_EVENTS = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const

const EARLIEST = -2
const LATEST = -1

export interface AdminDeps {
  verify: () => Promise<void>
  admin: () => Promise<native.NativeAdmin>
  close: () => void
  logger: Logger
  /** The Kafka client's clientId, for request events. */
  clientId: string
}

export class Admin {
  readonly events = ADMIN_EVENTS
  private instrumentation = new Instrumentation(ADMIN_EVENTS)
  private requests = new RequestEvents(this.instrumentation, ADMIN_EVENTS.REQUEST, ADMIN_EVENTS.REQUEST_TIMEOUT, this.deps.clientId)

  constructor(private readonly deps: AdminDeps) {}

  private async call<T>(f: (a: native.NativeAdmin) => Promise<T>, topic?: string): Promise<T> {
    const a = await this.deps.admin()
    try {
      return await f(a)
    } catch (e) {
      throw fromNative(e, { topic })
    }
  }

  logger(): Logger {
    return this.deps.logger
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    return this.requests.on(eventName, listener)
  }

  async connect(): Promise<void> {
    this.requests.attach(await this.deps.admin())
    await this.deps.verify()
    this.instrumentation.emit(ADMIN_EVENTS.CONNECT)
  }

  async disconnect(): Promise<void> {
    this.deps.close()
    this.requests.detachAll()
    this.instrumentation.emit(ADMIN_EVENTS.DISCONNECT)
  }

  async listTopics(): Promise<string[]> {
    return this.call((a) => a.listTopics(false))
  }

  /**
   * As kafkajs: true when the topics were created; false when every one that failed already
   * existed; otherwise KafkaJSAggregateError('Topic creation errors') of one
   * KafkaJSCreateTopicError per failed topic (the broker judges names, as with kafkajs).
   */
  async createTopics({ topics, validateOnly = false }: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    if (!topics || !Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`)
    if (topics.some((t) => typeof t?.topic !== 'string')) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string')
    }
    if (new Set(topics.map((t) => t.topic)).size < topics.length) {
      throw new KafkaJSNonRetriableError('Invalid topics array, it cannot have multiple entries for the same topic')
    }
    for (const { topic, configEntries } of topics) {
      if (configEntries == null) continue
      if (!Array.isArray(configEntries)) throw new KafkaJSNonRetriableError(`Invalid configEntries for topic "${topic}", must be an array`)
      configEntries.forEach((entry, index) => {
        if (typeof entry !== 'object' || entry == null) {
          throw new KafkaJSNonRetriableError(`Invalid configEntries for topic "${topic}". Entry ${index} must be an object`)
        }
        for (const prop of ['name', 'value'] as const) {
          if (!Object.prototype.hasOwnProperty.call(entry, prop) || typeof entry[prop] !== 'string') {
            throw new KafkaJSNonRetriableError(`Invalid configEntries for topic "${topic}". Entry ${index} must have a valid "${prop}" property`)
          }
        }
      })
    }
    const a = await this.deps.admin()
    // One request per topic, side by side: each topic's own error comes back.
    const outcomes = await Promise.all(
      topics.map(async (t) => {
        try {
          await a.createTopics(
            [
              {
                topic: t.topic,
                numPartitions: t.numPartitions ?? -1,
                replicationFactor: t.replicationFactor ?? -1,
                configs: Object.fromEntries((t.configEntries ?? []).map((c) => [c.name, String(c.value)])),
              },
            ],
            validateOnly,
          )
          return null
        } catch (e) {
          const err = fromNative(e, { topic: t.topic })
          if (!(err instanceof KafkaJSProtocolError)) throw err
          return withDetail(new KafkaJSCreateTopicError({ message: err.message, type: err.type, code: err.code, retriable: err.retriable }, t.topic), (err as { detail?: string }).detail ?? '')
        }
      }),
    )
    const errors = outcomes.filter((e): e is KafkaJSCreateTopicError => e !== null)
    if (errors.length === 0) return true
    if (errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) return false
    throw new KafkaJSAggregateError('Topic creation errors', errors)
  }

  async deleteTopics({ topics }: { topics: string[]; timeout?: number }): Promise<void> {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`)
    if (topics.some((t) => typeof t !== 'string')) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the names must be a valid string')
    }
    try {
      await this.call((a) => a.deleteTopics(topics))
    } catch (e) {
      // kafkajs retries a retriable refusal (an unknown topic) and then gives up with this.
      if (e instanceof KafkaJSProtocolError && e.retriable) throw new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 5, retryTime: 0 })
      throw e
    }
  }

  async createPartitions({ topicPartitions, validateOnly = false }: { topicPartitions: { topic: string; count: number; assignments?: number[][] }[]; validateOnly?: boolean; timeout?: number }): Promise<void> {
    if (!topicPartitions || !Array.isArray(topicPartitions)) {
      throw new KafkaJSNonRetriableError(`Invalid topic partitions array ${String(topicPartitions)}`)
    }
    if (topicPartitions.length === 0) throw new KafkaJSNonRetriableError('Empty topic partitions array')
    if (topicPartitions.some((tp) => typeof tp?.topic !== 'string')) {
      throw new KafkaJSNonRetriableError('Invalid topic partitions array, the topic names have to be a valid string')
    }
    for (const tp of topicPartitions) await this.call((a) => a.createPartitions(tp.topic, tp.count, validateOnly), tp.topic)
  }

  async fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: { name: string; partitions: PartitionMetadata[] }[] }> {
    const names = options?.topics ?? (await this.listTopics())
    const described = await this.call((a) => a.describeTopics(names))
    return {
      topics: described.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionErrorCode: 0, partitionId: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: [] })),
      })),
    }
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    const d = await this.call((a) => a.describeTopics([topic]), topic)
    return (d[0]?.partitions ?? []).map((p) => p.partitionId).sort((x, y) => x - y)
  }

  private async offsets(topic: string, partitions: number[], spec: number): Promise<Map<number, native.Delivery>> {
    const found = await this.call((a) => a.listOffsets(partitions.map((partition) => ({ topic, partition, spec }))), topic)
    return new Map(found.map((o) => [o.partition, { topic, partition: o.partition, offset: o.offset, timestamp: o.timestamp }]))
  }

  async fetchTopicOffsets(topic: string): Promise<Array<SeekEntry & { high: string; low: string }>> {
    const parts = await this.partitionsOf(topic)
    const [low, high] = await Promise.all([this.offsets(topic, parts, EARLIEST), this.offsets(topic, parts, LATEST)])
    return parts.map((partition) => {
      const h = String(high.get(partition)?.offset ?? -1)
      return { partition, offset: h, high: h, low: String(low.get(partition)?.offset ?? -1) }
    })
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<SeekEntry[]> {
    const parts = await this.partitionsOf(topic)
    const latest = await this.offsets(topic, parts, LATEST)
    if (timestamp === undefined) return parts.map((partition) => ({ partition, offset: String(latest.get(partition)?.offset ?? -1) }))
    const at = await this.offsets(topic, parts, timestamp)
    return parts.map((partition) => {
      const o = at.get(partition)?.offset ?? -1
      return { partition, offset: String(o >= 0 ? o : latest.get(partition)?.offset ?? -1) }
    })
  }

  async fetchOffsets({ groupId, topics, resolveOffsets = false }: { groupId: string; topics?: string[]; resolveOffsets?: boolean }): Promise<Array<{ topic: string; partitions: (SeekEntry & { metadata: string | null })[] }>> {
    const names = topics ?? [...new Set((await this.call((a) => a.groupOffsets(groupId, undefined))).map((o) => o.topic))]
    const out: Array<{ topic: string; partitions: (SeekEntry & { metadata: string | null })[] }> = []
    for (const topic of names) {
      const parts = await this.partitionsOf(topic)
      const committed = new Map((await this.call((a) => a.groupOffsets(groupId, parts.map((partition) => ({ topic, partition })))))
        .filter((o) => o.topic === topic)
        .map((o) => [o.partition, o]))
      let partitions = parts.map((partition) => {
        const c = committed.get(partition)
        return { partition, offset: String(c && c.offset >= 0 ? c.offset : -1), metadata: c?.metadata ? c.metadata : null }
      })
      if (resolveOffsets && partitions.some((p) => p.offset === '-1')) {
        const low = await this.offsets(topic, parts, EARLIEST)
        partitions = partitions.map((p) => (p.offset === '-1' ? Object.assign(p, { offset: String(low.get(p.partition)?.offset ?? -1) }) : p))
      }
      out.push({ topic, partitions })
    }
    return out
  }

  async setOffsets({ groupId, topic, partitions }: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    await this.call((a) => a.setGroupOffsets(groupId, partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) }))), topic)
  }

  async resetOffsets({ groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const parts = await this.partitionsOf(topic)
    const found = await this.offsets(topic, parts, earliest ? EARLIEST : LATEST)
    await this.setOffsets({ groupId, topic, partitions: parts.map((partition) => ({ partition, offset: String(found.get(partition)?.offset ?? 0) })) })
  }

  async describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }> {
    const c = await this.call((a) => a.describeCluster())
    return { brokers: c.brokers, controller: c.controller ?? null, clusterId: c.clusterId ?? '' }
  }

  async listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    const groups = await this.call((a) => a.listGroups())
    return { groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })) }
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    const groups: GroupDescription[] = []
    for (const id of groupIds) {
      const g = await this.call((a) => a.describeGroup(id))
      groups.push(groupDescription(g))
    }
    return { groups }
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number; error?: Error }[]> {
    const results: { groupId: string; errorCode: number; error?: Error }[] = []
    for (const groupId of groupIds) {
      try {
        await this.call((a) => a.deleteGroups([groupId]))
        results.push({ groupId, errorCode: 0 })
      } catch (e) {
        const code = (e as { code?: number }).code
        results.push({ groupId, errorCode: typeof code === 'number' ? code : -1, error: e as Error })
      }
    }
    const failed = results.filter((r) => r.errorCode !== 0)
    if (failed.length > 0) throw new KafkaJSDeleteGroupsError('Error in DeleteGroups', failed)
    return results
  }

  async describeConfigs({ resources }: { resources: { type: ConfigResourceTypes; name: string; configNames?: string[] }[]; includeSynonyms?: boolean }): Promise<{ resources: object[] }> {
    const out: object[] = []
    for (const r of resources) {
      const kind = r.type === ConfigResourceTypes.TOPIC ? 'topic' : r.type === ConfigResourceTypes.BROKER ? 'broker' : 'unsupported'
      const entries = await this.call((a) => a.describeConfigs(kind, r.name, r.configNames))
      out.push({
        errorCode: 0,
        errorMessage: '',
        resourceType: r.type,
        resourceName: r.name,
        configEntries: entries.map((e) => ({
          configName: e.name,
          configValue: e.value ?? null,
          readOnly: e.readOnly,
          isDefault: e.isDefault,
          configSource: e.isDefault ? ConfigSource.DEFAULT_CONFIG : r.type === ConfigResourceTypes.TOPIC ? ConfigSource.TOPIC_CONFIG : ConfigSource.STATIC_BROKER_CONFIG,
          isSensitive: e.sensitive,
          configSynonyms: [],
        })),
      })
    }
    return { resources: out }
  }

  async alterConfigs({ validateOnly = false, resources }: { validateOnly?: boolean; resources: { type: ConfigResourceTypes; name: string; configEntries: { name: string; value: string }[] }[] }): Promise<{ resources: object[] }> {
    for (const r of resources) {
      const kind = r.type === ConfigResourceTypes.TOPIC ? 'topic' : r.type === ConfigResourceTypes.BROKER ? 'broker' : 'unsupported'
      await this.call((a) => a.alterConfigs(kind, r.name, r.configEntries.map((e) => ({ name: e.name, value: String(e.value), op: 'set' })), validateOnly))
    }
    return { resources: resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.type, resourceName: r.name })) }
  }

  async deleteTopicRecords({ topic, partitions }: { topic: string; partitions: SeekEntry[] }): Promise<void> {
    const needLatest = partitions.some((p) => p.offset === '-1')
    const latest = needLatest ? await this.offsets(topic, partitions.map((p) => p.partition), LATEST) : new Map()
    await this.call(
      (a) => a.deleteRecords(partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset === '-1' ? latest.get(p.partition)?.offset ?? 0 : Number(p.offset) }))),
      topic,
    )
  }

  async describeAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('ACLs are not supported by ferrokafka yet')
  }

  async createAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('ACLs are not supported by ferrokafka yet')
  }

  async deleteAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('ACLs are not supported by ferrokafka yet')
  }

  async alterPartitionReassignments(): Promise<never> {
    throw new KafkaJSNotImplemented('Partition reassignments are not supported by ferrokafka yet')
  }

  async listPartitionReassignments(): Promise<never> {
    throw new KafkaJSNotImplemented('Partition reassignments are not supported by ferrokafka yet')
  }
}
