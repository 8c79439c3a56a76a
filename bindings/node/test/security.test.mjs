// kafkajs's `ssl` and `sasl` options against a broker with a SASL_SSL listener (SCRAM users,
// StandardAuthorizer) from tests/harness/secure_kafka.py — our broker and a real Apache Kafka,
// every test against each: an allowed user produces and consumes, a user without ACLs gets the
// authorization error, a wrong password the authentication error, an untrusted CA a handshake
// error that says so. FERROKAFKA_SECURITY_TARGETS (space-separated, default
// "ferrokafka apache") narrows the targets.

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { Kafka } = require('ferrokafka')

const HARNESS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'harness', 'secure_kafka.py')

/** The CI venv's Python has `cryptography` (the harness makes the certificates with it). */
function python() {
  if (process.env.FERROKAFKA_PYTHON) return process.env.FERROKAFKA_PYTHON
  const cache = process.env.FERROKAFKA_CACHE ?? path.join(os.homedir(), '.cache', 'ferrokafka')
  const venv = path.join(cache, 'venv', 'bin', 'python')
  return fs.existsSync(venv) ? venv : 'python3'
}

async function startSecureKafka(target) {
  const child = spawn(python(), [HARNESS, '--target', target], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout })
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`secure ${target} broker did not start within 240 s`)), 240_000)
    let described
    lines.on('line', (line) => {
      if (line.startsWith('SECURE ')) described = JSON.parse(line.slice('SECURE '.length))
      if (line.startsWith('READY ')) {
        clearTimeout(timer)
        resolve(described)
      }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`secure_kafka.py exited with ${code} before READY`)) })
  })
  return { ...info, async stop() { child.stdin.end(); await exited } }
}

const TARGETS = (process.env.FERROKAFKA_SECURITY_TARGETS ?? 'ferrokafka apache').split(/\s+/).filter(Boolean)

for (const target of TARGETS) {
  describe(`SASL_SSL on ${target}`, () => {
    let k
    before(async () => { k = await startSecureKafka(target) })
    after(async () => { await k?.stop() })

    function client(user, { password, ca, tls } = {}) {
      return new Kafka({
        clientId: 'sec-node',
        brokers: [k.bootstrap],
        ssl: { ca: [fs.readFileSync(ca ?? k.ca, 'utf8')], ...tls },
        sasl: { mechanism: 'scram-sha-512', username: user, password: password ?? k.users[user] },
        retry: { retries: 2, maxRetryTime: 20000 },
      })
    }

    const topic = () => `sec-node-${Math.random().toString(16).slice(2, 10)}`

    test('an allowed user produces and consumes over SASL_SSL', async () => {
      const t = topic()
      const producer = client('alice').producer()
      await producer.connect()
      await producer.send({ topic: t, messages: [{ value: 'hello' }] })
      await producer.disconnect()
      const consumer = client('alice').consumer({ groupId: `g-${t}` })
      await consumer.connect()
      await consumer.subscribe({ topic: t, fromBeginning: true })
      const got = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no record within 60 s')), 60_000)
        consumer.run({ eachMessage: async ({ message }) => { clearTimeout(timer); resolve(message.value.toString()) } })
      })
      await consumer.disconnect()
      assert.equal(got, 'hello')
    })

    test('a user without ACLs gets an authorization error', async () => {
      const t = topic()
      const alice = client('alice').producer()
      await alice.connect()
      await alice.send({ topic: t, messages: [{ value: 'x' }] })
      await alice.disconnect()
      const bob = client('bob').producer()
      await bob.connect()
      await assert.rejects(bob.send({ topic: t, messages: [{ value: 'no' }] }), (e) => e.type === 'TOPIC_AUTHORIZATION_FAILED' && /Not authorized/.test(e.message))
      await bob.disconnect().catch(() => {})
    })

    test('a wrong password and an untrusted CA fail with clear errors', async () => {
      const wrong = client('alice', { password: 'Wr0ngPa55' }).admin()
      await assert.rejects(wrong.connect().then(() => wrong.listTopics()), (e) => {
        assert.match(String(e.message), /SASL/)
        assert.doesNotMatch(String(e.message), /Wr0ngPa55/)
        return true
      })
      await wrong.disconnect().catch(() => {})
      const untrusted = client('alice', { ca: k.untrusted_ca }).admin()
      await assert.rejects(untrusted.connect().then(() => untrusted.listTopics()), /not trusted/)
      await untrusted.disconnect().catch(() => {})
    })

    test("tls.connect's minVersion, maxVersion and ciphers are honoured", async () => {
      // The harness's keystore is EC: an ECDSA suite over TLS 1.2 connects, an RSA-only one
      // shares nothing with the broker, and an OpenSSL expression keeps the default suites.
      const ok = client('alice', { tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' } }).admin()
      await ok.connect()
      assert.ok(Array.isArray(await ok.listTopics()))
      await ok.disconnect()
      const expression = client('alice', { tls: { ciphers: 'HIGH:!aNULL:!MD5' } }).admin()
      await expression.connect()
      assert.ok(Array.isArray(await expression.listTopics()))
      await expression.disconnect()
      const none = client('alice', { tls: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } }).admin()
      await assert.rejects(none.connect().then(() => none.listTopics()), /ssl\.cipher\.suites/)
      await none.disconnect().catch(() => {})
      assert.throws(() => client('alice', { tls: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' } }).admin(), /minVersion/)
    })
  })
}
