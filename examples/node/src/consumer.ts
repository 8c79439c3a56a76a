// KafkaConsumer: subscribes to the service's topics and hands each event to a handler, then
// commits its offset by hand (auto-commit off), so an event is committed only once handled.
import { Consumer, EachMessagePayload } from 'ferrokafka'
import { kafka, TOPICS, GROUP_ID } from './config/kafka'

export interface ConsumedEvent {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: unknown
}

export type EventHandler = (event: ConsumedEvent) => Promise<void> | void

export class KafkaConsumer {
  private readonly consumer: Consumer

  constructor(groupId: string = GROUP_ID) {
    this.consumer = kafka.consumer({
      groupId,
      enableAutoCommit: false,
      sessionTimeout: 45000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 2097152,
      maxWaitTimeInMs: 5000,
    })
  }

  async connect(): Promise<void> {
    await this.consumer.connect()
  }

  async subscribe(topics: string[] = Object.values(TOPICS)): Promise<void> {
    await this.consumer.subscribe({ topics, fromBeginning: true })
  }

  async startConsuming(handler: EventHandler = (e) => console.log(JSON.stringify(e))): Promise<void> {
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
        const raw = message.value?.toString() ?? 'null'
        await handler({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: JSON.parse(raw) })
        await this.consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
      },
    })
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect()
  }
}
