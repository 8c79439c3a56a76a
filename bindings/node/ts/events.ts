// kafkajs's instrumentation events: `client.on(client.events.X, listener)` returning a remover,
// listeners receiving `{ id, type, timestamp, payload }`. Owns the emitter only.

import { EventEmitter } from 'node:events'

export interface InstrumentationEvent<T> {
  id: number
  type: string
  timestamp: number
  payload: T
}

export type RemoveInstrumentationEventListener = () => void

let nextId = 0

export class Instrumentation {
  private emitter = new EventEmitter()
  constructor(private readonly known: Record<string, string>) {}

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    const valid = Object.values(this.known)
    if (!valid.includes(eventName)) {
      // kafkajs throws KafkaJSError for an unknown event name; errors.ts is not imported here to
      // keep this file dependency-free, the caller wraps it.
      throw new TypeError(`Event name should be one of ${valid.join(', ')}`)
    }
    const wrapped = (e: InstrumentationEvent<any>) => {
      Promise.resolve()
        .then(() => listener(e))
        .catch(() => undefined)
    }
    this.emitter.on(eventName, wrapped)
    return () => {
      this.emitter.off(eventName, wrapped)
    }
  }

  /** Emits `{ id, type, timestamp, payload }`: ids count up from 0 per process, as kafkajs's. */
  emit(type: string, payload?: unknown): void {
    const id = nextId
    nextId = nextId === Number.MAX_SAFE_INTEGER ? 0 : nextId + 1
    this.emitter.emit(type, { id, type, timestamp: Date.now(), payload })
  }
}
