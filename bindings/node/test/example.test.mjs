// The seed's TypeScript service (examples/node) end to end: compiled with strict tsc, run
// against the bundled broker, its four validated events consumed and committed, an invalid
// event refused, and a graceful SIGINT shutdown.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { client, startBroker, eventually } from './common.mjs'

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'node')

let broker
before(async () => {
  broker = await startBroker()
})
after(async () => {
  await broker?.stop()
})

test('the example service compiles (strict tsc), sends, consumes, commits and shuts down on SIGINT', async () => {
  assert.ok(existsSync(path.join(EXAMPLE, 'node_modules')), 'run npm ci in examples/node first (ci.sh does)')
  execFileSync(process.execPath, [path.join(EXAMPLE, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: EXAMPLE, stdio: 'pipe' })
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: EXAMPLE,
    env: { ...process.env, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_GROUP_ID: 'example-group' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    // The invalid event is refused after the fourth send is acknowledged, so its line can come
    // after the fourth CONSUMED line: wait for both.
    const done = () => (out.match(/^CONSUMED /gm) ?? []).length >= 4 && /REJECTED /.test(out)
    await eventually(() => done() || child.exitCode !== null, 'four consumed events and the refused one')
    assert.equal((out.match(/^CONSUMED /gm) ?? []).length, 4, out)
    assert.match(out, /REJECTED invalid user activity/)
    for (const t of ['user-activities', 'system-metrics', 'error-logs', 'notifications']) assert.match(out, new RegExp(`CONSUMED ${t} \\d 0 `))
    assert.match(out, /CONSUMED user-activities \d 0 user-001 .*"action":"login"/)
    child.kill('SIGINT')
    assert.equal(await exited, 0, out)
    assert.match(out, /SHUTDOWN complete/)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }

  const admin = client(broker.brokers).admin()
  await admin.connect()
  const md = await admin.fetchTopicMetadata({ topics: ['user-activities', 'system-metrics', 'error-logs', 'notifications'] })
  assert.deepEqual(md.topics.map((t) => t.partitions.length), [3, 3, 3, 3])
  const offsets = await admin.fetchOffsets({ groupId: 'example-group', topics: ['user-activities'] })
  assert.equal(offsets[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0), 1, 'the consumed event was committed')
  await admin.disconnect()
})
