// A batch of results rewrites its transients' progress in place (migration 009): each transient row
// keeps its page, so the update is HOT and adds no entry to the table's indexes. At fillfactor 90 a
// page held the new versions of a few of its rows, and most moved (checked: with 90, this fails).
import t from 'tap'
import { fileURLToPath } from 'node:url'
import type { ClaimedRow, RunResult } from '../../runtime/store.ts'
import { startTestRuntime } from '../helpers/runtime.ts'

const manifest = fileURLToPath(new URL('../fixtures/engine/chain.yaml', import.meta.url))
const N = 300
const OWNER = 'in-place-test'

t.test("a batch of results updates its transients' progress in place", async t => {
  // no lane claims here: this test claims and writes
  const runtime = await startTestRuntime(t, { manifest, claimTasks: [] })
  const { db, store } = runtime
  const table = `${store.schema}.transient`
  await runtime.upsertMany(Array.from({ length: N }, (_, i) => ({ name: `2024ip${i}`, ra_deg: 1, dec_deg: 2, public_timestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString() })))
  const pages = async () => new Map((await db.query<{ id: number; page: string; progress: number }>(
    `SELECT id, (ctid::text::point)[0]::text AS page, progress FROM ${table} ORDER BY id`)).map(row => [row.id, row]))
  const before = await pages()
  t.equal(before.size, N)

  const now = new Date().toISOString()
  const result = (row: ClaimedRow): RunResult => ({
    transient: row.name, task: 'Task A', started_at: now, finished_at: now, duration_ms: 1, status: 'processed', error: null, stack: null,
    attempt: row.attempts, worker: OWNER, cause: 'sweep', action: null, output: null, id: row.id, set_output: false, attempts: null, next_cause: null, due_seconds: null
  })
  for (let done = 0; done < N;) {
    const rows = await store.claimReady('Task A', OWNER, 100)
    t.ok(rows.length > 0, 'claimed a batch')
    await store.completeRuns(runtime.plan, rows.map(result), OWNER, 'discarded', { tasks: [], maxPerTask: 10, maxTasks: 0 })
    done += rows.length
  }

  const after = await pages()
  const changed = [...after.values()].filter(row => row.progress !== before.get(row.id)!.progress)
  t.equal(changed.length, N, 'every transient has a new progress')
  const moved = [...after.values()].filter(row => row.page !== before.get(row.id)!.page)
  t.same(moved.map(row => row.id), [], 'no transient row left its page')
})
