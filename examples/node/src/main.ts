// The service: ensure topics, send one event of each kind, consume them, shut down gracefully on
// SIGINT (consumer and producer disconnected, exit code 0).
import { ensureTopics } from './topics'
import { KafkaProducer } from './producer'
import { KafkaConsumer } from './consumer'
import { ValidationError } from './schemas'

async function main(): Promise<void> {
  await ensureTopics()
  const producer = new KafkaProducer()
  const consumer = new KafkaConsumer()
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe()

  let stopping = false
  process.on('SIGINT', async () => {
    if (stopping) return
    stopping = true
    console.log('SHUTDOWN started')
    await consumer.disconnect()
    await producer.disconnect()
    console.log('SHUTDOWN complete')
    process.exit(0)
  })

  await consumer.startConsuming((e) => {
    console.log(`CONSUMED ${e.topic} ${e.partition} ${e.offset} ${e.key} ${JSON.stringify(e.value)}`)
  })

  await producer.sendUserActivity({ userId: 'user-001', action: 'login', resource: '/dashboard', metadata: { browser: 'Chrome' }, ipAddress: '192.168.1.100' })
  await producer.sendSystemMetric({ metricName: 'cpu_usage', value: 75.5, unit: 'percentage', tags: { server: 'web-01' } })
  await producer.sendErrorLog({ service: 'api', errorType: 'DatabaseError', message: 'Connection timeout', severity: 'error', context: { attempt: 3 } })
  await producer.sendNotification({ type: 'system_alert', message: 'High CPU usage detected', recipients: ['admin@company.com'] })
  try {
    await producer.sendUserActivity({ userId: '', action: 'login' })
  } catch (e) {
    if (e instanceof ValidationError) console.log(`REJECTED ${e.message}`)
    else throw e
  }
  console.log('SENT 4')
}

main().catch((e) => {
  console.error('FAILED', e)
  process.exit(1)
})
