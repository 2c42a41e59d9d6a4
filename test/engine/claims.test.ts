// The atomic claim: a register never runs twice, however many jobs point at it and however many
// runtimes fetch them (two on one PostgreSQL database; one on the embedded database, which is one
// process's). And a fan-in whose parents finish at once, in different runtimes, is never lost.
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
const runtimes: Runtime[] = [await startTestRuntime(t, { manifest, ...schemas, batchSize: 8 })]
if (onPostgres) runtimes.push(await startTestRuntime(t, { manifest, ...schemas, batchSize: 8 }))
t.comment(`${runtimes.length} runtime(s) on one database`)
const [first] = runtimes as [Runtime]

const N = 40
const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(2, '0')}`)
await first.createTransients(names.map(name => ({
  name, ra_deg: 1, dec_deg: 1, data: { behave: { Hammer: 'slow:30', Left: 'slow:40', Right: 'slow:40' } }
})))
const ids = (await sql<{ id: number }>(first, 'SELECT id FROM {s}.transient ORDER BY id')).map(row => row.id)

const drained = async (queue: string) => (await first.boss.findJobs(queue, { queued: true, limit: 10000 })).length === 0 &&
  (await sql<{ n: number }>(first, "SELECT count(*)::int AS n FROM {s}.task_status WHERE status = 'processing'"))[0]!.n === 0

t.test('a register never runs twice: every runtime floods the queue with duplicate jobs', async t => {
  // enabled behind the engine's back, so no sweep queues anything; only our duplicates do
  await sql(first, "UPDATE {s}.task SET enabled_override = true WHERE name = 'Hammer'")
  const started = Date.now()
  // (a key of their own each: the queue's `short` policy keeps one queued job per key)
  await Promise.all(runtimes.map(async (runtime, r) => {
    for (let round = 0; round < 4; round++) {
      await runtime.boss.insert('task.hammer', ids.map(id => ({ data: { t: id, c: 'api' }, singletonKey: `${id}/${r}/${round}` })))
    }
  }))
  const flood = (await first.boss.findJobs('task.hammer', { limit: 10000 })).filter(job => (job.data as { c: string }).c === 'api')
  t.equal(flood.length, N * 4 * runtimes.length, 'every duplicate was queued')
  await waitFor(async () => {
    const counts = await first.getTask('Hammer')
    return counts.counts.processed === N && drained('task.hammer')
  }, { timeoutMs: 60000, what: 'every duplicate consumed' })
  t.comment(`${N * 4 * runtimes.length} jobs for ${N} registers consumed in ${Date.now() - started} ms`)

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
// runtime stops working the other parent's queue, so Left can only run in the first and Right only in
// the second, and the last parent to finish commits in a different process from the first. The
// embedded database is one process's, so there it is one runtime: the fan-in is checked, the "different
// runtimes" part cannot be, and the title says so.
const title = onPostgres
  ? 'a fan-in is never lost when its parents finish together in different runtimes'
  : 'a fan-in is never lost when its parents finish together (one runtime: the embedded database is one process\'s)'
t.test(title, async t => {
  const [left, right] = [first, runtimes[1] ?? first]
  if (onPostgres) {
    // (pg-boss's own API: the runtime's workers on that queue stop fetching; the claims are untouched)
    await left.boss.offWork((await left.getTask('Right')).queue, { wait: false })
    await right.boss.offWork((await right.getTask('Left')).queue, { wait: false })
  }
  const started = Date.now()
  await Promise.all([left.setEnabled('Left', true), right.setEnabled('Right', true)])
  await waitFor(async () => (await first.getTask('Join')).counts.processed === N && drained('task.join'),
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
