// The packed tarball installs into an empty project (no build step, no Rust toolchain used) and
// a produce/consume script runs from there against the broker the package bundles.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const SCRIPT = `
const { Kafka, logLevel } = require('ferrokafka')
const { startBroker } = require('ferrokafka/testing')
;(async () => {
  const broker = await startBroker()
  const kafka = new Kafka({ clientId: 'packed', brokers: broker.brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'packed', numPartitions: 1 }] })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'packed', messages: [{ key: 'k', value: 'hello from the tarball' }] })
  const consumer = kafka.consumer({ groupId: 'packed-group' })
  await consumer.connect()
  await consumer.subscribe({ topics: ['packed'], fromBeginning: true })
  const got = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no record within 60 s')), 60000)
    consumer.run({ eachMessage: async ({ message }) => { clearTimeout(timer); resolve(message.value.toString()) } })
  })
  await consumer.disconnect()
  await producer.disconnect()
  await admin.disconnect()
  await broker.stop()
  console.log('GOT ' + got)
})().catch((e) => { console.error(e); process.exit(1) })
`

test('npm pack → npm install into an empty directory → produce and consume', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferrokafka-pack-'))
  try {
    execFileSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: PKG, stdio: 'pipe' })
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
    assert.ok(tarball, 'npm pack made a tarball')
    const app = path.join(dir, 'app')
    execFileSync('mkdir', ['-p', app])
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
    // PATH without cargo proves the install needs no Rust toolchain.
    const env = { ...process.env, PATH: path.dirname(process.execPath) + ':/usr/bin:/bin' }
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', path.join(dir, tarball)], { cwd: app, env, stdio: 'pipe' })
    writeFileSync(path.join(app, 'main.js'), SCRIPT)
    const out = execFileSync(process.execPath, ['main.js'], { cwd: app, env, timeout: 120_000 }).toString()
    assert.match(out, /GOT hello from the tarball/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
