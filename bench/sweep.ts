// Scenario 3, sweep cost at scale: transients × Blast's 17 tasks loaded in bulk with SQL (every task
// `processed`), then: one sweep of a task when nothing is eligible; the first page of
// GET /api/v1/transients?task=…&status=… (processed, not processed, failed) and of
// ?processing_status=blocked; one sweep when 10,000 are eligible. Run at two sizes
// (100,000 and 1,000,000 on PostgreSQL) to show the cost follows the eligible set, not the total.
// At each size also, over real HTTP: GET /api/v1/tasks (its counts are kept, migration 005; target
// <= 10 ms at the large size) and the status board's first render in Chromium (target <= 1 s;
// skipped, saying so, where /usr/bin/chromium is missing).
// The runtime runs in this process without workers, so a sweep only queues.
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApi } from '../runtime/api/index.ts'
import { createLogger } from '../runtime/logger.ts'
import { Runtime } from '../runtime/runtime.ts'
import { boardFirstRender, type RenderTimes } from './lib/board-render.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { RssPeak, int, mb, median, ms, percentile, ratio, time } from './lib/stats.ts'
import { BLAST_WORKFLOW, blastManifest, writeProject } from './lib/workflow.ts'

const TASK = 'Generate thumbnail SED local'
const TOKEN = 'bench-token-0123456789abcdef'

interface SizeResult {
  size: number
  registers: number
  eligible: number
  loadSeconds: number
  emptySweep: { p50: number; p95: number }
  emptyReadyPage: { p50: number }
  eligibleSweep: { p50: number; runs: number[]; queued: number }
  eligibleReadyPages: { p50: number }
  list: Record<string, { p50: number; items: number }>
  /** GET /api/v1/tasks over HTTP, sequential requests after a warm-up */
  tasksHttp: { p50: number; p99: number; requests: number; bytes: number }
  /** the board's first render in Chromium; null without Chromium */
  board: (RenderTimes & { p50: number }) | null
}

/** every transient `completed`, every register `processed`: indexes and the foreign key are built after the load */
async function bulkLoad (runtime: Runtime, size: number): Promise<number> {
  const s = runtime.store.schema
  const q = (text: string, params?: unknown[]) => runtime.db.query(text, params)
  const started = performance.now()
  if (runtime.db.kind === 'postgres') await q('SET maintenance_work_mem = \'256MB\'')
  const indexes = await q(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'task_status' AND indexname NOT LIKE '%_pkey'`, [s])
  const fks = await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '${s}.task_status'::regclass AND contype = 'f'`)
  for (const index of indexes) await q(`DROP INDEX ${s}.${index.indexname}`)
  for (const fk of fks) await q(`ALTER TABLE ${s}.task_status DROP CONSTRAINT ${fk.conname}`)
  await q(`INSERT INTO ${s}.transient (name, ra_deg, dec_deg, public_timestamp, redshift, progress, processing_status)
    SELECT 'bulk' || lpad(i::text, 7, '0'), (i % 36000) / 100.0, (i % 18000) / 100.0 - 90,
      timestamptz '2020-01-01' + i * interval '1 minute', 0.01, 100, 'completed'
    FROM generate_series(1, $1::int) AS i`, [size])
  await q(`INSERT INTO ${s}.task_status (transient_id, task, status, ready, attempts, updated_at, duration_ms)
    SELECT t.id, k.task, 'processed', false, 1, now(), 1
    FROM ${s}.transient t CROSS JOIN unnest($1::text[]) AS k(task)`, [BLAST_WORKFLOW.map(([name]) => name)])
  for (const index of indexes) await q(index.indexdef)
  for (const fk of fks) await q(`ALTER TABLE ${s}.task_status ADD CONSTRAINT ${fk.conname} ${fk.def}`)
  await q(`VACUUM ANALYZE ${s}.transient`)
  await q(`VACUUM ANALYZE ${s}.task_status`)
  return (performance.now() - started) / 1000
}

/** `eligible` transients, spread evenly, get TASK back to `not processed` and ready */
async function makeEligible (runtime: Runtime, size: number, eligible: number): Promise<void> {
  const s = runtime.store.schema
  const step = Math.floor(size / eligible)
  await runtime.db.query(`UPDATE ${s}.task_status SET status = 'not processed', ready = true, attempts = 0
    WHERE task = $1 AND transient_id IN (SELECT generate_series($2::int, $3::int, $2::int))`, [TASK, step, step * eligible])
  await runtime.db.query(`UPDATE ${s}.transient SET progress = 94, processing_status = 'processing'
    WHERE id IN (SELECT generate_series($1::int, $2::int, $1::int))`, [step, step * eligible])
  await runtime.db.query(`ANALYZE ${s}.task_status`)
}

async function repeat (count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < count; i++) times.push((await time(fn)).ms)
  return times
}

async function get (app: FastifyInstance, url: string): Promise<{ ms: number; body: any }> {
  const { ms: took, value } = await time(() => app.inject({ method: 'GET', url }))
  if (value.statusCode !== 200) throw new Error(`GET ${url}: ${value.statusCode} ${value.body}`)
  return { ms: took, body: value.json() }
}

async function measureSize (manifest: string, size: number, eligible: number, quick: boolean): Promise<SizeResult> {
  const schemas = freshSchemas()
  const dataDir = DATABASE_URL ? null : tempDir('sweep')
  const runtime = await Runtime.start({
    manifest, databaseUrl: DATABASE_URL, dataDir, ...schemas, logger: createLogger('warn'), workers: false
  })
  const app = await buildApi(runtime, { token: TOKEN })
  try {
    const loadSeconds = await bulkLoad(runtime, size)
    const reps = quick ? 3 : 20
    await runtime.runTask(TASK) // first touch: plans cached, pages warm
    const empty = await repeat(reps, async () => {
      const { queued } = await runtime.runTask(TASK)
      if (queued !== 0) throw new Error(`queued ${queued} with nothing eligible`)
    })
    const emptyPage = await repeat(reps, () => runtime.store.readyPage(TASK, null, 1000))

    await makeEligible(runtime, size, eligible)
    const sweeps: number[] = []
    let queued = 0
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      const run = await time(() => runtime.runTask(TASK))
      sweeps.push(run.ms)
      queued = run.value.queued
      if (queued !== eligible) throw new Error(`queued ${queued}, expected ${eligible}`)
    }
    const pages = await repeat(quick ? 1 : 5, async () => {
      for (let after = null; ;) {
        const page = await runtime.store.readyPage(TASK, after, 1000)
        if (page.length < 1000) return
        after = page[page.length - 1]!
      }
    })

    const list: SizeResult['list'] = {}
    // a task's status, and (no index: the walk, or a scan of the transients) a processing status none has
    const queries: Array<[string, string]> = [
      ...['processed', 'not processed', 'failed'].map((status): [string, string] => [status, `task=${encodeURIComponent(TASK)}&status=${encodeURIComponent(status)}`]),
      ['processing_status=blocked', 'processing_status=blocked']
    ]
    for (const [name, query] of queries) {
      const url = `/api/v1/transients?${query}`
      const first = await get(app, url)
      const times = [first.ms]
      for (let i = 1; i < (quick ? 2 : 5); i++) times.push((await get(app, url)).ms)
      list[name] = { p50: median(times), items: first.body.items.length }
    }
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    let bytes = 0
    const getTasks = async () => {
      const res = await fetch(`${base}/api/v1/tasks`)
      const body = await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`GET /api/v1/tasks: ${res.status}`)
      bytes = body.byteLength
    }
    await repeat(5, getTasks) // warm-up: connection, plans
    const tasksMs = await repeat(quick ? 10 : 200, getTasks)
    const render = await boardFirstRender(base, quick ? 1 : 5)
    return {
      size,
      registers: size * BLAST_WORKFLOW.length,
      eligible,
      loadSeconds,
      emptySweep: { p50: median(empty), p95: percentile(empty, 95) },
      emptyReadyPage: { p50: median(emptyPage) },
      eligibleSweep: { p50: median(sweeps), runs: sweeps, queued },
      eligibleReadyPages: { p50: median(pages) },
      list,
      tasksHttp: { p50: median(tasksMs), p99: percentile(tasksMs, 99), requests: tasksMs.length, bytes },
      board: render && { ...render, p50: median(render.ms) }
    }
  } finally {
    await app.close()
    await runtime.stop()
    await dropSchemas(schemas.schema, schemas.bossSchema)
    if (dataDir) removeDir(dataDir)
  }
}

export async function sweep (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  // 1,000,000 × 17 on PGlite would take longer than the whole run is allowed; its large size is 100,000
  // --quick only checks that it runs: one small size
  const sizes = options.quick ? [2_000] : DATABASE_URL ? [100_000, 1_000_000] : [10_000, 100_000]
  const eligible = options.quick ? 500 : 10_000
  const dir = tempDir('sweep-project')
  const rss = new RssPeak()
  try {
    const manifest = writeProject(dir, blastManifest())
    const results: SizeResult[] = []
    for (const size of sizes) results.push(await measureSize(manifest, size, eligible, options.quick))
    const peakRss = rss.stop()
    const small = results[0]
    const large = results[results.length - 1]
    const details = results.map(r =>
      `${int(r.size)} transients (${int(r.registers)} registers, loaded in ${int(r.loadSeconds)} s): ` +
      `sweep with nothing eligible p50 ${ms(r.emptySweep.p50)} (p95 ${ms(r.emptySweep.p95)}; bare ready-page query ${ms(r.emptyReadyPage.p50)}); ` +
      `with ${int(r.eligible)} eligible ${ms(r.eligibleSweep.p50)} (an explicit run: marking each register's cause included; bare ready pages ${ms(r.eligibleReadyPages.p50)}); ` +
      `GET /transients first page (task & status; processing status): ${Object.entries(r.list).map(([status, l]) => `${status} ${ms(l.p50)}`).join(', ')}; ` +
      `GET /tasks over HTTP (kept counts, ${int(r.tasksHttp.bytes)} bytes) p50 ${ms(r.tasksHttp.p50)} p99 ${ms(r.tasksHttp.p99)}; ` +
      (r.board ? `board first render in Chromium p50 ${ms(r.board.p50)} (${r.board.ms.map(v => int(v)).join(' / ')} ms; ${r.board.tasks} tasks, ${r.board.rows} rows)` : 'board first render: skipped, /usr/bin/chromium is not installed'))
    if (results.length > 1) details.push(`growth ${int(small.size)} -> ${int(large.size)} (x${large.size / small.size}): empty sweep ${ratio(large.emptySweep.p50 / small.emptySweep.p50)}, ` +
      `eligible sweep ${ratio(large.eligibleSweep.p50 / small.eligibleSweep.p50)}, list (not processed) ${ratio(large.list['not processed'].p50 / small.list['not processed'].p50)}, ` +
      `GET /tasks ${ratio(large.tasksHttp.p50 / small.tasksHttp.p50)}` +
      (large.board && small.board ? `, board first render ${ratio(large.board.p50 / small.board.p50)}` : ''))
    details.push(`peak RSS of the process ${mb(peakRss)}` + (DATABASE_URL ? ' (PostgreSQL server memory not included)' : ' (embedded database included)'))
    const emptyMs = large.emptySweep.p50
    const line = `sweep       ${int(large.size)} x ${BLAST_WORKFLOW.length}: empty sweep ${ms(emptyMs)}  ${int(eligible)} eligible ${ms(large.eligibleSweep.p50)}  ` +
      `list page ${ms(large.list['not processed'].p50)}  GET /tasks ${ms(large.tasksHttp.p50)}  ` +
      (large.board ? `board ${ms(large.board.p50)}  ` : 'board skipped  ') +
      (results.length > 1 ? `vs ${int(small.size)}: empty ${ratio(emptyMs / small.emptySweep.p50)} eligible ${ratio(large.eligibleSweep.p50 / small.eligibleSweep.p50)}  ` : '') +
      `(targets: empty <= 20 ms, /tasks <= 10 ms, board <= 1 s)  peak RSS ${mb(peakRss)}  [${DATABASE}]`
    return {
      scenario: 'sweep',
      line,
      details,
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics: { sizes: results, peakRssBytes: peakRss, task: TASK },
      targets: [
        target(`empty sweep ms at ${large.size}`, emptyMs, '<= 20', emptyMs <= 20),
        target(`GET /api/v1/tasks p50 ms over HTTP at ${large.size}`, large.tasksHttp.p50, '<= 10', large.tasksHttp.p50 <= 10),
        ...(large.board ? [target(`board first render p50 ms at ${large.size}`, large.board.p50, '<= 1000', large.board.p50 <= 1000)] : [])
      ]
    }
  } finally {
    removeDir(dir)
  }
}

await main(import.meta, sweep)
