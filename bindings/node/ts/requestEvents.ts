// kafkajs's `<client>.network.request` and `<client>.network.request_timeout` instrumentation
// events, made from the native clients' request reports (src/requests.rs): kafkajs's payload
// keys in kafkajs's order, kafkajs's API names. Reports are switched on in the native clients
// only while somebody listens, so a client without such listeners pays nothing.

import { KafkaJSError } from './errors'
import type { Instrumentation, InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
import type { RequestEventJs } from './native'

/** A native client that can report its requests. */
export interface RequestReporter {
  onRequests(callback: ((event: RequestEventJs) => void) | null): void
}

// kafkajs's names (protocol/requests/apiKeys.js); other keys keep Kafka's own name.
const KAFKAJS_API_NAMES = [
  'Produce', 'Fetch', 'ListOffsets', 'Metadata', 'LeaderAndIsr', 'StopReplica', 'UpdateMetadata',
  'ControlledShutdown', 'OffsetCommit', 'OffsetFetch', 'GroupCoordinator', 'JoinGroup', 'Heartbeat',
  'LeaveGroup', 'SyncGroup', 'DescribeGroups', 'ListGroups', 'SaslHandshake', 'ApiVersions',
  'CreateTopics', 'DeleteTopics', 'DeleteRecords', 'InitProducerId', 'OffsetForLeaderEpoch',
  'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'WriteTxnMarkers', 'TxnOffsetCommit',
  'DescribeAcls', 'CreateAcls', 'DeleteAcls', 'DescribeConfigs', 'AlterConfigs',
  'AlterReplicaLogDirs', 'DescribeLogDirs', 'SaslAuthenticate', 'CreatePartitions',
  'CreateDelegationToken', 'RenewDelegationToken', 'ExpireDelegationToken',
  'DescribeDelegationToken', 'DeleteGroups', 'ElectPreferredLeaders', 'IncrementalAlterConfigs',
  'AlterPartitionReassignments', 'ListPartitionReassignments',
]

export class RequestEvents {
  private readonly reporters = new Set<RequestReporter>()
  private listeners = 0

  /**
   * `requestEvent`/`timeoutEvent`: the client's event names; `clientId`: the Kafka client's.
   */
  constructor(
    private readonly instrumentation: Instrumentation,
    private readonly requestEvent: string,
    private readonly timeoutEvent: string,
    private readonly clientId: string,
  ) {}

  /**
   * The client's `on(eventName, listener)`: kafkajs's registration (a KafkaJSError for an
   * unknown name), counting the listeners of the request events.
   */
  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    let remove: RemoveInstrumentationEventListener
    try {
      remove = this.instrumentation.on(eventName, listener)
    } catch (e) {
      throw new KafkaJSError((e as Error).message, { retriable: false })
    }
    if (eventName !== this.requestEvent && eventName !== this.timeoutEvent) return remove
    const unlisten = this.listen()
    return () => {
      remove()
      unlisten()
    }
  }

  /** A native client of this client: it reports its requests while somebody listens. */
  attach(reporter: RequestReporter): void {
    if (this.reporters.has(reporter)) return
    this.reporters.add(reporter)
    if (this.listeners > 0) reporter.onRequests(this.report)
  }

  /** Forgets every native client (the client disconnected), switching their reports off. */
  detachAll(): void {
    for (const r of this.reporters) r.onRequests(null)
    this.reporters.clear()
  }

  /** Counts a listener of a request event; the returned function uncounts it. */
  private listen(): () => void {
    if (this.listeners++ === 0) for (const r of this.reporters) r.onRequests(this.report)
    let removed = false
    return () => {
      if (removed) return
      removed = true
      if (--this.listeners === 0) for (const r of this.reporters) r.onRequests(null)
    }
  }

  private readonly report = (e: RequestEventJs): void => {
    const apiName = KAFKAJS_API_NAMES[e.apiKey] ?? e.apiName
    const base = {
      broker: e.broker,
      clientId: this.clientId,
      correlationId: e.correlationId,
    }
    if (e.timedOut) {
      this.instrumentation.emit(this.timeoutEvent, {
        ...base,
        createdAt: e.createdAt,
        sentAt: e.sentAt,
        pendingDuration: e.pendingDuration,
        apiName,
        apiKey: e.apiKey,
        apiVersion: e.apiVersion,
      })
      return
    }
    this.instrumentation.emit(this.requestEvent, {
      ...base,
      size: e.size,
      createdAt: e.createdAt,
      sentAt: e.sentAt,
      pendingDuration: e.pendingDuration,
      duration: e.duration,
      apiName,
      apiKey: e.apiKey,
      apiVersion: e.apiVersion,
    })
  }
}
