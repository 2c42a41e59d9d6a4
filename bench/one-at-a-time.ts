// The two steps of the 17-task latency scenario that touch the registers, one transient at a time,
// timed client-side on Blast's manifest: the ingest of one transient (its 17 registers) and the
// write of one result (complete_runs(): the root task's result, readiness of its dependents,
// progress, history; no push). Not one of `npm run bench`'s scenarios: run it alone, to compare two
// checkouts alternately, `[DATABASE_URL=postgres://…] npx node bench/one-at-a-time.ts`.
import { join } from 'node:path'
import { createLogger } from '../runtime/logger.ts'
import { Runtime } from '../runtime/runtime.ts'
import type { RunResult } from '../runtime/store.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { median, percentile } from './lib/stats.ts'
import { blastManifest, writeProject } from './lib/workflow.ts'

const N = 300
const dir = tempDir('one-at-a-time')
const { schema, bossSchema } = freshSchemas()
writeProject(dir, blastManifest())
// no lane claims: this script claims and writes
const runtime = await Runtime.start({
  manifest: join(dir, 'blast.tasks.yaml'), databaseUrl: DATABASE_URL, dataDir: DATABASE_URL ? null : join(dir, 'data'),
  schema, bossSchema, logger: createLogger('warn'), claimTasks: []
})
try {
  const ingest: number[] = []
  for (let i = 0; i < N; i++) {
    const started = performance.now()
    await runtime.upsertMany([{ name: `one${i}`, ra_deg: 1, dec_deg: 2 }])
    ingest.push(performance.now() - started)
  }
  const root = runtime.plan.transientTasks[0]!.name
  const write: number[] = []
  for (let i = 0; i < N; i++) {
    const [row] = await runtime.store.claimReady(root, 'bench', 1)
    if (!row) throw new Error(`claimed nothing at ${i}`)
    const now = new Date().toISOString()
    const result: RunResult = {
      transient: row.name, task: root, started_at: now, finished_at: now, duration_ms: 1, status: 'processed', error: null, stack: null,
      attempt: row.attempts, worker: 'bench', cause: 'push', action: null, output: null, id: row.id, set_output: false, attempts: null, next_cause: null, due_seconds: null
    }
    const started = performance.now()
    await runtime.store.completeRuns(runtime.plan, [result], 'bench', 'discarded', { tasks: [], maxPerTask: 10, maxTasks: 0 })
    write.push(performance.now() - started)
  }
  // the first calls of a connection plan and warm up: left out
  const line = (what: string, list: number[]) => `${what.padEnd(34)} median ${median(list.slice(50)).toFixed(2)} ms  p90 ${percentile(list.slice(50), 90).toFixed(2)} ms`
  console.log(`one transient at a time, Blast's 17 tasks, ${N} each (${DATABASE})`)
  console.log(line('ingest of one transient', ingest))
  console.log(line('write of one result', write))
} finally {
  await runtime.stop()
  await dropSchemas(schema, bossSchema)
  removeDir(dir)
}
