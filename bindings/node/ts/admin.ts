// The kafkajs Admin over NativeAdmin: topics, partitions, offsets, groups, configs, cluster.
// Each method converts kafkajs shapes to one or a few native calls; routing and retries are
// the core's.

import * as native from './native'
import { ConfigResourceTypes, ConfigSource } from './constants'
import { KafkaJSDeleteGroupsError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNotImplemented, fromNative } from './errors'
import { Instrumentation, InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
import { Logger } from './logger'
import { PartitionMetadata } from './partitioners'
import { GroupDescription, ConsumerGroupState } from './consumer'
import { validateTopic } from './topics'
import { AssignerProtocol } from './constants'

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
}

export class Admin {
  readonly events = ADMIN_EVENTS
  private instrumentation = new Instrumentation(ADMIN_EVENTS)

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
    try {
      return this.instrumentation.on(eventName, listener)
    } catch (e) {
      throw new KafkaJSError((e as Error).message, { retriable: false })
    }
  }

  async connect(): Promise<void> {
    await this.deps.verify()
    this.instrumentation.emit(ADMIN_EVENTS.CONNECT, null)
  }

  async disconnect(): Promise<void> {
    this.deps.close()
    this.instrumentation.emit(ADMIN_EVENTS.DISCONNECT, null)
  }

  async listTopics(): Promise<string[]> {
    return this.call((a) => a.listTopics(false))
  }

  /** Resolves false when every topic already exists (as kafkajs), true otherwise. */
  async createTopics({ topics, validateOnly = false }: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`)
    topics.forEach((t) => validateTopic(t?.topic))
    const existing = new Set(await this.listTopics())
    const fresh = topics.filter((t) => !existing.has(t.topic))
    if (fresh.length === 0) return false
    await this.call((a) =>
      a.createTopics(
        fresh.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          configs: Object.fromEntries((t.configEntries ?? []).map((c) => [c.name, String(c.value)])),
        })),
        validateOnly,
      ),
    )
    return true
  }

  async deleteTopics({ topics }: { topics: string[]; timeout?: number }): Promise<void> {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`)
    await this.call((a) => a.deleteTopics(topics))
  }

  async createPartitions({ topicPartitions, validateOnly = false }: { topicPartitions: { topic: string; count: number; assignments?: number[][] }[]; validateOnly?: boolean; timeout?: number }): Promise<boolean> {
    for (const tp of topicPartitions) await this.call((a) => a.createPartitions(tp.topic, tp.count, validateOnly), tp.topic)
    return true
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
      groups.push({
        groupId: g.groupId,
        protocol: g.protocol,
        protocolType: g.protocolType,
        state: g.state as ConsumerGroupState,
        members: g.members.map((m) => {
          const assignment: Record<string, number[]> = {}
          for (const tp of m.assignment) (assignment[tp.topic] ??= []).push(tp.partition)
          return {
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
            // DescribeGroups' member metadata is not surfaced by the core: empty (decodes to null).
            memberMetadata: Buffer.alloc(0),
          }
        }),
      })
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

  async describeConfigs({ resources }: { resources: { type: ConfigResourceTypes; name: string; configNames?: string[] }[]; includeSynonyms?: boolean }): Promise<{ resources: object[]; throttleTime: number }> {
    const out: object[] = []
    for (const r of resources) {
      const kind = r.type === ConfigResourceTypes.TOPIC ? 'topic' : r.type === ConfigResourceTypes.BROKER ? 'broker' : 'unsupported'
      const entries = await this.call((a) => a.describeConfigs(kind, r.name, r.configNames))
      out.push({
        errorCode: 0,
        errorMessage: null,
        resourceName: r.name,
        resourceType: r.type,
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
    return { resources: out, throttleTime: 0 }
  }

  async alterConfigs({ validateOnly = false, resources }: { validateOnly?: boolean; resources: { type: ConfigResourceTypes; name: string; configEntries: { name: string; value: string }[] }[] }): Promise<{ resources: object[]; throttleTime: number }> {
    for (const r of resources) {
      const kind = r.type === ConfigResourceTypes.TOPIC ? 'topic' : r.type === ConfigResourceTypes.BROKER ? 'broker' : 'unsupported'
      await this.call((a) => a.alterConfigs(kind, r.name, r.configEntries.map((e) => ({ name: e.name, value: String(e.value), op: 'set' })), validateOnly))
    }
    return { resources: resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceName: r.name, resourceType: r.type })), throttleTime: 0 }
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
