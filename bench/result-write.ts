// A batch of run results written three ways, alternated call by call in one run, on 12,000
// transients of a one-task manifest: the client-side time of each call, for batches of 100 results
// (a lane's) and of 1 (a level of a pipeline, one transient at a time).
// - four round trips: Store.transition, as results were written before migration 008 (BEGIN, the
//   locked read, JavaScript's evaluate() and the write, COMMIT);
// - complete_runs(): one call, as shipped (its statements planned once per connection);
// - complete_runs() with PostgreSQL's default plan_cache_mode (a copy without the function's SET):
//   PL/pgSQL then chooses, statement by statement, between planning anew at each call and a generic
//   plan.
// Not one of `npm run bench`'s scenarios: run it alone,
//   DATABASE_URL=postgres://… npx node bench/result-write.ts
import { readFileSync } from 'node:fs'
import type { ClaimedRow, HistoryRow, RunResult, StatusWrite } from '../runtime/store.ts'
import { idleRuntime } from './lib/idle-runtime.ts'
import { median, percentile } from './lib/stats.ts'

const N = 12_000
const OWNER = 'bench-writer'
// no lane claims: this script claims and writes
const { runtime, schema, done } = await idleRuntime(N, 'rw')
try {
  const { db, store } = runtime
  const plan = runtime.plan
  // the shipped function, renamed, without its plan_cache_mode setting
  const shipped = readFileSync(new URL('../runtime/migrations/008_complete_runs.sql', import.meta.url), 'utf8')
  const fn = shipped.slice(shipped.indexOf('CREATE FUNCTION {{schema}}.complete_runs('))
  await db.query(fn.replaceAll('{{schema}}', schema).replaceAll('complete_runs', 'complete_runs_replanned')
    .replace(/^SET plan_cache_mode = force_generic_plan$/m, '').replace(/;\s*$/, ''))

  const now = () => new Date().toISOString()
  const history = (row: ClaimedRow): HistoryRow => ({
    transient: row.name, task: 'Process', started_at: now(), finished_at: now(), duration_ms: 1, status: 'processed',
    error: null, stack: null, attempt: row.attempts, worker: OWNER, cause: 'push', action: null, output: { n: 1 }
  })
  const result = (row: ClaimedRow): RunResult => ({ ...history(row), id: row.id, set_output: true, attempts: null, next_cause: null, due_seconds: null })
  const limits = { tasks: [], maxPerTask: 10, maxTasks: 16 }
  const ways: Record<string, (rows: ClaimedRow[]) => Promise<unknown>> = {
    'four round trips (Store.transition)': rows => store.transition(plan, rows.map(row => row.id), () => ({
      writes: rows.map((row): StatusWrite => ({ id: row.id, task: 'Process', status: 'processed', durationMs: 1, output: { value: { n: 1 } }, lastError: null })),
      history: rows.map(history)
    })),
    'complete_runs(), as shipped': rows => store.completeRuns(plan, rows.map(result), OWNER, 'discarded', limits),
    'complete_runs(), plan_cache_mode auto': rows => db.query(`SELECT * FROM ${schema}.complete_runs_replanned($1::jsonb, $2::jsonb, $3, 'discarded', '{}', 10, 16)`,
      [JSON.stringify(rows.map(result)), JSON.stringify({ tasks: [{ n: 'Process', p: [] }], settling: ['not processed', 'processing'], errors: ['failed'], np: 'not processed' }), OWNER])
  }
  console.log(`a batch of run results written three ways, alternated call by call, on ${N.toLocaleString('en')} transients of a one-task manifest (${db.kind})`)
  console.log('client-side ms per call: median, p90 (calls)')
  for (const [batch, rounds] of [[100, 30], [1, 300]] as const) {
    const times = new Map<string, number[]>(Object.keys(ways).map(way => [way, []]))
    for (let round = 0; round < rounds; round++) {
      for (const [way, write] of Object.entries(ways)) {
        const rows = await store.claimReady('Process', OWNER, batch)
        if (rows.length !== batch) throw new Error(`claimed ${rows.length} of ${batch}`)
        const started = performance.now()
        await write(rows)
        times.get(way)!.push(performance.now() - started)
      }
    }
    for (const [way, list] of times) {
      // the first calls of a connection plan and warm up: left out
      const kept = list.slice(Math.min(5, Math.floor(list.length / 5)))
      console.log(`batch ${String(batch).padStart(3)}  ${way.padEnd(40)} ${median(kept).toFixed(2).padStart(6)}  ${percentile(kept, 90).toFixed(2).padStart(6)}  (${kept.length})`)
    }
  }
  const [left] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.task_status WHERE status <> 'processed'`)
  const [runs] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.run`)
  console.log(`check: ${runs!.n.toLocaleString('en')} history rows; ${left!.n.toLocaleString('en')} registers not yet processed (never claimed)`)
} finally {
  await done()
}
