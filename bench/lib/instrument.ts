// Preloaded (`node --import bench/lib/instrument.ts`) into a runtime process under profiling: times
// every statement sent through node-postgres, as the client sees it (queueing on the connection,
// round trip and server time), and writes a table per statement to $BENCH_STATEMENTS_OUT at exit.
// The runtime's own statements are named after their key in runtime/sql.ts; the rest (pg-boss) are
// shown by their first words. Our own instrumentation, because pg_stat_statements needs a server
// restart to load.
import { writeFileSync } from 'node:fs'
import pg from 'pg'
import { storeSql } from '../../runtime/sql.ts'

const out = process.env.BENCH_STATEMENTS_OUT
const schema = process.env.BENCH_STATEMENTS_SCHEMA ?? 'blast'

const squash = (text: string) => text.replace(/\s+/g, ' ').trim()
const named = new Map(Object.entries(storeSql(schema)).map(([key, text]) => [squash(text), `sql.${key}`]))
named.set(squash(storeSql(schema).heartbeat + ' RETURNING id'), 'sql.heartbeat')

interface Tally { calls: number; totalMs: number; maxMs: number }
const tallies = new Map<string, Tally>()
/** monotonic µs (the clock of V8's CPU profiles) of the last reset */
let resetAtUs: number | null = null

// SIGUSR2 (or markMeasured() in-process) starts the measured part: the start-up is forgotten.
function reset (): void {
  tallies.clear()
  resetAtUs = Number(process.hrtime.bigint() / 1000n)
}
process.on('SIGUSR2', reset)
;(globalThis as { __benchMeasure?: () => void }).__benchMeasure = reset

function label (text: string): string {
  const flat = squash(text)
  const known = named.get(flat)
  if (known) return known
  if (/^(BEGIN|COMMIT|ROLLBACK|SELECT 1)$/i.test(flat)) return flat.toUpperCase()
  return flat.replaceAll(schema + '_boss', '<boss>').replaceAll(schema, '<schema>').slice(0, 110)
}

function record (text: string, started: number): void {
  const ms = performance.now() - started
  const key = label(text)
  const tally = tallies.get(key) ?? { calls: 0, totalMs: 0, maxMs: 0 }
  tally.calls++
  tally.totalMs += ms
  tally.maxMs = Math.max(tally.maxMs, ms)
  tallies.set(key, tally)
}

const query = pg.Client.prototype.query as (...args: any[]) => any
pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
  const config = args[0]
  const text: string | undefined = typeof config === 'string' ? config : config?.text
  if (typeof text !== 'string') return query.apply(this, args)
  const started = performance.now()
  const last = args.length - 1
  if (typeof args[last] === 'function') {
    const callback = args[last]
    args[last] = function (this: unknown, ...result: unknown[]) {
      record(text, started)
      return callback.apply(this, result)
    }
    return query.apply(this, args)
  }
  if (config && typeof config === 'object' && typeof config.callback === 'function') {
    const callback = config.callback
    config.callback = function (this: unknown, ...result: unknown[]) {
      record(text, started)
      return callback.apply(this, result)
    }
    return query.apply(this, args)
  }
  const result = query.apply(this, args)
  if (result && typeof result.then === 'function') {
    result.then(() => record(text, started), () => record(text, started))
  }
  return result
} as typeof pg.Client.prototype.query

process.on('exit', () => {
  if (!out) return
  const rows = [...tallies].map(([statement, t]) => ({ statement, calls: t.calls, totalMs: t.totalMs, meanMs: t.totalMs / t.calls, maxMs: t.maxMs }))
  rows.sort((a, b) => b.totalMs - a.totalMs)
  writeFileSync(out, JSON.stringify({ resetAtUs, rows }, null, 2))
})
