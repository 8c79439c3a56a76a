// kafkajs (npm) against the broker under test: the issue-2 interop scenarios.
// Run: node --test tests/interop/node/   (FERROKAFKA_TEST_TARGET=ferrokafka|apache)

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  CODECS, MESSAGE_MAX_BYTES, PARTITIONS, client, collect, eventually, keyedRecords, producer,
  startTarget, unique,
} from './common.mjs';

let target;
let kafka;
let admin;

before(async () => {
  target = await startTarget();
  kafka = client(target.bootstrap);
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin?.disconnect();
  await target?.stop();
});

async function createTopic(prefix = 'kjs') {
  const topic = unique(prefix);
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: false,
  });
  assert.equal(created, true);
  // kafkajs's own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker may
  // answer until the new topic's metadata has propagated; wait for leaders here instead.
  await eventually(async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions.length === PARTITIONS && topics[0].partitions.every((p) => p.leader >= 0);
  }, `leaders for ${topic}`);
  // ...and until the leader serves every partition (ListOffsets): a kafkajs producer that gets
  // NOT_LEADER for one partition resends the whole request, duplicating the other partitions.
  await eventually(async () => (await admin.fetchTopicOffsets(topic)).length === PARTITIONS, `offsets of ${topic}`);
  return topic;
}

async function produce(topic, messages, options = {}, compression = CODECS.none) {
  const p = producer(kafka, options);
  await p.connect();
  try {
    return await p.send({ topic, acks: -1, compression, messages });
  } finally {
    await p.disconnect();
  }
}

async function groupConsumer(groupId, topic) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  return consumer;
}

function duplicates(messages) {
  const seen = {};
  for (const m of messages) seen[`${m.partition}:${m.offset}`] = (seen[`${m.partition}:${m.offset}`] ?? 0) + 1;
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id}x${n}`).join(' ') || 'none';
}

function lagOf(topicOffsets, committed) {
  const end = Object.fromEntries(topicOffsets.map((p) => [p.partition, Number(p.high)]));
  return Object.fromEntries(committed.map((p) => [p.partition, end[p.partition] - Number(p.offset)]));
}

test('create a topic with three partitions', async () => {
  const topic = await createTopic('kjs-create');
  assert.ok((await admin.listTopics()).includes(topic));
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.deepEqual(topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
});

for (const [name, codec] of Object.entries(CODECS)) {
  test(`keyed records with headers round-trip under ${name}`, async () => {
    const topic = await createTopic(`kjs-${name}`);
    const sent = keyedRecords(60, name);
    await produce(topic, sent, {}, codec);

    const consumer = await groupConsumer(unique('kjs-g'), topic);
    const got = await collect(consumer);
    await eventually(() => got.length >= sent.length, `${sent.length} records (got ${got.length})`);
    await consumer.disconnect();

    assert.equal(got.length, sent.length, `duplicates: ${duplicates(got)}`);
    const byKey = {};
    const partitionsByKey = {};
    for (const m of got) {
      (byKey[m.key] ??= []).push(m.value);
      (partitionsByKey[m.key] ??= new Set()).add(m.partition);
      assert.deepEqual(Object.keys(m.headers), ['trace-id', 'source']);
      assert.equal(m.headers.source, 'interop');
    }
    const expected = {};
    for (const r of sent) (expected[r.key] ??= []).push(r.value);
    assert.deepEqual(byKey, expected, 'every key in production order');
    for (const parts of Object.values(partitionsByKey)) assert.equal(parts.size, 1, 'a key spread over partitions');
  });
}

test('commit, restart the consumer, resume at the committed offset', async () => {
  const topic = await createTopic('kjs-resume');
  const sent = keyedRecords(30);
  await produce(topic, sent);
  const groupId = unique('kjs-resume');

  const first = await groupConsumer(groupId, topic);
  const seen = await collect(first);
  await eventually(() => seen.length >= 10, '10 records');
  first.pause([{ topic }]);
  const commit = {};
  for (const m of seen) commit[m.partition] = Math.max(commit[m.partition] ?? 0, m.offset + 1);
  await first.commitOffsets(Object.entries(commit).map(([p, o]) => ({ topic, partition: Number(p), offset: String(o) })));
  const processed = seen.slice();
  await first.disconnect();

  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  for (const p of committed.partitions) {
    assert.equal(Number(p.offset), commit[p.partition] ?? -1, `committed offset of partition ${p.partition}`);
  }

  const second = await groupConsumer(groupId, topic);
  const rest = await collect(second);
  await eventually(() => rest.length >= sent.length - processed.length, 'the remaining records');
  await second.disconnect();

  const firstIds = new Set(processed.map((m) => `${m.partition}:${m.offset}`));
  const restIds = new Set(rest.map((m) => `${m.partition}:${m.offset}`));
  assert.ok([...restIds].every((id) => !firstIds.has(id)), 'records before the committed offset came again');
  assert.equal(new Set([...firstIds, ...restIds]).size, sent.length);
});

test('two consumers in a group split the partitions', async () => {
  const topic = await createTopic('kjs-split');
  const groupId = unique('kjs-split');
  const members = [await groupConsumer(groupId, topic), await groupConsumer(groupId, topic)];
  const assigned = [[], []];
  members.forEach((c, i) => c.on(c.events.GROUP_JOIN, (e) => {
    assigned[i] = e.payload.memberAssignment[topic] ?? [];
  }));
  const got = [await collect(members[0]), await collect(members[1])];

  await eventually(() => {
    const [a, b] = assigned;
    return a.length && b.length && a.every((p) => !b.includes(p)) && a.length + b.length === PARTITIONS;
  }, 'both consumers to own disjoint partitions');
  const sent = keyedRecords(90);
  await produce(topic, sent);
  await eventually(() => got[0].length + got[1].length >= sent.length, 'all records');

  for (const i of [0, 1]) {
    assert.ok(got[i].length > 0, `consumer ${i} received nothing`);
    assert.ok(got[i].every((m) => assigned[i].includes(m.partition)), `consumer ${i} read a partition it does not own`);
  }
  await Promise.all(members.map((c) => c.disconnect()));
  assert.equal(new Set([...got[0], ...got[1]].map((m) => `${m.partition}:${m.offset}`)).size, sent.length);
});

test('idempotent producer writes each record once', async () => {
  const topic = await createTopic('kjs-idem');
  const sent = keyedRecords(500, 'idem');
  const p = producer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  for (let i = 0; i < sent.length; i += 50) {
    await p.send({ topic, acks: -1, messages: sent.slice(i, i + 50) });
  }
  await p.disconnect();

  const offsets = await admin.fetchTopicOffsets(topic);
  assert.equal(offsets.reduce((sum, o) => sum + Number(o.high), 0), sent.length);
  assert.ok(offsets.every((o) => Number(o.low) === 0));

  const consumer = await groupConsumer(unique('kjs-idem'), topic);
  const got = await collect(consumer);
  await eventually(() => got.length >= sent.length, 'all records');
  await consumer.disconnect();
  assert.deepEqual(got.map((m) => m.value).sort(), sent.map((m) => m.value).sort());
});

test('describe the group with lag', async () => {
  const topic = await createTopic('kjs-lag');
  await produce(topic, keyedRecords(30));
  const groupId = unique('kjs-lag');
  const consumer = await groupConsumer(groupId, topic);
  const got = await collect(consumer);
  await eventually(() => got.length >= 30, 'all records');
  const ends = await admin.fetchTopicOffsets(topic);
  await consumer.commitOffsets(ends.map((o) => ({ topic, partition: o.partition, offset: String(Math.max(0, Number(o.high) - 2)) })));

  const { groups: [group] } = await admin.describeGroups([groupId]);
  assert.equal(group.groupId, groupId);
  assert.equal(group.state, 'Stable');
  assert.equal(group.protocolType, 'consumer');
  assert.equal(group.members.length, 1);

  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const expected = Object.fromEntries(ends.map((o) => [o.partition, Math.min(2, Number(o.high))]));
  assert.deepEqual(lagOf(ends, committed.partitions), expected);
  await consumer.disconnect();
});

test('reset offsets to earliest and to an offset', async () => {
  const topic = await createTopic('kjs-reset');
  const sent = keyedRecords(30);
  await produce(topic, sent);
  const groupId = unique('kjs-reset');
  const consumer = await groupConsumer(groupId, topic);
  const got = await collect(consumer);
  await eventually(() => got.length >= sent.length, 'all records');
  const ends = await admin.fetchTopicOffsets(topic);
  await consumer.commitOffsets(ends.map((o) => ({ topic, partition: o.partition, offset: o.high })));
  await consumer.disconnect(); // the group must be empty to reset it

  // kafkajs commits "earliest" as the sentinel offset -2; the restarted consumer resolves it.
  await admin.resetOffsets({ groupId, topic, earliest: true });
  let [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(committed.partitions.map((p) => Number(p.offset)), [-2, -2, -2]);

  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
  [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(committed.partitions.map((p) => [p.partition, Number(p.offset)]).sort(), [[0, 1], [1, -2], [2, -2]]);

  const again = await groupConsumer(groupId, topic);
  const rest = await collect(again);
  await eventually(() => rest.length >= sent.length - 1, 'all records after the reset');
  await again.disconnect();
  assert.equal(rest.length, sent.length - 1, `duplicates: ${duplicates(rest)}`);
  assert.equal(Math.min(...rest.filter((m) => m.partition === 0).map((m) => m.offset)), 1);
});

test('delete the topic', async () => {
  const topic = await createTopic('kjs-delete');
  await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
  await eventually(async () => !(await admin.listTopics()).includes(topic), 'the topic to disappear');
});

test('a record over message.max.bytes gets a clear error, not a hang', async () => {
  const topic = await createTopic('kjs-big');
  const p = producer(kafka, { retry: { retries: 0 } });
  await p.connect();
  const value = randomBytes(MESSAGE_MAX_BYTES + 1024);
  await assert.rejects(
    p.send({ topic, acks: -1, messages: [{ key: 'big', value }] }),
    (err) => {
      const types = [err.type, err.cause?.type, ...(err.originalError?.errors ?? []).map((e) => e.type)];
      assert.ok(types.includes('MESSAGE_TOO_LARGE'), `expected MESSAGE_TOO_LARGE, got ${err.name}: ${err.message} ${types}`);
      return true;
    },
  );
  await p.disconnect();
});
