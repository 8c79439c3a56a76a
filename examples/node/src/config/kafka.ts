// The shared Kafka client and topic settings. Only `brokers` changes between the bundled broker
// and a real Kafka cluster (KAFKA_BROKERS=host:port,host:port).
import { Kafka, logLevel } from 'ferrokafka'

export const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')

export const kafka = new Kafka({
  clientId: 'smg-kafka',
  brokers,
  logLevel: logLevel.WARN,
  retry: { initialRetryTime: 100, retries: 5 },
})

export const TOPICS = {
  userActivities: 'user-activities',
  systemMetrics: 'system-metrics',
  errorLogs: 'error-logs',
  notifications: 'notifications',
} as const

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS]

export const TOPIC_PARTITIONS = 3
export const RETENTION_MS = String(7 * 24 * 60 * 60 * 1000)
export const GROUP_ID = process.env.KAFKA_GROUP_ID ?? 'smg-kafka-group'
