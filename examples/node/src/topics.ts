// Creates the service's four topics (3 partitions, 7 days' retention) when they are missing.
import { kafka, TOPICS, TOPIC_PARTITIONS, RETENTION_MS } from './config/kafka'

export async function ensureTopics(): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(TOPICS).map((topic) => ({
        topic,
        numPartitions: TOPIC_PARTITIONS,
        configEntries: [{ name: 'retention.ms', value: RETENTION_MS }],
      })),
    })
  } finally {
    await admin.disconnect()
  }
}
