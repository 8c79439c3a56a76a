// The events the service sends and their JSON Schemas; every event is validated with ajv
// before it is sent, and an invalid one is refused with the schema's complaint.
import Ajv, { JSONSchemaType } from 'ajv'

export interface UserActivity {
  userId: string
  action: string
  resource?: string
  metadata?: Record<string, string>
  ipAddress?: string
  timestamp?: string
}

export interface SystemMetric {
  metricName: string
  value: number
  unit: string
  tags?: Record<string, string>
  timestamp?: string
}

export interface ErrorLog {
  service: string
  errorType: string
  message: string
  severity: 'debug' | 'info' | 'warning' | 'error' | 'critical'
  context?: Record<string, unknown>
  timestamp?: string
}

export interface Notification {
  type: string
  message: string
  recipients: string[]
  timestamp?: string
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' }, required: [], nullable: true } as const

const userActivity: JSONSchemaType<UserActivity> = {
  type: 'object',
  properties: {
    userId: { type: 'string', minLength: 1 },
    action: { type: 'string', minLength: 1 },
    resource: { type: 'string', nullable: true },
    metadata: stringMap,
    ipAddress: { type: 'string', nullable: true },
    timestamp: { type: 'string', nullable: true },
  },
  required: ['userId', 'action'],
  additionalProperties: false,
}

const systemMetric: JSONSchemaType<SystemMetric> = {
  type: 'object',
  properties: {
    metricName: { type: 'string', minLength: 1 },
    value: { type: 'number' },
    unit: { type: 'string' },
    tags: stringMap,
    timestamp: { type: 'string', nullable: true },
  },
  required: ['metricName', 'value', 'unit'],
  additionalProperties: false,
}

const errorLog: JSONSchemaType<ErrorLog> = {
  type: 'object',
  properties: {
    service: { type: 'string', minLength: 1 },
    errorType: { type: 'string', minLength: 1 },
    message: { type: 'string' },
    severity: { type: 'string', enum: ['debug', 'info', 'warning', 'error', 'critical'] },
    context: { type: 'object', nullable: true, required: [] },
    timestamp: { type: 'string', nullable: true },
  },
  required: ['service', 'errorType', 'message', 'severity'],
  additionalProperties: false,
}

const notification: JSONSchemaType<Notification> = {
  type: 'object',
  properties: {
    type: { type: 'string', minLength: 1 },
    message: { type: 'string' },
    recipients: { type: 'array', items: { type: 'string' }, minItems: 1 },
    timestamp: { type: 'string', nullable: true },
  },
  required: ['type', 'message', 'recipients'],
  additionalProperties: false,
}

const ajv = new Ajv({ allErrors: true })

export const validators = {
  userActivity: ajv.compile(userActivity),
  systemMetric: ajv.compile(systemMetric),
  errorLog: ajv.compile(errorLog),
  notification: ajv.compile(notification),
}

export class ValidationError extends Error {
  constructor(what: string, details: string) {
    super(`invalid ${what}: ${details}`)
    this.name = 'ValidationError'
  }
}

/** Returns `event` if it matches the schema, else throws ValidationError saying why. */
export function validate<T>(what: string, check: ((data: unknown) => data is T) & { errors?: unknown }, event: unknown): T {
  if (!check(event)) throw new ValidationError(what, ajv.errorsText(check.errors as Parameters<typeof ajv.errorsText>[0]))
  return event
}
