// The run path's three statements under EXPLAIN ANALYZE, on 10,000 transients of a one-task
// manifest, with PostgreSQL's default random_page_cost (4) and with the runtime's (1.1, runtime/
// database.ts SESSION_SETTINGS): a claim of 100, the locked read of their registers, the write of
// their results. Each runs in a transaction that is rolled back, 5 times; the median execution
// time and the plan's scans are printed. Not one of `npm run bench`'s scenarios: run it alone,
//   DATABASE_URL=postgres://… npx node bench/run-path-explain.ts
import { idleRuntime } from './lib/idle-runtime.ts'
import { median } from './lib/stats.ts'

const N = 10_000
class Rollback extends Error {}
// no lane claims: the registers stay as ingested
const { runtime, schema, done } = await idleRuntime(N, 'ex')
try {
  const { db, sql } = runtime.store
  const ids = (await db.query<{ id: number }>(`SELECT id FROM ${schema}.transient ORDER BY id LIMIT 100`)).map(row => row.id)
  const now = new Date().toISOString()
  const updates = ids.map(id => ({ id, task: 'Process', ready: false, status: 'processed', duration_ms: 1, set_output: false, output: null, last_error: null, attempts: null, cause: null, due_seconds: null }))
  const progress = ids.map(id => ({ id, progress: 100, processing_status: 'completed' }))
  const history = ids.map(id => ({ transient: `ex${id}`, task: 'Process', started_at: now, finished_at: now, duration_ms: 1, status: 'processed', error: null, stack: null, attempt: 1, worker: 'w', cause: 'push', action: null, output: null }))
  const statements: Array<[string, string, unknown[]]> = [
    ['claimReady (100)', sql.claimReady, ['Process', 'w', 100]],
    ['lockRegisters (100 transients)', sql.lockRegisters, [ids]],
    ['writeTransition (100 results)', sql.writeTransition, [JSON.stringify(updates), JSON.stringify(progress), JSON.stringify(history), 'push']]
  ]
  console.log(`run path statements on ${N.toLocaleString('en')} transients (${db.kind}), EXPLAIN ANALYZE, median of 5`)
  for (const cost of ['4', '1.1']) {
    for (const [label, text, params] of statements) {
      const times: number[] = []
      let scans = ''
      for (let round = 0; round < 5; round++) {
        await db.transaction(async tx => {
          await tx.query(`SET LOCAL random_page_cost = ${cost}`)
          const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${text}`, params)
          const lines = rows.map(row => row['QUERY PLAN'])
          times.push(Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))![1]))
          scans = [...new Set(lines.flatMap(line => /(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan) (?:using \S+ )?on (\w+)/.exec(line)?.slice(1, 3).join(' on ') ?? []))].join(', ')
          throw new Rollback()
        }).catch(err => { if (!(err instanceof Rollback)) throw err })
      }
      console.log(`random_page_cost ${cost.padEnd(3)}  ${label.padEnd(32)} ${median(times).toFixed(2).padStart(6)} ms  ${scans}`)
    }
  }
} finally {
  await done()
}
