// One client's run of the Node benchmark, in its own process so its peak RSS is its own. Started
// by produce_consume.cjs; prints one JSON line with the results on stdout.
//
//   node client_run.cjs <client> <brokers> <records> <size> <rate> <seconds> <tag>
//
// 1. produce throughput: <records> values of <size> bytes to `<tag>-tp` (one partition), sends
//    of 1,000 values, at most 8 sends in flight;
// 2. consume throughput: the same records in a fresh group from the beginning; the rate is timed
//    from the first record delivered (so group join is not counted) to the last;
// 3. latency at a fixed offered rate: a consumer on `<tag>-lat` while a producer sends <rate>
//    records/s for <seconds> s (each ~1 ms tick sends what is due, in sends of <= 200). Each value
//    carries its scheduled send time, so the end-to-end latency (scheduled send -> handed to
//    the consumer's callback) includes any lag of the sender (no coordinated omission).
'use strict'

const fs = require('node:fs')
const { performance } = require('node:perf_hooks')
const { load } = require('./clients.cjs')

const [client, brokersArg, recordsArg, sizeArg, rateArg, secondsArg, tag] = process.argv.slice(2)
const brokers = brokersArg.split(',')
const N = Number(recordsArg)
const SIZE = Number(sizeArg)
const RATE = Number(rateArg)
const SECONDS = Number(secondsArg)
const CHUNK = 1000
const IN_FLIGHT = 8
const LAT_CHUNK = 200
const WAIT_MS = 120000 // bound on every wait below

function withTimeout(promise, ms, what) {
  let timer
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no progress within ${ms} ms`)), ms)
  })
  return Promise.race([promise, t]).finally(() => clearTimeout(timer))
}

function peakRssMb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

// CPU time (user + system, every thread of this process: Node's and the native client's) and
// minor page faults since `from`, per record: a measure of cost that the box's load moves less
// than records/s (in the JSON line and the table).
function usage() {
  const u = process.resourceUsage()
  return { cpuUs: u.userCPUTime + u.systemCPUTime, sysUs: u.systemCPUTime, faults: u.minorPageFault }
}
const costs = {}
function cost(phase, from, records) {
  const to = usage()
  costs[phase] = {
    cpuUsPerRecord: (to.cpuUs - from.cpuUs) / records,
    sysShare: (to.sysUs - from.sysUs) / Math.max(1, to.cpuUs - from.cpuUs),
    faultsPer1000: ((to.faults - from.faults) * 1000) / records,
  }
}

async function produceThroughput(c) {
  const p = await c.producer(brokers)
  const values = Array.from({ length: CHUNK }, () => Buffer.alloc(SIZE, 'x'))
  const u0 = usage()
  const t0 = performance.now()
  const inflight = []
  for (let sent = 0; sent < N; sent += CHUNK) {
    const send = p.send(`${tag}-tp`, values.slice(0, Math.min(CHUNK, N - sent)))
    send.catch(() => {}) // awaited below; this only keeps an early failure from crashing the process
    inflight.push(send)
    if (inflight.length >= IN_FLIGHT) await withTimeout(inflight.shift(), WAIT_MS, 'produce')
  }
  await withTimeout(Promise.all(inflight), WAIT_MS, 'produce')
  const s = (performance.now() - t0) / 1000
  cost('produce', u0, N)
  await p.close()
  return N / s
}

async function consumeThroughput(c) {
  let got = 0
  let first = 0
  let firstAt = 0
  let resolveDone
  const done = new Promise((r) => (resolveDone = r))
  let lastProgress = 0
  let u0
  const consumer = await c.consumer(brokers, `${tag}-tp`, `${tag}-tp-g`, (values) => {
    if (got === 0) {
      firstAt = performance.now()
      first = values.length
      u0 = usage()
    }
    got += values.length
    lastProgress = got
    if (got >= N) {
      if (got > first) cost('consume', u0, got - first)
      resolveDone(performance.now())
    }
  })
  // Bounded: fails if no record arrives for WAIT_MS.
  let seen = -1
  let endAt
  for (;;) {
    endAt = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), WAIT_MS))])
    if (endAt !== null) break
    if (lastProgress === seen) throw new Error(`consume: stuck at ${got}/${N} records`)
    seen = lastProgress
  }
  await consumer.stop()
  // Too few records to time past the first delivery: not measured (NaN prints as '-').
  return got > first ? (got - first) / ((endAt - firstAt) / 1000) : NaN
}

async function latency(c) {
  const topic = `${tag}-lat`
  const total = RATE * SECONDS
  const lat = new Float64Array(total)
  let got = 0
  let warm = false
  let resolveDone
  const done = new Promise((r) => (resolveDone = r))
  const consumer = await c.consumer(brokers, topic, `${topic}-g`, (values) => {
    const now = performance.now()
    for (const v of values) {
      const at = v.readDoubleLE(0)
      if (at < 0) {
        warm = true
        continue
      }
      if (got < total) lat[got++] = now - at
    }
    if (got >= total) resolveDone()
  })
  const p = await c.producer(brokers)
  const value = (at) => {
    const b = Buffer.alloc(SIZE, 'x')
    b.writeDoubleLE(at, 0)
    return b
  }
  // Warm up until the consumer has joined and sees records (bounded).
  const warmStart = performance.now()
  while (!warm) {
    if (performance.now() - warmStart > WAIT_MS) throw new Error('latency: the consumer never received the warm-up records')
    await withTimeout(p.send(topic, [value(-1)]), WAIT_MS, 'warm-up send')
    await new Promise((r) => setTimeout(r, 100))
  }
  const sends = []
  let sendError = null
  const t0 = performance.now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * RATE) / 1000))
    // What is due goes out now, in sends of at most LAT_CHUNK records (a late tick must not
    // build one request larger than the broker's message.max.bytes).
    while (due > sent) {
      const batch = []
      for (let i = sent; i < Math.min(due, sent + LAT_CHUNK); i++) batch.push(value(t0 + (i * 1000) / RATE))
      sent += batch.length
      sends.push(p.send(topic, batch).catch((e) => (sendError ??= e)))
    }
    if (sendError) throw sendError
    await new Promise((r) => setTimeout(r, 1))
  }
  await withTimeout(Promise.all(sends), WAIT_MS, 'latency sends')
  if (sendError) throw sendError
  await withTimeout(done, WAIT_MS, `latency: consumed ${got}/${total}`)
  await consumer.stop()
  await p.close()
  const sorted = Array.from(lat).sort((a, b) => a - b)
  const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]
  return { p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1] }
}

;(async () => {
  const c = load(client)
  // BENCH_PHASES=produce,consume,latency (the default: all) runs a subset; consume reads what
  // the produce phase wrote, so it needs produce. A phase not run prints as '-'.
  const phases = (process.env.BENCH_PHASES || 'produce,consume,latency').split(',')
  const produce = phases.includes('produce') ? await produceThroughput(c) : undefined
  const consume = phases.includes('consume') ? await consumeThroughput(c) : undefined
  const lat = phases.includes('latency') ? await latency(c) : {}
  console.log(JSON.stringify({ client: c.name, produce, consume, ...lat, rssMb: peakRssMb(), costs }))
  process.exit(0)
})().catch((e) => {
  console.log(JSON.stringify({ client, error: String(e && e.stack ? e.stack.split('\n')[0] : e) }))
  process.exit(1)
})
