// KafkaProducer: the service's typed senders. Each event is validated against its JSON Schema,
// keyed so one user's (service's, metric's) events stay in order on one partition, and sent
// by an idempotent producer with batching and compression.
import { CompressionTypes, Producer, RecordMetadata } from 'ferrokafka'
import { kafka, TOPICS, TopicName } from './config/kafka'
import { ErrorLog, Notification, SystemMetric, UserActivity, validate, validators } from './schemas'

export class KafkaProducer {
  private readonly producer: Producer

  constructor() {
    this.producer = kafka.producer({
      maxInFlightRequests: 1,
      idempotent: true,
      batchSize: 16384,
      lingerMs: 10,
      compression: CompressionTypes.GZIP,
      bufferMemory: 67108864,
      maxRequestSize: 1048576,
      retry: { initialRetryTime: 100, retries: 5 },
    })
  }

  async connect(): Promise<void> {
    await this.producer.connect()
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect()
  }

  private async send(topic: TopicName, key: string, event: object): Promise<RecordMetadata[]> {
    const stamped = { ...event, timestamp: (event as { timestamp?: string }).timestamp ?? new Date().toISOString() }
    return this.producer.send({
      topic,
      messages: [{ key, value: JSON.stringify(stamped), headers: { 'content-type': 'application/json' } }],
    })
  }

  async sendUserActivity(activity: UserActivity): Promise<RecordMetadata[]> {
    const event = validate('user activity', validators.userActivity, activity)
    return this.send(TOPICS.userActivities, event.userId, event)
  }

  async sendSystemMetric(metric: SystemMetric): Promise<RecordMetadata[]> {
    const event = validate('system metric', validators.systemMetric, metric)
    return this.send(TOPICS.systemMetrics, event.metricName, event)
  }

  async sendErrorLog(log: ErrorLog): Promise<RecordMetadata[]> {
    const event = validate('error log', validators.errorLog, log)
    return this.send(TOPICS.errorLogs, event.service, event)
  }

  async sendNotification(notification: Notification): Promise<RecordMetadata[]> {
    const event = validate('notification', validators.notification, notification)
    return this.send(TOPICS.notifications, event.type, event)
  }
}
