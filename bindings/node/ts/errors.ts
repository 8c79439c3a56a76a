// The kafkajs error classes (runtime names, hierarchy, `retriable`, `cause`) and the mapping
// from a native (core) error to one of them. `instanceof` checks written for kafkajs keep
// working. Owns no I/O.

import { protocolError } from './protocolErrors'

type Cause = { cause?: unknown }

export class KafkaJSError extends Error {
  retriable: boolean
  helpUrl?: string
  cause?: unknown
  constructor(e: Error | string, { retriable = true, cause }: { retriable?: boolean } & Cause = {}) {
    // As kafkajs: `cause` goes through Error's options, so it is an own property that is not
    // enumerable (Object.keys, JSON and deepEqual see the same fields as kafkajs's errors).
    super(typeof e === 'string' ? e : e.message, { cause })
    this.message = typeof e === 'string' ? e : e.message
    this.name = 'KafkaJSError'
    this.retriable = retriable
    this.helpUrl = typeof e === 'string' ? undefined : (e as { helpUrl?: string }).helpUrl
    this.cause = cause
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: Error | string, { cause }: Cause = {}) {
    super(e, { retriable: false, cause })
    this.name = 'KafkaJSNonRetriableError'
  }
}

export interface ProtocolErrorShape {
  message: string
  type: string
  code: number
  retriable?: boolean
}

export class KafkaJSProtocolError extends KafkaJSError {
  type: string
  code: number
  constructor(e: ProtocolErrorShape | string, { retriable }: { retriable?: boolean } & Cause = {}) {
    const shape = typeof e === 'string' ? { message: e, type: 'UNKNOWN', code: -1 } : e
    super(shape.message, { retriable: retriable ?? shape.retriable ?? false })
    this.type = shape.type
    this.code = shape.code
    this.name = 'KafkaJSProtocolError'
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  topic?: string
  partition?: number
  constructor(e: ProtocolErrorShape, { topic, partition }: { topic?: string; partition?: number } = {}) {
    super(e)
    this.topic = topic
    this.partition = partition
    this.name = 'KafkaJSOffsetOutOfRange'
  }
}

export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  memberId?: string
  constructor(e: ProtocolErrorShape, { memberId }: { memberId?: string } = {}) {
    super(e)
    this.memberId = memberId
    this.name = 'KafkaJSMemberIdRequired'
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  retryCount: number
  retryTime: number
  constructor(e: Error, { retryCount = 0, retryTime = 0 }: { retryCount?: number; retryTime?: number } = {}) {
    super(e, { cause: e })
    this.stack = `${this.name}\n  Caused by: ${e.stack}`
    this.retryCount = retryCount
    this.retryTime = retryTime
    this.name = 'KafkaJSNumberOfRetriesExceeded'
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  broker?: string
  code?: string
  constructor(e: Error | string, { broker, code, cause }: { broker?: string; code?: string } & Cause = {}) {
    super(e, { cause })
    this.broker = broker
    this.code = code
    this.name = 'KafkaJSConnectionError'
  }
}

export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  host?: string
  port?: number
  constructor(e: Error | string, { host, port }: { host?: string; port?: number } = {}) {
    super(e, { broker: `${host}:${port}` })
    this.host = host
    this.port = port
    this.name = 'KafkaJSConnectionClosedError'
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  broker?: string
  correlationId?: number
  createdAt?: number
  sentAt?: number
  pendingDuration?: number
  constructor(e: Error | string, meta: { broker?: string; correlationId?: number; createdAt?: number; sentAt?: number; pendingDuration?: number } = {}) {
    super(e)
    Object.assign(this, meta)
    this.name = 'KafkaJSRequestTimeoutError'
  }
}

export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSMetadataNotLoaded'
  }
}

export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  topic?: string
  constructor(e: Error | string, { topic }: { topic?: string } = {}) {
    super(e)
    this.topic = topic
    this.name = 'KafkaJSTopicMetadataNotLoaded'
  }
}

export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  topic?: string
  unknownPartitions?: number[]
  constructor(e: Error | string, { topic, unknownPartitions }: { topic?: string; unknownPartitions?: number[] } = {}) {
    super(e)
    this.topic = topic
    this.unknownPartitions = unknownPartitions
    this.name = 'KafkaJSStaleTopicMetadataAssignment'
  }
}

export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  apiKey?: number
  apiName?: string
  constructor(e: Error | string, { apiKey, apiName }: { apiKey?: number; apiName?: string } = {}) {
    super(e)
    this.apiKey = apiKey
    this.apiName = apiName
    this.name = 'KafkaJSServerDoesNotSupportApiKey'
  }
}

export class KafkaJSBrokerNotFound extends KafkaJSError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSBrokerNotFound'
  }
}

export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSPartialMessageError'
  }
}

export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSSASLAuthenticationError'
  }
}

export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSGroupCoordinatorNotFound'
  }
}

export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSNotImplemented'
  }
}

export class KafkaJSTimeout extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSTimeout'
  }
}

export class KafkaJSLockTimeout extends KafkaJSTimeout {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSLockTimeout'
  }
}

export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSUnsupportedMagicByteInMessageSet'
  }
}

export class KafkaJSDeleteGroupsError extends KafkaJSError {
  groups: unknown[]
  constructor(e: Error | string, groups: unknown[] = []) {
    super(e)
    this.groups = groups
    this.name = 'KafkaJSDeleteGroupsError'
  }
}

export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSDeleteTopicRecordsError'
  }
}

export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  topic?: string
  constructor(e: ProtocolErrorShape, topicName?: string) {
    super(e)
    this.topic = topicName
    this.name = 'KafkaJSCreateTopicError'
  }
}

export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  topic?: string
  partition?: number
  constructor(e: ProtocolErrorShape, topic?: string, partition?: number) {
    super(e)
    this.topic = topic
    this.partition = partition
    this.name = 'KafkaJSAlterPartitionReassignmentsError'
  }
}

export class KafkaJSAggregateError extends Error {
  errors: Error[]
  constructor(message: string, errors: Error[]) {
    super(message)
    this.errors = errors
    this.name = 'KafkaJSAggregateError'
  }
}

export class KafkaJSFetcherRebalanceError extends Error {
  constructor() {
    super()
    this.name = 'KafkaJSFetcherRebalanceError'
  }
}

export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  constructor() {
    super('No broker available')
    this.name = 'KafkaJSNoBrokerAvailableError'
  }
}

export class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSInvalidVarIntError'
  }
}

export class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSInvalidLongError'
  }
}

export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  constructor(e: Error | string) {
    super(e)
    this.name = 'KafkaJSInvariantViolation'
  }
}

/** What the native addon reports (see src/error.rs). */
interface NativeError {
  kind: string
  code: number | null
  retriable: boolean
  message: string
}

const MARKER = 'FERROKAFKA_ERROR:'

// Kafka codes a core error kind stands for when the client found the problem itself (no code
// from the broker), so the error reads as it would from kafkajs.
const KIND_CODES: Record<string, number> = {
  RecordTooLarge: 10,
  InvalidTopic: 17,
  UnknownTopicOrPartition: 3,
  TopicAlreadyExists: 36,
  OffsetOutOfRange: 1,
  NotLeader: 6,
  InvalidRecord: 87,
  OutOfOrderSequence: 45,
  UnknownProducerId: 59,
  ProducerFenced: 90,
  NotEnoughReplicas: 19,
}

function parse(err: unknown): NativeError | null {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : ''
  const at = msg.indexOf(MARKER)
  if (at < 0) return null
  try {
    return JSON.parse(msg.slice(at + MARKER.length)) as NativeError
  } catch {
    return null
  }
}

/** The kafkajs error for an error thrown by the native addon (other errors pass through). */
export function fromNative(err: unknown, context: { topic?: string; partition?: number } = {}): Error {
  if (err instanceof KafkaJSError) return err
  const n = parse(err)
  if (!n) return err instanceof Error ? err : new KafkaJSError(String(err))
  const code = n.code ?? KIND_CODES[n.kind]
  if (code !== undefined && code !== null) {
    const info = protocolError(code)
    // kafkajs's message for the code (what kafkajs users match on); what the client knows
    // beyond it (which call, which topic, what to do) is the error's `detail`.
    const shape = { message: info.message, type: info.type, code, retriable: n.retriable }
    const err =
      code === 1 ? new KafkaJSOffsetOutOfRange(shape, context) : code === 79 ? new KafkaJSMemberIdRequired(shape) : new KafkaJSProtocolError(shape)
    return withDetail(err, n.message)
  }
  switch (n.kind) {
    case 'Network': {
      // A refused connection reads as kafkajs's (Node's `connect ECONNREFUSED host:port`).
      const refused = /connecting to (\S+?): Connection refused/.exec(n.message)
      if (refused) {
        const broker = refused[1]
        return withDetail(new KafkaJSConnectionError(`Connection error: connect ECONNREFUSED ${broker}`, { broker, code: 'ECONNREFUSED' }), n.message)
      }
      return new KafkaJSConnectionError(n.message)
    }
    case 'Timeout':
      return new KafkaJSRequestTimeoutError(n.message)
    case 'UnsupportedVersion':
      return new KafkaJSServerDoesNotSupportApiKey(n.message)
    case 'Coordinator':
      return new KafkaJSGroupCoordinatorNotFound(n.message)
    case 'Config':
    case 'Closed':
    case 'Internal':
    case 'Protocol':
      return new KafkaJSNonRetriableError(n.message)
    default:
      return new KafkaJSError(n.message, { retriable: n.retriable })
  }
}

/**
 * Attaches ferrokafka's own account of an error as `detail`: not enumerable, so the error's
 * fields stay kafkajs's, and shown in the stack's first line, so logs keep it.
 */
export function withDetail<E extends Error>(err: E, detail: string): E {
  if (!detail || detail === err.message) return err
  Object.defineProperty(err, 'detail', { value: detail, enumerable: false, writable: true, configurable: true })
  if (typeof err.stack === 'string') {
    const nl = err.stack.indexOf('\n')
    const rest = nl < 0 ? '' : err.stack.slice(nl)
    err.stack = `${err.name}: ${err.message} (${detail})${rest}`
  }
  return err
}

/** Awaits a native call and rethrows its failure as a kafkajs error. */
export async function native<T>(call: () => Promise<T> | T, context?: { topic?: string; partition?: number }): Promise<T> {
  try {
    return await call()
  } catch (e) {
    throw fromNative(e, context)
  }
}

/** Runs a synchronous native call and rethrows its failure as a kafkajs error. */
export function nativeSync<T>(call: () => T): T {
  try {
    return call()
  } catch (e) {
    throw fromNative(e)
  }
}
