// `class Kafka`: holds the client options (brokers as an array or an async function), the
// logger, and hands out producers, consumers and admins. Brokers are resolved when a client
// connects, as kafkajs does.

import * as native from './native'
import { checkBrokers, clientProps, Props, RetryOptions, retryBackoffMs, retryTimes } from './config'
import { logLevel } from './constants'
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSRequestTimeoutError, fromNative } from './errors'
import { Logger, logCreator, createLogger } from './logger'
import { Producer, ProducerConfig } from './producer'
import { Consumer, ConsumerConfig } from './consumer'
import { Admin } from './admin'

export type BrokersFunction = () => string[] | Promise<string[]>

export interface KafkaConfig {
  brokers: string[] | BrokersFunction
  ssl?: unknown
  sasl?: unknown
  clientId?: string
  connectionTimeout?: number
  authenticationTimeout?: number
  reauthenticationThreshold?: number
  requestTimeout?: number
  enforceRequestTimeout?: boolean
  retry?: RetryOptions
  socketFactory?: unknown
  logLevel?: logLevel
  logCreator?: logCreator
}

export interface AdminConfig {
  retry?: RetryOptions
}

export class Kafka {
  private readonly log: Logger

  constructor(private readonly config: KafkaConfig) {
    if (!config || typeof config !== 'object') throw new KafkaJSNonRetriableError('new Kafka() needs a config object with brokers')
    const b = config.brokers
    if (typeof b !== 'function') checkBrokers(b)
    // Bad options are refused now rather than at connect.
    clientProps({ brokers: ['x:1'], ssl: config.ssl, sasl: config.sasl, clientId: config.clientId, retry: config.retry })
    this.log = createLogger(config.logLevel ?? logLevel.INFO, config.logCreator)
  }

  private async props(): Promise<Props> {
    const b = this.config.brokers
    const brokers = checkBrokers(typeof b === 'function' ? await b() : b)
    return clientProps({
      brokers,
      clientId: this.config.clientId,
      connectionTimeout: this.config.connectionTimeout,
      requestTimeout: this.config.requestTimeout,
      retry: this.config.retry,
      ssl: this.config.ssl,
      sasl: this.config.sasl,
    })
  }

  /** The client.id every client of this Kafka uses (kafkajs's default 'kafkajs'). */
  private clientId(): string {
    return typeof this.config.clientId === 'string' ? this.config.clientId : 'kafkajs'
  }

  /** A NativeAdmin created on first use and shared by one client's helpers. */
  private adminFactory(): { get: () => Promise<native.NativeAdmin>; close: () => void } {
    let admin: Promise<native.NativeAdmin> | null = null
    return {
      get: () => {
        if (!admin) {
          admin = this.props().then((p) => {
            // kafkajs retries a cluster operation `retry.retries` times, waiting
            // initialRetryTime, doubling up to maxRetryTime: the core admin's retries and
            // back-off (Java's AdminClient settings).
            const r = retryTimes(this.config.retry)
            const retrying = {
              retries: String(r.retries),
              'retry.backoff.ms': String(r.initialRetryTime),
              'retry.backoff.max.ms': String(r.maxRetryTime),
            }
            try {
              return new native.NativeAdmin({ ...p, ...retrying })
            } catch (e) {
              throw fromNative(e)
            }
          })
          admin.catch(() => {
            admin = null
          })
        }
        return admin
      },
      close: () => {
        const a = admin
        admin = null
        a?.then((x) => x.close()).catch(() => undefined)
      },
    }
  }

  /** connect(): the cluster must answer, as kafkajs's connect fails on unreachable brokers. */
  private verifier(get: () => Promise<native.NativeAdmin>): () => Promise<void> {
    return async () => {
      const admin = await get()
      try {
        // A Metadata request, as kafkajs's connect() makes: it needs no ACL (DescribeCluster may).
        await admin.listTopics(false)
      } catch (e) {
        const err = fromNative(e)
        if (err instanceof KafkaJSConnectionError || err instanceof KafkaJSRequestTimeoutError) {
          // As kafkajs's connect once its retries are spent: the last failure is the cause.
          const retries = retryTimes(this.config.retry).retries
          const retryTime = retryBackoffMs(this.config.retry ?? {}, retries)
          throw new KafkaJSNumberOfRetriesExceeded(err, { retryCount: retries, retryTime })
        }
        throw err
      }
    }
  }

  producer(config: ProducerConfig = {}): Producer {
    const a = this.adminFactory()
    return new Producer(config, { props: () => this.props(), logger: this.log.namespace('Producer'), admin: a.get, verify: this.verifier(a.get), retry: this.config.retry, clientId: this.clientId() })
  }

  consumer(config: ConsumerConfig): Consumer {
    const a = this.adminFactory()
    return new Consumer(config, { props: () => this.props(), logger: this.log.namespace('Consumer'), admin: a.get, verify: this.verifier(a.get), clientId: this.clientId() })
  }

  admin(_config: AdminConfig = {}): Admin {
    const a = this.adminFactory()
    return new Admin({ admin: a.get, close: a.close, logger: this.log.namespace('Admin'), verify: this.verifier(a.get), clientId: this.clientId() })
  }

  logger(): Logger {
    return this.log
  }
}
