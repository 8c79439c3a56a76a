// A service moving from kafkajs to ferrokafka is redeployed a pod at a time, so for a while one
// consumer group has members of both. They must agree on the group protocol (kafkajs's
// `RoundRobinAssigner`) and split the partitions, whichever of them leads the group.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bundledBroker, eventually, ferrokafka, kafkajs, uniqueName } from './common.mjs'

const broker = bundledBroker()

function client(lib) {
  return new lib.Kafka({ clientId: 'mixed', brokers: broker.brokers, logLevel: lib.logLevel.NOTHING })
}

/** Joins `first` then `second` (each a library) to one group over a 4-partition topic. */
async function mixedGroup(first, second) {
  const topic = uniqueName('mixed')
  const groupId = `${topic}-g`
  const admin = client(ferrokafka).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
  const members = []
  for (const lib of [first, second]) {
    const c = client(lib).consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 })
    const m = { lib, consumer: c, assigned: [], protocol: null, seen: new Set() }
    c.on(c.events.GROUP_JOIN, ({ payload }) => {
      m.assigned = payload.memberAssignment[topic] ?? []
      m.protocol = payload.groupProtocol
    })
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.run({ eachMessage: async ({ message }) => m.seen.add(message.value.toString()) })
    members.push(m)
    // The first member joins alone (and leads); the second joins its group.
    await eventually(() => m.assigned.length > 0, `${lib === kafkajs ? 'kafkajs' : 'ferrokafka'} member to join`)
  }
  await eventually(
    () => members.every((m) => m.assigned.length > 0) && members[0].assigned.length + members[1].assigned.length === 4,
    'both members to share the four partitions',
  )
  const producer = client(ferrokafka).producer()
  await producer.connect()
  const values = Array.from({ length: 40 }, (_, i) => `v${i}`)
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 4 })) })
  await eventually(() => members[0].seen.size + members[1].seen.size >= values.length, 'every record consumed')
  await producer.disconnect()
  for (const m of members) await m.consumer.disconnect()
  await admin.disconnect()
  return members
}

for (const [name, first, second] of [
  ['kafkajs leads, ferrokafka joins', kafkajs, ferrokafka],
  ['ferrokafka leads, kafkajs joins', ferrokafka, kafkajs],
]) {
  test(`a group shared by kafkajs and ferrokafka consumers: ${name}`, async () => {
    const members = await mixedGroup(first, second)
    const [a, b] = members
    assert.equal(a.protocol, 'RoundRobinAssigner')
    assert.equal(b.protocol, 'RoundRobinAssigner')
    assert.deepEqual([...a.assigned, ...b.assigned].sort(), [0, 1, 2, 3])
    assert.equal(a.assigned.length, 2)
    // Every record reached exactly one member.
    const all = [...a.seen, ...b.seen]
    assert.equal(all.length, 40)
    assert.equal(new Set(all).size, 40)
  })
}
