// One kafkajs group member for tests/interop/python/test_group_churn.py (not a test itself):
//   node churn-member.mjs <bootstrap> <group> <topic> <clientId> <sessionTimeoutMs>
// joins the group, prints "ASSIGNED <generation> <partitions as JSON>" on every group join, and
// leaves the group cleanly (consumer.disconnect sends LeaveGroup) when stdin closes or on SIGTERM.

import { client } from './common.mjs';

const [bootstrap, group, topic, clientId, sessionTimeout] = process.argv.slice(2);
const consumer = client(bootstrap, clientId).consumer({
  groupId: group,
  sessionTimeout: Number(sessionTimeout),
  rebalanceTimeout: Number(sessionTimeout),
  heartbeatInterval: 500,
});

consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const partitions = e.payload.memberAssignment[topic] ?? [];
  console.log(`ASSIGNED ${e.payload.generationId ?? -1} ${JSON.stringify([...partitions].sort((a, b) => a - b))}`);
});
consumer.on(consumer.events.CRASH, (e) => {
  console.log(`CRASH ${e.payload.error}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await consumer.disconnect();
  } finally {
    console.log('STOPPED');
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({ eachMessage: async () => {} });
console.log('STARTED');
