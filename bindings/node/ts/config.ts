// Maps kafkajs options (camelCase, kafkajs defaults) onto the core's Java-named properties and
// checks their types, so a wrong option fails with a KafkaJSNonRetriableError that names it.
// Owns no I/O; the core validates values again and reports anything it refuses.

import { CompressionTypes } from './constants'
import { KafkaJSNonRetriableError } from './errors'
import { securityProps } from './security'

export type Props = Record<string, string>

export interface RetryOptions {
  maxRetryTime?: number
  initialRetryTime?: number
  factor?: number
  multiplier?: number
  retries?: number
  restartOnFailure?: (e: Error) => Promise<boolean>
}

/** kafkajs's retry numbers with its defaults filled in. */
export interface RetryTimes {
  retries: number
  initialRetryTime: number
  multiplier: number
  maxRetryTime: number
}

export function retryTimes(r: RetryOptions = {}): RetryTimes {
  return {
    retries: r.retries ?? 5,
    initialRetryTime: r.initialRetryTime ?? 300,
    multiplier: r.multiplier ?? 2,
    maxRetryTime: r.maxRetryTime ?? 30000,
  }
}

/** kafkajs's back-off before retry `n` (from 0), capped at maxRetryTime, without the random factor. */
export function retryBackoffMs(r: RetryOptions, n: number): number {
  const t = retryTimes(r)
  return Math.min(t.maxRetryTime, t.initialRetryTime * Math.pow(t.multiplier, n))
}

function fail(option: string, want: string, got: unknown): never {
  throw new KafkaJSNonRetriableError(
    `Invalid option ${option}: expected ${want}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`,
  )
}

export function num(props: Props, option: string, key: string, value: unknown, min = 0): void {
  if (value === undefined || value === null) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(option, `a number >= ${min}`, value)
  props[key] = String(Math.floor(value))
}

export function bool(props: Props, option: string, key: string, value: unknown): void {
  if (value === undefined || value === null) return
  if (typeof value !== 'boolean') fail(option, 'a boolean', value)
  props[key] = String(value)
}

export function str(option: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') fail(option, 'a string', value)
  return value
}

const CODECS: Record<string, string> = {
  '0': 'none',
  '1': 'gzip',
  '2': 'snappy',
  '3': 'lz4',
  '4': 'zstd',
  none: 'none',
  gzip: 'gzip',
  snappy: 'snappy',
  lz4: 'lz4',
  zstd: 'zstd',
}

/** `compression` as a CompressionTypes value or a codec name ('gzip', 'lz4', ...). */
export function compression(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  const name = CODECS[String(value).toLowerCase()]
  if (!name) {
    throw new KafkaJSNonRetriableError(
      `Unknown compression ${JSON.stringify(value)}: use CompressionTypes.None, GZIP, Snappy, LZ4 or ZSTD (or 'gzip', 'snappy', 'lz4', 'zstd')`,
    )
  }
  return name
}

/** `acks` as kafkajs (-1, 0, 1) or Java ('all', '-1', '0', '1'). */
export function acks(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  const v = String(value).toLowerCase()
  if (v === 'all' || v === '-1') return 'all'
  if (v === '0' || v === '1') return v
  throw new KafkaJSNonRetriableError(`Invalid acks ${JSON.stringify(value)}: use -1 (all), 0 or 1`)
}

export interface ClientOptions {
  clientId?: string
  brokers: string[]
  ssl?: unknown
  sasl?: unknown
  connectionTimeout?: number
  requestTimeout?: number
  retry?: RetryOptions
}

/** Properties every client shares (brokers resolved already). */
export function clientProps(o: ClientOptions): Props {
  const props: Props = {
    'bootstrap.servers': o.brokers.join(','),
    'client.id': str('clientId', o.clientId) ?? 'kafkajs',
    ...securityProps(o.ssl, o.sasl),
  }
  num(props, 'requestTimeout', 'request.timeout.ms', o.requestTimeout, 1)
  if (typeof o.connectionTimeout === 'number' && o.connectionTimeout > 0) {
    num(props, 'connectionTimeout', 'socket.connection.setup.timeout.ms', o.connectionTimeout, 1)
    num(props, 'connectionTimeout', 'socket.connection.setup.timeout.max.ms', Math.max(o.connectionTimeout, 30000), 1)
  } else if (o.connectionTimeout !== undefined) {
    fail('connectionTimeout', 'a number > 0', o.connectionTimeout)
  }
  if (o.retry !== undefined) {
    if (typeof o.retry !== 'object' || o.retry === null) fail('retry', 'an object', o.retry)
    num(props, 'retry.initialRetryTime', 'retry.backoff.ms', o.retry.initialRetryTime)
    num(props, 'retry.maxRetryTime', 'retry.backoff.max.ms', o.retry.maxRetryTime)
  }
  // kafkajs bounds an operation's retries by retry.maxRetryTime (30 s by default): the core's
  // default.api.timeout.ms plays that part.
  num(props, 'retry.maxRetryTime', 'default.api.timeout.ms', retryTimes(o.retry).maxRetryTime, 1)
  return props
}

/**
 * How long kafkajs keeps retrying an operation with these retry options: the sum of its
 * back-offs (`initialRetryTime * multiplier^n`, each capped at `maxRetryTime`, without the
 * random factor), at least a second for the first attempt. The producer waits this long for a
 * topic's metadata (`max.block.ms`) before failing a send as kafkajs does.
 */
export function retryBudgetMs(r: RetryOptions = {}): number {
  let total = 0
  for (let i = 0; i < retryTimes(r).retries; i++) total += retryBackoffMs(r, i)
  return Math.max(1000, Math.floor(total))
}

export function checkBrokers(brokers: unknown): string[] {
  if (!Array.isArray(brokers) || brokers.length === 0 || brokers.some((b) => typeof b !== 'string' || !b.includes(':'))) {
    throw new KafkaJSNonRetriableError(
      `Failed to connect: expected brokers array of "host:port" strings and got ${JSON.stringify(brokers)}`,
    )
  }
  return brokers as string[]
}

export { CompressionTypes }
