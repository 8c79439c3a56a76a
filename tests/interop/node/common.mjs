// Helpers shared by the Node interop suites: the broker under test, a kafkajs client with every
// codec registered, scenario data and polling. No test scenarios here.
//
// The broker comes from tests/harness/target.py (FERROKAFKA_TEST_TARGET=ferrokafka|apache), spawned
// as a child that prints "READY <bootstrap>" and stops when its stdin closes.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import kafkajs from 'kafkajs';

const require = createRequire(import.meta.url);
const LZ4Codec = require('kafkajs-lz4');
const SnappyCodec = require('kafkajs-snappy');
const { ZstdCodec } = require('zstd-codec');

const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, logLevel } = kafkajs;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TARGET_CLI = path.join(HERE, '..', '..', 'harness', 'target.py');

export const PARTITIONS = 3;
// Kafka's default message.max.bytes (1 MiB + record-batch overhead), same on both brokers.
export const MESSAGE_MAX_BYTES = 1048588;
export const PATIENCE_MS = 60_000;
export const CODECS = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

// kafkajs ships gzip only; the others are registered from codec packages.
// (@kafkajs/zstd does not build on Node 20 — its native cppzst needs C++17 — so zstd is a small
// adapter over zstd-codec, the Emscripten build of the reference library.)
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
const zstd = await new Promise((resolve) => ZstdCodec.run((z) => resolve(new z.Simple())));
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  async compress(encoder) {
    return Buffer.from(zstd.compress(encoder.buffer));
  },
  async decompress(buffer) {
    return Buffer.from(zstd.decompress(buffer));
  },
});

/** Start the broker under test; resolves to { bootstrap, stop() }. */
export async function startTarget(properties = {}) {
  const args = [TARGET_CLI];
  for (const [key, value] of Object.entries(properties)) args.push('--property', `${key}=${value}`);
  const child = spawn(process.env.PYTHON ?? 'python3', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  const bootstrap = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice('READY '.length).trim());
    });
    child.once('exit', (code) => reject(new Error(`target.py exited with ${code} before READY`)));
  });
  return {
    bootstrap,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

export function client(bootstrap, clientId = 'interop-kafkajs') {
  return new Kafka({
    clientId,
    brokers: bootstrap.split(','),
    logLevel: process.env.KAFKAJS_LOG ? logLevel.DEBUG : logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

export function producer(kafka, options = {}) {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
}

export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 10)}`;
}

/** { key, value, headers } messages: 10 distinct keys, so every key has an ordered sequence. */
export function keyedRecords(count, tag = 'r') {
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${i % 10}`,
    value: `${tag}-value-${String(i).padStart(6, '0')}`.repeat(3),
    headers: { 'trace-id': `t${i}`, source: 'interop' },
  }));
}

/** Await check() until it returns truthy; fail with `what` after the timeout. */
export async function eventually(check, what, timeoutMs = PATIENCE_MS) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result) return result;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last error: ${lastError}`);
}

/** Run a consumer with manual commits, collecting every message it receives into an array. */
export async function collect(consumer) {
  const got = [];
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      got.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v.toString()])),
      });
    },
  });
  return got;
}
