// The atomic claim: a register never runs twice, however many claims reach for it at once — by id
// (explicit runs, pushes) and from the backlog (every runtime's lane) — and however many runtimes
// make them (two on one PostgreSQL database; one on the embedded database, which is one process's).
// And a fan-in whose parents finish at once, in different runtimes, is never lost.
import t from 'tap'
import { join } from 'node:path'
import { freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, readCalls, sql, tally, tempDir, writeManifest } from '../fixtures/engine/harness.ts'
import type { Runtime } from '../../runtime/runtime.ts'

const dir = tempDir(t)
const log = join(dir, 'calls.log')
process.env.BLAST_TEST_LOG = log
const behave = '"{{plugins}}/behave.ts"'
const manifest = writeManifest(dir, [
  'version: 1',
  'tasks:',
  `  - { name: Hammer, plugin: ${behave}, enabled: false, frequency_seconds: 3600 }`,
  `  - { name: Left, plugin: ${behave}, enabled: false, frequency_seconds: 3600 }`,
  `  - { name: Right, plugin: ${behave}, enabled: false, frequency_seconds: 3600 }`,
  `  - { name: Join, plugin: ${behave}, frequency_seconds: 3600, prerequisites: { Left: processed, Right: processed } }`
].join('\n'))
const schemas = freshSchemas()
// On PostgreSQL Left is claimed from the backlog by the first runtime only and Right by the second
// only (claimTasks): the two parents of every fan-in run in different runtimes by construction.
const runtimes: Runtime[] = [await startTestRuntime(t, { manifest, ...schemas, batchSize: 8, ...(onPostgres ? { claimTasks: ['Hammer', 'Left', 'Join'] } : {}) })]
if (onPostgres) runtimes.push(await startTestRuntime(t, { manifest, ...schemas, batchSize: 8, claimTasks: ['Hammer', 'Right', 'Join'] }))
t.comment(`${runtimes.length} runtime(s) on one database`)
const [first] = runtimes as [Runtime]

const N = 40
const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(2, '0')}`)
await first.createTransients(names.map(name => ({
  name, ra_deg: 1, dec_deg: 1, data: { behave: { Hammer: 'slow:30', Left: 'slow:40', Right: 'slow:40' } }
})))
const ids = (await sql<{ id: number }>(first, 'SELECT id FROM {s}.transient ORDER BY id')).map(row => row.id)

const drained = async () => (await sql<{ n: number }>(first, "SELECT count(*)::int AS n FROM {s}.task_status WHERE status = 'processing'"))[0]!.n === 0

t.test('a register never runs twice: every runtime claims every register by id, over and over, while the lanes claim the backlog', async t => {
  const started = Date.now()
  // Hammer is disabled: an explicit run of one transient claims it by id in the runtime asked (and
  // runs it there); 4 rounds in each runtime, all at once. Meanwhile the task is enabled behind the
  // engine's back and every lane is woken, so the lanes' claims from the backlog race those by id.
  let asked = 0
  await Promise.all([
    ...runtimes.flatMap(runtime => Array.from({ length: 4 }, async () => {
      for (const name of names) asked += (await runtime.runTask('Hammer', name)).queued
    })),
    (async () => {
      await new Promise(resolve => setTimeout(resolve, 5))
      await sql(first, "UPDATE {s}.task SET enabled_override = true WHERE name = 'Hammer'")
      for (const runtime of runtimes) await runtime.runTask('Hammer')
    })()
  ])
  t.ok(asked > 0, `${asked} explicit runs found their register ready (the lanes took the others)`)
  await waitFor(async () => (await first.getTask('Hammer')).counts.processed === N && drained(), { timeoutMs: 60000, what: 'every register run' })
  t.comment(`${asked} claims by id and the lanes' for ${N} registers, done in ${Date.now() - started} ms`)

  const calls = tally(readCalls(log).filter(c => c.task === 'Hammer'))
  t.equal(calls.size, N)
  t.ok([...calls.values()].every(n => n === 1), 'each register ran exactly once')
  const runs = await allRuns(first, { task: 'Hammer' })
  t.equal(runs.length, N, 'one history row each')
  t.ok(runs.every(r => r.attempt === 1 && r.status === 'processed'))
  const byWorker = new Map<string, number>()
  for (const run of runs) byWorker.set(run.worker!, (byWorker.get(run.worker!) ?? 0) + 1)
  t.comment(`runs by runtime: ${[...byWorker.values()].join(' + ')}`)
})

// On PostgreSQL the two parents of every fan-in run in different runtimes by construction: each
// runtime claims only one parent's backlog (claimTasks), so Left can only run in the first and Right
// only in the second, and the last parent to finish commits in a different process from the first. The
// embedded database is one process's, so there it is one runtime: the fan-in is checked, the "different
// runtimes" part cannot be, and the title says so.
const title = onPostgres
  ? 'a fan-in is never lost when its parents finish together in different runtimes'
  : 'a fan-in is never lost when its parents finish together (one runtime: the embedded database is one process\'s)'
t.test(title, async t => {
  const [left, right] = [first, runtimes[1] ?? first]
  const started = Date.now()
  await Promise.all([left.setEnabled('Left', true), right.setEnabled('Right', true)])
  await waitFor(async () => (await first.getTask('Join')).counts.processed === N && drained(),
    { timeoutMs: 60000, what: 'every Join' })
  t.comment(`${N} fan-ins in ${Date.now() - started} ms`)
  const calls = tally(readCalls(log).filter(c => c.task === 'Join'))
  t.equal(calls.size, N)
  t.ok([...calls.values()].every(n => n === 1), 'each Join ran exactly once')
  const history = await allRuns(first)
  let overlapping = 0
  for (const name of names) {
    const runs = history.filter(r => r.transient === name)
    const at = (task: string) => runs.find(r => r.task === task)!
    t.same(runs.map(r => r.task).filter(task => task !== 'Hammer').sort(), ['Join', 'Left', 'Right'], `${name}: each parent and the Join ran once`)
    t.ok(Date.parse(at('Join').started_at) >= Math.max(Date.parse(at('Left').finished_at!), Date.parse(at('Right').finished_at!)),
      `${name}: Join after both parents`)
    if (Date.parse(at('Left').started_at) < Date.parse(at('Right').finished_at!) && Date.parse(at('Right').started_at) < Date.parse(at('Left').finished_at!)) overlapping++
    if (onPostgres) {
      t.equal(at('Left').worker, left.workerId, `${name}: Left ran in the first runtime`)
      t.equal(at('Right').worker, right.workerId, `${name}: Right ran in the second runtime`)
    }
  }
  const apart = names.filter(name => new Set(history.filter(r => r.transient === name && (r.task === 'Left' || r.task === 'Right')).map(r => r.worker)).size === 2).length
  if (onPostgres) t.equal(apart, N, 'every fan-in had its parents run by different runtimes')
  t.comment(`${apart} of ${N} transients had their parents run by different runtimes; ${overlapping} of ${N} ran them at the same time`)
  const page = await first.listTransients({ processing_status: 'completed', limit: 1000 })
  t.equal(page.items.length, N)
})
