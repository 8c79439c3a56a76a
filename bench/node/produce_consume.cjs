// Node client benchmark (issue #8, acceptance 5): ferrokafka, kafkajs,
// @confluentinc/kafka-javascript (its kafkajs-compatible KafkaJS API) and @platformatic/kafka,
// one after the other on ONE bundled ferrokafka broker, each client in its own child process
// (client_run.cjs) so the peak RSS is that client's. Per workload (records x size) it prints
// produce and consume records/s, the end-to-end p50/p99 at a fixed offered rate (the same rate
// for every client), the peak RSS, the CPU time per record of each client's process (user +
// system, every thread: steadier than records/s on a loaded box) and the ratios of ferrokafka
// to kafkajs and to the fastest of the others, then the two ceilings a consumer cannot pass here:
// the message floor (message_floor.cjs: JS alone) and the native ceiling (native_ceiling.cjs: the
// core alone, no Node; needs `cargo build --release -p ferrokafka-bench`). Not a test; not run by CI.
//
//   bash bench/node/install.sh       # the peers (builds @confluentinc/kafka-javascript here)
//   node bench/node/produce_consume.cjs [--workloads 1000000x100:10000,100000x1024:5000]
//        [--seconds 10] [--clients ferrokafka,kafkajs,confluent,platformatic] [--out FILE]
//
// A workload is <records>x<size bytes>:<offered rate for the latency phase, records/s>.
// Needs bindings/node built (release: `node bindings/node/scripts/build.js`);
// FERROKAFKA_NODE_PKG=<dir> measures another build of the package instead (a baseline).
'use strict'

const { execFileSync, spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { CLIENT_NAMES } = require('./clients.cjs')
const { nativeCeiling } = require('./native_ceiling.cjs')

const ROOT = path.resolve(__dirname, '..', '..')
// FERROKAFKA_NODE_PKG points at another build of the package (an A/B against a baseline).
const PKG = process.env.FERROKAFKA_NODE_PKG || path.join(ROOT, 'bindings', 'node')
const ferrokafka = require(PKG)
const { startBroker } = require(path.join(PKG, 'dist', 'testing.js'))

const opt = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : dflt
}
const WORKLOADS = opt('workloads', '1000000x100:10000,100000x1024:5000')
  .split(',')
  .map((w) => {
    const m = /^(\d+)x(\d+):(\d+)$/.exec(w)
    if (!m) throw new Error(`bad workload ${w}: expected <records>x<size>:<rate>`)
    return { records: Number(m[1]), size: Number(m[2]), rate: Number(m[3]) }
  })
const SECONDS = Number(opt('seconds', '10'))
const CLIENTS = opt('clients', CLIENT_NAMES.join(',')).split(',')
const OUT = opt('out', null)
const CHILD_TIMEOUT_MS = 15 * 60 * 1000

function runChild(args) {
  return new Promise((resolve) => {
    // BENCH_CHILD_NODE_ARGS: node flags for the clients' processes (e.g. --cpu-prof).
    const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS || '').split(' ').filter(Boolean)
    const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, 'client_run.cjs'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const line = out.trim().split('\n').pop() || ''
      try {
        resolve(JSON.parse(line))
      } catch {
        resolve({ client: args[0], error: `exited ${code ?? signal} without a result` })
      }
    })
  })
}

const fmt = (x, digits = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-')
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}x` : '-')

// The ceiling of a kafkajs-compatible consumer here (message_floor.cjs, its own process).
function messageFloor(w) {
  try {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'message_floor.cjs'), String(w.records), String(w.size)])
    return JSON.parse(out.toString().trim().split('\n').pop())
  } catch (e) {
    return { error: String(e.message || e) }
  }
}

function floorLine(floor, results) {
  if (floor.error) return `Message floor not measured: ${floor.error}`
  const k = results.find((r) => r.client === 'kafkajs' && !r.error)
  const f = results.find((r) => r.client === 'ferrokafka' && !r.error)
  const vsK = k ? ` = **${ratio(floor.eachBatch, k.consume)} kafkajs's consume rate**, the highest ratio any client with kafkajs's message shape can reach on this box` : ''
  const vsF = f ? `; ferrokafka consumed at ${((100 * f.consume) / floor.eachBatch).toFixed(0)} % of it` : ''
  return (
    `Message floor (\`message_floor.cjs\`: kafkajs-shaped messages built and read as this bench's eachBatch reads them, ` +
    `no broker, no socket, no decoding): ${fmt(floor.eachBatch)} rec/s${vsK}${vsF}. ` +
    `With an async eachMessage awaited per record: ${fmt(floor.eachMessage)} rec/s.`
  )
}

function nativeLine(native, results) {
  if (native.error) return `Native ceiling not measured: ${native.error}`
  const k = results.find((r) => r.client === 'kafkajs' && !r.error)
  const f = results.find((r) => r.client === 'ferrokafka' && !r.error)
  const vsK = k ? ` = **${ratio(native.consume, k.consume)} kafkajs's consume rate**, the highest ratio a consumer on this core can reach on this box` : ''
  const vsF = f ? `; ferrokafka consumed at ${((100 * f.consume) / native.consume).toFixed(0)} % of it` : ''
  return (
    `Native ceiling (\`native_ceiling.cjs\`: the core alone, \`fk-consumer-perf\` in Rust with no Node, same broker, ` +
    `the Node package's fetch settings): consume ${fmt(native.consume)} rec/s${vsK}${vsF}. ` +
    `(Its writer, \`fk-producer-perf\`, sending record by record: ${fmt(native.produce)} rec/s; no ceiling for 1,000-record sends.)`
  )
}

function table(w, results) {
  const lines = []
  lines.push(`${w.records} x ${w.size} B, latency at ${w.rate} records/s for ${SECONDS} s:`)
  lines.push('')
  lines.push('| client | produce rec/s | consume rec/s | p50 ms | p99 ms | peak RSS MB | produce / consume CPU us per record |')
  lines.push('|---|---|---|---|---|---|---|')
  const cpu = (r, phase) => r.costs?.[phase]?.cpuUsPerRecord
  for (const r of results) {
    if (r.error) lines.push(`| ${r.client} | not measured: ${r.error} | | | | | |`)
    else {
      lines.push(
        `| ${r.client} | ${fmt(r.produce)} | ${fmt(r.consume)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.rssMb)} | ${fmt(cpu(r, 'produce'), 2)} / ${fmt(cpu(r, 'consume'), 2)} |`,
      )
    }
  }
  const f = results.find((r) => r.client === 'ferrokafka' && !r.error)
  const k = results.find((r) => r.client === 'kafkajs' && !r.error)
  const others = results.filter((r) => r.client !== 'ferrokafka' && !r.error)
  const best = (field) => others.reduce((a, r) => (a && a[field] >= r[field] ? a : r), null)
  const lowestP99 = others.reduce((a, r) => (a && a.p99 <= r.p99 ? a : r), null)
  // The CPU column's ratio is theirs / ours (how many times more CPU a record costs them).
  if (f && k) {
    lines.push(
      `| ferrokafka / kafkajs | ${ratio(f.produce, k.produce)} | ${ratio(f.consume, k.consume)} | | ${ratio(f.p99, k.p99)} | ${ratio(f.rssMb, k.rssMb)} | kafkajs uses ${ratio(cpu(k, 'produce'), cpu(f, 'produce'))} / ${ratio(cpu(k, 'consume'), cpu(f, 'consume'))} |`,
    )
  }
  if (f && others.length) {
    const bp = best('produce')
    const bc = best('consume')
    lines.push(
      `| ferrokafka / fastest other | ${ratio(f.produce, bp.produce)} (${bp.client}) | ${ratio(f.consume, bc.consume)} (${bc.client}) | | ${ratio(f.p99, lowestP99.p99)} (lowest: ${lowestP99.client}) | | |`,
    )
  }
  return lines.join('\n')
}

;(async () => {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()
  const broker = await startBroker()
  const admin = new ferrokafka.Kafka({ brokers: broker.brokers, logLevel: ferrokafka.logLevel.NOTHING }).admin()
  await admin.connect()
  const pkg = process.env.FERROKAFKA_NODE_PKG ? ` (ferrokafka package from ${PKG})` : ''
  const head =
    `Node benchmark ${new Date().toISOString()}, commit ${commit}${pkg}, node ${process.version}, ` +
    `load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, one run, bundled broker (1 partition per topic)`
  console.log(head)
  const sections = [head]
  {
    // Untimed warm-up of the fresh broker (the first workload once, by the first client):
    // otherwise the first client measured pays the broker's warm-up alone (the Python bench
    // measured its first client's 100 B produce ~25 % slower on a fresh broker).
    const w = WORKLOADS[0]
    const tag = `bench-warmup-${Date.now()}`
    await admin.createTopics({ topics: [{ topic: `${tag}-tp`, numPartitions: 1 }, { topic: `${tag}-lat`, numPartitions: 1 }] })
    await runChild([CLIENTS[0], broker.brokers.join(','), String(w.records), String(w.size), String(w.rate), String(SECONDS), tag])
    await admin.deleteTopics({ topics: [`${tag}-tp`, `${tag}-lat`] }).catch(() => {})
    console.error('warm-up done (untimed)')
  }
  for (const w of WORKLOADS) {
    const results = []
    for (const client of CLIENTS) {
      const tag = `bench-${client}-${w.records}x${w.size}-${Date.now()}`
      await admin.createTopics({ topics: [{ topic: `${tag}-tp`, numPartitions: 1 }, { topic: `${tag}-lat`, numPartitions: 1 }] })
      const r = await runChild([client, broker.brokers.join(','), String(w.records), String(w.size), String(w.rate), String(SECONDS), tag])
      console.error(`${client} ${w.records}x${w.size}: ${JSON.stringify(r)}`)
      results.push(r)
      await admin.deleteTopics({ topics: [`${tag}-tp`, `${tag}-lat`] }).catch(() => {})
    }
    const floor = messageFloor(w)
    console.error(`message floor ${w.records}x${w.size}: ${JSON.stringify(floor)}`)
    const ntag = `bench-native-${w.records}x${w.size}-${Date.now()}`
    await admin.createTopics({ topics: [{ topic: ntag, numPartitions: 1 }] })
    const native = await nativeCeiling(broker.brokers, ntag, w)
    await admin.deleteTopics({ topics: [ntag] }).catch(() => {})
    console.error(`native ceiling ${w.records}x${w.size}: ${JSON.stringify(native)}`)
    const t = `${table(w, results)}\n\n${floorLine(floor, results)}\n\n${nativeLine(native, results)}`
    console.log(`\n${t}`)
    sections.push(t)
  }
  console.log(`\nload average at end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  sections.push(`load average at end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  if (OUT) fs.writeFileSync(OUT, sections.join('\n\n') + '\n')
  await admin.disconnect()
  await broker.stop()
  process.exit(0)
})()
