// `ferrokafka/testing`: the bundled broker, run inside the addon on a free loopback port, for
// tests (node's test runner, Jest, Vitest). Each broker gets its own temp data directory,
// removed on stop.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import * as native from './native'
import { fromNative } from './errors'

export interface StartBrokerOptions {
  /** Kafka-named broker settings, e.g. `{ 'num.partitions': '3' }`. */
  config?: Record<string, string | number | boolean>
}

export interface TestBroker {
  /** `['127.0.0.1:<port>']`, ready for `new Kafka({ brokers })`. */
  brokers: string[]
  port: number
  stop(): Promise<void>
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'ferrokafka-test-'))
  const props: Record<string, string> = { 'group.initial.rebalance.delay.ms': '0' }
  for (const [k, v] of Object.entries(options.config ?? {})) props[k] = String(v)
  let broker: native.NativeBroker
  try {
    broker = await native.startNativeBroker(dir, props)
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw fromNative(e)
  }
  let stopped: Promise<void> | null = null
  return {
    brokers: [broker.bootstrap],
    port: broker.port,
    stop() {
      stopped ??= broker.stop().finally(() => rmSync(dir, { recursive: true, force: true }))
      return stopped
    },
  }
}
