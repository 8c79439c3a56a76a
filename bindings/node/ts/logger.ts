// kafkajs's logging contract: `logLevel`, `logCreator`, `Logger` with namespaces. The default
// creator prints JSON lines to the console like kafkajs's.

import { logLevel } from './constants'

export interface LoggerEntryContent {
  readonly timestamp: string
  readonly message: string
  [key: string]: any
}

export interface LogEntry {
  namespace: string
  level: logLevel
  label: string
  log: LoggerEntryContent
}

export type logCreator = (logLevel: logLevel) => (entry: LogEntry) => void

export interface Logger {
  info: (message: string, extra?: object) => void
  error: (message: string, extra?: object) => void
  warn: (message: string, extra?: object) => void
  debug: (message: string, extra?: object) => void
  namespace: (namespace: string, logLevel?: logLevel) => Logger
  setLogLevel: (logLevel: logLevel) => void
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' }

export const defaultLogCreator: logCreator = () => ({ namespace, level, label, log }) => {
  const prefix = namespace ? `[${namespace}] ` : ''
  const line = JSON.stringify(Object.assign({ level: label }, log, { message: `${prefix}${log.message}` }))
  if (level === logLevel.ERROR) console.error(line)
  else if (level === logLevel.WARN) console.warn(line)
  else console.log(line)
}

export function createLogger(level: logLevel = logLevel.INFO, creator: logCreator = defaultLogCreator): Logger {
  const state = { level }
  const sink = creator(level)
  const make = (ns: string, nsLevel?: logLevel): Logger => {
    const emit = (lvl: logLevel) => (message: string, extra: object = {}) => {
      const threshold = nsLevel ?? state.level
      if (lvl > threshold || threshold === logLevel.NOTHING) return
      sink({
        namespace: ns,
        level: lvl,
        label: LABELS[lvl],
        log: Object.assign({ timestamp: new Date().toISOString(), logger: 'ferrokafka', message }, extra),
      })
    }
    return {
      error: emit(logLevel.ERROR),
      warn: emit(logLevel.WARN),
      info: emit(logLevel.INFO),
      debug: emit(logLevel.DEBUG),
      namespace: (child: string, childLevel?: logLevel) => make(child, childLevel ?? nsLevel),
      setLogLevel: (l: logLevel) => {
        state.level = l
      },
    }
  }
  return make('')
}
